/* remove.c - remove a directory and everything below it, relative to fds:
 * never follows a symlink, holds one directory fd at a time, and checks
 * device and inode when it climbs back with "..", so a tree moved
 * meanwhile is not followed out of. Used by RL_MODE_ALWAYS's undo (later
 * by --delete and --atomic). */
#include "tree.h"
#include "../common/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DENTS_BUF (32 * 1024)

struct level {
	dev_t dev;
	ino_t ino;
	char *name;
};

static int open_dir(int dirfd, const char *name, struct level *lv)
{
	struct stat st;
	int fd = rl__openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) != 0) {
		int r = -errno;
		rl__close(fd);
		return r;
	}
	rl__place_dir_ours(fd, &st); /* a read-only copy must be emptied too */
	lv->dev = st.st_dev;
	lv->ino = st.st_ino;
	return fd;
}

/* Unlink everything but directories in fd; *sub gets the name of a
 * directory left (caller frees), NULL when fd is empty. */
static int clear_files(int fd, char *buf, char **sub)
{
	*sub = NULL;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		ssize_t n = getdents64(fd, buf, DENTS_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		for (ssize_t off = 0; off < n;) {
			const char *rec = buf + off;
			const char *name = rec + offsetof(struct dirent64, d_name);
			unsigned short len;
			memcpy(&len, rec + offsetof(struct dirent64, d_reclen), sizeof len);
			off += len;
			if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
				continue;
			if (unlinkat(fd, name, 0) == 0 || errno == ENOENT)
				continue;
			if (errno != EISDIR)
				return -errno;
			*sub = strdup(name);
			return *sub ? 0 : -ENOMEM;
		}
	}
}

/* Climb from fd (level top, closed here) to its parent and remove it
 * there. Returns the parent's fd (dirfd at the first level) or -errno. */
static int climb(int fd, int dirfd, struct level *lv, size_t top)
{
	int up = dirfd;
	if (top > 0) {
		struct stat st;
		up = rl__openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (up >= 0 && (fstat(up, &st) != 0 || st.st_dev != lv[top - 1].dev ||
				st.st_ino != lv[top - 1].ino)) {
			rl__close(up); /* moved meanwhile: not ours to climb */
			up = -ESTALE;
		}
		if (up < 0) {
			rl__close(fd);
			return up;
		}
	}
	rl__close(fd);
	if (unlinkat(up, lv[top].name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
		int r = -errno;
		if (up != dirfd)
			rl__close(up);
		return r;
	}
	return up;
}

int rl__remove_tree(int dirfd, const char *name)
{
	struct level *lv = calloc(1, sizeof *lv);
	char *buf = malloc(DENTS_BUF);
	size_t depth = 0, cap = 1;
	int r = 0, fd = -1;
	if (!lv || !buf || !(lv[0].name = strdup(name)))
		r = -ENOMEM;
	else if ((fd = open_dir(dirfd, name, &lv[0])) < 0)
		r = fd;
	else
		depth = 1;
	while (depth > 0) {
		char *sub = NULL;
		if ((r = clear_files(fd, buf, &sub)) < 0)
			break;
		if (!sub) { /* empty: remove it and go on in the parent */
			depth--;
			fd = climb(fd, dirfd, lv, depth);
			free(lv[depth].name);
			if (fd < 0 || depth == 0) {
				r = fd < 0 ? fd : 0;
				fd = -1;
				break;
			}
			continue;
		}
		if (depth == cap) {
			struct level *more = realloc(lv, 2 * cap * sizeof *lv);
			if (!more) {
				free(sub);
				r = -ENOMEM;
				break;
			}
			lv = more;
			cap *= 2;
		}
		int sfd = open_dir(fd, sub, &lv[depth]);
		if (sfd < 0) {
			free(sub);
			r = sfd;
			break;
		}
		lv[depth++].name = sub;
		rl__close(fd);
		fd = sfd;
	}
	if (fd >= 0 && fd != dirfd)
		rl__close(fd);
	for (size_t i = 0; i < depth; i++)
		free(lv[i].name);
	free(lv);
	free(buf);
	return r;
}
