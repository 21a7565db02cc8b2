# --update=none (cp 9.5): an existing DEST skipped silently, exit 0
# only: reflink
echo new > a; echo old > b
$CP --update=none a b && $CP --update=none a c
