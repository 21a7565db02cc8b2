# -P -p and -a keep a symlink's times
echo 1 > a; ln -s a l; touch -h -d @946684800 l
$CP -P -p l m && $CP -a l n
