# --attributes-only -p onto DEST: its data stays
echo data > a; chmod 640 a; touch -d @946684800 a; echo old > b
$CP --attributes-only -p a b
