# -i: asked; no keeps DEST
echo new > a; echo old > b
echo n | $CP -i a b
