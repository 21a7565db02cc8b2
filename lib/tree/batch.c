/* batch.c - a batch of one directory's regular files, up to RL__BATCH_MAX
 * at a time, with the operations io_uring completes in the submitting
 * thread made through it: one system call opens every source (a cached
 * path lookup), and the closes of sources and copies ride along with the
 * next batch. Stats and creates stay system calls of their own: io_uring
 * hands IORING_OP_STATX, and OPENAT with O_CREAT, to its kernel worker
 * threads, and waking those for every file made a one-worker tree copy
 * 1.6-1.8x slower on a 2-core machine (docs/BENCHMARKS.md). A mechanism
 * only: entry.c decides what goes in and makes each file. Without
 * io_uring, no batch: files are copied one by one. */
#include "tree.h"
#include "../common/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Room for a batch of opens plus two closes per file of the last one. */
#define RING_ENTRIES 64

enum { OP_SRC, OP_CLOSE };
#define DATA(op, i) (((uint64_t)(op) << 32) | (uint32_t)(i))

struct rl__batch *rl__batch_new(void)
{
	struct rlimit rl;
	rlim_t max = RL__BATCH_MAX;
	/* Each batched file holds two fds until its close: stay well under
	 * the fd limit (trees under tight limits go one by one). */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 64 < max)
		max = rl.rlim_cur / 64;
	if (max < 4)
		return NULL;
	struct rl__batch *b = calloc(1, sizeof *b);
	if (b) {
		b->max = (unsigned int)max;
		b->ring.fd = -1;
	}
	return b;
}

static void reap(void *ctx, uint64_t data, int res)
{
	struct rl__batch *b = ctx;
	unsigned int i = (uint32_t)data;
	switch (data >> 32) {
	case OP_SRC: b->f[i].sfd = res; break;
	default: break; /* a close: nothing to learn */
	}
}

/* Run the ring until everything queued is done. */
static int run_all(struct rl__batch *b)
{
	int r = rl__ring_run(&b->ring, b->ring.queued + b->ring.inflight, reap, b);
	if (r < 0)
		b->ring_ok = -1;
	return r;
}

static void close_later(struct rl__batch *b, int fd)
{
	if (fd < 0)
		return;
	if (b->ring_ok > 0 && rl__ring_close(&b->ring, fd, DATA(OP_CLOSE, 0)) == 0)
		return;
	rl__close(fd);
}

/* Open every source: one system call. */
static int open_sources(struct rl__batch *b)
{
	struct rl__tnode *d = b->dir;
	for (unsigned int i = 0; i < b->n; i++) {
		b->f[i].sfd = RL__BATCH_UNOPENED;
		rl__ring_openat(&b->ring, d->sfd, b->f[i].name, O_RDONLY | O_CLOEXEC |
				O_NOCTTY | O_NONBLOCK | O_NOFOLLOW, 0, DATA(OP_SRC, i));
	}
	return run_all(b);
}

unsigned int rl__batch_open(struct rl__batch *b, struct rl__ent *ents,
			    int *sfds)
{
	if (!b || !b->n || b->flushing)
		return 0;
	b->flushing = 1;
	struct rl__tnode *d = b->dir;
	int ok = open_sources(b) == 0;
	for (unsigned int i = 0; i < b->n; i++) {
		struct rl__ent *e = &ents[i];
		memset(e, 0, sizeof *e);
		e->dir = d, e->sdir = d->sfd, e->ddir = d->dfd, e->fresh = d->fresh;
		e->name = e->dname = b->f[i].name;
		if (!ok) { /* the ring failed: everything one by one */
			b->f[i].sfd = RL__BATCH_UNOPENED;
		} else if (b->f[i].sfd >= 0 && fstat(b->f[i].sfd, &e->st) != 0) {
			close_later(b, b->f[i].sfd);
			b->f[i].sfd = RL__BATCH_UNOPENED; /* one by one, from the name */
		}
		sfds[i] = b->f[i].sfd;
	}
	return b->n;
}

void rl__batch_end(struct rl__batch *b)
{
	if (!b)
		return;
	b->n = 0;
	b->flushing = 0;
}

int rl__batch_room(struct rl__batch *b, const struct rl__tnode *d)
{
	if (!b || b->ring_ok < 0 || b->flushing)
		return 0;
	if (b->ring_ok == 0)
		b->ring_ok = rl__ring_init(&b->ring, RING_ENTRIES) == 0 ? 1 : -1;
	if (b->ring_ok < 0)
		return 0;
	return b->n && b->dir != d ? -1 : 1;
}

int rl__batch_add(struct rl__batch *b, struct rl__tnode *d, const char *name)
{
	b->dir = d;
	b->f[b->n++].name = name;
	return b->n == b->max;
}

void rl__batch_close(struct rl__batch *b, int fd)
{
	/* Only a batch's files: it submits their closes with the next one.
	 * One-by-one copies may never run a batch to submit them. */
	if (b && b->flushing)
		close_later(b, fd);
	else if (fd >= 0)
		rl__close(fd);
}

void rl__batch_fini(struct rl__batch *b)
{
	if (!b)
		return;
	if (b->ring_ok > 0)
		run_all(b); /* the last closes */
	if (b->ring_ok != 0)
		rl__ring_fini(&b->ring);
	free(b);
}
