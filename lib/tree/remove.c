/* remove.c - remove an entry and, for a directory, everything below it,
 * relative to fds: never follows a symlink (a link is removed as a link),
 * never enters another filesystem (a mount point is refused with -EXDEV),
 * holds one directory fd at a time, and checks device and inode when it
 * climbs back with "..", so a tree moved meanwhile is not followed out of.
 * Each directory is listed once: its non-directories are unlinked as they
 * are read, its subdirectories kept by name and emptied one after another.
 * An entry that cannot go is told once (cb->fail) and keeps the
 * directories above it, which are then not told again. A stop (cb->stop,
 * asked per entry) leaves the rest as it is. Used by
 * RL_MODE_ALWAYS's undo, --atomic (stale stages, the old tree) and
 * --delete. */
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
	char *name;                  /* in the level above */
	char *subs;                  /* its subdirectories, NUL-separated */
	size_t nsubs, next;          /* bytes of subs; the next one's offset */
	int listed, incomplete;      /* something below stays: so does it */
};

struct rm {
	const struct rl__rm_cb *cb;
	struct level *lv;
	size_t depth, cap;
	dev_t dev;                   /* the filesystem removed on */
	char *buf;                   /* getdents */
	char *path;                  /* for the callbacks */
	size_t path_cap;
	int err;                     /* the first failure */
};

/* The levels' names joined, then "/entry" unless NULL: in m->path. */
static const char *rel_of(struct rm *m, const char *entry)
{
	size_t need = entry ? strlen(entry) + 2 : 1;
	for (size_t i = 0; i < m->depth; i++)
		need += strlen(m->lv[i].name) + 1;
	if (rl__path_room(&m->path, &m->path_cap, need) < 0)
		return NULL;
	size_t pos = 0;
	for (size_t i = 0; i < m->depth; i++) {
		size_t n = strlen(m->lv[i].name);
		memcpy(m->path + pos, m->lv[i].name, n);
		pos += n;
		m->path[pos++] = '/';
	}
	if (entry)
		memcpy(m->path + pos, entry, strlen(entry) + 1);
	else
		m->path[pos ? pos - 1 : 0] = 0;
	return m->path;
}

static void gone(struct rm *m, const char *entry, mode_t type)
{
	const char *rel;
	if (m->cb && m->cb->gone && (rel = rel_of(m, entry)))
		m->cb->gone(m->cb->ctx, rel, type);
}

/* entry (NULL: the current level itself) could not be removed. */
static void fail(struct rm *m, const char *entry, int err)
{
	const char *rel;
	if (!m->err)
		m->err = err;
	if (m->depth > 0)
		m->lv[m->depth - 1].incomplete = 1;
	if (m->cb && m->cb->fail && (rel = rel_of(m, entry)))
		m->cb->fail(m->cb->ctx, rel, err);
}


/* Open dirfd/name as a directory on m's filesystem, never through a
 * symlink: its fd, or -errno (-ENOTDIR/-ELOOP: not a directory now). */
static int open_dir(struct rm *m, int dirfd, const char *name, struct level *lv)
{
	struct stat st;
	int fd = rl__openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC | O_NOCTTY, 0);
	if (fd < 0)
		return fd;
	int r = fstat(fd, &st) != 0 ? -errno : st.st_dev != m->dev ? -EXDEV : 0;
	if (r < 0) {
		rl__close(fd);
		return r;
	}
	rl__place_dir_ours(fd, &st); /* a read-only copy must be emptied too */
	memset(lv, 0, sizeof *lv);
	lv->dev = st.st_dev;
	lv->ino = st.st_ino;
	return fd;
}

static int add_sub(struct level *lv, const char *name)
{
	size_t n = strlen(name) + 1;
	char *s = realloc(lv->subs, lv->nsubs + n);
	if (!s)
		return -ENOMEM;
	memcpy(s + lv->nsubs, name, n);
	lv->subs = s;
	lv->nsubs += n;
	return 0;
}

/* One entry read from fd (the current level): unlinked, or kept as a
 * subdirectory for later. */
static void clear_one(struct rm *m, int fd, const char *name, unsigned char dt)
{
	struct level *lv = &m->lv[m->depth - 1];
	if (dt != DT_DIR) {
		if (unlinkat(fd, name, 0) == 0) {
			gone(m, name, rl__dtype_mode(dt));
			return;
		}
		if (errno == ENOENT)
			return;
		if (errno != EISDIR) {
			fail(m, name, -errno);
			return;
		}
	}
	if (add_sub(lv, name) < 0)
		fail(m, name, -ENOMEM);
}

static int stopped(const struct rm *m)
{
	return m->cb && m->cb->stop && m->cb->stop(m->cb->ctx);
}

static void clear_files(struct rm *m, int fd)
{
	while (!stopped(m)) {
		ssize_t n = getdents64(fd, m->buf, DENTS_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail(m, NULL, -errno);
		if (n <= 0)
			return;
		for (ssize_t off = 0; off < n && !stopped(m);) {
			const char *rec = m->buf + off, *name = rl__dent_name(rec);
			off += rl__dent_len(rec);
			if (!rl__dent_dots(name))
				clear_one(m, fd, name, rl__dent_type(rec));
		}
	}
}

/* Leave the current level (fd, closed here) for its parent and remove it
 * there unless something in it stayed. Returns the parent's fd (dirfd at
 * the first level) or -errno (then nothing more can be done). */
static int climb(struct rm *m, int fd, int dirfd)
{
	struct level *lv = &m->lv[m->depth - 1];
	int up = dirfd;
	if (m->depth > 1) {
		struct stat st;
		const struct level *pl = &m->lv[m->depth - 2];
		up = rl__openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (up >= 0 && (fstat(up, &st) != 0 || st.st_dev != pl->dev ||
				st.st_ino != pl->ino)) {
			rl__close(up); /* moved meanwhile: not ours to climb */
			up = -ESTALE;
		}
	}
	rl__close(fd);
	if (up < 0) {
		fail(m, NULL, up);
		return up;
	}
	int incomplete = lv->incomplete;
	char *name = lv->name;
	free(lv->subs);
	m->depth--;
	if (incomplete) { /* told already, below */
		if (m->depth > 0)
			m->lv[m->depth - 1].incomplete = 1;
	} else if (unlinkat(up, name, AT_REMOVEDIR) == 0) {
		gone(m, name, S_IFDIR);
	} else if (errno != ENOENT) {
		fail(m, name, -errno);
	}
	free(name);
	return up;
}

/* Go down into the current level's next subdirectory: its fd, fd itself
 * when it was dealt with in place, or -errno (fd is then closed). */
static int descend(struct rm *m, int fd)
{
	struct level *lv = &m->lv[m->depth - 1];
	const char *sub = lv->subs + lv->next;
	lv->next += strlen(sub) + 1;
	if (m->depth == m->cap) {
		struct level *more = realloc(m->lv, 2 * m->cap * sizeof *more);
		if (!more) {
			fail(m, sub, -ENOMEM);
			return fd;
		}
		m->lv = more; /* sub lives in lv->subs, which stays */
		m->cap *= 2;
	}
	struct level nl;
	int sfd = open_dir(m, fd, sub, &nl);
	if (sfd == -ENOTDIR || sfd == -ELOOP) { /* not a directory now */
		if (unlinkat(fd, sub, 0) == 0)
			gone(m, sub, 0);
		else if (errno != ENOENT)
			fail(m, sub, -errno);
		return fd;
	}
	if (sfd == -ENOENT)
		return fd;
	if (sfd < 0 || !(nl.name = strdup(sub))) {
		fail(m, sub, sfd < 0 ? sfd : -ENOMEM);
		if (sfd >= 0)
			rl__close(sfd);
		return fd;
	}
	rl__close(fd);
	m->lv[m->depth++] = nl;
	return sfd;
}

static void run(struct rm *m, int dirfd, int fd)
{
	while (m->depth > 0) {
		struct level *lv = &m->lv[m->depth - 1];
		if (stopped(m)) { /* what is left stays, untold */
			rl__close(fd);
			return;
		}
		if (!lv->listed) {
			lv->listed = 1;
			clear_files(m, fd);
		} else if (lv->next < lv->nsubs) {
			fd = descend(m, fd);
		} else if ((fd = climb(m, fd, dirfd)) < 0) {
			break;
		} else if (m->depth == 0) {
			break;
		}
	}
}

static int remove_dir(int dirfd, const char *name, const struct rl__rm_cb *cb)
{
	struct stat st;
	struct rm m = { .cb = cb, .cap = 8 };
	m.lv = calloc(m.cap, sizeof *m.lv);
	m.buf = malloc(DENTS_BUF);
	int fd = -ENOMEM;
	if (fstat(dirfd, &st) != 0)
		fd = -errno;
	else if (m.lv && m.buf)
		fd = (m.dev = st.st_dev, open_dir(&m, dirfd, name, &m.lv[0]));
	if (fd >= 0 && !(m.lv[0].name = strdup(name))) {
		rl__close(fd);
		fd = -ENOMEM;
	}
	if (fd == -ENOTDIR || fd == -ELOOP) { /* not a directory now */
		if (unlinkat(dirfd, name, 0) == 0)
			gone(&m, name, 0);
		else if (errno != ENOENT)
			fail(&m, name, -errno);
	} else if (fd < 0 && fd != -ENOENT) {
		fail(&m, name, fd);
	} else if (fd >= 0) {
		m.depth = 1;
		run(&m, dirfd, fd);
	}
	for (size_t i = 0; i < m.depth; i++) { /* a climb that failed */
		free(m.lv[i].name);
		free(m.lv[i].subs);
	}
	free(m.lv);
	free(m.buf);
	free(m.path);
	return m.err;
}

int rl__remove_tree(int dirfd, const char *name)
{
	return remove_dir(dirfd, name, NULL);
}

int rl__remove_entry(int dirfd, const char *name, mode_t type,
		     const struct rl__rm_cb *cb)
{
	if (type != S_IFDIR) {
		if (unlinkat(dirfd, name, 0) == 0) {
			if (cb && cb->gone)
				cb->gone(cb->ctx, name, type);
			return 0;
		}
		if (errno == ENOENT)
			return 0;
		if (errno != EISDIR) {
			int r = -errno;
			if (cb && cb->fail)
				cb->fail(cb->ctx, name, r);
			return r;
		}
	}
	return remove_dir(dirfd, name, cb);
}
