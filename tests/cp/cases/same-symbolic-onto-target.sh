# -sf of a symlink onto the file it names: refused
echo x > foo && ln -s foo symlink
$CP -sf symlink foo
