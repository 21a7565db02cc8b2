# -b onto a symlink naming SOURCE: the link kept as the backup, DEST a copy
echo x > foo && ln -s foo symlink
$CP -b --backup=numbered foo symlink
