# -rn: existing files, symlinks and FIFOs in DEST are kept silently, the rest copied
mkdir -p s/d t/s/d; echo new > s/f; ln -s f s/l; mkfifo s/p; echo new > s/d/g; echo new > s/d/h
echo old > t/s/f; ln -s old t/s/l; echo old > t/s/p; echo old > t/s/d/g
$CP -rn s t
