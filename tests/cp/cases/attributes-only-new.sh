# --attributes-only -p: an empty DEST with SOURCE's attributes
echo data > a; chmod 640 a; touch -d @946684800 a
$CP --attributes-only -p a b
