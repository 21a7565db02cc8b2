# -b: the replaced DEST kept as DEST~
echo new > a; echo old > b
$CP -b a b
