# -n: an existing DEST skipped silently, exit 0; a missing one made
echo new > a; echo old > b
$CP -n a b && $CP -n a c
