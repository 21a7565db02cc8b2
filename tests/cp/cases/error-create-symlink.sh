# -P, a symlink that cannot be made: cp's words
ln -s nowhere l; mkdir ro; chmod 555 ro; chmod 777 .
setpriv --reuid=nobody --regid=nogroup --clear-groups $CP -P l ro/l
