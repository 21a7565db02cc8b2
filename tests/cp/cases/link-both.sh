# -l with -s: refused together
echo data > a
$CP -l -s a b
