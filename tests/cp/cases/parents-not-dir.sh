# --parents needs a directory DEST
mkdir -p x; echo 1 > x/f
$CP --parents x/f out
