# --debug: how each file was copied, as cp 9.5 says it (implies -v)
# fs: ext4
# only: reflink
echo data > a; truncate -s 1M s; echo x >> s
$CP --debug a b && $CP --debug --sparse=always s t && $CP --debug --reflink=never a c
