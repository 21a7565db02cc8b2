# -R -L --preserve=links: a symlink to a file of the same tree (and a
# second hard link of it) become hard links of one copy, as cp makes them.
mkdir s && echo hi > s/f && ln s/f s/h && echo one > s/g && ln -s f s/l && ln -s g s/m
$CP -R -L --preserve=links s d
