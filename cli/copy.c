/* copy.c - SOURCE DEST and SOURCE... DIRECTORY, as cp places them. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* DIR/basename(src), ignoring trailing slashes of src. Caller frees. */
static char *join_base(const char *dir, const char *src)
{
	size_t n = strlen(src);
	while (n > 1 && src[n - 1] == '/')
		n--;
	const char *b = src + n;
	while (b > src && b[-1] != '/')
		b--;
	size_t blen = (size_t)(src + n - b), dlen = strlen(dir);
	char *out = malloc(dlen + blen + 2);
	if (out)
		snprintf(out, dlen + blen + 2, "%s%s%.*s", dir,
			 dlen && dir[dlen - 1] == '/' ? "" : "/", (int)blen, b);
	return out;
}

static void on_bytes(void *ctx, uint64_t done, uint64_t total)
{
	report_progress(ctx, done, total);
}

static void copy_one_file(const struct cli *c, struct report *r,
			  struct made *made, const char *src, const char *dst,
			  int is_link)
{
	rl_options o = RL_OPTIONS_INIT;
	rl_result res = RL_RESULT_INIT;
	int dst_is_link = 0;
	if (made_has_path(made, dst, &dst_is_link)) {
		report_just_made(r, src, dst, dst_is_link, is_link);
		return;
	}
	o.mode = c->mode;
	o.flags = c->flags | (is_link ? RL_F_NOFOLLOW : 0);
	/* A lone file has no hard links to keep (-a asks for them). */
	o.preserve = c->preserve & ~RL_PRESERVE_LINKS;
	o.cancel = cancel_flag();
	if (r->progress != 0) { /* else the engine copies in larger steps */
		o.on_bytes = on_bytes;
		o.ctx = r;
	}
	int err = rl_copy_file(src, dst, &o, &res);
	if (err == -ECANCELED && cancel_signal()) {
		r->stopped_at = src;
		return;
	}
	if (err < 0) {
		report_error(r, "cannot copy", src, dst, err);
		return;
	}
	report_file(r, src, dst, &res);
	made_add_path(made, dst);
}

static void copy_operand(const struct cli *c, struct report *r,
			 struct made *made, const char *src, const char *dst)
{
	struct stat st;
	/* Like cp: command-line symlinks are followed unless recursive or -P. */
	int follow = c->deref == 1 || (c->deref == -1 && !c->recursive);
	if ((follow ? stat(src, &st) : lstat(src, &st)) != 0) {
		report_error(r, "cannot stat", src, NULL, -errno);
		return;
	}
	if (S_ISDIR(st.st_mode) && !c->recursive) {
		report_error_text(r, "omitting directory", src, NULL,
				  "-r not specified");
		return;
	}
	if (S_ISDIR(st.st_mode))
		cli_copy_tree(c, r, made, src, dst);
	else
		copy_one_file(c, r, made, src, dst, S_ISLNK(st.st_mode));
}

int cli_copy(const struct cli *c, struct report *r)
{
	const char *dest = c->operands[c->n_operands - 1];
	int nsrc = c->n_operands - 1;
	struct stat st;
	int into_dir = c->target_is_dir != 0 && stat(dest, &st) == 0 &&
		       S_ISDIR(st.st_mode);
	if (nsrc > 1 && !into_dir) {
		report_error(r, "target", dest, NULL, -ENOTDIR);
		return -1;
	}
	/* With several operands, one may land where another just did. */
	struct made made = { .on = nsrc > 1 };
	r->total_files = (uint64_t)nsrc;
	for (int i = 0; i < nsrc && !r->stopped_at; i++) {
		const char *src = c->operands[i];
		if (cancel_signal()) { /* between two operands */
			r->stopped_at = src;
			break;
		}
		char *target = into_dir ? join_base(dest, src) : NULL;
		if (into_dir && !target) {
			report_error(r, "cannot copy", src, dest, -ENOMEM);
			continue;
		}
		copy_operand(c, r, &made, src, target ? target : dest);
		free(target);
	}
	made_free(&made);
	return 0;
}
