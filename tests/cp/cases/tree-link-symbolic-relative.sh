# -rs with a relative SOURCE: the directories made, each other entry refused (a relative link there would not lead to its source)
mkdir -p s/d/e; echo a > s/d/f
$CP -rs s t
