/* tree_report.c - statistics, the caller's callbacks (one at a time, from
 * whichever worker has something to say), and stopping. */
#include "tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROGRESS_NS 100000000LL /* at most every 100 ms */

/* root/rel, or root itself for the root (""). Caller frees. */
static char *full_path(const char *root, const char *rel)
{
	size_t n = strlen(root) + strlen(rel) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s%s", root, *rel ? "/" : "", rel);
	return p;
}

void rl__tree_stop(struct rl__tree *t, int err)
{
	pthread_mutex_lock(&t->smu);
	if (!t->fatal)
		t->fatal = err;
	pthread_mutex_unlock(&t->smu);
	atomic_store(&t->stop, 1);
}

/* Stopping? The caller's cancel flag counts as a stop with -ECANCELED. */
int rl__tree_stopping(struct rl__tree *t)
{
	if (!atomic_load(&t->stop) && rl__cancel_set(t->fopts.cancel))
		rl__tree_stop(t, -ECANCELED);
	return atomic_load(&t->stop);
}

static void count_fail(struct rl__tree *t, int err)
{
	pthread_mutex_lock(&t->smu);
	t->stats.errors++;
	if (rl_is_clone_impossible(err)) {
		t->stats.clone_impossible++;
		if (!t->first_clone_err)
			t->first_clone_err = err;
	} else if (!t->first_err) {
		t->first_err = err;
	}
	pthread_mutex_unlock(&t->smu);
}

void rl__report_fail(struct rl__worker *w, struct rl__tnode *d,
		     const char *name, int err)
{
	struct rl__tree *t = w->t;
	/* After a stop, failures are its echo; a pre-scan stays silent and
	 * lets the copy report. */
	if (rl__tree_stopping(t) || t->scan)
		return;
	count_fail(t, err);
	if (!t->o->on_error)
		return;
	const char *rel = d == t->top ? "" : rl__relpath(w, d, name);
	char *s = full_path(t->src, rel ? rel : "");
	char *dd = full_path(t->dst, rel ? rel : "");
	pthread_mutex_lock(&t->cbmu);
	int stop = t->o->on_error(t->o->ctx, s ? s : t->src, dd ? dd : t->dst, err);
	pthread_mutex_unlock(&t->cbmu);
	free(s);
	free(dd);
	if (stop)
		rl__tree_stop(t, -ECANCELED);
}

static void count_done(struct rl__tree *t, const struct rl__tnode *d,
		       const struct stat *st, const rl_result *res, int linked)
{
	pthread_mutex_lock(&t->smu);
	rl_tree_stats *s = &t->stats;
	if (!st) {
		s->dirs += d->fresh;
	} else if (linked) {
		s->hardlinks++;
		if (t->prescanned && S_ISREG(st->st_mode)) { /* moves nothing */
			s->total_files--;
			s->total_bytes -= (uint64_t)st->st_size;
		}
	} else if (S_ISREG(st->st_mode)) {
		s->files++;
		s->bytes += res->bytes;
		s->cloned_bytes += res->cloned_bytes;
		s->copied_bytes += res->copied_bytes;
		if ((unsigned)res->method < RL_METHOD_COUNT_)
			s->by_method[res->method]++;
		if (!t->prescanned) { /* no pre-scan: totals grow as we go */
			s->total_files++;
			s->total_bytes += res->bytes;
		}
	} else if (S_ISLNK(st->st_mode)) {
		s->symlinks++;
	} else {
		s->specials++;
	}
	pthread_mutex_unlock(&t->smu);
}

void rl__report_done(struct rl__worker *w, struct rl__tnode *d,
		     const char *name, const struct stat *st,
		     const rl_result *res, int linked)
{
	struct rl__tree *t = w->t;
	count_done(t, d, st, res, linked);
	if (!t->o->on_entry)
		return;
	const char *rel = d == t->top ? "" : rl__relpath(w, d, name);
	if (!rel)
		return;
	pthread_mutex_lock(&t->cbmu);
	t->o->on_entry(t->o->ctx, rel, st ? (int)(st->st_mode & S_IFMT) : S_IFDIR,
		       linked ? NULL : res);
	pthread_mutex_unlock(&t->cbmu);
}

static long long now_ns(void)
{
	struct timespec ts;
	/* The coarse clock is read without a system call (vDSO). */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void rl__report_start(struct rl__tree *t)
{
	/* The first report after 100 ms: a quick copy gets only the last. */
	atomic_store(&t->next_progress, now_ns() + PROGRESS_NS);
}

void rl__report_progress(struct rl__tree *t, int force)
{
	if (!t->o->on_progress)
		return;
	long long now = now_ns();
	long long next = atomic_load(&t->next_progress);
	if (!force && (now < next || !atomic_compare_exchange_strong(
					     &t->next_progress, &next, now + PROGRESS_NS)))
		return;
	rl_tree_stats snap;
	pthread_mutex_lock(&t->smu);
	snap = t->stats;
	pthread_mutex_unlock(&t->smu);
	pthread_mutex_lock(&t->cbmu);
	t->o->on_progress(t->o->ctx, &snap);
	pthread_mutex_unlock(&t->cbmu);
}

int rl__tree_verdict(struct rl__tree *t, int r, const rl_result *res)
{
	if (t->o->mode != RL_MODE_ALWAYS ||
	    atomic_load(&t->verdict) == RL__VERDICT_CLONES)
		return 0;
	int expect = RL__VERDICT_UNKNOWN;
	if (r == 0 && res->method == RL_METHOD_CLONE) {
		if (atomic_compare_exchange_strong(&t->verdict, &expect,
						   RL__VERDICT_CLONES))
			rl__undo_forget(t);
		return 0;
	}
	if (r != RL_ECLONE_XDEV && r != RL_ECLONE_NOTSUP)
		return 0;
	/* The first clone tried shows clones cannot work between these
	 * trees at all: stop now rather than fail file by file. */
	if (atomic_compare_exchange_strong(&t->verdict, &expect,
					   RL__VERDICT_FATAL)) {
		rl__tree_stop(t, r);
		return 1;
	}
	return expect == RL__VERDICT_FATAL;
}
