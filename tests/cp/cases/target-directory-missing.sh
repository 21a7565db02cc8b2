# -t onto a missing directory
echo 1 > a
$CP -t nodir a
