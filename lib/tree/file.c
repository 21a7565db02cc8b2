/* file.c - a regular file of the tree. In a directory this run made:
 * a clone (or an empty file) is made in place, created with O_CREAT|O_EXCL
 * and filled by FICLONE in one atomic step (removed again if anything
 * fails), so it costs no temporary and no rename; a byte copy takes time
 * and could be seen half-made, even after a crash, so it is written to an
 * unnamed O_TMPFILE linked in only when complete (no check of the name
 * first: nothing was there). In a directory that existed before, the
 * single-file engine replaces atomically. Once a clone between the two
 * root filesystems has failed for a reason of the filesystem (not of the
 * file), the rest go straight to the copy. cp's per-file options (sparse,
 * attributes only, default mode) and --copy-contents' FIFOs and devices
 * go through the single-file engine, which applies them. */
#include "tree.h"
#include "../common/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* How a file is made (file_plan):
 *   IN_PLACE  created with O_CREAT|O_EXCL, then filled (cloned if asked);
 *   UNNAMED   an O_TMPFILE in its directory, filled, then linked in;
 *   ENGINE    the single-file engine (temporary and rename).
 * What a fill may ask of file_after: */
enum { PLAN_ENGINE, PLAN_IN_PLACE, PLAN_UNNAMED };
#define COPY_INSTEAD 3 /* the clone could not be made: copy instead */
#define NAME_TAKEN 4   /* the name exists: the engine replaces it */

/* Through the single-file engine: an unnamed temporary linked into place
 * when complete (and an existing file replaced atomically). */
static int file_engine(struct rl__worker *w, struct rl__ent *e, int sfd,
		       const rl_options *o, int no_clone, rl_result *res)
{
	struct rl__tree *t = w->t;
	struct rl__env env = t->env;
	struct rl__asking a;
	rl__policy_guard(w, e, &a);
	env.no_clone = no_clone || rl__verdict_clones_never(t, e);
	return rl__copy_into(sfd, &e->st, e->ddir, e->dname, o, &env,
			     &a.guard, res);
}

static int file_plan(struct rl__tree *t, const struct rl__ent *e, rl_options *o,
		  int *clone)
{
	*o = t->cfg.fopts;
	o->preserve = e->preserve;
	*clone = 0;
	/* cp's per-file options are the single-file engine's to apply. */
	if (!e->fresh || o->sparse != RL_SPARSE_AUTO ||
	    (o->flags & (RL_F_ATTR_ONLY | RL_F_DEFAULT_MODE)))
		return PLAN_ENGINE;
	/* An empty file has nothing to move (nor to see half-made), unless
	 * a clone is required or its size lies (procfs). */
	if (e->st.st_size == 0 && !e->dir->pseudo && o->mode != RL_MODE_ALWAYS)
		return PLAN_IN_PLACE;
	*clone = o->mode != RL_MODE_NEVER && !rl__verdict_clones_never(t, e);
	if (*clone)
		return PLAN_IN_PLACE;
	return o->mode == RL_MODE_ALWAYS ? PLAN_ENGINE : PLAN_UNNAMED;
}

/* After the data: metadata, and fsync if asked. */
static int fill_rest(struct rl__tree *t, struct rl__ent *e, int sfd, int dfd,
		     const rl_options *o, rl_result *res)
{
	rl_step where = RL_STEP_META;
	int r = rl__meta_apply(dfd, sfd, &e->st, o->preserve, 1, &t->env, &where);
	if (r < 0)
		return rl__failed_at(res, r, where);
	if (o->flags & RL_F_FSYNC)
		return rl__failed_at(res, rl__fsync(dfd), RL_STEP_DATA);
	return 0;
}

static int file_fill(struct rl__tree *t, struct rl__ent *e, int sfd, int dfd,
		  const rl_options *o, int clone, rl_result *res)
{
	/* rl__clone_file: with a cancel flag, a huge file in pieces. */
	struct rl__count c = { 0, (uint64_t)e->st.st_size, o->on_bytes, o->ctx,
			       o->cancel, 0 };
	int r = clone ? rl__clone_file(dfd, sfd, (uint64_t)e->st.st_size, &c) : 0;
	if (clone) {
		rl__verdict_clone_seen(t, e, r);
		if (r == 0) {
			res->method = RL_METHOD_CLONE;
			res->bytes = res->cloned_bytes = (uint64_t)e->st.st_size;
		} else if (o->mode == RL_MODE_ALWAYS) {
			return rl__failed_at(res, rl__fallback_reason(r), RL_STEP_DATA);
		} else if (!rl__fallback_ok(r)) {
			return rl__failed_at(res, r, RL_STEP_DATA);
		} else {
			return COPY_INSTEAD;
		}
	}
	return fill_rest(t, e, sfd, dfd, o, res);
}

static int file_fill_unnamed(struct rl__tree *t, struct rl__ent *e, int sfd,
			  int dfd, const rl_options *o, rl_result *res)
{
	struct rl__env env = t->env;
	env.no_clone = 1; /* a clone, if possible here, was made in place */
	int r = rl__failed_at(res, rl__copy_data(sfd, dfd, &e->st, o, &env, res),
			      RL_STEP_DATA);
	if (r == 0)
		r = fill_rest(t, e, sfd, dfd, o, res);
	if (r == 0)
		r = rl__failed_at(res, rl__place_unnamed(dfd, e->ddir, e->dname),
				  RL_STEP_PLACE);
	if (r == -EEXIST) { /* taken meanwhile: the engine replaces it */
		*res = (rl_result)RL_RESULT_INIT;
		r = NAME_TAKEN;
	}
	return r;
}

/* An unnamed temporary in e's directory, or -errno. */
static int open_unnamed(const struct rl__ent *e, const rl_options *o)
{
	return rl__openat(e->ddir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
			  rl__create_mode(&e->st, o->preserve));
}

static int copy_unnamed(struct rl__worker *w, struct rl__ent *e, int sfd,
			const rl_options *o, rl_result *res)
{
	int dfd = open_unnamed(e, o);
	if (dfd < 0) /* no O_TMPFILE here: the engine's named temporary */
		return file_engine(w, e, sfd, o, 1, res);
	int r = file_fill_unnamed(w->t, e, sfd, dfd, o, res);
	rl__batch_close(w->batch, dfd);
	return r;
}

/* Given r from a fill (or NAME_TAKEN when creating found the name taken),
 * finish by another way where needed. */
static int file_after(struct rl__worker *w, struct rl__ent *e, int sfd,
		      const rl_options *o, int r, int clone, rl_result *res)
{
	if (r == COPY_INSTEAD)
		r = copy_unnamed(w, e, sfd, o, res);
	if (r == NAME_TAKEN)
		r = file_engine(w, e, sfd, o, !clone, res);
	return r;
}

/* The bytes of a file being copied, for progress: each chunk moved adds
 * to the tree's count (rl__count reports totals so far). */
struct moving {
	struct rl__tree *t;
	uint64_t seen;
};

static void file_bytes(void *ctx, uint64_t done, uint64_t total)
{
	struct moving *m = ctx;
	(void)total;
	if (done > m->seen)
		rl__tally_moving(m->t, done - m->seen, 0);
	m->seen = done;
}

static int file_copy(struct rl__worker *w, struct rl__ent *e, int sfd,
		     struct moving *m, rl_result *res)
{
	struct rl__tree *t = w->t;
	rl_options o;
	int clone, r, plan = file_plan(t, e, &o, &clone);
	if (m) {
		o.on_bytes = file_bytes;
		o.ctx = m;
	}
	if (plan == PLAN_UNNAMED)
		return file_after(w, e, sfd, &o, COPY_INSTEAD, 0, res);
	if (plan == PLAN_ENGINE) {
		r = file_engine(w, e, sfd, &o, 0, res);
		if (r == 0 && !e->fresh)
			rl__undo_note(t, e->dir, e->dname);
		return r;
	}
	int dfd = rl__openat(e->ddir, e->dname, O_WRONLY | O_CREAT | O_EXCL |
			     O_NOFOLLOW | O_CLOEXEC,
			     rl__create_mode(&e->st, o.preserve));
	if (dfd >= 0) {
		r = file_fill(t, e, sfd, dfd, &o, clone, res);
		rl__batch_close(w->batch, dfd);
		if (r != 0)
			unlinkat(e->ddir, e->dname, 0);
	} else {
		r = dfd == -EEXIST ? NAME_TAKEN : rl__failed_at(res, dfd, RL_STEP_CREATE);
	}
	return file_after(w, e, sfd, &o, r, clone, res);
}

int rl__file_contents(struct rl__worker *w, struct rl__ent *e, rl_result *res)
{
	struct rl__tree *t = w->t;
	struct rl__env env = t->env;
	struct rl__asking a;
	struct stat st;
	rl_options o = t->cfg.fopts;
	o.preserve = e->preserve;
	/* O_NONBLOCK: a FIFO opens at once; the engine reopens it blocking. */
	int sfd = rl__openat(e->sdir, e->name, O_RDONLY | O_NONBLOCK | O_NOCTTY |
			     O_CLOEXEC | (e->follow ? 0 : O_NOFOLLOW), 0);
	if (sfd < 0)
		return rl__failed_at(res, sfd, RL_STEP_SOURCE);
	int r = fstat(sfd, &st) != 0 ? -errno
		: (st.st_mode & S_IFMT) != (e->st.st_mode & S_IFMT) ? RL_ECHANGED : 0;
	rl__policy_guard(w, e, &a);
	if (r == 0)
		r = rl__copy_contents(sfd, &st, e->ddir, e->dname, &o, &env,
				      &a.guard, res);
	rl__close(sfd);
	if (r == 0 && !e->fresh)
		rl__undo_note(t, e->dir, e->dname);
	if (r == 0) /* what was made, and is counted and reported: a file */
		e->st.st_mode = S_IFREG | (e->st.st_mode & 07777);
	return r;
}

int rl__file_copy(struct rl__worker *w, struct rl__ent *e, int sfd,
		  rl_result *res)
{
	struct moving m = { w->t, 0 };
	int want = rl__report_wants_progress(w->t);
	int r = file_copy(w, e, sfd, want ? &m : NULL, res);
	/* Done or failed, it counts (if at all) as a finished file now. */
	rl__tally_moving(w->t, 0, m.seen);
	return r;
}
