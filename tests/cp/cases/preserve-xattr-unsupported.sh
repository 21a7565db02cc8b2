# --preserve=xattr onto a filesystem without xattrs: "Operation not supported", exit 1
# (cp leaves the file it made without them; reflink leaves DEST as it was)
# fs: ramfs
# only: reflink
s=$(mktemp -d /dev/shm/rl-case.XXXXXX); echo 1 > "$s/a"; setfattr -n user.k -v v "$s/a"
$CP --preserve=xattr "$s/a" b; rc=$?; rm -rf "$s"; exit $rc
