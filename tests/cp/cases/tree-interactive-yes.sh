# -ri: asked before an existing file inside the tree is replaced; yes replaces it
mkdir -p s/d t/s/d; echo new > s/d/g; echo new > s/d/h; echo old > t/s/d/g
echo y | $CP -ri s t
