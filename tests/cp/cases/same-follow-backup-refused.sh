# -b following a symlink onto the file it names would leave the backup dangling: refused
echo x > foo && ln -s foo symlink
$CP -b symlink foo
