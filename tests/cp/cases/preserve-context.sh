# --preserve=context without SELinux: refused, as cp built without it
echo 1 > a
$CP --preserve=context a b
