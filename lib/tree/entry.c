/* tree_entry.c - one directory entry: learn its kind, leave it out if
 * excluded, and copy it. Regular files in a directory this run made are
 * created in place with O_CREAT|O_EXCL (nothing can be there to protect,
 * so no temporary is needed) and removed again if the copy fails; in a
 * directory that existed before, the single-file engine's atomic commit
 * is used. Source entries are opened with O_NOFOLLOW: an entry that
 * changes kind under us is copied as what it has become. */
#include "tree.h"
#include "../common/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static mode_t dtype_mode(unsigned char dt)
{
	switch (dt) {
	case DT_REG: return S_IFREG;
	case DT_DIR: return S_IFDIR;
	case DT_LNK: return S_IFLNK;
	case DT_FIFO: return S_IFIFO;
	case DT_SOCK: return S_IFSOCK;
	case DT_CHR: return S_IFCHR;
	case DT_BLK: return S_IFBLK;
	default: return 0; /* DT_UNKNOWN: the filesystem does not say */
	}
}

unsigned int rl__entry_preserve(const struct rl__tree *t,
				const struct rl__ent *e)
{
	unsigned int p = t->o->preserve;
	/* A new entry already belongs to us and the directory's group: when
	 * that is the source's owner, chown would change nothing. */
	if ((p & RL_PRESERVE_OWNERSHIP) && e->st.st_uid == t->euid &&
	    e->st.st_gid == e->dir->new_gid &&
	    !(e->st.st_mode & (S_ISUID | S_ISGID)))
		p &= ~RL_PRESERVE_OWNERSHIP;
	return p;
}

int rl__entry_open(struct rl__ent *e, int *sfd)
{
	int nofollow = e->follow ? 0 : O_NOFOLLOW;
	/* O_NONBLOCK: an entry that became a FIFO must not block the open. */
	int fd = rl__openat(e->sdir, e->name, O_RDONLY | O_CLOEXEC | O_NOCTTY |
			    O_NONBLOCK | nofollow, 0);
	if (fd == -ELOOP && nofollow)
		return fstatat(e->sdir, e->name, &e->st, AT_SYMLINK_NOFOLLOW) == 0
			       ? RL__RETYPE : -errno;
	if (fd < 0)
		return fd;
	if (fstat(fd, &e->st) != 0) {
		int r = -errno;
		rl__close(fd);
		return r;
	}
	if (!S_ISREG(e->st.st_mode)) {
		rl__close(fd);
		return RL__RETYPE;
	}
	*sfd = fd;
	return 0;
}

static void spawn_dir(struct rl__worker *w, struct rl__tnode *d,
		      const char *name, int follow)
{
	struct rl__tnode *c = rl__node_child(w->t, d, name);
	struct rl__task *k = c ? malloc(sizeof *k) : NULL;
	if (!k) {
		if (c) {
			c->failed = 1;
			rl__node_done(w, c);
		}
		rl__report_fail(w, d, name, -ENOMEM);
		return;
	}
	c->follow = (unsigned char)follow;
	k->node = c;
	k->len = 0;
	rl__walk_push(w->t, k);
}

/* Pre-scan: count what the copy will move, for progress. */
static void count(struct rl__worker *w, struct rl__ent *e, mode_t type,
		  int have_st)
{
	struct rl__tree *t = w->t;
	if (type != S_IFREG)
		return;
	if (!have_st && fstatat(e->sdir, e->name, &e->st,
				e->follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
		return;
	if (!S_ISREG(e->st.st_mode))
		return;
	pthread_mutex_lock(&t->smu);
	t->stats.total_files++;
	t->stats.total_bytes += (uint64_t)e->st.st_size;
	pthread_mutex_unlock(&t->smu);
}

static void copy_nondir(struct rl__worker *w, struct rl__ent *e, mode_t type,
			int have_st)
{
	rl_result res = RL_RESULT_INIT;
	int sfd = -1, r = 0;
	if (type == S_IFREG)
		r = rl__entry_open(e, &sfd);
	else if (!have_st && fstatat(e->sdir, e->name, &e->st,
				     e->follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
		r = -errno;
	if (r == RL__RETYPE)
		r = 0; /* e->st tells what it is now */
	if (r == 0 && S_ISDIR(e->st.st_mode)) {
		spawn_dir(w, e->dir, e->name, e->follow);
		return;
	}
	if (r == 0)
		r = rl__entry_make(w, e, sfd, &res);
	if (sfd >= 0)
		rl__close(sfd);
	rl__entry_report(w, e, r, &res);
}

void rl__entry_report(struct rl__worker *w, struct rl__ent *e, int r,
		      const rl_result *res)
{
	if (S_ISREG(e->st.st_mode) && rl__tree_verdict(w->t, r, res))
		return; /* clones cannot work here: the copy stops */
	if (r < 0)
		rl__report_fail(w, e->dir, e->dname, r);
	else
		rl__report_done(w, e->dir, e->dname, &e->st,
				S_ISREG(e->st.st_mode) && r == 0 ? res : NULL,
				r == RL__LINKED);
}

void rl__walk_entry(struct rl__worker *w, struct rl__tnode *d,
		    const char *name, const char *dname, unsigned char dtype)
{
	struct rl__tree *t = w->t;
	struct rl__ent e = {
		.dir = d, .sdir = d->sfd, .ddir = d->dfd, .name = name,
		.dname = dname, .fresh = d->fresh,
		.follow = (t->o->flags & RL_TREE_DEREF_ALL) != 0,
	};
	mode_t type = dtype_mode(dtype);
	int have_st = 0;
	if (type == 0 || (e.follow && type == S_IFLNK)) {
		if (fstatat(d->sfd, name, &e.st, e.follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
			if (!t->scan)
				rl__report_fail(w, d, dname, -errno);
			return;
		}
		have_st = 1;
		type = e.st.st_mode & S_IFMT;
	}
	/* The operands themselves are never excluded. */
	if (d != t->top && rl__excluded(w, d, name, type == S_IFDIR))
		return;
	if (type == S_IFDIR)
		spawn_dir(w, d, name, dtype == DT_LNK);
	else if (type == S_IFREG && !t->scan && d != t->top &&
		 rl__batch_add(w, d, name))
		return; /* copied with its batch */
	else if (t->scan)
		count(w, &e, type, have_st);
	else
		copy_nondir(w, &e, type, have_st);
}
