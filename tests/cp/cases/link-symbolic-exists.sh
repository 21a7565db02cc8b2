# -s onto an existing DEST: refused; with -f replaced
echo data > a; echo old > b; echo old > c
$CP -s a b; $CP -sf a c
