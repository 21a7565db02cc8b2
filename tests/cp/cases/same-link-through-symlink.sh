# -l of a symlink onto the file it names: already that file, nothing to do
echo x > foo && ln -s foo symlink
$CP -l symlink foo
