# a DEST below a file: cp stats it first
echo a > a
$CP a a/b
