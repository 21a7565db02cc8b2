/* tree.h - private to the tree engine (every file of lib/tree): rl_copy_tree.
 *
 * Shape: every directory is a node holding its source and destination
 * directory fds. Workers take tasks from one LIFO queue: "read directory
 * N" or "handle this batch of N's entries". Entries are created relative
 * to the node's fds with O_NOFOLLOW, never through path strings. A node's
 * fds live in a bounded cache: when evicted they are reopened by name from
 * the parent's, checking device and inode, so deep trees do not need one
 * fd per level. A node counts the work left inside it (pending); when that
 * reaches zero its metadata is applied (after its contents) and its parent
 * is told. Everything is streamed: memory holds the directories in flight,
 * the hard-link table and the batches being handed between workers. */
#ifndef RL_TREE_H
#define RL_TREE_H

#include "../common/internal.h"

#include <dirent.h>
#include <string.h>
#include <stddef.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

/* RL_F_NOFOLLOW is not among them: below its root a tree never follows a
 * symlink unless RL_TREE_DEREF_ALL, so the flag could only mislead. */
#define RL_TREE_FLAGS_ (RL_F_NO_CLOBBER | RL_F_FSYNC | RL_TREE_DEREF_ALL | \
			RL_TREE_MERGE | RL_TREE_ATOMIC | RL_TREE_DELETE | RL_TREE_HARDLINK | \
			RL_TREE_SYMLINK | RL_TREE_ONE_FS | RL_TREE_KEEP_DIR_SYMLINK | \
			RL_TREE_FILE_FLAGS_)
/* The single-file flags a tree applies to each of its files, as cp -r. */
#define RL_TREE_FILE_FLAGS_ (RL_F_ATTR_ONLY | RL_F_KEEP_MODE | RL_F_DEFAULT_MODE | \
			     RL_F_CONTENTS)
#define RL_TREE_JOBS_MAX 256

/* A directory's metadata, kept small: many directories may wait at once. */
struct rl__dmeta {
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec atim, mtim;
};

/* One directory, in both trees. Fields are guarded by tree.nmu, except
 * name/parent (fixed) and what only the reading task touches before the
 * node is shared (identity, meta, fresh...). */
struct rl__tnode {
	struct rl__tnode *parent;    /* NULL for the root (and the top) */
	struct rl__tnode *lru_prev, *lru_next;
	int sfd, dfd;                /* -1 when closed (dfd always in a scan) */
	unsigned int pins;           /* users of the fds right now */
	unsigned int refs;           /* own life + children + link entries */
	unsigned int pending;        /* own read + batches + live children */
	unsigned long id;            /* unique per run: pointer reuse guard */
	dev_t sdev, ddev;
	ino_t sino, dino;
	uid_t duid;                  /* the destination directory's owner */
	gid_t dgid;                  /* ... and its group */
	gid_t new_gid;               /* the group new entries get in it */
	struct rl__dmeta meta;       /* the source directory's */
	unsigned char opened;        /* identity known: may be reopened */
	unsigned char fresh;         /* made by this run: entries are new */
	unsigned char failed;        /* not copied: no metadata, no report */
	unsigned char follow;        /* reached through a symlink (-L) */
	unsigned char pseudo;        /* source on procfs, sysfs...: sizes lie */
	unsigned char foreign;       /* -x: on another filesystem than the
				      * root: made, never read */
	unsigned char linked;        /* dst reached through a symlink of dst
	                              * (RL_TREE_KEEP_DIR_SYMLINK): not pruned */
	unsigned char step;          /* rl_step where opening the pair failed */
	char name[];                 /* in the parent; "" for the root */
};

/* A task on the queue: read node's directory (len 0) or handle the
 * len bytes of getdents records in buf. */
struct rl__task {
	struct rl__task *next;
	struct rl__tnode *node;
	size_t len;
	char buf[];
};

struct rl__link;
struct rl__links {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rl__itab tab;         /* of struct rl__link (links.c) */
};

/* An entry created in a directory that existed before the run, while in
 * RL_MODE_ALWAYS it is not yet known whether clones work (undo log). */
struct rl__created {
	struct rl__created *next;
	struct rl__tnode *dir;
	char name[];
};

/* The options, decoded once by tree.c: no other file reads
 * rl_tree_options. */
struct rl__cfg {
	rl_mode mode;
	unsigned int preserve;       /* RL_PRESERVE_* as asked */
	unsigned char deref;         /* RL_TREE_DEREF_ALL: follow every symlink */
	unsigned char merge;         /* RL_TREE_MERGE */
	unsigned char prune;         /* RL_TREE_DELETE */
	unsigned char links;         /* RL_PRESERVE_LINKS */
	unsigned char no_clobber;    /* RL_F_NO_CLOBBER (or a top entry, or
				      * RL_UPDATE_NONE*: the final link or
				      * rename decides, race-free) */
	rl_update update;            /* which existing entries are replaced */
	unsigned char link_src;      /* RL_TREE_HARDLINK or RL_TREE_SYMLINK:
				      * each non-directory a link to its
				      * source instead of a copy */
	unsigned char one_fs;        /* RL_TREE_ONE_FS */
	unsigned char dir_symlinks;  /* RL_TREE_KEEP_DIR_SYMLINK */
	unsigned char default_mode;  /* RL_F_DEFAULT_MODE: new dirs 0777 less
				      * the umask */
	unsigned int jobs;           /* worker threads, 1..RL_TREE_JOBS_MAX */
	unsigned int jobs_max;       /* up to this many while they block */
	const char *const *excludes; /* NULL-terminated globs, or NULL */
	rl_options fopts;            /* for each regular file */
};

/* queue.c: the work queue. */
struct rl__queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rl__task *tasks;      /* LIFO: depth first, fewer nodes live */
	unsigned int active;         /* tasks queued or running */
	atomic_uint idle;            /* workers waiting for a task */
};

/* node.c: the bounded cache of directory fds (and every node's counts). */
struct rl__cache {
	pthread_mutex_t mu;
	struct rl__tnode *lru_head, *lru_tail;
	unsigned int n_open, max_open;
	unsigned long next_id;
};

/* tally.c: statistics, and the error that stops the copy. */
struct rl__tally {
	pthread_mutex_t mu;
	rl_tree_stats stats;
	int fatal;                   /* the stop error, first wins */
	int prescanned;              /* totals come from the counting pass */
	atomic_int stop;             /* cancelled or fatal: wind down */
	atomic_ullong moving;        /* bytes moved of files not yet done */
};

/* report.c: the caller's callbacks, run one at a time. */
struct rl__report {
	pthread_mutex_t mu;
	rl_filter_cb filter;
	rl_entry_cb on_entry;
	rl_error_cb on_error;
	rl_fail_cb on_fail;
	rl_progress_cb on_progress;
	rl_replace_cb on_replace;
	rl_ask_cb on_ask;
	rl_backup_cb backup;
	rl_entry_cb on_skip;
	rl_delete_cb on_delete;
	void *ctx;
	atomic_llong next_progress;  /* CLOCK_MONOTONIC ns */
	/* The ticker: a thread reporting progress by time, so reports go on
	 * while every worker is inside one large file. */
	pthread_t ticker;
	pthread_mutex_t tick_mu;
	pthread_cond_t tick_cv;
	int ticking;                 /* the ticker runs (and should go on) */
};

/* undo.c: what RL_MODE_ALWAYS removes when clones cannot work. */
struct rl__undo {
	pthread_mutex_t mu;
	atomic_int on;               /* RL_MODE_ALWAYS, until forgotten */
	struct rl__created *created;
};

/* verdict.c: in RL_MODE_ALWAYS, do clones work at all; in any mode, do
 * they work between the two roots' filesystems. */
enum { RL__VERDICT_UNKNOWN = 0, RL__VERDICT_CLONES = 1, RL__VERDICT_FATAL = 2 };
enum { RL__CLONES_UNKNOWN = 0, RL__CLONES_WORK = 1, RL__CLONES_NEVER = 2 };
struct rl__verdict {
	int always;                  /* RL_MODE_ALWAYS */
	atomic_int verdict;          /* RL__VERDICT_*, always mode only */
	atomic_int clones;           /* RL__CLONES_*: between the roots' fs */
	dev_t src_dev, dst_dev;      /* the roots' devices (0: no pair) */
};

struct rl__crew;

/* One run. The fields before the parts are set by tree.c before any
 * worker starts and only read after; each part belongs to its file, and
 * other files reach it through that file's functions. */
struct rl__tree {
	struct rl__cfg cfg;
	struct rl__env env;          /* umask read before workers start */
	const char *src, *dst;       /* as given, for reports */
	const rl_tree_options *opts; /* the caller's (full copy), for the scan */
	struct rl__tree *totals;     /* a scan: whose totals it counts */
	const char *make_at;         /* where dst is made (publish: a stage) */
	int root_fresh;              /* make_at was made for this run */
	int scan;                    /* this tree only counts (for totals) */
	uid_t euid;
	gid_t egid;
	dev_t dst_dev;               /* the destination root: never walked */
	ino_t dst_ino;
	struct rl__tnode *root, *top;

	struct rl__crew *crew;       /* walk.c: the workers of the pass */
	struct rl__queue queue;
	struct rl__cache cache;
	struct rl__tally tally;
	struct rl__report report;
	struct rl__undo undo;
	struct rl__links links;
	struct rl__verdict verdict;
};

/* ring.c: a minimal io_uring, one per worker. */
struct io_uring_sqe;
struct io_uring_cqe;
struct rl__ring {
	int fd;
	unsigned int *sq_head, *sq_tail, *sq_array, *cq_head, *cq_tail;
	unsigned int sq_mask, cq_mask, entries;
	unsigned int queued, inflight; /* not yet submitted; not yet reaped */
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *sq_ptr, *cq_ptr;
	size_t sq_len, cq_len, sqes_len;
};
int rl__ring_init(struct rl__ring *r, unsigned int entries);
void rl__ring_fini(struct rl__ring *r);
/* Queue one operation (-EBUSY when the ring is full). */
int rl__ring_openat(struct rl__ring *r, int dirfd, const char *name,
		    int flags, mode_t mode, uint64_t data);
int rl__ring_close(struct rl__ring *r, int fd, uint64_t data);
/* Submit what is queued and reap until `want` completions came, each
 * passed to fn. 0 or -errno (then the ring is not to be used again). */
int rl__ring_run(struct rl__ring *r, unsigned int want,
		 void (*fn)(void *ctx, uint64_t data, int res), void *ctx);

/* batch.c: a directory's regular files, their sources opened and the
 * closes made through io_uring many at a time (the layout is batch.c's). */
#define RL__BATCH_MAX 16
struct rl__batch {
	struct rl__tnode *dir;
	unsigned int n, max;
	int ring_ok;                 /* 0 untried, 1 usable, -1 not here */
	int flushing;                /* no new members meanwhile */
	struct rl__ring ring;
	struct {
		const char *name;
		int sfd;
	} f[RL__BATCH_MAX];
};

/* pace.c: where a worker's time goes (its /proc/thread-self/schedstat:
 * on a CPU, waiting for one, or asleep), sampled every few ms, to tell a
 * worker waiting for the disk from one waiting for a CPU. */
struct rl__pace {
	int fd;                      /* the schedstat file, -1 if none */
	int io_fd;                   /* the io file, -1 if none */
	int64_t since_ns;            /* CLOCK_MONOTONIC at the last sample */
	int64_t run_ns, wait_ns;     /* on a CPU, runnable but off one: then */
	long long read_bytes;        /* read from a device by this thread: then */
};

/* Per worker thread. */
struct rl__worker {
	struct rl__tree *t;
	struct rl__pace pace;
	char *dents;                 /* getdents buffer */
	char *rel;                   /* relative path being built */
	size_t rel_cap, rel_len;
	const struct rl__tnode *rel_node;
	unsigned long rel_id;
	struct rl__batch *batch;     /* NULL: no batching */
};

/* One entry to create: names relative to the directory fds. */
struct rl__ent {
	struct rl__tnode *dir;
	int sdir, ddir;
	const char *name;            /* in the source directory */
	const char *dname;           /* in the destination (differs at the top) */
	int fresh;                   /* ddir was made by this run */
	int follow;                  /* -L: follow symlinks */
	unsigned int preserve;       /* RL_PRESERVE_* this entry still needs */
	int relink;                  /* made as a hard link of a copy already
				      * made (or kept): -u does not keep a
				      * newer entry from it, as cp */
	rl_step step;                /* where making a non-file failed */
	char *link;                  /* with step: the earlier copy a hard link
	                              * to it failed to be made to (malloc'd,
	                              * freed once the entry is reported) */
	struct stat st;
};

/* getdents64 records, read without assuming the buffer's alignment. */
static inline unsigned short rl__dent_len(const char *rec)
{
	unsigned short len;
	memcpy(&len, rec + offsetof(struct dirent64, d_reclen), sizeof len);
	return len;
}

static inline unsigned char rl__dent_type(const char *rec)
{
	return (unsigned char)rec[offsetof(struct dirent64, d_type)];
}

static inline const char *rl__dent_name(const char *rec)
{
	return rec + offsetof(struct dirent64, d_name);
}

/* "." or "..": in every listing, never an entry to copy or remove. */
static inline int rl__dent_dots(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

/* A directory listing's d_type as S_IFMT bits; 0 for DT_UNKNOWN (the
 * filesystem does not say: lstat it). */
static inline mode_t rl__dtype_mode(unsigned char dt)
{
	switch (dt) {
	case DT_REG: return S_IFREG;
	case DT_DIR: return S_IFDIR;
	case DT_LNK: return S_IFLNK;
	case DT_FIFO: return S_IFIFO;
	case DT_SOCK: return S_IFSOCK;
	case DT_CHR: return S_IFCHR;
	case DT_BLK: return S_IFBLK;
	default: return 0;
	}
}

/* Layering, top down (a file calls only files below it):
 *   tree.c -> walk.c -> entry.c -> make.c -> file.c
 *   walk.c, entry.c -> queue.c -> dir.c -> node.c
 *   entry.c, file.c -> batch.c -> ring.c;  make.c -> links.c -> node.c
 *   make.c -> memo.c (rl_links, through the public header); links.c,
 *   memo.c -> ../common/itab.c
 *   file.c, make.c -> policy.c -> report.c
 *   any -> verdict.c -> undo.c -> node.c, remove.c
 *   any -> match.c -> report.c -> tally.c, relpath.c
 *   walk.c -> delete.c -> remove.c, match.c, report.c
 *   walk.c -> pace.c */

/* pace.c: was the worker mostly asleep (not on a CPU, nor waiting for
 * one), reading from a device, since its last sample, PACE_NS ago at
 * least? 0 between samples and where the kernel has no schedstat or io
 * accounting. */
void rl__pace_init(struct rl__pace *p);
void rl__pace_fini(struct rl__pace *p);
int rl__pace_blocked(struct rl__pace *p);

/* node.c: nodes and the bounded cache of their fds. */
int rl__cache_init(struct rl__tree *t, unsigned int max_open);
void rl__cache_fini(struct rl__tree *t);
struct rl__tnode *rl__node_child(struct rl__tree *t, struct rl__tnode *parent,
				 const char *name);
/* Make n's fds usable (reopening if evicted) and keep them: 0 or -errno. */
int rl__node_acquire(struct rl__tree *t, struct rl__tnode *n);
void rl__node_release(struct rl__tree *t, struct rl__tnode *n);
/* Give the node freshly opened fds (pinned, as by acquire). */
void rl__node_install(struct rl__tree *t, struct rl__tnode *n, int sfd,
		      int dfd);
void rl__node_ref(struct rl__tree *t, struct rl__tnode *n);
void rl__node_unref(struct rl__tree *t, struct rl__tnode *n);
void rl__node_add_pending(struct rl__tree *t, struct rl__tnode *n);
/* One piece of n's work is over: the work left in n. */
unsigned int rl__node_pending_done(struct rl__tree *t, struct rl__tnode *n);
/* A pass that never ran: undo n's work and life of the pass. */
void rl__node_unused(struct rl__tree *t, struct rl__tnode *n);
/* p is about to be finished and its fds were evicted: climb to it from
 * its child c by "..", one open instead of a walk down from the root. */
void rl__node_reopen_up(struct rl__tree *t, struct rl__tnode *c,
			struct rl__tnode *p);

/* dir.c: a directory's life. */
/* Open c's source, make its copy: 0, 1 to leave it out silently, -errno. */
int rl__dir_open(struct rl__worker *w, struct rl__tnode *c);
/* One piece of n's work is over; at zero apply n's metadata, report it,
 * and tell its parent (and so on up). */
void rl__dir_done(struct rl__worker *w, struct rl__tnode *n);
/* The identity and metadata of an open source directory into n. */
void rl__dir_set_source(struct rl__tnode *n, const struct stat *st);
/* The identity of an open destination directory into n. */
void rl__dir_set_dest(struct rl__tree *t, struct rl__tnode *n,
		      const struct stat *st);

/* queue.c: the work queue. */
int rl__queue_init(struct rl__tree *t);
void rl__queue_fini(struct rl__tree *t);
void rl__queue_push(struct rl__tree *t, struct rl__task *k);
/* The next task, waiting for one while others run; NULL: the pass is over. */
struct rl__task *rl__queue_pop(struct rl__tree *t);
/* A popped task is finished. */
void rl__queue_task_over(struct rl__tree *t);
/* Is a worker waiting for a task (share a large directory with it)? */
int rl__queue_idle(struct rl__tree *t);
/* Are tasks queued that no worker has taken yet? */
int rl__queue_waiting(struct rl__tree *t);
/* Fail what is left on the queue (a one-entry copy): 1 if anything was. */
int rl__queue_drain(struct rl__worker *w);

/* walk.c: the workers, reading directories. */
/* Run one pass over the tree from t->root with cfg.jobs workers. */
int rl__walk_run(struct rl__tree *t);
int rl__walk_worker_init(struct rl__worker *w, struct rl__tree *t);
void rl__walk_worker_fini(struct rl__worker *w);

/* entry.c: one directory entry, sent where its kind is handled. */
void rl__entry_handle(struct rl__worker *w, struct rl__tnode *d,
		      const char *name, const char *dname, unsigned char dtype);
/* Make the files w's batch holds (their names must still be valid). */
void rl__entry_flush(struct rl__worker *w);

/* batch.c */
/* sfd of a batched file the batch did not open (made from its name). */
#define RL__BATCH_UNOPENED (-EALREADY)
/* A batch for one worker, or NULL (no batching under a tight fd limit). */
struct rl__batch *rl__batch_new(void);
void rl__batch_fini(struct rl__batch *b);
/* Can b take a file of d now: 1 yes, 0 no (copy it one by one), -1 not
 * until the files of another directory it holds are made. */
int rl__batch_room(struct rl__batch *b, const struct rl__tnode *d);
/* Take d/name (after rl__batch_room said 1): 1 when b is now full. */
int rl__batch_add(struct rl__batch *b, struct rl__tnode *d, const char *name);
/* Open the sources of what b holds into ents/sfds: how many. Until
 * rl__batch_end, closes go through the ring. */
unsigned int rl__batch_open(struct rl__batch *b, struct rl__ent *ents,
			    int *sfds);
void rl__batch_end(struct rl__batch *b);
/* Close fd: through b's ring while a batch is made (with the next). */
void rl__batch_close(struct rl__batch *b, int fd);

/* make.c: create one entry that is not a directory, e->st and
 * e->preserve filled (for regular files, sfd open on the source).
 * Returns 0, RL__LINKED when made as a hard link, or -errno / RL_E*. */
#define RL__LINKED 1
#define RL__RETYPE 2 /* the source turned out to be of another type */
int rl__make_entry(struct rl__worker *w, struct rl__ent *e, int sfd,
		   rl_result *res);

/* file.c: copy a regular file (sfd open, e->st its stat). */
int rl__file_copy(struct rl__worker *w, struct rl__ent *e, int sfd,
		  rl_result *res);

/* file.c: RL_F_CONTENTS: the FIFO or device e (e->st) read into a new
 * regular file, through the single-file engine. */
int rl__file_contents(struct rl__worker *w, struct rl__ent *e, rl_result *res);

/* links.c: the hard-link table (dev, ino) -> first copy. */
struct rl__linkref {
	struct rl__link *first;      /* set when the caller makes the first */
	struct rl__tnode *dir;       /* else: link to dir/name (dir ref'd) */
	char name[256];
};
int rl__links_init(struct rl__tree *t);
/* 1: make it, then rl__links_publish; 0: link to ref; -errno. */
int rl__links_claim(struct rl__tree *t, const struct stat *st,
		    struct rl__tnode *dir, const char *name,
		    struct rl__linkref *ref);
void rl__links_publish(struct rl__tree *t, struct rl__linkref *ref, int ok);
void rl__links_drop(struct rl__tree *t, struct rl__linkref *ref);
void rl__links_fini(struct rl__tree *t);

/* match.c: excludes and the filter. */
int rl__match_excluded(struct rl__worker *w, struct rl__tnode *d,
		       const char *name, int is_dir);
/* relpath.c: *buf grown to hold need bytes (*cap its size); 0 or
 * -ENOMEM, *buf kept as it was. */
int rl__path_room(char **buf, size_t *cap, size_t need);
/* relpath.c: d's path relative to the source root, plus "/name" unless NULL, in a
 * buffer of w (valid until the next call), or NULL without memory. */
const char *rl__relpath(struct rl__worker *w, const struct rl__tnode *d,
			const char *name);
/* Is dst, inside src at relative path rel, left out by the excludes or
 * filter? (Then copying src into it is allowed.) */
int rl__match_covers(struct rl__tree *t, const char *rel);

/* policy.c: what is asked before an existing entry of e goes (on_replace,
 * the update policy, on_ask, the backup name), as a guard for the
 * single-file engine and make.c alike. */
struct rl__asking {
	struct rl__guard guard;
	struct rl__worker *w;
	const struct rl__ent *e;
};
void rl__policy_guard(struct rl__worker *w, const struct rl__ent *e,
		      struct rl__asking *a);
/* The outcome r of making e as the policy names it: RL_UPDATE_NONE's
 * -EEXIST (a name taken, also in a race) is RL__SKIPPED. */
int rl__policy_outcome(const struct rl__tree *t, int r);

/* tally.c: statistics and the stop error. */
int rl__tally_init(struct rl__tree *t);
void rl__tally_fini(struct rl__tree *t);
/* Totals come from the counting pass (set before the workers start). */
/* A counting pass that the copy's end cut short counted only part of the
 * tree: the totals become what the copy did. */
void rl__tally_totals_done(struct rl__tree *t);
void rl__tally_prescanned(struct rl__tree *t);
/* Stop the copy with err (first stop wins). */
void rl__tally_stop(struct rl__tree *t, int err);
int rl__tally_stopped(struct rl__tree *t);
/* One entry failed with err. */
void rl__tally_fail(struct rl__tree *t, int err);
/* One existing entry kept by the update policy or on_ask. */
void rl__tally_skipped(struct rl__tree *t);
/* Pre-scan: one regular file of size bytes to come. */
void rl__tally_total(struct rl__tree *t, uint64_t size);
/* An entry made, as rl__report_done tells it. */
void rl__tally_done(struct rl__tree *t, const struct rl__tnode *d,
		    const struct stat *st, const rl_result *res, int linked);
/* One entry removed by RL_TREE_DELETE. */
void rl__tally_deleted(struct rl__tree *t);
/* The stats so far; bytes include those moved of files not yet done. */
void rl__tally_snapshot(struct rl__tree *t, rl_tree_stats *out);
/* Bytes of a file being copied: add moved, take off done (its total,
 * once it is counted as finished, or failed). */
void rl__tally_moving(struct rl__tree *t, uint64_t moved, uint64_t done);
/* What rl_copy_tree returns for a run that ran: the stop error,
 * RL_EPARTIAL, or 0. */
int rl__tally_result(struct rl__tree *t);
/* The stats into the caller's struct, as much as its version holds. */
void rl__tally_out(struct rl__tree *t, rl_tree_stats *out);

/* report.c: the caller's callbacks. */
int rl__report_init(struct rl__tree *t, const rl_tree_options *o);
void rl__report_fini(struct rl__tree *t);
int rl__report_wants_progress(const struct rl__tree *t);
int rl__report_filters(const struct rl__tree *t);
/* The caller's filter: nonzero to leave the entry out. */
int rl__report_filter(struct rl__tree *t, const char *rel, const char *name,
		      int is_dir);
/* The entry d/name (name NULL: d itself) failed at step; type is the
 * source entry's S_IFMT, 0 when unknown. */
void rl__report_fail(struct rl__worker *w, struct rl__tnode *d,
		     const char *name, int err, rl_step step, mode_t type);
/* The same for an entry being made, e->step and e->link telling where. */
void rl__report_fail_ent(struct rl__worker *w, struct rl__ent *e, int err,
			 const rl_result *res);
/* An entry made (st NULL: the directory d itself, finished); linked: as
 * a hard link to an earlier copy. */
void rl__report_done(struct rl__worker *w, struct rl__tnode *d,
		     const char *name, const struct stat *st,
		     const rl_result *res, int linked);
/* Before an existing entry goes: may it (on_replace: 0 yes)? Is it to be
 * replaced (on_ask, asked by dst path: 0 yes)? Under which backup name
 * (the backup callback: 1 a name in name, 0 none, -errno)? Without the
 * callback: yes, yes, none. */
int rl__report_replace(struct rl__tree *t, const struct stat *old);
int rl__report_ask(struct rl__worker *w, const struct rl__ent *e);
int rl__report_backup(struct rl__worker *w, const struct rl__ent *e,
		      char *name, size_t cap);
/* An existing entry kept by the policy: counted, on_skip told. */
void rl__report_skipped(struct rl__worker *w, struct rl__tnode *d,
			const char *name, const struct stat *st);
/* RL_TREE_DELETE removed the entry rel (relative to dst), or could not
 * (err, passed to on_error with no source). */
void rl__report_removed(struct rl__tree *t, const char *rel, mode_t type);
void rl__report_unremoved(struct rl__tree *t, const char *rel, int err);
/* on_progress at most every 100 ms (force: now, the final report). */
void rl__report_progress(struct rl__tree *t, int force);
/* Report progress every ~100 ms from a thread of its own until stopped
 * (nothing without on_progress); stop ends with a last report. */
void rl__report_ticker_start(struct rl__tree *t);
void rl__report_ticker_stop(struct rl__tree *t);

/* verdict.c: what the run learns about clones. */
void rl__verdict_init(struct rl__tree *t);
void rl__verdict_roots(struct rl__tree *t, dev_t src, dev_t dst);
/* Did always mode find that clones cannot work (and stop the copy)? */
int rl__verdict_fatal(struct rl__tree *t);
/* A regular file's copy ended with r: in RL_MODE_ALWAYS the first result
 * decides whether clones work at all. 1 if r is the fatal stop. */
int rl__verdict_file(struct rl__tree *t, int r, const rl_result *res);
/* Is e between the roots' filesystems, which are known never to clone? */
int rl__verdict_clones_never(struct rl__tree *t, const struct rl__ent *e);
/* A clone of e was tried and gave r: learn from it. */
void rl__verdict_clone_seen(struct rl__tree *t, const struct rl__ent *e, int r);

/* tree.c: copy src to make_at, reporting paths under dst; root_fresh:
 * make_at is an empty directory made for this copy (treated as new). */
int rl__tree_copy(const char *src, const char *make_at, const char *dst,
		  const rl_tree_options *opts, rl_tree_stats *stats,
		  int root_fresh);
/* publish.c: RL_TREE_ATOMIC: build the tree beside dst, swap it in. */
int rl__publish(const char *src, const char *dst, const rl_tree_options *o,
		rl_tree_stats *stats);

/* undo.c: what RL_MODE_ALWAYS removes when clones cannot work. */
int rl__undo_init(struct rl__tree *t);
void rl__undo_fini(struct rl__tree *t);

void rl__undo_note(struct rl__tree *t, struct rl__tnode *dir,
		   const char *name);
void rl__undo_run(struct rl__tree *t);
/* Drop the log and log nothing more (clones work, or the run is over). */
void rl__undo_forget(struct rl__tree *t);

/* remove.c: remove dirfd/name and all below it, relative to fds, never
 * following a symlink nor leaving dirfd's filesystem: 0 (also when it is
 * gone already) or the first -errno. */
int rl__remove_tree(int dirfd, const char *name);
/* What a removal tells as it goes (each optional): rel is the entry's
 * path from dirfd; type its S_IFMT bits (S_IFDIR for a directory, told
 * after its contents; 0 when the filesystem does not say). A failed
 * entry is told once, and the directories holding it are kept untold. */
struct rl__rm_cb {
	void (*gone)(void *ctx, const char *rel, mode_t type);
	void (*fail)(void *ctx, const char *rel, int err);
	int (*stop)(void *ctx);      /* nonzero: leave the rest (cancelled) */
	void *ctx;
};
/* Remove dirfd/name whatever it is (type: what it was seen as, 0 if not
 * known), a directory with all below it: 0 or the first -errno. */
int rl__remove_entry(int dirfd, const char *name, mode_t type,
		     const struct rl__rm_cb *cb);

/* delete.c: RL_TREE_DELETE. */
/* In d, a directory that was there before the run, remove each entry
 * with no counterpart in d's source, or of another kind (a directory
 * against a non-directory), unless excluded. Before d's entries are made. */
void rl__delete_extra(struct rl__worker *w, struct rl__tnode *d);
/* May src (real path s) be copied into dst (real path d) with
 * RL_TREE_DELETE? RL_EINSIDE when s lies inside d and no exclude or
 * filter keeps it: the removal would reach the source. */
int rl__delete_check(struct rl__tree *t, const char *s, const char *d);

#endif
