# -R: a FIFO operand onto a directory in the way: cp's words
mkfifo fifo; mkdir -p d/fifo
$CP -R fifo d
