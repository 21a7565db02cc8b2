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

/* Bytes moved so far, reported to the caller's callback as they move. */
struct rl__count {
	uint64_t moved;
	uint64_t total;
	rl_bytes_cb cb;
	void *ctx;
};
void rl__count_add(struct rl__count *c, uint64_t n);

/* ladder.c: move all data of src into the empty dst, by the mode's ladder. */
int rl__copy_data(int src, int dst, const struct stat *st,
		  const rl_options *opts, const struct rl__env *env,
		  rl_result *res);
/* Does this failure mean "not possible here, try the next method"? */
int rl__can_fall_back(int err);

/* clone.c */
/* Map a failed FICLONE errno to the RL_ECLONE_* reason, or keep a hard
 * error (EIO, ENOSPC...) as itself. */
int rl__clone_error(int err);

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
 * dst was opened with rl__create_mode(), so a matching mode needs no chmod. */
int rl__meta_apply(int dst, int src, const struct stat *st,
		   unsigned int preserve, int created_final,
		   struct rl__env *env);
/* Internal preserve bit: an xattr the destination refuses fails, also
 * ENOTSUP (cp's explicit --preserve=xattr). */
#define RL__PRESERVE_XATTR_STRICT 0x100u
/* meta.c: owner, xattrs and times of the symlink sdir/src (lstat st) onto
 * the symlink ddir/name, never following either. */
int rl__symlink_meta(int sdir, const char *src, const struct stat *st,
		     int ddir, const char *name, unsigned int preserve);
/* The permission bits a new file is created with (before umask). */
mode_t rl__create_mode(const struct stat *st, unsigned int preserve);

/* copy.c: give the unnamed (O_TMPFILE) file fd the name dirfd/name;
 * -EEXIST if taken. */
int rl__link_unnamed(int fd, int dirfd, const char *name);
/* Asked before an existing destination (not a directory) is replaced:
 * ask returns 0 to replace it, nonzero to keep it. */
struct rl__guard {
	int (*ask)(void *ctx, const struct stat *existing);
	void *ctx;
};
/* copy.c: 0 to go on, RL_EREFUSED if the guard (may be NULL) says keep. */
int rl__guard_ask(const struct rl__guard *g, const struct stat *existing);
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

#endif
