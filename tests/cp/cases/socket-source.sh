# a socket given without -R cannot be opened: cp's words
/usr/bin/python3 -c 'import socket; socket.socket(socket.AF_UNIX).bind("s")'
$CP s t
