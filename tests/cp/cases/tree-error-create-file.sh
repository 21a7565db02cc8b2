# -r merging, a file that cannot be made: cp's words
mkdir -p s t/s; echo x > s/f; chmod 555 t/s; chmod 777 . t
setpriv --reuid=nobody --regid=nogroup --clear-groups $CP -r s t
