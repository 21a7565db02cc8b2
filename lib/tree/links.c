/* links.c - hard links kept as hard links: a table from the source's
 * (device, inode) to the first copy (its directory node and name). The
 * first worker to meet an inode makes the copy; others meeting it at the
 * same time wait for it, then link to it. An entry leaves the table once
 * every link the source counted has been met, so the table holds only
 * groups still open (following symlinks, every file is a group that stays
 * open: a symlink to it may come later). */
#include "tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct rl__link {
	struct rl__link *next;
	dev_t dev;
	ino_t ino;
	nlink_t left;         /* links still to meet */
	int ready;            /* the first copy exists */
	struct rl__tnode *dir;
	char name[256];
};

int rl__links_init(struct rl__tree *t)
{
	struct rl__links *l = &t->links;
	memset(l, 0, sizeof *l);
	if (pthread_mutex_init(&l->mu, NULL) != 0)
		return -ENOMEM;
	if (pthread_cond_init(&l->cv, NULL) != 0) {
		pthread_mutex_destroy(&l->mu);
		return -ENOMEM;
	}
	return 0;
}

static size_t slot(size_t cap, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)ino ^ ((uint64_t)dev << 32)) * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (cap - 1);
}

static struct rl__link **find(struct rl__links *l, dev_t dev, ino_t ino)
{
	if (!l->cap)
		return NULL;
	struct rl__link **pp = &l->tab[slot(l->cap, dev, ino)];
	while (*pp && ((*pp)->dev != dev || (*pp)->ino != ino))
		pp = &(*pp)->next;
	return *pp ? pp : NULL;
}

static int grow(struct rl__links *l)
{
	if (l->n < l->cap)
		return 0;
	size_t cap = l->cap ? l->cap * 2 : 256;
	struct rl__link **tab = calloc(cap, sizeof *tab);
	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < l->cap; i++)
		for (struct rl__link *k = l->tab[i], *next; k; k = next) {
			next = k->next;
			size_t s = slot(cap, k->dev, k->ino);
			k->next = tab[s];
			tab[s] = k;
		}
	free(l->tab);
	l->tab = tab;
	l->cap = cap;
	return 0;
}

static int add_first(struct rl__tree *t, const struct stat *st,
		     struct rl__tnode *dir, const char *name,
		     struct rl__linkref *ref)
{
	struct rl__links *l = &t->links;
	struct rl__link *k = calloc(1, sizeof *k);
	if (!k || strlen(name) >= sizeof k->name || grow(l) < 0) {
		free(k);
		return strlen(name) >= 256 ? -ENAMETOOLONG : -ENOMEM;
	}
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	/* Through followed symlinks an inode is met more often than its
	 * links count: such groups stay open to the end. */
	k->left = t->cfg.deref ? (nlink_t)-1 : st->st_nlink - 1;
	k->dir = dir;
	strcpy(k->name, name);
	size_t s = slot(l->cap, k->dev, k->ino);
	k->next = l->tab[s];
	l->tab[s] = k;
	l->n++;
	rl__node_ref(t, dir);
	ref->first = k;
	ref->dir = NULL;
	return 1;
}

int rl__links_claim(struct rl__tree *t, const struct stat *st,
		    struct rl__tnode *dir, const char *name,
		    struct rl__linkref *ref)
{
	struct rl__links *l = &t->links;
	struct rl__link **pp, *done = NULL;
	int r;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		pp = find(l, st->st_dev, st->st_ino);
		if (!pp) {
			r = add_first(t, st, dir, name, ref);
			break;
		}
		if ((*pp)->ready) {
			struct rl__link *k = *pp;
			ref->first = NULL;
			ref->dir = k->dir;
			strcpy(ref->name, k->name);
			rl__node_ref(t, k->dir);
			if (--k->left == 0) { /* the group is complete */
				*pp = k->next;
				l->n--;
				done = k;
			}
			r = 0;
			break;
		}
		/* Being made by another worker right now. */
		pthread_cond_wait(&l->cv, &l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	if (done) {
		rl__node_unref(t, done->dir);
		free(done);
	}
	return r;
}

void rl__links_publish(struct rl__tree *t, struct rl__linkref *ref, int ok)
{
	struct rl__links *l = &t->links;
	struct rl__link *k = ref->first, *gone = NULL;
	pthread_mutex_lock(&l->mu);
	if (ok) {
		k->ready = 1;
	} else { /* the next one met becomes the first */
		struct rl__link **pp = find(l, k->dev, k->ino);
		*pp = k->next;
		l->n--;
		gone = k;
	}
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	if (gone) {
		rl__node_unref(t, gone->dir);
		free(gone);
	}
}

void rl__links_drop(struct rl__tree *t, struct rl__linkref *ref)
{
	if (ref->dir)
		rl__node_unref(t, ref->dir);
	ref->dir = NULL;
}

void rl__links_fini(struct rl__tree *t)
{
	struct rl__links *l = &t->links;
	for (size_t i = 0; i < l->cap; i++)
		for (struct rl__link *k = l->tab[i], *next; k; k = next) {
			next = k->next;
			rl__node_unref(t, k->dir);
			free(k);
		}
	free(l->tab);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
}
