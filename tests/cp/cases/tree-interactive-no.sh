# -ri: asked before an existing file inside the tree is replaced; no keeps it, new files copied
mkdir -p s/d t/s/d; echo new > s/d/g; echo new > s/d/h; echo old > t/s/d/g
echo n | $CP -ri s t
