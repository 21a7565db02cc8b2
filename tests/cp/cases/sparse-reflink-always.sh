# --reflink=always with --sparse=never: refused together
echo 1 > a
$CP --reflink=always --sparse=never a b
