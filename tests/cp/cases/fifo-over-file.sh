# -R: a FIFO operand recreated over an existing file, with and without -f
mkfifo fifo; touch e; touch e2
$CP -R fifo e && $CP -Rf fifo e2
