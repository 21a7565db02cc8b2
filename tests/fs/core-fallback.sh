#!/usr/bin/env bash
# core-fallback.sh - where no clone is possible: ext4, tmpfs, and across two
# filesystems. always exits 3 and leaves no DEST (also for an empty file)
# and an existing DEST untouched; auto falls back with identical content
# and names its method; never copies. Files in /proc and sysfs copy their
# real content. --check names each fstype with the right exit status.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

ext4= tmp= btrfs=
use_fs ext4 "core-fallback: ext4" ext4 64
use_fs tmp "core-fallback: tmpfs" tmpfs 64
use_fs btrfs "core-fallback: btrfs (for a pair across filesystems)" btrfs 160
[ -n "$ext4$tmp" ] || exit 0

make_sources() { # make_sources DIR
	mkdir -p "$1"
	head -c $((2 * 1048576 + 777)) /dev/urandom > "$1/data"
	: > "$1/empty"
	printf 'x' > "$1/tiny"
}

# fallback_suite LABEL SRCDIR DSTDIR [REASON]: no clone from SRCDIR to DSTDIR.
fallback_suite() {
	local l=$1 s=$2 d=$3 reason=${4:-clone} f before
	mkdir -p "$d"
	for f in data empty tiny; do
		rl_run "$RL" "$s/$f" "$d/$f"
		expect_error "$l: always on '$f' exits 3 naming both" 3 "'$s/$f'" "'$d/$f'" "$reason"
		check "$l: always on '$f' leaves no DEST" test ! -e "$d/$f"
	done
	check "$l: always leaves nothing in DEST's directory" test -z "$(ls -A "$d")"
	printf 'precious\n' > "$d/kept"
	before=$(file_state "$d/kept")
	for f in data empty; do
		rl_run "$RL" --reflink=always "$s/$f" "$d/kept"
		expect_error "$l: always onto an existing DEST ('$f'): exit 3" 3 "'$d/kept'"
		if [ "$(file_state "$d/kept")" = "$before" ]; then pass "$l: always leaves an existing DEST untouched ('$f')"
		else fail "$l: always leaves an existing DEST untouched ('$f')" "now: $(cat "$d/kept")"; fi
	done
	rl_run "$RL" --json "$s/data" "$d/j"
	if [ "$RC" = 3 ] && [ "$(json_field errors 2>&1)" = 1 ] && [ "$(json_field files 2>&1)" = 0 ]; then
		pass "$l: always with --json: exit 3, the object says errors 1"
	else
		fail "$l: always with --json: exit 3, the object says errors 1" "exit $RC, stdout '$OUT'"
	fi

	for f in data empty tiny; do
		rl_run "$RL" --reflink=auto -v "$s/$f" "$d/auto-$f"
		if [ "$RC" = 0 ] && [[ "$OUT" =~ \((copy_file_range|read_write|none)\)$ ]]; then
			pass "$l: auto on '$f' falls back (${OUT##* })"
		else
			fail "$l: auto on '$f' falls back" "exit $RC, stdout '$OUT': $ERR"
		fi
		same_content "$l: auto on '$f': identical content" "$s/$f" "$d/auto-$f"
	done
	rl_run "$RL" --reflink=auto --json "$s/data" "$d/auto-j"
	local got
	got=$(json_field cloned_bytes 2>&1)/$(json_field copied_bytes 2>&1)/$(json_field methods.clone 2>&1)
	if [ "$RC" = 0 ] && [ "$got" = "0/$((2 * 1048576 + 777))/0" ]; then pass "$l: auto's --json: cloned 0, copied = size"
	else fail "$l: auto's --json: cloned 0, copied = size" "exit $RC, cloned/copied/clone = $got"; fi
	printf 'old\n' > "$d/auto-replace"
	rl_run "$RL" --reflink=auto "$s/data" "$d/auto-replace"
	same_content "$l: auto replaces an existing DEST" "$s/data" "$d/auto-replace"

	rl_run "$RL" --reflink=never -v "$s/data" "$d/never"
	if [ "$RC" = 0 ] && [[ "$OUT" == *"(read_write)" ]]; then pass "$l: never copies with read_write"
	else fail "$l: never copies with read_write" "exit $RC, stdout '$OUT'"; fi
	same_content "$l: never: identical content" "$s/data" "$d/never"
}

if [ -n "$ext4" ]; then
	make_sources "$ext4/src"
	fallback_suite "ext4" "$ext4/src" "$ext4/dst" "does not support clones"
fi
if [ -n "$tmp" ]; then
	make_sources "$tmp/src"
	fallback_suite "tmpfs" "$tmp/src" "$tmp/dst" "does not support clones"
fi
if [ -n "$ext4" ] && [ -n "$tmp" ]; then
	fallback_suite "ext4 to tmpfs" "$ext4/src" "$tmp/x-dst" "different filesystems"
fi
if [ -n "$btrfs" ] && [ -n "$ext4" ]; then
	make_sources "$btrfs/src"
	fallback_suite "btrfs to ext4" "$btrfs/src" "$ext4/b-dst" "different filesystems"
	fallback_suite "ext4 to btrfs" "$ext4/src" "$btrfs/e-dst" "different filesystems"
fi

# --- /proc and sysfs: sizes lie (0 or 4096); the real content is copied ---
pseudo=(/proc/version /proc/filesystems /proc/kallsyms /proc/self/status
	/sys/devices/system/cpu/possible /sys/kernel/mm/transparent_hugepage/enabled
	/sys/class/net/lo/address)
for dir in ${ext4:+"$ext4/proc"} ${tmp:+"$tmp/proc"}; do
	mkdir -p "$dir"
	fs=$(findmnt -n -o FSTYPE -T "$dir")
	for p in "${pseudo[@]}"; do
		[ -r "$p" ] || continue
		n=$(basename "$p")
		for mode in auto never; do
			rl_run "$RL" --reflink=$mode "$p" "$dir/$n"
			# status shows the reader's own pid and state: compare stable lines.
			if [ "$p" = /proc/self/status ]; then
				want=$(grep -e '^Name' -e '^Umask' -e '^Uid' "$dir/$n" 2>/dev/null | sed 's/reflink/X/')
				got=$(grep -e '^Name' -e '^Umask' -e '^Uid' /proc/self/status | sed 's/grep/X/')
			else
				want=$(cat "$p" | md5sum); got=$(md5sum < "$dir/$n" 2>/dev/null)
			fi
			if [ "$RC" = 0 ] && [ -s "$dir/$n" ] && [ "$want" = "$got" ]; then
				pass "$p to $fs ($mode): the real content"
			else
				fail "$p to $fs ($mode): the real content" "exit $RC, size $(stat -c %s "$dir/$n" 2>&1): $ERR"
			fi
		done
	done
	rl_run "$RL" /proc/version "$dir/always"
	expect_error "/proc/version to $fs, always: exit 3" 3 "'/proc/version'"
	check "/proc/version to $fs, always: no DEST" test ! -e "$dir/always"
done

# --- --check on each filesystem ---
check_says() { # check_says NAME PATH FSTYPE SUPPORTED(yes|no)
	local want
	rl_run "$RL" --check "$2"
	if [ "$4" = yes ]; then want="'$2': clones supported ($3)"; else want="'$2': clones not supported ($3)"; fi
	local wrc=3
	[ "$4" = yes ] && wrc=0
	if [[ "$OUT" == "$want"* ]] && [ "$RC" = $wrc ]; then
		pass "$1"
	else
		fail "$1" "exit $RC, stdout '$OUT', wanted '$want'"
	fi
}
[ -n "$ext4" ] && check_says "--check on ext4: not supported (ext4), exit 3" "$ext4" ext4 no
[ -n "$tmp" ] && check_says "--check on tmpfs: not supported (tmpfs), exit 3" "$tmp" tmpfs no
[ -n "$btrfs" ] && check_says "--check on btrfs: supported (btrfs), exit 0" "$btrfs" btrfs yes
check_says "--check on /proc: not supported (proc), exit 3" /proc proc no
check_says "--check on /sys: not supported (sysfs), exit 3" /sys sysfs no
if [ -n "$btrfs" ] && [ -n "$ext4" ]; then
	rl_run "$RL" --check "$btrfs" "$ext4"
	if [ "$RC" = 3 ] && [ "$(printf '%s\n' "$OUT" | wc -l)" = 2 ]; then pass "--check btrfs ext4: one line each, exit 3"
	else fail "--check btrfs ext4: one line each, exit 3" "exit $RC, stdout '$OUT'"; fi
fi
if [ -n "$ext4" ]; then
	before=$(listing "$ext4")
	rl_run "$RL" --check "$ext4" "$ext4/src/data"
	if [ "$(listing "$ext4")" = "$before" ] && [ -z "$(ls -A "$ext4/src" | grep -v -x -e data -e empty -e tiny)" ]; then
		pass "--check leaves nothing behind"
	else
		fail "--check leaves nothing behind" "$(ls -A "$ext4" "$ext4/src")"
	fi
fi
