#!/usr/bin/env bash
# tree-cli.sh - `reflink -r` as cp places and refuses: DEST new or an
# existing directory (SRC/. merges into it, as with cp), several sources
# with a missing one, DEST a file, a
# directory copied into itself (refused, or allowed when --exclude leaves
# the copy out), --exclude, -L/-P, -v/--json totals, --progress, -j; on a
# btrfs image (clones: the default always mode works) and tmpfs (always
# stops at once with exit 3).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

use_fs B "tree-cli: btrfs" btrfs 160 || exit 0
cd "$B" || exit 1
mkdir -p s/a/b other
printf 'one\n' > s/a/f1
printf 'two\n' > s/a/b/f2
printf 'three\n' > s/top
printf 'other\n' > other/o
ln -s ../top s/a/lt
ln -s "$B/other" s/ldir

rl_run "$RL" -r s new
expect_ok "-r SRC DEST (DEST new): exit 0"
check "-r SRC DEST: DEST is the copy" diff -r --no-dereference s new

mkdir into
rl_run "$RL" -r s into
expect_ok "-r SRC DIR: exit 0"
check "-r SRC DIR: the copy is DIR/SRC" diff -r --no-dereference s into/s

# cp's idiom for a directory's contents: SRC/. into DIR merges into DIR.
mkdir dotinto && printf 'mine\n' > dotinto/mine
rl_run "$RL" -r s/. dotinto
expect_ok "-r SRC/. DIR (DIR exists): exit 0"
check "-r SRC/. DIR: SRC's contents merged into DIR, DIR's own file kept" \
	sh -c 'diff -r --no-dereference -x mine s dotinto && [ "$(cat dotinto/mine)" = mine ] && [ ! -e dotinto/s ]'
rl_run "$RL" -r s/./ dotinto/
expect_ok "-r SRC/./ DIR/ again: exit 0 (merged again)"
(cd s && "$RL" -r . ../dothere 2>"$T/.dot-err") && d_rc=0 || d_rc=$?
check "-r . NEWDIR from inside SRC: exit 0, the copy" \
	sh -c "[ $d_rc = 0 ] && diff -r --no-dereference s dothere"

mkdir many
rl_run "$RL" -r s/a missing other many
expect_error "-r with a missing source: exit 1, one line naming it" 1 "'missing'"
check "-r with a missing source: the others are copied" \
	test -f many/a/f1 -a -f many/a/b/f2 -a -f many/other/o

printf 'keep\n' > afile
rl_run "$RL" -r s afile
if [ "$RC" = 1 ] && [ "$(cat afile)" = keep ]; then pass "-r onto a file: exit 1, the file kept"
else fail "-r onto a file: exit 1, the file kept" "exit $RC: $ERR"; fi

rl_run "$RL" -r s s/a/inside
expect_error "-r into itself: exit 1, one line" 1 "'s'"
check "-r into itself: nothing made" test ! -e s/a/inside

mkdir -p s/work && rl_run "$RL" -r --exclude=work s s/work/copy
expect_ok "-r into itself with --exclude leaving the copy out: exit 0"
check "-r into itself with --exclude: copied once, never into itself" \
	test -f s/work/copy/a/b/f2 -a ! -e s/work/copy/work
rm -rf s/work

mkdir -p s/a/c && printf x > s/a/c/x.o && printf y > s/a/c/y.c
rl_run "$RL" -r --exclude='*.o' --exclude=a/b s ex
expect_ok "--exclude by name and by path: exit 0"
check "--exclude by name and by path: left out" test ! -e ex/a/b -a ! -e ex/a/c/x.o -a -f ex/a/c/y.c

rl_run "$RL" -r -L s deref
expect_ok "-L: exit 0"
check "-L: symlinks followed (file and directory)" test -f deref/a/lt -a ! -L deref/a/lt -a -f deref/ldir/o -a ! -L deref/ldir
check "-P (default with -r): symlinks kept" test -L new/a/lt -a -L new/ldir

rl_run "$RL" -r -v s verbose
n=$(grep -c "' -> '" "$T/.out")
want=$(find s -type f | wc -l)
check "-v: one line per file ($want)" [ "$n" = "$want" ]

rl_run "$RL" -r --json s js
files=$(json_field files 2>&1) dirs=$(json_field dirs 2>&1) clones=$(json_field methods.clone 2>&1)
check "--json: totals of the tree (files $files, dirs $dirs, clones $clones)" \
	test "$files" = "$want" -a "$dirs" = "$(find s -type d | wc -l)" -a "$clones" = "$want"

rl_run "$RL" -r --progress -j 3 s prog
if [ "$RC" = 0 ] && [[ "$ERR" == *"100%"* ]]; then pass "--progress -j 3: exit 0, progress reaches 100%"
else fail "--progress -j 3: exit 0, progress reaches 100%" "exit $RC: $ERR"; fi
check "--progress -j 3: identical" diff -r --no-dereference s prog

use_fs M "tree-cli: tmpfs" tmpfs 64 || exit 0
rl_run "$RL" -r s "$M/t"
if [ "$RC" = 3 ] && [ ! -e "$M/t" ] && [ "$(err_lines)" = 1 ]; then
	pass "always across filesystems: exit 3 at once, one line, nothing left"
else
	fail "always across filesystems: exit 3 at once, one line, nothing left" "exit $RC: $ERR"
fi
rl_run "$RL" -r --reflink=auto s "$M/t"
expect_ok "auto across filesystems: exit 0"
check "auto across filesystems: identical" diff -r --no-dereference s "$M/t"

# Several operands onto one name in always mode (clones work here): the
# second is refused as cp refuses it, the first copy kept, still a clone.
mkdir -p jc/a jc/b jc/c && head -c 200000 /dev/urandom > jc/a/x && head -c 200000 /dev/urandom > jc/b/x
rl_run "$RL" jc/a/x jc/b/x jc/c
expect_error "always: a/x b/x DIR: the second refused" 1 "will not overwrite just-created 'jc/c/x' with 'jc/b/x'"
check "always: a/x b/x DIR: the first copy kept" cmp -s jc/a/x jc/c/x
check "always: a/x b/x DIR: the first copy is a clone (FIEMAP shared)" all_shared jc/c/x
mkdir -p jc/a/d jc/b/d && cp jc/a/x jc/a/d/x && cp jc/b/x jc/b/d/x && rm -rf jc/c && mkdir jc/c
rl_run "$RL" -r jc/a/d jc/b/d jc/c
expect_error "always -r: a/d b/d DIR: the second's file refused" 1 "will not overwrite just-created 'jc/c/d/x' with 'jc/b/d/x'"
check "always -r: a/d b/d DIR: the first copy kept" cmp -s jc/a/x jc/c/d/x
