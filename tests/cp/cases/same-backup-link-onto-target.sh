# -bd: a symlink copied as a link onto the file it names: the file kept as the backup first
echo x > foo && ln -s foo symlink
$CP -bd --backup=numbered symlink foo
