/* pool.c - the same function over n items on a few threads: items are
 * taken one by one from a shared counter, so a slow item (a large file)
 * does not hold back the others. */
#include "share.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

struct pool {
	void (*fn)(void *ctx, unsigned int w, size_t i);
	void *ctx;
	size_t n;
	atomic_size_t next;
	const volatile int *cancel;
};

struct pool_worker {
	struct pool *p;
	unsigned int w;
};

static void *pool_main(void *arg)
{
	struct pool_worker *pw = arg;
	struct pool *p = pw->p;
	for (;;) {
		if (rl__cancel_set(p->cancel))
			break;
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			break;
		p->fn(p->ctx, pw->w, i);
	}
	return NULL;
}

unsigned int rl__share_jobs(unsigned int asked)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int j = asked ? asked : (cpus > 0 ? (unsigned int)cpus : 1);
	return j > RL_SHARE_JOBS_MAX ? RL_SHARE_JOBS_MAX : j;
}

int rl__pool_run(unsigned int jobs, size_t n,
		 void (*fn)(void *ctx, unsigned int w, size_t i), void *ctx,
		 const volatile int *cancel)
{
	struct pool p = { fn, ctx, n, 0, cancel };
	if (jobs > n)
		jobs = n ? (unsigned int)n : 1;
	struct pool_worker *ws = calloc(jobs, sizeof *ws);
	pthread_t *tids = calloc(jobs, sizeof *tids);
	if (!ws || !tids) {
		free(ws);
		free(tids);
		return -ENOMEM;
	}
	unsigned int started = 1;
	for (unsigned int i = 0; i < jobs; i++)
		ws[i].p = &p, ws[i].w = i;
	/* Fewer threads than asked still do every item. */
	for (; started < jobs; started++)
		if (pthread_create(&tids[started], NULL, pool_main, &ws[started]))
			break;
	pool_main(&ws[0]);
	for (unsigned int i = 1; i < started; i++)
		pthread_join(tids[i], NULL);
	free(ws);
	free(tids);
	return rl__cancel_set(cancel) ? -ECANCELED : 0;
}
