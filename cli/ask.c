/* ask.c - before an existing destination is replaced: -n, -u, -i as cp
 * 9.5 decides (the library's RL_F_NO_CLOBBER then closes the race). */
#include "cli.h"

#include <stdlib.h>
#include <sys/stat.h>

/* cp -i: "overwrite 'x'? " on stderr, a line from stdin; y or Y says yes. */
int ask_overwrite(struct report *r, const char *dst)
{
	char *line = NULL;
	size_t cap = 0;
	report_prompt(r, "overwrite ", dst, "? ");
	ssize_t n = getline(&line, &cap, stdin);
	int yes = n > 0 && (line[0] == 'y' || line[0] == 'Y');
	free(line);
	return yes;
}

static int older(const struct stat *dst, const struct stat *src)
{
	if (dst->st_mtim.tv_sec != src->st_mtim.tv_sec)
		return dst->st_mtim.tv_sec < src->st_mtim.tv_sec;
	return dst->st_mtim.tv_nsec < src->st_mtim.tv_nsec;
}

int replace_allowed(const struct cli *c, struct report *r, const char *src,
		    const struct stat *sst, const char *dst)
{
	struct stat st;
	(void)src;
	if (lstat(dst, &st) != 0 || S_ISDIR(st.st_mode))
		return 1; /* nothing to replace, or the copy's own error */
	switch (c->update) {
	case UPDATE_NONE:
		report_skipped(r, dst);
		return 0;
	case UPDATE_NONE_FAIL:
		report_words(r, "not replacing ", dst, "", NULL, "");
		return 0;
	case UPDATE_OLDER:
		if (S_ISLNK(st.st_mode))
			stat(dst, &st); /* a link's target, as cp compares */
		if (!older(&st, sst)) {
			report_skipped(r, dst);
			return 0;
		}
		break;
	default:
		break;
	}
	if (c->interactive && !ask_overwrite(r, dst)) {
		report_skipped(r, dst);
		return 0;
	}
	return 1;
}
