# --remove-destination onto another hard link of SOURCE: a separate copy
echo x > foo && ln foo hardlink
$CP --remove-destination foo hardlink
