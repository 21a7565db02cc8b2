# -au into an existing tree with hard links in SOURCE: every name of the
# group ends as one file, a kept (not older) first copy included, and a
# newer DEST entry is linked over too (coreutils' preserve-link test)
mkdir s && touch s/f && ln s/f s/linkm && ln s/f s/linke && ln s/f s/fileo && ln s/f s/fileu
mkdir -p t/s && touch t/s/f && ln t/s/f t/s/linke && touch -d '-1 hour' t/s/fileo && touch -d '+1 hour' t/s/fileu
$CP -au s t
