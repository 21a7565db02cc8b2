# -i: asked; yes replaces DEST
echo new > a; echo old > b
echo y | $CP -i a b
