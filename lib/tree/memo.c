/* memo.c - rl_links: the copies of multiply-linked sources, remembered
 * across calls (cp --preserve=links over several operands), so that a
 * file met again in a later operand becomes a hard link of its first copy.
 * A tree's own links.c table is per call and names its copies by directory
 * node; this one names them by path and outlives the calls. */
#include "../common/internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct memo {
	struct memo *next;
	dev_t dev;
	ino_t ino;
	char path[];
};

struct rl_links {
	pthread_mutex_t mu; /* tree workers add and look up at once */
	struct memo **tab;
	size_t cap, n;
};

rl_links *rl_links_new(void)
{
	rl_links *l = calloc(1, sizeof *l);
	if (l && pthread_mutex_init(&l->mu, NULL) != 0) {
		free(l);
		return NULL;
	}
	return l;
}

void rl_links_free(rl_links *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->cap; i++)
		for (struct memo *m = l->tab[i], *next; m; m = next) {
			next = m->next;
			free(m);
		}
	free(l->tab);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

static size_t slot(size_t cap, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)ino ^ ((uint64_t)dev << 32)) * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (cap - 1);
}

static struct memo *find(const rl_links *l, const struct stat *st)
{
	struct memo *m = l->cap ? l->tab[slot(l->cap, st->st_dev, st->st_ino)] : NULL;
	while (m && (m->dev != st->st_dev || m->ino != st->st_ino))
		m = m->next;
	return m;
}

static int grow(rl_links *l)
{
	if (l->n < l->cap)
		return 0;
	size_t cap = l->cap ? l->cap * 2 : 64;
	struct memo **tab = calloc(cap, sizeof *tab);
	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < l->cap; i++)
		for (struct memo *m = l->tab[i], *next; m; m = next) {
			next = m->next;
			size_t s = slot(cap, m->dev, m->ino);
			m->next = tab[s];
			tab[s] = m;
		}
	free(l->tab);
	l->tab = tab;
	l->cap = cap;
	return 0;
}

int rl_links_add(rl_links *l, const struct stat *st, const char *path)
{
	if (!l || !st || !path)
		return -EINVAL;
	size_t len = strlen(path);
	struct memo *m = malloc(sizeof *m + len + 1);
	if (!m)
		return -ENOMEM;
	m->dev = st->st_dev;
	m->ino = st->st_ino;
	memcpy(m->path, path, len + 1);
	pthread_mutex_lock(&l->mu);
	int r = find(l, st) ? 1 : grow(l); /* the first copy stays the one */
	if (r == 0) {
		size_t s = slot(l->cap, m->dev, m->ino);
		m->next = l->tab[s];
		l->tab[s] = m;
		l->n++;
	}
	pthread_mutex_unlock(&l->mu);
	if (r != 0)
		free(m);
	return r < 0 ? r : 0;
}

int rl_links_find(rl_links *l, const struct stat *st, char *buf, size_t cap)
{
	if (!l || !st || !buf)
		return -EINVAL;
	pthread_mutex_lock(&l->mu);
	const struct memo *m = find(l, st);
	size_t len = m ? strlen(m->path) : 0;
	int r = !m ? 0 : len < cap ? 1 : -ENAMETOOLONG;
	if (r == 1)
		memcpy(buf, m->path, len + 1);
	pthread_mutex_unlock(&l->mu);
	return r;
}
