# --update=none-fail (cp 9.5): each existing DEST reported, exit 1
# only: reflink
echo new > a; echo old > b; mkdir d; echo old > d/a
$CP --update=none-fail a b; $CP --update=none-fail a d
