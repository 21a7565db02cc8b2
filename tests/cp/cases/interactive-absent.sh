# -i with no DEST: nothing asked
echo new > a
$CP -i a b < /dev/null
