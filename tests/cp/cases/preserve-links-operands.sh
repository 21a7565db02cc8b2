# --preserve=links: hard links among the operands kept (-d, -a too)
echo 1 > a; ln a b; echo 2 > c; mkdir d e
$CP --preserve=links a b c d && $CP -d a b e
