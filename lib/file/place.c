/* place.c - putting a new entry in place, for the single-file commit and
 * the tree alike: fresh hidden temporary names (one retry limit), naming
 * an unnamed O_TMPFILE, renaming into place (no-replace where asked),
 * keeping the old entry as a backup,
 * owners and modes set by fd or by name, and fresh directories this run
 * can fill. */
#include "../common/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Random names collide only when something else makes ours on purpose;
 * then give up rather than spin. */
#define TEMP_TRIES 100

/* A fresh hidden name for a temporary; never derived from the user's name,
 * so it cannot grow past NAME_MAX. */
static void temp_name(char buf[RL__TMP_NAME_MAX])
{
	uint64_t x = 0;
	if (getrandom(&x, sizeof x, GRND_NONBLOCK) != (ssize_t)sizeof x) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^
		    (uint64_t)(uintptr_t)buf;
	}
	snprintf(buf, RL__TMP_NAME_MAX, ".rl-tmp-%016llx", (unsigned long long)x);
}

int rl__place_temp(char tmp[RL__TMP_NAME_MAX],
		   int (*make)(void *ctx, const char *name), void *ctx)
{
	int r = -EEXIST;
	for (int tries = 0; tries < TEMP_TRIES && r == -EEXIST; tries++) {
		temp_name(tmp);
		r = make(ctx, tmp);
	}
	if (r < 0)
		tmp[0] = 0;
	return r;
}

int rl__place_unnamed(int fd, int dirfd, const char *name)
{
	if (linkat(fd, "", dirfd, name, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOENT && errno != EPERM)
		return -errno;
	/* Without CAP_DAC_READ_SEARCH, link through /proc (as open(2) shows). */
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	return linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0 ? 0 : -errno;
}

int rl__place_rename(int dirfd, const char *tmp, const char *name,
		     int no_clobber)
{
	if (!no_clobber)
		return renameat(dirfd, tmp, dirfd, name) == 0 ? 0 : -errno;
	if (renameat2(dirfd, tmp, dirfd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* No RENAME_NOREPLACE here: link(2) refuses to overwrite as well. */
	if (linkat(dirfd, tmp, dirfd, name, 0) != 0)
		return -errno;
	unlinkat(dirfd, tmp, 0);
	return 0;
}

static int chown_one(int fd, int dirfd, const char *name, uid_t uid, gid_t gid)
{
	int r = fd >= 0 ? fchown(fd, uid, gid)
			: fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
	return r == 0 ? 0 : -errno;
}

int rl__place_owner(int fd, int dirfd, const char *name, const struct stat *st)
{
	int r = chown_one(fd, dirfd, name, st->st_uid, st->st_gid);
	if (r == 0)
		return 1;
	if (r != -EPERM && r != -EINVAL)
		return r;
	/* Not root: keep at least the group, if we belong to it (as cp). */
	r = chown_one(fd, dirfd, name, (uid_t)-1, st->st_gid);
	return r == 0 || r == -EPERM || r == -EINVAL ? 0 : r;
}

mode_t rl__place_mode_of(const struct stat *st, int owned)
{
	mode_t want = st->st_mode & 07777;
	/* setuid/setgid only for the source's owner (chown cleared them). */
	return owned ? want : want & (mode_t)~(S_ISUID | S_ISGID);
}

int rl__place_mode(int fd, int dirfd, const char *name, mode_t mode)
{
	if (fd >= 0)
		return fchmod(fd, mode) == 0 ? 0 : -errno;
	if (!name)
		return -EINVAL;
	return fchmodat(dirfd, name, mode, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
}

/* Keep the old dirfd/name also as backup, before the new file takes the
 * name: a hard link made under a fresh name and renamed onto backup (which
 * may exist: a simple backup is replaced), so name is never absent, where
 * cp renames the old file away first. Only where hard links are
 * impossible (vfat, EMLINK), the old file is renamed to backup. */
struct old_file {
	int dirfd;
	const char *name;
};

static int link_old(void *ctx, const char *tmp)
{
	const struct old_file *o = ctx;
	return linkat(o->dirfd, o->name, o->dirfd, tmp, 0) == 0 ? 0 : -errno;
}

int rl__place_backup(int dirfd, const char *name, const char *backup)
{
	char tmp[RL__TMP_NAME_MAX];
	struct old_file o = { dirfd, name };
	int r = rl__place_temp(tmp, link_old, &o);
	if (r == 0) {
		r = renameat(dirfd, tmp, dirfd, backup) == 0 ? 0 : -errno;
		/* Also when backup already was this inode: rename then
		 * does nothing and tmp stays. */
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	if (r != -EPERM && r != -EOPNOTSUPP && r != -EMLINK)
		return r;
	return renameat(dirfd, name, dirfd, backup) == 0 ? 0 : -errno;
}


int rl__place_mkdir(int dirfd, const char *name)
{
	/* Only we may enter it until its own mode is set, last. */
	return mkdirat(dirfd, name, 0700) == 0 ? 0 : -errno;
}

int rl__place_dir_ours(int fd, const struct stat *st)
{
	/* A umask (or a copied read-only mode) denying us rwx on a
	 * directory we fill or empty would stop us. */
	if ((st->st_mode & 0700) == 0700)
		return 0;
	return rl__place_mode(fd, -1, NULL, (st->st_mode & 07777) | 0700);
}
