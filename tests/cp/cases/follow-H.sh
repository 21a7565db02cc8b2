# -H: a command-line symlink followed, those inside not
mkdir d; echo 1 > d/f; ln -s f d/lf; ln -s d l
$CP -RH l e
