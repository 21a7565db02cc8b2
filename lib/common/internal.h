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

/* fallback.c: the one "fall back or stop" table, for every path. */
/* Does this failure mean "not possible here, try the next method"? */
int rl__fallback_ok(int err);
/* clone.c */
/* FICLONE of src into dst (size bytes); with a cancel flag and a large
 * file, in FICLONERANGE pieces checked between (one FICLONE where ranges
 * are refused). 0, -ECANCELED or the failed call's -errno. */
int rl__clone_file(int dst, int src, uint64_t size, struct rl__count *c);
/* Map a failed FICLONE errno to the RL_ECLONE_* reason, or keep a hard
 * error (EIO, ENOSPC...) as itself. */
int rl__fallback_reason(int err);
/* Does this failed FICLONE (-errno) show that no file between these two
 * filesystems will clone? */
int rl__fallback_fs_never(int err);
/* The same for an RL_ECLONE_* reason (RL_ECLONE_XDEV, RL_ECLONE_NOTSUP). */
int rl__fallback_reason_fs(int reason);

/* sparse.c: copy [0, st_size) of src into dst by segments of data, holes left
 * as holes. Uses copy_file_range when use_cfr, else pread/pwrite. Returns
 * 0, -errno, or RL_ECHANGED if src ended early. *moved counts bytes. */
int rl__copy_segments(int src, int dst, const struct stat *st, int use_cfr,
		      struct rl__count *c);
/* As rl__copy_segments by pread/pwrite, and blocks of zeros in the data
 * left as holes too (--sparse=always). */
int rl__copy_zeros_as_holes(int src, int dst, const struct stat *st,
			    struct rl__count *c);
/* Read src from offset 0 to EOF and write it at dst's own position (a
 * FIFO or device that has no offsets to write at). */
int rl__copy_to_stream(int src, int dst, struct rl__count *c);
/* Copy up to EOF without trusting the size (procfs, sysfs). */
int rl__copy_stream(int src, int dst, struct rl__count *c);
/* pread/pwrite len bytes from src at soff to dst at doff. */
int rl__copy_bytes(int src, uint64_t soff, int dst, uint64_t doff,
		   uint64_t len, struct rl__count *c);
/* Is fd on a pseudo filesystem whose sizes lie (procfs, sysfs...)? */
int rl__is_pseudo_fs(int fd);

/* meta.c: apply the preserved metadata of st to the open dst. created_final:
 * dst was opened with rl__create_mode(), so a matching mode needs no chmod.
 * On failure *where (if not NULL) says which attribute (RL_STEP_OWNER...). */
int rl__meta_apply(int dst, int src, const struct stat *st,
		   unsigned int preserve, int created_final,
		   struct rl__env *env, rl_step *where);
/* Internal preserve bit: an xattr the destination refuses fails, also
 * ENOTSUP (cp's explicit --preserve=xattr). */
#define RL__PRESERVE_XATTR_STRICT 0x100u
/* meta.c: owner, xattrs and times of the symlink sdir/src (lstat st) onto
 * the symlink ddir/name, never following either. */
int rl__symlink_meta(int sdir, const char *src, const struct stat *st,
		     int ddir, const char *name, unsigned int preserve);
/* meta.c: what an existing regular dst dirfd/name (old) keeps in its
 * replacement dst when cp would write into it in place (RL_F_KEEP_MODE):
 * its owner and group, its permission bits and its xattrs and ACL, each
 * unless the source's are preserved. */
int rl__meta_keep_old(int dst, int dirfd, const char *name,
		      const struct stat *old, unsigned int preserve);
/* The permission bits a new file is created with (before umask). */
mode_t rl__create_mode(const struct stat *st, unsigned int preserve);

/* place.c: putting new entries in place (the file commit and the tree). */
#define RL__TMP_NAME_MAX 32
/* Call make(ctx, name) with fresh hidden names in tmp while it answers
 * -EEXIST, a bounded number of times: its answer (tmp "" on failure). */
int rl__place_temp(char tmp[RL__TMP_NAME_MAX],
		   int (*make)(void *ctx, const char *name), void *ctx);
/* Give the unnamed (O_TMPFILE) file fd the name dirfd/name; -EEXIST if
 * taken. */
int rl__place_unnamed(int fd, int dirfd, const char *name);
/* Rename dirfd/tmp over dirfd/name (no_clobber: -EEXIST if taken). */
int rl__place_rename(int dirfd, const char *tmp, const char *name,
		     int no_clobber);
/* Give the entry st's owner, by fd if fd >= 0, else dirfd/name (never
 * following a symlink): 1 done, 0 only partly (not root: the group if we
 * may, as cp), -errno. */
int rl__place_owner(int fd, int dirfd, const char *name, const struct stat *st);
/* The exact mode of st to give a copy; owned: its owner is the source's
 * (else setuid/setgid are dropped). */
mode_t rl__place_mode_of(const struct stat *st, int owned);
/* chmod by fd if fd >= 0, else dirfd/name (never following a symlink). */
int rl__place_mode(int fd, int dirfd, const char *name, mode_t mode);
/* Keep the existing dirfd/name also as dirfd/backup (a simple backup
 * there is replaced), while name still names it: 0 or -errno. */
int rl__place_backup(int dirfd, const char *name, const char *backup);
/* Make the directory dirfd/name for this run to fill (0700): 0 or -errno. */
int rl__place_mkdir(int dirfd, const char *name);
/* Give us rwx on the directory fd (stat st) if its mode denies them. */
int rl__place_dir_ours(int fd, const struct stat *st);
/* copy.c: an unnamed O_TMPFILE in dirfd (tmp[0] = 0), or, where the
 * filesystem has none (FUSE, NFS), a named one left in tmp. fd or -errno. */
int rl__make_temp(int dirfd, mode_t mode, char tmp[RL__TMP_NAME_MAX]);
/* Asked before an existing destination (not a directory) is replaced,
 * with its lstat and what replaces it: ask returns 0 to replace it (a
 * name written into backup, cap bytes, to keep it under; "" for none),
 * or a negative code for the entry: RL_EREFUSED, RL__SKIPPED (kept by
 * the caller's policy, no error), -EEXIST, -errno. */
struct rl__guard {
	int (*ask)(void *ctx, const struct stat *existing,
		   const struct stat *src, char *backup, size_t cap);
	void *ctx;
};
/* An existing entry kept on purpose: the tree counts it as skipped. Never
 * returned to a caller. */
#define RL__SKIPPED (RL_ERRNO_BASE - 90)
/* The longest backup name a guard may give (with its NUL). */
#define RL__NAME_CAP 256
/* itab.c: entries keyed by (device, inode), each embedding struct
 * rl__ikey as its first member; not locked (callers lock). */
struct rl__ikey {
	struct rl__ikey *next;
	dev_t dev;
	ino_t ino;
};
struct rl__itab {
	struct rl__ikey **tab;
	size_t cap, n;
};
/* The link holding (dev, ino)'s entry, or NULL: *slot is the entry. */
struct rl__ikey **rl__itab_find(const struct rl__itab *t, dev_t dev, ino_t ino);
/* Add k (dev and ino set, not yet in t): 0 or -ENOMEM. */
int rl__itab_add(struct rl__itab *t, struct rl__ikey *k);
/* Take out the entry *slot (from rl__itab_find). */
void rl__itab_remove(struct rl__itab *t, struct rl__ikey **slot);
/* fn(entry, ctx) for each (it may free it); then the table is empty. */
void rl__itab_clear(struct rl__itab *t, void (*fn)(struct rl__ikey *, void *),
		    void *ctx);

/* rl_result version 2: where the failed copy stopped (r < 0); r. */
static inline int rl__failed_at(rl_result *res, int r, rl_step step)
{
	if (r < 0 && res && res->version >= 2)
		res->failed_step = step;
	return r;
}
/* copy.c: the guard's answer (may be NULL: replace, no backup). */
int rl__guard_ask(const struct rl__guard *g, const struct stat *existing,
		  const struct stat *src, char backup[RL__NAME_CAP]);
/* copy.c: would replacing dirfd/name (its lstat dst) with a copy of src
 * destroy the source? src is what is copied (a symlink's own lstat when
 * copied as a link), target what a symlink src resolves to (NULL when
 * dangling). As cp's "are the same file". */
int rl__replaces_source(int dirfd, const char *name, const struct stat *dst,
			const struct stat *src, const struct stat *target);
/* copy.c: copy the open regular file src (stat st) to dst_dirfd/name;
 * guard (may be NULL) is asked before an existing name is replaced. */
int rl__copy_into(int src, const struct stat *st, int dst_dirfd,
		  const char *name, const rl_options *opts,
		  struct rl__env *env, const struct rl__guard *guard,
		  rl_result *res);

/* copy.c: RL_F_CONTENTS: the FIFO or device sfd (opened O_NONBLOCK, stat
 * st) read to its end into a new regular file dirfd/name, as
 * rl__copy_into (a FIFO's open waits for its writer, as cp's). */
int rl__copy_contents(int sfd, const struct stat *st, int dirfd,
		      const char *name, const rl_options *opts,
		      struct rl__env *env, const struct rl__guard *guard,
		      rl_result *res);

/* options.c */
int rl__options_check(const rl_options *opts);
/* A full copy of the caller's rl_options, fields past its version zeroed,
 * then checked: the library reads only the copy. 0 or -EINVAL. */
int rl__options_copy(rl_options *out, const rl_options *in);
/* The size of a version of rl_tree_options (0: no such version), and a
 * full copy of the caller's, fields past its version zeroed: the library
 * reads only the copy. 0 or -EINVAL. */
size_t rl__tree_options_size(unsigned int version);
int rl__tree_options_copy(rl_tree_options *out, const rl_tree_options *in);
/* The cancel flag, or NULL (always for a version-1 struct, which has none). */
const volatile int *rl__options_cancel(const rl_options *opts);
const volatile int *rl__tree_options_cancel(const rl_tree_options *opts);

#endif
