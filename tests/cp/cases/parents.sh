# --parents: the source's path made under DIR
mkdir -p x/y d; echo 1 > x/y/f; echo 2 > x/g
$CP --parents x/y/f x/g d
