# --sparse=always: runs of zeros become holes
head -c 1048576 /dev/zero > z; echo x >> z; head -c 1048576 /dev/zero >> z
$CP --sparse=always z y
