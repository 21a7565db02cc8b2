# -rn --debug (cp 9.5): "skipped 'DEST'" on stdout for each kept entry
# only: reflink
mkdir -p s/d t/s/d; echo new > s/d/g; echo old > t/s/d/g
$CP -rn --debug s t
