# -r --attributes-only -p: new files empty with the attributes, existing ones keep their data
mkdir -p s/d t/s/d; echo data > s/f; echo more > s/d/g; chmod 640 s/f; touch -d @946684800 s/f s/d/g
echo old > t/s/d/g
$CP -r --attributes-only -p s t
