# -i then -n: the last wins, skipped without asking
echo new > a; echo old > b
$CP -i -n a b
