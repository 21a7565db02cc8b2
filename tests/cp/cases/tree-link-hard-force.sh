# -rlf: an existing DEST file is replaced by the link
mkdir -p s/d t/s/d; echo a > s/f; echo b > s/d/g; echo old > t/s/d/g
$CP -rlf s t
