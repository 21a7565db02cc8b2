# -r merging, a symlink that cannot be made: cp's words
mkdir -p s t/s; ln -s nowhere s/l; chmod 555 t/s; chmod 777 . t
setpriv --reuid=nobody --regid=nogroup --clear-groups $CP -r s t
