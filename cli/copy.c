/* copy.c - SOURCE DEST and SOURCE... DIRECTORY, as cp places them. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* DIR/basename(src), ignoring trailing slashes of src; with --parents,
 * DIR/src whole. Caller frees. */
static char *join_base(const char *dir, const char *src, int parents)
{
	size_t n = strlen(src);
	while (n > 1 && src[n - 1] == '/')
		n--;
	const char *b = parents ? src : src + n;
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

/* The library's flags for one file, from cp's options. */
static unsigned int file_flags(const struct cli *c, int is_link)
{
	unsigned int f = c->flags | (is_link ? RL_F_NOFOLLOW : 0);
	/* Race-free: another writer's file that appears meanwhile is kept. */
	if (c->update == UPDATE_NONE || c->update == UPDATE_NONE_FAIL)
		f |= RL_F_NO_CLOBBER;
	/* cp keeps an existing file's bits, and writes into a FIFO or device
	 * (--remove-destination removes it instead; a backup moves it aside,
	 * so the copy is a new file with the source's bits). */
	f |= c->remove_dest ? RL_F_REPLACE_SPECIAL : RL_F_INTO_SPECIAL;
	/* same.c judged: with these, cp goes on where DEST is or names
	 * SOURCE, the old DEST kept or removed. */
	if (c->remove_dest || c->backup)
		f |= RL_F_SAME_OK;
	if (!c->remove_dest && !c->backup)
		f |= RL_F_KEEP_MODE;
	if (c->default_mode)
		f |= RL_F_DEFAULT_MODE;
	if (c->xattr_strict)
		f |= RL_F_XATTR_STRICT;
	/* cp reads a FIFO or device given without -R as a file (`cp
	 * /dev/null empty`); with -R it recreates one, and reads it only
	 * with --copy-contents. */
	if (c->copy_contents || !c->recursive)
		f |= RL_F_CONTENTS;
	return f;
}

/* A failed file in cp's words for the step that failed: a symlink copied
 * as one, else a regular file made (also from a FIFO's contents). 1 if
 * said. */
static int step_error(const struct cli *c, struct report *r, const char *src,
		      const char *dst, int err, int is_link, const rl_result *res)
{
	rl_failure f = { RL_FAILURE_VERSION, src, dst, err, res->failed_step,
			 is_link ? S_IFLNK : S_IFREG, NULL };
	return report_failed_step(c, r, &f);
}

/* A failed file in cp's words where cp has its own. */
static void file_error(const struct cli *c, struct report *r, const char *src,
		       const char *dst, int err, int is_link, const rl_result *res)
{
	if (err == -EEXIST && c->update == UPDATE_NONE) {
		report_skipped(r, dst); /* another writer won the race */
		return;
	}
	if (err == -EEXIST && is_link && (c->flags & RL_F_ATTR_ONLY))
		report_words(r, "cannot create symbolic link ", dst, ": ", NULL,
			     rl_strerror(err));
	else if (err == -EEXIST && c->update == UPDATE_NONE_FAIL)
		report_words(r, "not replacing ", dst, "", NULL, "");
	else if (err == -EOPNOTSUPP && c->xattr_strict) /* cp's words */
		report_words(r, "setting attributes for ", dst, ": ", NULL,
			     rl_strerror(err));
	else if (err == -EISDIR)
		report_words(r, "cannot overwrite directory ", dst,
			     " with non-directory", NULL, "");
	else if (!step_error(c, r, src, dst, err, is_link, res))
		report_error(r, "cannot copy", src, dst, err);
}

/* --preserve=links: SOURCE is another name of one an earlier operand
 * copied; DEST becomes another name of that copy. 1 if done (or failed,
 * reported), 0 to copy. */
static int link_operand(struct report *r, struct made *made, const char *src,
			const char *dst, const struct stat *sst)
{
	char first[PATH_MAX];
	if (!made_link_find(made, sst, first, sizeof first))
		return 0;
	int err = link_again(first, dst);
	if (err < 0)
		report_error(r, "cannot copy", src, dst, err);
	else
		made_add_path(made, dst);
	return 1;
}

/* dst's directory joined with name. Caller frees. */
static char *beside(const char *dst, const char *name)
{
	const char *slash = strrchr(dst, '/');
	int dlen = slash ? (int)(slash - dst) + 1 : 0;
	size_t cap = (size_t)dlen + strlen(name) + 1;
	char *p = malloc(cap);
	if (p)
		snprintf(p, cap, "%.*s%s", dlen, dst, name);
	return p;
}

/* cp's rule: a backup that would take SOURCE's own name is refused. */
static int backup_is_source(struct report *r, const char *dst,
			    const char *backup, const struct stat *sst)
{
	struct stat st;
	char *path = beside(dst, backup);
	int same = path && lstat(path, &st) == 0 && st.st_dev == sst->st_dev &&
		   st.st_ino == sst->st_ino;
	if (same)
		report_words(r, "backing up ", dst, " might destroy source;  ", path,
			     " not copied");
	free(path);
	return same;
}

/* cp's special case: -f -b SOURCE SOURCE (one name of a regular file)
 * copies it to its backup name, as -f SOURCE BACKUP would. The name
 * (caller frees), or NULL for every other command line. */
static char *backup_of_itself(const struct cli *c, const char *src,
			      const char *dst)
{
	struct stat st;
	if (!c->backup || !c->force || strcmp(src, dst) != 0 ||
	    stat(dst, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	char *b = backup_name(dst, c->backup, c->suffix);
	char *path = b ? beside(dst, b) : NULL;
	free(b);
	return path;
}

static void copy_one_file(const struct cli *c, struct report *r,
			  struct made *made, const char *src, const char *dst,
			  const struct stat *sst, int follow)
{
	rl_options o = RL_OPTIONS_INIT;
	rl_result res = RL_RESULT_INIT;
	int dst_is_link = 0, is_link = S_ISLNK(sst->st_mode);
	/* In cp's order: the same file, then -n/-u/-i, then what this run
	 * made. */
	int same = same_file_rule(c, src, sst, dst, follow);
	if (same < 0) {
		report_error(r, "cannot stat", dst, NULL, same);
		return;
	}
	if (same == SAME_REFUSE) {
		report_error(r, "cannot copy", src, dst, RL_ESAMEFILE);
		return;
	}
	if (!replace_allowed(c, r, src, sst, dst) || same == SAME_DONE)
		return;
	if (made_has_path(made, dst, &dst_is_link)) {
		report_just_made(r, src, dst, dst_is_link, is_link);
		return;
	}
	if (c->link) {
		cli_link(c, r, src, dst);
		return;
	}
	if (c->preserve & RL_PRESERVE_LINKS && !is_link && link_operand(r, made, src, dst, sst))
		return;
	char *backup = backup_name(dst, c->backup, c->suffix);
	if (backup && backup_is_source(r, dst, backup, sst)) {
		free(backup);
		return;
	}
	o.mode = c->mode;
	o.flags = file_flags(c, is_link);
	/* A lone file has no hard links to keep (-a asks for them). */
	o.preserve = c->preserve & ~RL_PRESERVE_LINKS;
	o.sparse = c->sparse;
	o.backup = backup;
	o.cancel = cancel_flag();
	if (r->progress != 0) { /* else the engine copies in larger steps */
		o.on_bytes = on_bytes;
		o.ctx = r;
	}
	int err = rl_copy_file(src, dst, &o, &res);
	free(backup);
	if (err == -ECANCELED && cancel_signal()) {
		r->stopped_at = src;
		return;
	}
	if (err < 0) {
		file_error(c, r, src, dst, err, is_link, &res);
		return;
	}
	report_file(r, src, dst, &res);
	made_add_path(made, dst);
	if (c->preserve & RL_PRESERVE_LINKS)
		made_link_add(made, sst, dst);
}

static void copy_dir_operand(const struct cli *c, struct report *r,
			     struct made *made, const char *src, const char *dst)
{
	if (!c->recursive) {
		report_words(r, "-r not specified; omitting directory ", src, "",
			     NULL, "");
		return;
	}
	cli_copy_tree(c, r, made, src, dst);
}

static int is_link_path(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* -H, -L: a command-line symlink to a directory is followed. "link/"
 * names the directory itself (the tree engine never follows a link it is
 * given). */
static void copy_dir_through_link(const struct cli *c, struct report *r,
				  struct made *made, const char *src,
				  const char *dst)
{
	if (!c->recursive) { /* named as given, as cp names it */
		copy_dir_operand(c, r, made, src, dst);
		return;
	}
	size_t n = strlen(src);
	char *dir = malloc(n + 2);
	if (!dir) {
		report_error(r, "cannot copy", src, dst, -ENOMEM);
		return;
	}
	snprintf(dir, n + 2, "%s/", src);
	copy_dir_operand(c, r, made, dir, dst);
	free(dir);
}

static int is_special(mode_t m)
{
	return S_ISFIFO(m) || S_ISCHR(m) || S_ISBLK(m) || S_ISSOCK(m);
}

/* Like cp: command-line symlinks are followed unless recursive or -P;
 * -H follows them only here. */
static int follows_operands(const struct cli *c)
{
	return c->deref == 1 || c->deref == 2 ||
	       (c->deref == -1 && (!c->recursive || c->link == LINK_HARD));
}

static void copy_operand(const struct cli *c, struct report *r,
			 struct made *made, const char *src, const char *dst)
{
	struct stat st;
	int follow = follows_operands(c);
	if ((follow ? stat(src, &st) : lstat(src, &st)) != 0) {
		report_error(r, "cannot stat", src, NULL, -errno);
		return;
	}
	if (S_ISDIR(st.st_mode) && follow && is_link_path(src))
		copy_dir_through_link(c, r, made, src, dst);
	else if (S_ISDIR(st.st_mode))
		copy_dir_operand(c, r, made, src, dst);
	else if (c->recursive && is_special(st.st_mode) && !c->copy_contents &&
		 !c->link)
		cli_copy_tree(c, r, made, src, dst); /* recreated, as cp -R */
	else
		copy_one_file(c, r, made, src, dst, &st, follow);
}

/* --parents: the directory tdir made for the source directory sdir, with
 * its bits (exact with -p) and owner (with ownership); with times, only
 * once its contents are in (then = 1). 0 or -1 (reported). */
static int make_parent(const struct cli *c, struct report *r, const char *sdir,
		       const char *tdir, int then)
{
	struct stat ss, st;
	if (stat(sdir, &ss) != 0) {
		report_error(r, "cannot stat", sdir, NULL, -errno);
		return -1;
	}
	if (then) {
		struct timespec ts[2] = { ss.st_atim, ss.st_mtim };
		if ((c->preserve & RL_PRESERVE_TIMESTAMPS) && utimensat(AT_FDCWD, tdir, ts, 0) != 0)
			report_error(r, "cannot set times of", tdir, NULL, -errno);
		return 0;
	}
	/* --no-preserve=mode: the default bits, as cp 8.25 and later. */
	if (mkdir(tdir, c->default_mode ? 0777 : ss.st_mode & 07777) != 0 &&
	    (errno != EEXIST || stat(tdir, &st) != 0 || !S_ISDIR(st.st_mode))) {
		report_error(r, "cannot make directory", tdir, NULL,
			     errno == EEXIST ? -ENOTDIR : -errno);
		return -1;
	}
	/* Made now or there already: -p gives it the source's owner and
	 * bits either way, as cp does to every directory on the way. */
	if ((c->preserve & RL_PRESERVE_OWNERSHIP) && chown(tdir, ss.st_uid, ss.st_gid) != 0)
		errno = 0; /* not ours to give away: as cp, kept quietly */
	if ((c->preserve & RL_PRESERVE_MODE) && chmod(tdir, ss.st_mode & 07777) != 0)
		report_error(r, "cannot set permissions of", tdir, NULL, -errno);
	return 0;
}

/* --parents: SOURCE must be there, reported in cp's words: a file on the
 * way to it is named itself. */
static int parents_source_ok(struct report *r, const char *src)
{
	struct stat st;
	if (lstat(src, &st) == 0)
		return 1;
	int err = errno;
	char *p = strdup(src);
	for (char *s = p ? strchr(p + 1, '/') : NULL; err == ENOTDIR && s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode)) {
			report_words(r, "failed to get attributes of ", p, ": ", NULL,
				     strerror(ENOTDIR));
			free(p);
			return 0;
		}
		*s = '/';
	}
	free(p);
	report_error(r, "cannot stat", src, NULL, -err);
	return 0;
}

/* --parents: DIR/a/b made for a/b/c (target DIR/a/b/c), each directory
 * as its source one (then: its times, after the copy). 0 or -1. */
static int make_parents(const struct cli *c, struct report *r, const char *src,
			const char *target, int then)
{
	size_t n = strlen(src);
	while (n > 1 && src[n - 1] == '/')
		n--;
	size_t off = strlen(target) - n;
	char *t = strdup(target), *s = strndup(src, n);
	int err = t && s ? 0 : -1;
	for (size_t k = 1; err == 0 && k < n; k++) {
		if (s[k] != '/' || s[k - 1] == '/')
			continue;
		s[k] = t[off + k] = 0;
		err = make_parent(c, r, s, t, then);
		s[k] = t[off + k] = '/';
	}
	free(t);
	free(s);
	return err;
}

/* DEST as a directory to copy into: 1 yes, 0 no, -1 refused (reported). */
static int dest_is_dir(const struct cli *c, struct report *r, const char *dest,
		       int nsrc)
{
	struct stat st;
	int e = stat(dest, &st) == 0 ? 0 : errno;
	if (c->target_dir && (e || !S_ISDIR(st.st_mode))) {
		report_words(r, "target directory ", dest, e ? ": " : "", NULL,
			     e ? strerror(e) : ": Not a directory");
		return -1;
	}
	if (c->target_is_dir == 0)
		return 0;
	if (!e && S_ISDIR(st.st_mode))
		return 1;
	if (nsrc > 1 || c->parents) {
		if (c->parents && nsrc == 1) /* a usage error, as cp has it */
			report_usage(r, "with --parents, the destination must be a directory");
		else /* cp 9.1's words (later ones say "is not a directory") */
			report_words(r, "target ", dest, ": ", NULL,
				     strerror(e ? e : ENOTDIR));
		return -1;
	}
	return 0;
}

struct landing {
	const char *src;
	char *target;
};

static int by_target(const void *a, const void *b)
{
	return strcmp(((const struct landing *)a)->target,
		      ((const struct landing *)b)->target);
}

/* --delete with two directory operands that land on one target (a/d and
 * b/d into DIR): the second would delete what the first just copied
 * there. Refused before anything is copied: 0, or -1 (reported). */
static int delete_overlap(const struct cli *c, struct report *r,
			  const char *dest, int nsrc)
{
	struct landing *l = calloc((size_t)nsrc, sizeof *l);
	int n = 0, bad = -1, follow = follows_operands(c);
	for (int i = 0; l && i < nsrc; i++) {
		struct stat st;
		const char *src = c->operands[i];
		if ((follow ? stat(src, &st) : lstat(src, &st)) != 0 || !S_ISDIR(st.st_mode))
			continue; /* reported when its turn comes */
		l[n].src = src;
		if (!(l[n++].target = join_base(dest, src, c->parents)))
			break;
	}
	if (l && (n == 0 || l[n - 1].target)) {
		qsort(l, (size_t)n, sizeof *l, by_target);
		bad = 0;
		for (int i = 1; i < n && !bad; i++)
			bad = strcmp(l[i - 1].target, l[i].target) == 0 ? i : 0;
	}
	if (bad > 0)
		report_words(r, "--delete: ", l[bad - 1].src, " and ", l[bad].src,
			     " land in one directory, where each would delete what the other copied");
	else if (bad < 0)
		report_error(r, "cannot copy", c->operands[0], dest, -ENOMEM);
	for (int i = 0; l && i < n; i++)
		free(l[i].target);
	free(l);
	return bad ? -1 : 0;
}

int cli_copy(const struct cli *c, struct report *r)
{
	int nsrc = c->target_dir ? c->n_operands : c->n_operands - 1;
	const char *dest = c->target_dir ? c->target_dir : c->operands[nsrc];
	if (c->preserve_context) {
		report_msg(r, "cannot preserve security context without an SELinux-enabled kernel");
		return -1;
	}
	if (c->warn_context)
		fputs("reflink: warning: ignoring --context; it requires an SELinux-enabled kernel\n", stderr);
	int into_dir = dest_is_dir(c, r, dest, nsrc);
	if (into_dir < 0 ||
	    (into_dir && c->prune && nsrc > 1 && delete_overlap(c, r, dest, nsrc) < 0))
		return -1;
	/* With several operands, one may land where another just did. */
	struct made made = { .on = nsrc > 1, .followed = c->deref > 0 };
	if (made.on && (c->preserve & RL_PRESERVE_LINKS) &&
	    !(made.links = rl_links_new())) {
		report_error(r, "cannot copy", c->operands[0], dest, -ENOMEM);
		return -1;
	}
	r->total_files = (uint64_t)nsrc;
	for (int i = 0; i < nsrc && !r->stopped_at; i++) {
		/* --strip-trailing-slashes changes nothing here: DEST's name
		 * already ignores them, and (as cp 9.1) SOURCE is looked up
		 * as given. */
		const char *src = c->operands[i];
		if (cancel_signal()) { /* between two operands */
			r->stopped_at = src;
			break;
		}
		char *target = into_dir ? join_base(dest, src, c->parents) : NULL;
		if (into_dir && !target) {
			report_error(r, "cannot copy", src, dest, -ENOMEM);
			continue;
		}
		char *itself = into_dir ? NULL : backup_of_itself(c, src, dest);
		if (itself) {
			struct cli plain = *c;
			plain.backup = BACKUP_OFF;
			copy_operand(&plain, r, &made, src, itself);
			free(itself);
			continue;
		}
		/* --parents: SOURCE checked before any directory is made. */
		if (!c->parents || (parents_source_ok(r, src) &&
				    make_parents(c, r, src, target, 0) == 0))
			copy_operand(c, r, &made, src, target ? target : dest);
		if (c->parents && (c->preserve & RL_PRESERVE_TIMESTAMPS))
			make_parents(c, r, src, target, 1);
		free(target);
	}
	made_free(&made);
	return 0;
}
