# --remove-destination onto a FIFO: replaced by a regular file
echo new > a; mkfifo b
$CP --remove-destination a b
