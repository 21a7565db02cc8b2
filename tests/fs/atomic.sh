#!/usr/bin/env bash
# atomic.sh - `reflink -r --atomic`: the target directory appears, or is
# replaced, in one step, on btrfs, XFS, ext4 and tmpfs. A reader polling the
# target (walking it through directory fds) sees the whole old tree or the
# whole new one, never a mix; SIGKILL at many points leaves the target as it
# was and the next run removes the stage; ENOSPC mid-run leaves it as it
# was; after a run the parent holds nothing new but the target.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

# manifest DIR: a sorted listing with content hashes (a whole tree's identity).
manifest() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do
		if [ -d "$p" ]; then printf '%s/\n' "$p"; else printf '%s %s\n' "$p" "$(md5sum < "$p" | cut -c1-32)"; fi
	done)
}

# gen DIR N SEED: N files in nested directories, distinct content per seed.
gen() {
	mkdir -p "$1"
	for ((i = 0; i < $2; i++)); do
		mkdir -p "$1/d$((i % 7))/e$((i % 3))"
		printf '%s %s\n' "$3" "$i" > "$1/d$((i % 7))/e$((i % 3))/f$i"
	done
}

for fs in btrfs xfs ext4 tmpfs; do
	use_fs M "atomic: $fs" $fs 300 || continue
	cd "$M" || exit 1
	gen A 600 a && gen B 450 b && head -c 3000000 /dev/urandom > B/big
	manifest A > "$T/A.list" && manifest B > "$T/B.list"
	mkdir par && before=$(ls -A par)

	rl_run "$RL" -r --atomic --reflink=auto A par/t
	expect_ok "$fs: --atomic onto an absent target: exit 0"
	check "$fs: the target is an exact copy" test "$(manifest par/t)" = "$(cat "$T/A.list")"
	check "$fs: the parent holds nothing new but the target" test "$(ls -A par)" = "t"
	echo extra > par/t/extra-file
	rl_run "$RL" -rT --atomic --reflink=auto B par/t
	expect_ok "$fs: -T --atomic onto an existing directory: exit 0"
	check "$fs: replaced by an exact copy (extra file gone)" test "$(manifest par/t)" = "$(cat "$T/B.list")"
	check "$fs: the old tree removed, no stage left" test "$(ls -A par)" = "t"

	# A reader walks the target through fds over and over while copies of A
	# and B replace each other; every walk must be all A or all B.
	/usr/bin/python3 "$TOP/tests/tools/treewatch.py" par/t "$T/A.list" "$T/B.list" "$T/stop" > "$T/watch.out" 2>&1 &
	wpid=$!
	for ((r = 0; r < 6; r++)); do
		"$RL" -rT --atomic --reflink=never A par/t && "$RL" -rT --atomic --reflink=never B par/t || break
	done
	touch "$T/stop"; wait $wpid; wrc=$?
	if [ $wrc = 0 ] && grep -q '^walks [1-9]' "$T/watch.out"; then pass "$fs: a reader never sees a mix of old and new ($(head -1 "$T/watch.out"))"
	else fail "$fs: a reader never sees a mix of old and new" "$(head -3 "$T/watch.out")"; fi
	rm -f "$T/stop"

	# SIGKILL at many points: the target is B's whole, and the next run
	# removes what the killed one left.
	bad=""
	for delay in 0.01 0.03 0.06 0.1 0.15 0.25; do
		setsid "$RL" -rT --atomic --reflink=never A par/t 2>/dev/null & pid=$!
		sleep $delay; kill -KILL $pid 2>/dev/null; wait $pid 2>/dev/null
		if [ "$(manifest par/t)" != "$(cat "$T/B.list")" ] && [ "$(manifest par/t)" != "$(cat "$T/A.list")" ]; then
			bad="$bad after ${delay}s: the target is neither tree;"
		fi
		"$RL" -rT --atomic --reflink=never B par/t || bad="$bad rerun failed;"
		[ "$(ls -A par)" = t ] || bad="$bad after ${delay}s: left $(ls -A par | tr '\n' ' ');"
	done
	if [ -z "$bad" ]; then pass "$fs: SIGKILL at 6 points: target whole, the next run cleans up"
	else fail "$fs: SIGKILL at 6 points: target whole, the next run cleans up" "$bad"; fi

	# Bad input: onto a file, and a source that does not exist.
	echo keep > par/file
	rl_run "$RL" -rT --atomic --reflink=auto A par/file
	expect_error "$fs: --atomic onto a non-directory: exit 1" 1 "'par/file'"
	check "$fs: the file untouched, no stage" test "$(cat par/file)" = keep -a "$(ls -A par | wc -l)" = 2
	rm par/file
	cd "$T" || exit 1
done

# ENOSPC half-way on a small filesystem: the old target as it was.
if use_fs S "atomic: ENOSPC" ext4 64; then
	cd "$S" && mkdir par && gen par/t 20 old && manifest par/t > "$T/old.list"
	mkdir big && for i in 1 2 3 4; do head -c 20000000 /dev/urandom > big/f$i; done 2>/dev/null
	rl_run "$RL" -rT --atomic --reflink=never big par/t
	check "ENOSPC: exit 1" test "$RC" = 1
	check "ENOSPC: the target as it was" test "$(manifest par/t)" = "$(cat "$T/old.list")"
	check "ENOSPC: no stage left" test "$(ls -A par)" = t
	cd "$T" || exit 1
fi

rl_run "$RL" --atomic a b
expect_status "--atomic without -r: usage error" 2 "$RL" --atomic a b
