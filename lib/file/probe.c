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

/* offload: the kind of filesystem whose kernel client hands
 * copy_file_range to the server or daemon (FUSE_COPY_FILE_RANGE since
 * 4.20, NFS 4.2 COPY, SMB3 server-side copy, CephFS object copy), which
 * may clone there. FICLONE does not reach them (NFS 4.2 CLONE aside, which
 * the clone trial finds). */
struct magic_name {
	unsigned long magic;
	const char *name;
	const char *offload;
};

/* For filesystems whose st_dev is not in the mount table (btrfs
 * subvolumes have their own anonymous device numbers). */
static const struct magic_name magics[] = {
	{ 0x9123683e, "btrfs", NULL },   { 0x58465342, "xfs", NULL },
	{ 0xef53, "ext4", NULL },        { 0x01021994, "tmpfs", NULL },
	{ 0xca451a4e, "bcachefs", NULL }, { 0x7461636f, "ocfs2", NULL },
	{ 0x6969, "nfs", "nfs" },        { 0xfe534d42, "smb2", "smb" },
	{ 0x794c7630, "overlay", NULL }, { 0x2fc12fc1, "zfs", NULL },
	{ 0x9fa0, "proc", NULL },        { 0x62656572, "sysfs", NULL },
	{ 0x65735546, "fuse", "fuse" },  { 0xf2f52010, "f2fs", NULL },
	{ 0xff534d42, "cifs", "smb" },   { 0x00c36400, "ceph", "cephfs" },
};

static const struct magic_name *magic_of(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) != 0)
		return NULL;
	for (size_t i = 0; i < sizeof magics / sizeof magics[0]; i++)
		if ((unsigned long)sf.f_type == magics[i].magic)
			return &magics[i];
	return NULL;
}

static void fstype_from_magic(int fd, char *out, size_t cap)
{
	struct statfs sf;
	const struct magic_name *m = magic_of(fd);
	if (m)
		snprintf(out, cap, "%s", m->name);
	else if (fstatfs(fd, &sf) == 0)
		snprintf(out, cap, "0x%lx", (unsigned long)sf.f_type);
	else
		snprintf(out, cap, "unknown");
}

/* A probe file: unnamed, or named and unlinked at once where there is no
 * O_TMPFILE (FUSE, NFS), so that only a kill in between leaves it. */
static int probe_file(int dirfd)
{
	char tmp[RL__TMP_NAME_MAX];
	int fd = rl__make_temp(dirfd, 0600, tmp);
	if (fd >= 0 && tmp[0])
		unlinkat(dirfd, tmp, 0);
	return fd;
}

/* Clone one probe file into another: nothing named, nothing left. */
static int try_clone(int dirfd)
{
	static const char block[512] = "reflink probe";
	int a = probe_file(dirfd);
	if (a < 0)
		return a;
	int b = probe_file(dirfd);
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
	if (out->version >= 2) { /* a version 1 struct ends at fstype */
		const struct magic_name *m = out->supported ? NULL : magic_of(dirfd);
		snprintf(out->offload, sizeof out->offload, "%s",
			 m && m->offload ? m->offload : "");
	}
	rl__close(dirfd);
	return 0;
}
