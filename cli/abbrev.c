/* abbrev.c - cp's abbreviations of its long options keep cp's meaning.
 *
 * getopt_long takes any unique prefix of a long option, and scripts use
 * cp's: "--b=simple", "--pr=mode", "--f", "--at". Options of reflink's own
 * (--bytes, --progress, --fsync, --atomic...) would make those ambiguous,
 * so before getopt runs, an argument that names no option of ours exactly
 * but is a prefix of exactly one of cp 9.1's long options is spelled out
 * as that option. Anything else is left for getopt. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *const cp_longopts[] = {
	"archive", "attributes-only", "backup", "context", "copy-contents",
	"dereference", "force", "help", "interactive", "link", "no-clobber",
	"no-dereference", "no-preserve", "no-target-directory",
	"one-file-system", "parents", "preserve", "recursive", "reflink",
	"remove-destination", "sparse", "strip-trailing-slashes", "suffix",
	"symbolic-link", "target-directory", "update", "verbose", "version",
	NULL,
};

/* The one cp option name starts with name[0..len), or NULL. */
static const char *cp_expansion(const char *name, size_t len)
{
	const char *hit = NULL;
	for (const char *const *o = cp_longopts; *o; o++) {
		if (strncmp(*o, name, len) != 0)
			continue;
		if (hit)
			return NULL;
		hit = *o;
	}
	return hit;
}

/* The option of ours that name[0..len) names exactly, else the one it
 * is a prefix of, or NULL. */
static const struct option *ours(const struct option *opts, const char *name,
				 size_t len)
{
	const struct option *hit = NULL;
	for (const struct option *o = opts; o->name; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (strlen(o->name) == len)
			return o;
		hit = hit ? NULL : o; /* an ambiguous prefix: getopt's to say */
	}
	return hit;
}

/* Does this short-option cluster ("-pS", "-j") leave its last option's
 * argument to the next word? */
static int short_wants_next(const char *arg, const char *shortopts)
{
	for (const char *p = arg + 1; *p; p++) {
		const char *s = strchr(shortopts, *p);
		if (s && s[1] == ':')
			return p[1] == 0; /* the rest of the word is its argument */
	}
	return 0;
}

/* The spelled-out word, kept in c for cli_free; NULL without memory. */
static char *spell(struct cli *c, const char *full, const char *eq)
{
	size_t n = strlen(full) + (eq ? strlen(eq) : 0) + 3;
	char *w = malloc(n);
	char **list = realloc(c->spelled, (c->n_spelled + 1) * sizeof *list);
	if (!w || !list) {
		free(w);
		if (list)
			c->spelled = list;
		return NULL;
	}
	snprintf(w, n, "--%s%s", full, eq ? eq : "");
	c->spelled = list;
	c->spelled[c->n_spelled++] = w;
	return w;
}

int cli_cp_abbrevs(int argc, char **argv, const struct option *opts,
		   const char *shortopts, struct cli *c)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			break;
		if (a[0] == '-' && a[1] != '-' && a[1]) {
			i += short_wants_next(a, shortopts);
			continue;
		}
		if (a[0] != '-' || a[1] != '-')
			continue;
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct option *o = ours(opts, name, len);
		const char *full = (o && strlen(o->name) == len) ? NULL
				   : cp_expansion(name, len);
		if (full) {
			if (!(argv[i] = spell(c, full, eq)))
				return -1;
			o = ours(opts, full, strlen(full));
		}
		if (o && o->has_arg == required_argument && !eq)
			i++; /* its argument is the next word */
	}
	return 0;
}
