# a file onto itself
echo 1 > a
$CP a a
