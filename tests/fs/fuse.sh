#!/usr/bin/env bash
# fuse.sh - reflink on FUSE, the way network and userspace filesystems are
# reached: passfs (tests/tools/passfs.c, libfuse3) passes every operation
# through to a directory of a reflink XFS loop image, copy_file_range
# included. FICLONE is EOPNOTSUPP on every FUSE mount, so --reflink=always
# exits 3; --reflink=auto uses copy_file_range, which the daemon turns into
# a clone on the backing XFS (FIEMAP shared there); never shares nothing;
# --check, --check --json and Python's check name the offload ("fuse").
# A second mount answers copy_file_range with ENOSYS, as GlusterFS's FUSE
# client does: the kernel copies through read and write, still correctly.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

PASSFS="$B/passfs"
[ -x "$FIEMAP" ] || { fail "fuse: fiemap tool" "build it: make B=... $FIEMAP"; exit 0; }
if [ ! -x "$PASSFS" ]; then
	if in_ci || is_root; then fail "fuse: passfs tool" "build it: make B=... $PASSFS (needs libfuse3-dev)"
	else skip "fuse: passfs tool" "needs libfuse3-dev (make deps as root)"; fi
	exit 0
fi
if ! need_pkg fusermount3 fuse3 || [ ! -c /dev/fuse ]; then
	if in_ci || is_root; then fail "fuse: fusermount3 and /dev/fuse" "cannot install fuse3 or no /dev/fuse"
	else skip "fuse: fusermount3 and /dev/fuse" "needs root to install fuse3"; fi
	exit 0
fi


# mount_passfs VAR BACKING [--enosys]: passfs over BACKING; mount point in VAR.
mount_passfs() {
	local _v=$1 _back=$2 _m; shift 2
	_m=$(mktemp -d "$T/fuse.XXXX")
	mkdir -p "$_back"
	"$PASSFS" "$@" "$_back" "$_m" || return 1
	on_exit "fusermount3 -u '$_m' 2>/dev/null || umount -l '$_m'"
	mountpoint -q "$_m" || return 1
	printf -v "$_v" '%s' "$_m"
}

# py_check DIR: Python's reflink.check(DIR) as "supported fstype offload".
py_check() {
	local out="$B/python"
	(cd "$TOP/python" && /usr/bin/python3 setup.py -q build_py --force --build-lib "$out/lib" \
		build_ext --build-lib "$out/lib" --build-temp "$out/temp") >"$T/.py" 2>&1 || {
		echo "build failed: $(tail -3 "$T/.py")"; return; }
	PYTHONPATH="$out/lib" PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -c '
import sys, reflink
c = reflink.check(sys.argv[1])
print(c.supported, c.fstype, c.offload)' "$1" 2>&1
}

# offload_suite X F: passfs at F over X/back (X the XFS mount).
offload_suite() {
	local x=$1 f=$2 fs="fuse over xfs" got
	head -c 8M /dev/urandom > "$f/big"
	head -c $((1048576 + 123)) /dev/urandom > "$f/tail"
	rl_run "$RL" -v --reflink=auto "$f/big" "$f/big.auto"
	if [ "$RC" = 0 ] && [[ "$OUT" == *"(copy_file_range)" ]]; then pass "$fs: auto uses copy_file_range, -v says so"
	else fail "$fs: auto uses copy_file_range, -v says so" "exit $RC, stdout '$OUT': $ERR"; fi
	same_content "$fs: auto copy has identical content" "$f/big" "$f/big.auto"
	shares_all "$fs: the backing XFS files share their extents (a clone there)" "$x/back/big.auto"
	rl_run "$RL" --json --reflink=auto "$f/tail" "$f/tail.auto"
	got=$(json_field methods.copy_file_range 2>&1)/$(json_field bytes 2>&1)
	if [ "$RC" = 0 ] && [ "$got" = "1/$((1048576 + 123))" ]; then pass "$fs: --json names the method copy_file_range"
	else fail "$fs: --json names the method copy_file_range" "exit $RC, copy_file_range/bytes = $got"; fi
	shares_all "$fs: an unaligned tail's backing copy shares its extents" "$x/back/tail.auto"

	rl_run "$RL" "$f/big" "$f/big.always"
	expect_error "$fs: always mode exits 3 with one line" 3 "$f/big" "clone"
	if [ ! -e "$f/big.always" ] && [ -z "$(find "$x/back" -name '.rl-*')" ]; then pass "$fs: always mode leaves nothing"
	else fail "$fs: always mode leaves nothing" "$(ls -A "$x/back")"; fi

	rl_run "$RL" -v --reflink=never "$f/big" "$f/big.never"
	expect_ok "$fs: never mode copies"
	same_content "$fs: never copy has identical content" "$f/big" "$f/big.never"
	shares_none "$fs: never copy's backing file shares nothing" "$x/back/big.never"

	mkdir -p "$f/tree/sub"
	cp "$f/tail" "$f/tree/sub/t"; chmod 640 "$f/tree/sub/t"; ln -s sub/t "$f/tree/link"
	touch -h -d '2001-02-03 04:05:06' "$f/tree/link" "$f/tree/sub/t"
	rl_run "$RL" -a --reflink=auto "$f/tree" "$f/tree.a"
	expect_ok "$fs: -a --reflink=auto copies a tree"
	if [ "$(stat -c '%a %Y' "$f/tree.a/sub/t")" = "640 $(stat -c %Y "$f/tree/sub/t")" ] &&
	   [ "$(readlink "$f/tree.a/link")" = sub/t ] && cmp -s "$f/tree/sub/t" "$f/tree.a/sub/t"; then
		pass "$fs: the -a tree keeps content, mode, mtime and symlinks"
	else fail "$fs: the -a tree keeps content, mode, mtime and symlinks" "$(ls -lR "$f/tree.a")"; fi
	shares_all "$fs: the tree's file is a clone on the backing XFS" "$x/back/tree.a/sub/t"
}

# check_suite F NAME: --check on F says "offloaded (fuse)", exit 3.
check_suite() {
	local f=$1 fs=$2 got
	rl_run "$RL" --check "$f"
	if [ "$RC" = 3 ] && [[ "$OUT" == "'$f': clones not supported (fuse.passfs); copy_file_range is offloaded to the filesystem (fuse)"*"--reflink=auto" ]]; then
		pass "$fs: --check: clones not supported, copy_file_range offloaded (fuse), exit 3"
	else fail "$fs: --check: clones not supported, copy_file_range offloaded (fuse), exit 3" "exit $RC, stdout '$OUT': $ERR"; fi
	rl_run "$RL" --check --json "$f"
	got=$(/usr/bin/python3 -c 'import json,sys; [r]=json.load(open(sys.argv[1])); print(r["supported"], r["fstype"], r["offload"])' "$T/.out" 2>&1)
	if [ "$RC" = 3 ] && [ "$got" = "False fuse.passfs fuse" ]; then pass "$fs: --check --json: \"offload\":\"fuse\""
	else fail "$fs: --check --json: \"offload\":\"fuse\"" "exit $RC, got '$got'"; fi
	if [ -z "$(ls -A "$f" | grep -e '^\.rl-' -e '^\.fuse_hidden')" ]; then pass "$fs: --check leaves nothing behind"
	else fail "$fs: --check leaves nothing behind" "$(ls -A "$f")"; fi
}

# enosys_suite X F: passfs --enosys at F over X/back2.
enosys_suite() {
	local x=$1 f=$2 fs="fuse answering ENOSYS"
	head -c 8M /dev/urandom > "$f/big"
	truncate -s 16M "$f/holey"
	head -c 1M /dev/urandom | dd of="$f/holey" bs=1M seek=9 conv=notrunc status=none
	local n
	for n in big holey; do
		rl_run "$RL" -v --reflink=auto "$f/$n" "$f/$n.auto"
		expect_ok "$fs: auto copies '$n' (the kernel falls back)"
		if [[ "$OUT" == *"(copy_file_range)" ]]; then pass "$fs: '$n': the method is still reported as copy_file_range"
		else fail "$fs: '$n': the method is still reported as copy_file_range" "stdout '$OUT'"; fi
		same_content "$fs: '$n' has identical content" "$f/$n" "$f/$n.auto"
		shares_none "$fs: '$n' was copied, not cloned, on the backing XFS" "$x/back2/$n.auto"
	done
	rl_run "$RL" "$f/big" "$f/big.always"
	expect_error "$fs: always mode exits 3 with one line" 3 "$f/big" "clone"
	rl_run "$RL" --reflink=never "$f/big" "$f/big.never"
	same_content "$fs: never mode copies" "$f/big" "$f/big.never"
}

use_fs X "fuse over xfs" xfs 600 || exit 0
if mount_passfs F "$X/back"; then
	offload_suite "$X" "$F"
	check_suite "$F" "fuse over xfs"
	got=$(py_check "$F")
	if [ "$got" = "False fuse.passfs fuse" ]; then pass "fuse over xfs: Python check(): offload 'fuse'"
	else fail "fuse over xfs: Python check(): offload 'fuse'" "got '$got'"; fi
else
	fail "fuse over xfs: mount passfs" "$PASSFS $X/back failed"
fi
if mount_passfs G "$X/back2" --enosys; then
	enosys_suite "$X" "$G"
	check_suite "$G" "fuse answering ENOSYS"
else
	fail "fuse answering ENOSYS: mount passfs --enosys" "$PASSFS --enosys $X/back2 failed"
fi
