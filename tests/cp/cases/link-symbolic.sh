# -s: a symbolic link instead of a copy
echo data > a
$CP -s a b
