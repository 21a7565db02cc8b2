#!/usr/bin/env bash
# changing.sh - a source that changes size while it is copied. The fault
# shim's "run" action resizes the source at an exact point of the copy
# (before the Nth copy_file_range or pread), so each case is deterministic.
#
# Promised (docs/GUARANTEES.md):
#   - a source that shrinks during the copy is detected: exit 1, "source
#     changed size while it was being copied", DEST as it was, no debris;
#     also in a sparse source, where the hole walk ends early;
#   - a source that grows during the copy is copied up to the size it had
#     when the copy started (DEST equals the source as it was), or, if the
#     library detects it, fails as a shrink does. Either is checked whole.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"
. "$TOP/tests/fault/lib.sh"

if ! build_shim >"$T/.build" 2>&1; then
	fail "changing: build the LD_PRELOAD shim" "$(cat "$T/.build")"
	exit 0
fi
W="$T/w"
mkdir -p "$W/in" && cd "$W" || exit 1
# Originals, copied afresh into in/src before every run.
head -c 3000000 /dev/urandom > "$T/dense"
truncate -s 8M "$T/sparse"
head -c 65536 /dev/urandom | dd of="$T/sparse" conv=notrunc status=none
head -c 65536 /dev/urandom | dd of="$T/sparse" bs=1M seek=4 conv=notrunc status=none
SRC=in/src
fresh_dense() { cp "$T/dense" in/src; }
fresh_sparse() { cp --sparse=always "$T/sparse" in/src; }
CHANGED="source changed size"
# After a short first copy_file_range: the shrink lands half-way.
HALF="copy_file_range:short,copy_file_range:run:after=1"

export RL_FAULT_RUN="truncate -s 1M $W/in/src"
BEFORE=fresh_dense
failure "shrinks half-way through copy_file_range: detected, DEST as it was" "new old" 1 \
	"$CHANGED" "$HALF" copy_file_range --reflink=auto
failure "shrinks half-way through read/write: detected" "new old" 1 "$CHANGED" \
	"pread:run:after=1" pread --reflink=never
export RL_FAULT_RUN="truncate -s 0 $W/in/src"
failure "emptied before the first byte: detected (not copied as empty)" "new old" 1 "$CHANGED" \
	"copy_file_range:run" copy_file_range --reflink=auto

# The hole walk: the source is cut to 2 MiB while its first extent is being
# copied, so its second extent (at 4 MiB) is gone. A copy that reports
# success here has an 8 MiB DEST equal to neither the old nor the new source.
export RL_FAULT_RUN="truncate -s 2M $W/in/src"
BEFORE=fresh_sparse
failure "sparse, shrinks during the hole walk (copy_file_range): detected" "new old" 1 \
	"$CHANGED" "copy_file_range:run" copy_file_range --reflink=auto
failure "sparse, shrinks during the hole walk (read/write): detected" "new" 1 \
	"$CHANGED" "pread:run" pread --reflink=never

# grown CASE NAME RULES FUNC [OPTION...]: the source grows by 1 MiB during the
# copy; DEST must be the source as it was, or the copy fails as a shrink does.
export RL_FAULT_RUN="head -c 1048576 /dev/urandom >> $W/in/src"
grown() {
	local name=$1 rules=$2 func=$3 STATE; shift 3
	for STATE in new old; do
		reset_out
		[ $STATE = old ] && put_old out/dst
		frun "$rules" "$RL" "$@" "$SRC" out/dst
		fired "$func" || why_add "the $func fault never fired"
		[ "$(stat -c %s in/src)" -gt "$(stat -c %s "$ORIG")" ] || why_add "the source did not grow"
		if [ "$RC" = 0 ]; then
			cmp -s "$ORIG" out/dst || why_add "exit 0 but DEST is not the source as it was"
			only_names out dst
			continue
		fi
		err_is 1 "'$SRC' to 'out/dst'" "$CHANGED"
		if [ $STATE = old ]; then is_old out/dst; only_names out dst; else only_names out; fi
	done
	STATE=
	case_end "$name"
}
BEFORE=fresh_dense ORIG="$T/dense"
grown "grows half-way (copy_file_range): DEST is the source as it was, or detected" \
	"$HALF" copy_file_range --reflink=auto
grown "grows half-way (read/write): DEST is the source as it was, or detected" \
	"pread:run:after=1" pread --reflink=never
BEFORE=fresh_sparse ORIG="$T/sparse"
grown "sparse, grows during the hole walk: the source as it was, or detected" \
	"copy_file_range:run" copy_file_range --reflink=auto
