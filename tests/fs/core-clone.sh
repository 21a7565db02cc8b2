#!/usr/bin/env bash
# core-clone.sh - clones on real btrfs and XFS (reflink=1) loop images,
# proven with FIEMAP: a clone shares all its extents (also after the
# metadata is applied) and has identical content; auto clones too; never
# shares nothing; permission bits follow cp's rule on the clone path;
# --check says supported; a bind mount of one btrfs still clones or shares;
# btrfs to XFS is two filesystems: always exits 3, auto copies.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

[ -x "$FIEMAP" ] || { fail "core-clone: fiemap tool" "build it: make B=... $FIEMAP"; exit 0; }

# make_sources DIR: files with different shapes.
make_sources() {
	head -c 3M /dev/urandom > "$1/plain"                  # block-aligned
	head -c $((3 * 1048576 + 123)) /dev/urandom > "$1/tail" # unaligned tail
	truncate -s 20M "$1/holey"                              # data, holes, data
	head -c 1M /dev/urandom | dd of="$1/holey" bs=1M seek=2 conv=notrunc status=none
	head -c 1M /dev/urandom | dd of="$1/holey" bs=1M seek=15 conv=notrunc status=none
	for i in $(seq 0 7); do                                # many small extents
		head -c 65536 /dev/urandom | dd of="$1/frag" bs=64K seek=$((i * 3)) conv=notrunc,fsync status=none
	done
	: > "$1/empty"
	sync -f "$1/plain"
}

# shares_all NAME FILE: FIEMAP says every data byte of FILE is shared.
shares_all() {
	if all_shared "$2"; then pass "$1"
	else fail "$1" "fiemap: $("$FIEMAP" "$2" 2>&1)"; fi
}
# shares_none NAME FILE: FILE has data and FIEMAP says none of it is shared.
shares_none() {
	local s d
	read -r _ _ _ s _ d < <("$FIEMAP" "$2")
	if [ "${d:-0}" -gt 0 ] && [ "$s" = 0 ]; then pass "$1"
	else fail "$1" "fiemap: $("$FIEMAP" "$2" 2>&1)"; fi
}

clone_suite() { # clone_suite TYPE MNT
	local fs=$1 m=$2 f got
	mkdir "$m/src" "$m/out"
	make_sources "$m/src"

	# always (the default): every shape is a clone, shared and identical.
	for f in plain tail holey frag; do
		rl_run "$RL" -v "$m/src/$f" "$m/out/$f"
		if [ "$RC" = 0 ] && [[ "$OUT" == *"(clone)" ]]; then pass "$fs: always clones '$f', -v says clone"
		else fail "$fs: always clones '$f', -v says clone" "exit $RC, stdout '$OUT': $ERR"; fi
		same_content "$fs: clone of '$f' has identical content" "$m/src/$f" "$m/out/$f"
		shares_all "$fs: clone of '$f' shares all its extents" "$m/out/$f"
	done
	rl_run "$RL" -v "$m/src/empty" "$m/out/empty"
	if [ "$RC" = 0 ] && [ -f "$m/out/empty" ] && [ ! -s "$m/out/empty" ]; then pass "$fs: always mode copies an empty file"
	else fail "$fs: always mode copies an empty file" "exit $RC: $ERR"; fi

	# The counts in --json.
	rl_run "$RL" --json "$m/src/tail" "$m/out/tail.j"
	got=$(json_field cloned_bytes 2>&1)/$(json_field copied_bytes 2>&1)/$(json_field methods.clone 2>&1)
	if [ "$RC" = 0 ] && [ "$got" = "$((3 * 1048576 + 123))/0/1" ]; then pass "$fs: --json counts the clone: cloned_bytes = size, copied 0"
	else fail "$fs: --json counts the clone: cloned_bytes = size, copied 0" "exit $RC, cloned/copied/clone = $got"; fi

	# Applying metadata after the clone must not un-share anything.
	/usr/bin/python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.k", b"v")' "$m/src/plain"
	touch -d '2001-01-01 01:01:01.5' "$m/src/plain"
	for opt in -p --preserve=all; do
		rm -f "$m/out/meta"
		rl_run "$RL" "$opt" "$m/src/plain" "$m/out/meta"
		if [ "$RC" = 0 ] && [ "$(stat -c %y "$m/out/meta")" = "$(stat -c %y "$m/src/plain")" ]; then
			pass "$fs: clone with $opt keeps the mtime"
		else
			fail "$fs: clone with $opt keeps the mtime" "exit $RC: $ERR"
		fi
		shares_all "$fs: clone with $opt still shares all extents" "$m/out/meta"
	done

	# Replacing an existing DEST by a clone.
	printf 'old content\n' > "$m/out/replace"
	rl_run "$RL" "$m/src/plain" "$m/out/replace"
	same_content "$fs: clone replacing an existing DEST has the new content" "$m/src/plain" "$m/out/replace"
	shares_all "$fs: clone replacing an existing DEST shares all extents" "$m/out/replace"

	# auto clones when it can.
	rl_run "$RL" --reflink=auto -v "$m/src/holey" "$m/out/auto"
	if [ "$RC" = 0 ] && [[ "$OUT" == *"(clone)" ]]; then pass "$fs: auto clones, -v says clone"
	else fail "$fs: auto clones, -v says clone" "exit $RC, stdout '$OUT'"; fi
	shares_all "$fs: auto's clone shares all extents" "$m/out/auto"

	# never: a real copy, nothing shared, same bytes.
	for f in plain tail holey; do
		rl_run "$RL" --reflink=never -v "$m/src/$f" "$m/out/never-$f"
		if [ "$RC" = 0 ] && [[ "$OUT" == *"(read_write)" ]]; then pass "$fs: never copies '$f' with read_write"
		else fail "$fs: never copies '$f' with read_write" "exit $RC, stdout '$OUT'"; fi
		same_content "$fs: never's copy of '$f' is identical" "$m/src/$f" "$m/out/never-$f"
		shares_none "$fs: never's copy of '$f' shares no extent" "$m/out/never-$f"
	done
	rl_run "$RL" --reflink=never --json "$m/src/plain" "$m/out/never-j"
	got=$(json_field cloned_bytes 2>&1)/$(json_field copied_bytes 2>&1)
	if [ "$got" = "0/3145728" ]; then pass "$fs: never's --json: cloned 0, copied = size"
	else fail "$fs: never's --json: cloned 0, copied = size" "cloned/copied = $got"; fi

	# Permission bits on the clone path (FICLONE copies none).
	chmod 0755 "$m/src/plain"
	perm_case() { # perm_case NAME WANT UMASK SRCMODE [OPTS...]
		local name=$1 want=$2 um=$3 sm=$4; shift 4
		chmod "$sm" "$m/src/plain"
		rm -f "$m/out/perm"
		RC=0; OUT=$( (umask "$um" && exec "$RL" -v "$@" "$m/src/plain" "$m/out/perm") 2>"$T/.err") || RC=$?
		got=$(stat -c %a "$m/out/perm" 2>/dev/null)
		if [ "$RC" = 0 ] && [ "$got" = "$want" ] && [[ "$OUT" == *"(clone)" ]]; then pass "$fs: clone path: $name -> $want"
		else fail "$fs: clone path: $name -> $want" "exit $RC, mode '$got', '$OUT': $(cat "$T/.err")"; fi
	}
	perm_case "0755 source, umask 022 keeps the exec bit" 755 022 0755
	perm_case "0755 source, umask 077" 700 077 0755
	perm_case "0640 source, umask 022" 640 022 0640
	perm_case "--preserve=mode ignores the umask" 755 077 0755 --preserve=mode
	perm_case "setuid dropped without ownership" 755 022 4755
	perm_case "setuid dropped with --preserve=mode alone" 755 022 4755 --preserve=mode
	perm_case "setuid kept with -p (root)" 4755 022 4755 -p
	chmod 0644 "$m/src/plain"

	# --check
	rl_run "$RL" --check "$m/out"
	if [ "$RC" = 0 ] && [ "$OUT" = "'$m/out': clones supported ($fs)" ]; then pass "$fs: --check says supported ($fs), exit 0"
	else fail "$fs: --check says supported ($fs), exit 0" "exit $RC, stdout '$OUT'"; fi
	if [ -z "$(ls -A "$m/out" | grep -v -e '^perm$' -e '^never-' -e '^meta$' -e '^replace$' -e '^auto$' \
		-e '^plain$' -e '^tail' -e '^holey$' -e '^frag$' -e '^empty$')" ]; then
		pass "$fs: nothing but the copies in DEST's directory (no debris)"
	else
		fail "$fs: nothing but the copies in DEST's directory (no debris)" "$(ls -A "$m/out")"
	fi
}

btrfs_mnt= xfs_mnt=
use_fs btrfs_mnt "core-clone: btrfs" btrfs 160 && clone_suite btrfs "$btrfs_mnt"
use_fs xfs_mnt "core-clone: xfs" xfs 300 && clone_suite xfs "$xfs_mnt"

# --- a bind mount of the btrfs: two mounts, one filesystem ---
kernel_ge() { # kernel_ge MAJOR MINOR
	local ma mi
	IFS=. read -r ma mi _ <<<"$(uname -r)"
	[ "$ma" -gt "$1" ] || { [ "$ma" = "$1" ] && [ "${mi%%[!0-9]*}" -ge "$2" ]; }
}
if [ -n "$btrfs_mnt" ]; then
	bind="$T/bind"
	mkdir "$bind" && mount --bind "$btrfs_mnt" "$bind" && on_exit "umount '$bind'"
	rl_run "$RL" --reflink=auto -v "$btrfs_mnt/src/plain" "$bind/out/viabind"
	method=${OUT##*(}; method=${method%)}
	if [ "$RC" = 0 ] && cmp -s "$btrfs_mnt/src/plain" "$bind/out/viabind"; then
		pass "btrfs bind mount: auto copies across the two mounts (method: $method)"
	else
		fail "btrfs bind mount: auto copies across the two mounts" "exit $RC: $ERR"
	fi
	# Whether FICLONE or copy_file_range did it, the extents are shared.
	shares_all "btrfs bind mount: auto's copy shares all extents (via $method)" "$bind/out/viabind"
	# The same file seen through both mounts is still the same file.
	before=$(file_state "$btrfs_mnt/src/plain")
	rl_run "$RL" --reflink=auto "$btrfs_mnt/src/plain" "$bind/src/plain"
	expect_error "btrfs bind mount: the same file through the other mount is refused" 1 "same file"
	if [ "$(file_state "$btrfs_mnt/src/plain")" = "$before" ]; then pass "btrfs bind mount: that file untouched"
	else fail "btrfs bind mount: that file untouched" "it changed"; fi
	# Linux 5.18 lets FICLONE cross mounts of one filesystem; before, EXDEV.
	rl_run "$RL" -v "$btrfs_mnt/src/tail" "$bind/out/always"
	if kernel_ge 5 18; then
		if [ "$RC" = 0 ] && [[ "$OUT" == *"(clone)" ]] && all_shared "$bind/out/always"; then
			pass "btrfs bind mount: always clones across mounts (kernel >= 5.18)"
		else
			fail "btrfs bind mount: always clones across mounts (kernel >= 5.18)" "exit $RC: $ERR"
		fi
	else
		expect_error "btrfs bind mount: always exits 3 (FICLONE says EXDEV before 5.18)" 3 "clone"
	fi
fi

# --- btrfs to XFS: two filesystems ---
if [ -n "$btrfs_mnt" ] && [ -n "$xfs_mnt" ]; then
	for f in plain empty; do
		rl_run "$RL" "$btrfs_mnt/src/$f" "$xfs_mnt/out/x-$f"
		expect_error "btrfs to xfs, always ('$f'): exit 3 naming both" 3 "'$btrfs_mnt/src/$f'" "'$xfs_mnt/out/x-$f'" "different filesystems"
		check "btrfs to xfs, always ('$f'): no DEST" test ! -e "$xfs_mnt/out/x-$f"
	done
	rl_run "$RL" --reflink=auto -v "$btrfs_mnt/src/tail" "$xfs_mnt/out/x-auto"
	if [ "$RC" = 0 ] && [[ "$OUT" =~ \((copy_file_range|read_write)\)$ ]]; then pass "btrfs to xfs, auto: falls back, -v names the copy method"
	else fail "btrfs to xfs, auto: falls back, -v names the copy method" "exit $RC, stdout '$OUT': $ERR"; fi
	same_content "btrfs to xfs, auto: identical content" "$btrfs_mnt/src/tail" "$xfs_mnt/out/x-auto"
	shares_none "btrfs to xfs, auto: nothing shared" "$xfs_mnt/out/x-auto"
fi
