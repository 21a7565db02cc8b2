# -r, a file inside that cannot be read: cp's words, the rest copied
mkdir s; echo x > s/f; echo y > s/g; chmod 000 s/f; chmod 777 .
setpriv --reuid=nobody --regid=nogroup --clear-groups $CP -r s t
