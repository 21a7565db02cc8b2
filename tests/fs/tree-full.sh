#!/usr/bin/env bash
# tree-full.sh - a destination filesystem that fills up in the middle of a
# tree (ext4 and tmpfs): the copy goes on to the end, every file that did
# not fit is reported once ("No space left on device") and is absent,
# every file present is complete and identical, no temporary is left, and
# the exit status is 1. Then, with space freed, the same copy merged over
# the partial one (-T) completes it.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

use_fs SRC "tree-full: source" tmpfs 128 || exit 0
mkdir -p "$SRC/t/a" "$SRC/t/b/c"
for i in $(seq 1 12); do
	head -c $((1048576 + i * 4096)) /dev/urandom > "$SRC/t/a/big$i"
	head -c $((i * 1000)) /dev/urandom > "$SRC/t/b/c/small$i"
	ln -s "big$i" "$SRC/t/a/link$i"
done

full_suite() { # full_suite FS MB
	local fs=$1 mb=$2 m f n_err n_missing bad=""
	use_fs m "tree-full: $fs" "$fs" "$mb" || return 0
	# Fill the filesystem but for about 5 MiB: 12 MiB of files cannot fit.
	local avail
	avail=$(df -k --output=avail "$m" | tail -1)
	fallocate -l $(((avail - 5 * 1024) * 1024)) "$m/filler" 2>/dev/null ||
		head -c $(((avail - 5 * 1024) * 1024)) /dev/zero > "$m/filler"
	rl_run "$RL" -r --reflink=auto -j 2 "$SRC/t" "$m/t"
	[ "$RC" = 1 ] || bad="exit $RC, wanted 1"
	n_err=$(grep -c "No space left on device" "$T/.err")
	[ "$n_err" -gt 0 ] || bad="$bad; no ENOSPC reported: $(head -2 "$T/.err")"
	[ "$(err_lines)" = "$n_err" ] || bad="$bad; other errors: $(grep -v 'No space' "$T/.err" | head -2)"
	n_missing=0
	for f in $(cd "$SRC/t" && find . -type f | sed 's|^\./||'); do
		if [ ! -e "$m/t/$f" ]; then
			n_missing=$((n_missing + 1))
			# cp's words name DEST: "error writing 'D'", "cannot create regular file 'D'"
			grep -qF "'$m/t/$f': No space left" "$T/.err" || bad="$bad; $f missing but not reported"
		elif ! cmp -s "$SRC/t/$f" "$m/t/$f"; then
			bad="$bad; $f is partial"
		fi
	done
	[ "$n_missing" = "$n_err" ] || bad="$bad; $n_missing missing, $n_err reported"
	[ -z "$(find "$m/t" -name '.rl-tmp-*')" ] || bad="$bad; temporaries left"
	if [ -z "$bad" ]; then pass "$fs: full mid-tree: $n_err files reported once and absent, the rest complete"
	else fail "$fs: full mid-tree: each failure reported once, no partial file" "$bad"; fi
	# Room again: merging the same copy over the partial one completes it.
	rm -f "$m/filler"
	rl_run "$RL" -r -T --reflink=auto "$SRC/t" "$m/t"
	if [ "$RC" = 0 ] && diff -r --no-dereference "$SRC/t" "$m/t" >/dev/null; then
		pass "$fs: with space again, the merge completes the tree"
	else
		fail "$fs: with space again, the merge completes the tree" "exit $RC: $ERR"
	fi
}

full_suite ext4 64
full_suite tmpfs 24
