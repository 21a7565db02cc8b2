# -u: a DEST older than SOURCE is replaced; a missing one made
echo new > a; echo old > b; touch -d @946684800 b
$CP -u a b && $CP -u a c
