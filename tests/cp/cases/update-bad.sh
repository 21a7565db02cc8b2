# --update=WORD unknown (cp 9.5): its list
# only: reflink
echo 1 > a
$CP --update=sometimes a b
