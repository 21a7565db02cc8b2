/* node.c - directory nodes and the bounded cache of their fds.
 *
 * A node's fds stay open after its task while the budget allows (its
 * files' hard links, its own metadata and its children's reopening want
 * them), and are closed least recently used first when over budget. A
 * closed node is reopened by name relative to its parent, refusing
 * symlinks and checking device and inode, so a directory renamed or
 * swapped meanwhile is never mistaken for it. Pinned nodes (in use) are
 * never closed. */
#include "tree.h"
#include "../common/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rl__cache_init(struct rl__tree *t, unsigned int max_open)
{
	struct rl__cache *c = &t->cache;
	c->lru_head = c->lru_tail = NULL;
	c->n_open = 0;
	c->max_open = max_open;
	c->next_id = 0;
	return pthread_mutex_init(&c->mu, NULL) ? -ENOMEM : 0;
}

void rl__cache_fini(struct rl__tree *t)
{
	pthread_mutex_destroy(&t->cache.mu);
}

/* cache.mu held for all the static helpers below. */
static void lru_unlink(struct rl__tree *t, struct rl__tnode *n)
{
	if (n->lru_prev)
		n->lru_prev->lru_next = n->lru_next;
	else
		t->cache.lru_head = n->lru_next;
	if (n->lru_next)
		n->lru_next->lru_prev = n->lru_prev;
	else
		t->cache.lru_tail = n->lru_prev;
	n->lru_prev = n->lru_next = NULL;
}

static void lru_push(struct rl__tree *t, struct rl__tnode *n)
{
	n->lru_prev = NULL;
	n->lru_next = t->cache.lru_head;
	if (t->cache.lru_head)
		t->cache.lru_head->lru_prev = n;
	else
		t->cache.lru_tail = n;
	t->cache.lru_head = n;
}

static void close_fds(struct rl__tree *t, struct rl__tnode *n)
{
	if (n->sfd < 0)
		return;
	rl__close(n->sfd);
	if (n->dfd >= 0)
		rl__close(n->dfd);
	n->sfd = n->dfd = -1;
	t->cache.n_open--;
}

static void evict(struct rl__tree *t)
{
	while (t->cache.n_open > t->cache.max_open && t->cache.lru_tail) {
		struct rl__tnode *n = t->cache.lru_tail;
		lru_unlink(t, n);
		close_fds(t, n);
	}
}

/* Open and unpinned nodes are exactly those on the LRU list. */
static void pin(struct rl__tree *t, struct rl__tnode *n)
{
	if (n->pins++ == 0 && n->sfd >= 0)
		lru_unlink(t, n);
}

static void unpin(struct rl__tree *t, struct rl__tnode *n)
{
	if (--n->pins == 0 && n->sfd >= 0) {
		lru_push(t, n);
		evict(t);
	}
}

struct rl__tnode *rl__node_child(struct rl__tree *t, struct rl__tnode *parent,
				 const char *name)
{
	size_t len = strlen(name);
	struct rl__tnode *n = calloc(1, sizeof *n + len + 1);
	if (!n)
		return NULL;
	memcpy(n->name, name, len + 1);
	n->parent = parent;
	n->sfd = n->dfd = -1;
	n->refs = 1;
	n->pending = 1;
	pthread_mutex_lock(&t->cache.mu);
	n->id = ++t->cache.next_id;
	if (parent) {
		parent->refs++;
		parent->pending++;
	}
	pthread_mutex_unlock(&t->cache.mu);
	return n;
}

void rl__node_install(struct rl__tree *t, struct rl__tnode *n, int sfd, int dfd)
{
	pthread_mutex_lock(&t->cache.mu);
	if (n->sfd >= 0) { /* opened by another worker meanwhile */
		rl__close(sfd);
		if (dfd >= 0)
			rl__close(dfd);
		pin(t, n);
	} else { /* pinned before it is open: it was never on the list */
		n->pins++;
		n->sfd = sfd;
		n->dfd = dfd;
		t->cache.n_open++;
	}
	n->opened = 1;
	evict(t);
	pthread_mutex_unlock(&t->cache.mu);
}

static int open_checked(int dirfd, const char *name, int follow, dev_t dev,
			ino_t ino)
{
	int fd = rl__openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
			    O_NOCTTY | (follow ? 0 : O_NOFOLLOW), 0);
	struct stat st;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) != 0 || st.st_dev != dev || st.st_ino != ino) {
		/* Renamed or replaced since we copied it: not ours to touch. */
		rl__close(fd);
		return -ESTALE;
	}
	return fd;
}

/* Open n again relative to its (pinned) parent. The destination side is
 * never followed through a symlink, whatever -L says. */
static int reopen(struct rl__tree *t, struct rl__tnode *n, int *sfd, int *dfd)
{
	struct rl__tnode *p = n->parent;
	*dfd = -1;
	*sfd = open_checked(p->sfd, n->name, n->follow, n->sdev, n->sino);
	if (*sfd < 0 || t->scan)
		return *sfd < 0 ? *sfd : 0;
	*dfd = open_checked(p->dfd, n->name, 0, n->ddev, n->dino);
	if (*dfd >= 0)
		return 0;
	rl__close(*sfd);
	return *dfd;
}

/* The closed ancestors of n (n included), topmost first; nmu held. */
static struct rl__tnode **closed_chain(struct rl__tnode *n, size_t *len)
{
	size_t depth = 0;
	for (struct rl__tnode *p = n; p->sfd < 0; p = p->parent)
		depth++;
	struct rl__tnode **chain = malloc(depth * sizeof *chain);
	if (!chain)
		return NULL;
	*len = depth;
	for (struct rl__tnode *p = n; p->sfd < 0; p = p->parent)
		chain[--depth] = p;
	return chain;
}

int rl__node_acquire(struct rl__tree *t, struct rl__tnode *n)
{
	size_t len = 0;
	pthread_mutex_lock(&t->cache.mu);
	if (n->sfd >= 0) {
		pin(t, n);
		pthread_mutex_unlock(&t->cache.mu);
		return 0;
	}
	/* The root is pinned for the whole run, so the chain ends there. */
	struct rl__tnode **chain = closed_chain(n, &len);
	if (chain)
		pin(t, chain[0]->parent);
	pthread_mutex_unlock(&t->cache.mu);
	if (!chain)
		return -ENOMEM;
	int r = 0;
	for (size_t i = 0; i < len; i++) {
		int sfd, dfd;
		r = reopen(t, chain[i], &sfd, &dfd);
		if (r == 0)
			rl__node_install(t, chain[i], sfd, dfd);
		pthread_mutex_lock(&t->cache.mu);
		unpin(t, chain[i]->parent);
		pthread_mutex_unlock(&t->cache.mu);
		if (r < 0)
			break;
	}
	free(chain);
	return r;
}

void rl__node_release(struct rl__tree *t, struct rl__tnode *n)
{
	pthread_mutex_lock(&t->cache.mu);
	unpin(t, n);
	pthread_mutex_unlock(&t->cache.mu);
}

void rl__node_ref(struct rl__tree *t, struct rl__tnode *n)
{
	pthread_mutex_lock(&t->cache.mu);
	n->refs++;
	pthread_mutex_unlock(&t->cache.mu);
}

void rl__node_unref(struct rl__tree *t, struct rl__tnode *n)
{
	while (n) {
		pthread_mutex_lock(&t->cache.mu);
		if (--n->refs > 0) {
			pthread_mutex_unlock(&t->cache.mu);
			return;
		}
		if (n->sfd >= 0 && n->pins == 0)
			lru_unlink(t, n);
		close_fds(t, n);
		pthread_mutex_unlock(&t->cache.mu);
		struct rl__tnode *p = n->parent;
		free(n);
		n = p; /* n held a reference on its parent */
	}
}

void rl__node_add_pending(struct rl__tree *t, struct rl__tnode *n)
{
	pthread_mutex_lock(&t->cache.mu);
	n->pending++;
	pthread_mutex_unlock(&t->cache.mu);
}

void rl__node_reopen_up(struct rl__tree *t, struct rl__tnode *c,
			struct rl__tnode *p)
{
	pthread_mutex_lock(&t->cache.mu);
	int climb = p->sfd < 0 && p->opened && c->sfd >= 0;
	if (climb)
		pin(t, c);
	pthread_mutex_unlock(&t->cache.mu);
	if (!climb)
		return;
	int sfd = open_checked(c->sfd, "..", 0, p->sdev, p->sino), dfd = -1;
	if (sfd >= 0 && !t->scan &&
	    (dfd = open_checked(c->dfd, "..", 0, p->ddev, p->dino)) < 0) {
		rl__close(sfd);
		sfd = -1;
	}
	/* A mismatch (-L, or moved meanwhile): acquire walks down instead. */
	if (sfd >= 0) {
		rl__node_install(t, p, sfd, dfd);
		rl__node_release(t, p);
	}
	rl__node_release(t, c);
}

unsigned int rl__node_pending_done(struct rl__tree *t, struct rl__tnode *n)
{
	pthread_mutex_lock(&t->cache.mu);
	unsigned int left = --n->pending;
	pthread_mutex_unlock(&t->cache.mu);
	return left;
}

void rl__node_unused(struct rl__tree *t, struct rl__tnode *n)
{
	pthread_mutex_lock(&t->cache.mu);
	n->pending--;
	n->refs--;
	pthread_mutex_unlock(&t->cache.mu);
}
