# --backup=WORD not a type: cp's list of them
echo new > a; echo old > b
$CP --backup=sometimes a b
