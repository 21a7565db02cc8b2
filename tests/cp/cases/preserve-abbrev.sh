# --preserve=mo,time: abbreviated words, as cp
echo 1 > a; chmod 600 a; touch -d @946684800 a
$CP --preserve=mo,time a b
