# without -p the ACL is not copied
echo 1 > a; setfacl -m u:nobody:rw a
$CP a b
