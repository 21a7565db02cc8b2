#!/usr/bin/env bash
# fault.sh - the fault matrix of issue 6 through the reflink command, on the
# scratch directory's filesystem (no mount needed; FICLONE faults on a
# filesystem that really clones are in tests/fs/fault-btrfs.sh).
#
# Every system call on the copy path is made to fail, one at a time, by the
# LD_PRELOAD shim (tests/fault/shim.c). Each case states its outcome:
#   fallback: the copy takes the next way and DEST is identical to SOURCE,
#             exit 0, nothing on stderr, nothing but DEST in its directory;
#   failure:  DEST as it was (absent, or its old content), no debris, exactly
#             one error line naming both files and the reason, and the exit
#             status (1, or 3 when only a required clone was impossible).
# Each case is run with DEST absent and with an old DEST to be replaced,
# and checks that its fault really fired.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/fault/lib.sh"

if ! build_shim >"$T/.build" 2>&1; then
	fail "fault: build the LD_PRELOAD shim" "$(cat "$T/.build")"
	exit 0
fi
W="$T/w"
mkdir -p "$W/in" && cd "$W" || exit 1
head -c 3000000 /dev/urandom > in/src
# A sparse source: 2 data extents in 8 MiB, so copies walk SEEK_DATA.
truncate -s 8M in/sparse
head -c 65536 /dev/urandom | dd of=in/sparse conv=notrunc status=none
head -c 65536 /dev/urandom | dd of=in/sparse bs=1M seek=4 conv=notrunc status=none
# xattrs: a user. name (must copy) and a trusted. one (may be refused).
cp in/src in/trusted
/usr/bin/python3 -c 'import os
os.setxattr("in/src", "user.k", b"v"); os.setxattr("in/src", "trusted.k", b"v")
os.setxattr("in/trusted", "trusted.k", b"v")'

SRC=in/src

EIO_T="Input/output error"
ENOSPC_T="No space left on device"
EDQUOT_T="Disk quota exceeded"
CHANGED_T="source changed size"

# --- FICLONE in auto mode: "not possible here" falls back, the rest stops ---
for e in EXDEV EOPNOTSUPP EINVAL ETXTBSY EPERM EACCES ENOTTY ENOSYS EBADF; do
	fallback "auto: FICLONE $e falls back to copy_file_range, identical" \
		copy_file_range "ficlone:$e" ficlone --reflink=auto
done
fallback "auto: FICLONE EINTR is retried, then the copy goes on, identical" \
	copy_file_range "ficlone:EINTR" ficlone --reflink=auto
failure "auto: FICLONE EIO never falls back: exit 1, DEST as it was" "new old" 1 "$EIO_T" \
	"ficlone:EIO" ficlone --reflink=auto
failure "auto: FICLONE ENOSPC never falls back" "new old" 1 "$ENOSPC_T" \
	"ficlone:ENOSPC" ficlone --reflink=auto
failure "auto: FICLONE EDQUOT never falls back" "new old" 1 "$EDQUOT_T" \
	"ficlone:EDQUOT" ficlone --reflink=auto
failure "auto: FICLONE ENOMEM never falls back" "new" 1 "Cannot allocate memory" \
	"ficlone:ENOMEM" ficlone --reflink=auto

# --- FICLONE in always mode: impossible is status 3, a real error is 1 ---
failure "always: FICLONE EXDEV is status 3, 'different filesystems'" "new old" 3 \
	"different filesystems" "ficlone:EXDEV" ficlone --reflink=always
failure "always: FICLONE EOPNOTSUPP is status 3" "new old" 3 "does not support clones" \
	"ficlone:EOPNOTSUPP" ficlone --reflink=always
failure "always: FICLONE EINVAL is status 3" "new" 3 "cannot be cloned" \
	"ficlone:EINVAL" ficlone --reflink=always
failure "always: FICLONE ETXTBSY is status 3 (swap file)" "new" 3 "swap file" \
	"ficlone:ETXTBSY" ficlone --reflink=always
failure "always: FICLONE EPERM is status 3 (refused)" "new" 3 "refused" \
	"ficlone:EPERM" ficlone --reflink=always
failure "always: FICLONE EIO is status 1, not 3, in cp's words" "new old" 1 "failed to clone 'out/dst' from '$SRC': $EIO_T" \
	"ficlone:EIO" ficlone --reflink=always
failure "always: FICLONE ENOSPC is status 1" "new" 1 "$ENOSPC_T" \
	"ficlone:ENOSPC" ficlone --reflink=always
failure "always: FICLONE EINTR is retried (then this filesystem's answer)" "new" 3 \
	"cannot clone" "ficlone:EINTR" ficlone --reflink=always

# --- copy_file_range before any data: "not possible" falls back ---
for e in EXDEV EOPNOTSUPP ENOSYS EINVAL EPERM EACCES EBADF; do
	fallback "auto: copy_file_range $e at the start falls back to read/write" \
		read_write "copy_file_range:$e" copy_file_range --reflink=auto
done
fallback "auto: copy_file_range returning 0 at the start falls back to read/write" \
	read_write "copy_file_range:zero" copy_file_range --reflink=auto
fallback "auto: copy_file_range short copies are continued" \
	copy_file_range "copy_file_range:short:every=1" copy_file_range --reflink=auto
fallback "auto: copy_file_range EINTR on every call is retried" \
	copy_file_range "copy_file_range:EINTR:every=1" copy_file_range --reflink=auto
failure "auto: copy_file_range EIO at the start never falls back" "new old" 1 "$EIO_T" \
	"copy_file_range:EIO" copy_file_range --reflink=auto
failure "auto: copy_file_range ENOSPC at the start never falls back, in cp's words" "new" 1 "error writing 'out/dst': $ENOSPC_T" \
	"copy_file_range:ENOSPC" copy_file_range --reflink=auto

# --- copy_file_range half-way (after a short first copy) ---
HALF="copy_file_range:short"
for e in ENOSPC EDQUOT EIO EXDEV EINVAL EOPNOTSUPP; do
	case $e in
	ENOSPC) t=$ENOSPC_T ;; EDQUOT) t=$EDQUOT_T ;; EIO) t=$EIO_T ;;
	EXDEV) t="Invalid cross-device link" ;; EINVAL) t="Invalid argument" ;;
	EOPNOTSUPP) t="Operation not supported" ;;
	esac
	failure "auto: copy_file_range $e half-way stops (no fallback after data)" "new old" 1 "$t" \
		"$HALF,copy_file_range:$e:after=1" copy_file_range --reflink=auto
done
failure "auto: copy_file_range returning 0 half-way: source changed size" "new old" 1 "$CHANGED_T" \
	"$HALF,copy_file_range:zero:after=1" copy_file_range --reflink=auto

# --- read/write (never mode): 1 MiB steps, so after=1 is half-way ---
fallback "never: short reads are continued" read_write "pread:short:every=1" pread --reflink=never
fallback "never: short writes are continued" read_write "pwrite:short:every=1" pwrite --reflink=never
fallback "never: EINTR on every read is retried" read_write "pread:EINTR:every=1" pread --reflink=never
fallback "never: EINTR on every write is retried" read_write "pwrite:EINTR:every=1" pwrite --reflink=never
failure "never: read EIO stops" "new old" 1 "$EIO_T" "pread:EIO:after=1" pread --reflink=never
failure "never: write ENOSPC half-way stops" "new old" 1 "$ENOSPC_T" "pwrite:ENOSPC:after=1" pwrite --reflink=never
failure "never: write EDQUOT half-way stops" "new" 1 "$EDQUOT_T" "pwrite:EDQUOT:after=1" pwrite --reflink=never
failure "never: write EIO stops" "new old" 1 "$EIO_T" "pwrite:EIO" pwrite --reflink=never
failure "never: a write that makes no progress is EIO" "new" 1 "$EIO_T" "pwrite:zero" pwrite --reflink=never
failure "never: end of file at the start: source changed size" "new old" 1 "$CHANGED_T" \
	"pread:zero" pread --reflink=never
failure "never: end of file half-way: source changed size" "new" 1 "$CHANGED_T" \
	"pread:zero:after=1" pread --reflink=never
failure "auto: read EIO after copy_file_range declined stops" "new" 1 "$EIO_T" \
	"copy_file_range:EXDEV,pread:EIO" pread --reflink=auto

# --- EINTR on every interruptible call ---
fallback "auto: EINTR on every call (a signal storm), identical" copy_file_range \
	"intr:EINTR:every=1" ficlone --reflink=auto
fallback "never: EINTR on every call, identical" read_write "intr:EINTR:every=1" pread --reflink=never
SRC=in/sparse
fallback "sparse, auto: EINTR on every call, identical" copy_file_range "intr:EINTR:every=1" \
	copy_file_range --reflink=auto
fallback "sparse, never: EINTR on every call, identical" read_write "intr:EINTR:every=1" \
	pread --reflink=never

# --- sizing and hole walking ---
fallback "sparse: no SEEK_DATA (EINVAL) copies it all, identical" copy_file_range \
	"lseek:EINVAL" lseek --reflink=auto
failure "sparse: SEEK_DATA EIO stops" "new old" 1 "$EIO_T" "lseek:EIO" lseek --reflink=auto
# Only a sparse source is sized first (a dense one gets its size from the data).
fallback "sparse: ftruncate EINTR is retried" copy_file_range "ftruncate:EINTR" ftruncate --reflink=auto
failure "sparse: ftruncate EIO stops" "new old" 1 "$EIO_T" "ftruncate:EIO" ftruncate --reflink=auto
failure "sparse: ftruncate EFBIG stops" "new" 1 "File too large" "ftruncate:EFBIG" ftruncate --reflink=auto
SRC=in/src

# --- the temporary file ---
for e in EOPNOTSUPP EISDIR EINVAL; do
	fallback "no O_TMPFILE ($e): a named temporary, identical, no debris" copy_file_range \
		"tmpfile:$e" tmpfile --reflink=auto
done
failure "creating the temporary: ENOSPC, in cp's words" "new old" 1 "cannot create regular file 'out/dst': $ENOSPC_T" "tmpfile:ENOSPC" tmpfile --reflink=auto
failure "creating the temporary: EACCES" "new" 1 "Permission denied" "tmpfile:EACCES" tmpfile --reflink=auto
failure "creating the temporary: EDQUOT" "new" 1 "$EDQUOT_T" "tmpfile:EDQUOT" tmpfile --reflink=auto
failure "named temporary: copy_file_range EIO leaves no debris" "new old" 1 "$EIO_T" \
	"tmpfile:EOPNOTSUPP,copy_file_range:EIO" copy_file_range --reflink=auto
failure "named temporary: write ENOSPC half-way leaves no debris" "new old" 1 "$ENOSPC_T" \
	"tmpfile:EOPNOTSUPP,pwrite:ENOSPC:after=1" pwrite --reflink=never

# --- fsync ---
failure "--fsync: fsync EIO stops, DEST as it was" "new old" 1 "$EIO_T" "fsync:EIO" fsync \
	--reflink=auto --fsync
reset_out
frun "fsync:EIO" "$RL" --reflink=auto "$SRC" out/dst
if [ "$RC" = 0 ] && ! fired fsync && cmp -s "$SRC" out/dst; then pass "without --fsync no fsync is made"
else fail "without --fsync no fsync is made" "exit $RC, fsync fault fired: $(cat "$FLOG")"; fi
fallback "--fsync: fsync EINTR is retried" copy_file_range "fsync:EINTR" fsync --reflink=auto --fsync

# --- putting the file in place ---
failure "linkat EIO: DEST as it was" "new old" 1 "$EIO_T" "linkat:EIO" linkat --reflink=auto
failure "linkat ENOSPC: DEST as it was" "new" 1 "$ENOSPC_T" "linkat:ENOSPC" linkat --reflink=auto
fallback "linkat EPERM (no CAP_DAC_READ_SEARCH): linked through /proc" copy_file_range \
	"linkat:EPERM" linkat --reflink=auto
fallback "linkat ENOENT: linked through /proc" copy_file_range "linkat:ENOENT" linkat --reflink=auto
failure "rename over an old DEST fails EIO: old content kept, no debris" "old" 1 "$EIO_T" \
	"renameat:EIO" renameat --reflink=auto
failure "named temporary: rename EIO, no debris" "new old" 1 "$EIO_T" \
	"tmpfile:EOPNOTSUPP,rename:EIO" rename --reflink=auto
failure "named temporary, -n: rename EIO, no debris" "new" 1 "$EIO_T" \
	"tmpfile:EOPNOTSUPP,renameat2:EIO" renameat2 --reflink=auto -n
# -n (cp 9.5): another writer's DEST appearing just before the final link
# means this one lost the race: it skips silently, exit 0, writes nothing.
reset_out
frun "linkat:EEXIST" "$RL" --reflink=auto -n "$SRC" out/dst
[ "$RC" = 0 ] && [ -z "$ERR" ] || why_add "exit $RC: $ERR"
only_names out
fired linkat || why_add "the linkat fault never fired"
case_end "-n: DEST appears just before linkat (EEXIST): skipped silently, exit 0, nothing written"

# --- cp's ways of placing DEST: each keeps DEST whole or as it was ---
# expect_kept NAME WANT_RC REASON FUNC NAMES...: after the last frun, the
# status and one error line, out/dst still the old content, out holding
# exactly NAMES, and the fault fired.
expect_kept() {
	local name=$1 want=$2 reason=$3 func=$4; shift 4
	err_is "$want" "$reason"
	is_old out/dst
	only_names out "$@"
	fired "$func" || why_add "the $func fault never fired"
	case_end "$name"
}
# -b: the old DEST is linked to a fresh name (linkat #2, after the
# temporary's), renamed to DEST~ (renameat #1), then the new file renamed
# over DEST (renameat #2): DEST is never absent.
reset_out; put_old out/dst
frun "linkat:EIO:after=1" "$RL" --reflink=auto -b "$SRC" out/dst
expect_kept "-b: the backup link fails (EIO): DEST as it was, no backup, no debris" 1 "$EIO_T" linkat dst
reset_out; put_old out/dst
frun "renameat:EIO" "$RL" --reflink=auto -b "$SRC" out/dst
expect_kept "-b: naming the backup fails (EIO): DEST as it was, no debris" 1 "$EIO_T" renameat dst
reset_out; put_old out/dst
frun "renameat:EIO:after=1" "$RL" --reflink=auto -b "$SRC" out/dst
expect_kept "-b: the final rename fails (EIO): DEST as it was (and kept as DEST~ too)" 1 "$EIO_T" renameat dst 'dst~'
cmp -s out/dst 'out/dst~' && pass "-b, final rename failed: DEST~ is the old DEST" || fail "-b, final rename failed: DEST~ is the old DEST" "differs"
reset_out; put_old out/dst
frun "pwrite:ENOSPC" "$RL" --reflink=never -b "$SRC" out/dst
expect_kept "-b: the data write fails (ENOSPC): DEST as it was, no backup made" 1 "$ENOSPC_T" pwrite dst
# -l/-s with -f: the link made under a temporary name, renamed over DEST.
for how in -l -s; do
	f=$([ $how = -l ] && echo linkat || echo symlinkat)
	reset_out; put_old out/dst
	frun "$f:EIO" "$RL" $how -f "$PWD/$SRC" out/dst
	expect_kept "$how -f: making the link fails (EIO): DEST as it was, no debris" 1 "$EIO_T" $f dst
	reset_out; put_old out/dst
	frun "renameat:EIO" "$RL" $how -f "$PWD/$SRC" out/dst
	expect_kept "$how -f: renaming it over DEST fails (EIO): DEST as it was, no debris" 1 "$EIO_T" renameat dst
done
reset_out; put_old out/dst
frun "pwrite:EIO" "$RL" --reflink=never --remove-destination "$SRC" out/dst
expect_kept "--remove-destination: the copy fails (EIO): DEST as it was (replaced only when complete)" 1 "$EIO_T" pwrite dst
reset_out; put_old out/dst
frun "renameat:EIO" "$RL" --reflink=auto --remove-destination "$SRC" out/dst
expect_kept "--remove-destination: the final rename fails (EIO): DEST as it was" 1 "$EIO_T" renameat dst
reset_out; put_old out/dst
frun "futimens:EIO" "$RL" --attributes-only -p "$SRC" out/dst
expect_kept "--attributes-only onto DEST: futimens fails (EIO): DEST's data as it was" 1 "preserving times for 'out/dst': $EIO_T" futimens dst
reset_out
frun "fchown:EIO" "$RL" --attributes-only -p "$SRC" out/dst
err_is 1 "$EIO_T"; only_names out; fired fchown || why_add "the fchown fault never fired"
case_end "--attributes-only, no DEST: fchown fails (EIO): nothing made"

# --- metadata (-p, --preserve=all) ---
failure "-p: fchown EIO stops, DEST as it was" "new old" 1 "failed to preserve ownership for 'out/dst': $EIO_T" "fchown:EIO" fchown --reflink=auto -p
failure "-p: fchmod EIO stops" "new old" 1 "preserving permissions for 'out/dst': $EIO_T" "fchmod:EIO" fchmod --reflink=auto -p
failure "-p: futimens EIO stops" "new old" 1 "preserving times for 'out/dst': $EIO_T" "futimens:EIO" futimens --reflink=auto -p
failure "named temporary: fchmod EIO stops, no debris" "new old" 1 "$EIO_T" \
	"tmpfile:EOPNOTSUPP,fchmod:EIO" fchmod --reflink=auto
failure "--preserve=all: fsetxattr EIO stops" "new old" 1 "setting attributes for 'out/dst': $EIO_T" "fsetxattr:EIO" fsetxattr \
	--reflink=auto --preserve=all
failure "--preserve=all: fsetxattr EPERM on a user. name stops" "new" 1 "Operation not permitted" \
	"fsetxattr:EPERM:path=/out/" fsetxattr --reflink=auto --preserve=all
fallback "--preserve=all: a destination without xattrs (ENOTSUP) is not an error" copy_file_range \
	"fsetxattr:ENOTSUP:every=1" fsetxattr --reflink=auto --preserve=all
SRC=in/trusted
fallback "--preserve=all: EPERM on a trusted. name is not an error" copy_file_range \
	"fsetxattr:EPERM:every=1" fsetxattr --reflink=auto --preserve=all
SRC=in/src

# --- close ---
# NFS and FUSE report lost write-back at close: that must fail the copy,
# and before DEST is replaced.
failure "close of the new file fails EIO: reported, DEST as it was" "new old" 1 "$EIO_T" \
	"close:EIO:path=/out/" close --reflink=auto
fallback "close EINTR on the new file: the fd is gone, not an error" copy_file_range \
	"close:EINTR:path=/out/" close --reflink=auto
failure "opening the source fails EACCES, in cp's words" "new old" 1 "cannot open '$SRC' for reading: Permission denied" \
	"openat:EACCES:path=in/src" openat --reflink=auto

# --- SIGKILL in the middle ---
for state in new old; do
	reset_out
	[ $state = old ] && put_old out/dst
	{ frun "pwrite:kill:after=1" "$RL" --reflink=never "$SRC" out/dst; } 2>/dev/null
	[ "$RC" = 137 ] || why_add "$state: exit $RC, wanted 137 (killed)"
	if [ $state = old ]; then is_old out/dst; only_names out dst; else only_names out; fi
done
case_end "SIGKILL half-way: DEST as it was, no debris (O_TMPFILE)"
reset_out
put_old out/dst
{ frun "tmpfile:EOPNOTSUPP,pwrite:kill:after=1" "$RL" --reflink=never "$SRC" out/dst; } 2>/dev/null
is_old out/dst
left=$(cd out && ls -A | grep -v '^dst$')
[ "$RC" = 137 ] && [ "$(echo "$left" | wc -l)" = 1 ] && [[ "$left" == .rl-tmp-* ]] ||
	why_add "exit $RC, left [$left]"
case_end "SIGKILL without O_TMPFILE: DEST as it was, one hidden .rl-tmp-* left (documented)"
