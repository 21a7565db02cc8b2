#!/usr/bin/env bash
# keep.sh - two ways one command could destroy what it should keep, each
# refused as cp refuses it, run through /bin/cp beside reflink on the same
# input (exit status, stderr with the program name aside, and the resulting
# files compared; the old content checked byte for byte):
#  - a symlink SOURCE copied as a link (-P, -a, -d, -R) onto what it
#    resolves to (relative, absolute, a chain, a hard link of the target):
#    "'symlink' and 'foo' are the same file";
#  - several operands landing on one name: "will not overwrite just-created
#    'c/x' with 'b/x'" and "will not copy 'b/x' through just-created symlink
#    'c/x'", the first copy kept and the other operands still copied;
#    same-named directories merged. Needs no mounts.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"

CP=/bin/cp

# snapshot DIR: every entry under DIR with its kind, link target (DIR
# itself shown as @) and content.
snapshot() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do
		if [ -L "$p" ]; then printf '%s -> %s\n' "$p" "$(readlink "$p" | sed "s|^$1|@|")"
		elif [ -d "$p" ]; then printf '%s/\n' "$p"
		else printf '%s %s\n' "$p" "$(md5sum < "$p" | cut -c1-32)"; fi
	done)
}

# like_cp NAME SETUP ARGS...: in two fresh directories, run SETUP (a shell
# snippet), then cp ARGS in one and reflink ARGS in the other; the exit
# status, stderr (program name aside) and the trees must be the same, and
# not 0 (every case here is one cp refuses).
like_cp() {
	local name=$1 setup=$2; shift 2
	rm -rf "$T/cp" "$T/rl" && mkdir "$T/cp" "$T/rl"
	(cd "$T/cp" && eval "$setup") && (cd "$T/rl" && eval "$setup") || { fail "$name" "setup"; return; }
	local crc=0 rrc=0
	(cd "$T/cp" && "$CP" "$@") 2> "$T/cp.err" || crc=$?
	(cd "$T/rl" && timeout 30 "$RL" "$@") 2> "$T/rl.err" </dev/null || rrc=$?
	sed 's|^[^:]*cp: |reflink: |' "$T/cp.err" > "$T/cp.err2"
	if [ "$crc" != "$rrc" ] || [ "$rrc" = 0 ]; then
		fail "$name" "exit: cp $crc, reflink $rrc; $(cat "$T/rl.err")"
	elif ! cmp -s "$T/cp.err2" "$T/rl.err"; then
		fail "$name" "stderr: cp '$(cat "$T/cp.err2")', reflink '$(cat "$T/rl.err")'"
	elif [ "$(snapshot "$T/cp")" != "$(snapshot "$T/rl")" ]; then
		fail "$name" "trees differ: $(diff <(snapshot "$T/cp") <(snapshot "$T/rl") | head -5 | tr '\n' ' ')"
	else
		pass "$name"
	fi
}

# --- a symlink copied onto what it resolves to ---
for opt in -P "-P --preserve=links" -a -R -d; do
	for mode in always auto never; do
		like_cp "symlink onto its target ($opt, $mode): refused, both kept" \
			'echo XYZ > foo; ln -s foo symlink' $opt --reflink=$mode symlink foo
	done
done
SETUP_LINKS='mkdir d; echo DATA > d/real; ln d/real hard; ln -s real d/rel;
	ln -s "$PWD/d/real" abs; ln -s d/rel chain; ln -s chain chain2'
for src in d/rel abs chain chain2; do
	for dst in d/real hard; do
		like_cp "-P: $src onto $dst (what it resolves to): refused" "$SETUP_LINKS" -P --reflink=auto "$src" "$dst"
	done
done
like_cp "-a: a relative link onto its target through another path: refused" \
	"$SETUP_LINKS" -a --reflink=auto d/rel ./d/../d/real

# Byte for byte: the data a refused copy would have destroyed is there.
cd "$T" && rm -rf bb && mkdir bb && cd bb || exit 1
head -c 100000 /dev/urandom > foo && cp foo foo.orig && ln -s foo symlink
rl_run "$RL" -a --reflink=auto symlink foo
expect_error "-a symlink foo: exit 1, one line in cp's words" 1 "'symlink' and 'foo' are the same file"
check "-a symlink foo: foo still a regular file" test -f foo -a ! -L foo
check "-a symlink foo: foo's bytes unchanged" cmp -s foo foo.orig
check "-a symlink foo: the symlink unchanged" test "$(readlink symlink)" = foo

# Not the same file: a dangling link, a link onto another link to the
# same target (replaced, as cp does).
rm -rf "$T/ok" && mkdir "$T/ok" && cd "$T/ok" || exit 1
echo T > tgt && ln -s tgt l1 && ln -s tgt l2 && ln -s nowhere dang && echo keep > victim
rl_run "$RL" -P --reflink=auto l1 l2
check "-P: a link onto another link to the same target: replaced, as cp" test "$RC" = 0 -a "$(readlink l2)" = tgt -a "$(cat tgt)" = T
rl_run "$RL" -P --reflink=auto dang victim
check "-P: a dangling link onto a file: replaces it, as cp" test "$RC" = 0 -a "$(readlink victim)" = nowhere

# --- several operands onto one name (always mode needs a filesystem that
# clones, where the same rule runs: tests/fs/tree-cli.sh) ---
for mode in auto never; do
	like_cp "a/x b/x DIR ($mode): the second refused, the first kept" \
		'mkdir a b c; echo 1 > a/x; echo 2 > b/x' --reflink=$mode a/x b/x c
done
like_cp "a/x b/x DIR/.: refused through another path to DIR" \
	'mkdir a b c; echo 1 > a/x; echo 2 > b/x' --reflink=auto a/x b/x c/.
like_cp "a/x ./b/x ./c/: refused, named as given" \
	'mkdir a b c; echo 1 > a/x; echo 2 > b/x' --reflink=auto a/x ./b/x ./c/
like_cp "-P: a symlink then a file of that name: not copied through the new link" \
	'mkdir a b c; ln -s foo a/y; echo 2 > b/y' -P --reflink=auto a/y b/y c
like_cp "-P: a file then a symlink of that name: not overwritten" \
	'mkdir a b c; ln -s foo a/y; echo 2 > b/y' -P --reflink=auto b/y a/y c
like_cp "-P: two symlinks of one name: the second refused" \
	'mkdir a b c; ln -s foo a/y; ln -s bar b/y' -P --reflink=auto a/y b/y c
like_cp "the other operands are still copied" \
	'mkdir a b c e; echo 1 > a/x; echo 2 > b/x; echo 3 > e/z' --reflink=auto a/x b/x e/z c
like_cp "-rP: a symlink then a directory of that name: cannot overwrite" \
	'mkdir -p a b/x c; ln -s /nonexistent-target a/x; echo z > b/x/f' -rP --reflink=auto a/x b/x c
like_cp "-rT onto a symlink to a directory: cannot overwrite" \
	'mkdir src realdir; echo q > src/f; ln -s realdir L' -rT --reflink=auto src L

# Inside -r: same-named directories are merged, as cp merges them, but a
# file of one operand never silently replaces one just made from another
# (cp 9.1 replaces it there; README "Differences from cp").
cd "$T" && rm -rf rr && mkdir -p rr/a/d rr/b/d rr/c && cd rr || exit 1
echo 1 > a/d/x && echo 2 > b/d/x && echo 3 > b/d/z && mkdir a/d/sub b/d/sub && echo 4 > b/d/sub/w
for mode in auto never; do
	rm -rf c && mkdir c
	rl_run "$RL" -r --reflink=$mode a/d b/d c
	expect_error "-r a/d b/d DIR ($mode): exit 1, one line" 1 "will not overwrite just-created 'c/d/x' with 'b/d/x'"
	check "-r a/d b/d DIR ($mode): the first copy kept" test "$(cat c/d/x)" = 1
	check "-r a/d b/d DIR ($mode): the directories merged" test "$(cat c/d/z)" = 3 -a "$(cat c/d/sub/w)" = 4
done
# A file the run did not make is replaced as before (merging twice works).
rm -rf c && mkdir -p c/d && echo old > c/d/x
rl_run "$RL" -r --reflink=auto b/d c
expect_ok "-r into an existing DIR/SRC: merged, an old file replaced"
check "-r merge: the old file now the source's" test "$(cat c/d/x)" = 2
rl_run "$RL" -r --reflink=auto b/d c
expect_ok "-r the same command twice: merged again"
