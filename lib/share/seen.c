/* seen.c - each inode once: the (dev, ino) of files with several links,
 * in an open-addressing table. Only multiply-linked files go here, so
 * the table stays small on ordinary trees. */
#include "share.h"

#include <errno.h>
#include <stdlib.h>

int rl__seen_init(struct rl__seen *s)
{
	s->tab = NULL;
	s->cap = s->n = 0;
	return pthread_mutex_init(&s->mu, NULL) ? -ENOMEM : 0;
}

void rl__seen_fini(struct rl__seen *s)
{
	free(s->tab);
	s->tab = NULL;
	pthread_mutex_destroy(&s->mu);
}

static size_t slot(uint64_t dev, uint64_t ino, size_t cap)
{
	uint64_t h = (ino ^ (dev << 32 | dev >> 32)) * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 17) & (cap - 1);
}

/* 1 inserted, 0 present. The table has room. */
static int put(uint64_t *tab, size_t cap, uint64_t dev, uint64_t ino)
{
	/* ino 0 never names a file, so (x, 0) marks a free slot. */
	for (size_t i = slot(dev, ino, cap);; i = (i + 1) & (cap - 1)) {
		if (tab[2 * i + 1] == 0) {
			tab[2 * i] = dev, tab[2 * i + 1] = ino;
			return 1;
		}
		if (tab[2 * i] == dev && tab[2 * i + 1] == ino)
			return 0;
	}
}

static int grow(struct rl__seen *s)
{
	size_t cap = s->cap ? s->cap * 2 : 256;
	uint64_t *tab = calloc(cap, 2 * sizeof *tab);
	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++)
		if (s->tab[2 * i + 1])
			put(tab, cap, s->tab[2 * i], s->tab[2 * i + 1]);
	free(s->tab);
	s->tab = tab;
	s->cap = cap;
	return 0;
}

int rl__seen_add(struct rl__seen *s, dev_t dev, ino_t ino)
{
	pthread_mutex_lock(&s->mu);
	int r = 0;
	if ((s->n + 1) * 2 > s->cap)
		r = grow(s);
	if (r == 0 && (r = put(s->tab, s->cap, (uint64_t)dev, (uint64_t)ino)))
		s->n++;
	pthread_mutex_unlock(&s->mu);
	return r;
}
