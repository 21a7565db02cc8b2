# -s with a relative SOURCE outside the current directory: refused
echo data > a; mkdir d
$CP -s a d/x
