/* backup.c - the name an existing destination is kept under (-b, as cp
 * names it: DEST~, or DEST.~N~ one past the highest number there). */
#include "cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The highest N of the base.~N~ in dir; 0 if none. */
static unsigned long highest_number(const char *dir, const char *base)
{
	DIR *d = opendir(dir);
	unsigned long best = 0;
	size_t n = strlen(base);
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));) {
		const char *p = e->d_name;
		char *end;
		if (strncmp(p, base, n) || strncmp(p + n, ".~", 2) || p[n + 2] < '1' ||
		    p[n + 2] > '9')
			continue;
		unsigned long v = strtoul(p + n + 2, &end, 10);
		if (!strcmp(end, "~") && v > best)
			best = v;
	}
	closedir(d);
	return best;
}

char *backup_name(const char *dst, int type, const char *suffix)
{
	struct stat st;
	if (type == BACKUP_OFF || lstat(dst, &st) != 0)
		return NULL;
	const char *slash = strrchr(dst, '/');
	const char *base = slash ? slash + 1 : dst;
	char *dir = slash ? strndup(dst, (size_t)(slash - dst) + (slash == dst)) : strdup(".");
	if (!dir)
		return NULL;
	unsigned long n = type == BACKUP_SIMPLE ? 0 : highest_number(dir, base);
	free(dir);
	size_t cap = strlen(base) + strlen(suffix) + 32;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	if (type == BACKUP_NUMBERED || (type == BACKUP_EXISTING && n > 0))
		snprintf(out, cap, "%s.~%lu~", base, n + 1);
	else
		snprintf(out, cap, "%s%s", base, suffix);
	return out;
}
