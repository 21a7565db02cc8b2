/* walk.c - the workers: each takes tasks from the queue (queue.c), reads
 * directories with large getdents64 buffers, and hands each entry to
 * entry.c. A worker
 * reading a large directory hands half of its remaining entries to an idle
 * worker, so one directory of 100,000 files keeps every core busy. */
#include "tree.h"
#include "../common/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define DENTS_BUF (64 * 1024)
/* Look for an idle worker every this many entries. */
#define SHARE_EVERY 16

/* The workers of a pass: started at cfg.jobs, more added (up to
 * cfg.jobs_max) while the ones there wait for the disk. */
struct rl__crew {
	pthread_mutex_t mu;
	struct rl__worker *ws;
	pthread_t *tids;             /* [0] unused: the calling thread */
	atomic_uint n;               /* started (changed under mu) */
	unsigned int max;            /* room for */
};

/* Give the second half of buf[off, *len) to another worker. */
static void share(struct rl__worker *w, struct rl__tnode *d, const char *buf,
		  size_t off, size_t *len)
{
	size_t half = off + (*len - off) / 2, cut = off;
	while (cut < half)
		cut += rl__dent_len(buf + cut);
	if (cut >= *len)
		return;
	struct rl__task *k = malloc(sizeof *k + (*len - cut));
	if (!k)
		return; /* then this worker does it all: fine */
	k->node = d;
	k->len = *len - cut;
	memcpy(k->buf, buf + cut, k->len);
	rl__node_add_pending(w->t, d);
	rl__queue_push(w->t, k);
	*len = cut;
}

static void run_entries(struct rl__worker *w, struct rl__tnode *d,
			const char *buf, size_t len)
{
	struct rl__tree *t = w->t;
	unsigned int n = 0;
	for (size_t off = 0; off < len && !rl__tally_stopped(t);) {
		if (++n % SHARE_EVERY == 0 && rl__queue_idle(t))
			share(w, d, buf, off, &len);
		const char *rec = buf + off;
		const char *name = rl__dent_name(rec);
		if (!rl__dent_dots(name))
			rl__entry_handle(w, d, name, name, rl__dent_type(rec));
		off += rl__dent_len(rec);
	}
	rl__entry_flush(w); /* its names live in buf */
}

static void read_dir(struct rl__worker *w, struct rl__tnode *c)
{
	struct rl__tree *t = w->t;
	int r = c->opened ? rl__node_acquire(t, c) : rl__dir_open(w, c);
	if (r != 0) {
		c->failed = 1;
		if (r < 0)
			rl__report_fail(w, c, NULL, r, c->step, S_IFDIR);
		rl__dir_done(w, c);
		return;
	}
	if (t->cfg.prune && !c->fresh && !c->foreign && !t->scan)
		rl__delete_extra(w, c); /* before its entries are made */
	while (!c->foreign && !rl__tally_stopped(t)) {
		ssize_t n = getdents64(c->sfd, w->dents, DENTS_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rl__report_fail(w, c, NULL, -errno, RL_STEP_SOURCE, S_IFDIR);
		if (n <= 0)
			break;
		run_entries(w, c, w->dents, (size_t)n);
	}
	rl__node_release(t, c);
	rl__dir_done(w, c);
}

static void run_batch(struct rl__worker *w, struct rl__task *k)
{
	int r = rl__node_acquire(w->t, k->node);
	if (r < 0) {
		rl__report_fail(w, k->node, NULL, r, RL_STEP_NONE, S_IFDIR);
	} else {
		run_entries(w, k->node, k->buf, k->len);
		rl__node_release(w->t, k->node);
	}
	rl__dir_done(w, k->node);
}

static void run_task(struct rl__worker *w, struct rl__task *k)
{
	if (rl__tally_stopped(w->t))
		rl__dir_done(w, k->node); /* winding down: just let go */
	else if (k->len == 0)
		read_dir(w, k->node);
	else
		run_batch(w, k);
}

static void *worker_main(void *arg);

/* One more worker, if w is blocked, work waits and there is room. */
static void maybe_grow(struct rl__worker *w)
{
	struct rl__crew *c = w->t->crew;
	if (atomic_load(&c->n) >= c->max || !rl__pace_blocked(&w->pace) ||
	    !rl__queue_waiting(w->t))
		return;
	pthread_mutex_lock(&c->mu);
	unsigned int i = atomic_load(&c->n);
	if (i < c->max) {
		if (rl__walk_worker_init(&c->ws[i], w->t) == 0 &&
		    pthread_create(&c->tids[i], NULL, worker_main, &c->ws[i]) == 0)
			atomic_store(&c->n, i + 1);
		else
			rl__walk_worker_fini(&c->ws[i]);
	}
	pthread_mutex_unlock(&c->mu);
}

static void *worker_main(void *arg)
{
	struct rl__worker *w = arg;
	struct rl__task *k;
	while ((k = rl__queue_pop(w->t))) {
		run_task(w, k);
		free(k);
		rl__queue_task_over(w->t);
		maybe_grow(w);
	}
	rl__entry_flush(w);
	rl__batch_fini(w->batch); /* by the thread that used the ring */
	w->batch = NULL;
	return NULL;
}

int rl__walk_worker_init(struct rl__worker *w, struct rl__tree *t)
{
	memset(w, 0, sizeof *w);
	w->t = t;
	rl__pace_init(&w->pace);
	w->dents = malloc(DENTS_BUF);
	/* No batches while counting, nor with -L: a batch opens with
	 * O_NOFOLLOW. */
	if (!t->scan && !t->cfg.deref)
		w->batch = rl__batch_new();
	return w->dents ? 0 : -ENOMEM;
}

void rl__walk_worker_fini(struct rl__worker *w)
{
	rl__entry_flush(w);
	rl__batch_fini(w->batch);
	w->batch = NULL;
	rl__pace_fini(&w->pace);
	free(w->dents);
	free(w->rel);
}

/* Start the walk at the root and run it with cfg.jobs workers (more
 * added while they block, up to cfg.jobs_max), this thread being one. */
int rl__walk_run(struct rl__tree *t)
{
	struct rl__crew c = { .max = t->cfg.jobs_max < t->cfg.jobs ? t->cfg.jobs
								   : t->cfg.jobs_max };
	c.ws = calloc(c.max, sizeof *c.ws);
	c.tids = calloc(c.max, sizeof *c.tids);
	struct rl__task *k = malloc(sizeof *k);
	int r = (c.ws && c.tids && k) ? 0 : -ENOMEM;
	int mu_ok = r == 0 && pthread_mutex_init(&c.mu, NULL) == 0;
	if (!mu_ok)
		r = -ENOMEM;
	unsigned int n = r == 0 ? t->cfg.jobs : 0, started = 1;
	for (unsigned int i = 0; r == 0 && i < n; i++)
		if ((r = rl__walk_worker_init(&c.ws[i], t)) < 0)
			n = i;
	if (r == 0) {
		atomic_init(&c.n, 1);
		t->crew = &c;
		k->node = t->root;
		k->len = 0;
		rl__queue_push(t, k);
		k = NULL;
		pthread_mutex_lock(&c.mu); /* no worker added meanwhile */
		/* Fewer threads than asked still copy everything. */
		for (; started < n; started++)
			if (pthread_create(&c.tids[started], NULL, worker_main,
					   &c.ws[started]) != 0)
				break;
		for (unsigned int i = started; i < n; i++)
			rl__walk_worker_fini(&c.ws[i]); /* never started */
		atomic_store(&c.n, started);
		pthread_mutex_unlock(&c.mu);
		worker_main(&c.ws[0]);
		/* Workers are added only by running ones, each at the end:
		 * joining in order finds every one. */
		for (unsigned int i = 1; i < atomic_load(&c.n); i++)
			pthread_join(c.tids[i], NULL);
		n = atomic_load(&c.n);
		t->crew = NULL;
	}
	if (mu_ok)
		pthread_mutex_destroy(&c.mu);
	for (unsigned int i = 0; c.ws && i < n; i++)
		rl__walk_worker_fini(&c.ws[i]);
	free(k);
	free(c.ws);
	free(c.tids);
	return r;
}
