# VERSION_CONTROL chooses the type for -b; SIMPLE_BACKUP_SUFFIX the suffix
echo new > a; echo old > b; echo old > c
VERSION_CONTROL=t $CP -b a b && SIMPLE_BACKUP_SUFFIX=.orig VERSION_CONTROL=simple $CP --backup a c
