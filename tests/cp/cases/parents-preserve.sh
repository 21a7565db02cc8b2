# -a --parents: the made directories get their source ones' bits and times (also through a symlink)
mkdir -p a/b/c d g; chmod go=w a; touch -d @946684800 a/b; ln -s a sym; echo 1 > a/b/c/f
$CP -a --parents a/b/c/f d && $CP -a --parents sym/b/c g
