/* tree.c - reflink -r: a directory copied through rl_copy_tree. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct tree_ctx {
	struct report *r;
	struct made *made;
	uint64_t other_files; /* files of the other operands */
	const char *src, *dst;
	const struct cli *c;
};

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", a, b);
	return p;
}

static void on_entry(void *ctx, const char *path, int type, const rl_result *res)
{
	struct tree_ctx *t = ctx;
	if ((type & S_IFMT) == S_IFDIR) {
		report_dir(t->r);
		return;
	}
	int is_file = (type & S_IFMT) == S_IFREG && res;
	int is_link = t->c->link && !res; /* -rl, -rs: a link, not a copy */
	if (!is_file && !is_link && !t->made->on)
		return;
	char *s = join(t->src, path), *d = join(t->dst, path);
	if (is_file)
		report_file(t->r, s ? s : path, d ? d : path, res);
	else if (is_link)
		report_link(t->r, s ? s : path, d ? d : path, t->c->link == LINK_HARD);
	if (d)
		made_add_path(t->made, d);
	free(s);
	free(d);
}

/* A file an earlier operand made is never overwritten (cp's rule). */
static int on_replace(void *ctx, uint64_t dev, uint64_t ino)
{
	struct tree_ctx *t = ctx;
	return made_has(t->made, dev, ino);
}

static int is_symlink(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static int is_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists_not_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* --delete removed DEST/path. */
static void on_delete(void *ctx, const char *path, int type)
{
	struct tree_ctx *t = ctx;
	char *d = join(t->dst, path);
	(void)type;
	report_removed(t->r, d ? d : path);
	free(d);
}

static int on_fail(void *ctx, const rl_failure *f)
{
	struct tree_ctx *t = ctx;
	const char *src = f->src, *dst = f->dst;
	int err = f->err;
	if (!src) /* --delete could not remove it (rm's words) */
		report_error(t->r, "cannot remove", dst, NULL, err);
	else if (err == -EEXIST && t->c->link) /* -l, -s onto an existing entry */
		report_words(t->r, t->c->link == LINK_HARD ? "cannot create hard link "
			     : "cannot create symbolic link ", dst, " to ", src,
			     ": File exists");
	else if (err == RL_EREFUSED)
		report_just_made(t->r, src, dst, is_symlink(dst), is_symlink(src));
	else if (err == -EISDIR) /* cp's words */
		report_words(t->r, "cannot overwrite directory ", dst,
			     " with non-directory", NULL, "");
	else if (err == -ENOTDIR && is_dir(src) && exists_not_dir(dst))
		report_words(t->r, "cannot overwrite non-directory ", dst,
			     " with directory ", src, "");
	else if (err == -EEXIST && t->c->update == UPDATE_NONE_FAIL)
		report_words(t->r, "not replacing ", dst, "", NULL, "");
	else if (!report_failed_step(t->c, t->r, f))
		report_error(t->r, "cannot copy", src, dst, err);
	return 0;
}

static void on_progress(void *ctx, const rl_tree_stats *s)
{
	struct tree_ctx *t = ctx;
	t->r->total_bytes = s->total_bytes;
	t->r->total_files = t->other_files + s->total_files;
	t->r->base_bytes = 0;
	report_progress(t->r, s->bytes, s->total_bytes);
}

/* An existing DEST: a directory is merged into, as cp does (also the
 * same-named directories of several operands, and SRC/. into DIR); 1 if
 * so, 0 if DEST is absent, -1 (reported) if it cannot be. A symlink there,
 * even to a directory, is no directory to merge into (cp says the same). */
static int merge_into(const struct cli *c, struct report *r, const char *src,
		      const char *dst)
{
	struct stat st;
	struct stat sst;
	if (lstat(dst, &st) != 0)
		return 0;
	/* A FIFO or device SOURCE (-R recreates it) replaces a DEST that is
	 * no directory, as cp's -R does. */
	if (S_ISDIR(st.st_mode) || (stat(src, &sst) == 0 && !S_ISDIR(sst.st_mode)))
		return 1;
	/* --keep-directory-symlink: DEST a symlink to a directory is merged
	 * into (the engine follows a DEST root it is given). */
	if (c->keep_dir_symlink && S_ISLNK(st.st_mode) && stat(dst, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		return 1;
	report_words(r, "cannot overwrite non-directory ", dst,
		     " with directory ", src, "");
	return -1;
}

/* cp's per-file options, applied to every file of the tree: -l, -s (an
 * existing DEST file is an error unless -f, --remove-destination or -b,
 * as for single files), --attributes-only, --no-preserve=mode, an
 * existing file's bits kept, -x. */
static unsigned int file_policy_flags(const struct cli *c)
{
	unsigned int f = (c->flags & RL_F_ATTR_ONLY) |
			 (c->copy_contents ? RL_F_CONTENTS : 0);
	if (c->link)
		f |= c->link == LINK_HARD ? RL_TREE_HARDLINK : RL_TREE_SYMLINK;
	if (c->link && !c->force && !c->remove_dest && !c->backup)
		f |= RL_F_NO_CLOBBER;
	if (!c->remove_dest && !c->backup) /* as for single files */
		f |= RL_F_KEEP_MODE;
	if (c->default_mode)
		f |= RL_F_DEFAULT_MODE;
	return c->one_fs ? f | RL_TREE_ONE_FS : f;
}

static unsigned int tree_flags(const struct cli *c, int merge)
{
	/* --atomic replaces an existing directory whole instead of merging. */
	return (c->flags & (RL_F_NO_CLOBBER | RL_F_FSYNC)) |
	       (c->deref == 1 || (c->deref == -1 && c->link == LINK_HARD)
			? RL_TREE_DEREF_ALL : 0) | /* cp -rl follows, as -L */
	       (c->atomic ? RL_TREE_ATOMIC : merge ? RL_TREE_MERGE : 0) |
	       (c->keep_dir_symlink ? RL_TREE_KEEP_DIR_SYMLINK : 0) |
	       /* A new DEST has nothing to remove; --atomic makes it exact. */
	       (c->prune && (c->atomic || merge) ? RL_TREE_DELETE : 0) |
	       file_policy_flags(c);
}

/* cp -i inside a tree: nonzero keeps dst. */
static int on_ask(void *ctx, const char *dst)
{
	struct tree_ctx *t = ctx;
	return !ask_overwrite(t->r, dst);
}

/* cp -b inside a tree: the name dst is kept under (cp's). */
static int on_backup(void *ctx, const char *dst, char *name, size_t cap)
{
	struct tree_ctx *t = ctx;
	char *b = backup_name(dst, t->c->backup, t->c->suffix);
	int r = !b ? 0 : strlen(b) < cap ? 1 : -ENAMETOOLONG;
	if (r > 0)
		memcpy(name, b, strlen(b) + 1);
	free(b);
	return r;
}

/* An existing entry kept (-n, -u, -i): cp 9.5 says so with --debug. */
static void on_skip(void *ctx, const char *path, int type, const rl_result *res)
{
	struct tree_ctx *t = ctx;
	char *d = *path ? join(t->dst, path) : NULL;
	(void)type, (void)res;
	report_skipped(t->r, d ? d : t->dst);
	free(d);
}

/* Which existing entries are replaced, and how: -n, -u, --update=, -i,
 * -b, as for single files. */
static void tree_policy(const struct cli *c, rl_tree_options *o)
{
	static const rl_update update[] = {
		[UPDATE_ALL] = RL_UPDATE_ALL, [UPDATE_NONE] = RL_UPDATE_NONE,
		[UPDATE_OLDER] = RL_UPDATE_OLDER,
		[UPDATE_NONE_FAIL] = RL_UPDATE_NONE_FAIL,
	};
	o->update = update[c->update];
	o->sparse = c->sparse;
	o->on_ask = c->interactive ? on_ask : NULL;
	o->backup = c->backup ? on_backup : NULL;
	o->on_skip = on_skip;
}

/* cp -rs with a relative SOURCE: a relative link inside DEST would not
 * lead to its source, so cp makes the directories and refuses each other
 * entry, as here: a filter that leaves it out and says so. */
static int relative_refused(void *ctx, const char *relpath, const char *name,
			    int is_dir)
{
	struct tree_ctx *t = ctx;
	(void)name;
	if (is_dir)
		return 0;
	char *d = join(t->dst, relpath);
	report_msg(t->r, "%s: can make relative symbolic links only in current directory",
		   d ? d : relpath);
	free(d);
	return 1;
}

/* The directories only (no links to make): and no counting pass, which
 * would ask the filter again. */
static void only_directories(rl_tree_options *o)
{
	o->flags &= ~RL_TREE_SYMLINK;
	o->filter = relative_refused;
	o->on_progress = NULL;
}

/* A stop error cp words its own way. */
static void tree_error(struct report *r, const char *src, const char *dst,
		       int err)
{
	if (err == RL_EINSIDE)
		report_words(r, "cannot copy a directory, ", src, ", into itself, ",
			     dst, "");
	else
		report_error(r, "cannot copy", src, dst, err);
}

void cli_copy_tree(const struct cli *c, struct report *r, struct made *made,
		   const char *src, const char *dst)
{
	struct tree_ctx t = { r, made, r->total_files - 1, src, dst, c };
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	rl_tree_stats stats = RL_TREE_STATS_INIT;
	int merge = merge_into(c, r, src, dst);
	if (merge < 0)
		return;
	o.mode = c->mode;
	o.flags = tree_flags(c, merge);
	o.preserve = c->preserve;
	o.jobs = c->jobs;
	o.excludes = c->excludes;
	o.on_entry = on_entry;
	o.on_fail = on_fail;
	o.on_delete = on_delete;
	o.on_replace = made->on ? on_replace : NULL;
	o.links = made->links; /* hard links with the other operands */
	/* A progress callback costs a counting pass: only when shown. */
	o.on_progress = r->progress != 0 ? on_progress : NULL;
	o.ctx = &t;
	o.cancel = cancel_flag();
	tree_policy(c, &o);
	if (c->link == LINK_SYMBOLIC && src[0] != '/')
		only_directories(&o);
	int err = rl_copy_tree(src, dst, &o, &stats);
	if (err == -ECANCELED && cancel_signal()) {
		r->stopped_at = src;
		r->stopped_tree = 1;
		return;
	}
	/* RL_EPARTIAL: each failed entry went through on_error (and the
	 * report counts them for the exit status); anything else is a stop
	 * error that nobody has seen yet. */
	if (err < 0 && err != RL_EPARTIAL)
		tree_error(r, src, dst, err);
	r->base_bytes = r->bytes;
}
