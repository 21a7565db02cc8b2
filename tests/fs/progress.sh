#!/usr/bin/env bash
# progress.sh - progress moves with the bytes: `reflink` of a tree of a few
# huge files (one worker, so every report between file ends comes from
# bytes still being copied) and of one huge file redraws at least every
# 0.5 s from start to finish, and its byte count grows while the files
# count stands still. Time stamps of each update are read, by
# tests/tools/cadence.py, from a pipe (--progress) and from a
# pseudo-terminal (progress shown by default there, after its first
# second, so that quick copies stay quiet). On tmpfs (fast, so the files
# are large enough to take a couple of seconds).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"

use_fs M "progress: tmpfs" tmpfs 6500 || exit 0
mkdir "$M/src" && for i in 1 2 3 4 5; do head -c 600000000 /dev/zero | tr '\0' 'x' > "$M/src/f$i"; done

cadence() { # cadence NAME pipe|pty FIRST SRC DST [OPTION...]: one case
	local name=$1 kind=$2 first=$3 src=$4 dst=$5
	shift 5
	rm -rf "$dst"
	local probe=$src copy=$dst
	[ -d "$src" ] && probe=$src/f5 copy=$dst/f5
	if /usr/bin/python3 "$TOP/tests/tools/cadence.py" "$kind" "$first" 0.5 -- \
		${PIN:+taskset -c "$PIN"} "$RL" -j1 --reflink=never "$@" "$src" "$dst" > "$T/.cad" 2>&1 &&
		cmp -s "$probe" "$copy"; then
		pass "$name: first update within $first s, then at least every 0.5 s, bytes move inside a file ($(cat "$T/.cad"))"
	else
		fail "$name" "$(cat "$T/.cad")"
	fi
	rm -rf "$dst"
}

# Default progress starts after a second on a terminal, and an idle
# machine copies these 3 GB in about 1.2 s: those cases share their CPU
# with a busy loop, so that the copy lasts long enough to be watched.
BUSY=
slowly() { taskset -c 0 /bin/sh -c 'while :; do :; done' & BUSY=$!; on_exit "kill $BUSY 2>/dev/null"; }

cadence "-r --progress of 5 huge files, to a pipe" pipe 0.5 "$M/src" "$M/dst" -r --progress
slowly
PIN=0 cadence "-r of 5 huge files, on a terminal (default progress)" pty 1.5 "$M/src" "$M/dst" -r
kill $BUSY
cadence "-r --progress of 5 huge files, on a terminal" pty 0.5 "$M/src" "$M/dst" -r --progress
cat "$M"/src/f? > "$M/big" && rm -rf "$M/src"
cadence "--progress of one 3 GB file, to a pipe" pipe 0.5 "$M/big" "$M/copy" --progress
slowly
PIN=0 cadence "one 3 GB file, on a terminal (default progress)" pty 1.5 "$M/big" "$M/copy"
kill $BUSY
