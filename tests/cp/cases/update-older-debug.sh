# -u --debug (cp 9.5): a DEST not older kept, "skipped 'DEST'" on stdout
# only: reflink
echo new > a; touch -d @946684800 a; echo old > b
$CP -u --debug a b
