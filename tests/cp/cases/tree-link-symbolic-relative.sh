# -rs with a relative SOURCE into a subdirectory: refused (links would point elsewhere)
# only: reflink
mkdir -p s/d; echo a > s/f
$CP -rs s t
