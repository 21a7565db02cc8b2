# -bfl with one name twice: the backup name becomes a hard link of it (cp's -f -b special case)
echo x > foo
$CP -bfl --backup=numbered foo foo
