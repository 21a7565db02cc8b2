# a directory without -r
mkdir d
$CP d e
