# -rl: directories made, every file, symlink and FIFO hard-linked to its source
mkdir -p s/d; echo a > s/f; echo b > s/d/g; ln -s f s/l; mkfifo s/p; chmod 750 s/d
$CP -rl s t
