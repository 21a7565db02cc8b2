/* relpath.c - an entry's path relative to the source root, built from
 * the node chain into a buffer of the worker, for the filter, the excludes
 * and the reports. */
#include "tree.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* w->rel = d's relative path followed by '/' (empty for the root); the
 * result is reused while the worker stays in one directory. */
int rl__path_room(char **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	char *p = realloc(*buf, need);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = need;
	return 0;
}

static int dir_rel(struct rl__worker *w, const struct rl__tnode *d)
{
	if (w->rel_node == d && w->rel_id == d->id && w->rel)
		return 0;
	size_t len = 0;
	for (const struct rl__tnode *p = d; p->parent; p = p->parent)
		len += strlen(p->name) + 1;
	if (rl__path_room(&w->rel, &w->rel_cap, len + 256 + 1) < 0)
		return -ENOMEM;
	size_t pos = len;
	for (const struct rl__tnode *p = d; p->parent; p = p->parent) {
		size_t n = strlen(p->name);
		pos -= n + 1;
		memcpy(w->rel + pos, p->name, n);
		w->rel[pos + n] = '/';
	}
	w->rel_len = len;
	w->rel_node = d;
	w->rel_id = d->id;
	return 0;
}

const char *rl__relpath(struct rl__worker *w, const struct rl__tnode *d,
			const char *name)
{
	if (dir_rel(w, d) < 0)
		return NULL;
	if (name) {
		size_t n = strlen(name);
		memcpy(w->rel + w->rel_len, name, n + 1);
	} else {
		w->rel[w->rel_len ? w->rel_len - 1 : 0] = 0;
		w->rel_node = NULL; /* the trailing '/' is gone */
	}
	return w->rel;
}
