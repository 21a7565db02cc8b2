# --no-preserve=WORD unknown: cp's list
echo 1 > a
$CP --no-preserve=colour a b
