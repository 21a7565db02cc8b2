# several sources onto a file
echo 1 > a; echo 2 > b; echo 3 > c
$CP a b c
