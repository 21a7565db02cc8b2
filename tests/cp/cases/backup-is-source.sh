# -b: a backup that would take SOURCE's name is refused (cp's words)
echo x > a; echo y > "a~"
$CP --backup=simple "a~" a
