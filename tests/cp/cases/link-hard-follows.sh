# -l follows a command-line symlink (as cp)
echo data > a; ln -s a la
$CP -l la b
