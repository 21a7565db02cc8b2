# --update=none-fail -r (cp 9.5): each existing DEST entry reported and kept, exit 1, the rest copied
# only: reflink
mkdir -p s/d t/s/d; echo new > s/d/g; echo new > s/d/h
echo old > t/s/d/g
$CP -r --update=none-fail s t
