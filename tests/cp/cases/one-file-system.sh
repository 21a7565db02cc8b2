# -x: not done yet (needs the tree engine): refused, never ignored
# only: reflink
echo 1 > a
$CP -x a b
