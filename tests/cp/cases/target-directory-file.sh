# -t onto a file
echo 1 > a; echo 2 > f
$CP -t f a
