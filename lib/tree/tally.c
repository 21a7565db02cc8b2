/* tally.c - the run's statistics, and the error that stops it: counts of
 * what was made and what failed, the totals progress shows, and the
 * versioned copy of it all into the caller's rl_tree_stats. */
#include "tree.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

int rl__tally_init(struct rl__tree *t)
{
	struct rl__tally *y = &t->tally;
	memset(&y->stats, 0, sizeof y->stats);
	y->stats.version = RL_TREE_STATS_VERSION;
	y->fatal = 0;
	y->prescanned = 0;
	atomic_init(&y->stop, 0);
	atomic_init(&y->moving, 0);
	return pthread_mutex_init(&y->mu, NULL) ? -ENOMEM : 0;
}

void rl__tally_fini(struct rl__tree *t)
{
	pthread_mutex_destroy(&t->tally.mu);
}

void rl__tally_prescanned(struct rl__tree *t)
{
	t->tally.prescanned = 1; /* before the copy's workers start */
}

void rl__tally_stop(struct rl__tree *t, int err)
{
	struct rl__tally *y = &t->tally;
	pthread_mutex_lock(&y->mu);
	if (!y->fatal)
		y->fatal = err;
	pthread_mutex_unlock(&y->mu);
	atomic_store(&y->stop, 1);
}

int rl__tally_stopped(struct rl__tree *t)
{
	struct rl__tally *y = &t->tally;
	/* The caller's cancel flag is a stop with -ECANCELED. */
	if (!atomic_load(&y->stop) && rl__cancel_set(t->cfg.fopts.cancel))
		rl__tally_stop(t, -ECANCELED);
	return atomic_load(&y->stop);
}

void rl__tally_fail(struct rl__tree *t, int err)
{
	struct rl__tally *y = &t->tally;
	pthread_mutex_lock(&y->mu);
	y->stats.errors++;
	if (rl_is_clone_impossible(err))
		y->stats.clone_impossible++;
	pthread_mutex_unlock(&y->mu);
}

void rl__tally_skipped(struct rl__tree *t)
{
	struct rl__tally *y = &t->tally;
	pthread_mutex_lock(&y->mu);
	y->stats.skipped++;
	pthread_mutex_unlock(&y->mu);
}

void rl__tally_total(struct rl__tree *t, uint64_t size)
{
	struct rl__tally *y = &t->tally;
	pthread_mutex_lock(&y->mu);
	y->stats.total_files++;
	y->stats.total_bytes += size;
	pthread_mutex_unlock(&y->mu);
}

static void count_file(struct rl__tally *y, const rl_result *res)
{
	rl_tree_stats *s = &y->stats;
	s->files++;
	s->bytes += res->bytes;
	s->cloned_bytes += res->cloned_bytes;
	s->copied_bytes += res->copied_bytes;
	if ((unsigned)res->method < RL_METHOD_COUNT_)
		s->by_method[res->method]++;
	if (!y->prescanned) { /* no counting pass: totals grow as we go */
		s->total_files++;
		s->total_bytes += res->bytes;
	}
}

void rl__tally_done(struct rl__tree *t, const struct rl__tnode *d,
		    const struct stat *st, const rl_result *res, int linked)
{
	struct rl__tally *y = &t->tally;
	rl_tree_stats *s = &y->stats;
	pthread_mutex_lock(&y->mu);
	if (!st) {
		s->dirs += d->fresh;
	} else if (linked) {
		s->hardlinks++;
		if (y->prescanned && S_ISREG(st->st_mode)) { /* moves nothing */
			s->total_files--;
			s->total_bytes -= (uint64_t)st->st_size;
		}
	} else if (S_ISREG(st->st_mode)) {
		count_file(y, res);
	} else if (S_ISLNK(st->st_mode)) {
		s->symlinks++;
	} else {
		s->specials++;
	}
	pthread_mutex_unlock(&y->mu);
}

void rl__tally_totals_done(struct rl__tree *t)
{
	rl_tree_stats *s = &t->tally.stats;
	pthread_mutex_lock(&t->tally.mu);
	s->total_files = s->files;
	s->total_bytes = s->bytes;
	pthread_mutex_unlock(&t->tally.mu);
}

void rl__tally_deleted(struct rl__tree *t)
{
	pthread_mutex_lock(&t->tally.mu);
	t->tally.stats.deleted++;
	pthread_mutex_unlock(&t->tally.mu);
}

void rl__tally_snapshot(struct rl__tree *t, rl_tree_stats *out)
{
	pthread_mutex_lock(&t->tally.mu);
	*out = t->tally.stats;
	pthread_mutex_unlock(&t->tally.mu);
	out->bytes += atomic_load(&t->tally.moving);
}

void rl__tally_moving(struct rl__tree *t, uint64_t moved, uint64_t done)
{
	if (moved)
		atomic_fetch_add(&t->tally.moving, moved);
	if (done)
		atomic_fetch_sub(&t->tally.moving, done);
}

int rl__tally_result(struct rl__tree *t)
{
	struct rl__tally *y = &t->tally;
	return y->fatal ? y->fatal : y->stats.errors ? RL_EPARTIAL : 0;
}

/* How much of rl_tree_stats each version holds: only that is written. */
static const size_t stats_size[] = {
	[1] = offsetof(rl_tree_stats, skipped),
	[2] = sizeof(rl_tree_stats),
};
_Static_assert(RL_METHOD_COUNT_ <= RL_METHOD_MAX, "by_method has no room");
_Static_assert(RL_TREE_STATS_VERSION == 2, "add the new version's size");

void rl__tally_out(struct rl__tree *t, rl_tree_stats *out)
{
	unsigned int version = out->version; /* checked by rl_copy_tree */
	memcpy(out, &t->tally.stats, stats_size[version]);
	out->version = version;
}
