/* delete.c - RL_TREE_DELETE: in each destination directory that was there
 * before the run, remove what the source's directory lacks, once the
 * directory is open and before its entries are copied (as rsync's
 * --delete-during: the space is free before the copy needs it, and each
 * directory is listed while its fds are at hand, so -j N workers prune
 * their directories in parallel). The source directory is listed first
 * (names and d_type kept in a hash set, its fd rewound for the copy), then
 * each destination name is looked up there, by fstatat (O_NOFOLLOW unless
 * -L) only when the listing cannot tell its kind: absent, or of the other
 * kind (directory against non-directory, which the copy could not
 * replace), it goes, unless the excludes or the filter leave it out. The
 * removal itself is remove.c's, relative to the directory's fd. */
#include "tree.h"
#include "../common/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DENTS_BUF (32 * 1024)

/* A source directory's names: "name\0" records in pool, each preceded by
 * its d_type byte; tab holds their offsets + 1 by hash (0: empty). */
struct names {
	char *pool;
	size_t len, cap;
	size_t *tab;
	size_t tcap, n;
	int ok;                      /* read whole: absence means absent */
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int names_add(struct names *ns, const char *name, unsigned char dt)
{
	size_t n = strlen(name) + 2;
	if (ns->len + n > ns->cap) {
		size_t cap = ns->cap ? 2 * ns->cap : 4096;
		while (cap < ns->len + n)
			cap *= 2;
		char *p = realloc(ns->pool, cap);
		if (!p)
			return -ENOMEM;
		ns->pool = p;
		ns->cap = cap;
	}
	ns->pool[ns->len] = (char)dt;
	memcpy(ns->pool + ns->len + 1, name, n - 1);
	ns->len += n;
	ns->n++;
	return 0;
}

static int names_index(struct names *ns)
{
	size_t cap = 16;
	while (cap < 2 * ns->n)
		cap *= 2;
	if (!(ns->tab = calloc(cap, sizeof *ns->tab)))
		return -ENOMEM;
	ns->tcap = cap;
	for (size_t off = 0; off < ns->len; off += strlen(ns->pool + off + 1) + 2) {
		size_t i = hash(ns->pool + off + 1) & (cap - 1);
		while (ns->tab[i])
			i = (i + 1) & (cap - 1);
		ns->tab[i] = off + 1;
	}
	return 0;
}

/* The d_type the source listed name with, or -1 if it has no such name. */
static int names_find(const struct names *ns, const char *name)
{
	for (size_t i = hash(name) & (ns->tcap - 1); ns->tab[i];
	     i = (i + 1) & (ns->tcap - 1)) {
		const char *rec = ns->pool + ns->tab[i] - 1;
		if (strcmp(rec + 1, name) == 0)
			return (unsigned char)rec[0];
	}
	return -1;
}

/* List d's source (then rewind it for the copy). ns->ok stays 0 when that
 * fails: every lookup then asks the source itself. */
static void names_read(struct names *ns, struct rl__tnode *d, char *buf)
{
	memset(ns, 0, sizeof *ns);
	for (;;) {
		ssize_t n = getdents64(d->sfd, buf, DENTS_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			ns->ok = names_index(ns) == 0;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			const char *rec = buf + off;
			off += rl__dent_len(rec);
			if (names_add(ns, rl__dent_name(rec), rl__dent_type(rec)) < 0) {
				lseek(d->sfd, 0, SEEK_SET);
				return;
			}
		}
	}
	lseek(d->sfd, 0, SEEK_SET);
}

static void names_free(struct names *ns)
{
	free(ns->pool);
	free(ns->tab);
}

/* One directory's pruning: paths for the reports, built when needed. */
struct prune {
	struct rl__worker *w;
	struct rl__tnode *d;
	char *base;                  /* d's path from the root, NULL until used */
	char *path;
	size_t cap;
};

/* base/rel (rel alone at the root), in p->path; NULL without memory. */
static const char *full(struct prune *p, const char *rel)
{
	if (!p->base) {
		const char *b = rl__relpath(p->w, p->d, NULL);
		if (!b || !(p->base = strdup(b)))
			return NULL;
	}
	size_t bl = strlen(p->base);
	if (rl__path_room(&p->path, &p->cap, bl + strlen(rel) + 2) < 0)
		return NULL;
	memcpy(p->path, p->base, bl);
	if (bl)
		p->path[bl++] = '/';
	memcpy(p->path + bl, rel, strlen(rel) + 1);
	return p->path;
}

static void on_gone(void *ctx, const char *rel, mode_t type)
{
	struct prune *p = ctx;
	const char *path = full(p, rel);
	rl__report_removed(p->w->t, path ? path : rel, type);
}

static void on_fail(void *ctx, const char *rel, int err)
{
	struct prune *p = ctx;
	const char *path = full(p, rel);
	rl__report_unremoved(p->w->t, path ? path : rel, err);
}

static int on_stop(void *ctx)
{
	struct prune *p = ctx;
	return rl__tally_stopped(p->w->t);
}

/* The kind of d's destination entry name, as the listing says (dt) or
 * lstat: S_IFMT bits, 0 if it is gone. */
static mode_t dest_type(struct rl__tnode *d, const char *name, unsigned char dt)
{
	struct stat st;
	mode_t m = rl__dtype_mode(dt);
	if (m || fstatat(d->dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return m;
	return st.st_mode & S_IFMT;
}

/* Does the source have a counterpart of d's entry name (of kind type),
 * of the same kind as far as the copy cares (directory or not)? When it
 * cannot tell, yes. */
static int has_counterpart(struct rl__tree *t, struct rl__tnode *d,
			   const char *name, mode_t type)
{
	struct stat st;
	if (fstatat(d->sfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno != ENOENT;
	/* -L copies what a link names; a dangling one fails, so keep. */
	if (S_ISLNK(st.st_mode) && t->cfg.deref &&
	    fstatat(d->sfd, name, &st, 0) != 0)
		return 1;
	/* --keep-directory-symlink merges into a link to a directory. */
	struct stat to;
	if (S_ISDIR(st.st_mode) && S_ISLNK(type) && t->cfg.dir_symlinks &&
	    fstatat(d->dfd, name, &to, 0) == 0 && S_ISDIR(to.st_mode))
		return 1;
	return !S_ISDIR(st.st_mode) == !S_ISDIR(type);
}

/* Was d's destination reached through a symlink of dst (followed by
 * RL_TREE_KEEP_DIR_SYMLINK), or lies below one? What it leads to is the
 * caller's: merged into, never pruned. When it cannot tell, yes. */
static int through_link(struct rl__tree *t, struct rl__tnode *d)
{
	struct stat st;
	if (!t->cfg.dir_symlinks || !d->parent)
		return 0;
	if (d->parent->linked)
		return 1;
	if (rl__node_acquire(t, d->parent) < 0)
		return 1;
	int r = fstatat(d->parent->dfd, d->name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		S_ISLNK(st.st_mode);
	rl__node_release(t, d->parent);
	return r;
}

/* Does the listing settle whether name (of kind type) has a counterpart:
 * 1 yes, 0 no, -1 ask the source (a kind d_type does not tell, a link
 * that -L follows, or one --keep-directory-symlink may merge into). */
static int listed_counterpart(const struct names *ns, const struct rl__tree *t,
			      const char *name, mode_t type)
{
	if (!ns->ok)
		return -1;
	int sdt = names_find(ns, name);
	if (sdt < 0)
		return 0;
	if (sdt == DT_UNKNOWN || (sdt == DT_LNK && t->cfg.deref) ||
	    (sdt == DT_DIR && S_ISLNK(type) && t->cfg.dir_symlinks))
		return -1;
	return (sdt == DT_DIR) == !!S_ISDIR(type);
}

static void prune_one(struct prune *p, const struct names *ns, const char *name,
		      unsigned char dt)
{
	struct rl__worker *w = p->w;
	struct rl__tnode *d = p->d;
	mode_t type = dest_type(d, name, dt);
	int listed = type ? listed_counterpart(ns, w->t, name, type) : 1;
	if (!type || listed == 1 ||
	    (listed < 0 && has_counterpart(w->t, d, name, type)) ||
	    rl__match_excluded(w, d, name, S_ISDIR(type)))
		return;
	struct rl__rm_cb cb = { on_gone, on_fail, on_stop, p };
	rl__remove_entry(d->dfd, name, type, &cb);
}

void rl__delete_extra(struct rl__worker *w, struct rl__tnode *d)
{
	struct rl__tree *t = w->t;
	struct prune p = { w, d, NULL, NULL, 0 };
	struct names ns;
	if ((d->linked = (unsigned char)through_link(t, d)))
		return;
	char *buf = malloc(DENTS_BUF);
	if (buf)
		names_read(&ns, d, buf);
	else
		memset(&ns, 0, sizeof ns);
	/* A fd of its own: the listing's offset is nobody else's business. */
	int fd = buf ? rl__openat(d->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
		     : -ENOMEM;
	if (fd < 0)
		rl__report_fail(w, d, NULL, fd, RL_STEP_NONE, S_IFDIR);
	while (fd >= 0 && !rl__tally_stopped(t)) {
		ssize_t n = getdents64(fd, buf, DENTS_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rl__report_fail(w, d, NULL, -errno, RL_STEP_NONE, S_IFDIR);
		if (n <= 0)
			break;
		for (ssize_t off = 0; off < n && !rl__tally_stopped(t);) {
			const char *rec = buf + off, *name = rl__dent_name(rec);
			off += rl__dent_len(rec);
			if (!rl__dent_dots(name))
				prune_one(&p, &ns, name, rl__dent_type(rec));
		}
	}
	if (fd >= 0)
		rl__close(fd);
	free(buf);
	names_free(&ns);
	free(p.base);
	free(p.path);
}

int rl__delete_check(struct rl__tree *t, const char *s, const char *d)
{
	size_t n = strlen(d);
	if (strncmp(s, d, n) != 0 || (s[n] != '/' && n != 1))
		return 0;
	return rl__match_covers(t, s + n + (s[n] == '/')) ? 0 : RL_EINSIDE;
}
