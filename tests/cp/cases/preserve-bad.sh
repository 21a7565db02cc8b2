# --preserve=WORD unknown: cp's list
echo 1 > a
$CP --preserve=colour a b
