# -u: a DEST not older than SOURCE is kept
echo new > a; touch -d @946684800 a; echo old > b
$CP -u a b
