# -n --debug (cp 9.5): an existing DEST kept, "skipped 'DEST'" on stdout
# only: reflink
echo new > a; echo old > b
$CP -n --debug a b
