# -b onto another hard link of SOURCE: that name kept as the backup
echo x > foo && ln foo hardlink
$CP -b --backup=numbered foo hardlink
