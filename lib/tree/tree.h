/* tree.h - private to the tree engine (lib/tree*.c): rl_copy_tree.
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

#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#define RL_TREE_FLAGS_ (RL_F_ALL_ | RL_TREE_DEREF_ALL | RL_TREE_MERGE)
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
	struct rl__link **tab;
	size_t cap, n;
};

/* An entry created in a directory that existed before the run, while in
 * RL_MODE_ALWAYS it is not yet known whether clones work (undo log). */
struct rl__created {
	struct rl__created *next;
	struct rl__tnode *dir;
	char name[];
};

enum { RL__VERDICT_UNKNOWN = 0, RL__VERDICT_CLONES = 1, RL__VERDICT_FATAL = 2 };
enum { RL__CLONES_UNKNOWN = 0, RL__CLONES_WORK = 1, RL__CLONES_NEVER = 2 };

struct rl__tree {
	const rl_tree_options *o;
	rl_options fopts;            /* for each regular file */
	struct rl__env env;          /* umask read before workers start */
	const char *src, *dst;       /* as given, for reports */
	unsigned int jobs;
	int scan;                    /* this pass only counts (pre-scan) */
	int prescanned;              /* totals come from a pre-scan */
	uid_t euid;
	gid_t egid;
	dev_t dst_dev;               /* the destination root: never walked */
	ino_t dst_ino;

	pthread_mutex_t qmu;
	pthread_cond_t qcv;
	struct rl__task *tasks;      /* LIFO: depth first, fewer nodes live */
	unsigned int active;         /* tasks queued or running */
	atomic_uint idle;            /* workers waiting for a task */
	atomic_int stop;             /* cancelled or fatal: wind down */

	pthread_mutex_t nmu;
	struct rl__tnode *lru_head, *lru_tail;
	unsigned int n_open, max_open;
	unsigned long next_id;
	struct rl__tnode *root, *top;

	pthread_mutex_t smu;
	rl_tree_stats stats;
	int first_err, first_clone_err, fatal;

	pthread_mutex_t cbmu;        /* callbacks run one at a time */
	atomic_llong next_progress;  /* CLOCK_MONOTONIC ns */

	struct rl__links links;

	atomic_int verdict;          /* RL__VERDICT_*, RL_MODE_ALWAYS only */
	atomic_int clones;           /* RL__CLONES_*: between the roots' fs */
	dev_t src_dev;               /* the source root's device */
	pthread_mutex_t logmu;
	struct rl__created *created;
};

/* tree_ring.c: a minimal io_uring, one per worker. */
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

/* tree_batch.c: a directory's regular files, their sources opened and
 * the closes made through io_uring many at a time. */
#define RL__BATCH_MAX 16
struct rl__batch {
	struct rl__tnode *dir;
	unsigned int n, max;         /* max 0: batching off for this worker */
	int ring_ok;                 /* 0 untried, 1 usable, -1 not here */
	int flushing;                /* no new members meanwhile */
	struct rl__ring ring;
	struct {
		const char *name;
		int sfd;
	} f[RL__BATCH_MAX];
};

/* Per worker thread. */
struct rl__worker {
	struct rl__tree *t;
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
	struct stat st;
};

/* tree_node.c: nodes and the bounded cache of their fds. */
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
/* One piece of n's work is over; finish n (and ancestors) at zero. */
void rl__node_done(struct rl__worker *w, struct rl__tnode *n);
void rl__cache_init(struct rl__tree *t);

/* tree_dir.c: a directory's life. */
/* Open c's source, make its copy: 0, 1 to leave it out silently, -errno. */
int rl__dir_open(struct rl__worker *w, struct rl__tnode *c);
/* Apply c's metadata and report it, all contents being done. */
void rl__dir_finish(struct rl__worker *w, struct rl__tnode *c);
/* The identity and metadata of an open source directory into n. */
void rl__dir_set_source(struct rl__tnode *n, const struct stat *st);
/* The identity of an open destination directory into n. */
void rl__dir_set_dest(struct rl__tree *t, struct rl__tnode *n,
		      const struct stat *st);

/* tree_walk.c: the queue, the workers, reading directories. */
void rl__walk_push(struct rl__tree *t, struct rl__task *k);
/* Run one pass over the tree from t->root with t->jobs workers. */
int rl__walk_run(struct rl__tree *t);
/* Copy one entry of directory d (dname its name in the destination). */
void rl__walk_entry(struct rl__worker *w, struct rl__tnode *d,
		    const char *name, const char *dname, unsigned char dtype);
int rl__worker_init(struct rl__worker *w, struct rl__tree *t);
void rl__worker_fini(struct rl__worker *w);

/* tree_batch.c */
/* Take the regular file d/name into w's batch: 1 taken, 0 not for a
 * batch (copy it one by one). */
int rl__batch_add(struct rl__worker *w, struct rl__tnode *d, const char *name);
/* Copy what the batch holds (its names must still be valid). */
void rl__batch_flush(struct rl__worker *w);
void rl__batch_init(struct rl__worker *w);
void rl__batch_fini(struct rl__worker *w);
/* Close fd: through w's ring while a batch is made (with the next). */
void rl__worker_close(struct rl__worker *w, int fd);

/* tree_entry.c: create one entry that is not a directory, e->st filled
 * (for regular files, sfd open on the source). Returns 0, RL__LINKED when
 * made as a hard link, RL__RETYPE when the source turned out to be of
 * another type (e->st then tells which), or -errno / RL_E*. */
#define RL__LINKED 1
#define RL__RETYPE 2
int rl__entry_make(struct rl__worker *w, struct rl__ent *e, int sfd,
		   rl_result *res);
/* The outcome r of making a non-directory e: verdict, stats, callbacks. */
void rl__entry_report(struct rl__worker *w, struct rl__ent *e, int r,
		      const rl_result *res);
/* Open a regular file's source and stat it into e->st: 0 with *sfd
 * open, RL__RETYPE (e->st says what it is now) or -errno. */
int rl__entry_open(struct rl__ent *e, int *sfd);
/* Ownership to preserve for a new entry in e->dir, or 0 if already right. */
unsigned int rl__entry_preserve(const struct rl__tree *t,
				const struct rl__ent *e);

/* tree_file.c: copy a regular file (sfd open, e->st its stat). */
int rl__tree_file(struct rl__worker *w, struct rl__ent *e, int sfd,
		  rl_result *res);

/* tree_links.c: the hard-link table (dev, ino) -> first copy. */
struct rl__linkref {
	struct rl__link *first;      /* set when the caller makes the first */
	struct rl__tnode *dir;       /* else: link to dir/name (dir ref'd) */
	char name[256];
};
int rl__links_init(struct rl__links *l);
/* 1: make it, then rl__links_publish; 0: link to ref; -errno. */
int rl__links_claim(struct rl__tree *t, const struct stat *st,
		    struct rl__tnode *dir, const char *name,
		    struct rl__linkref *ref);
void rl__links_publish(struct rl__tree *t, struct rl__linkref *ref, int ok);
void rl__links_drop(struct rl__tree *t, struct rl__linkref *ref);
void rl__links_fini(struct rl__tree *t);

/* tree_match.c: excludes, filter and relative paths. */
int rl__excluded(struct rl__worker *w, struct rl__tnode *d, const char *name,
		 int is_dir);
/* d's path relative to the source root, plus "/name" unless NULL, in a
 * buffer of w (valid until the next call), or NULL without memory. */
const char *rl__relpath(struct rl__worker *w, const struct rl__tnode *d,
			const char *name);
/* Is dst, inside src at relative path rel, left out by the excludes or
 * filter? (Then copying src into it is allowed.) */
int rl__excludes_cover(const rl_tree_options *o, const char *rel);

/* tree_report.c: statistics, errors and callbacks. */
void rl__report_fail(struct rl__worker *w, struct rl__tnode *d,
		     const char *name, int err);
/* An entry made (st NULL: the directory d itself, finished); linked: as
 * a hard link to an earlier copy. */
void rl__report_done(struct rl__worker *w, struct rl__tnode *d,
		     const char *name, const struct stat *st,
		     const rl_result *res, int linked);
/* on_progress at most every 100 ms (force: now, the final report). */
void rl__report_progress(struct rl__tree *t, int force);
void rl__report_start(struct rl__tree *t);
/* Stop the copy with err (first stop wins). */
void rl__tree_stop(struct rl__tree *t, int err);
/* Nonzero once stopped, the caller's cancel flag included. */
int rl__tree_stopping(struct rl__tree *t);
/* A regular file's copy ended with r: in RL_MODE_ALWAYS the first result
 * decides whether clones work at all. 1 if r is the fatal stop. */
int rl__tree_verdict(struct rl__tree *t, int r, const rl_result *res);

/* tree_undo.c: what RL_MODE_ALWAYS removes when clones cannot work. */
void rl__undo_note(struct rl__tree *t, struct rl__tnode *dir,
		   const char *name);
void rl__undo_run(struct rl__tree *t);
void rl__undo_forget(struct rl__tree *t);
/* Remove dirfd/name and all below it, relative to fds: 0 or -errno. */
int rl__remove_tree(int dirfd, const char *name);

#endif
