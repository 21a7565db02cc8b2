/* match.c - leaving entries out: --exclude globs and the filter callback
 * (through report.c, which runs callbacks one at a time). A glob
 * leaves an entry out when fnmatch(3) with no flags matches either its
 * name or its path relative to the source root ("*" also matches "/"). */
#include "tree.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static int glob_match(const char *const *globs, const char *rel,
		      const char *name)
{
	for (; globs && *globs; globs++)
		if (fnmatch(*globs, name, 0) == 0 || fnmatch(*globs, rel, 0) == 0)
			return 1;
	return 0;
}

int rl__match_excluded(struct rl__worker *w, struct rl__tnode *d,
		       const char *name, int is_dir)
{
	struct rl__tree *t = w->t;
	const char *const *ex = t->cfg.excludes;
	if ((!ex || !ex[0]) && !rl__report_filters(t))
		return 0;
	const char *rel = rl__relpath(w, d, name);
	if (!rel)
		return 0; /* out of memory: copying too much beats losing data */
	return glob_match(ex, rel, name) ||
	       rl__report_filter(t, rel, name, is_dir);
}

int rl__match_covers(struct rl__tree *t, const char *rel)
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
		covered = glob_match(t->cfg.excludes, p, name) ||
			  rl__report_filter(t, p, name, 1);
		*end = c;
		if (!c)
			break;
	}
	free(p);
	return covered;
}
