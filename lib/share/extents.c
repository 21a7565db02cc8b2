/* extents.c - FIEMAP: a file's extents, the sums rl_shared reports, and
 * whether two files already map the same blocks. */
#include "share.h"

#include <errno.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define BATCH 128

/* struct fiemap ends in a flexible array: room for BATCH extents. */
union fiemap_buf {
	struct fiemap fm;
	char room[sizeof(struct fiemap) + BATCH * sizeof(struct fiemap_extent)];
};

/* Call fn for every extent of fd, in order. 0 or -errno. */
static int each_extent(int fd, void (*fn)(void *ctx, const struct fiemap_extent *x),
		       void *ctx)
{
	union fiemap_buf b;
	uint64_t start = 0;
	for (;;) {
		memset(&b, 0, sizeof b); /* all of it: valgrind cannot see FIEMAP fill it */
		b.fm.fm_start = start;
		b.fm.fm_length = FIEMAP_MAX_OFFSET - start;
		b.fm.fm_extent_count = BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, &b.fm) < 0) {
			if (errno == EINTR)
				continue;
			return errno == ENOTTY ? -EOPNOTSUPP : -errno;
		}
		unsigned int n = b.fm.fm_mapped_extents;
		if (n == 0)
			return 0;
		for (unsigned int i = 0; i < n; i++)
			fn(ctx, &b.fm.fm_extents[i]);
		const struct fiemap_extent *last = &b.fm.fm_extents[n - 1];
		if (last->fe_flags & FIEMAP_EXTENT_LAST)
			return 0;
		start = last->fe_logical + last->fe_length;
	}
}

struct usage_ctx {
	struct rl__usage *u;
	uint64_t size, data; /* data: extent bytes inside the size */
};

static void add_usage(void *ctx, const struct fiemap_extent *x)
{
	struct usage_ctx *c = ctx;
	/* Inline data (btrfs keeps small files in its metadata) takes no
	 * data blocks: not allocated (as btrfs filesystem du), not a hole. */
	if (!(x->fe_flags & FIEMAP_EXTENT_DATA_INLINE)) {
		c->u->allocated += x->fe_length;
		if (x->fe_flags & FIEMAP_EXTENT_SHARED)
			c->u->shared += x->fe_length;
	}
	if (x->fe_logical < c->size) {
		uint64_t end = x->fe_logical + x->fe_length;
		c->data += (end > c->size ? c->size : end) - x->fe_logical;
	}
}

int rl__extents_usage(int fd, uint64_t size, struct rl__usage *u)
{
	struct usage_ctx c = { u, size, 0 };
	memset(u, 0, sizeof *u);
	int r = each_extent(fd, add_usage, &c);
	if (r == 0)
		u->holes = size - c.data;
	return r;
}

static void add_extent(void *ctx, const struct fiemap_extent *x)
{
	struct rl__extents *e = ctx;
	if (e->cap == (size_t)-1)
		return; /* out of memory already */
	struct rl__extent *p = e->n ? &e->v[e->n - 1] : NULL;
	/* The same data split differently (btrfs reports a clone's pieces
	 * as the clone made them): one extent where both ends meet. */
	if (p && p->logical + p->length == x->fe_logical &&
	    p->physical + p->length == x->fe_physical) {
		p->length += x->fe_length;
		p->flags &= x->fe_flags;
		return;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct rl__extent *v = realloc(e->v, cap * sizeof *v);
		if (!v) {
			e->cap = (size_t)-1; /* marks the failure for get */
			return;
		}
		e->v = v, e->cap = cap;
	}
	if (e->n < e->cap)
		e->v[e->n++] = (struct rl__extent){ x->fe_logical, x->fe_physical,
						    x->fe_length, x->fe_flags };
}

int rl__extents_get(int fd, struct rl__extents *e)
{
	e->n = 0;
	int r = each_extent(fd, add_extent, e);
	if (r == 0 && e->cap == (size_t)-1) {
		e->cap = 0;
		free(e->v);
		e->v = NULL;
		e->n = 0;
		return -ENOMEM;
	}
	return r;
}

void rl__extents_free(struct rl__extents *e)
{
	free(e->v);
	e->v = NULL;
	e->n = e->cap = 0;
}

/* Unknown or not-yet-placed extents have no physical address to compare. */
#define NO_ADDRESS (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_DELALLOC | \
		    FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_ENCODED)

int rl__extents_same(const struct rl__extents *a, const struct rl__extents *b)
{
	if (a->n == 0 || a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct rl__extent *x = &a->v[i], *y = &b->v[i];
		if ((x->flags | y->flags) & NO_ADDRESS)
			return 0;
		if (!(x->flags & y->flags & FIEMAP_EXTENT_SHARED))
			return 0;
		if (x->logical != y->logical || x->physical != y->physical ||
		    x->length != y->length)
			return 0;
	}
	return 1;
}

uint64_t rl__extents_data(const struct rl__extents *e, uint64_t end)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < e->n; i++) {
		const struct rl__extent *x = &e->v[i];
		if (x->logical >= end)
			break;
		uint64_t stop = x->logical + x->length;
		sum += (stop > end ? end : stop) - x->logical;
	}
	return sum;
}
