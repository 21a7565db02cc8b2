# -r --backup=numbered twice, then -S: NAME.~1~, NAME.~2~ inside the tree, then a suffix
mkdir -p s/d t/s/d; echo new > s/d/g; echo old > t/s/d/g
$CP -r --backup=numbered s t && $CP -r --backup=numbered s t && $CP -r -S .bak -b s t
