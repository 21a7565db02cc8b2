/* share.h - private to lib/share: rl_shared (what a tree shares) and
 * rl_dedupe (make identical files share). One file per concern:
 *   sweep.c   the walk: a small parallel walker over PATHs
 *   seen.c    each inode once (hard links)
 *   pool.c    run a function over n items on worker threads
 *   extents.c FIEMAP: a file's extents, sums and "do two files share all"
 *   digest.c  the fast hash of samples and whole files
 *   candidates.c  size groups -> sample groups -> hash groups
 *   ranges.c  the FIDEDUPERANGE loop over one pair
 *   shared.c, dedupe.c  the public calls.
 * Why not lib/tree's walker: its nodes hold a source and a destination
 * directory, its entries are dispatched to the copy's creation steps and
 * its queue, cache and tally take a struct rl__tree; a read-only walk
 * would have to thread a mode through every one of them (and they change
 * under other work). The walk here is ~150 lines and shares nothing
 * mutable with it. */
#ifndef RL_SHARE_H
#define RL_SHARE_H

#include "../common/internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#define RL_SHARE_JOBS_MAX 256

/* seen.c: (dev, ino) already counted, for files with several links. */
struct rl__seen {
	pthread_mutex_t mu;
	uint64_t *tab; /* pairs dev, ino; dev 0 ino 0 = empty */
	size_t cap, n;
};
int rl__seen_init(struct rl__seen *s);
void rl__seen_fini(struct rl__seen *s);
/* 1 if (dev, ino) is new (and now recorded), 0 if seen, -ENOMEM. */
int rl__seen_add(struct rl__seen *s, dev_t dev, ino_t ino);

/* sweep.c: the walk. Each regular file (symlinks never followed) is
 * passed to on_file by worker w (0..jobs-1): dirfd and name to open it,
 * dir its directory's path as reported (the PATH joined with the relative
 * path). st is NULL when the directory entry's type said "regular file"
 * without a stat (on_file opens and fstats it, and calls
 * rl__sweep_first for files with several links). */
struct rl__sweep;
struct rl__sdir;
typedef void (*rl__sweep_file_fn)(struct rl__sweep *sw, unsigned int w,
				  int dirfd, const char *dir, const char *name,
				  const struct stat *st);
struct rl__sweep {
	/* set by the caller */
	unsigned int jobs;
	const volatile int *cancel;
	rl__sweep_file_fn on_file;
	/* an entry that could not be read; return nonzero to stop */
	int (*on_error)(struct rl__sweep *sw, const char *dir, const char *name,
			int err);
	void *ctx;
	/* the walk's own */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rl__sdir *dirs;  /* LIFO of directories to read */
	unsigned int active;    /* queued or being read */
	unsigned int idle;      /* workers waiting */
	int rootfd;             /* the PATH being walked */
	const char *root;
	atomic_int stop;
	struct rl__seen seen;
};
int rl__sweep_init(struct rl__sweep *sw);
void rl__sweep_fini(struct rl__sweep *sw);
/* Walk path (a regular file or a directory). 0, or the root's error
 * (-ENOENT..., RL_ENOTREGULAR for a FIFO, socket or device, -ECANCELED,
 * -ENOMEM). A symlink path is not followed: nothing is walked. */
int rl__sweep_run(struct rl__sweep *sw, const char *path);
/* 1 the first time a file with these ids is seen (also for nlink 1),
 * 0 after, -ENOMEM. */
int rl__sweep_first(struct rl__sweep *sw, const struct stat *st);
/* Open a file for reading, never following a symlink, without updating
 * its access time where allowed. fd or -errno. */
int rl__share_open(int dirfd, const char *name);
/* dir "/" name, malloc'd (NULL: out of memory). */
char *rl__share_join(const char *dir, const char *name);

/* pool.c: fn(ctx, worker, i) for every i < n on up to jobs threads (this
 * one included). Stops early once *cancel is set: -ECANCELED. */
int rl__pool_run(unsigned int jobs, size_t n,
		 void (*fn)(void *ctx, unsigned int w, size_t i), void *ctx,
		 const volatile int *cancel);
/* The jobs an option asks for: 0 = online CPUs, capped. */
unsigned int rl__share_jobs(unsigned int asked);

/* extents.c */
struct rl__extent {
	uint64_t logical, physical, length;
	uint32_t flags;
};
struct rl__extents {
	struct rl__extent *v;
	size_t n, cap;
};
/* The sums rl_shared reports for one file. */
struct rl__usage {
	uint64_t allocated, shared, holes;
};
/* FIEMAP sums of an open file of size bytes: 0, -EOPNOTSUPP where the
 * filesystem has no FIEMAP, or -errno. */
int rl__extents_usage(int fd, uint64_t size, struct rl__usage *u);
/* All extents of fd, adjacent ones merged. 0 or -errno. */
int rl__extents_get(int fd, struct rl__extents *e);
void rl__extents_free(struct rl__extents *e);
/* Do a and b map every byte to the same physical blocks (already one
 * copy)? Both must have data. */
int rl__extents_same(const struct rl__extents *a, const struct rl__extents *b);
/* Bytes of [0, end) that lie in extents (data, not holes). */
uint64_t rl__extents_data(const struct rl__extents *e, uint64_t end);

/* digest.c: a 64-bit non-cryptographic hash, fed in pieces. The kernel
 * compares the bytes itself before sharing them, so a collision costs a
 * refused call, never data. */
struct rl__digest {
	uint64_t v[4];
	uint64_t total;
	unsigned char tail[32];
	size_t ntail;
};
void rl__digest_init(struct rl__digest *d, uint64_t seed);
void rl__digest_add(struct rl__digest *d, const void *p, size_t n);
uint64_t rl__digest_end(struct rl__digest *d);

/* One regular file that may be deduped. */
struct rl__cand {
	char *path;            /* as the walk gave it */
	dev_t dev;
	ino_t ino;
	uint64_t size;
	struct timespec mtim, ctim;
	uint64_t sample, hash; /* digests (candidates.c) */
	int state;             /* 0 in play, else an RL_SKIP_* + 1 or -errno */
};

/* candidates.c: from files to groups of probably identical ones. */
struct rl__group {
	size_t first, n;       /* a run of rl__cands */
};
struct rl__cands {
	struct rl__cand *v;
	size_t n, cap;
	struct rl__group *groups;
	size_t ngroups;
};
struct rl__dedupe;
/* Sort and group v by size, sample and hash, reading in parallel. Files
 * that cannot be read get state set and are reported by on_bad. */
int rl__cands_group(struct rl__dedupe *d);
/* Open a candidate, checking it is still what the walk saw (inode, size,
 * mtime); else skipped (RL_SKIP_CHANGED) or failed, state 1: -errno. */
int rl__cand_open(struct rl__dedupe *d, struct rl__cand *f);

/* ranges.c: share [0, size) of dst with src by FIDEDUPERANGE, in pieces
 * the filesystem accepts. *done: bytes the kernel shared. 0 (all
 * shared), 1 (the kernel found bytes that differ: stopped there), or
 * -errno (-ECANCELED). */
int rl__dedupe_pair(int src, int dst, uint64_t size, uint64_t *done,
		    const volatile int *cancel);
/* Does the filesystem of fd dedupe at all? 0, RL_ECLONE_NOTSUP, -errno. */
int rl__dedupe_probe(int fd);

/* dedupe.c: one run. */
struct rl__dedupe {
	rl_share_options opts;  /* the caller's, full copy */
	unsigned int jobs;
	rl_dedupe_stats st;     /* under mu */
	pthread_mutex_t mu;     /* st and the callbacks, one at a time */
	struct rl__cands c;
	dev_t dev;              /* the first PATH's */
	uint64_t fsid;          /* ... and its statfs f_fsid */
	uint64_t block;         /* its block size (samples are blocks) */
	int dry_run;
	atomic_int stop;        /* on_error asked to stop, or out of memory */
	char *probe;            /* a file on the first PATH's fs, to probe */
	struct { dev_t dev; int same; } devs[16]; /* other st_dev: same fs? */
	unsigned int ndevs;
	long long next_progress;
	uint64_t done_bytes, total_bytes; /* for progress, under mu */
};
/* A file of the run is skipped (reason) or failed (err < 0): counted and
 * told to the callbacks. */
void rl__dedupe_skip(struct rl__dedupe *d, const char *path, int reason);
void rl__dedupe_fail(struct rl__dedupe *d, const char *path,
		     const char *other, int err);
/* Progress: add bytes done, report if 100 ms passed (_end: now). */
void rl__dedupe_progress(struct rl__dedupe *d, int phase, uint64_t add);
void rl__dedupe_progress_end(struct rl__dedupe *d, int phase);

/* Stats sizes by version (0: no such version). */
size_t rl__shared_stats_size(unsigned int version);
size_t rl__dedupe_stats_size(unsigned int version);
int rl__share_options_copy(rl_share_options *out, const rl_share_options *in);

#endif
