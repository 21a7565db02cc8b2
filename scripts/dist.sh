#!/usr/bin/env bash
# dist.sh [OUTDIR] - write OUTDIR/reflink-VERSION.tar.gz (default OUTDIR:
# $B, else build): the tracked files as they are in the working tree (git
# ls-files), or, outside a git checkout (an unpacked tarball), every file but
# build output. Reproducible: sorted names, owner 0, one mtime (the last
# commit's, else the header's), gzip without a timestamp. Prints its path.
set -eu
cd "$(dirname "$0")/.."
out=${1:-${B:-build}}
version=$(sed -n 's/^#define RL_VERSION_STRING "\(.*\)"/\1/p' include/reflink.h)
[ -n "$version" ] || { echo "dist.sh: no RL_VERSION_STRING in include/reflink.h" >&2; exit 1; }
name=reflink-$version
mkdir -p "$out"
list=$(mktemp /tmp/rl-dist.XXXXXX)
trap 'rm -f "$list"' EXIT

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# A tracked file deleted in the working tree is left out, as git archive
	# of a commit without it would.
	git ls-files -z | while IFS= read -r -d '' f; do
		[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
	done > "$list"
	stamp=@$(git log -1 --format=%ct 2>/dev/null || stat -c %Y include/reflink.h)
else
	find . \( -path './build*' -o -name __pycache__ -o -name '*.egg-info' \
		-o -path ./python/build -o -path './bench/cache' -o -path './bench/results' \) -prune \
		-o \( -type f -o -type l \) -printf '%P\0' > "$list"
	stamp=@$(stat -c %Y include/reflink.h)
fi
tar --null -T "$list" --transform "s|^|$name/|SH" --sort=name --mtime="$stamp" \
	--owner=0 --group=0 --numeric-owner --format=gnu -cf - | gzip -9n > "$out/$name.tar.gz.tmp"
mv "$out/$name.tar.gz.tmp" "$out/$name.tar.gz"
echo "$out/$name.tar.gz"
