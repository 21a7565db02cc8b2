# -rs twice: an existing DEST link is an error (File exists); with -f it is replaced
mkdir -p s/d; echo a > s/f
$CP -rs "$PWD/s" t; { $CP -rs "$PWD/s/." t 2>&1 >/dev/null | sed "s|$PWD/|PWD/|" >&2; }
$CP -rsf "$PWD/s/." t; rc=$?; find t -printf '%p %y %l\n' | sed "s|$PWD/||" | sort; rm -rf t; exit $rc
