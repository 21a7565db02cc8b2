/* shared.c - rl_shared: FIEMAP sums over a file or tree, each worker
 * adding into its own counts (no lock per file), summed at the end. */
#include "share.h"
#include "../common/sys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct shared_run {
	rl_share_options opts;
	rl_shared_stats *per;   /* one per worker */
	pthread_mutex_t mu;     /* the callbacks, one at a time */
	atomic_ullong files;    /* for progress */
	atomic_ullong errors;   /* entries the walk could not read */
	atomic_llong next_progress;
};

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int report_error(struct shared_run *s, const char *dir, const char *name,
			int err)
{
	int stop = 0;
	char *path = name ? rl__share_join(dir, name) : NULL;
	pthread_mutex_lock(&s->mu);
	if (s->opts.on_error)
		stop = s->opts.on_error(s->opts.ctx, path ? path : dir, NULL, err);
	pthread_mutex_unlock(&s->mu);
	free(path);
	return stop;
}

static int on_error(struct rl__sweep *sw, const char *dir, const char *name, int err)
{
	struct shared_run *s = sw->ctx;
	atomic_fetch_add(&s->errors, 1);
	return report_error(s, dir, name, err);
}

static void progress(struct shared_run *s)
{
	if (!s->opts.on_progress)
		return;
	long long t = now_ns(), due = atomic_load(&s->next_progress);
	if (t < due || !atomic_compare_exchange_strong(&s->next_progress, &due,
						       t + 100000000LL))
		return;
	pthread_mutex_lock(&s->mu);
	s->opts.on_progress(s->opts.ctx, RL_PHASE_WALK, atomic_load(&s->files), 0);
	pthread_mutex_unlock(&s->mu);
}

/* The sums of one open file. */
static void account(rl_shared_stats *st, int fd, const struct stat *sb)
{
	struct rl__usage u;
	uint64_t size = (uint64_t)sb->st_size;
	int r = rl__extents_usage(fd, size, &u);
	if (r == -EOPNOTSUPP) { /* no FIEMAP (tmpfs): what stat knows */
		u.allocated = (uint64_t)sb->st_blocks * 512;
		u.shared = 0;
		u.holes = size > u.allocated ? size - u.allocated : 0;
		st->unmapped++;
	}
	st->files++;
	st->bytes += size;
	st->allocated += u.allocated;
	st->shared += u.shared;
	st->holes += u.holes;
}

static void on_file(struct rl__sweep *sw, unsigned int w, int dirfd,
		    const char *dir, const char *name, const struct stat *given)
{
	struct shared_run *s = sw->ctx;
	struct stat sb;
	int fd = rl__share_open(dirfd, name);
	if (fd >= 0 && fstat(fd, &sb) < 0)
		sb.st_mode = 0;
	(void)given;
	int first = fd < 0 || !S_ISREG(sb.st_mode) ? 0 : rl__sweep_first(sw, &sb);
	if (fd < 0 && fd != -ENOENT) {
		s->per[w].errors++;
		if (report_error(s, dir, name, fd))
			atomic_store(&sw->stop, 1);
	} else if (first > 0) {
		account(&s->per[w], fd, &sb);
		atomic_fetch_add(&s->files, 1);
		progress(s);
	}
	if (fd >= 0)
		rl__close(fd);
}

static void sum(rl_shared_stats *out, const rl_shared_stats *per, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		out->files += per[i].files;
		out->bytes += per[i].bytes;
		out->allocated += per[i].allocated;
		out->shared += per[i].shared;
		out->holes += per[i].holes;
		out->unmapped += per[i].unmapped;
		out->errors += per[i].errors;
	}
	out->exclusive = out->allocated - out->shared;
}

static int run(struct shared_run *s, const char *path, rl_shared_stats *total)
{
	struct rl__sweep sw;
	memset(&sw, 0, sizeof sw);
	sw.jobs = rl__share_jobs(s->opts.jobs);
	sw.cancel = s->opts.cancel;
	sw.on_file = on_file;
	sw.on_error = on_error;
	sw.ctx = s;
	if (!(s->per = calloc(sw.jobs, sizeof *s->per)))
		return -ENOMEM;
	int r = rl__sweep_init(&sw);
	if (r == 0) {
		r = rl__sweep_run(&sw, path);
		rl__sweep_fini(&sw);
	}
	sum(total, s->per, sw.jobs);
	total->errors += atomic_load(&s->errors);
	free(s->per);
	if (s->opts.on_progress)
		s->opts.on_progress(s->opts.ctx, RL_PHASE_WALK, total->files, total->files);
	if (r == 0 && total->errors)
		r = RL_EPARTIAL;
	return r;
}

int rl_shared2(const char *path, const rl_share_options *opts,
	       rl_shared_stats *stats)
{
	struct shared_run s;
	memset(&s, 0, sizeof s);
	size_t n = stats ? rl__shared_stats_size(stats->version) : 0;
	if (!path || (stats && n == 0) || rl__share_options_copy(&s.opts, opts) < 0)
		return -EINVAL;
	if (s.opts.flags) /* RL_DEDUPE_DRY_RUN means nothing here */
		return -EINVAL;
	if (pthread_mutex_init(&s.mu, NULL))
		return -ENOMEM;
	rl_shared_stats total;
	memset(&total, 0, sizeof total);
	total.version = stats ? stats->version : RL_SHARED_STATS_VERSION;
	int r = run(&s, path, &total);
	pthread_mutex_destroy(&s.mu);
	if (stats && r != -EINVAL)
		memcpy(stats, &total, n);
	return r;
}

int rl_shared(const char *path, rl_shared_stats *stats)
{
	return rl_shared2(path, NULL, stats);
}
