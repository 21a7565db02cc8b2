# -a keeps user xattrs
echo 1 > a; setfattr -n user.k -v v a; touch -d @946684800 a
$CP -a a b
