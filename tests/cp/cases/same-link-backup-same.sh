# -l --backup onto a name that already is SOURCE: nothing to do, no backup
echo x > a && mkdir d && ln a d/a
$CP -l --backup a d/a
