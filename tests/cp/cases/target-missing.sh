# several sources onto a missing name
echo 1 > a; echo 2 > b
$CP a b c
