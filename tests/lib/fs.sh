# fs.sh - real filesystems for tests: loop-mounted images made and mounted
# by the test itself, under its own scratch directory, unmounted and
# detached by the EXIT trap even when the test fails. Source after common.sh.

# mkfs_for TYPE: print the mkfs command line for TYPE.
_mkfs_cmd() {
	case "$1" in
	btrfs) need_pkg mkfs.btrfs btrfs-progs && echo "mkfs.btrfs -q -f" ;;
	xfs) need_pkg mkfs.xfs xfsprogs && echo "mkfs.xfs -q -f -m reflink=1" ;;
	ext4) echo "mkfs.ext4 -q -F" ;;
	*) return 1 ;;
	esac
}

# mount_fs TYPE SIZE_MB: mount a fresh filesystem; print its mount point.
# TYPE is btrfs, xfs, ext4, tmpfs or ramfs (no xattrs). Fails (status 1)
# if it cannot.
mount_fs() {
	local type=$1 mb=$2 mnt img mkfs
	is_root || return 1
	mnt=$(mktemp -d "$T/mnt-$type.XXXX")
	if [ "$type" = tmpfs ] || [ "$type" = ramfs ]; then
		mount -t "$type" -o "size=${mb}m" rl-test "$mnt" || return 1
		on_exit "umount -l '$mnt'"
		echo "$mnt"
		return 0
	fi
	mkfs=$(_mkfs_cmd "$type") || return 1
	img="$T/$type-$(basename "$mnt").img"
	truncate -s "${mb}M" "$img" || return 1
	$mkfs "$img" >/dev/null 2>&1 || return 1
	mount -o loop "$img" "$mnt" || return 1
	# umount -d detaches the loop device it created.
	on_exit "umount -d '$mnt' 2>/dev/null || umount -l -d '$mnt'"
	echo "$mnt"
}

# fs_or_skip NAME TYPE SIZE_MB: mount, or report why not. In CI a
# real-filesystem test that cannot run is a failure, not a skip.
fs_or_skip() {
	local name=$1 type=$2 mb=$3 why mnt
	if mnt=$(mount_fs "$type" "$mb"); then
		echo "$mnt"
		return 0
	fi
	if is_root; then why="could not make a $type filesystem"; else why="needs root for loop mounts"; fi
	if in_ci; then fail "$name" "$why (CI=true: a skip is a failure)" >&3
	else skip "$name" "$why" >&3; fi
	return 1
}

# shared_bytes FILE: bytes FIEMAP reports as shared.
shared_bytes() { "$FIEMAP" "$1" | awk '{print $4}'; }
data_bytes() { "$FIEMAP" "$1" | awk '{print $6}'; }
# all_shared FILE: every data byte of FILE is shared (and there is data).
all_shared() {
	local s d
	read -r _ _ _ s _ d < <("$FIEMAP" "$1") || return 1
	[ "$d" -gt 0 ] && [ "$s" = "$d" ]
}

# shares_all NAME FILE / shares_none NAME FILE: report whether every data
# byte of FILE is shared (FIEMAP), or none is (and there is data).
shares_all() {
	if all_shared "$2"; then pass "$1"; else fail "$1" "fiemap: $("$FIEMAP" "$2" 2>&1)"; fi
}
shares_none() {
	local s d
	read -r _ _ _ s _ d < <("$FIEMAP" "$2")
	if [ "${d:-0}" -gt 0 ] && [ "$s" = 0 ]; then pass "$1"
	else fail "$1" "fiemap: $("$FIEMAP" "$2" 2>&1)"; fi
}

# use_fs VAR NAME TYPE SIZE_MB: as fs_or_skip, but run in the calling shell
# so the unmount registered by mount_fs is kept (inside $(...) on_exit runs
# in a subshell and the cleanup is lost), leaving the mount point in VAR.
use_fs() {
	local _var=$1 _name=$2 _why
	if mount_fs "$3" "$4" > "$T/.use_fs"; then
		printf -v "$_var" '%s' "$(cat "$T/.use_fs")"
		return 0
	fi
	if is_root; then _why="could not make a $3 filesystem"; else _why="needs root for loop mounts"; fi
	if in_ci; then fail "$_name" "$_why (CI=true: a skip is a failure)"
	else skip "$_name" "$_why"; fi
	return 1
}
