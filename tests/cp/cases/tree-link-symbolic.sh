# -rs with an absolute SOURCE: directories made, each file a symlink to its absolute source path
mkdir -p s/d; echo a > s/f; echo b > s/d/g
$CP -rs "$PWD/s" t; rc=$?; find t -printf '%p %y %l\n' | sed "s|$PWD/||" | sort; rm -rf t; exit $rc
