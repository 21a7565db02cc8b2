/* queue.c - the work queue: tasks ("read directory N", or "handle these
 * entries of N") in one LIFO list, depth first so fewer directories are
 * live at once, and the count of tasks queued or running that tells the
 * workers when the pass is over. */
#include "tree.h"

#include <errno.h>
#include <stdlib.h>

int rl__queue_init(struct rl__tree *t)
{
	struct rl__queue *q = &t->queue;
	q->tasks = NULL;
	q->active = 0;
	atomic_init(&q->idle, 0);
	if (pthread_mutex_init(&q->mu, NULL))
		return -ENOMEM;
	return pthread_cond_init(&q->cv, NULL) ? -ENOMEM : 0;
}

void rl__queue_fini(struct rl__tree *t)
{
	pthread_mutex_destroy(&t->queue.mu);
	pthread_cond_destroy(&t->queue.cv);
}

void rl__queue_push(struct rl__tree *t, struct rl__task *k)
{
	struct rl__queue *q = &t->queue;
	pthread_mutex_lock(&q->mu);
	k->next = q->tasks;
	q->tasks = k;
	q->active++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

struct rl__task *rl__queue_pop(struct rl__tree *t)
{
	struct rl__queue *q = &t->queue;
	struct rl__task *k = NULL;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		if ((k = q->tasks)) {
			q->tasks = k->next;
			break;
		}
		if (q->active == 0) {
			pthread_cond_broadcast(&q->cv);
			break;
		}
		atomic_fetch_add(&q->idle, 1);
		pthread_cond_wait(&q->cv, &q->mu);
		atomic_fetch_sub(&q->idle, 1);
	}
	pthread_mutex_unlock(&q->mu);
	return k;
}

void rl__queue_task_over(struct rl__tree *t)
{
	struct rl__queue *q = &t->queue;
	pthread_mutex_lock(&q->mu);
	if (--q->active == 0)
		pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

int rl__queue_drain(struct rl__worker *w)
{
	struct rl__queue *q = &w->t->queue;
	int any = q->tasks != NULL;
	for (struct rl__task *k; (k = q->tasks); free(k)) {
		q->tasks = k->next;
		k->node->failed = 1;
		rl__dir_done(w, k->node);
	}
	return any;
}

int rl__queue_idle(struct rl__tree *t)
{
	return atomic_load(&t->queue.idle) > 0;
}

int rl__queue_waiting(struct rl__tree *t)
{
	struct rl__queue *q = &t->queue;
	pthread_mutex_lock(&q->mu);
	int any = q->tasks != NULL;
	pthread_mutex_unlock(&q->mu);
	return any;
}
