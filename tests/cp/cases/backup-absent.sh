# -b with no DEST: nothing to keep
echo new > a
$CP -b a b
