#!/usr/bin/env bash
# valgrind.sh - valgrind memcheck of the unit tests and of command runs,
# including error paths forced by the fault shim (where leaks hide): no
# invalid access, no uninitialised use, no leak (definite, indirect or
# possible), no fd left open by the library. Any report makes valgrind exit
# 99, which no run here exits with otherwise.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/fault/lib.sh"

if ! need_pkg valgrind valgrind; then
	if in_ci; then fail "valgrind" "valgrind is not installed"; else skip "valgrind" "valgrind is not installed"; fi
	exit 0
fi
if nm "$RL" 2>/dev/null | grep -q __asan_init; then
	# The sanitizer build is checked by ASan itself; valgrind cannot run it.
	skip "valgrind" "$B is a sanitizer build: valgrind runs on the plain build"
	exit 0
fi
VG=(valgrind -q --error-exitcode=99 --leak-check=full
	--show-leak-kinds=definite,indirect,possible
	--errors-for-leak-kinds=definite,indirect,possible --track-fds=no)
build_shim >"$T/.build" 2>&1 || { fail "valgrind: build the fault shim" "$(cat "$T/.build")"; exit 0; }

# --- the unit tests ---
# Left out: tests/unit/test_tree_big.c (10^5 entries take minutes under
# valgrind, and valgrind keeps descriptors of its own, so lowering
# RLIMIT_NOFILE fails under it) and test_cancel_big.c (timed: valgrind runs
# one thread at a time, so a canceller thread is late) and test_workers.c
# (how many workers the pace of each one adds: under valgrind every worker
# but one waits for the others' turn, which reads as asleep); they run
# natively in the unit group and under ASan in make asan. The rest is linked into one binary and run once;
# a child with a valgrind report exits 99 and the runner says which.
objs=()
for o in "$B"/tests/unit/*.o; do
	case "$o" in */test_tree_big.o | */test_cancel_big.o | */test_workers.o) ;; *) objs+=("$o") ;; esac
done
if [ ${#objs[@]} -lt 2 ] ||
   ! ${CC:-cc} -o "$B/unit-tests-vg" "${objs[@]}" "$B/libreflink.a" -lpthread 2>"$T/.link"; then
	fail "valgrind: link the unit tests" "$(cat "$T/.link") (build with make first)"
else
	rc=0
	timeout 600 "${VG[@]}" --log-file="$T/vg-unit.log" "$B/unit-tests-vg" >"$T/vg-unit" 2>&1 || rc=$?
	sed -n -e 's/^ok - unit\//ok - valgrind unit\//p' -e 's/^not ok - unit\//not ok - valgrind unit\//p' \
		-e 's/^skip - unit\//skip - valgrind unit\//p' "$T/vg-unit"
	if [ ! -s "$T/vg-unit.log" ] && grep -q '^ok' "$T/vg-unit"; then
		pass "valgrind: the unit test runner itself is clean (exit $rc)"
	else
		fail "valgrind: the unit test runner itself is clean" "$(head -c 800 "$T/vg-unit.log")"
	fi
fi

# --- command runs ---
W="$T/w"
mkdir -p "$W/in/tree/sub/deeper" "$W/out" && cd "$W" || exit 1
head -c 1500000 /dev/urandom > in/a
printf 'small\n' > in/b
truncate -s 4M in/sparse
printf 'data' | dd of=in/sparse bs=1M seek=2 conv=notrunc status=none
/usr/bin/python3 -c 'import os; os.setxattr("in/a", "user.k", b"v")'
cp in/a in/tree/f1 && cp in/b in/tree/sub/f2 && cp in/sparse in/tree/sub/deeper/s
ln -s f1 in/tree/link && ln in/tree/f1 in/tree/hard && mkfifo in/tree/fifo

# vg NAME WANT_RC CMD...: CMD under valgrind exits WANT_RC with no report.
vg() {
	local name=$1 want=$2; shift 2
	rc=0
	timeout 300 "${VG[@]}" --log-file="$T/vg.log" "$@" >"$T/vg.out" 2>&1 || rc=$?
	if [ "$rc" = "$want" ] && [ ! -s "$T/vg.log" ]; then pass "valgrind: $name"
	else fail "valgrind: $name" "exit $rc (wanted $want): $(head -c 600 "$T/vg.log")"; fi
}
# vgf NAME WANT_RC RULES CMD...: as vg, with faults injected.
vgf() {
	local name=$1 want=$2 rules=$3; shift 3
	: > "$FLOG"
	LD_PRELOAD="$SHIM" RL_FAULT="$rules" RL_FAULT_LOG="$FLOG" vg "$name" "$want" "$@"
	[ -s "$FLOG" ] || fail "valgrind: $name: the fault fired" "nothing in the fault log"
}

vg "auto copy" 0 "$RL" --reflink=auto in/a out/a
vg "never copy of a sparse file" 0 "$RL" --reflink=never in/sparse out/sparse
vg "-p --preserve=all over an existing DEST" 0 "$RL" --reflink=auto -p --preserve=all in/a out/a
vg "--json -v, several sources into a directory" 0 "$RL" --reflink=auto --json -v in/a in/b out
vg "missing source (exit 1)" 1 "$RL" --reflink=auto in/missing out/x
vg "usage error (exit 2)" 2 "$RL" --bogus
vg "always mode here (exit 3 where clones are impossible, else 0)" \
	"$(if "$RL" --check "$W" >/dev/null 2>&1; then echo 0; else echo 3; fi)" "$RL" in/a out/c
vg "--check" "$(if "$RL" --check "$W" >/dev/null 2>&1; then echo 0; else echo 3; fi)" "$RL" --check "$W" /proc
vg "-a tree (links, symlink, FIFO, sparse file)" 0 "$RL" --reflink=auto -a in/tree out/tree
vg "-r -T into an existing tree (merge), -j 4" 0 "$RL" --reflink=never -r -T -j 4 in/tree out/tree
vg "-r -u --debug --json into an existing tree (all skipped)" 0 "$RL" --reflink=auto -r -u --debug --json -T in/tree out/tree
vg "-r -b into an existing tree (backups)" 0 "$RL" --reflink=auto -r -b -T in/tree out/tree
vg "-r --update=none-fail into an existing tree (exit 1)" 1 "$RL" --reflink=auto -r --update=none-fail -T in/tree out/tree
vg "-rl tree (hard links)" 0 "$RL" -rl in/tree out/tl
vg "-rs tree (symlinks to absolute sources)" 0 "$RL" -rs "$PWD/in/tree" out/ts
vgf "copy_file_range EIO half-way" 1 "copy_file_range:short,copy_file_range:EIO:after=1" \
	"$RL" --reflink=auto in/a out/f1
vgf "write ENOSPC half-way" 1 "pwrite:ENOSPC:after=1" "$RL" --reflink=never in/a out/f2
vgf "fsetxattr EIO with --preserve=all" 1 "fsetxattr:EIO" "$RL" --reflink=auto --preserve=all in/a out/f3
vgf "named temporary, rename EIO" 1 "tmpfile:EOPNOTSUPP:every=1,rename:EIO" "$RL" --reflink=auto in/a out/a
vgf "tree: every third write fails" 1 "pwrite:EIO:every=3" "$RL" --reflink=never -r in/tree out/t2
vgf "tree: a source directory cannot be opened" 1 \
	"openat:EACCES:path=in/tree/sub:every=1" "$RL" --reflink=auto -r in/tree out/t3
vgf "tree: EINTR on every call" 0 "intr:EINTR:every=1" "$RL" --reflink=auto -r in/tree out/t4
