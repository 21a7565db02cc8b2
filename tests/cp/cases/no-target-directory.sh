# -T: DEST a directory is not copied into
mkdir s d; echo 1 > s/f; echo 2 > d/g
$CP -rT s d
