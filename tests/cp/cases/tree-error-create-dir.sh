# -r merging, a directory that cannot be made: cp's words
mkdir -p s/d/e t/s/d; chmod 555 t/s/d; chmod 777 . t t/s
setpriv --reuid=nobody --regid=nogroup --clear-groups $CP -r s t
