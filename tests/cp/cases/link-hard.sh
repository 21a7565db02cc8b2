# -l: a hard link instead of a copy
echo data > a
$CP -l a b
