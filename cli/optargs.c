/* optargs.c - option arguments chosen from a list, in cp's words. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Append text, then 'quoted' (if not NULL), to err at *len, never past cap. */
static void add(char *err, size_t cap, size_t *len, const char *text,
		const char *quoted)
{
	if (*len >= cap)
		return;
	int n = quoted ? snprintf(err + *len, cap - *len, "%s'%s'", text, quoted)
		       : snprintf(err + *len, cap - *len, "%s", text);
	if (n > 0)
		*len += (size_t)n;
}

/* cp's (gnulib argmatch's) message: the argument, then the valid ones, a
 * line per value with its synonyms. */
static void invalid(const char *arg, const char *opt, const char *const *names,
		    const int *values, char *err, size_t cap)
{
	size_t len = 0;
	add(err, cap, &len, "invalid argument ", arg);
	add(err, cap, &len, " for ", opt);
	add(err, cap, &len, "\nValid arguments are:", NULL);
	for (size_t i = 0; names[i]; i++) {
		int same = i > 0 && values[i] == values[i - 1];
		add(err, cap, &len, same ? ", " : "\n  - ", names[i]);
	}
}

/* The value of arg, an exact name or an unambiguous prefix (argmatch's
 * rule); -1 none, -2 ambiguous. */
static int lookup(const char *arg, const char *const *names, const int *values)
{
	size_t n = strlen(arg);
	int found = -1;
	for (size_t i = 0; names[i]; i++) {
		if (!strcmp(arg, names[i]))
			return values[i];
		if (n && !strncmp(arg, names[i], n))
			found = found == -1 || found == values[i] ? values[i] : -2;
	}
	return found;
}

int opt_match(const char *arg, const char *opt, const char *const *names,
	      const int *values, char *err, size_t cap)
{
	int v = lookup(arg ? arg : "", names, values);
	if (v >= 0)
		return v;
	invalid(arg ? arg : "", opt, names, values, err, cap);
	if (v == -2 && !strncmp(err, "invalid", 7))
		memcpy(err, "ambiguous", 9); /* same length: the rest stands */
	return -1;
}

int opt_backup_type(const char *arg, char *err, size_t cap)
{
	static const char *const names[] = { "none", "off", "simple", "never",
		"existing", "nil", "numbered", "t", NULL };
	static const int values[] = { BACKUP_OFF, BACKUP_OFF, BACKUP_SIMPLE,
		BACKUP_SIMPLE, BACKUP_EXISTING, BACKUP_EXISTING,
		BACKUP_NUMBERED, BACKUP_NUMBERED };
	const char *env = getenv("VERSION_CONTROL");
	if (!arg && (!env || !*env))
		return BACKUP_EXISTING; /* cp's default */
	return opt_match(arg ? arg : env, arg ? "backup type" : "$VERSION_CONTROL",
			 names, values, err, cap);
}
