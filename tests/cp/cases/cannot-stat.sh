# a missing source
$CP nosuch b
