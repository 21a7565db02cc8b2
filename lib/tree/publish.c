/* publish.c - RL_TREE_ATOMIC: the destination directory appears, or is
 * replaced, in one step. The new tree is built in a hidden stage beside
 * it (same parent, so same filesystem), then renamed into place with
 * RENAME_NOREPLACE, or swapped with the old tree by RENAME_EXCHANGE,
 * which is then removed. A reader sees the whole old tree or the whole
 * new one. A failure, a signal or SIGKILL before the swap leaves dst as it
 * was; the stage holds an flock(2) while in use, so a stage whose lock is
 * free was left by a killed run and the next run for the same dst removes
 * it. Stage names: ".rl-stage-<hash of dst's name>-<random>". */
#include "tree.h"
#include "../common/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#define STAGE_PREFIX ".rl-stage-"
#define STAGE_NAME_MAX 64
#define DENTS_BUF (32 * 1024)

/* ".rl-stage-<hash>-": what every stage of one target starts with. */
static void stage_prefix(const char *name, char out[STAGE_NAME_MAX])
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	snprintf(out, STAGE_NAME_MAX, STAGE_PREFIX "%016llx-", (unsigned long long)h);
}

/* Remove the stage dir/name if no run holds its lock. */
static void remove_if_stale(int dirfd, const char *name)
{
	int fd = rl__openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		rl__remove_tree(dirfd, name);
	rl__close(fd); /* our lock goes with it */
}

/* Remove every stage of this target left by a killed run. */
static void clean_stale(int dirfd, const char *prefix)
{
	int fd = rl__openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	char *buf = malloc(DENTS_BUF);
	size_t plen = strlen(prefix);
	for (ssize_t n; fd >= 0 && buf && (n = getdents64(fd, buf, DENTS_BUF)) != 0;) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (ssize_t off = 0; off < n;) {
			const char *rec = buf + off, *nm = rl__dent_name(rec);
			if (strncmp(nm, prefix, plen) == 0)
				remove_if_stale(dirfd, nm);
			off += rl__dent_len(rec);
		}
	}
	free(buf);
	if (fd >= 0)
		rl__close(fd);
}

/* Make a fresh stage and lock it: its fd (lock held), name in out. */
static int make_stage(int dirfd, const char *prefix, char out[STAGE_NAME_MAX])
{
	for (int tries = 0; tries < 100; tries++) {
		uint64_t x = 0;
		if (getrandom(&x, sizeof x, GRND_NONBLOCK) != (ssize_t)sizeof x)
			x = (uint64_t)getpid() * 2654435761u + (uint64_t)tries;
		snprintf(out, STAGE_NAME_MAX, "%s%016llx", prefix, (unsigned long long)x);
		if (mkdirat(dirfd, out, 0700) != 0) {
			if (errno == EEXIST)
				continue;
			return -errno;
		}
		int fd = rl__openat(dirfd, out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
				    O_CLOEXEC, 0);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		int r = fd < 0 ? fd : -errno;
		if (fd >= 0)
			rl__close(fd);
		unlinkat(dirfd, out, AT_REMOVEDIR);
		return r;
	}
	return -EEXIST;
}

/* Put the finished stage in place of name: 0 or -errno (dst untouched). */
static int swap_in(int dirfd, const char *stage, const char *name, int exists)
{
	unsigned int how = exists ? RENAME_EXCHANGE : RENAME_NOREPLACE;
	if (renameat2(dirfd, stage, dirfd, name, how) != 0)
		return errno == EINVAL ? -EOPNOTSUPP : -errno;
	if (exists) /* the old tree now has the stage's name */
		rl__remove_tree(dirfd, stage);
	return 0;
}

/* dst's parent open, its last name, and whether a directory is there:
 * 0 absent, 1 a directory, or -errno (-ENOTDIR for anything else, a
 * symlink too: never replaced through). */
static int target(const char *dst, int *dirfd, char **dir, const char **name)
{
	size_t len = strlen(dst);
	while (len > 1 && dst[len - 1] == '/')
		len--;
	if (!(*dir = strndup(dst, len)))
		return -ENOMEM;
	char *slash = strrchr(*dir, '/');
	*name = slash ? slash + 1 : *dir;
	if (slash)
		*slash = 0;
	const char *parent = !slash ? "." : slash == *dir ? "/" : *dir;
	if (!**name || !strcmp(*name, ".") || !strcmp(*name, ".."))
		return -EINVAL;
	if ((*dirfd = rl__openat(AT_FDCWD, parent, O_RDONLY | O_DIRECTORY |
				 O_CLOEXEC, 0)) < 0)
		return *dirfd;
	struct stat st;
	if (fstatat(*dirfd, *name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -errno;
	return S_ISDIR(st.st_mode) ? 1 : -ENOTDIR;
}

static int build(const char *src, const char *dst, int dirfd, const char *dir,
		 const char *stage, const rl_tree_options *o, rl_tree_stats *stats)
{
	/* The stage is the copy's root: the walk never enters it, and the
	 * "inside the source" rule is asked of dst itself. */
	rl_tree_options so = *o;
	char *path = NULL;
	so.flags = (o->flags & ~RL_TREE_ATOMIC) | RL_TREE_MERGE;
	int r = asprintf(&path, "%s/%s", dir, stage) < 0 ? -ENOMEM : 0;
	if (r == 0)
		r = rl__tree_copy(src, path, dst, &so, stats, 1);
	else
		path = NULL;
	if (r < 0)
		rl__remove_tree(dirfd, stage);
	free(path);
	return r;
}

int rl__publish(const char *src, const char *dst, const rl_tree_options *o,
		rl_tree_stats *stats)
{
	char prefix[STAGE_NAME_MAX], stage[STAGE_NAME_MAX], *dir = NULL;
	const char *name;
	int dirfd = -1, sfd = -1;
	int exists = target(dst, &dirfd, &dir, &name);
	int r = exists < 0 ? exists : 0;
	struct stat st;
	if (r == 0 && (stat(src, &st) != 0 || !S_ISDIR(st.st_mode)))
		r = errno == ENOENT ? -ENOENT : -ENOTDIR;
	if (r == 0) {
		stage_prefix(name, prefix);
		clean_stale(dirfd, prefix);
		r = sfd = make_stage(dirfd, prefix, stage);
	}
	if (r >= 0) {
		const char *parent = strchr(dst, '/') ? (*dir ? dir : "/") : ".";
		r = build(src, dst, dirfd, parent, stage, o, stats);
	}
	if (r >= 0 && (r = swap_in(dirfd, stage, name, exists)) < 0)
		rl__remove_tree(dirfd, stage);
	if (sfd >= 0)
		rl__close(sfd); /* the lock goes with it */
	if (dirfd >= 0)
		rl__close(dirfd);
	free(dir);
	return r < 0 ? r : 0;
}
