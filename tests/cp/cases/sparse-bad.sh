# --sparse=WORD unknown
echo 1 > a
$CP --sparse=sometimes a b
