# an unknown short option
$CP -q a b
