# without -p an existing DEST keeps its owner, group, ACL and xattrs (cp writes into it)
echo new > a; echo old > b; chown nobody:nogroup b; chmod 4750 b
setfattr -n user.k -v old b; setfacl -m u:daemon:r b
$CP a b
