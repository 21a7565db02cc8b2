# --parents with a file where a directory should be: nothing made
mkdir d; touch f
$CP --parents f/g d
