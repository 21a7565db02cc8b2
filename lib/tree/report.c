/* report.c - the caller's callbacks, one at a time, from whichever worker
 * has something to say: the filter, each entry done or failed (counted
 * in tally.c first), and progress: every ~100 ms from the ticker, a thread
 * of its own, so a tree of a few huge files reports as its bytes move
 * (the workers are inside their copies then), and once at the end. */
#include "tree.h"

#include <errno.h>
#include <pthread.h>
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

static long long now_ns(void)
{
	struct timespec ts;
	/* The coarse clock is read without a system call (vDSO). */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int rl__report_replace(struct rl__tree *t, const struct stat *old)
{
	struct rl__report *p = &t->report;
	if (!p->on_replace)
		return 0;
	pthread_mutex_lock(&p->mu);
	int k = p->on_replace(p->ctx, (uint64_t)old->st_dev,
			      (uint64_t)old->st_ino);
	pthread_mutex_unlock(&p->mu);
	return k;
}

/* e's destination path as the caller named it, or NULL without memory. */
static char *dest_path(struct rl__worker *w, const struct rl__ent *e)
{
	struct rl__tree *t = w->t;
	const char *rel = e->dir == t->top ? "" : rl__relpath(w, e->dir, e->dname);
	return rel ? full_path(t->dst, rel) : NULL;
}

int rl__report_ask(struct rl__worker *w, const struct rl__ent *e)
{
	struct rl__report *p = &w->t->report;
	if (!p->on_ask)
		return 0;
	char *d = dest_path(w, e);
	if (!d)
		return -ENOMEM;
	pthread_mutex_lock(&p->mu);
	int keep = p->on_ask(p->ctx, d);
	pthread_mutex_unlock(&p->mu);
	free(d);
	return keep;
}

int rl__report_backup(struct rl__worker *w, const struct rl__ent *e,
		      char *name, size_t cap)
{
	struct rl__report *p = &w->t->report;
	name[0] = 0;
	if (!p->backup)
		return 0;
	char *d = dest_path(w, e);
	if (!d)
		return -ENOMEM;
	pthread_mutex_lock(&p->mu);
	int r = p->backup(p->ctx, d, name, cap);
	pthread_mutex_unlock(&p->mu);
	free(d);
	/* A name that is no name in the entry's directory is refused. */
	if (r > 0 && (!memchr(name, 0, cap) || !name[0] || strchr(name, '/') ||
		      !strcmp(name, ".") || !strcmp(name, "..")))
		r = -EINVAL;
	if (r <= 0)
		name[0] = 0;
	return r < 0 ? r : r > 0;
}

int rl__report_init(struct rl__tree *t, const rl_tree_options *o)
{
	struct rl__report *p = &t->report;
	p->filter = o->filter;
	p->on_entry = o->on_entry;
	p->on_error = o->on_error;
	p->on_fail = o->on_fail; /* 0 in an older caller's struct's copy */
	p->on_progress = o->on_progress;
	p->on_replace = o->on_replace;
	p->on_ask = o->on_ask;
	p->backup = o->backup;
	p->on_skip = o->on_skip;
	p->on_delete = o->on_delete; /* 0 in an older caller's struct's copy */
	p->ctx = o->ctx;
	/* The first report after 100 ms: a quick copy gets only the last. */
	atomic_init(&p->next_progress, now_ns() + PROGRESS_NS);
	return pthread_mutex_init(&p->mu, NULL) ? -ENOMEM : 0;
}

void rl__report_fini(struct rl__tree *t)
{
	pthread_mutex_destroy(&t->report.mu);
}

int rl__report_wants_progress(const struct rl__tree *t)
{
	return t->report.on_progress != NULL;
}

int rl__report_filters(const struct rl__tree *t)
{
	return t->report.filter != NULL;
}

int rl__report_filter(struct rl__tree *t, const char *rel, const char *name,
		      int is_dir)
{
	struct rl__report *p = &t->report;
	if (!p->filter)
		return 0;
	pthread_mutex_lock(&p->mu);
	int out = p->filter(p->ctx, rel, name, is_dir) != 0;
	pthread_mutex_unlock(&p->mu);
	return out;
}

/* One failure to the caller: on_fail, else on_error. Under p->mu. */
static int tell(struct rl__report *p, const char *src, const char *dst,
		int err, rl_step step, mode_t type, const char *link)
{
	rl_failure f = { RL_FAILURE_VERSION, src, dst, err, step,
			 (unsigned int)type, link };
	return p->on_fail ? p->on_fail(p->ctx, &f)
			  : p->on_error(p->ctx, src, dst, err);
}

static void report_fail(struct rl__worker *w, struct rl__tnode *d,
			const char *name, int err, rl_step step, mode_t type,
			const char *link)
{
	struct rl__tree *t = w->t;
	struct rl__report *p = &t->report;
	/* After a stop, failures are its echo; the counting pass stays silent and
	 * lets the copy report. */
	if (t->scan || rl__tally_stopped(t))
		return;
	rl__tally_fail(t, err);
	if (!p->on_error && !p->on_fail)
		return;
	const char *rel = d == t->top ? "" : rl__relpath(w, d, name);
	char *s = full_path(t->src, rel ? rel : "");
	char *dd = full_path(t->dst, rel ? rel : "");
	pthread_mutex_lock(&p->mu);
	int stop = tell(p, s ? s : t->src, dd ? dd : t->dst, err, step, type, link);
	pthread_mutex_unlock(&p->mu);
	free(s);
	free(dd);
	if (stop)
		rl__tally_stop(t, -ECANCELED);
}

void rl__report_fail(struct rl__worker *w, struct rl__tnode *d,
		     const char *name, int err, rl_step step, mode_t type)
{
	report_fail(w, d, name, err, step, type, NULL);
}

void rl__report_fail_ent(struct rl__worker *w, struct rl__ent *e, int err,
			 const rl_result *res)
{
	rl_step step = res->failed_step ? res->failed_step : e->step;
	report_fail(w, e->dir, e->dname, err, step, e->st.st_mode & S_IFMT,
		    e->link); /* e->link is entry.c's to free */
}

void rl__report_done(struct rl__worker *w, struct rl__tnode *d,
		     const char *name, const struct stat *st,
		     const rl_result *res, int linked)
{
	struct rl__tree *t = w->t;
	struct rl__report *p = &t->report;
	rl__tally_done(t, d, st, res, linked);
	if (!p->on_entry)
		return;
	const char *rel = d == t->top ? "" : rl__relpath(w, d, name);
	if (!rel)
		return;
	pthread_mutex_lock(&p->mu);
	p->on_entry(p->ctx, rel, st ? (int)(st->st_mode & S_IFMT) : S_IFDIR,
		    linked ? NULL : res);
	pthread_mutex_unlock(&p->mu);
}

void rl__report_skipped(struct rl__worker *w, struct rl__tnode *d,
			const char *name, const struct stat *st)
{
	struct rl__tree *t = w->t;
	struct rl__report *p = &t->report;
	if (t->scan)
		return;
	rl__tally_skipped(t);
	const char *rel = p->on_skip ? (d == t->top ? "" : rl__relpath(w, d, name))
				     : NULL;
	if (!rel)
		return;
	pthread_mutex_lock(&p->mu);
	p->on_skip(p->ctx, rel, (int)(st->st_mode & S_IFMT), NULL);
	pthread_mutex_unlock(&p->mu);
}

void rl__report_removed(struct rl__tree *t, const char *rel, mode_t type)
{
	struct rl__report *p = &t->report;
	rl__tally_deleted(t);
	if (!p->on_delete)
		return;
	pthread_mutex_lock(&p->mu);
	p->on_delete(p->ctx, rel, (int)type);
	pthread_mutex_unlock(&p->mu);
}

void rl__report_unremoved(struct rl__tree *t, const char *rel, int err)
{
	struct rl__report *p = &t->report;
	if (rl__tally_stopped(t))
		return;
	rl__tally_fail(t, err);
	if (!p->on_error && !p->on_fail)
		return;
	char *dd = full_path(t->dst, rel);
	pthread_mutex_lock(&p->mu);
	int stop = tell(p, NULL, dd ? dd : t->dst, err, RL_STEP_NONE, 0, NULL);
	pthread_mutex_unlock(&p->mu);
	free(dd);
	if (stop)
		rl__tally_stop(t, -ECANCELED);
}

void rl__report_progress(struct rl__tree *t, int force)
{
	struct rl__report *p = &t->report;
	if (!p->on_progress)
		return;
	long long now = now_ns();
	long long next = atomic_load(&p->next_progress);
	if (!force && (now < next || !atomic_compare_exchange_strong(
					     &p->next_progress, &next, now + PROGRESS_NS)))
		return;
	rl_tree_stats snap;
	rl__tally_snapshot(t, &snap);
	pthread_mutex_lock(&p->mu);
	p->on_progress(p->ctx, &snap);
	pthread_mutex_unlock(&p->mu);
}

static void *tick(void *arg)
{
	struct rl__tree *t = arg;
	struct rl__report *p = &t->report;
	pthread_mutex_lock(&p->tick_mu);
	while (p->ticking) {
		struct timespec at;
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_nsec += PROGRESS_NS;
		if (at.tv_nsec >= 1000000000L)
			at.tv_sec++, at.tv_nsec -= 1000000000L;
		pthread_cond_timedwait(&p->tick_cv, &p->tick_mu, &at);
		if (!p->ticking)
			break;
		pthread_mutex_unlock(&p->tick_mu);
		rl__report_progress(t, 0);
		pthread_mutex_lock(&p->tick_mu);
	}
	pthread_mutex_unlock(&p->tick_mu);
	return NULL;
}

void rl__report_ticker_start(struct rl__tree *t)
{
	struct rl__report *p = &t->report;
	pthread_condattr_t ca;
	if (!p->on_progress || pthread_mutex_init(&p->tick_mu, NULL))
		return;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	int r = pthread_cond_init(&p->tick_cv, &ca);
	pthread_condattr_destroy(&ca);
	p->ticking = r == 0;
	/* No thread: the workers' own reports remain (at file ends). */
	if (r != 0 || pthread_create(&p->ticker, NULL, tick, t) != 0) {
		p->ticking = 0;
		if (r == 0)
			pthread_cond_destroy(&p->tick_cv);
		pthread_mutex_destroy(&p->tick_mu);
	}
}

void rl__report_ticker_stop(struct rl__tree *t)
{
	struct rl__report *p = &t->report;
	if (p->ticking) {
		pthread_mutex_lock(&p->tick_mu);
		p->ticking = 0;
		pthread_cond_signal(&p->tick_cv);
		pthread_mutex_unlock(&p->tick_mu);
		pthread_join(p->ticker, NULL);
		pthread_cond_destroy(&p->tick_cv);
		pthread_mutex_destroy(&p->tick_mu);
	}
	rl__report_progress(t, 1);
}
