# --backup=none (off): no backup
echo new > a; echo old > b
$CP --backup=off a b
