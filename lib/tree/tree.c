/* tree.c - rl_copy_tree: check the options, open both roots, refuse a
 * destination inside the source unless it is left out, run the workers
 * (with a counting pass beside it when progress is wanted), and in
 * RL_MODE_ALWAYS remove what was made when clones cannot work at all.
 *
 * The rules, as callers see them:
 * - src that is not a directory is copied as one entry to dst (dst must
 *   not exist unless RL_TREE_MERGE: then it is replaced atomically).
 * - dst must not exist; with RL_TREE_MERGE an existing directory (a
 *   symlink to one is followed: the caller named it) is merged into:
 *   files replaced atomically (RL_F_NO_CLOBBER: -EEXIST for each) or
 *   kept as the update policy, on_ask and on_replace say (policy.c), the
 *   old one kept under the backup callback's name, its directories'
 *   modes and times set as preserved.
 * - cp's per-file options apply to each entry: RL_TREE_HARDLINK and
 *   RL_TREE_SYMLINK make links instead of copies (make.c), RL_TREE_ONE_FS
 *   leaves a mount point's contents out (dir.c), sparse and the
 *   RL_TREE_FILE_FLAGS_ go to the single-file engine (file.c).
 * - dst inside src: RL_EINSIDE unless an exclude or the filter leaves out
 *   dst or a directory on the way to it; the walk also skips dst's root by
 *   device and inode, so the copy never copies itself.
 * - Totals: with on_progress set, a counting pass (one fstatat per
 *   regular file, on a thread of its own beside the copy) fills
 *   total_files and total_bytes as it goes; without it they grow with the
 *   files copied. on_progress is called by report.c's ticker about every
 *   100 ms, with the bytes of files in flight counted, and once at the end.
 * - RL_MODE_ALWAYS: when a clone fails because the two filesystems cannot
 *   clone at all (RL_ECLONE_XDEV, RL_ECLONE_NOTSUP) before any clone
 *   worked, the copy stops at once, removes everything it made (all of a
 *   dst it created; in a merge, what it added) and returns that error,
 *   which is not passed to on_error. Later such failures (a subtree on
 *   another filesystem) are errors of their entries.
 * - Returns 0, else a stop error (-ECANCELED from on_error, the above),
 *   else RL_EPARTIAL when entries failed (each passed to on_error once,
 *   counted in stats->errors). */
#include "tree.h"
#include "../common/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* A path split into its parent directory (an O_PATH fd) and last name,
 * trailing slashes ignored. */
struct split {
	int fd;
	char *buf;
	const char *dir, *name;
};

static int split_open(const char *path, struct split *sp)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	sp->fd = -1;
	if (!(sp->buf = strndup(path, len)))
		return -ENOMEM;
	char *slash = strrchr(sp->buf, '/');
	if (!slash) {
		sp->dir = ".";
		sp->name = sp->buf;
	} else if (slash == sp->buf) {
		sp->dir = "/";
		sp->name = slash + 1; /* "" for "/" itself */
	} else {
		*slash = 0;
		sp->dir = sp->buf;
		sp->name = slash + 1;
	}
	sp->fd = rl__openat(AT_FDCWD, sp->dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	return sp->fd < 0 ? sp->fd : 0;
}

static void split_close(struct split *sp)
{
	if (sp->fd >= 0)
		rl__close(sp->fd);
	free(sp->buf);
}

static int check_options(const rl_tree_options *o, const char *src)
{
	if (o->version == 0 || o->version > RL_TREE_OPTIONS_VERSION)
		return -EINVAL;
	if ((unsigned)o->mode > RL_MODE_NEVER)
		return -EINVAL;
	if ((o->flags & ~RL_TREE_FLAGS_) || (o->preserve & ~RL_PRESERVE_ALL))
		return -EINVAL;
	/* Atomic publish makes the tree anew: there is nothing to merge. */
	if ((o->flags & RL_TREE_ATOMIC) && (o->flags & RL_TREE_MERGE))
		return -EINVAL;
	if ((unsigned)o->update > RL_UPDATE_NONE_FAIL ||
	    (unsigned)o->sparse > RL_SPARSE_NEVER)
		return -EINVAL;
	/* A clone shares extents: it cannot also write every byte. */
	if (o->sparse == RL_SPARSE_NEVER && o->mode == RL_MODE_ALWAYS)
		return -EINVAL;
	/* Removing what src lacks needs a dst that may already exist. */
	if ((o->flags & RL_TREE_DELETE) &&
	    !(o->flags & (RL_TREE_MERGE | RL_TREE_ATOMIC)))
		return -EINVAL;
	if ((o->flags & RL_TREE_HARDLINK) && (o->flags & RL_TREE_SYMLINK))
		return -EINVAL;
	/* A symlink to each source file names it by an absolute path. */
	if ((o->flags & RL_TREE_SYMLINK) && src[0] != '/')
		return -EINVAL;
	return 0;
}

static unsigned int clamp_jobs(long n)
{
	if (n < 1)
		n = 1;
	return n > RL_TREE_JOBS_MAX ? RL_TREE_JOBS_MAX : (unsigned int)n;
}

/* Workers: as asked, else one per online CPU, and up to four per CPU
 * while they are blocked on the disk (walk.c adds them: a worker that
 * spent most of its time asleep, not on a CPU nor waiting for one, and
 * read from a device meanwhile, while work waited: pace.c).
 * Warm, a tree copy is CPU-bound: on 2 cores, warm npm tree, XFS, 2
 * workers took 0.85 s, 8 took 1.18 s. Cold, the workers wait for the disk
 * and two cannot keep it busy. npm tree, caches dropped, up to syncfs
 * (medians of 5, loaded machine, docs/BENCHMARKS.md): this default
 * against -j1 and -j8, btrfs 3.10 / 5.52 / 3.23 s, XFS 2.81 / 4.48 /
 * 3.15 s, ext4 5.73 / 8.96 / 5.56 s; beside a busy loop per core it is
 * 1.7-2.4x faster than -j1. */
static void jobs_for(const rl_tree_options *o, struct rl__cfg *c)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	c->jobs = clamp_jobs(o->jobs ? (long)o->jobs : cpus);
	c->jobs_max = o->jobs ? c->jobs : clamp_jobs(4 * (cpus < 1 ? 1 : cpus));
}

/* How many directories may keep their two fds open: a quarter of the fd
 * limit, leaving room for the files being copied and for the caller.
 * Pinned directories (two per worker at most) may go over. */
static unsigned int dir_budget(void)
{
	struct rlimit rl;
	rlim_t n = 1024;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		n = rl.rlim_cur;
	n /= 8;
	return n < 4 ? 4 : n > 512 ? 512 : (unsigned int)n;
}

static void cfg_init(struct rl__cfg *c, const rl_tree_options *o)
{
	c->mode = o->mode;
	c->preserve = o->preserve;
	c->deref = (o->flags & RL_TREE_DEREF_ALL) != 0;
	c->merge = (o->flags & RL_TREE_MERGE) != 0;
	c->prune = (o->flags & RL_TREE_DELETE) != 0;
	c->links = (o->preserve & RL_PRESERVE_LINKS) != 0;
	c->update = o->update;
	c->link_src = (o->flags & (RL_TREE_HARDLINK | RL_TREE_SYMLINK)) != 0;
	c->one_fs = (o->flags & RL_TREE_ONE_FS) != 0;
	c->default_mode = (o->flags & RL_F_DEFAULT_MODE) != 0;
	/* Keeping every existing entry: the final link or rename decides. */
	c->no_clobber = (o->flags & RL_F_NO_CLOBBER) || o->update == RL_UPDATE_NONE ||
			o->update == RL_UPDATE_NONE_FAIL;
	c->dir_symlinks = (o->flags & RL_TREE_KEEP_DIR_SYMLINK) != 0;
	jobs_for(o, c);
	c->excludes = o->excludes;
	rl_options_init(&c->fopts, RL_OPTIONS_VERSION);
	c->fopts.mode = o->mode;
	c->fopts.flags = (o->flags & (RL_F_NO_CLOBBER | RL_F_FSYNC | RL_TREE_FILE_FLAGS_)) |
			 (c->no_clobber ? RL_F_NO_CLOBBER : 0);
	c->fopts.sparse = o->sparse;
	c->fopts.preserve = o->preserve;
	c->fopts.cancel = rl__tree_options_cancel(o);
}

static int tree_init(struct rl__tree *t, const char *src, const char *dst,
		     const rl_tree_options *o)
{
	cfg_init(&t->cfg, o);
	t->opts = o;
	t->src = src;
	t->dst = dst;
	rl__env_init(&t->env);
	rl__env_umask(&t->env); /* read now: workers only read it */
	t->euid = geteuid();
	t->egid = getegid();
	rl__verdict_init(t);
	if (rl__queue_init(t) || rl__cache_init(t, dir_budget()) ||
	    rl__tally_init(t) || rl__report_init(t, o) || rl__undo_init(t))
		return -ENOMEM;
	return rl__links_init(t);
}

static void tree_fini(struct rl__tree *t)
{
	rl__links_fini(t);
	rl__undo_fini(t);
	rl__queue_fini(t);
	rl__cache_fini(t);
	rl__tally_fini(t);
	rl__report_fini(t);
}

/* dst's absolute path without symlinks, whether it exists or not; dp is
 * the split of where it is made (its parent is dst's). */
static char *real_dest(const struct split *dp, int exists, const char *dst,
		       const char *name)
{
	if (exists)
		return realpath(dst, NULL);
	char *dir = realpath(dp->dir, NULL), *out = NULL;
	if (dir && asprintf(&out, "%s/%s", strcmp(dir, "/") ? dir : "", name) < 0)
		out = NULL;
	free(dir);
	return out;
}

/* The last name of path, trailing slashes aside: in a buffer of its own. */
static char *base_of(const char *path)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *b = path + len;
	while (b > path && b[-1] != '/')
		b--;
	return strndup(b, (size_t)(path + len - b));
}

/* A destination inside the source is refused (it would copy itself
 * forever) unless the excludes or filter leave it out. The walk also
 * skips the destination root by device and inode, whatever its path.
 * When publishing, the question is about the target, not its stage. */
static int check_inside(struct rl__tree *t, const struct split *dp, int exists)
{
	int staged = t->make_at != t->dst;
	char *name = staged ? base_of(t->dst) : NULL;
	char *s = realpath(t->src, NULL);
	char *d = staged ? real_dest(dp, 0, t->dst, name ? name : "")
			 : real_dest(dp, exists, t->dst, dp->name);
	int r = 0;
	if (s && d) {
		size_t n = strlen(s);
		if (strcmp(s, d) == 0)
			r = RL_ESAMEFILE;
		else if (strncmp(s, d, n) == 0 && (d[n] == '/' || n == 1))
			r = rl__match_covers(t, d + n + (d[n] == '/'))
				    ? 0 : RL_EINSIDE;
		/* What is removed (entries, or the old tree a publish swaps
		 * out) must not hold the source. */
		if (r == 0 && (t->cfg.prune || staged))
			r = rl__delete_check(t, s, d);
	}
	free(s);
	free(d);
	free(name);
	return r;
}

/* Make (or, merging, open) the destination root: its fd, or -errno. */
static int open_dest(struct rl__tree *t, const struct split *dp, int *fresh,
		     struct stat *st)
{
	int merge = t->cfg.merge;
	int exists = !*dp->name || fstatat(dp->fd, dp->name, st, 0) == 0;
	if (exists && !merge)
		return -EEXIST;
	if (exists && *dp->name && !S_ISDIR(st->st_mode))
		return -ENOTDIR;
	int r = check_inside(t, dp, exists);
	if (r < 0)
		return r;
	/* Fresh only once our own mkdirat made it: losing a race to another
	 * process must never make us remove (or claim) its directory. */
	*fresh = 0;
	if (!exists && (r = rl__place_mkdir(dp->fd, dp->name)) == 0)
		*fresh = 1;
	else if (!exists && (r != -EEXIST || !merge))
		return r;
	/* Merging, dst is the caller's to name: a symlink to a directory
	 * there is followed, as cp does. Below it, nothing ever is. */
	int fd = rl__openat(*dp->name ? dp->fd : AT_FDCWD,
			    *dp->name ? dp->name : t->make_at,
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC | (*fresh ? O_NOFOLLOW : 0), 0);
	if (fd < 0)
		return fd;
	r = fstat(fd, st) != 0 ? -errno : *fresh ? rl__place_dir_ours(fd, st) : 0;
	if (r < 0) {
		rl__close(fd);
		return r;
	}
	return fd;
}

static struct rl__tnode *make_root(struct rl__tree *t, int sfd, int dfd,
				   const struct stat *sst, const struct stat *dst)
{
	struct rl__tnode *root = rl__node_child(t, NULL, "");
	if (!root)
		return NULL;
	rl__dir_set_source(root, sst);
	root->pseudo = (unsigned char)rl__is_pseudo_fs(sfd);
	if (dfd >= 0)
		rl__dir_set_dest(t, root, dst);
	rl__node_install(t, root, sfd, dfd); /* pinned for the whole run */
	rl__node_ref(t, root);               /* this call's own reference */
	return root;
}

/* The counting pass for progress totals runs beside the copy, on a
 * thread of its own with one worker (a second tree in scan mode that
 * adds to this one's totals), so the copy does not wait for it: counting
 * first cost about 15% of a warm npm-tree copy. The caller's filter is not
 * asked there (callbacks run one at a time), so totals may count entries
 * it leaves out; the excludes apply. */
struct scanner {
	struct rl__tree *scan;
	pthread_t tid;
	int running;
	atomic_int finished;         /* the count reached its end */
};

static void *scan_main(void *arg)
{
	struct scanner *sc = arg;
	struct rl__tree *s = sc->scan;
	if (rl__walk_run(s) < 0)
		rl__node_unused(s, s->root);
	atomic_store(&sc->finished, 1);
	return NULL;
}

static struct rl__tree *scan_tree(struct rl__tree *t)
{
	struct stat st;
	struct rl__tree *s = calloc(1, sizeof *s);
	int fd = rl__openat(t->root->sfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (!s || fd < 0 || fstat(fd, &st) != 0 ||
	    tree_init(s, t->src, t->dst, t->opts) != 0) {
		if (fd >= 0)
			rl__close(fd);
		free(s);
		return NULL;
	}
	s->scan = 1;
	s->totals = t;
	s->cfg.jobs = s->cfg.jobs_max = 1;
	s->report.filter = NULL;
	s->dst_dev = t->dst_dev, s->dst_ino = t->dst_ino;
	if (!(s->root = make_root(s, fd, -1, &st, NULL))) {
		rl__close(fd);
		tree_fini(s);
		free(s);
		return NULL;
	}
	return s;
}

static void scan_end(struct scanner *sc)
{
	struct rl__tree *s = sc->scan;
	rl__node_release(s, s->root);
	rl__node_unref(s, s->root);
	tree_fini(s);
	free(s);
}

/* Start counting beside the copy (nothing if that cannot be: totals then
 * grow with the files copied). */
static void scan_start(struct rl__tree *t, struct scanner *sc)
{
	sc->running = 0;
	atomic_init(&sc->finished, 0);
	if (!rl__report_wants_progress(t) || !(sc->scan = scan_tree(t)))
		return;
	sc->running = pthread_create(&sc->tid, NULL, scan_main, sc) == 0;
	if (sc->running) {
		rl__tally_prescanned(t); /* totals come from the scan now */
		return;
	}
	rl__node_unused(sc->scan, sc->scan->root);
	scan_end(sc);
}

static void scan_stop(struct rl__tree *t, struct scanner *sc)
{
	if (!sc->running)
		return;
	int complete = atomic_load(&sc->finished);
	rl__tally_stop(sc->scan, 0); /* the copy is over: so is the count */
	pthread_join(sc->tid, NULL);
	if (!complete) /* cut short: what the copy did is the whole */
		rl__tally_totals_done(t);
	scan_end(sc);
}

static int copy_walk(struct rl__tree *t, const struct split *dp, int fresh)
{
	struct scanner sc;
	int r;
	rl__report_ticker_start(t);
	scan_start(t, &sc);
	if ((r = rl__walk_run(t)) < 0)
		rl__node_unused(t, t->root);
	scan_stop(t, &sc);
	rl__report_ticker_stop(t);
	if (rl__verdict_fatal(t)) {
		if (fresh)
			rl__remove_tree(dp->fd, dp->name);
		else
			rl__undo_run(t);
	}
	rl__undo_forget(t);
	return r;
}

static int copy_dir(struct rl__tree *t, int sfd, const struct stat *sst)
{
	struct split dp;
	struct stat dst;
	int fresh = 0, dfd = -1;
	int r = split_open(t->make_at, &dp);
	if (r == 0 && (dfd = open_dest(t, &dp, &fresh, &dst)) < 0)
		r = dfd;
	if (r == 0 && !fresh && dst.st_dev == sst->st_dev && dst.st_ino == sst->st_ino)
		r = RL_ESAMEFILE;
	if (r == 0 && !(t->root = make_root(t, sfd, dfd, sst, &dst)))
		r = -ENOMEM;
	if (r < 0) {
		rl__close(sfd);
		if (dfd >= 0)
			rl__close(dfd);
		if (fresh)
			unlinkat(dp.fd, dp.name, AT_REMOVEDIR);
		split_close(&dp);
		return r;
	}
	t->root->fresh = (unsigned char)(fresh || t->root_fresh);
	t->dst_dev = dst.st_dev;
	t->dst_ino = dst.st_ino;
	rl__verdict_roots(t, sst->st_dev, dst.st_dev);
	r = copy_walk(t, &dp, fresh);
	rl__node_release(t, t->root);
	rl__node_unref(t, t->root);
	split_close(&dp);
	return r;
}

/* A source that is not a directory: one entry, placed as dst. */
static int copy_top(struct rl__tree *t)
{
	struct split sp, dp;
	struct stat st;
	struct rl__worker w;
	int r = split_open(t->src, &sp);
	if (r == 0)
		r = split_open(t->dst, &dp);
	else
		dp.fd = -1, dp.buf = NULL;
	if (r == 0 && fstat(dp.fd, &st) != 0)
		r = -errno;
	if (r == 0 && !(t->top = rl__node_child(t, NULL, "")))
		r = -ENOMEM;
	if (r == 0 && (r = rl__walk_worker_init(&w, t)) == 0) {
		rl__dir_set_dest(t, t->top, &st);
		t->top->pseudo = (unsigned char)rl__is_pseudo_fs(sp.fd);
		t->top->failed = 1; /* never given a directory's metadata */
		rl__node_install(t, t->top, sp.fd, dp.fd);
		sp.fd = dp.fd = -1; /* the node owns them now */
		if (!t->cfg.merge) { /* dst is a name only the caller gave */
			t->cfg.fopts.flags |= RL_F_NO_CLOBBER;
			t->cfg.no_clobber = 1;
		}
		rl__entry_handle(&w, t->top, sp.name, dp.name, DT_UNKNOWN);
		if (rl__queue_drain(&w)) /* it became a directory meanwhile */
			rl__report_fail(&w, t->top, NULL, -EISDIR, RL_STEP_NONE, 0);
		rl__walk_worker_fini(&w);
	}
	if (t->top)
		rl__node_unref(t, t->top);
	split_close(&sp);
	split_close(&dp);
	return r;
}

static int tree_run(struct rl__tree *t)
{
	struct stat st;
	int follow = t->cfg.deref;
	if (rl__tally_stopped(t)) /* cancelled before anything was made */
		return 0;
	int fd = rl__openat(AT_FDCWD, t->src, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
			    O_NOCTTY | (follow ? 0 : O_NOFOLLOW), 0);
	if (fd >= 0) {
		if (fstat(fd, &st) == 0)
			return copy_dir(t, fd, &st);
		int r = -errno;
		rl__close(fd);
		return r;
	}
	if (fd != -ENOTDIR && fd != -ELOOP)
		return fd;
	int r = copy_top(t);
	return r < 0 ? r : 0;
}

int rl__tree_copy(const char *src, const char *make_at, const char *dst,
		  const rl_tree_options *opts, rl_tree_stats *stats,
		  int root_fresh)
{
	struct rl__tree *t = calloc(1, sizeof *t);
	if (!t)
		return -ENOMEM;
	int r = tree_init(t, src, dst, opts);
	t->make_at = make_at;
	t->root_fresh = root_fresh;
	if (r == 0)
		r = tree_run(t);
	if (r == 0)
		r = rl__tally_result(t);
	if (stats)
		rl__tally_out(t, stats);
	tree_fini(t);
	free(t);
	return r;
}

int rl_copy_tree(const char *src, const char *dst, const rl_tree_options *opts,
		 rl_tree_stats *stats)
{
	rl_tree_options defaults = RL_TREE_OPTIONS_INIT, full;
	if (!src || !dst)
		return -EINVAL;
	if (stats && (stats->version == 0 || stats->version > RL_TREE_STATS_VERSION))
		return -EINVAL;
	if (!*src || !*dst)
		return -ENOENT;
	/* From here on only the full copy is read: an older caller's struct
	 * ends before the newer fields. */
	int r = rl__tree_options_copy(&full, opts ? opts : &defaults);
	if (r == 0)
		r = check_options(&full, src);
	if (r < 0)
		return r;
	if (full.flags & RL_TREE_ATOMIC)
		return rl__publish(src, dst, &full, stats);
	return rl__tree_copy(src, dst, dst, &full, stats, 0);
}
