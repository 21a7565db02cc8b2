# a file onto a directory inside DIR
echo 1 > a; mkdir -p d/a
$CP a d
