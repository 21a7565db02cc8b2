# -a --no-preserve=mode: files 0666 and directories 0777 less the umask, times still kept
mkdir -p s/d; echo 1 > s/d/f; chmod 600 s/d/f; chmod 700 s/d; touch -d @946684800 s/d/f
$CP -a --no-preserve=mode s t
