# --parents --no-preserve=mode: the made directories get the default bits
mkdir -p np/b np_dest; chmod 0700 np; touch np/b/file; chmod 775 np/b/file
$CP --parents --no-preserve=mode np/b/file np_dest/
