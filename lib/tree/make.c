/* make.c - make one non-directory entry in the destination: a regular
 * file (file.c), a symlink (recreated, never followed), a FIFO, socket
 * or device node, or a hard link to an earlier copy. Everything is
 * relative to the destination directory's fd; metadata of links and nodes
 * is set by name with AT_SYMLINK_NOFOLLOW, which cannot be redirected. */
#include "tree.h"
#include "../common/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Make e (or its stand-in named name) and give it its metadata. */
typedef int (*make_fn)(struct rl__tree *t, struct rl__ent *e,
		       const char *name, const void *arg);

/* A stand-in of e made under a temporary name (rl__place_temp). */
struct stand_in {
	struct rl__tree *t;
	struct rl__ent *e;
	make_fn fn;
	const void *arg;
};

static int make_stand_in(void *ctx, const char *name)
{
	struct stand_in *si = ctx;
	return si->fn(si->t, si->e, name, si->arg);
}

/* Would putting e in place of cur (an existing entry) destroy the source?
 * A symlink is judged by what it resolves to (looked up only now, when
 * something is in the way). */
static int replaces_source(const struct rl__ent *e, const struct stat *cur)
{
	struct stat to;
	int resolves = S_ISLNK(e->st.st_mode) &&
		       fstatat(e->sdir, e->name, &to, 0) == 0;
	return rl__replaces_source(e->ddir, e->dname, cur, &e->st,
				   resolves ? &to : NULL);
}

/* Make e with fn; if something is there already and the policy lets it
 * go, replace it atomically (made under a temporary name, the old one
 * kept as a backup if asked, then renamed over). */
static int place(struct rl__worker *w, struct rl__ent *e, make_fn fn,
		 const void *arg)
{
	struct rl__tree *t = w->t;
	char tmp[RL__TMP_NAME_MAX], backup[RL__NAME_CAP];
	struct rl__asking a;
	struct stat cur;
	e->step = RL_STEP_CREATE; /* until fn says otherwise */
	int r = fn(t, e, e->dname, arg);
	if (r == 0 && !e->fresh)
		rl__undo_note(t, e->dir, e->dname);
	/* Even in a directory this run made: another process may write
	 * there too (two merges of one fresh DEST). */
	if (r != -EEXIST || t->cfg.no_clobber)
		return r;
	if (fstatat(e->ddir, e->dname, &cur, AT_SYMLINK_NOFOLLOW) != 0)
		return -errno;
	if (S_ISDIR(cur.st_mode))
		return -EISDIR;
	/* cp -rsf: a symlink there, even to the source, is only a name. */
	int relink = (t->opts->flags & RL_TREE_SYMLINK) && S_ISLNK(cur.st_mode);
	if (!relink && replaces_source(e, &cur))
		return RL_ESAMEFILE;
	rl__policy_guard(w, e, &a);
	if ((r = rl__guard_ask(&a.guard, &cur, &e->st, backup)) < 0)
		return r;
	struct stand_in si = { t, e, fn, arg };
	if ((r = rl__place_temp(tmp, make_stand_in, &si)) < 0)
		return r;
	if (backup[0])
		r = rl__place_backup(e->ddir, e->dname, backup);
	e->step = RL_STEP_PLACE;
	if (r < 0 || (r = rl__place_rename(e->ddir, tmp, e->dname, 0)) < 0) {
		unlinkat(e->ddir, tmp, 0);
		return r;
	}
	/* A rename onto another name of the same inode (a hard link made
	 * over one already there) does nothing and leaves tmp. */
	if (cur.st_nlink > 1)
		unlinkat(e->ddir, tmp, 0);
	rl__undo_note(t, e->dir, e->dname);
	return 0;
}

/* Owner, mode (nodes only: a symlink has none) and times, by name. */
static int meta_at(struct rl__tree *t, struct rl__ent *e, const char *name)
{
	unsigned int p = e->preserve;
	int owned = (t->cfg.preserve & RL_PRESERVE_OWNERSHIP) != 0;
	e->step = RL_STEP_OWNER; /* where a failure below is */
	if ((p & RL_PRESERVE_OWNERSHIP) &&
	    (owned = rl__place_owner(-1, e->ddir, name, &e->st)) < 0)
		return owned;
	e->step = RL_STEP_MODE;
	if ((p & RL_PRESERVE_MODE) && !S_ISLNK(e->st.st_mode)) {
		mode_t want = rl__place_mode_of(&e->st, owned);
		/* mknodat gave it the bits less the umask. */
		mode_t made = (e->st.st_mode & 0777) & ~(mode_t)t->env.umask;
		int r = want != made ? rl__place_mode(-1, e->ddir, name, want) : 0;
		if (r < 0)
			return r;
	}
	e->step = RL_STEP_TIMES;
	if (p & RL_PRESERVE_TIMESTAMPS) {
		struct timespec ts[2] = { e->st.st_atim, e->st.st_mtim };
		if (utimensat(e->ddir, name, ts, AT_SYMLINK_NOFOLLOW) != 0)
			return -errno;
	}
	return 0;
}

/* Undo a half-made entry e: it was ours, made a moment ago. */
static int made_or_undo(int r, struct rl__ent *e, const char *name)
{
	if (r < 0) /* e->step says which attribute */
		unlinkat(e->ddir, name, 0);
	return r;
}

static int mk_symlink(struct rl__tree *t, struct rl__ent *e, const char *name,
		      const void *target)
{
	if (symlinkat(target, e->ddir, name) != 0)
		return -errno;
	return made_or_undo(meta_at(t, e, name), e, name);
}

static int mk_node(struct rl__tree *t, struct rl__ent *e, const char *name,
		   const void *unused)
{
	(void)unused;
	mode_t type = e->st.st_mode & S_IFMT;
	dev_t dev = (type == S_IFCHR || type == S_IFBLK) ? e->st.st_rdev : 0;
	if (mknodat(e->ddir, name, type | (e->st.st_mode & 0777), dev) != 0)
		return -errno;
	return made_or_undo(meta_at(t, e, name), e, name);
}

static int mk_link(struct rl__tree *t, struct rl__ent *e, const char *name,
		   const void *arg)
{
	const struct rl__linkref *ref = arg;
	int r = rl__node_acquire(t, ref->dir);
	if (r < 0)
		return r;
	if (linkat(ref->dir->dfd, ref->name, e->ddir, name, 0) != 0)
		r = -errno;
	rl__node_release(t, ref->dir);
	return r;
}

/* cp -rl: a hard link to the source entry (a symlink itself, unless
 * followed, -L: then what it names, as e->st says). */
static int mk_hard_to_source(struct rl__tree *t, struct rl__ent *e,
			     const char *name, const void *unused)
{
	(void)t, (void)unused;
	return linkat(e->sdir, e->name, e->ddir, name,
		      e->follow ? AT_SYMLINK_FOLLOW : 0) == 0 ? 0 : -errno;
}

static int mk_plain_symlink(struct rl__tree *t, struct rl__ent *e,
			    const char *name, const void *target)
{
	(void)t;
	return symlinkat(target, e->ddir, name) == 0 ? 0 : -errno;
}

/* cp -rl, -rs: e made a link to its source (-s: by its absolute path,
 * src being absolute) instead of a copy; counted as a link. */
static int link_to_source(struct rl__worker *w, struct rl__ent *e)
{
	struct rl__tree *t = w->t;
	if (t->opts->flags & RL_TREE_HARDLINK) {
		struct stat cur;
		int r = place(w, e, mk_hard_to_source, NULL);
		/* Already a link to it: nothing to do, as cp says nothing. */
		if ((r == -EEXIST || r == RL_ESAMEFILE) &&
		    fstatat(e->ddir, e->dname, &cur, AT_SYMLINK_NOFOLLOW) == 0 &&
		    cur.st_dev == e->st.st_dev && cur.st_ino == e->st.st_ino)
			r = 0;
		return r < 0 ? r : RL__LINKED;
	}
	const char *rel = e->dir == t->top ? "" : rl__relpath(w, e->dir, e->name);
	char *target = NULL;
	if (!rel || asprintf(&target, "%s%s%s", t->src, *rel ? "/" : "", rel) < 0)
		return -ENOMEM;
	int r = place(w, e, mk_plain_symlink, target);
	free(target);
	return r < 0 ? r : RL__LINKED;
}

static int make_symlink(struct rl__worker *w, struct rl__ent *e)
{
	char target[PATH_MAX + 1];
	ssize_t n = readlinkat(e->sdir, e->name, target, PATH_MAX);
	e->step = RL_STEP_SOURCE;
	if (n < 0)
		return -errno;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	target[n] = 0;
	return place(w, e, mk_symlink, target);
}

static int make_kind(struct rl__worker *w, struct rl__ent *e, int sfd,
		     rl_result *res)
{
	switch (e->st.st_mode & S_IFMT) {
	case S_IFREG:
		return rl__file_copy(w, e, sfd, res);
	case S_IFLNK:
		return make_symlink(w, e);
	case S_IFIFO:
	case S_IFCHR:
	case S_IFBLK: /* cp -r --copy-contents: read as a file */
		if (w->t->cfg.fopts.flags & RL_F_CONTENTS)
			return rl__file_contents(w, e, res);
		return place(w, e, mk_node, NULL);
	default:
		return place(w, e, mk_node, NULL);
	}
}

static int mk_link_path(struct rl__tree *t, struct rl__ent *e,
			const char *name, const void *path)
{
	(void)t;
	return linkat(AT_FDCWD, path, e->ddir, name, 0) == 0 ? 0 : -errno;
}

/* Linking e to the copy dir/name failed: that copy's path, for cp's
 * words ("cannot create hard link 'b' to 'a'"). */
static void link_failed(struct rl__worker *w, struct rl__ent *e,
			struct rl__tnode *dir, const char *name)
{
	const char *rel = rl__relpath(w, dir, name);
	if (rel && asprintf(&e->link, "%s/%s", w->t->dst, rel) < 0)
		e->link = NULL; /* reported without it */
}

/* The caller's rl_links (an earlier call copied this file): e made a hard
 * link of that copy. RL__LINKED, 0 when none is remembered, or what
 * placing it gave (-EMLINK, -EXDEV, -ENOENT: copied after all). */
static int from_earlier(struct rl__worker *w, struct rl__ent *e)
{
	char path[PATH_MAX];
	rl_links *memo = w->t->opts->links;
	if (!memo || rl_links_find(memo, &e->st, path, sizeof path) != 1)
		return 0;
	e->relink = 1;
	int r = place(w, e, mk_link_path, path);
	e->relink = 0;
	if (r < 0 && r != -EMLINK && r != -EXDEV && r != -ENOENT)
		e->link = strdup(path); /* NULL: reported without it */
	return r == 0 ? RL__LINKED : r;
}

/* The first copy of a multiply-linked file, for the calls after this one:
 * under dst's own path (a staged --atomic tree gets it at the end). */
static void remember(struct rl__worker *w, struct rl__ent *e)
{
	struct rl__tree *t = w->t;
	const char *rel = t->opts->links ? rl__relpath(w, e->dir, e->dname) : NULL;
	char *path = NULL;
	if (rel && asprintf(&path, "%s/%s", t->dst, rel) >= 0)
		rl_links_add(t->opts->links, &e->st, path); /* else: copies later */
	free(path);
}

int rl__make_entry(struct rl__worker *w, struct rl__ent *e, int sfd,
		   rl_result *res)
{
	struct rl__tree *t = w->t;
	struct rl__linkref ref;
	if (t->cfg.link_src)
		return link_to_source(w, e);
	/* Following symlinks, a file met once may be met again through a
	 * link to it (cp -R -L --preserve=links makes those hard links). */
	if (!t->cfg.links || (e->st.st_nlink < 2 && !t->cfg.deref) ||
	    e->dir == t->top)
		return make_kind(w, e, sfd, res);
	int r = rl__links_claim(t, &e->st, e->dir, e->dname, &ref);
	if (r < 0)
		return r;
	if (r == 0) {
		e->relink = 1;
		r = place(w, e, mk_link, &ref);
		e->relink = 0;
		if (r < 0 && r != -EMLINK)
			link_failed(w, e, ref.dir, ref.name);
		rl__links_drop(t, &ref);
		/* Too many links for the filesystem: a copy keeps the data. */
		if (r == -EMLINK)
			return make_kind(w, e, sfd, res);
		return r == 0 ? RL__LINKED : r;
	}
	r = from_earlier(w, e);
	if (r == 0 || r == -EMLINK || r == -EXDEV || r == -ENOENT)
		r = make_kind(w, e, sfd, res);
	if (r == 0)
		remember(w, e);
	/* A kept entry is the group's copy too: cp -au links the others to
	 * it rather than copying them again. */
	rl__links_publish(t, &ref, r == 0 || r == RL__SKIPPED || r == RL__LINKED);
	return r;
}
