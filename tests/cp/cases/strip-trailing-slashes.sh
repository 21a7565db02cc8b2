# --strip-trailing-slashes: SOURCE/ names the link itself
mkdir d; echo 1 > d/f; ln -s d l
$CP -R --strip-trailing-slashes l/ e
