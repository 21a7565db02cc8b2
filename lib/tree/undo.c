/* undo.c - in RL_MODE_ALWAYS, when the first clone shows that clones
 * cannot work between the trees, remove what this run made so no half
 * tree is left. A destination root made by this run goes as a whole; when
 * merging into an existing one, the entries made in directories that were
 * already there are logged until the first clone succeeds, and removed
 * (entries made inside them need no log: they go with them). Removing a
 * directory is remove.c's. */
#include "tree.h"
#include "../common/sys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rl__undo_init(struct rl__tree *t)
{
	struct rl__undo *u = &t->undo;
	atomic_init(&u->on, t->cfg.mode == RL_MODE_ALWAYS);
	u->created = NULL;
	return pthread_mutex_init(&u->mu, NULL) ? -ENOMEM : 0;
}

void rl__undo_fini(struct rl__tree *t)
{
	rl__undo_forget(t);
	pthread_mutex_destroy(&t->undo.mu);
}

void rl__undo_note(struct rl__tree *t, struct rl__tnode *dir, const char *name)
{
	struct rl__undo *u = &t->undo;
	if (!atomic_load(&u->on))
		return;
	size_t len = strlen(name);
	struct rl__created *c = malloc(sizeof *c + len + 1);
	if (!c)
		return; /* it may then stay behind: no worse than cp */
	memcpy(c->name, name, len + 1);
	c->dir = dir;
	pthread_mutex_lock(&u->mu);
	if (!atomic_load(&u->on)) {
		pthread_mutex_unlock(&u->mu);
		free(c);
		return;
	}
	rl__node_ref(t, dir);
	c->next = u->created;
	u->created = c;
	pthread_mutex_unlock(&u->mu);
}

void rl__undo_forget(struct rl__tree *t)
{
	struct rl__undo *u = &t->undo;
	pthread_mutex_lock(&u->mu);
	atomic_store(&u->on, 0); /* clones work, or the run is over */
	struct rl__created *c = u->created;
	u->created = NULL;
	pthread_mutex_unlock(&u->mu);
	while (c) {
		struct rl__created *next = c->next;
		rl__node_unref(t, c->dir);
		free(c);
		c = next;
	}
}

static int remove_entry(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	return errno == EISDIR ? rl__remove_tree(dirfd, name) : -errno;
}

void rl__undo_run(struct rl__tree *t)
{
	/* Newest first: a logged entry never contains an older one. */
	for (struct rl__created *c = t->undo.created; c; c = c->next) {
		if (rl__node_acquire(t, c->dir) < 0)
			continue;
		remove_entry(c->dir->dfd, c->name);
		rl__node_release(t, c->dir);
	}
	rl__undo_forget(t);
}
