# --backup moves an existing DEST aside: the copy is a new file with the
# source's bits (less the umask), not the old DEST's; in a tree too
echo 1 > a; chmod 640 a; echo 2 > b; chmod 604 b
mkdir -p s d/s; echo 3 > s/f; chmod 600 s/f; echo 4 > d/s/f; chmod 644 d/s/f
$CP -b a b && $CP -rb s d
