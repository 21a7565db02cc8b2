# --copy-contents -R: a FIFO on the command line read as a file (waiting for its writer)
mkfifo f
(sleep 0.3; echo hello > f) & $CP -R --copy-contents f g; rc=$?; wait; exit $rc
