# --backup with -n: refused together
echo new > a; echo old > b
$CP -b -n a b
