# -t with -T: refused together
echo 1 > a; mkdir d
$CP -t d -T a
