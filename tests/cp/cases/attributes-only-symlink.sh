# --attributes-only: a symlink SOURCE onto an existing file is refused; with --remove-destination it replaces it
printf 1 > file1; printf 2 > file2; printf 2 > file3; ln -s file1 sym1
$CP -a --attributes-only sym1 file2; $CP -a --remove-destination --attributes-only sym1 file3
