#!/usr/bin/env bash
# core-fail.sh - a copy that fails half-way leaves DEST as it was (absent,
# or its old content) and no debris: ENOSPC on tiny ext4 and tmpfs images
# (no space is leaked either), and SIGKILL in the middle of a large
# fallback copy (read/write and copy_file_range) on tmpfs and ext4.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

MiB=1048576
used_kib() { sync -f "$1"; df -k --output=used "$1" | tail -1 | tr -d ' '; }

# --- ENOSPC ---
# enospc LABEL MNT SRC MODE: SRC does not fit in MNT.
enospc() {
	local l=$1 m=$2 src=$3 mode=$4 d before used0 used1 st
	d="$m/d-$mode"
	mkdir -p "$d"
	for dest in absent existing; do
		rm -f "$d/out"
		[ $dest = existing ] && printf 'the old content\n' > "$d/out"
		st=$(file_state "$d/out" 2>/dev/null)
		before=$(listing "$d")
		used0=$(used_kib "$m")
		rl_run "$RL" --reflink=$mode "$src" "$d/out"
		expect_error "$l ($mode, DEST $dest): exit 1, one line, No space left, cp's words" 1 "error writing '$d/out': No space left on device"
		if [ $dest = absent ]; then
			check "$l ($mode): DEST still absent" test ! -e "$d/out"
		elif [ "$(file_state "$d/out")" = "$st" ]; then
			pass "$l ($mode): DEST keeps its old content"
		else
			fail "$l ($mode): DEST keeps its old content" "now $(stat -c %s "$d/out") bytes"
		fi
		if [ "$(listing "$d")" = "$before" ]; then pass "$l ($mode, DEST $dest): no debris (ls -a)"
		else fail "$l ($mode, DEST $dest): no debris (ls -a)" "now: $(listing "$d" | tr '\n' ' ')"; fi
		used1=$(used_kib "$m")
		if [ $((used1 - used0)) -le 64 ]; then pass "$l ($mode, DEST $dest): no space leaked"
		else fail "$l ($mode, DEST $dest): no space leaked" "used ${used0} KiB before, ${used1} KiB after"; fi
	done
}

tmp_small= ext4_small=
head -c $((24 * MiB)) /dev/urandom > "$T/big"
if use_fs tmp_small "core-fail: tmpfs for ENOSPC" tmpfs 8; then
	head -c $((5 * MiB)) /dev/urandom > "$tmp_small/src5" # fits once, not twice
	for mode in auto never; do
		enospc "tmpfs ENOSPC from another fs" "$tmp_small" "$T/big" $mode
		enospc "tmpfs ENOSPC within it" "$tmp_small" "$tmp_small/src5" $mode
	done
fi
if use_fs ext4_small "core-fail: tiny ext4 for ENOSPC" ext4 16; then
	avail=$(df -k --output=avail "$ext4_small" | tail -1 | tr -d ' ')
	head -c $(((avail / 2 + 1024) * 1024)) /dev/urandom > "$ext4_small/half" # fits once, not twice
	for mode in auto never; do
		enospc "ext4 ENOSPC from another fs" "$ext4_small" "$T/big" $mode
		enospc "ext4 ENOSPC within it" "$ext4_small" "$ext4_small/half" $mode
	done
fi

# --- SIGKILL in the middle of a copy ---
# wait_partial PID DIR SIZE: wait (up to 20 s) until PID holds a temporary
# file in DIR with at least 16 MiB but not all of SIZE allocated.
wait_partial() {
	local pid=$1 dir=$2 size=$3 fd t n i
	for ((i = 0; i < 4000; i++)); do
		for fd in /proc/"$pid"/fd/*; do
			t=$(readlink "$fd" 2>/dev/null) || continue
			case "$t" in "$dir/"*) ;; *) continue ;; esac
			n=$(($(stat -L -c %b "$fd" 2>/dev/null || echo 0) * 512))
			if [ "$n" -ge $((16 * MiB)) ] && [ "$n" -lt "$size" ]; then echo "$n"; return 0; fi
		done
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.005
	done
	return 1
}

# killed LABEL SRC DSTDIR MODE DEST(absent|existing)
killed() {
	local l=$1 src=$2 d=$3 mode=$4 dest=$5 st before pid rc got used0 m
	mkdir -p "$d"
	rm -f "$d/out"
	[ "$dest" = existing ] && printf 'the old content\n' > "$d/out"
	st=$(file_state "$d/out" 2>/dev/null)
	before=$(listing "$d")
	m=$(findmnt -n -o TARGET -T "$d")
	used0=$(used_kib "$m")
	"$RL" --reflink="$mode" "$src" "$d/out" 2>"$T/.err" &
	pid=$!
	if ! got=$(wait_partial "$pid" "$d" "$(stat -c %s "$src")"); then
		kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
		fail "$l: caught in the middle" "never saw a partial temporary file: $(cat "$T/.err")"
		return
	fi
	kill -9 "$pid"
	rc=0; wait "$pid" 2>/dev/null || rc=$?
	echo "# $l: killed after $((got / MiB)) MiB of $(($(stat -c %s "$src") / MiB))"
	if [ "$rc" = 137 ]; then pass "$l: killed by SIGKILL in the middle"
	else fail "$l: SIGKILL in the middle" "exit $rc (the copy ended before the kill?)"; fi
	if [ "$dest" = absent ]; then
		check "$l: DEST still absent" test ! -e "$d/out"
	elif [ "$(file_state "$d/out")" = "$st" ]; then
		pass "$l: DEST keeps its old content"
	else
		fail "$l: DEST keeps its old content" "now $(stat -c %s "$d/out") bytes"
	fi
	if [ "$(listing "$d")" = "$before" ]; then pass "$l: no debris (ls -a)"
	else fail "$l: no debris (ls -a)" "now: $(listing "$d" | tr '\n' ' ')"; fi
	if [ $(($(used_kib "$m") - used0)) -le 64 ]; then pass "$l: the partial copy's space is freed"
	else fail "$l: the partial copy's space is freed" "used $used0 KiB before, $(used_kib "$m") KiB after"; fi
}

tmp_big= ext4_big=
use_fs tmp_big "core-fail: tmpfs for SIGKILL" tmpfs 640
use_fs ext4_big "core-fail: ext4 for SIGKILL" ext4 600
if [ -n "$tmp_big" ]; then
	yes 'reflink kill test: not zeros, not sparse' | head -c $((256 * MiB)) > "$tmp_big/src"
	killed "tmpfs, never, DEST absent" "$tmp_big/src" "$tmp_big/k1" never absent
	killed "tmpfs, never, DEST existing" "$tmp_big/src" "$tmp_big/k2" never existing
	[ -n "$ext4_big" ] && killed "tmpfs to ext4, never, DEST existing" "$tmp_big/src" "$ext4_big/k3" never existing
fi
if [ -n "$ext4_big" ]; then
	yes 'reflink kill test: not zeros, not sparse' | head -c $((256 * MiB)) > "$ext4_big/src"
	killed "ext4, auto (copy_file_range), DEST absent" "$ext4_big/src" "$ext4_big/k4" auto absent
	killed "ext4, auto (copy_file_range), DEST existing" "$ext4_big/src" "$ext4_big/k5" auto existing
fi
