# -f onto a read-only DEST: replaced
echo new > a; echo old > b; chmod 444 b
$CP -f a b
