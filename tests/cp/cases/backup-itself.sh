# -f -b with SOURCE and DEST the same file: a backup of it is made (cp's special case)
echo t > F
$CP --force --backup=simple --suffix=.b F F && $CP -T -f -b F F
