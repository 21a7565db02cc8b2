#!/usr/bin/env bash
# delete.sh - `reflink -r --delete` on btrfs, XFS, ext4 and tmpfs: the
# target becomes an exact copy of the source (clones where the filesystem
# can), names --exclude leaves out are neither copied nor removed, -v says
# "removed 'path'" for each entry and --json counts them; a symlink planted
# in the target is removed as a link and what it points at stays; a
# directory swapped for a symlink to a sentinel tree while the run removes
# (two racing swappers) never costs the sentinel anything; a file that
# cannot be removed (chattr +i) is reported once and the rest still goes;
# a mount point below the target is refused, its contents kept; with
# --atomic the result is exact; and --delete without -r is a usage error.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

# manifest DIR: a sorted listing with content hashes and link targets.
manifest() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do
		if [ -L "$p" ]; then printf '%s -> %s\n' "$p" "$(readlink "$p")"
		elif [ -d "$p" ]; then printf '%s/\n' "$p"
		else printf '%s %s\n' "$p" "$(md5sum < "$p" | cut -c1-32)"; fi
	done)
}

# gen DIR N SEED: N files in nested directories (4 KiB and up, so a clone
# shows in FIEMAP), distinct content per seed.
gen() {
	mkdir -p "$1"
	for ((i = 0; i < $2; i++)); do
		mkdir -p "$1/d$((i % 5))/e$((i % 3))"
		{ printf '%s %s\n' "$3" "$i"; head -c 8192 /dev/zero; } > "$1/d$((i % 5))/e$((i % 3))/f$i"
	done
}

# extras DST: what the source lacks, in the target (nested): 22 entries
# to remove, 2 excluded to keep.
extras() {
	mkdir -p "$1/gone/a/b" "$1/d0/stale-dir"
	for i in 1 2 3 4 5 6 7 8; do echo "$i" > "$1/gone/a/b/x$i"; echo "$i" > "$1/gone/y$i"; done
	echo s > "$1/d0/stale-dir/s"
	echo s > "$1/d0/e1/stale-file"
	echo o > "$1/d1/cache.o"      # excluded: stays
	echo o > "$1/kept.o"
}

for fs in ${RL_DELETE_FS:-btrfs xfs ext4 tmpfs}; do
	use_fs M "delete: $fs" $fs 300 || continue
	cd "$M" || exit 1
	case $fs in btrfs | xfs) how=() ;; *) how=(--reflink=auto) ;; esac
	gen src 120 s && echo o > src/built.o
	"$RL" -rT "${how[@]}" --exclude '*.o' src dst || fail "$fs: first copy" "exit $?"
	extras dst
	{ echo changed; head -c 8192 /dev/zero; } > src/d2/e2/f2 # copied again
	mkdir sentinel && gen sentinel 10 z && ln -s ../sentinel dst/d3/to-sentinel
	rm -rf dst/d4 && ln -s "$M/sentinel" dst/d4
	manifest sentinel > "$T/sentinel.list"

	rl_run "$RL" -rTv "${how[@]}" --delete --exclude '*.o' src dst
	expect_ok "$fs: --delete -v: exit 0"
	(cd src && find . -mindepth 1 ! -name '*.o' | LC_ALL=C sort) > "$T/want"
	(cd dst && find . -mindepth 1 ! -name '*.o' | LC_ALL=C sort) > "$T/got"
	check "$fs: the target holds what the source holds" cmp -s "$T/want" "$T/got"
	check "$fs: the same content (changed file included)" \
		test "$(manifest src | grep -v '\.o ')" = "$(manifest dst | grep -v '\.o ')"
	check "$fs: excluded names in the target stay, the source's not copied" \
		test -f dst/d1/cache.o -a -f dst/kept.o -a ! -e dst/built.o
	check "$fs: a planted symlink removed, not followed" test ! -L dst/d3/to-sentinel
	check "$fs: a symlink where the source has a directory: replaced by it" \
		test -d dst/d4 -a ! -L dst/d4 -a -f dst/d4/e1/f4
	check "$fs: the sentinel the links named is whole" test "$(manifest sentinel)" = "$(cat "$T/sentinel.list")"
	n=$(grep -c "^removed 'dst/" "$T/.out")
	check "$fs: -v: one 'removed' line per entry removed (22 + 2 links, got $n)" test "$n" = 24
	check "$fs: -v names a removed directory after its contents" \
		test "$(grep -n "^removed 'dst/gone/a/b/x1'" "$T/.out" | cut -d: -f1)" -lt \
		     "$(grep -n "^removed 'dst/gone'$" "$T/.out" | cut -d: -f1)"
	[ $fs = ext4 ] || [ $fs = tmpfs ] || shares_all "$fs: the changed file is a clone again" dst/d2/e2/f2

	extras dst
	rl_run "$RL" -rT "${how[@]}" --delete --exclude '*.o' --json src dst
	check "$fs: --json counts deleted (got $(json_field deleted 2>&1))" test "$(json_field deleted)" = 22
	rl_run "$RL" -rT "${how[@]}" --delete --exclude '*.o' --json src dst
	check "$fs: a second run deletes nothing" test "$(json_field deleted)" = 0

	# A file that cannot be removed: one line, the rest removed.
	mkdir -p dst/imm && echo i > dst/imm/stuck && echo j > dst/imm/other
	if chattr +i dst/imm/stuck 2>/dev/null; then
		rl_run "$RL" -rT "${how[@]}" --delete --exclude '*.o' src dst
		expect_error "$fs: an unremovable file: reported once, exit 1" 1 \
			"cannot remove 'dst/imm/stuck'" "Operation not permitted"
		check "$fs: ...its directory kept, the rest removed" test -f dst/imm/stuck -a ! -e dst/imm/other
		chattr -i dst/imm/stuck
		rm -rf dst/imm
	else
		skip "$fs: an unremovable file" "chattr +i is not supported here"
	fi

	# A filesystem mounted below the target: never entered.
	mkdir -p dst/mnt && mount -t tmpfs -o size=1m rl-del dst/mnt && on_exit "umount -l '$M/dst/mnt' 2>/dev/null"
	echo keep > dst/mnt/inside
	rl_run "$RL" -rT "${how[@]}" --delete --exclude '*.o' src dst
	expect_error "$fs: a mount point below the target is refused" 1 "cannot remove 'dst/mnt'"
	check "$fs: ...and what is mounted there stays" test "$(cat dst/mnt/inside)" = keep
	umount dst/mnt && rmdir dst/mnt

	# Directories swapped for symlinks to the sentinel during the runs:
	# nothing outside the target is ever removed.
	mkdir -p tpl && for i in $(seq 1 40); do mkdir -p "tpl/x$i/sub"; for j in 1 2 3 4 5 6 7 8; do
		echo "$j" > "tpl/x$i/f$j"; echo "$j" > "tpl/x$i/sub/g$j"; done; done
	bad="" swaps=""
	for round in 1 2 3 4; do
		rm -rf dst/extra; cp -a tpl dst/extra
		rm -f "$T/stop"
		/usr/bin/python3 "$TOP/tests/tools/swapper.py" dst/extra "$M/sentinel" "$T/stop" > "$T/sw1" 2>&1 &
		p1=$!
		/usr/bin/python3 "$TOP/tests/tools/swapper.py" dst "$M/sentinel" "$T/stop" > "$T/sw2" 2>&1 &
		p2=$!
		sleep 0.05
		timeout 60 "$RL" -rT "${how[@]}" --delete --exclude '*.o' -j 4 src dst >/dev/null 2>&1
		touch "$T/stop"; wait $p1 $p2
		[ "$(manifest sentinel)" = "$(cat "$T/sentinel.list")" ] || bad="$bad round $round: the sentinel changed: $(manifest sentinel | diff "$T/sentinel.list" - | grep "^[<>]" | head -3 | tr "\n" " ");"
		# Put back what the swappers left aside, then one quiet run.
		for a in dst/*.aside dst/extra/*.aside; do [ -e "$a" ] && { rm -rf "${a%.aside}"; mv "$a" "${a%.aside}"; }; done
		swaps="$swaps $(cat "$T/sw1" "$T/sw2" | awk '{s += $2} END {print s}')"
	done
	"$RL" -rT "${how[@]}" --delete --exclude '*.o' src dst >/dev/null 2>&1
	if [ -z "$bad" ]; then pass "$fs: directories swapped for symlinks mid-run: the sentinel whole (links planted per round:$swaps)"
	else fail "$fs: directories swapped for symlinks mid-run: the sentinel whole" "$bad"; fi
	check "$fs: ...and a quiet run after makes the target exact" \
		test "$(manifest src | grep -v '\.o ')" = "$(manifest dst | grep -v '\.o ')"

	# --atomic --delete: exact, nothing counted one by one.
	extras dst
	rl_run "$RL" -rT "${how[@]}" --atomic --delete --json src dst
	check "$fs: --atomic --delete: exact" test "$(manifest src)" = "$(manifest dst)"
	check "$fs: --atomic --delete: deleted 0 (the old tree goes whole)" test "$(json_field deleted)" = 0
	cd "$T" || exit 1
done

mkdir -p "$T/u/src" "$T/u/dst" && echo f > "$T/u/dst/keep"
rl_run "$RL" --delete "$T/u/src/" "$T/u/dst"
check "--delete without -r: exit 2" test "$RC" = 2
check "--delete without -r: the usage line" test "$(head -1 "$T/.err")" = "reflink: option '--delete' needs -r, -R or -a"
check "--delete without -r: the target untouched" test -f "$T/u/dst/keep"

# Two directory operands landing on one target: the second would delete
# what the first copied there, so nothing is done. Different names are
# each pruned in their own target.
mkdir -p "$T/o/a/d" "$T/o/b/d" "$T/o/a/e" "$T/o/DIR/d" "$T/o/DIR/e"
echo 1 > "$T/o/a/d/x" && echo 2 > "$T/o/b/d/y" && echo 3 > "$T/o/DIR/d/old" && echo 4 > "$T/o/DIR/e/old"
cd "$T/o" && rl_run "$RL" -a --reflink=auto --delete a/d b/d a/e DIR
check "--delete, two operands onto DIR/d: exit 1" test "$RC" = 1
check "--delete, two operands onto DIR/d: one line naming both" test \
	"$(cat "$T/.err")" = "reflink: --delete: 'a/d' and 'b/d' land in one directory, where each would delete what the other copied"
check "--delete, two operands onto DIR/d: nothing copied or deleted" test \
	"$(cd "$T/o/DIR" && find . | sort | tr '\n' ' ')" = ". ./d ./d/old ./e ./e/old "
rl_run "$RL" -a --reflink=auto --delete a/d a/e DIR
cd "$T" || exit 1
check "--delete, two operands with their own targets: exit 0" test "$RC" = 0
check "--delete, two operands with their own targets: each pruned" test \
	"$(cd "$T/o/DIR" && find . | sort | tr '\n' ' ')" = ". ./d ./d/x ./e "
