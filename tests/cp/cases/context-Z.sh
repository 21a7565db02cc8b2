# -Z: no SELinux here, nothing to set
echo 1 > a
$CP -Z a b
