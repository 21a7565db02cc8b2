#!/usr/bin/env bash
# core-sparse.sh - holes stay holes on btrfs, XFS, ext4 and tmpfs and
# across filesystems, in every mode that copies there: the copy has the
# source's size, the same data segments (SEEK_DATA/SEEK_HOLE), no more
# blocks (st_blocks) and the same bytes. Includes a 5 GiB sparse file with
# 3 MiB of data, which must copy in time proportional to its data.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

[ -x "$FIEMAP" ] || { fail "core-sparse: fiemap tool" "build it: make B=... $FIEMAP"; exit 0; }

MiB=1048576
GiB=$((1024 * MiB))
# put FILE OFFSET_BYTES: write 1 MiB of random data at OFFSET_BYTES.
put() { head -c $MiB /dev/urandom | dd of="$1" bs=64K seek=$(($2 / 65536)) conv=notrunc status=none; }

make_sparse() { # make_sparse DIR
	mkdir -p "$1"
	truncate -s $((64 * MiB)) "$1/mixed"       # data, holes, data at the end
	put "$1/mixed" 0; put "$1/mixed" $((10 * MiB)); put "$1/mixed" $((63 * MiB))
	truncate -s $((32 * MiB + 100)) "$1/tailhole" # ends in a hole, odd size
	put "$1/tailhole" $((1 * MiB))
	truncate -s $((100 * MiB)) "$1/allhole"     # no data at all
	truncate -s $((5 * GiB)) "$1/huge"          # over 4 GiB, 3 MiB of data
	put "$1/huge" 0; put "$1/huge" $((4 * GiB - MiB / 2)); put "$1/huge" $((5 * GiB - 2 * MiB))
	sync -f "$1/mixed"
}

# same_data FILE COPY: equal size, equal data segments, equal bytes in them
# (holes read as zeros, so this is equal content without reading GiBs of
# zeros), and no more blocks than the source.
same_data() {
	local a=$1 b=$2 ma mb s e
	[ "$(stat -c %s "$a")" = "$(stat -c %s "$b")" ] || { echo "size $(stat -c %s "$b"), want $(stat -c %s "$a")"; return 1; }
	ma=$(data_map "$a"); mb=$(data_map "$b")
	[ "$ma" = "$mb" ] || { echo "data segments differ: [$(echo $mb)] want [$(echo $ma)]"; return 1; }
	while read -r s e; do
		[ -n "$s" ] || continue
		cmp -s -i "$s:$s" -n $((e - s)) "$a" "$b" || { echo "bytes differ in [$s, $e)"; return 1; }
	done <<<"$ma"
	# A little slack: filesystems may round an extent up to their block size.
	if [ $(($(stat -c %b "$b") * 512)) -gt $(($(stat -c %b "$a") * 512 + 256 * 1024)) ]; then
		echo "$(stat -c %b "$b") blocks, source has $(stat -c %b "$a")"; return 1
	fi
}

# sparse_suite LABEL SRCDIR DSTDIR MODES...
sparse_suite() {
	local l=$1 s=$2 d=$3 f mode why t0 t1 how; shift 3
	mkdir -p "$d"
	for mode in "$@"; do
		for f in mixed tailhole allhole huge; do
			rm -f "$d/$f"
			t0=$(date +%s.%N)
			rl_run "$RL" --reflink=$mode -v "$s/$f" "$d/$f"
			t1=$(date +%s.%N)
			if [ "$RC" != 0 ]; then
				fail "$l ($mode): '$f' copied" "exit $RC: $ERR"; continue
			fi
			how=${OUT##*(}; how=${how%)}
			if why=$(same_data "$s/$f" "$d/$f"); then pass "$l ($mode, by $how): '$f' keeps its holes and bytes"
			else fail "$l ($mode): '$f' keeps its holes and bytes" "$why"; fi
			if [ $mode = always ] && [ $f != allhole ]; then
				if all_shared "$d/$f"; then pass "$l (always): the clone of '$f' shares all extents"
				else fail "$l (always): the clone of '$f' shares all extents" "$("$FIEMAP" "$d/$f" 2>&1)"; fi
			fi
			if [ $f = huge ]; then
				if awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 15) }'; then
					pass "$l ($mode): 5 GiB sparse file copied quickly ($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s)"
				else
					fail "$l ($mode): 5 GiB sparse file copied quickly" "took $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s"
				fi
				if [ $(($(stat -c %b "$d/$f") * 512)) -lt $((16 * MiB)) ]; then
					pass "$l ($mode): 5 GiB sparse copy uses under 16 MiB (du: $(du -k "$d/$f" | cut -f1) KiB)"
				else
					fail "$l ($mode): 5 GiB sparse copy uses under 16 MiB" "du: $(du -k "$d/$f" | cut -f1) KiB"
				fi
			fi
		done
	done
}

btrfs= xfs= ext4= tmp=
use_fs btrfs "core-sparse: btrfs" btrfs 160
use_fs xfs "core-sparse: xfs" xfs 300
use_fs ext4 "core-sparse: ext4" ext4 64
use_fs tmp "core-sparse: tmpfs" tmpfs 64

[ -n "$btrfs" ] && make_sparse "$btrfs/src" && sparse_suite "btrfs" "$btrfs/src" "$btrfs/dst" always auto never
[ -n "$xfs" ] && make_sparse "$xfs/src" && sparse_suite "xfs" "$xfs/src" "$xfs/dst" always auto never
[ -n "$ext4" ] && make_sparse "$ext4/src" && sparse_suite "ext4" "$ext4/src" "$ext4/dst" auto never
[ -n "$tmp" ] && make_sparse "$tmp/src" && sparse_suite "tmpfs" "$tmp/src" "$tmp/dst" auto never
[ -n "$tmp" ] && [ -n "$ext4" ] && sparse_suite "tmpfs to ext4" "$tmp/src" "$ext4/from-tmpfs" auto never
[ -n "$ext4" ] && [ -n "$btrfs" ] && sparse_suite "ext4 to btrfs" "$ext4/src" "$btrfs/from-ext4" auto never
