# -rl twice: the second finds every file already linked to its source: nothing to do, exit 0
mkdir -p s/d; echo a > s/f; echo b > s/d/g
$CP -rl s t && $CP -rl s/. t
