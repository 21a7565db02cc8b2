/* internal.h - private to libreflink; never installed. */
#ifndef RL_INTERNAL_H
#define RL_INTERNAL_H

#define RL_BUILDING 1
#include "reflink.h"

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* What one call learns once and every file it copies reuses. */
struct rl__env {
	int cfr_usable;  /* kernel >= 5.3: copy_file_range is trustworthy */
	int umask;       /* process umask, or -1 until needed and read */
	int no_clone;    /* AUTO: a clone just failed here: skip that step */
};
void rl__env_init(struct rl__env *env);
/* The process umask, read from /proc/self/status (umask(2) is not
 * thread-safe to query). Falls back to 022. */
mode_t rl__env_umask(struct rl__env *env);

/* Has the caller's cancel flag (NULL: none) been set? A relaxed load: the
 * flag carries no data, and it is read between steps of a copy. */
static inline int rl__cancel_set(const volatile int *flag)
{
	return flag && __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
}

/* Bytes moved so far, reported to the caller's callback as they move; the
 * caller's cancel flag, checked between steps. */
struct rl__count {
	uint64_t moved;
	uint64_t total;
	rl_bytes_cb cb;
	void *ctx;
	const volatile int *cancel;
	uint64_t step; /* bounded copy_file_range size (sparse.c), 0 at first */
};
void rl__count_add(struct rl__count *c, uint64_t n);
/* Does someone watch or may stop this copy? Then steps stay short. */
static inline int rl__count_bounded(const struct rl__count *c)
{
	return c->cb || c->cancel;
}

/* ladder.c: move all data of src into the empty dst, by the mode's ladder. */
int rl__copy_data(int src, int dst, const struct stat *st,
		  const rl_options *opts, const struct rl__env *env,
		  rl_result *res);
/* Does this failure mean "not possible here, try the next method"? */
int rl__can_fall_back(int err);

/* clone.c */
/* FICLONE of src into dst (size bytes); with a cancel flag and a large
 * file, in FICLONERANGE pieces checked between (one FICLONE where ranges
 * are refused). 0, -ECANCELED or the failed call's -errno. */
int rl__clone_file(int dst, int src, uint64_t size, struct rl__count *c);
/* Map a failed FICLONE errno to the RL_ECLONE_* reason, or keep a hard
 * error (EIO, ENOSPC...) as itself. */
int rl__clone_error(int err);

/* sparse.c: copy [0, st_size) of src into dst by segments of data, holes left
 * as holes. Uses copy_file_range when use_cfr, else pread/pwrite. Returns
 * 0, -errno, or RL_ECHANGED if src ended early. *moved counts bytes. */
int rl__copy_segments(int src, int dst, const struct stat *st, int use_cfr,
		      struct rl__count *c);
/* Copy up to EOF without trusting the size (procfs, sysfs). */
int rl__copy_stream(int src, int dst, struct rl__count *c);
/* pread/pwrite len bytes from src at soff to dst at doff. */
int rl__copy_bytes(int src, uint64_t soff, int dst, uint64_t doff,
		   uint64_t len, struct rl__count *c);
/* Is fd on a pseudo filesystem whose sizes lie (procfs, sysfs...)? */
int rl__is_pseudo_fs(int fd);

/* meta.c: apply the preserved metadata of st to the open dst. created_final:
 * dst was opened with rl__create_mode(), so a matching mode needs no chmod. */
int rl__meta_apply(int dst, int src, const struct stat *st,
		   unsigned int preserve, int created_final,
		   struct rl__env *env);
/* The permission bits a new file is created with (before umask). */
mode_t rl__create_mode(const struct stat *st, unsigned int preserve);

/* copy.c: give the unnamed (O_TMPFILE) file fd the name dirfd/name;
 * -EEXIST if taken. */
int rl__link_unnamed(int fd, int dirfd, const char *name);
/* copy.c: copy the open regular file src (stat st) to dst_dirfd/name. */
int rl__copy_into(int src, const struct stat *st, int dst_dirfd,
		  const char *name, const rl_options *opts,
		  struct rl__env *env, rl_result *res);

/* options.c */
int rl__options_check(const rl_options *opts);
/* The cancel flag, or NULL (always for a version-1 struct, which has none). */
const volatile int *rl__options_cancel(const rl_options *opts);
const volatile int *rl__tree_options_cancel(const rl_tree_options *opts);

#endif
