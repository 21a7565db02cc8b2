# -bd between two symlinks: the old link kept as the backup
echo x > foo && ln -s foo sl1 && ln -s foo sl2
$CP -bd --backup=numbered sl1 sl2
