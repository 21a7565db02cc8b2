# --parents -p: a parent directory already in DEST gets its source
# directory's bits again, as the ones made now (coreutils' parent-perm)
mkdir -p a/b/c a/b/d e && touch a/b/c/foo a/b/d/foo
$CP -p --parents a/b/c/foo e && chmod g-rx e/a e/a/b && $CP -p --parents a/b/d/foo e
