# --update=older (cp 9.5; = -u) and --update=all
# only: reflink
echo new > a; echo old > b; touch -d @946684800 a
echo old > c; touch -d @946684800 c
$CP --update=older a b && $CP --update=all a c
