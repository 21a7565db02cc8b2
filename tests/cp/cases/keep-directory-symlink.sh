# --keep-directory-symlink: DEST a symlink to a directory is merged into
# only: reflink
mkdir s real; echo 1 > s/f; ln -s real t
$CP -r --keep-directory-symlink s/. t
