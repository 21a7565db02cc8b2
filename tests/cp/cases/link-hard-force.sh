# -l -f: an existing DEST replaced by the link
echo data > a; echo old > b
$CP -lf a b
