# cp's abbreviations of its long options mean what they mean to cp, even
# where an option of reflink's own (--bytes, --progress, --fsync, --atomic,
# --no-progress) shares the prefix; the word after -S is its argument
mkdir s; echo 1 > s/f; echo 2 > a; echo 3 > b; chmod 640 a
$CP --b=simple a b && $CP --pr=mode --f --at a c && $CP --no-p=mode a e &&
$CP --rec --b -S --b s d && $CP --rec --b -S --b s d
