# -ru: inside a tree only DEST files older than their SOURCE are replaced (equal times kept)
mkdir -p s/d t/s/d; echo new > s/old; echo new > s/d/same; echo new > s/d/newer; echo new > s/fresh
echo dst > t/s/old; echo dst > t/s/d/same; echo dst > t/s/d/newer
touch -d @946684800 t/s/old; touch -d @1000000000 s/d/same t/s/d/same; touch -d @900000000 s/d/newer
touch -d @1100000000 s/old
$CP -ru s t
