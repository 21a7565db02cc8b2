# --sparse=never: holes written as zeros (on ext4: cp 9.1 still clones on btrfs, 9.4 and reflink do not)
# fs: ext4
truncate -s 1M s; echo x >> s; truncate -s 2M s
$CP --sparse=never s t
