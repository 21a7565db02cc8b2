# -r merging: each existing file keeps its owner, ACL and xattrs
mkdir -p s t/s; echo new > s/f; echo old > t/s/f; chown nobody t/s/f
setfattr -n user.k -v old t/s/f; setfacl -m u:daemon:rw t/s/f
$CP -r s t
