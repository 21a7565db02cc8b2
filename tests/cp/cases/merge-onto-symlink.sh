# merging, a symlink in DEST where SOURCE has a directory is no directory
# to merge into: that entry fails in cp's words, the rest is copied
mkdir -p s/sub d real; echo 1 > s/sub/f; echo 2 > s/g; ln -s ../real d/sub
$CP -r s/. d
