# --suffix=.bak: the backup suffix (and -S makes backups)
echo new > a; echo old > b
$CP -S .bak a b
