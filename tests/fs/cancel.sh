#!/usr/bin/env bash
# cancel.sh - cancelling a clone (the C unit tests named fs_cancel_*) on
# real btrfs and XFS (reflink=1) loop images: a 2 GiB file cloned in 1 GiB
# FICLONERANGE pieces stops between two of them with -ECANCELED, the
# destination as it was and no temporary left; uncancelled, the pieces
# make a whole clone. The unit runner runs fs_* tests only when named.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"

UNIT="$B/unit-tests"
[ -x "$UNIT" ] || { fail "cancel: unit tests" "build them: make B=$B"; exit 0; }
for fs in btrfs xfs; do
	mnt=$(fs_or_skip "cancel: $fs" $fs 8192) || continue
	RL_CLONE_DIR="$mnt" "$UNIT" fs_cancel_ > "$T/.unit" 2>&1
	while IFS= read -r line; do
		case "$line" in
		"ok - unit/"*) pass "cancel ($fs): ${line#ok - unit/}" ;;
		"not ok - unit/"*) fail "cancel ($fs): ${line#not ok - unit/}" "$(grep -v '^ok\|^not ok\|^skip' "$T/.unit" | tail -3)" ;;
		"skip - unit/"*) fail "cancel ($fs): ${line#skip - unit/}" "clones do not work on this $fs image" ;;
		"#"*) echo "$line" ;;
		esac
	done < "$T/.unit"
	grep -q '^ok - unit/fs_cancel_clone_range' "$T/.unit" ||
		fail "cancel ($fs): clone_range test ran" "$(tail -3 "$T/.unit")"
done
