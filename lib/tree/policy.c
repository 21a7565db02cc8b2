/* policy.c - what decides whether an existing destination entry (not a
 * directory: those are merged into) is replaced, in cp's order: never
 * what the caller protects (on_replace), then the update policy
 * (coreutils 9.5's --update=WHEN), then the caller's question (cp -i),
 * and last the name the old entry is kept under (cp --backup). The one
 * guard serves the single-file engine (regular files placed by
 * rl__copy_into) and make.c (links, nodes, hard links) alike.
 * RL_UPDATE_NONE and RL_UPDATE_NONE_FAIL never get here for a name that
 * was taken before the copy looked: they run no-clobber, so the final
 * link or RENAME_NOREPLACE decides, and a copy that loses a race to
 * another writer keeps the other's entry (rl__policy_outcome). */
#include "tree.h"

#include <errno.h>
#include <fcntl.h>

static int ts_before(struct timespec a, struct timespec b)
{
	return a.tv_sec != b.tv_sec ? a.tv_sec < b.tv_sec : a.tv_nsec < b.tv_nsec;
}

/* cp -u: replace only a destination older than its source; equal times
 * keep it. A regular file's destination is compared through a symlink
 * there, as cp stats it; anything else by its own times. */
static int dest_older(const struct rl__ent *e, const struct stat *old,
		      const struct stat *src)
{
	struct stat to;
	const struct stat *d = old;
	if (S_ISLNK(old->st_mode) && S_ISREG(src->st_mode) &&
	    fstatat(e->ddir, e->dname, &to, 0) == 0)
		d = &to;
	return ts_before(d->st_mtim, src->st_mtim);
}

static int decide(void *ctx, const struct stat *old, const struct stat *src,
		  char *backup, size_t cap)
{
	const struct rl__asking *a = ctx;
	struct rl__tree *t = a->w->t;
	if (rl__report_replace(t, old))
		return RL_EREFUSED;
	switch (t->cfg.update) {
	case RL_UPDATE_NONE:
		return RL__SKIPPED;
	case RL_UPDATE_NONE_FAIL:
		return -EEXIST;
	case RL_UPDATE_OLDER:
		if (!a->e->relink && !dest_older(a->e, old, src))
			return RL__SKIPPED;
		break;
	default:
		break;
	}
	int keep = rl__report_ask(a->w, a->e);
	if (keep)
		return keep < 0 ? keep : RL__SKIPPED;
	int r = rl__report_backup(a->w, a->e, backup, cap);
	return r < 0 ? r : 0;
}

void rl__policy_guard(struct rl__worker *w, const struct rl__ent *e,
		      struct rl__asking *a)
{
	a->guard.ask = decide;
	a->guard.ctx = a;
	a->w = w;
	a->e = e;
}

int rl__policy_outcome(const struct rl__tree *t, int r)
{
	return r == -EEXIST && t->cfg.update == RL_UPDATE_NONE ? RL__SKIPPED : r;
}
