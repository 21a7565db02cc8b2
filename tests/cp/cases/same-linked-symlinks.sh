# -d between two hard links of one symlink: nothing to do
echo x > foo && ln -s foo sl2 && ln sl2 hlsl
$CP -d hlsl sl2
