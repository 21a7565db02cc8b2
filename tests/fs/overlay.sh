#!/usr/bin/env bash
# overlay.sh - reflink inside an overlayfs (a container's root), over loop
# images the test makes: lower and upper on one btrfs, on one XFS
# (reflink=1), and lower and upper on different filesystems (ext4 or btrfs
# under an XFS upper). Clones of lower files are proven with FIEMAP (the
# upper copy shares the lower file's extents); auto and never modes; trees
# with -a (content, modes, times, symlinks, xattrs as the source); copy-up
# of a file that was cloned (rewritten through the merged dir: the clone
# keeps the old bytes); --check on the merged dir.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"
. "$TOP/tests/lib/cli.sh"

[ -x "$FIEMAP" ] || { fail "overlay: fiemap tool" "build it: make B=... $FIEMAP"; exit 0; }
GEN=(/usr/bin/python3 "$TOP/tests/tools/treegen.py")

same_tree() {
	if diff <("${GEN[@]}" list "$2" --meta --xattr) <("${GEN[@]}" list "$3" --meta --xattr) >"$T/.diff" 2>&1
	then pass "$1"; else fail "$1" "$(head -c 600 "$T/.diff" | tr '\n' '|')"; fi
}

# mount_overlay VAR LOWER UPPERFS: an overlay of LOWER with its upper and
# work directories on the filesystem mounted at UPPERFS; merged dir in VAR.
mount_overlay() {
	local _u=$3/upper _w=$3/work _m
	_m=$(mktemp -d "$T/merged.XXXX")
	mkdir -p "$_u" "$_w"
	mount -t overlay rl-test-overlay -o "lowerdir=$2,upperdir=$_u,workdir=$_w" "$_m" || return 1
	on_exit "umount '$_m' 2>/dev/null || umount -l '$_m'"
	printf -v "$1" '%s' "$_m"
}

# make_lower DIR: the files and the tree the tests copy.
make_lower() {
	mkdir -p "$1"
	head -c 4M /dev/urandom > "$1/big"
	head -c $((1048576 + 123)) /dev/urandom > "$1/tail"
	head -c 1M /dev/urandom > "$1/cu"
	"${GEN[@]}" gen 11 "$1/tree" >/dev/null
	sync -f "$1/big"
}

# clone_modes FS M CLONES: single files in each mode, through merged dir M.
# CLONES: yes if lower and upper are one filesystem.
clone_modes() {
	local fs=$1 m=$2 clones=$3 f
	for f in big tail; do
		rl_run "$RL" -v "$m/$f" "$m/$f.always"
		if [ "$clones" = yes ]; then
			if [ "$RC" = 0 ] && [[ "$OUT" == *"(clone)" ]]; then pass "$fs: always clones lower '$f', -v says clone"
			else fail "$fs: always clones lower '$f', -v says clone" "exit $RC, stdout '$OUT': $ERR"; fi
			same_content "$fs: clone of '$f' has identical content" "$m/$f" "$m/$f.always"
			shares_all "$fs: clone of lower '$f' shares its extents (FIEMAP)" "$m/$f.always"
		else
			expect_error "$fs: always mode, lower on another filesystem: exit 3, one line" 3 "$m/$f" "clone"
			if [ ! -e "$m/$f.always" ]; then pass "$fs: always mode's failure leaves no '$f.always'"
			else fail "$fs: always mode's failure leaves no '$f.always'" "it exists"; fi
		fi
		rl_run "$RL" -v --reflink=auto "$m/$f" "$m/$f.auto"
		same_content "$fs: auto copy of '$f' has identical content" "$m/$f" "$m/$f.auto"
		if [ "$clones" = yes ]; then
			if [ "$RC" = 0 ] && [[ "$OUT" == *"(clone)" ]]; then pass "$fs: auto clones '$f'"
			else fail "$fs: auto clones '$f'" "exit $RC, stdout '$OUT': $ERR"; fi
			shares_all "$fs: auto clone of '$f' shares its extents" "$m/$f.auto"
		else
			if [ "$RC" = 0 ] && [[ "$OUT" == *"(copy_file_range)" || "$OUT" == *"(read_write)" ]]; then
				pass "$fs: auto falls back to a copy across filesystems ($OUT)"
			else fail "$fs: auto falls back to a copy across filesystems" "exit $RC, stdout '$OUT': $ERR"; fi
			shares_none "$fs: auto copy across filesystems shares nothing" "$m/$f.auto"
		fi
		rl_run "$RL" -v --reflink=never "$m/$f" "$m/$f.never"
		expect_ok "$fs: never mode copies '$f'"
		same_content "$fs: never copy of '$f' has identical content" "$m/$f" "$m/$f.never"
		shares_none "$fs: never copy of '$f' shares nothing" "$m/$f.never"
	done
	# A file made in the merged dir lives in the upper: it clones there.
	head -c 2M /dev/urandom > "$m/new"
	rl_run "$RL" -v "$m/new" "$m/new.clone"
	if [ "$RC" = 0 ] && [[ "$OUT" == *"(clone)" ]]; then pass "$fs: a file new in the upper clones"
	else fail "$fs: a file new in the upper clones" "exit $RC, stdout '$OUT': $ERR"; fi
	shares_all "$fs: the upper file's clone shares its extents" "$m/new.clone"
}

# tree_copy FS M CLONES: reflink -a of a lower tree, through merged dir M.
tree_copy() {
	local fs=$1 m=$2 clones=$3 mode=always
	[ "$clones" = yes ] || mode=auto
	rl_run "$RL" -a --reflink=$mode "$m/tree" "$m/tree.a"
	expect_ok "$fs: -a --reflink=$mode copies the lower tree"
	same_tree "$fs: -a tree: content, modes, times, symlinks, xattrs as the source" "$m/tree" "$m/tree.a"
	rl_run "$RL" -a --reflink=never "$m/tree" "$m/tree.never"
	expect_ok "$fs: -a --reflink=never copies the lower tree"
	same_tree "$fs: -a never tree: as the source" "$m/tree" "$m/tree.never"
	local f n=0 bad=""
	while IFS= read -r f; do
		n=$((n + 1))
		if [ "$clones" = yes ]; then all_shared "$f" || bad="$f: $("$FIEMAP" "$f")"
		else [ "$(shared_bytes "$f")" = 0 ] || bad="$f: $("$FIEMAP" "$f")"; fi
		[ -z "$bad" ] || break
	done < <("${GEN[@]}" files "$m/tree.a")
	[ $n -gt 0 ] || bad="no file with data in the tree"
	local what="every file of the -a tree shares its extents"
	[ "$clones" = yes ] || what="no file of the -a tree shares anything"
	if [ -z "$bad" ]; then pass "$fs: $what ($n files)"; else fail "$fs: $what" "$bad"; fi
}

# copy_up FS M LOWER: clone a lower file, then rewrite the merged file
# (overlayfs copies it up first): the clone keeps the old bytes.
copy_up() {
	local fs=$1 m=$2 lower=$3 clones=$4 mode=always
	[ "$clones" = yes ] || mode=auto
	cp "$lower/cu" "$T/cu.old"
	head -c 1M /dev/urandom > "$T/cu.new"
	rl_run "$RL" --reflink=$mode "$m/cu" "$m/cu.clone"
	expect_ok "$fs: copy-up: the lower file copied ($mode)"
	dd if="$T/cu.new" of="$m/cu" bs=64K conv=notrunc,fsync status=none
	same_content "$fs: copy-up: the rewritten merged file has the new bytes" "$T/cu.new" "$m/cu"
	same_content "$fs: copy-up: the clone keeps the old bytes" "$T/cu.old" "$m/cu.clone"
	same_content "$fs: copy-up: the lower file is untouched" "$T/cu.old" "$lower/cu"
	if [ "$clones" = yes ]; then
		shares_all "$fs: copy-up: the clone still shares the lower file's extents" "$m/cu.clone"
	fi
}

# check_merged FS M: --check on the merged dir answers for the upper.
check_merged() {
	local fs=$1 m=$2
	rl_run "$RL" --check "$m"
	if [ "$RC" = 0 ] && [ "$OUT" = "'$m': clones supported (overlay)" ]; then pass "$fs: --check on the merged dir: supported (overlay), exit 0"
	else fail "$fs: --check on the merged dir: supported (overlay), exit 0" "exit $RC, stdout '$OUT': $ERR"; fi
	rl_run "$RL" --check --json "$m"
	local got
	got=$(/usr/bin/python3 -c 'import json,sys; [r]=json.load(open(sys.argv[1])); print(r["supported"], r["fstype"], r["offload"])' "$T/.out" 2>&1)
	if [ "$RC" = 0 ] && [ "$got" = "True overlay None" ]; then pass "$fs: --check --json: supported, overlay, offload null"
	else fail "$fs: --check --json: supported, overlay, offload null" "exit $RC, got '$got'"; fi
	if [ -z "$(find "$m" -maxdepth 1 -name '.rl-*')" ]; then pass "$fs: --check leaves nothing in the merged dir"
	else fail "$fs: --check leaves nothing in the merged dir" "$(ls -A "$m")"; fi
}

# overlay_suite LOWERFS UPPERFS: lower on LOWERFS, upper on UPPERFS (the
# same filesystem when the two are equal).
overlay_suite() {
	local lt=$1 ut=$2 fs="overlay lower $1 upper $2" lm um m clones=no
	use_fs lm "$fs" "$lt" 600 || return
	if [ "$lt" = "$ut" ]; then um=$lm; clones=yes
	else use_fs um "$fs" "$ut" 600 || return; fi
	make_lower "$lm/lower"
	if ! mount_overlay m "$lm/lower" "$um"; then fail "$fs: mount the overlay" "mount -t overlay failed"; return; fi
	clone_modes "$fs" "$m" $clones
	tree_copy "$fs" "$m" $clones
	copy_up "$fs" "$m" "$lm/lower" $clones
	check_merged "$fs" "$m"
}

overlay_suite btrfs btrfs
overlay_suite xfs xfs
overlay_suite ext4 xfs
overlay_suite btrfs xfs
