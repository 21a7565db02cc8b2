# -p keeps a POSIX ACL (the group bits are not turned into its mask)
echo 1 > a; setfacl -m u:nobody:rw,g::r a
$CP -p a b
