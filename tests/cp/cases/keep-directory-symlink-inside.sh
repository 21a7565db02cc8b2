# --keep-directory-symlink inside a tree: a symlink in DEST to a directory,
# where SOURCE has a directory, is merged into (coreutils 9.5 and later)
# only: reflink
mkdir -p s/sub d real; echo 1 > s/sub/f; echo 2 > s/g; ln -s ../real d/sub
$CP -r --keep-directory-symlink s/. d
