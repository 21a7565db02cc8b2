# -a with a file operand and a directory operand holding another name of
# it, in both orders: the copies are hard links of each other too (cp's
# table of copied inodes spans every operand)
mkdir -p d/sub T U && echo x > f && ln f d/sub/g && echo y > d/h && ln d/h h2
$CP -a f d h2 T && $CP -a d f h2 U
