/* tree_batch.c - the regular files of a directory, up to RL__BATCH_MAX at
 * a time, with their opens, stats and closes made through io_uring: one
 * system call opens every source, one stats them all (statx on the open
 * fd, so the metadata is the opened file's), one creates every copy made
 * in place, and the closes ride along with the next batch. What remains
 * per file is what only a system call of its own can do: FICLONE and the
 * metadata (futimens, xattrs...). A file the batch cannot handle (it
 * changed kind, needs a hard link, failed to open) goes the one-by-one way
 * with what the batch learnt. Without io_uring, no batch: files are copied
 * one by one. */
#include "tree.h"
#include "sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Room for a batch of opens plus two closes per file of the last one. */
#define RING_ENTRIES 64
#define NOT_TRIED (-EALREADY)

enum { OP_SRC, OP_STAT, OP_DST, OP_CLOSE };
#define DATA(op, i) (((uint64_t)(op) << 32) | (uint32_t)(i))

void rl__batch_init(struct rl__worker *w)
{
	struct rl__tree *t = w->t;
	struct rlimit rl;
	rlim_t max = RL__BATCH_MAX;
	w->batch = NULL;
	/* Each batched file holds two fds until its close: stay well under
	 * the fd limit (trees under tight limits go one by one). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 64 < max)
		max = rl.rlim_cur / 64;
	if (t->scan || max < 4 || (t->o->flags & RL_TREE_DEREF_ALL))
		return;
	if (!(w->batch = calloc(1, sizeof *w->batch)))
		return;
	w->batch->max = (unsigned int)max;
	w->batch->ring.fd = -1;
}

static void reap(void *ctx, uint64_t data, int res)
{
	struct rl__batch *b = ctx;
	unsigned int i = (uint32_t)data;
	switch (data >> 32) {
	case OP_SRC: b->f[i].sfd = res; break;
	case OP_STAT: if (res < 0) b->f[i].stx.stx_mask = 0; break;
	case OP_DST: b->f[i].dfd = res; break;
	default: break; /* a close: nothing to learn */
	}
}

/* Run the ring until everything queued is done. */
static int run_all(struct rl__batch *b)
{
	int r = rl__ring_run(&b->ring, b->ring.queued + b->ring.inflight, reap, b);
	if (r < 0)
		b->ring_ok = -1;
	return r;
}

static void close_later(struct rl__batch *b, int fd)
{
	if (fd < 0)
		return;
	if (b->ring_ok > 0 && rl__ring_close(&b->ring, fd, DATA(OP_CLOSE, 0)) == 0)
		return;
	rl__close(fd);
}

static void stat_from_statx(struct stat *st, const struct statx *x)
{
	memset(st, 0, sizeof *st);
	st->st_dev = makedev(x->stx_dev_major, x->stx_dev_minor);
	st->st_ino = x->stx_ino;
	st->st_mode = x->stx_mode;
	st->st_nlink = x->stx_nlink;
	st->st_uid = x->stx_uid;
	st->st_gid = x->stx_gid;
	st->st_rdev = makedev(x->stx_rdev_major, x->stx_rdev_minor);
	st->st_size = (off_t)x->stx_size;
	st->st_blksize = x->stx_blksize;
	st->st_blocks = (blkcnt_t)x->stx_blocks;
	st->st_atim.tv_sec = x->stx_atime.tv_sec;
	st->st_atim.tv_nsec = x->stx_atime.tv_nsec;
	st->st_mtim.tv_sec = x->stx_mtime.tv_sec;
	st->st_mtim.tv_nsec = x->stx_mtime.tv_nsec;
	st->st_ctim.tv_sec = x->stx_ctime.tv_sec;
	st->st_ctim.tv_nsec = x->stx_ctime.tv_nsec;
}

/* Phase 1 and 2: open every source, then stat the open files. */
static int open_sources(struct rl__batch *b)
{
	struct rl__tnode *d = b->dir;
	for (unsigned int i = 0; i < b->n; i++) {
		b->f[i].sfd = b->f[i].dfd = NOT_TRIED;
		rl__ring_openat(&b->ring, d->sfd, b->f[i].name, O_RDONLY | O_CLOEXEC |
				O_NOCTTY | O_NONBLOCK | O_NOFOLLOW, 0, DATA(OP_SRC, i));
	}
	if (run_all(b) < 0)
		return -1;
	for (unsigned int i = 0; i < b->n; i++) {
		b->f[i].stx.stx_mask = STATX_BASIC_STATS;
		if (b->f[i].sfd >= 0)
			rl__ring_statx(&b->ring, b->f[i].sfd, &b->f[i].stx, DATA(OP_STAT, i));
	}
	return run_all(b);
}

/* Phase 3: create the copies made in place, and the unnamed files. */
static int open_copies(struct rl__worker *w, struct rl__ent *ents)
{
	struct rl__batch *b = w->batch;
	struct rl__tree *t = w->t;
	int any = 0;
	for (unsigned int i = 0; i < b->n; i++) {
		struct rl__ent *e = &ents[i];
		rl_options o;
		b->f[i].plan = RL__PLAN_ENGINE;
		if (b->f[i].sfd < 0 || !S_ISREG(e->st.st_mode) ||
		    ((t->o->preserve & RL_PRESERVE_LINKS) && e->st.st_nlink > 1))
			continue;
		b->f[i].plan = rl__file_plan(t, e, &o, &b->f[i].clone);
		mode_t mode = rl__create_mode(&e->st, o.preserve);
		if (b->f[i].plan == RL__PLAN_IN_PLACE)
			rl__ring_openat(&b->ring, e->ddir, e->dname, O_WRONLY | O_CREAT |
					O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode, DATA(OP_DST, i));
		else if (b->f[i].plan == RL__PLAN_UNNAMED)
			rl__ring_openat(&b->ring, e->ddir, ".", O_TMPFILE | O_WRONLY |
					O_CLOEXEC, mode, DATA(OP_DST, i));
		any |= b->f[i].plan != RL__PLAN_ENGINE;
	}
	return any ? run_all(b) : 0;
}

/* Phase 4: one file, its source open (e->st known). */
static int finish_file(struct rl__worker *w, struct rl__ent *e, int sfd,
		       unsigned int i, rl_result *res)
{
	struct rl__batch *b = w->batch;
	struct rl__tree *t = w->t;
	int dfd = b->f[i].dfd, clone = b->f[i].clone, r, unused;
	rl_options o;
	if (b->f[i].plan == RL__PLAN_ENGINE || dfd == NOT_TRIED)
		return rl__entry_make(w, e, sfd, res);
	rl__file_plan(t, e, &o, &unused);
	if (dfd < 0 && b->f[i].plan == RL__PLAN_UNNAMED)
		return rl__file_after(t, e, sfd, &o, RL__NAME_TAKEN, 0, res);
	if (dfd < 0)
		return rl__file_after(t, e, sfd, &o, dfd == -EEXIST ? RL__NAME_TAKEN : dfd,
				      clone, res);
	if (b->f[i].plan == RL__PLAN_UNNAMED) {
		r = rl__file_fill_unnamed(t, e, sfd, dfd, &o, res);
	} else {
		r = rl__file_fill(t, e, sfd, dfd, &o, clone, res);
		if (r != 0)
			unlinkat(e->ddir, e->dname, 0);
	}
	close_later(b, dfd);
	return rl__file_after(t, e, sfd, &o, r, clone, res);
}

static void finish_all(struct rl__worker *w, struct rl__ent *ents)
{
	struct rl__batch *b = w->batch;
	struct rl__tnode *d = b->dir;
	for (unsigned int i = 0; i < b->n; i++) {
		struct rl__ent *e = &ents[i];
		int sfd = b->f[i].sfd;
		if (atomic_load(&w->t->stop)) { /* winding down: make nothing */
			if (b->f[i].plan == RL__PLAN_IN_PLACE && b->f[i].dfd >= 0)
				unlinkat(e->ddir, e->dname, 0); /* made empty */
			close_later(b, sfd);
			close_later(b, b->f[i].dfd);
			continue;
		}
		if (sfd < 0 && sfd != -ELOOP && sfd != NOT_TRIED) {
			rl__report_fail(w, d, e->name, sfd);
		} else if (sfd < 0 || !S_ISREG(e->st.st_mode)) {
			/* Not a regular file any more: copy it as what it is. */
			close_later(b, sfd);
			rl__walk_entry(w, d, e->name, e->name, DT_UNKNOWN);
		} else {
			rl_result res = RL_RESULT_INIT;
			int r = finish_file(w, e, sfd, i, &res);
			close_later(b, sfd);
			rl__entry_report(w, e, r, &res);
		}
	}
}

void rl__batch_flush(struct rl__worker *w)
{
	struct rl__batch *b = w->batch;
	struct rl__ent ents[RL__BATCH_MAX];
	if (!b || !b->n || b->flushing)
		return;
	b->flushing = 1;
	struct rl__tnode *d = b->dir;
	int ok = open_sources(b) == 0;
	for (unsigned int i = 0; i < b->n; i++) {
		b->f[i].plan = RL__PLAN_ENGINE;
		struct rl__ent *e = &ents[i];
		memset(e, 0, sizeof *e);
		e->dir = d, e->sdir = d->sfd, e->ddir = d->dfd, e->fresh = d->fresh;
		e->name = e->dname = b->f[i].name;
		if (!ok) /* the ring failed: everything one by one */
			b->f[i].sfd = NOT_TRIED;
		else if (b->f[i].sfd >= 0 && !b->f[i].stx.stx_mask &&
			 fstat(b->f[i].sfd, &e->st) == 0)
			; /* statx refused: fstat did it */
		else if (b->f[i].sfd >= 0)
			stat_from_statx(&e->st, &b->f[i].stx);
	}
	if (ok && open_copies(w, ents) < 0)
		ok = 0; /* fds the ring opened are lost: it never happens */
	finish_all(w, ents);
	b->n = 0;
	b->flushing = 0;
}

int rl__batch_add(struct rl__worker *w, struct rl__tnode *d, const char *name)
{
	struct rl__batch *b = w->batch;
	if (!b || b->ring_ok < 0 || b->flushing)
		return 0;
	if (b->ring_ok == 0)
		b->ring_ok = rl__ring_init(&b->ring, RING_ENTRIES) == 0 ? 1 : -1;
	if (b->ring_ok < 0)
		return 0;
	if (b->n && b->dir != d)
		rl__batch_flush(w);
	b->dir = d;
	b->f[b->n++].name = name;
	if (b->n == b->max)
		rl__batch_flush(w);
	return 1;
}

void rl__batch_fini(struct rl__worker *w)
{
	struct rl__batch *b = w->batch;
	if (!b)
		return;
	rl__batch_flush(w);
	if (b->ring_ok > 0)
		run_all(b); /* the last closes */
	if (b->ring_ok != 0)
		rl__ring_fini(&b->ring);
	free(b);
	w->batch = NULL;
}
