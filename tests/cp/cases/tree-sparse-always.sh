# -r --sparse=always: runs of zeros inside the tree become holes
mkdir -p s/d; head -c 1048576 /dev/zero > s/d/z; echo x >> s/d/z; head -c 1048576 /dev/zero >> s/d/z
$CP -r --sparse=always s t
