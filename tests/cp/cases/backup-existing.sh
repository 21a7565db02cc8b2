# --backup=existing: numbered when numbered backups exist
echo new > a; echo old > b; echo two > b.~2~; echo new > c; echo oldc > c2
$CP --backup=existing a b && $CP --backup=nil c c2
