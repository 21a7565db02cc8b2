# -r without --copy-contents: a FIFO inside the tree recreated as a FIFO
mkdir -p s/d; mkfifo s/d/p
$CP -r s t
