# -r, a directory inside that cannot be read: cp's words
mkdir -p s/d; echo y > s/g; chmod 000 s/d; chmod 777 .
setpriv --reuid=nobody --regid=nogroup --clear-groups $CP -r s t
