#!/usr/bin/env bash
# share.sh - `reflink --shared` and `reflink --dedupe` on real btrfs and
# XFS (reflink=1) loop images, and on ext4 and tmpfs: two byte copies of
# a tree become fully shared (FIEMAP), with contents, modes and mtimes
# unchanged and the copy's space given back; files differing by one byte
# (first, middle, last block) stay unshared; a writer changing a file
# during the dedupe keeps exactly its own bytes; --dry-run changes
# nothing; hard links, symlinks, empty, tiny, sparse and open files; the
# --shared figures agree with `btrfs filesystem du` and FIEMAP sums;
# ext4 and tmpfs exit 3 with nothing changed; bad input.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

[ -x "$FIEMAP" ] || { fail "share: fiemap tool" "build it: make $FIEMAP"; exit 0; }

# rand FILE BYTES: BYTES random bytes.
rand() { head -c "$2" /dev/urandom > "$1"; }

# make_tree DIR: files of many sizes, one sparse, one hard-linked, one
# symlink, empty and tiny files, three files one byte apart from a fourth.
make_tree() {
	local d=$1 i
	mkdir -p "$d/sub/deeper"
	for i in 1 2 3 4 5 6 7 8; do rand "$d/f$i" $((i * 53000 + i)); done
	rand "$d/sub/big" $((24 << 20))
	rand "$d/sub/deeper/mid" $((3 << 20))
	: > "$d/empty"
	printf 'tiny\n' > "$d/tiny"
	truncate -s $((16 << 20)) "$d/sparse"
	rand "$d/.blk" 65536
	dd if="$d/.blk" of="$d/sparse" bs=64k seek=3 conv=notrunc status=none
	dd if="$d/.blk" of="$d/sparse" bs=64k seek=200 conv=notrunc status=none
	rm "$d/.blk"
	ln "$d/f1" "$d/f1.link"
	ln -s f2 "$d/f2.sym"
	chmod 600 "$d/f3"
	touch -d '2001-02-03 04:05:06.123456789' "$d/f4"
}

# one_byte SRC DST OFFSET: DST is SRC with the byte at OFFSET changed.
one_byte() {
	cp --reflink=never "$1" "$2"
	printf '\x5a' | cmp -s - <(dd if="$1" bs=1 skip="$3" count=1 status=none) &&
		printf '\xa5' | dd of="$2" bs=1 seek="$3" conv=notrunc status=none ||
		printf '\x5a' | dd of="$2" bs=1 seek="$3" conv=notrunc status=none
}

# states DIR: content, mode, owner and mtime of every regular file.
states() {
	(cd "$1" && find . -type f -print0 | sort -z |
		xargs -0 stat -c '%n %s %a %u %g %y %h' &&
		find . -type f -print0 | sort -z | xargs -0 md5sum)
}

# all_data_shared NAME DIR: every file with data in DIR shares all of it.
all_data_shared() {
	local f s d bad="" n=0
	while IFS= read -r -d '' f; do
		read -r _ _ _ s _ d < <("$FIEMAP" "$f") || { bad="fiemap $f"; break; }
		[ "${d:-0}" -gt 0 ] || continue
		n=$((n + 1))
		[ "$s" = "$d" ] || { bad="$f: $s of $d shared"; break; }
	done < <(find "$2" -type f -size +4k -print0)
	[ $n -gt 0 ] || bad="no file with data in $2"
	if [ -z "$bad" ]; then pass "$1"; else fail "$1" "$bad"; fi
}

free_bytes() { sync -f "$1"; stat -f -c '%a %S' "$1" | awk '{print $1 * $2}'; }

# --shared against FIEMAP sums of every inode (the test's own tool).
fiemap_sums() {
	local f s d tot_s=0 tot_d=0
	while IFS= read -r f; do
		read -r _ _ _ s _ d < <("$FIEMAP" "$f")
		tot_s=$((tot_s + s)) tot_d=$((tot_d + d))
	done < <(find "$1" -type f -printf '%i %p\n' | sort -u -k1,1 | cut -d' ' -f2-)
	echo "$tot_s $tot_d"
}

check_shared_agrees() {
	local fs=$1 m=$2 what="$1: --shared agrees"
	rl_run "$RL" --shared --json "$m"
	local shared alloc
	shared=$(json_field shared) alloc=$(json_field allocated)
	if [ "$fs" = btrfs ]; then
		local tot excl
		read -r tot excl _ < <(btrfs filesystem du -s --raw "$m" | tail -1)
		if [ "$alloc" = "$tot" ] && [ "$shared" = $((tot - excl)) ]; then
			pass "$what with btrfs filesystem du ($shared of $alloc shared)"
		else fail "$what with btrfs filesystem du" "ours $shared/$alloc, btrfs total $tot exclusive $excl"; fi
	else
		local s d
		read -r s d < <(fiemap_sums "$m")
		if [ "$alloc" = "$d" ] && [ "$shared" = "$s" ]; then
			pass "$what with FIEMAP sums ($shared of $alloc shared)"
		else fail "$what with FIEMAP sums" "ours $shared/$alloc, fiemap $s/$d"; fi
	fi
}

dedupe_fs() {
	local fs=$1 m
	use_fs m "share: $fs" "$fs" 700 || return
	make_tree "$m/a"
	cp -a --reflink=never "$m/a" "$m/b"
	mkdir "$m/diff"
	rand "$m/diff/orig" $((64 << 10))
	one_byte "$m/diff/orig" "$m/diff/first" 100
	one_byte "$m/diff/orig" "$m/diff/middle" $((32 << 10))
	one_byte "$m/diff/orig" "$m/diff/last" $(((64 << 10) - 1))
	mkdir "$m/outside" && cp --reflink=never "$m/a/f5" "$m/outside/f5"
	ln -s ../outside/f5 "$m/b/f5.out"
	sync
	local before copy
	before=$(states "$m")
	copy=$(du -s -B1 --apparent-size "$m/b" | cut -f1)

	rl_run "$RL" --shared "$m"
	if [ "$RC" = 0 ] && grep -q 'SHARED' "$T/.out" && [ -z "$ERR" ]; then pass "$fs: --shared prints a table"
	else fail "$fs: --shared prints a table" "exit $RC: $OUT $ERR"; fi
	rl_run "$RL" --shared --json "$m/a"
	[ "$(json_field files)" = 13 ] && pass "$fs: --shared counts each inode once (hard link), no symlink" ||
		fail "$fs: --shared counts each inode once" "$OUT"
	[ "$(json_field shared)" = 0 ] && pass "$fs: byte copies share nothing before" || fail "$fs: nothing shared before" "$OUT"
	[ "$(json_field holes)" -ge $(((16 << 20) - (128 << 10))) ] && pass "$fs: --shared counts the sparse file's holes" ||
		fail "$fs: --shared holes" "$OUT"

	rl_run "$RL" --dedupe --dry-run --json "$m"
	local would
	would=$(json_field deduped_bytes)
	"$RL" --shared --json "$m" > "$T/shared.json"
	if [ "$RC" = 0 ] && [ "$would" -gt 0 ] && [ "$(states "$m")" = "$before" ] &&
		[ "$(json_field shared "$T/shared.json")" = 0 ]; then
		pass "$fs: --dry-run reports and changes nothing"
	else fail "$fs: --dry-run" "exit $RC $OUT $ERR"; fi

	local free0 free1
	free0=$(free_bytes "$m")
	exec 7>>"$m/b/f6" # open for writing meanwhile
	rl_run "$RL" --dedupe -v --json -j 2 "$m/a" "$m/b" "$m/diff"
	exec 7>&-
	expect_ok "$fs: --dedupe exit 0"
	tail -1 "$T/.out" > "$T/dedupe.json"
	[ "$(json_field groups "$T/dedupe.json")" = 12 ] && pass "$fs: --dedupe --json counts the groups" ||
		fail "$fs: --json groups" "$OUT"
	grep -q "'$m/b/sub/big': shares" "$T/.out" && pass "$fs: -v names each deduped file" ||
		fail "$fs: -v lines" "$OUT"
	all_data_shared "$fs: every duplicate fully shared (FIEMAP)" "$m/b"
	all_data_shared "$fs: and its original too" "$m/a"
	shares_none "$fs: a file one byte apart (first block) not shared" "$m/diff/first"
	shares_none "$fs: ... (middle block) not shared" "$m/diff/middle"
	shares_none "$fs: ... (last block) not shared" "$m/diff/last"
	shares_none "$fs: a symlink's target outside PATH left alone" "$m/outside/f5"
	[ "$(states "$m")" = "$before" ] && pass "$fs: contents, modes, owners and mtimes unchanged" ||
		fail "$fs: nothing changed" "$(diff <(echo "$before") <(states "$m") | head -5 | tr '\n' '|')"
	[ "$(data_map "$m/b/sparse")" = "$(data_map "$m/a/sparse")" ] &&
		[ "$(data_map "$m/b/sparse" | wc -l)" -ge 2 ] && pass "$fs: holes stay holes" ||
		fail "$fs: holes stay holes" "$(data_map "$m/b/sparse" | tr '\n' ' ')"
	free1=$(free_bytes "$m")
	if [ $((free1 - free0)) -ge $((copy * 9 / 10 - (16 << 20) * 9 / 10)) ]; then
		pass "$fs: space reclaimed ($(((free1 - free0) >> 10)) KiB of a ${copy}-byte copy, holes aside)"
	else fail "$fs: space reclaimed" "free rose by $((free1 - free0)), copy $copy"; fi
	check_shared_agrees "$fs" "$m"

	rl_run "$RL" --dedupe --json "$m/a" "$m/b"
	[ "$RC" = 0 ] && [ "$(json_field deduped_bytes)" = 0 ] && [ "$(json_field already_shared_bytes)" -gt 0 ] &&
		pass "$fs: a second run finds everything already shared" || fail "$fs: second run" "$OUT"

	concurrent_writer "$fs" "$m"
	read_only "$fs" "$m"
}

# A writer changes a file while it is deduped: the file ends holding
# exactly what the writer wrote (the kernel compares under its locks).
concurrent_writer() {
	local fs=$1 m=$2 i
	mkdir "$m/race"
	rand "$m/race/x" $((96 << 20))
	cp --reflink=never "$m/race/x" "$m/race/y"
	cp --reflink=never "$m/race/x" "$T/expect"
	printf 'W%.0s' $(seq 4096) > "$T/block"
	for i in 1 7 33 64 95; do
		dd if="$T/block" of="$T/expect" bs=1M seek=$i conv=notrunc status=none
	done
	sync
	"$RL" --dedupe -j 2 "$m/race" > "$T/race.out" 2>&1 &
	local pid=$!
	for round in 1 2 3 4 5 6 7 8; do
		for i in 1 7 33 64 95; do
			dd if="$T/block" of="$m/race/y" bs=1M seek=$i conv=notrunc status=none
		done
	done
	wait $pid
	local rc=$?
	if [ $rc = 0 ] || [ $rc = 1 ]; then pass "$fs: dedupe beside a writer ends (exit $rc)"
	else fail "$fs: dedupe beside a writer" "exit $rc: $(cat "$T/race.out")"; fi
	same_content "$fs: the written file holds exactly its writer's bytes" "$m/race/y" "$T/expect"
	cmp -s "$m/race/x" <(cat "$m/race/x") && ! cmp -s "$m/race/x" "$m/race/y" &&
		pass "$fs: the other file keeps its own bytes" || fail "$fs: other file" "x changed"
}

read_only() {
	local fs=$1 m=$2
	mount -o remount,ro "$m" || { fail "$fs: remount read-only" "mount failed"; return; }
	rl_run "$RL" --dedupe "$m/a"
	expect_error "$fs: --dedupe on a read-only mount exits 1" 1 "read-only"
	rl_run "$RL" --shared "$m/a"
	expect_ok "$fs: --shared works on a read-only mount"
	mount -o remount,rw "$m"
}

# ext4 and tmpfs cannot dedupe: exit 3, one line, nothing changed.
no_dedupe_fs() {
	local fs=$1 m
	use_fs m "share: $fs" "$fs" 200 || return
	make_tree "$m/a"
	cp -a "$m/a" "$m/b"
	local before
	before=$(states "$m")
	rl_run "$RL" --dedupe "$m"
	expect_error "$fs: --dedupe exits 3 with one line" 3 "$m" "cannot share"
	[ "$(states "$m")" = "$before" ] && pass "$fs: nothing changed" || fail "$fs: nothing changed" "states differ"
	rl_run "$RL" --shared --json "$m/a"
	if [ "$RC" = 0 ] && [ "$(json_field files)" = 13 ] && [ "$(json_field shared)" = 0 ]; then
		pass "$fs: --shared reports (nothing shared)"
	else fail "$fs: --shared" "exit $RC $OUT $ERR"; fi
	if [ "$fs" = tmpfs ]; then
		rl_run "$RL" --shared "$m/a"
		[ "$RC" = 0 ] && case "$ERR" in *"no FIEMAP"*) true ;; *) false ;; esac &&
			pass "tmpfs: --shared says there is no FIEMAP, exit 0" || fail "tmpfs: no FIEMAP said" "exit $RC: $ERR"
	fi
}

bad_input() {
	rl_run "$RL" --shared "$T/missing"
	expect_error "--shared: a missing PATH exits 1" 1 "$T/missing"
	rl_run "$RL" --dedupe "$T/missing"
	expect_error "--dedupe: a missing PATH exits 1" 1 "$T/missing"
	mkfifo "$T/fifo"
	rl_run "$RL" --shared "$T/fifo"
	expect_error "--shared: a FIFO given exits 1" 1 "$T/fifo"
	rl_run "$RL" --dedupe --reflink=auto "$T"
	expect_error "--dedupe with --reflink exits 2" 2 "--dedupe" "--reflink"
	rl_run "$RL" --dedupe -r "$T"
	expect_error "--dedupe with -r exits 2" 2 "-r"
	rl_run "$RL" --dry-run "$T" "$T/x"
	expect_error "--dry-run without --dedupe exits 2" 2 "--dry-run"
	rl_run "$RL" --dedupe
	expect_error "--dedupe without PATH exits 2" 2 "PATH"
}

bad_input
for fs in btrfs xfs; do dedupe_fs "$fs"; done
for fs in ext4 tmpfs; do no_dedupe_fs "$fs"; done
