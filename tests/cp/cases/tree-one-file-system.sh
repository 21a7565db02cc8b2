# -rx: a mount point inside the tree is made (with its own mode) but left empty
mkdir -p s/m s/d; echo a > s/d/f; mount -t tmpfs -o mode=0750 none s/m && echo in > s/m/inside && mkdir s/m/sub
$CP -rx s t; rc=$?; umount s/m; exit $rc
