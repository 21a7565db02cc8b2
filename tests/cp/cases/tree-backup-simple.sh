# -rb: each replaced file or symlink inside the tree kept as NAME~; directories merged
mkdir -p s/d t/s/d; echo new > s/f; echo new > s/d/g; ln -s f s/l; echo new > s/d/h
echo old > t/s/f; echo old > t/s/d/g; ln -s old t/s/l
$CP -rb s t
