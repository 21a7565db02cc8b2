# a directory into itself
# only: reflink
mkdir -p a/b
$CP -r a a/b
