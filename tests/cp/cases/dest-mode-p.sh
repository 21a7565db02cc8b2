# with -p DEST gets SOURCE's bits
echo new > a; chmod 640 a; echo old > b; chmod 600 b
$CP -p a b
