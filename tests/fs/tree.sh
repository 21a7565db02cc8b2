#!/usr/bin/env bash
# tree.sh - `reflink -r/-a` on real btrfs, XFS (reflink=1), ext4 and tmpfs
# loop images, over seeded random trees (tests/tools/treegen.py: odd names,
# sparse files, symlinks of every sort, hard-link groups, FIFOs, read-only
# files and directories, other owners, xattrs, nanosecond times). Each tree
# is copied in each mode with several -j and checked byte for byte, with
# kinds, link targets, modes, owners, times, xattrs and hard-link groups as
# the source (and as `cp -a` made them), sparseness kept, and on btrfs/XFS
# every data extent shared (FIEMAP). RL_TREE_SEED=N changes the trees.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

[ -x "$FIEMAP" ] || { fail "tree: fiemap tool" "build it: make B=... $FIEMAP"; exit 0; }
GEN=(/usr/bin/python3 "$TOP/tests/tools/treegen.py")
SEED=${RL_TREE_SEED:-7}
META=(--meta --links --xattr)

# same_tree NAME A B [LIST-OPTION...]: the listings of A and B are equal.
same_tree() {
	local name=$1 a=$2 b=$3; shift 3
	if diff <("${GEN[@]}" list "$a" "$@") <("${GEN[@]}" list "$b" "$@") >"$T/.diff" 2>&1; then
		pass "$name"
	else
		fail "$name" "$(head -c 600 "$T/.diff" | tr '\n' '|')"
	fi
}

# extents NAME DIR all|none: every file with data in DIR shares all of it
# (all), or none of it (none).
extents() {
	local name=$1 dir=$2 want=$3 f s d bad="" n=0
	while IFS= read -r f; do
		read -r _ _ _ s _ d < <("$FIEMAP" "$f") || { bad="fiemap $f"; break; }
		[ "${d:-0}" -gt 0 ] || continue
		n=$((n + 1))
		if [ "$want" = all ] && [ "$s" != "$d" ]; then bad="$f: $s of $d shared"; break; fi
		if [ "$want" = none ] && [ "$s" != 0 ]; then bad="$f: $s of $d shared"; break; fi
	done < <("${GEN[@]}" files "$dir")
	[ $n -gt 0 ] || bad="no file with data in $dir"
	if [ -z "$bad" ]; then pass "$name"; else fail "$name" "$bad"; fi
}

# one_copy FS MNT CLONES MODE JOBS FLAG: copy MNT/src and check it.
one_copy() {
	local fs=$1 m=$2 clones=$3 mode=$4 j=$5 flag=$6
	local out="$m/out-$mode-$j$flag" what="$fs: $flag --reflink=$mode -j $j"
	rl_run "$RL" "$flag" --reflink="$mode" -j "$j" "$m/src" "$out"
	if [ "$mode" = always ] && [ "$clones" = no ]; then
		if [ "$RC" = 3 ] && [ ! -e "$out" ]; then pass "$what: exit 3, nothing left"
		else fail "$what: exit 3, nothing left" "exit $RC, $(ls -d "$out" 2>&1): $ERR"; fi
		return
	fi
	expect_ok "$what: exit 0"
	if [ "$flag" = -a ]; then
		same_tree "$what: identical to the source, metadata too" "$m/src" "$out" "${META[@]}"
		same_tree "$what: metadata as cp -a made it" "$m/cp" "$out" "${META[@]}" --no-content
	else
		same_tree "$what: identical names, kinds, bytes, targets" "$m/src" "$out"
	fi
	if "${GEN[@]}" sparse "$m/src" "$out" >"$T/.sp"; then pass "$what: holes kept"
	else fail "$what: holes kept" "$(head -3 "$T/.sp")"; fi
	if [ "$clones" = yes ] && [ "$mode" != never ]; then
		extents "$what: every extent shared (FIEMAP)" "$out" all
	elif [ "$clones" = yes ]; then
		extents "$what: no extent shared" "$out" none
	fi
}

tree_suite() { # tree_suite FS MB CLONES SEED
	local fs=$1 mb=$2 clones=$3 seed=$4 m spec
	MNT=
	use_fs m "tree: $fs" "$fs" "$mb" || return 0
	MNT=$m
	"${GEN[@]}" gen "$seed" "$m/src" 2 || { fail "tree: $fs: generate" "seed $seed"; return; }
	cp -a "$m/src" "$m/cp"
	for spec in "always 1 -a" "always 4 -a" "auto 2 -a" "never 3 -a" "auto 1 -r" "never 4 -r"; do
		set -- $spec
		one_copy "$fs" "$m" "$clones" "$@"
	done
}

tree_suite btrfs 256 yes "$SEED"
b=$MNT
tree_suite xfs 320 yes $((SEED + 1))
tree_suite ext4 128 no $((SEED + 2))
e=$MNT
tree_suite tmpfs 256 no $((SEED + 3))

# Across filesystems clones are impossible: always stops at once (exit 3)
# and leaves nothing; auto copies everything.
if [ -n "$b" ] && [ -n "$e" ]; then
	rl_run "$RL" -a -j 2 "$b/src" "$e/cross-always"
	if [ "$RC" = 3 ] && [ ! -e "$e/cross-always" ] && [ "$(err_lines)" = 1 ]; then
		pass "btrfs to ext4: always exits 3 at once, one message, nothing left"
	else
		fail "btrfs to ext4: always exits 3 at once, one message, nothing left" "exit $RC: $ERR"
	fi
	rl_run "$RL" -a -j 2 --reflink=auto "$b/src" "$e/cross-auto"
	expect_ok "btrfs to ext4: auto copies"
	same_tree "btrfs to ext4: auto: identical, metadata too" "$b/src" "$e/cross-auto" "${META[@]}"
fi
