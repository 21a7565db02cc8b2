# an unknown option
$CP --colour a b
