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
	struct rl__ikey key;  /* first: the table's link */
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

static int add_first(struct rl__tree *t, const struct stat *st,
		     struct rl__tnode *dir, const char *name,
		     struct rl__linkref *ref)
{
	struct rl__links *l = &t->links;
	if (strlen(name) >= sizeof ((struct rl__link *)0)->name)
		return -ENAMETOOLONG;
	struct rl__link *k = calloc(1, sizeof *k);
	if (!k)
		return -ENOMEM;
	k->key.dev = st->st_dev;
	k->key.ino = st->st_ino;
	/* Through followed symlinks an inode is met more often than its
	 * links count: such groups stay open to the end. */
	k->left = t->cfg.deref ? (nlink_t)-1 : st->st_nlink - 1;
	k->dir = dir;
	strcpy(k->name, name);
	if (rl__itab_add(&l->tab, &k->key) < 0) {
		free(k);
		return -ENOMEM;
	}
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
	struct rl__link *done = NULL;
	struct rl__ikey **pp;
	int r;
	pthread_mutex_lock(&l->mu);
	for (;;) {
		pp = rl__itab_find(&l->tab, st->st_dev, st->st_ino);
		if (!pp) {
			r = add_first(t, st, dir, name, ref);
			break;
		}
		struct rl__link *k = (struct rl__link *)*pp;
		if (k->ready) {
			ref->first = NULL;
			ref->dir = k->dir;
			strcpy(ref->name, k->name);
			rl__node_ref(t, k->dir);
			if (--k->left == 0) { /* the group is complete */
				rl__itab_remove(&l->tab, pp);
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
		rl__itab_remove(&l->tab, rl__itab_find(&l->tab, k->key.dev, k->key.ino));
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

static void free_link(struct rl__ikey *key, void *tree)
{
	struct rl__link *k = (struct rl__link *)key;
	rl__node_unref(tree, k->dir);
	free(k);
}

void rl__links_fini(struct rl__tree *t)
{
	struct rl__links *l = &t->links;
	rl__itab_clear(&l->tab, free_link, t);
	pthread_cond_destroy(&l->cv);
	pthread_mutex_destroy(&l->mu);
}
