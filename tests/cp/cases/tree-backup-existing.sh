# -r --backup=existing: numbered where a numbered backup exists, simple elsewhere
mkdir -p s t/s; echo new > s/f; echo new > s/g; echo old > t/s/f; echo old > t/s/g; echo older > 't/s/g.~3~'
$CP -r --backup=existing s t
