/* entry.c - one directory entry: learn its kind, leave it out if
 * excluded, and send it on: a directory to the queue (walk.c), a regular
 * file into the worker's batch (batch.c) or to make.c, anything else to
 * make.c; then report the outcome. Batched files are made here too, once
 * their batch has opened them. Source entries are opened with O_NOFOLLOW:
 * an entry that changes kind under us is copied as what it has become. */
#include "tree.h"
#include "../common/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>


/* Ownership to preserve for a new entry in e->dir, or 0 if already right. */
static unsigned int ent_preserve(const struct rl__tree *t,
				 const struct rl__ent *e)
{
	unsigned int p = t->cfg.preserve;
	/* A new entry already belongs to us and the directory's group: when
	 * that is the source's owner, chown would change nothing. */
	if ((p & RL_PRESERVE_OWNERSHIP) && e->st.st_uid == t->euid &&
	    e->st.st_gid == e->dir->new_gid &&
	    !(e->st.st_mode & (S_ISUID | S_ISGID)))
		p &= ~RL_PRESERVE_OWNERSHIP;
	return p;
}

/* Open a regular file's source and stat it into e->st: 0 with *sfd
 * open, RL__RETYPE (e->st says what it is now) or -errno. */
static int open_source(struct rl__ent *e, int *sfd)
{
	int nofollow = e->follow ? 0 : O_NOFOLLOW;
	/* O_NONBLOCK: an entry that became a FIFO must not block the open. */
	int fd = rl__openat(e->sdir, e->name, O_RDONLY | O_CLOEXEC | O_NOCTTY |
			    O_NONBLOCK | nofollow, 0);
	if (fd == -ELOOP && nofollow)
		return fstatat(e->sdir, e->name, &e->st, AT_SYMLINK_NOFOLLOW) == 0
			       ? RL__RETYPE : -errno;
	if (fd < 0) {
		e->st.st_mode = S_IFREG; /* as its directory said, for the report */
		return fd;
	}
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
			rl__dir_done(w, c);
		}
		rl__report_fail(w, d, name, -ENOMEM, RL_STEP_NONE, S_IFDIR);
		return;
	}
	c->follow = (unsigned char)follow;
	k->node = c;
	k->len = 0;
	rl__queue_push(w->t, k);
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
	if (S_ISREG(e->st.st_mode)) /* into the copy's totals, beside it */
		rl__tally_total(t->totals ? t->totals : t, (uint64_t)e->st.st_size);
}

static void report_outcome(struct rl__worker *w, struct rl__ent *e, int r,
			   const rl_result *res)
{
	if (S_ISREG(e->st.st_mode) && rl__verdict_file(w->t, r, res))
		return; /* clones cannot work here: the copy stops */
	r = rl__policy_outcome(w->t, r);
	/* Kept by the policy: counted as skipped (none-fail's as errors too). */
	if (r == RL__SKIPPED || (r == -EEXIST && w->t->cfg.update == RL_UPDATE_NONE_FAIL))
		rl__report_skipped(w, e->dir, e->dname, &e->st);
	if (r == RL__SKIPPED)
		return;
	if (r < 0)
		rl__report_fail_ent(w, e, r, res);
	else
		rl__report_done(w, e->dir, e->dname, &e->st,
				S_ISREG(e->st.st_mode) && r == 0 ? res : NULL,
				r == RL__LINKED);
}

/* The outcome r of making a non-directory e: verdict, stats, callbacks. */
static void report_entry(struct rl__worker *w, struct rl__ent *e, int r,
			 const rl_result *res)
{
	report_outcome(w, e, r, res);
	free(e->link); /* reported, or kept by the policy, or a stop */
	e->link = NULL;
}

static int make_entry(struct rl__worker *w, struct rl__ent *e, int sfd,
		      rl_result *res)
{
	e->preserve = ent_preserve(w->t, e);
	return rl__make_entry(w, e, sfd, res);
}

static void copy_nondir(struct rl__worker *w, struct rl__ent *e, mode_t type,
			int have_st)
{
	rl_result res = RL_RESULT_INIT;
	int sfd = -1, r = 0;
	if (type == S_IFREG)
		r = open_source(e, &sfd);
	else if (!have_st && fstatat(e->sdir, e->name, &e->st,
				     e->follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0)
		r = -errno;
	if (r == RL__RETYPE)
		r = 0; /* e->st tells what it is now */
	else if (r < 0)
		e->step = RL_STEP_SOURCE;
	if (r == 0 && S_ISDIR(e->st.st_mode)) {
		spawn_dir(w, e->dir, e->name, e->follow);
		return;
	}
	if (r == 0)
		r = make_entry(w, e, sfd, &res);
	if (sfd >= 0)
		rl__close(sfd);
	report_entry(w, e, r, &res);
}

/* One file of a batch, its source opened (or not) by the batch. */
static void batch_one(struct rl__worker *w, struct rl__ent *e, int sfd)
{
	struct rl__batch *b = w->batch;
	if (rl__tally_stopped(w->t)) { /* winding down: make nothing */
		rl__batch_close(b, sfd);
		return;
	}
	if (sfd < 0 && sfd != -ELOOP && sfd != RL__BATCH_UNOPENED) {
		rl__report_fail(w, e->dir, e->name, sfd, RL_STEP_SOURCE, S_IFREG);
	} else if (sfd < 0 || !S_ISREG(e->st.st_mode)) {
		/* Not a regular file any more: copy it as what it is. */
		rl__batch_close(b, sfd);
		rl__entry_handle(w, e->dir, e->name, e->name, DT_UNKNOWN);
	} else {
		rl_result res = RL_RESULT_INIT;
		int r = make_entry(w, e, sfd, &res);
		rl__batch_close(b, sfd);
		report_entry(w, e, r, &res);
	}
}

void rl__entry_flush(struct rl__worker *w)
{
	struct rl__ent ents[RL__BATCH_MAX];
	int sfds[RL__BATCH_MAX];
	unsigned int n = rl__batch_open(w->batch, ents, sfds);
	for (unsigned int i = 0; i < n; i++)
		batch_one(w, &ents[i], sfds[i]);
	rl__batch_end(w->batch);
}

/* Take the regular file d/name into w's batch: 1 taken, 0 not for a
 * batch (copy it one by one). */
static int batch_take(struct rl__worker *w, struct rl__tnode *d,
		      const char *name)
{
	int room = rl__batch_room(w->batch, d);
	if (room < 0) { /* it holds another directory's files */
		rl__entry_flush(w);
		room = rl__batch_room(w->batch, d);
	}
	if (room <= 0)
		return 0;
	if (rl__batch_add(w->batch, d, name))
		rl__entry_flush(w); /* full */
	return 1;
}

void rl__entry_handle(struct rl__worker *w, struct rl__tnode *d,
		      const char *name, const char *dname, unsigned char dtype)
{
	struct rl__tree *t = w->t;
	struct rl__ent e = {
		.dir = d, .sdir = d->sfd, .ddir = d->dfd, .name = name,
		.dname = dname, .fresh = d->fresh, .follow = t->cfg.deref,
	};
	mode_t type = rl__dtype_mode(dtype);
	int have_st = 0;
	if (type == 0 || (e.follow && type == S_IFLNK)) {
		if (fstatat(d->sfd, name, &e.st, e.follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
			if (!t->scan)
				rl__report_fail(w, d, dname, -errno, RL_STEP_SOURCE, 0);
			return;
		}
		have_st = 1;
		type = e.st.st_mode & S_IFMT;
	}
	/* The operands themselves are never excluded. */
	if (d != t->top && rl__match_excluded(w, d, name, type == S_IFDIR))
		return;
	if (type == S_IFDIR)
		spawn_dir(w, d, name, dtype == DT_LNK);
	else if (type == S_IFREG && !t->scan && d != t->top &&
		 batch_take(w, d, name))
		return; /* copied with its batch */
	else if (t->scan)
		count(w, &e, type, have_st);
	else
		copy_nondir(w, &e, type, have_st);
}
