/* dir.c - a directory's life: open the source, make the copy, and, once
 * everything inside is done (its pending count reaches zero), give the
 * copy its metadata and tell its parent. Copies are
 * made 0700 so this run can fill them whatever the source's mode (read-only
 * directories), and get their final mode and times last. */
#include "tree.h"
#include "../common/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

void rl__dir_set_source(struct rl__tnode *n, const struct stat *st)
{
	n->sdev = st->st_dev;
	n->sino = st->st_ino;
	n->meta.mode = st->st_mode;
	n->meta.uid = st->st_uid;
	n->meta.gid = st->st_gid;
	n->meta.atim = st->st_atim;
	n->meta.mtim = st->st_mtim;
}

void rl__dir_set_dest(struct rl__tree *t, struct rl__tnode *n,
		      const struct stat *st)
{
	n->ddev = st->st_dev;
	n->dino = st->st_ino;
	n->duid = st->st_uid;
	n->dgid = st->st_gid;
	/* New entries take a setgid directory's group, else ours. */
	n->new_gid = (st->st_mode & S_ISGID) ? st->st_gid : t->egid;
}

/* Is the directory st one of c's ancestors (a loop through -L or a bind
 * mount)? Ancestors are pending, so their identity is stable. */
static int is_loop(const struct rl__tnode *c, const struct stat *st)
{
	for (const struct rl__tnode *p = c->parent; p; p = p->parent)
		if (p->sdev == st->st_dev && p->sino == st->st_ino)
			return 1;
	return 0;
}

/* Make (or, merging, find) c's copy in p; returns its fd or -errno. */
static int make_dest(struct rl__tree *t, struct rl__tnode *c,
		     struct rl__tnode *p)
{
	struct stat st;
	int r = rl__place_mkdir(p->dfd, c->name);
	if (r == 0) {
		c->fresh = 1;
		if (!p->fresh)
			rl__undo_note(t, p, c->name);
	} else if (r != -EEXIST) {
		return r; /* EEXIST even in a fresh p: another merge's */
	}
	/* Merging into an existing entry: only a real directory will do,
	 * or a symlink to one when the caller asked to keep those. */
	int nofollow = t->cfg.dir_symlinks && !c->fresh ? 0 : O_NOFOLLOW;
	int fd = rl__openat(p->dfd, c->name, O_RDONLY | O_DIRECTORY |
			    nofollow | O_CLOEXEC | O_NOCTTY, 0);
	if (fd < 0)
		return fd == -ELOOP ? -ENOTDIR : fd;
	r = fstat(fd, &st) != 0 ? -errno : c->fresh ? rl__place_dir_ours(fd, &st) : 0;
	if (r < 0) {
		rl__close(fd);
		return r;
	}
	rl__dir_set_dest(t, c, &st);
	return fd;
}

/* A source directory c that cannot be read is still made, empty, with its
 * bits (and its owner and times where preserved), as cp makes it before
 * it finds that it cannot list it. */
static void make_unread(struct rl__tree *t, struct rl__tnode *c,
			struct rl__tnode *p)
{
	struct stat st;
	unsigned int keep = t->cfg.preserve;
	if (fstatat(p->sfd, c->name, &st, c->follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISDIR(st.st_mode))
		return;
	int fd = make_dest(t, c, p);
	if (fd < 0)
		return;
	struct timespec ts[2] = { st.st_atim, st.st_mtim };
	if (c->fresh && (keep & RL_PRESERVE_OWNERSHIP))
		rl__place_owner(fd, -1, NULL, &st);
	if (c->fresh)
		fchmod(fd, (keep & RL_PRESERVE_MODE) ? st.st_mode & 07777
			   : st.st_mode & 0777 & ~rl__env_umask(&t->env));
	if (c->fresh && (keep & RL_PRESERVE_TIMESTAMPS))
		futimens(fd, ts);
	rl__close(fd);
}

static int open_pair(struct rl__worker *w, struct rl__tnode *c,
		     struct rl__tnode *p)
{
	struct rl__tree *t = w->t;
	struct stat st;
	int sfd = rl__openat(p->sfd, c->name, O_RDONLY | O_DIRECTORY |
			     O_CLOEXEC | O_NOCTTY | (c->follow ? 0 : O_NOFOLLOW), 0);
	c->step = RL_STEP_SOURCE; /* where a failure below is */
	if (sfd == -EACCES && !t->scan)
		make_unread(t, c, p);
	if (sfd < 0)
		return sfd;
	int r = fstat(sfd, &st) == 0 ? 0 : -errno;
	if (r == 0 && st.st_dev == t->dst_dev && st.st_ino == t->dst_ino)
		r = 1; /* our own output, inside the source: never walk it */
	else if (r == 0 && is_loop(c, &st))
		r = -ELOOP;
	if (r == -ELOOP)
		c->step = RL_STEP_NONE; /* the walk's own refusal */
	int dfd = -1;
	if (r == 0) {
		rl__dir_set_source(c, &st);
		/* Only a mount point can change the filesystem. */
		c->pseudo = st.st_dev == p->sdev ? p->pseudo
			    : (unsigned char)rl__is_pseudo_fs(sfd);
		/* cp -x: a mount point is made, its contents left out. */
		c->foreign = t->cfg.one_fs && st.st_dev != t->root->sdev;
		c->step = RL_STEP_CREATE;
		if (!t->scan && (dfd = make_dest(t, c, p)) < 0)
			r = dfd;
	}
	if (r != 0) {
		rl__close(sfd);
		return r;
	}
	rl__node_install(t, c, sfd, dfd);
	return 0;
}

int rl__dir_open(struct rl__worker *w, struct rl__tnode *c)
{
	struct rl__tree *t = w->t;
	int r = rl__node_acquire(t, c->parent);
	if (r < 0)
		return r;
	r = open_pair(w, c, c->parent);
	rl__node_release(t, c->parent);
	return r;
}

/* What of the source's metadata the copy c still needs. */
static unsigned int dir_preserve(const struct rl__tree *t,
				 const struct rl__tnode *c)
{
	unsigned int p = t->cfg.preserve & ~RL_PRESERVE_LINKS;
	if ((p & RL_PRESERVE_OWNERSHIP) && c->meta.uid == c->duid &&
	    c->meta.gid == c->dgid && !(c->meta.mode & (S_ISUID | S_ISGID)))
		p &= ~RL_PRESERVE_OWNERSHIP;
	return p;
}

static int dir_meta(struct rl__tree *t, struct rl__tnode *c, rl_step *where)
{
	struct stat st = { 0 };
	/* --no-preserve=mode: the default bits, less the umask. */
	st.st_mode = t->cfg.default_mode ? (S_IFDIR | 0777) : c->meta.mode;
	st.st_uid = c->meta.uid;
	st.st_gid = c->meta.gid;
	st.st_atim = c->meta.atim;
	st.st_mtim = c->meta.mtim;
	/* A fresh copy is 0700 and always needs its mode; a directory that
	 * was there before keeps its own unless the mode is preserved. */
	int keep = !c->fresh && !(t->cfg.preserve & RL_PRESERVE_MODE);
	return rl__meta_apply(c->dfd, c->sfd, &st, dir_preserve(t, c), keep,
			      &t->env, where);
}

static void dir_finish(struct rl__worker *w, struct rl__tnode *c)
{
	struct rl__tree *t = w->t;
	if (c->failed || !c->opened || t->scan || rl__tally_stopped(t))
		return;
	rl_step where = RL_STEP_NONE; /* reopening it failed */
	int r = rl__node_acquire(t, c);
	if (r == 0) {
		where = RL_STEP_META;
		r = dir_meta(t, c, &where);
		rl__node_release(t, c);
	}
	if (r < 0)
		rl__report_fail(w, c, NULL, r, where, S_IFDIR);
	else
		rl__report_done(w, c, NULL, NULL, NULL, 0);
}

void rl__dir_done(struct rl__worker *w, struct rl__tnode *n)
{
	struct rl__tree *t = w->t;
	unsigned int left = rl__node_pending_done(t, n);
	while (left == 0) {
		dir_finish(w, n);
		struct rl__tnode *p = n->parent;
		if (p) {
			left = rl__node_pending_done(t, p);
			if (left == 0) /* climb to it by "..", one open */
				rl__node_reopen_up(t, n, p);
		}
		/* p stays alive while unfinished: its life reference. */
		rl__node_unref(t, n);
		n = p;
		if (!n)
			break;
	}
}
