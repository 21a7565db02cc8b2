/* tree.c - reflink -r: a directory copied through rl_copy_tree. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct tree_ctx {
	struct report *r;
	uint64_t other_files; /* files of the other operands */
	const char *src, *dst;
	int first_err;   /* the first error passed to on_error... */
	int first_clone; /* ...and the first clone-impossible one */
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
	if ((type & S_IFMT) != S_IFREG || !res)
		return;
	char *s = join(t->src, path), *d = join(t->dst, path);
	report_file(t->r, s ? s : path, d ? d : path, res);
	free(s);
	free(d);
}

static int on_error(void *ctx, const char *src, const char *dst, int err)
{
	struct tree_ctx *t = ctx;
	if (!t->first_err)
		t->first_err = err;
	if (!t->first_clone && rl_is_clone_impossible(err))
		t->first_clone = err;
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

/* Is p's last component "." (trailing slashes aside)? */
static int ends_in_dot(const char *p)
{
	size_t n = strlen(p);
	while (n > 1 && p[n - 1] == '/')
		n--;
	return n > 0 && p[n - 1] == '.' && (n == 1 || p[n - 2] == '/');
}

void cli_copy_tree(const struct cli *c, struct report *r, const char *src,
		   const char *dst)
{
	struct tree_ctx t = { r, r->total_files - 1, src, dst, 0, 0 };
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	rl_tree_stats stats;
	memset(&stats, 0, sizeof stats);
	o.mode = c->mode;
	o.flags = c->flags | (c->deref == 1 ? RL_TREE_DEREF_ALL : 0);
	struct stat st;
	/* -T onto an existing directory merges into it, as cp -rT does; so
	 * does SRC/. into a directory (DIR/. is DIR: cp's idiom for copying a
	 * directory's contents into another). */
	if ((c->target_is_dir == 0 || ends_in_dot(src)) && stat(dst, &st) == 0 &&
	    S_ISDIR(st.st_mode))
		o.flags |= RL_TREE_MERGE;
	o.preserve = c->preserve;
	o.jobs = c->jobs;
	o.excludes = c->excludes;
	o.on_entry = on_entry;
	o.on_error = on_error;
	/* A progress callback costs a counting pre-scan: only when shown. */
	o.on_progress = r->progress != 0 ? on_progress : NULL;
	o.ctx = &t;
	o.cancel = cancel_flag();
	int err = rl_copy_tree(src, dst, &o, &stats);
	if (err == -ECANCELED && cancel_signal()) {
		r->stopped_at = src;
		r->stopped_tree = 1;
		return;
	}
	/* A stop error is returned only, never passed to on_error; an entry
	 * error returned is the first, or (only clones failed) the first
	 * clone-impossible one, both already reported. */
	if (err < 0 && err != t.first_err && err != t.first_clone)
		report_error(r, "cannot copy", src, dst, err);
	r->base_bytes = r->bytes;
}
