/* candidates.c - from files to groups of probably identical ones, each
 * step reading less than the next: equal sizes (no reading), then equal
 * first and last blocks, then equal hashes of every byte. Reading runs on
 * the pool's threads. A file out of play (no twin, unreadable, changed)
 * gets state 1 and sorts to the end. */
#include "share.h"
#include "../common/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_BUF (1u << 20)

static int cmp_key(const struct rl__cand *a, const struct rl__cand *b)
{
	if (a->state != b->state)
		return a->state < b->state ? -1 : 1;
	if (a->size != b->size)
		return a->size > b->size ? -1 : 1; /* large first: more to gain */
	if (a->sample != b->sample)
		return a->sample < b->sample ? -1 : 1;
	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return 0;
}

static int cmp_cand(const void *x, const void *y)
{
	const struct rl__cand *a = x, *b = y;
	int c = cmp_key(a, b);
	return c ? c : strcmp(a->path, b->path); /* the first is the same each run */
}

/* Sort, then put out of play every file in play without a twin. Returns
 * the number still in play (they come first). */
static size_t sort_and_prune(struct rl__cands *c)
{
	if (c->n == 0)
		return 0; /* (qsort may not be given v == NULL) */
	qsort(c->v, c->n, sizeof *c->v, cmp_cand);
	size_t live = 0;
	for (size_t i = 0; i < c->n && c->v[i].state == 0;) {
		size_t j = i + 1;
		while (j < c->n && c->v[j].state == 0 && cmp_key(&c->v[i], &c->v[j]) == 0)
			j++;
		if (j - i < 2)
			c->v[i].state = 1;
		else
			live += j - i;
		i = j;
	}
	qsort(c->v, c->n, sizeof *c->v, cmp_cand);
	return live;
}

int rl__cand_open(struct rl__dedupe *d, struct rl__cand *f)
{
	int fd = rl__share_open(AT_FDCWD, f->path);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) < 0) {
		int e = -errno;
		rl__close(fd);
		fd = e;
	}
	if (fd >= 0 && (st.st_ino != f->ino || st.st_dev != f->dev ||
			(uint64_t)st.st_size != f->size ||
			st.st_mtim.tv_sec != f->mtim.tv_sec ||
			st.st_mtim.tv_nsec != f->mtim.tv_nsec)) {
		rl__close(fd);
		fd = -ESTALE;
	}
	if (fd == -ENOENT || fd == -ESTALE || fd == -ELOOP)
		rl__dedupe_skip(d, f->path, RL_SKIP_CHANGED);
	else if (fd < 0)
		rl__dedupe_fail(d, f->path, NULL, fd);
	if (fd < 0)
		f->state = 1;
	return fd;
}

struct hasher {
	struct rl__dedupe *d;
	int full;             /* 0: sample, 1: every byte */
	char **bufs;          /* one per worker */
};

static int read_into(int fd, struct rl__digest *g, char *buf, uint64_t off,
		     uint64_t len)
{
	while (len > 0) {
		size_t n = len < READ_BUF ? (size_t)len : READ_BUF;
		ssize_t got = rl__read_full(fd, buf, n, (int64_t)off);
		if (got < 0)
			return (int)got;
		if ((size_t)got < n)
			return RL_ECHANGED; /* shorter than it was */
		rl__digest_add(g, buf, n);
		off += n, len -= n;
	}
	return 0;
}

static void hash_one(void *ctx, unsigned int w, size_t i)
{
	struct hasher *h = ctx;
	struct rl__dedupe *d = h->d;
	struct rl__cand *f = &d->c.v[i];
	int fd = rl__cand_open(d, f);
	if (fd < 0)
		return;
	struct rl__digest g;
	rl__digest_init(&g, f->size);
	uint64_t b = d->block, read;
	int r;
	if (!h->full && f->size > 2 * b) { /* the first and the last block */
		r = read_into(fd, &g, h->bufs[w], 0, b);
		if (r == 0)
			r = read_into(fd, &g, h->bufs[w], f->size - b, b);
		read = 2 * b;
	} else {
		if (h->full)
			posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		r = read_into(fd, &g, h->bufs[w], 0, f->size);
		read = f->size;
	}
	rl__close(fd);
	if (r == RL_ECHANGED) {
		rl__dedupe_skip(d, f->path, RL_SKIP_CHANGED);
		f->state = 1;
	} else if (r < 0) {
		rl__dedupe_fail(d, f->path, NULL, r);
		f->state = 1;
	} else if (h->full) {
		f->hash = rl__digest_end(&g);
	} else {
		f->sample = rl__digest_end(&g);
		/* All of a small file was read: its sample is its hash. */
		f->hash = f->size <= 2 * b ? f->sample : 0;
	}
	rl__dedupe_progress(d, RL_PHASE_HASH, read);
}

/* Hash the first n candidates (sample or full) on the pool. */
static int hash_all(struct rl__dedupe *d, size_t n, int full)
{
	struct hasher h = { d, full, calloc(d->jobs, sizeof(char *)) };
	int r = h.bufs ? 0 : -ENOMEM;
	for (unsigned int w = 0; r == 0 && w < d->jobs; w++)
		if (!(h.bufs[w] = malloc(READ_BUF)))
			r = -ENOMEM;
	if (r == 0)
		r = rl__pool_run(d->jobs, n, hash_one, &h, d->opts.cancel);
	for (unsigned int w = 0; h.bufs && w < d->jobs; w++)
		free(h.bufs[w]);
	free(h.bufs);
	return r;
}

static uint64_t bytes_to_read(const struct rl__dedupe *d, size_t n, int full)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < n; i++) {
		const struct rl__cand *f = &d->c.v[i];
		if (full && f->size > 2 * d->block)
			sum += f->size;
		else if (!full)
			sum += f->size > 2 * d->block ? 2 * d->block : f->size;
	}
	return sum;
}

/* The final groups: runs of equal size and hash among the files in play. */
static int make_groups(struct rl__cands *c, size_t live)
{
	free(c->groups);
	c->groups = NULL;
	c->ngroups = 0;
	size_t cap = live / 2 + 1;
	if (!(c->groups = malloc(cap * sizeof *c->groups)))
		return -ENOMEM;
	for (size_t i = 0; i < live;) {
		size_t j = i + 1;
		while (j < live && cmp_key(&c->v[i], &c->v[j]) == 0)
			j++;
		c->groups[c->ngroups++] = (struct rl__group){ i, j - i };
		i = j;
	}
	return 0;
}

int rl__cands_group(struct rl__dedupe *d)
{
	struct rl__cands *c = &d->c;
	size_t live = sort_and_prune(c);
	d->total_bytes = bytes_to_read(d, live, 0);
	int r = hash_all(d, live, 0);
	if (r < 0)
		return r;
	live = sort_and_prune(c);
	/* Files of up to two blocks are fully read already (hash set). */
	size_t big = 0;
	while (big < live && c->v[big].size > 2 * d->block)
		big++;
	d->done_bytes = 0;
	d->total_bytes = bytes_to_read(d, big, 1);
	if ((r = hash_all(d, big, 1)) < 0)
		return r;
	rl__dedupe_progress_end(d, RL_PHASE_HASH);
	return make_groups(c, sort_and_prune(c));
}
