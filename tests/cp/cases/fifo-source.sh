# a FIFO given without -R: read as a file once its writer comes
mkfifo f
(sleep 0.3; echo hello > f) & $CP f g; rc=$?; wait; exit $rc
