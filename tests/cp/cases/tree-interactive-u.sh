# -riu: the update policy first: a DEST not older is kept without asking
mkdir -p s/d t/s/d; echo new > s/d/g; echo old > t/s/d/g; touch -d @946684800 s/d/g
$CP -riu s t </dev/null
