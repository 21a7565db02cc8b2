# -r --sparse=never: holes inside the tree written as zeros
# fs: ext4
mkdir -p s/d; truncate -s 1M s/d/z; echo x >> s/d/z; echo y > s/f
$CP -r --sparse=never s t
