/* probe.c - does the filesystem at a path support clones? */
#include "../common/internal.h"
#include "../common/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

/* The type the mount table gives the mount holding st_dev. */
static int fstype_from_mountinfo(dev_t dev, char *out, size_t cap)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return 0;
	char line[4096];
	int found = 0;
	while (!found && fgets(line, sizeof line, f)) {
		unsigned int ma, mi;
		char type[32];
		const char *sep = strstr(line, " - ");
		if (sscanf(line, "%*d %*d %u:%u", &ma, &mi) != 2 || !sep)
			continue;
		if (makedev(ma, mi) != dev || sscanf(sep + 3, "%31s", type) != 1)
			continue;
		snprintf(out, cap, "%s", type);
		found = 1;
	}
	fclose(f);
	return found;
}

struct magic_name {
	unsigned long magic;
	const char *name;
};

/* For filesystems whose st_dev is not in the mount table (btrfs
 * subvolumes have their own anonymous device numbers). */
static const struct magic_name magics[] = {
	{ 0x9123683e, "btrfs" }, { 0x58465342, "xfs" },
	{ 0xef53, "ext4" },      { 0x01021994, "tmpfs" },
	{ 0xca451a4e, "bcachefs" }, { 0x7461636f, "ocfs2" },
	{ 0x6969, "nfs" },       { 0xfe534d42, "smb2" },
	{ 0x794c7630, "overlay" }, { 0x2fc12fc1, "zfs" },
	{ 0x9fa0, "proc" },      { 0x62656572, "sysfs" },
	{ 0x65735546, "fuse" },  { 0xf2f52010, "f2fs" },
};

static void fstype_from_magic(int fd, char *out, size_t cap)
{
	struct statfs sf;
	snprintf(out, cap, "unknown");
	if (fstatfs(fd, &sf) != 0)
		return;
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if ((unsigned long)sf.f_type == magics[i].magic) {
			snprintf(out, cap, "%s", magics[i].name);
			return;
		}
	snprintf(out, cap, "0x%lx", (unsigned long)sf.f_type);
}

/* Clone one unnamed file into another: nothing named, nothing left. */
static int try_clone(int dirfd)
{
	static const char block[512] = "reflink probe";
	int a = rl__openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (a < 0)
		return a;
	int b = rl__openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	int r = b < 0 ? b : rl__write_all(a, block, sizeof block, 0);
	if (r == 0)
		r = rl__fallback_reason(rl__ficlone(b, a));
	if (b >= 0)
		rl__close(b);
	rl__close(a);
	return r;
}

/* Without write access, judge by type: these always clone. */
static int type_always_clones(const char *t)
{
	return !strcmp(t, "btrfs") || !strcmp(t, "bcachefs") || !strcmp(t, "ocfs2");
}

static int open_dir_of(const char *path)
{
	/* O_PATH: opening a device node would run its driver's open. */
	int fd = rl__openat(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		return fd;
	rl__close(fd);
	/* A file means its directory: "path/.." would not do for "a/file". */
	char dir[4096];
	const char *slash = strrchr(path, '/');
	if (!slash)
		return rl__openat(AT_FDCWD, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return rl__openat(AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
}

int rl_probe(const char *path, rl_probe_result *out)
{
	struct stat st;
	if (!path || !out || out->version == 0)
		return -EINVAL;
	int dirfd = open_dir_of(path);
	if (dirfd < 0)
		return dirfd;
	if (fstat(dirfd, &st) != 0 || !fstype_from_mountinfo(st.st_dev, out->fstype,
							     sizeof out->fstype))
		fstype_from_magic(dirfd, out->fstype, sizeof out->fstype);
	int r = try_clone(dirfd);
	if (r == -EACCES || r == -EPERM || r == -EROFS) {
		/* Cannot write here: answer from the type alone. */
		r = type_always_clones(out->fstype) ? 0 : r;
	}
	out->supported = r == 0;
	out->reason = r;
	rl__close(dirfd);
	return 0;
}
