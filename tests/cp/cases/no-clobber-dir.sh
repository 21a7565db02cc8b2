# -n SOURCE... DIR: the existing one skipped, the others copied
echo 1 > a; echo 2 > b; mkdir d; echo old > d/a
$CP -n a b d
