# -a --no-preserve=mode: the bits not kept
echo 1 > a; chmod 600 a; touch -d @946684800 a
$CP -a --no-preserve=mode a b
