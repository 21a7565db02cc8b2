# -l SOURCE... DIR
echo 1 > a; echo 2 > b; mkdir d
$CP -l a b d
