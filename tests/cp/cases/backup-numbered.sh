# --backup=numbered: DEST.~N~, one past the highest there
echo new > a; echo old > b; echo one > b.~1~; echo seven > b.~7~
$CP --backup=numbered a b
