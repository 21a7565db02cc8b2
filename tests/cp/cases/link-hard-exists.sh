# -l onto an existing DEST: refused
echo data > a; echo old > b
$CP -l a b
