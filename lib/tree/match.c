/* tree_match.c - leaving entries out (--exclude globs and the filter
 * callback) and the relative paths they and the reports need. A glob
 * leaves an entry out when fnmatch(3) with no flags matches either its
 * name or its path relative to the source root ("*" also matches "/"). */
#include "tree.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* w->rel = d's relative path followed by '/' (empty for the root); the
 * result is reused while the worker stays in one directory. */
static int dir_rel(struct rl__worker *w, const struct rl__tnode *d)
{
	if (w->rel_node == d && w->rel_id == d->id && w->rel)
		return 0;
	size_t len = 0;
	for (const struct rl__tnode *p = d; p->parent; p = p->parent)
		len += strlen(p->name) + 1;
	size_t need = len + 256 + 1;
	if (need > w->rel_cap) {
		char *rel = realloc(w->rel, need);
		if (!rel)
			return -ENOMEM;
		w->rel = rel;
		w->rel_cap = need;
	}
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

static int glob_match(const char *const *globs, const char *rel,
		      const char *name)
{
	for (; globs && *globs; globs++)
		if (fnmatch(*globs, name, 0) == 0 || fnmatch(*globs, rel, 0) == 0)
			return 1;
	return 0;
}

static int filtered(const rl_tree_options *o, const char *rel,
		    const char *name, int is_dir)
{
	return o->filter && o->filter(o->ctx, rel, name, is_dir) != 0;
}

int rl__excluded(struct rl__worker *w, struct rl__tnode *d, const char *name,
		 int is_dir)
{
	struct rl__tree *t = w->t;
	const rl_tree_options *o = t->o;
	if ((!o->excludes || !o->excludes[0]) && !o->filter)
		return 0;
	const char *rel = rl__relpath(w, d, name);
	if (!rel)
		return 0; /* out of memory: copying too much beats losing data */
	if (glob_match(o->excludes, rel, name))
		return 1;
	if (!o->filter)
		return 0;
	pthread_mutex_lock(&t->cbmu);
	int out = filtered(o, rel, name, is_dir);
	pthread_mutex_unlock(&t->cbmu);
	return out;
}

int rl__excludes_cover(const rl_tree_options *o, const char *rel)
{
	char *p = strdup(rel);
	int covered = 0;
	if (!p)
		return 0;
	/* Each directory on the way down, then dst itself. */
	for (char *end = p; !covered; end++) {
		if (*end != '/' && *end != 0)
			continue;
		char c = *end;
		*end = 0;
		char *name = strrchr(p, '/');
		name = name ? name + 1 : p;
		covered = glob_match(o->excludes, p, name) ||
			  filtered(o, p, name, 1);
		*end = c;
		if (!c)
			break;
	}
	free(p);
	return covered;
}
