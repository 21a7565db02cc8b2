# no operand
$CP
