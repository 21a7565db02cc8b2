# a FIFO on the command line with -R is recreated
mkfifo f
$CP -R f g
