/* link.c - -l and -s: DEST made a hard or symbolic link to SOURCE instead
 * of a copy. An existing DEST (with -f, --remove-destination or -b) is
 * replaced atomically: the link is made under a temporary name in DEST's
 * directory and renamed over it, so DEST never goes missing. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* What to make: a hard link (following src if it is a link) or a
 * symbolic one. */
struct how {
	int link;   /* enum cli_link */
	int follow; /* AT_SYMLINK_FOLLOW or 0 */
};

static int make(const struct how *h, const char *src, const char *dst)
{
	int r = h->link == LINK_HARD ? linkat(AT_FDCWD, src, AT_FDCWD, dst, h->follow)
				     : symlinkat(src, AT_FDCWD, dst);
	return r == 0 ? 0 : -errno;
}

/* dst's directory joined with a fresh hidden name. Caller frees. */
static char *temp_beside(const char *dst)
{
	uint64_t x = 0;
	const char *slash = strrchr(dst, '/');
	int dlen = slash ? (int)(slash - dst) + 1 : 0;
	if (getrandom(&x, sizeof x, GRND_NONBLOCK) != (ssize_t)sizeof x)
		x = (uint64_t)getpid() << 20 ^ (uint64_t)(uintptr_t)&x;
	size_t cap = (size_t)dlen + 32;
	char *p = malloc(cap);
	if (p)
		snprintf(p, cap, "%.*s.rl-tmp-%016llx", dlen, dst, (unsigned long long)x);
	return p;
}

/* The old dst also named dir/backup, as a hard link (dst stays). */
static int keep_backup(const char *dst, const char *backup)
{
	const char *slash = strrchr(dst, '/');
	int dlen = slash ? (int)(slash - dst) + 1 : 0;
	size_t cap = (size_t)dlen + strlen(backup) + 1;
	char *b = malloc(cap), *tmp = temp_beside(dst);
	int r = b && tmp ? 0 : -ENOMEM;
	if (r == 0) {
		snprintf(b, cap, "%.*s%s", dlen, dst, backup);
		r = linkat(AT_FDCWD, dst, AT_FDCWD, tmp, 0) == 0 ? 0 : -errno;
	}
	if (r == 0 && renameat(AT_FDCWD, tmp, AT_FDCWD, b) != 0)
		r = -errno;
	if (tmp)
		unlinkat(AT_FDCWD, tmp, 0); /* left when b already was this inode */
	free(b);
	free(tmp);
	return r;
}

/* Make the link under a temporary name, then rename it over dst. */
static int replace(const struct how *h, const char *src, const char *dst,
		   const char *backup)
{
	char *tmp = NULL;
	int r = -EEXIST;
	for (int tries = 0; tries < 100 && r == -EEXIST; tries++) {
		free(tmp);
		r = (tmp = temp_beside(dst)) ? make(h, src, tmp) : -ENOMEM;
	}
	if (r == 0 && backup)
		r = keep_backup(dst, backup);
	if (r == 0 && renameat(AT_FDCWD, tmp, AT_FDCWD, dst) != 0)
		r = -errno;
	/* Also after a rename: onto a name of the same inode (dst already a
	 * link of src) it does nothing, and tmp is left. */
	if (tmp)
		unlinkat(AT_FDCWD, tmp, 0);
	free(tmp);
	return r;
}

/* cp's rule: a relative symlink would point elsewhere from another
 * directory, so it is made only in the current one. */
static int relative_elsewhere(const char *src, const char *dst)
{
	const char *slash = strrchr(dst, '/');
	struct stat dot, dir;
	if (src[0] == '/' || !slash)
		return 0;
	char *d = strndup(dst, (size_t)(slash - dst) + (slash == dst));
	int same = d && stat(".", &dot) == 0 && stat(d, &dir) == 0 &&
		   dot.st_dev == dir.st_dev && dot.st_ino == dir.st_ino;
	free(d);
	return !same;
}

void cli_link(const struct cli *c, struct report *r, const char *src,
	      const char *dst)
{
	const char *what = c->link == LINK_HARD ? "cannot create hard link "
						: "cannot create symbolic link ";
	if (c->link == LINK_SYMBOLIC && relative_elsewhere(src, dst)) {
		report_msg(r, "%s: can make relative symbolic links only in current directory", dst);
		return;
	}
	/* cp -l follows a command-line symlink unless told -P. */
	struct how h = { c->link, c->deref != 0 ? AT_SYMLINK_FOLLOW : 0 };
	char *backup = backup_name(dst, c->backup, c->suffix);
	int err = backup ? -EEXIST : make(&h, src, dst);
	if (err == -EEXIST && (c->force || c->remove_dest || backup))
		err = replace(&h, src, dst, backup);
	free(backup);
	if (err == 0)
		report_link(r, src, dst, c->link == LINK_HARD);
	if (err < 0) {
		char reason[160];
		snprintf(reason, sizeof reason, ": %s", rl_strerror(err));
		report_words(r, what, dst, " to ", src, reason);
	}
}

int link_again(const char *made, const char *dst)
{
	struct how h = { LINK_HARD, 0 };
	int err = make(&h, made, dst);
	return err == -EEXIST ? replace(&h, made, dst, NULL) : err;
}
