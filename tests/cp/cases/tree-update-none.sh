# --update=none -r (cp 9.5): every existing DEST entry kept silently, exit 0, the rest copied
# only: reflink
mkdir -p s/d t/s/d; echo new > s/f; echo new > s/d/g; echo new > s/d/h; ln -s f s/l
echo old > t/s/f; echo old > t/s/d/g; ln -s old t/s/l
$CP -r --update=none s t
