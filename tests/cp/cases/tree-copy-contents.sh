# -r --copy-contents: a FIFO inside the tree read to its end into a regular file (waiting for its writer)
mkdir -p s/d; echo a > s/f; mkfifo s/d/p; chmod 640 s/d/p
(sleep 0.3; echo hello > s/d/p) & $CP -r --copy-contents s t; rc=$?; wait; exit $rc
