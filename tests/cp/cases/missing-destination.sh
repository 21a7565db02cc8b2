# one operand
echo 1 > a
$CP a
