# -rl into an existing tree: an existing DEST file is an error (cp: File exists), the rest linked
mkdir -p s/d t/s/d; echo a > s/f; echo b > s/d/g; echo old > t/s/d/g
$CP -rl s t
