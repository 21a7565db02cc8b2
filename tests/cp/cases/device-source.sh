# a device given without -R: read as a file (cp /dev/null empty)
$CP /dev/null e
