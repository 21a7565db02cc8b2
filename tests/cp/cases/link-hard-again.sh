# -lf onto a DEST that already is a link of SOURCE: nothing changes and
# nothing is left beside it (a rename onto a name of the same inode does
# nothing); the same inside a tree with -rlf
echo a > a && ln a b && mkdir -p s t/s && echo c > s/c && ln s/c t/s/c
$CP -lf a b && $CP -rlf s t
