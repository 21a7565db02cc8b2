/* memo.c - rl_links: the copies of multiply-linked sources, remembered
 * across calls (cp --preserve=links over several operands), so that a
 * file met again in a later operand becomes a hard link of its first copy.
 * A tree's own links.c table is per call and names its copies by directory
 * node; this one names them by path and outlives the calls. */
#include "../common/internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct memo {
	struct rl__ikey key; /* first: the table's link */
	char path[];
};

struct rl_links {
	pthread_mutex_t mu; /* tree workers add and look up at once */
	struct rl__itab tab;
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

static void free_memo(struct rl__ikey *k, void *unused)
{
	(void)unused;
	free(k);
}

void rl_links_free(rl_links *l)
{
	if (!l)
		return;
	rl__itab_clear(&l->tab, free_memo, NULL);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

int rl_links_add(rl_links *l, const struct stat *st, const char *path)
{
	if (!l || !st || !path)
		return -EINVAL;
	size_t len = strlen(path);
	struct memo *m = malloc(sizeof *m + len + 1);
	if (!m)
		return -ENOMEM;
	m->key.dev = st->st_dev;
	m->key.ino = st->st_ino;
	memcpy(m->path, path, len + 1);
	pthread_mutex_lock(&l->mu);
	/* The first copy stays the one. */
	int r = rl__itab_find(&l->tab, st->st_dev, st->st_ino) ? 1
							       : rl__itab_add(&l->tab, &m->key);
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
	struct rl__ikey **k = rl__itab_find(&l->tab, st->st_dev, st->st_ino);
	const struct memo *m = k ? (const struct memo *)*k : NULL;
	size_t len = m ? strlen(m->path) : 0;
	int r = !m ? 0 : len < cap ? 1 : -ENAMETOOLONG;
	if (r == 1)
		memcpy(buf, m->path, len + 1);
	pthread_mutex_unlock(&l->mu);
	return r;
}
