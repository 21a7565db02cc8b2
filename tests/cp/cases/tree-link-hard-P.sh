# -rlP: a symlink inside the tree is hard-linked itself
mkdir -p s; echo a > s/f; ln -s f s/l
$CP -rlP s t
