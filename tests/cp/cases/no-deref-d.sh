# -d: symlinks copied as symlinks
echo 1 > a; ln -s a l
$CP -d l m
