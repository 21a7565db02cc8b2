/* dedupe.c - rl_dedupe: walk the PATHs, group the candidates
 * (candidates.c), then share each group's files with its first, one group
 * per pool task. Counts and callbacks go through d->mu, one at a time. */
#include "share.h"
#include "../common/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void tell_file(struct rl__dedupe *d, const char *path, const char *same_as,
		      uint64_t bytes, int outcome)
{
	if (d->opts.on_file)
		d->opts.on_file(d->opts.ctx, path, same_as, bytes, outcome);
}

void rl__dedupe_skip(struct rl__dedupe *d, const char *path, int reason)
{
	pthread_mutex_lock(&d->mu);
	d->st.skipped++;
	d->st.skipped_by[reason]++;
	tell_file(d, path, NULL, 0, reason);
	pthread_mutex_unlock(&d->mu);
}

void rl__dedupe_fail(struct rl__dedupe *d, const char *path, const char *other,
		     int err)
{
	pthread_mutex_lock(&d->mu);
	d->st.errors++;
	if (d->opts.on_error && d->opts.on_error(d->opts.ctx, path, other, err))
		atomic_store(&d->stop, 1);
	pthread_mutex_unlock(&d->mu);
}

static void progress(struct rl__dedupe *d, int phase, uint64_t add, int force)
{
	pthread_mutex_lock(&d->mu);
	d->done_bytes += add;
	long long t = now_ns();
	if (d->opts.on_progress && (force || t >= d->next_progress)) {
		d->next_progress = t + 100000000LL;
		if (phase == RL_PHASE_WALK)
			d->opts.on_progress(d->opts.ctx, phase, d->st.files, 0);
		else
			d->opts.on_progress(d->opts.ctx, phase, d->done_bytes,
					    d->total_bytes);
	}
	pthread_mutex_unlock(&d->mu);
}

void rl__dedupe_progress(struct rl__dedupe *d, int phase, uint64_t add)
{
	progress(d, phase, add, 0);
}

void rl__dedupe_progress_end(struct rl__dedupe *d, int phase)
{
	progress(d, phase, 0, 1);
}

/* Is a file of device dev on the first PATH's filesystem? btrfs gives
 * each subvolume its own st_dev, so another st_dev is compared by fsid. */
static int same_fs(struct rl__dedupe *d, int dirfd, const char *name, dev_t dev)
{
	if (dev == d->dev)
		return 1;
	for (unsigned int i = 0; i < d->ndevs; i++)
		if (d->devs[i].dev == dev)
			return d->devs[i].same;
	struct statfs sf;
	int fd = rl__openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
	int same = fd >= 0 && fstatfs(fd, &sf) == 0 &&
		   memcmp(&sf.f_fsid, &d->fsid, sizeof d->fsid) == 0;
	if (fd >= 0)
		rl__close(fd);
	if (d->ndevs < sizeof d->devs / sizeof d->devs[0])
		d->devs[d->ndevs].dev = dev, d->devs[d->ndevs++].same = same;
	return same;
}

static int add_cand(struct rl__dedupe *d, char *path, const struct stat *st)
{
	struct rl__cands *c = &d->c;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct rl__cand *v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		c->v = v, c->cap = cap;
	}
	c->v[c->n++] = (struct rl__cand){ path, st->st_dev, st->st_ino,
		(uint64_t)st->st_size, st->st_mtim, st->st_ctim, 0, 0, 0 };
	return 0;
}

/* One file of the walk: counted, then skipped or kept as a candidate. */
static void file_found(struct rl__dedupe *d, int dirfd, char *path,
		       const char *name, const struct stat *st)
{
	pthread_mutex_lock(&d->mu);
	d->st.files++;
	d->st.bytes += (uint64_t)st->st_size;
	int reason = -1, r = 0;
	if (!same_fs(d, dirfd, name, st->st_dev))
		reason = RL_SKIP_OTHER_FS;
	else if (st->st_size == 0)
		reason = RL_SKIP_SMALL;
	if (reason != RL_SKIP_OTHER_FS && !d->probe && (d->probe = strdup(path)) == NULL)
		r = -ENOMEM;
	if (reason < 0 && r == 0 && (r = add_cand(d, path, st)) == 0)
		path = NULL;
	pthread_mutex_unlock(&d->mu);
	if (r < 0)
		atomic_store(&d->stop, 1);
	if (reason >= 0)
		rl__dedupe_skip(d, path, reason);
	free(path);
}

static void on_file(struct rl__sweep *sw, unsigned int w, int dirfd,
		    const char *dir, const char *name, const struct stat *given)
{
	struct rl__dedupe *d = sw->ctx;
	struct stat st;
	(void)w;
	if (atomic_load(&d->stop)) {
		atomic_store(&sw->stop, 1);
		return;
	}
	if (!given && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT) {
			char *p = rl__share_join(dir, name);
			rl__dedupe_fail(d, p ? p : name, NULL, -errno);
			free(p);
		}
		return;
	}
	if (!given)
		given = &st;
	if (!S_ISREG(given->st_mode) || rl__sweep_first(sw, given) <= 0)
		return; /* raced to something else, or a hard link seen */
	char *path = rl__share_join(dir, name);
	if (!path) {
		atomic_store(&d->stop, 1);
		return;
	}
	file_found(d, dirfd, path, name, given);
	rl__dedupe_progress(d, RL_PHASE_WALK, 0);
}

static int sweep_error(struct rl__sweep *sw, const char *dir, const char *name,
		       int err)
{
	struct rl__dedupe *d = sw->ctx;
	char *p = name ? rl__share_join(dir, name) : NULL;
	rl__dedupe_fail(d, p ? p : dir, NULL, err);
	free(p);
	return atomic_load(&d->stop);
}

/* The first PATH's filesystem: device, fsid, block size; read-only? */
static int first_fs(struct rl__dedupe *d, const char *path)
{
	struct stat st;
	struct statfs sf;
	struct statvfs sv;
	if (lstat(path, &st) < 0 || statfs(path, &sf) < 0 || statvfs(path, &sv) < 0)
		return -errno;
	d->dev = st.st_dev;
	memcpy(&d->fsid, &sf.f_fsid, sizeof d->fsid);
	d->block = sv.f_bsize ? sv.f_bsize : 4096;
	if ((sv.f_flag & ST_RDONLY) && !d->dry_run)
		return -EROFS;
	return 0;
}

static int walk(struct rl__dedupe *d, const char *const *paths)
{
	struct rl__sweep sw;
	memset(&sw, 0, sizeof sw);
	sw.jobs = d->jobs;
	sw.cancel = d->opts.cancel;
	sw.on_file = on_file;
	sw.on_error = sweep_error;
	sw.ctx = d;
	int r = rl__sweep_init(&sw), have_fs = 0;
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && paths[i]; i++) {
		int e = have_fs ? 0 : first_fs(d, paths[i]);
		if (e == -EROFS)
			r = e; /* nothing changed yet */
		else if (e == 0 && (have_fs = 1) && (e = rl__sweep_run(&sw, paths[i])) == -ECANCELED)
			r = e;
		if (e < 0 && r == 0)
			rl__dedupe_fail(d, paths[i], NULL, e);
		if (atomic_load(&d->stop))
			r = -ECANCELED;
	}
	rl__sweep_fini(&sw);
	rl__dedupe_progress_end(d, RL_PHASE_WALK);
	return r;
}

/* Share f with src, whose extents are se. */
static void share_one(struct rl__dedupe *d, struct rl__cand *src, int sfd,
		      const struct rl__extents *se, struct rl__cand *f)
{
	int fd = rl__cand_open(d, f);
	if (fd < 0)
		return;
	struct rl__extents fe = { 0 };
	uint64_t done = 0;
	int r = rl__extents_get(fd, &fe);
	int already = r == 0 && rl__extents_same(se, &fe);
	if (r == 0 && !already && !d->dry_run)
		r = rl__dedupe_pair(sfd, fd, f->size, &done, d->opts.cancel);
	else if (r == 0 && !already)
		done = f->size;
	rl__extents_free(&fe);
	rl__close(fd);
	uint64_t bytes = rl__extents_data(se, done);
	if (r == 1 || r == -EPERM || r == -EACCES || r == -ETXTBSY ||
	    r == -EINVAL || r == -EOPNOTSUPP || r == -EXDEV)
		rl__dedupe_skip(d, f->path, r == 1 ? RL_SKIP_DIFFERS : RL_SKIP_REFUSED);
	else if (r < 0 && r != -ECANCELED)
		rl__dedupe_fail(d, f->path, src->path, r);
	pthread_mutex_lock(&d->mu);
	if (already)
		d->st.already_shared_bytes += f->size;
	d->st.deduped_bytes += bytes;
	if (already || (r == 0 && bytes))
		tell_file(d, f->path, src->path, already ? f->size : bytes,
			  already ? RL_DEDUPE_ALREADY : RL_DEDUPE_DONE);
	pthread_mutex_unlock(&d->mu);
	rl__dedupe_progress(d, RL_PHASE_DEDUPE, f->size);
}

/* Files with no block of their own to share: a file under one block whose
 * data lives inline in metadata (btrfs), or one of holes only. A file
 * under one block that has a block (XFS, or btrfs beyond its inline
 * limit) is shared like any other: its whole block is freed. */
static int no_blocks(const struct rl__extents *e, uint64_t block, uint64_t size)
{
	if (e->n == 0)
		return 1;
	for (size_t i = 0; size < block && i < e->n; i++)
		if (e->v[i].flags & (FIEMAP_EXTENT_DATA_INLINE | FIEMAP_EXTENT_NOT_ALIGNED))
			return 1;
	return 0;
}

static void dedupe_group(void *ctx, unsigned int w, size_t gi)
{
	struct rl__dedupe *d = ctx;
	const struct rl__group *g = &d->c.groups[gi];
	struct rl__cand *v = d->c.v + g->first;
	(void)w;
	size_t s = 0;
	int sfd = -1;
	/* The first member that still opens is the one the others share. */
	while (s < g->n && (sfd = rl__cand_open(d, &v[s])) < 0)
		s++;
	struct rl__extents se = { 0 };
	int r = sfd >= 0 ? rl__extents_get(sfd, &se) : -ENOENT;
	if (r < 0 && sfd >= 0)
		rl__dedupe_fail(d, v[s].path, NULL, r);
	if (r == 0 && no_blocks(&se, d->block, v[s].size)) {
		for (size_t k = s; k < g->n; k++)
			rl__dedupe_skip(d, v[k].path, RL_SKIP_SMALL);
		r = 1;
	}
	for (size_t k = s + 1; r == 0 && k < g->n && !atomic_load(&d->stop) &&
	     !rl__cancel_set(d->opts.cancel); k++)
		share_one(d, &v[s], sfd, &se, &v[k]);
	rl__extents_free(&se);
	if (sfd >= 0)
		rl__close(sfd);
}

static int run(struct rl__dedupe *d, const char *const *paths)
{
	int r = walk(d, paths);
	if (r < 0)
		return r;
	if (d->probe) { /* before anything is read or changed */
		int fd = rl__share_open(AT_FDCWD, d->probe);
		if (fd >= 0) {
			r = rl__dedupe_probe(fd);
			rl__close(fd);
			if (r == RL_ECLONE_NOTSUP)
				return r;
		}
	}
	if ((r = rl__cands_group(d)) < 0)
		return r;
	d->done_bytes = d->total_bytes = 0;
	for (size_t i = 0; i < d->c.ngroups; i++) {
		d->st.groups++;
		d->st.duplicates += d->c.groups[i].n - 1;
		d->total_bytes += (d->c.groups[i].n - 1) * d->c.v[d->c.groups[i].first].size;
	}
	r = rl__pool_run(d->jobs, d->c.ngroups, dedupe_group, d, d->opts.cancel);
	if (r == 0 && atomic_load(&d->stop))
		r = -ECANCELED;
	rl__dedupe_progress_end(d, RL_PHASE_DEDUPE);
	return r;
}

static void free_run(struct rl__dedupe *d)
{
	for (size_t i = 0; i < d->c.n; i++)
		free(d->c.v[i].path);
	free(d->c.v);
	free(d->c.groups);
	free(d->probe);
	pthread_mutex_destroy(&d->mu);
}

int rl_dedupe(const char *const *paths, const rl_share_options *opts,
	      rl_dedupe_stats *stats)
{
	size_t n = stats ? rl__dedupe_stats_size(stats->version) : 0;
	struct rl__dedupe *d = calloc(1, sizeof *d);
	if (!d)
		return -ENOMEM;
	int r = (!paths || !paths[0] || (stats && n == 0)) ? -EINVAL
		: rl__share_options_copy(&d->opts, opts);
	if (r < 0 || pthread_mutex_init(&d->mu, NULL)) {
		free(d);
		return r < 0 ? r : -ENOMEM;
	}
	d->st.version = stats ? stats->version : RL_DEDUPE_STATS_VERSION;
	d->dry_run = (d->opts.flags & RL_DEDUPE_DRY_RUN) != 0;
	d->jobs = rl__share_jobs(d->opts.jobs);
	atomic_init(&d->stop, 0);
	r = run(d, paths);
	if (r == 0 && d->st.errors)
		r = RL_EPARTIAL;
	if (stats)
		memcpy(stats, &d->st, n);
	free_run(d);
	free(d);
	return r;
}
