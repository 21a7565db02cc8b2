/* verdict.c - what the tree learns about clones as it goes. In
 * RL_MODE_ALWAYS, the first clone tried decides: one that works means
 * clones work (the undo log is no longer needed); one that fails because
 * the two filesystems cannot clone at all stops the copy. In any mode,
 * once a clone between the two roots' filesystems failed for a reason of
 * the filesystems (not of the file), the rest go straight to a copy.
 * Which failure is which is lib/file/fallback.c's table. */
#include "tree.h"

void rl__verdict_init(struct rl__tree *t)
{
	struct rl__verdict *v = &t->verdict;
	v->always = t->cfg.mode == RL_MODE_ALWAYS;
	v->src_dev = v->dst_dev = 0;
	atomic_init(&v->verdict, RL__VERDICT_UNKNOWN);
	atomic_init(&v->clones, RL__CLONES_UNKNOWN);
}

void rl__verdict_roots(struct rl__tree *t, dev_t src, dev_t dst)
{
	t->verdict.src_dev = src;
	t->verdict.dst_dev = dst;
}

int rl__verdict_fatal(struct rl__tree *t)
{
	return atomic_load(&t->verdict.verdict) == RL__VERDICT_FATAL;
}

int rl__verdict_file(struct rl__tree *t, int r, const rl_result *res)
{
	struct rl__verdict *v = &t->verdict;
	if (!v->always || atomic_load(&v->verdict) == RL__VERDICT_CLONES)
		return 0;
	int expect = RL__VERDICT_UNKNOWN;
	if (r == 0 && res->method == RL_METHOD_CLONE) {
		if (atomic_compare_exchange_strong(&v->verdict, &expect,
						   RL__VERDICT_CLONES))
			rl__undo_forget(t);
		return 0;
	}
	if (!rl__fallback_reason_fs(r))
		return 0;
	/* The first clone tried shows clones cannot work between these
	 * trees at all: stop now rather than fail file by file. */
	if (atomic_compare_exchange_strong(&v->verdict, &expect,
					   RL__VERDICT_FATAL)) {
		rl__tally_stop(t, r);
		return 1;
	}
	return expect == RL__VERDICT_FATAL;
}

/* Is this file between the filesystems of the two roots? */
static int root_pair(const struct rl__verdict *v, const struct rl__ent *e)
{
	return v->src_dev && e->st.st_dev == v->src_dev &&
	       e->dir->ddev == v->dst_dev;
}

int rl__verdict_clones_never(struct rl__tree *t, const struct rl__ent *e)
{
	return root_pair(&t->verdict, e) &&
	       atomic_load(&t->verdict.clones) == RL__CLONES_NEVER;
}

void rl__verdict_clone_seen(struct rl__tree *t, const struct rl__ent *e, int r)
{
	struct rl__verdict *v = &t->verdict;
	int unknown = RL__CLONES_UNKNOWN;
	if (!root_pair(v, e))
		return;
	if (r == 0)
		atomic_compare_exchange_strong(&v->clones, &unknown, RL__CLONES_WORK);
	else if (rl__fallback_fs_never(r))
		atomic_compare_exchange_strong(&v->clones, &unknown, RL__CLONES_NEVER);
}
