# an existing device as DEST is written into, and stays a device
echo new > a; mknod b c 1 3
$CP a b
