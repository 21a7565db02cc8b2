# -a, a directory inside that cannot be read: made empty with its bits and times, cp's words
mkdir -p s/d; echo y > s/g; chmod 500 s/d; chown root s/d; touch -d 2001-01-01 s/d; chmod 000 s/d; chmod 777 .
setpriv --reuid=nobody --regid=nogroup --clear-groups $CP -a s t
