# -x on a single file: nothing to stay on, the copy is made
echo 1 > a
$CP -x a b
