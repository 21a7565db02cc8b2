# VERSION_CONTROL not a type
echo new > a; echo old > b
VERSION_CONTROL=foo $CP -b a b
