# a DEST whose directory is missing: cp's words for the step
echo a > a
$CP a nodir/b
