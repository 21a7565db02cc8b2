#!/usr/bin/env bash
# tree-update.sh - update policies inside trees on real filesystems (btrfs,
# ext4): `reflink -r -u` run twice replaces nothing the second time (every
# inode kept), -n keeps every existing file's inode and content, and two
# `reflink -rn` of different trees into one DEST at once leave every file
# whole and from exactly one of them (the final link or RENAME_NOREPLACE
# decides; the loser skips it silently). --json counts the skipped.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

N=300 # files per tree, in 10 directories

# make_tree DIR TAG: N files of 8 KiB (some 0 bytes), each naming TAG.
make_tree() {
	local d i
	for d in $(seq 0 9); do
		mkdir -p "$1/d$d"
		for i in $(seq 1 $((N / 10))); do
			if [ $((i % 7)) = 0 ]; then : > "$1/d$d/f$i"
			else head -c 8192 /dev/zero | tr '\0' "$2" > "$1/d$d/f$i"; fi
		done
	done
}

inodes() { find "$1" -type f -printf '%P %i %s\n' | sort; }

update_suite() { # update_suite FS MB
	local fs=$1 m name
	use_fs m "tree-update: $fs" "$fs" "$2" || return 0
	make_tree "$m/a" A
	make_tree "$m/b" B

	name="$fs: -r -u twice: the second run replaces nothing"
	rl_run "$RL" -r -u --reflink=auto "$m/a" "$m/t"
	inodes "$m/t" > "$T/i1"
	rl_run "$RL" -r -u --reflink=auto --json "$m/a/." "$m/t"
	inodes "$m/t" > "$T/i2"
	if [ "$RC" = 0 ] && [ -z "$ERR" ] && cmp -s "$T/i1" "$T/i2" &&
	   [ "$(json_field skipped)" = $N ] && [ "$(json_field files)" = 0 ]; then pass "$name"
	else fail "$name" "exit $RC, skipped $(json_field skipped 2>&1), files $(json_field files 2>&1), inodes $(diff "$T/i1" "$T/i2" | head -3 | tr '\n' ' '); $ERR"; fi

	name="$fs: -r -u replaces a file older than its source, keeps a newer one"
	touch -d @946684800 "$m/t/d1/f1"; echo newer > "$m/t/d2/f2"
	local old; old=$(stat -c %i "$m/t/d2/f2")
	rl_run "$RL" -r -u --reflink=auto "$m/a/." "$m/t"
	if [ "$RC" = 0 ] && cmp -s "$m/a/d1/f1" "$m/t/d1/f1" && [ "$(cat "$m/t/d2/f2")" = newer ] &&
	   [ "$(stat -c %i "$m/t/d2/f2")" = "$old" ]; then pass "$name"
	else fail "$name" "exit $RC: $ERR"; fi

	name="$fs: -rn over another tree keeps every existing file (inode and bytes)"
	inodes "$m/t" > "$T/i1"
	rl_run "$RL" -rn --reflink=auto --json "$m/b/." "$m/t"
	inodes "$m/t" > "$T/i2"
	if [ "$RC" = 0 ] && [ -z "$ERR" ] && cmp -s "$T/i1" "$T/i2" && ! grep -rqs B "$m/t" &&
	   [ "$(json_field skipped)" = $N ]; then pass "$name"
	else fail "$name" "exit $RC, skipped $(json_field skipped 2>&1): $ERR"; fi

	name="$fs: two -rn copies into one DEST at once: each file whole, one winner"
	local round bad="" wins_a=0 wins_b=0
	for round in 1 2 3; do
		rm -rf "$m/r"; mkdir "$m/r"
		"$RL" -rn --reflink=auto -j 2 --json "$m/a/." "$m/r" >"$T/ja" 2>"$T/ea" &
		local pa=$!
		"$RL" -rn --reflink=auto -j 2 --json "$m/b/." "$m/r" >"$T/jb" 2>"$T/eb" &
		local pb=$!
		wait $pa || bad="$bad; a exited $?: $(head -2 "$T/ea")"
		wait $pb || bad="$bad; b exited $?: $(head -2 "$T/eb")"
		[ -s "$T/ea" ] || [ -s "$T/eb" ] && bad="$bad; stderr: $(cat "$T/ea" "$T/eb" | head -2)"
		local fa sa fb sb
		fa=$(json_field files "$T/ja"); sa=$(json_field skipped "$T/ja")
		fb=$(json_field files "$T/jb"); sb=$(json_field skipped "$T/jb")
		# Every name was either made or skipped by each, and made by one.
		[ $((fa + sa)) = $N ] && [ $((fb + sb)) = $N ] && [ $((fa + fb)) = $N ] ||
			bad="$bad; round $round: a made $fa skipped $sa, b made $fb skipped $sb"
		local f got n=0
		while IFS= read -r f; do
			n=$((n + 1))
			if cmp -s "$m/r/$f" "$m/a/$f"; then wins_a=$((wins_a + 1))
			elif cmp -s "$m/r/$f" "$m/b/$f"; then wins_b=$((wins_b + 1))
			else bad="$bad; $f is neither tree's"; break; fi
		done < <(cd "$m/a" && find . -type f | sed 's|^\./||')
		got=$(find "$m/r" -type f | wc -l)
		[ "$got" = $N ] || bad="$bad; round $round: $got files"
		ls -A "$m/r"/d* | grep -q '^\.rl-' && bad="$bad; a temporary is left"
	done
	if [ -z "$bad" ]; then pass "$name (files from a: $wins_a, from b: $wins_b)"
	else fail "$name" "${bad#; }"; fi
}

update_suite btrfs 256
update_suite ext4 128
