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
#include <unistd.h>

#define DENTS_BUF (64 * 1024)
/* Look for an idle worker every this many entries. */
#define SHARE_EVERY 16

/* getdents64 records, read without assuming the buffer's alignment. */
static unsigned short rec_len(const char *rec)
{
	unsigned short len;
	memcpy(&len, rec + offsetof(struct dirent64, d_reclen), sizeof len);
	return len;
}

static unsigned char rec_type(const char *rec)
{
	return (unsigned char)rec[offsetof(struct dirent64, d_type)];
}

static const char *rec_name(const char *rec)
{
	return rec + offsetof(struct dirent64, d_name);
}

/* Give the second half of buf[off, *len) to another worker. */
static void share(struct rl__worker *w, struct rl__tnode *d, const char *buf,
		  size_t off, size_t *len)
{
	size_t half = off + (*len - off) / 2, cut = off;
	while (cut < half)
		cut += rec_len(buf + cut);
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
		const char *name = rec_name(rec);
		if (!(name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]))))
			rl__entry_handle(w, d, name, name, rec_type(rec));
		off += rec_len(rec);
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
			rl__report_fail(w, c, NULL, r);
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
			rl__report_fail(w, c, NULL, -errno);
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
		rl__report_fail(w, k->node, NULL, r);
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

static void *worker_main(void *arg)
{
	struct rl__worker *w = arg;
	struct rl__task *k;
	while ((k = rl__queue_pop(w->t))) {
		run_task(w, k);
		free(k);
		rl__queue_task_over(w->t);
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
	free(w->dents);
	free(w->rel);
}

/* Start the walk at the root and run it with t->jobs workers, this thread
 * being one of them. */
int rl__walk_run(struct rl__tree *t)
{
	unsigned int n = t->cfg.jobs, started = 0;
	struct rl__worker *ws = calloc(n, sizeof *ws);
	pthread_t *tids = calloc(n, sizeof *tids);
	struct rl__task *k = malloc(sizeof *k);
	int r = (ws && tids && k) ? 0 : -ENOMEM;
	for (unsigned int i = 0; r == 0 && i < n; i++)
		if ((r = rl__walk_worker_init(&ws[i], t)) < 0)
			n = i;
	if (r == 0) {
		k->node = t->root;
		k->len = 0;
		rl__queue_push(t, k);
		k = NULL;
		/* Fewer threads than asked still copy everything. */
		for (started = 1; started < n; started++)
			if (pthread_create(&tids[started], NULL, worker_main,
					   &ws[started]) != 0)
				break;
		worker_main(&ws[0]);
		for (unsigned int i = 1; i < started; i++)
			pthread_join(tids[i], NULL);
	}
	for (unsigned int i = 0; ws && i < n; i++)
		rl__walk_worker_fini(&ws[i]);
	free(k);
	free(ws);
	free(tids);
	return r;
}
