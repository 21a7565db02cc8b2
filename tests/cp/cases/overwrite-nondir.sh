# a directory onto a file
mkdir s; echo 1 > f
$CP -r s f
