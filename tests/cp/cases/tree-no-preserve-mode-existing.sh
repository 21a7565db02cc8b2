# -r onto existing files: each keeps its own permission bits (cp's rule), new ones get SOURCE's
mkdir -p s t/s; echo 1 > s/f; echo 2 > s/g; chmod 600 s/f s/g; echo old > t/s/f; chmod 644 t/s/f
$CP -r s t
