# -rl follows symlinks inside the tree (as cp: -l implies -L unless -P): a link to a file becomes a link to it
mkdir -p s; echo a > s/f; ln -s f s/l
$CP -rl s t
