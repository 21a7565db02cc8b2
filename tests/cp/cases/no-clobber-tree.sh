# -rn: merged into the existing tree, existing files skipped silently, new ones copied
mkdir -p s/d t/s/d; echo new > s/d/f; echo old > t/s/d/f; echo new > s/d/g
$CP -rn s t
