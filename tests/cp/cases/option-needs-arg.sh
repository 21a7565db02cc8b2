# -t without its argument
$CP -t
