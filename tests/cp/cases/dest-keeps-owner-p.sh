# -p onto an existing DEST: SOURCE's owner, bits and ACL; DEST's other xattrs stay
echo new > a; chown daemon a; chmod 640 a; setfacl -m u:bin:r a
echo old > b; chown nobody:nogroup b; setfattr -n user.k -v old b; setfacl -m u:daemon:r b
$CP -p a b
