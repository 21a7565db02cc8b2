/* itab.c - a table of entries keyed by (device, inode), chained, grown by
 * doubling: the tree's hard-link groups (lib/tree/links.c) and the copies
 * remembered across calls (lib/tree/memo.c). The entries embed struct
 * rl__ikey first; the callers lock. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>

static size_t slot(size_t cap, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)ino ^ ((uint64_t)dev << 32)) * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (cap - 1);
}

struct rl__ikey **rl__itab_find(const struct rl__itab *t, dev_t dev, ino_t ino)
{
	if (!t->cap)
		return NULL;
	struct rl__ikey **pp = &t->tab[slot(t->cap, dev, ino)];
	while (*pp && ((*pp)->dev != dev || (*pp)->ino != ino))
		pp = &(*pp)->next;
	return *pp ? pp : NULL;
}

static int grow(struct rl__itab *t)
{
	if (t->n < t->cap)
		return 0;
	size_t cap = t->cap ? t->cap * 2 : 256;
	struct rl__ikey **tab = calloc(cap, sizeof *tab);
	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++)
		for (struct rl__ikey *k = t->tab[i], *next; k; k = next) {
			next = k->next;
			size_t s = slot(cap, k->dev, k->ino);
			k->next = tab[s];
			tab[s] = k;
		}
	free(t->tab);
	t->tab = tab;
	t->cap = cap;
	return 0;
}

int rl__itab_add(struct rl__itab *t, struct rl__ikey *k)
{
	int r = grow(t);
	if (r < 0)
		return r;
	size_t s = slot(t->cap, k->dev, k->ino);
	k->next = t->tab[s];
	t->tab[s] = k;
	t->n++;
	return 0;
}

void rl__itab_remove(struct rl__itab *t, struct rl__ikey **slot_of)
{
	*slot_of = (*slot_of)->next;
	t->n--;
}

void rl__itab_clear(struct rl__itab *t, void (*fn)(struct rl__ikey *, void *),
		    void *ctx)
{
	for (size_t i = 0; i < t->cap; i++)
		for (struct rl__ikey *k = t->tab[i], *next; k; k = next) {
			next = k->next;
			fn(k, ctx);
		}
	free(t->tab);
	t->tab = NULL;
	t->cap = t->n = 0;
}
