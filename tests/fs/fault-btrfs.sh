#!/usr/bin/env bash
# fault-btrfs.sh - faults on a filesystem where FICLONE really works (a
# loop-mounted btrfs), so the clone path and its transitions are forced:
# FICLONE refusals fall back with identical content, hard errors stop,
# failures after a successful clone leave DEST as it was, and
# rl_clone_range (FICLONERANGE middle, copied head and tail) under faults.
# Outcomes as in tests/cli/fault.sh.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/fault/lib.sh"

if ! build_shim >"$T/.build" 2>&1 || ! build_tool range >>"$T/.build" 2>&1; then
	fail "fault-btrfs: build the shim and range tool" "$(head -c 1500 "$T/.build")"
	exit 0
fi
use_fs M "fault-btrfs: btrfs filesystem" btrfs 128 || exit 0
on_exit "cd /" # leave the mount before it is unmounted
mkdir -p "$M/w/in" && cd "$M/w" || exit 1
head -c 3000000 /dev/urandom > in/src
SRC=in/src
sync

# The baseline the faults below disturb: a real clone.
reset_out
rl_run "$RL" -v "$SRC" out/dst
if [ "$RC" = 0 ] && [ "$OUT" = "'in/src' -> 'out/dst' (clone)" ] && all_shared out/dst &&
   cmp -s in/src out/dst; then pass "btrfs: without faults the copy is a clone, all extents shared"
else fail "btrfs: without faults the copy is a clone, all extents shared" "exit $RC, '$OUT' $ERR"; fi

# --- FICLONE refused: auto falls back, always stops with 3 ---
for e in EXDEV EOPNOTSUPP EINVAL ETXTBSY EPERM EACCES; do
	fallback "btrfs auto: FICLONE $e falls back to copy_file_range, identical" \
		copy_file_range "ficlone:$e" ficlone --reflink=auto
done
fallback "btrfs auto: FICLONE and copy_file_range EXDEV: read/write, identical" read_write \
	"ficlone:EXDEV,copy_file_range:EXDEV" copy_file_range --reflink=auto
AFTER=all_shared
fallback "btrfs: FICLONE EINTR is retried and clones (extents shared)" clone \
	"ficlone:EINTR" ficlone --reflink=always
fallback "btrfs always: EINTR on every call, still a clone" clone \
	"intr:EINTR:every=1" ficlone --reflink=always
AFTER=
failure "btrfs always: FICLONE EXDEV is status 3" "new old" 3 "different filesystems" \
	"ficlone:EXDEV" ficlone --reflink=always
failure "btrfs always: FICLONE EIO is status 1" "new old" 1 "Input/output error" \
	"ficlone:EIO" ficlone --reflink=always
failure "btrfs auto: FICLONE EIO never falls back" "new old" 1 "Input/output error" \
	"ficlone:EIO" ficlone --reflink=auto
failure "btrfs auto: FICLONE ENOSPC never falls back" "new" 1 "No space left on device" \
	"ficlone:ENOSPC" ficlone --reflink=auto

# --- failures after a successful clone ---
failure "btrfs: linkat EIO after the clone: DEST as it was" "new old" 1 "Input/output error" \
	"linkat:EIO" linkat --reflink=always
failure "btrfs: rename EIO after the clone: old DEST kept, no debris" "old" 1 "Input/output error" \
	"renameat:EIO" renameat --reflink=always
failure "btrfs -p: fchmod EIO after the clone" "new old" 1 "Input/output error" \
	"fchmod:EIO" fchmod --reflink=always -p
failure "btrfs -p: futimens EIO after the clone" "new" 1 "Input/output error" \
	"futimens:EIO" futimens --reflink=always -p
failure "btrfs --fsync: fsync EIO after the clone" "new old" 1 "Input/output error" \
	"fsync:EIO" fsync --reflink=always --fsync
for STATE in new old; do
	reset_out
	[ $STATE = old ] && put_old out/dst
	{ frun "fchmod:kill" "$RL" -p "$SRC" out/dst; } 2>/dev/null
	[ "$RC" = 137 ] || why_add "exit $RC, wanted 137"
	if [ $STATE = old ]; then is_old out/dst; only_names out dst; else only_names out; fi
done
STATE=
case_end "btrfs: SIGKILL after the clone, before commit: DEST as it was, no debris"

# --- rl_clone_range: cloned middle, copied head and tail ---
RANGE="$B/range"
# range_case NAME WANT_RC WANT_METHOD RULES FUNC MODE: copy bytes
# [100, 100+LEN) of in/src to the same offsets of a fresh out/r.
LEN=2000000
range_case() {
	local name=$1 want=$2 method=$3 rules=$4 func=$5 mode=$6
	reset_out
	frun "$rules" "$RANGE" in/src 100 out/r 100 $LEN "$mode"
	[ "$RC" = "$want" ] || why_add "exit $RC, wanted $want: $ERR"
	if [ "$want" = 0 ]; then
		[[ "$OUT" == "method=$method "* ]] || why_add "got '$OUT', wanted method $method"
		cmp -s -n $LEN -i 100:100 in/src out/r || why_add "range content differs"
		[ "$(stat -c %s out/r)" = $((100 + LEN)) ] || why_add "size $(stat -c %s out/r)"
	fi
	fired "$func" || why_add "the $func fault never fired"
	case_end "$name"
}
reset_out
rl_run "$RANGE" in/src 100 out/r 100 $LEN auto
if [ "$RC" = 0 ] && [[ "$OUT" == "method=clone cloned="* ]] && [[ "$OUT" != *"cloned=0 "* ]] &&
   cmp -s -n $LEN -i 100:100 in/src out/r; then pass "rl_clone_range: unaligned range, middle cloned, identical"
else fail "rl_clone_range: unaligned range, middle cloned, identical" "exit $RC '$OUT' $ERR"; fi
range_case "rl_clone_range auto: FICLONERANGE EXDEV copies it all, identical" 0 read_write \
	"ficlonerange:EXDEV" ficlonerange auto
range_case "rl_clone_range auto: FICLONERANGE EINVAL copies it all, identical" 0 read_write \
	"ficlonerange:EINVAL" ficlonerange auto
range_case "rl_clone_range: FICLONERANGE EINTR is retried, still cloned" 0 clone \
	"ficlonerange:EINTR" ficlonerange always
range_case "rl_clone_range always: FICLONERANGE EXDEV is clone-impossible" 3 - \
	"ficlonerange:EXDEV" ficlonerange always
range_case "rl_clone_range auto: FICLONERANGE EIO never falls back" 1 - \
	"ficlonerange:EIO" ficlonerange auto
range_case "rl_clone_range: short writes of head and tail are continued" 0 clone \
	"pwrite:short:every=1" pwrite auto
range_case "rl_clone_range: EINTR on every call, identical" 0 clone \
	"intr:EINTR:every=1" pwrite auto
range_case "rl_clone_range: write EIO in the head stops" 1 - "pwrite:EIO" pwrite auto
range_case "rl_clone_range: read EIO in the tail stops" 1 - "pread:EIO:after=1" pread auto
