#!/usr/bin/env bash
# demo.sh - the main job on a real filesystem: clone a large file and a
# package-cache-like tree on a loop-mounted btrfs image (as root), showing
# which method did each copy and how long it took. Without root it runs in
# a temporary directory in auto mode.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac
RL="$B/reflink"
W=$(mktemp -d /tmp/reflink-demo.XXXXXX)
MNT=""
cleanup() {
	[ -n "$MNT" ] && umount -d "$MNT" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }
timed() { # timed LABEL CMD...: run, print wall time
	local label=$1 t0 t1; shift
	t0=$(date +%s.%N)
	"$@"
	t1=$(date +%s.%N)
	printf '   %-44s %8.3f s\n' "$label" "$(echo "$t1 - $t0" | bc)"
}

MODE=always
if [ "$(id -u)" = 0 ] && { command -v mkfs.btrfs >/dev/null || "$TOP/tests/deps.sh"; } &&
	command -v mkfs.btrfs >/dev/null; then
	truncate -s 1G "$W/btrfs.img"
	mkfs.btrfs -q -f "$W/btrfs.img" >/dev/null 2>&1
	MNT="$W/mnt"
	mkdir "$MNT"
	mount -o loop "$W/btrfs.img" "$MNT"
	D="$MNT"
	say "a 1 GiB btrfs image mounted at $MNT"
else
	D="$W"
	MODE=auto
	say "not root (or no btrfs-progs): working in $D with --reflink=auto"
fi
"$RL" --check "$D" || true

say "a 256 MiB file"
head -c 256M /dev/urandom > "$D/big.bin"
sync
timed "reflink --reflink=$MODE big.bin big.clone" "$RL" -v --reflink=$MODE "$D/big.bin" "$D/big.clone"
timed "cp --reflink=never big.bin big.copy" cp --reflink=never "$D/big.bin" "$D/big.copy"
cmp "$D/big.bin" "$D/big.clone" && echo "   content identical"

say "a package cache: 2,000 small files in 100 packages"
for p in $(seq 1 100); do
	mkdir -p "$D/cache/pkg$p/lib"
	for f in $(seq 1 20); do
		printf 'module %d.%d %s\n' "$p" "$f" "$(head -c 600 /dev/urandom | base64 -w0)" > "$D/cache/pkg$p/lib/f$f.js"
	done
done
sync
if "$RL" -r --reflink=$MODE "$D/cache/pkg1" "$D/probe-tree" 2>/dev/null; then
	timed "reflink -a --reflink=$MODE cache cache.clone" "$RL" -a --reflink=$MODE --json "$D/cache" "$D/cache.clone"
	timed "cp -a cache cache.cp" cp -a "$D/cache" "$D/cache.cp"
	diff -r "$D/cache" "$D/cache.clone" && echo "   trees identical"
else
	echo "   (recursive copy not available in this build)"
fi

say "always mode across filesystems fails cleanly with status 3"
set +e
"$RL" --reflink=always "$D/big.bin" /dev/shm/reflink-demo.bin
echo "   exit status $? ; destination exists: $([ -e /dev/shm/reflink-demo.bin ] && echo yes || echo no)"
set -e
if [ -n "$MNT" ] && command -v btrfs >/dev/null; then
	say "space: clones share their extents"
	btrfs filesystem du -s "$D/big.bin" "$D/big.clone" "$D/big.copy" 2>/dev/null || true
fi
