# without -p an existing DEST keeps its own permission bits
echo new > a; chmod 644 a; echo old > b; chmod 600 b
$CP a b
