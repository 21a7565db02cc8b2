# --debug where clones work: the clone named, as cp 9.5 says it
# fs: btrfs
# only: reflink
echo data > a
$CP --debug a b
