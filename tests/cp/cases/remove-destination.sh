# --remove-destination: DEST replaced by a new file (the source's bits)
echo new > a; chmod 640 a; echo old > b; chmod 604 b
$CP --remove-destination a b
