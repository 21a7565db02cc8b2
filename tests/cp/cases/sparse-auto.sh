# --sparse=auto: holes stay holes
truncate -s 1M s; echo x >> s; truncate -s 2M s
$CP --sparse=auto s t
