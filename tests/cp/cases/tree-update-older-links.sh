# -ru with symlinks: an existing DEST link compared by its own times (older replaced, newer kept)
mkdir -p s t/s; echo new > s/f; ln -s f s/l; ln -s f s/m; ln -s old t/s/l; ln -s old t/s/m
touch -h -d @946684800 t/s/l; touch -h -d @946684800 s/m
$CP -ru s t
