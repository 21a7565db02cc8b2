# --remove-destination onto a symlink naming SOURCE: replaced by a copy (cp's same-file rule)
echo x > foo && ln -s foo symlink
$CP --remove-destination foo symlink
