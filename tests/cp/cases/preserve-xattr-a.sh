# -a onto a filesystem without xattrs: silent, as cp
# fs: ramfs
s=$(mktemp -d /dev/shm/rl-case.XXXXXX); echo 1 > "$s/a"; setfattr -n user.k -v v "$s/a"; touch -d @946684800 "$s/a"
$CP -a "$s/a" b; rc=$?; rm -rf "$s"; exit $rc
