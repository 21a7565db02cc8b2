# -l -b: the old DEST kept as DEST~, DEST the link
echo data > a; echo old > b
$CP -l -b a b
