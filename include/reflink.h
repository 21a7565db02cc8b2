/*
 * reflink.h - libreflink: clone or copy files, byte ranges and trees on Linux.
 *
 * A copy runs in one of three modes:
 *   RL_MODE_ALWAYS  clone (FICLONE) or fail with an RL_ECLONE_* error;
 *   RL_MODE_AUTO    clone, else copy_file_range(2), else a sparse-aware
 *                   read/write copy;
 *   RL_MODE_NEVER   a real copy that shares no extents with the source.
 *
 * Conventions (every function):
 *   - returns 0 on success or a negative error: -errno, or one of the
 *     library's own codes below (RL_E*), all in [RL_ERRNO_BASE - 99,
 *     RL_ERRNO_BASE]; rl_strerror() describes any of them;
 *   - keeps no global state, never prints, never exits, and is safe to call
 *     from several threads at once on different files;
 *   - takes options as a struct whose first field is its version, so the
 *     struct can grow without breaking callers built against an older header.
 *     Initialise it with the matching *_INIT macro or *_init() function.
 *     Unknown flag bits are rejected with -EINVAL.
 */
#ifndef REFLINK_H
#define REFLINK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RL_VERSION_MAJOR 0
#define RL_VERSION_MINOR 2
#define RL_VERSION_PATCH 0
#define RL_VERSION_STRING "0.2.0"

#if defined(RL_BUILDING) && defined(__GNUC__)
#define RL_EXTERN __attribute__((visibility("default")))
#else
#define RL_EXTERN
#endif

/* --- Errors ------------------------------------------------------------ */

/* Library-only codes live far below any errno value. */
#define RL_ERRNO_BASE (-10000)
/* A clone was required (RL_MODE_ALWAYS) and is impossible here: */
#define RL_ECLONE_XDEV   (RL_ERRNO_BASE - 1) /* source and dest on different filesystems */
#define RL_ECLONE_NOTSUP (RL_ERRNO_BASE - 2) /* the filesystem cannot clone */
#define RL_ECLONE_INVAL  (RL_ERRNO_BASE - 3) /* this file or range cannot be cloned */
#define RL_ECLONE_DENIED (RL_ERRNO_BASE - 4) /* the kernel refused (EPERM/EACCES) */
#define RL_ECLONE_BUSY   (RL_ERRNO_BASE - 5) /* source is an active swap file */
/* Other library errors: */
#define RL_ESAMEFILE     (RL_ERRNO_BASE - 10) /* source and dest are the same file */
#define RL_ENOTREGULAR   (RL_ERRNO_BASE - 11) /* source is a FIFO, socket or device */
#define RL_ECHANGED      (RL_ERRNO_BASE - 12) /* source changed size during the copy */
#define RL_EINSIDE       (RL_ERRNO_BASE - 13) /* dest lies inside the source tree */
#define RL_EPARTIAL      (RL_ERRNO_BASE - 14) /* rl_copy_tree: some entries failed,
						  each one passed to on_error */
#define RL_EREFUSED      (RL_ERRNO_BASE - 15) /* on_replace kept the existing dest */

/* A human-readable description of any code this library returns (also of
 * plain -errno values). Never NULL; the string is static. Thread-safe. */
RL_EXTERN const char *rl_strerror(int err);

/* Nonzero if err says "a clone was required and is impossible here"
 * (one of RL_ECLONE_*), as opposed to any other failure. */
RL_EXTERN int rl_is_clone_impossible(int err);

/* --- Modes, methods and options ---------------------------------------- */

typedef enum rl_mode {
	RL_MODE_AUTO = 0,
	RL_MODE_ALWAYS = 1,
	RL_MODE_NEVER = 2
} rl_mode;

/* Which mechanism moved the data. */
typedef enum rl_method {
	RL_METHOD_NONE = 0,       /* nothing to move (empty file) */
	RL_METHOD_CLONE = 1,      /* FICLONE / FICLONERANGE: extents shared */
	RL_METHOD_COPY_RANGE = 2, /* copy_file_range(2) (may share extents) */
	RL_METHOD_READ_WRITE = 3, /* read(2)/write(2) through user space */
	RL_METHOD_COUNT_ = 4
} rl_method;
/* Room for methods in public structs (rl_tree_stats.by_method): a method
 * added later takes a free slot, so the layout does not change. */
#define RL_METHOD_MAX 8

/* Name of a method: "none", "clone", "copy_file_range", "read_write". */
RL_EXTERN const char *rl_method_name(rl_method m);

/* rl_options.flags */
#define RL_F_NO_CLOBBER  0x01u /* fail with -EEXIST if dest exists (race-free) */
#define RL_F_NOFOLLOW    0x02u /* a symlink source is copied as a symlink
				* (single files only: rl_copy_tree rejects it,
				* a tree never follows a symlink below its root
				* unless RL_TREE_DEREF_ALL) */
#define RL_F_FSYNC       0x04u /* fsync data before it is put in place */
#define RL_F_ALL_        0x07u /* the flags rl_copy_tree accepts too */
/* Like cp's options. RL_F_ATTR_ONLY, RL_F_KEEP_MODE, RL_F_DEFAULT_MODE and
 * RL_F_CONTENTS apply to each entry of rl_copy_tree too, as cp -r applies
 * them (RL_F_DEFAULT_MODE: new directories get 0777 less the umask;
 * RL_F_CONTENTS: FIFOs and devices inside the tree are read into regular
 * files, counted as files); the others are single-file only
 * (rl_copy_file, rl_copy_fileat), and rl_copy_tree refuses them: */
#define RL_F_ATTR_ONLY   0x08u /* copy no data: a new dst is empty, an existing
                                * one keeps its data; metadata applied (a
                                * symlink src onto an existing dst: -EEXIST,
                                * unless RL_F_REPLACE_SPECIAL) */
#define RL_F_KEEP_MODE   0x10u /* an existing regular dst's own permission
                                * bits, owner and group, ACL and xattrs are
                                * given to its replacement, each unless the
                                * source's are preserved (cp's rule: cp
                                * writes into it; not root, the new file
                                * stays the caller's own) */
#define RL_F_INTO_SPECIAL 0x20u /* an existing FIFO or device dst is opened
                                * and written into (not atomic: it cannot be) */
#define RL_F_REPLACE_SPECIAL 0x40u /* an existing FIFO, socket or device dst
                                * is replaced by the copy */
#define RL_F_XATTR_STRICT 0x80u /* an xattr dst refuses fails the copy, even
                                * where the filesystem has none (ENOTSUP) */
#define RL_F_DEFAULT_MODE 0x1000u /* a new dst gets 0666 less the umask,
                                * not the source's bits (cp --no-preserve=mode) */
#define RL_F_CONTENTS    0x2000u /* a FIFO or device src is read to its end
                                * into a new regular file (cp --copy-contents);
                                * otherwise refused with RL_ENOTREGULAR */
#define RL_F_SAME_OK   0x40000u /* the caller has judged "same file" itself
                                * (cp's rules for --backup and
                                * --remove-destination): an existing dst that
                                * is src, or a symlink naming it, is replaced
                                * (kept as backup if asked) instead of
                                * refused with RL_ESAMEFILE */
#define RL_F_FILE_ALL_  0x430ffu /* (0x100-0x800, 0x4000-0x20000: the tree's
                                * RL_TREE_*) */

/* rl_options.preserve: like cp's --preserve */
#define RL_PRESERVE_MODE       0x01u /* exact permission bits, umask ignored */
#define RL_PRESERVE_OWNERSHIP  0x02u /* owner and group (setuid/setgid kept) */
#define RL_PRESERVE_TIMESTAMPS 0x04u /* access and modification times */
#define RL_PRESERVE_XATTR      0x08u /* extended attributes */
#define RL_PRESERVE_LINKS      0x10u /* hard links within a tree (rl_copy_tree
				       * only: the single-file calls reject it) */
#define RL_PRESERVE_ALL        0x1fu

/* Progress of one file's data: bytes moved so far of total (the source's
 * size; 0 when unknown). Called from the copying thread as data moves. */
typedef void (*rl_bytes_cb)(void *ctx, uint64_t done, uint64_t total);

/*
 * Cancellation (version 2 of rl_options and rl_tree_options): cancel points
 * at an int the caller owns, 0 while the copy should go on. Once it becomes
 * nonzero (an atomic store from another thread, e.g.
 * __atomic_store_n(&flag, 1, __ATOMIC_RELAXED), or a store to a
 * volatile sig_atomic_t from a signal handler), the running rl_copy_file,
 * rl_copy_fileat, rl_copy_fd, rl_clone_range2 or rl_copy_tree returns
 * -ECANCELED within about 100 ms; a flag already set makes them return
 * -ECANCELED before anything is written. Nothing partial is left:
 *   - rl_copy_file(at): dst is as it was (absent, or its old content); the
 *     temporary is dropped, no debris;
 *   - rl_copy_fd: dst_fd is truncated back to empty;
 *   - rl_clone_range2: [dst_off, dst_off + len) may hold part of the new
 *     data (a range has no old state kept to go back to);
 *   - rl_copy_tree: files finished before the stop stay, each whole; no
 *     file is seen partial, no temporary remains, and an RL_MODE_ALWAYS
 *     copy removes nothing it made (cancelling is not a failed clone).
 * The flag is only read, never reset: the caller clears it before reuse.
 * So that one step takes at most ~50 ms when cancel (or on_bytes) is set,
 * copy_file_range and read/write move data in bounded chunks (sized by
 * how fast the last ones went), and a clone of a file over 1 GiB is made
 * in 1 GiB FICLONERANGE pieces (one FICLONE where the filesystem refuses
 * ranges). A clone of data not yet written back first waits for that
 * writeback, which is the disk's time. Version-1 structs have no cancel
 * field: it is never read (nor cleared by rl_options_init(o, 1)).
 */

/* Holes, as cp's --sparse=WHEN. */
typedef enum rl_sparse {
	RL_SPARSE_AUTO = 0,   /* the source's holes stay holes */
	RL_SPARSE_ALWAYS = 1, /* also runs of zeros become holes (a byte copy
	                       * reads the data; a clone keeps the layout) */
	RL_SPARSE_NEVER = 2   /* no holes, no shared extents: every byte is
	                       * written (as cp 9.4: implies RL_MODE_NEVER's data) */
} rl_sparse;

/* Version 2 added cancel, sparse and backup; a version-1 caller's struct ends
 * before them, and the library reads no field past the caller's version. */
#define RL_OPTIONS_VERSION 2
typedef struct rl_options {
	unsigned int version;  /* RL_OPTIONS_VERSION */
	rl_mode mode;          /* default RL_MODE_AUTO */
	unsigned int flags;    /* RL_F_* */
	unsigned int preserve; /* RL_PRESERVE_* */
	rl_bytes_cb on_bytes;  /* optional progress callback, called at least
				  every 250 ms while data moves, and after
				  the last bytes */
	void *ctx;             /* passed to on_bytes */
	/* version 2 (cancel: every call; sparse, backup: single files;
	 * rl_copy_tree has its own in rl_tree_options version 3) */
	const volatile int *cancel; /* optional: see "Cancellation" above */
	rl_sparse sparse;      /* default RL_SPARSE_AUTO */
	const char *backup;    /* NULL, or a name (no '/') in dst's directory:
	                        * an existing dst is kept under it, made only
	                        * once the copy is complete, and dst's name is
	                        * never absent meanwhile */
} rl_options;
#define RL_OPTIONS_INIT { RL_OPTIONS_VERSION, RL_MODE_AUTO, 0, 0, NULL, NULL, \
			  NULL, RL_SPARSE_AUTO, NULL }

/* Fill *opts with defaults for the given version. Returns 0 or -EINVAL. */
RL_EXTERN int rl_options_init(rl_options *opts, unsigned int version);

/* What a copy did. The calls add to the byte counts and never clear
 * them: initialise with RL_RESULT_INIT before the first call, and one
 * rl_result passed to several calls totals them. method is set by each
 * call that succeeds: after rl_copy_file/rl_copy_fd it is the method of
 * the last successful call; rl_clone_range keeps
 * RL_METHOD_CLONE once any piece was cloned, else the first method that
 * moved a piece. After a failed call the counts may include what moved
 * before the failure. */
/* Where a failed rl_copy_file or rl_copy_fileat stopped (rl_result
 * version 2), so that a caller can say it in its own words (cp: "cannot
 * open 'a' for reading", "cannot create regular file 'b'"). */
typedef enum rl_step {
	RL_STEP_NONE = 0,   /* the call succeeded */
	RL_STEP_SOURCE,     /* opening the source, or reading its status */
	RL_STEP_CREATE,     /* dst's directory, what dst names now, or making
	                     * the new file (or symlink) in that directory */
	RL_STEP_DATA,       /* moving the bytes (reading or writing) */
	RL_STEP_META,       /* setting the attributes asked for */
	RL_STEP_PLACE,      /* putting the finished file in place (the backup,
	                     * the final link or rename) */
	/* Which attribute, where the library knows it, instead of META
	 * (cp: "failed to preserve ownership for 'b'"): */
	RL_STEP_OWNER,      /* the owner and group */
	RL_STEP_MODE,       /* the permission bits (and access ACL) */
	RL_STEP_TIMES,      /* the access and modification times */
	RL_STEP_XATTR,      /* the extended attributes */
} rl_step;

/* Version 2 added failed_step; a version-1 caller's struct ends before it
 * and is never written past. */
#define RL_RESULT_VERSION 2
typedef struct rl_result {
	unsigned int version;  /* RL_RESULT_VERSION, set by the caller */
	rl_method method;      /* the method that did the work (see above) */
	uint64_t bytes;        /* logical size of the file(s): added to */
	uint64_t cloned_bytes; /* bytes shared by clone: added to */
	uint64_t copied_bytes; /* bytes written by copy_file_range or write: added to */
	/* version 2 */
	rl_step failed_step;   /* set by rl_copy_file and rl_copy_fileat:
	                        * RL_STEP_NONE, or where the failure was */
} rl_result;
#define RL_RESULT_INIT { RL_RESULT_VERSION, RL_METHOD_NONE, 0, 0, 0, RL_STEP_NONE }

/* --- Single files -------------------------------------------------------- */

/*
 * Copy the regular file src to dst (paths). The data goes to an unnamed
 * O_TMPFILE in dst's directory (a named hidden temporary where O_TMPFILE is
 * unsupported) that is linked into place only when complete, so dst is never
 * seen partial: on any failure dst is left as it was (absent, or with its old
 * content) and no debris remains where O_TMPFILE works.
 *
 * An existing dst (even a symlink, which is replaced, never followed) is
 * replaced atomically unless RL_F_NO_CLOBBER. dst naming an existing
 * directory fails with -EISDIR: callers place files inside directories.
 * Permission bits: the source's less the process umask, or exactly the
 * source's with RL_PRESERVE_MODE; setuid/setgid only with
 * RL_PRESERVE_OWNERSHIP, and only after the owner is set.
 *
 * Same file (RL_ESAMEFILE), as cp: dst is src (any path, a hard link), a
 * symlink dst points at src, or, with RL_F_NOFOLLOW and src a symlink, dst
 * is what src resolves to (through any chain of links): replacing it would
 * destroy the data the link names. Both are then left untouched.
 *
 * Errors include: RL_ESAMEFILE, RL_ENOTREGULAR (FIFO, device), -ENXIO (a
 * socket, which open() refuses), -EEXIST (with RL_F_NO_CLOBBER),
 * RL_ECLONE_* (RL_MODE_ALWAYS), -ENOSPC, -EIO..., -EINVAL for a bad option
 * (unknown flag bits, RL_PRESERVE_LINKS, which only a tree can honour).
 * res may be NULL. Thread-safe.
 */
RL_EXTERN int rl_copy_file(const char *src, const char *dst,
			   const rl_options *opts, rl_result *res);

/* As rl_copy_file, paths relative to directory fds (AT_FDCWD allowed). */
RL_EXTERN int rl_copy_fileat(int src_dirfd, const char *src, int dst_dirfd,
			     const char *dst, const rl_options *opts,
			     rl_result *res);

/*
 * Copy all data of the open regular file src_fd into dst_fd, which must be
 * open for writing and should be empty; dst_fd is made exactly the size of
 * the data copied, holes kept. No atomic placement happens here: this is the
 * engine the path calls use. Metadata is not copied. res may be NULL.
 */
RL_EXTERN int rl_copy_fd(int src_fd, int dst_fd, const rl_options *opts,
			 rl_result *res);

/*
 * Clone or copy len bytes from src_fd at src_off to dst_fd at dst_off.
 * The block-aligned middle is cloned with FICLONERANGE; an unaligned head
 * and tail (and, in RL_MODE_AUTO, anything that cannot be cloned) are copied.
 * RL_MODE_ALWAYS fails with RL_ECLONE_* when the middle cannot be cloned,
 * RL_MODE_NEVER copies everything. len 0 means up to the end of src.
 * dst grows as needed. res may be NULL. Thread-safe.
 */
RL_EXTERN int rl_clone_range(int src_fd, uint64_t src_off, int dst_fd,
			     uint64_t dst_off, uint64_t len, rl_mode mode,
			     rl_result *res);

/*
 * As rl_clone_range, with the mode, the progress callback (on_bytes: bytes
 * of the range cloned or copied so far) and the cancel flag taken from
 * opts (NULL: defaults). opts->flags and opts->preserve must be 0
 * (-EINVAL otherwise). Cancelled, it returns -ECANCELED with part of the
 * range possibly written.
 */
RL_EXTERN int rl_clone_range2(int src_fd, uint64_t src_off, int dst_fd,
			      uint64_t dst_off, uint64_t len,
			      const rl_options *opts, rl_result *res);

/* --- Probe --------------------------------------------------------------- */

#define RL_PROBE_VERSION 2
typedef struct rl_probe_result {
	unsigned int version; /* RL_PROBE_VERSION, set by the caller */
	int supported;        /* 1 if clones work in this directory */
	int reason;           /* when not supported: the RL_ECLONE_* or -errno */
	char fstype[32];      /* filesystem type as the mount table names it */
	/* version 2: when supported is 0 and the filesystem passes
	 * copy_file_range on to its server or daemon, which may clone or copy
	 * there ("fuse", "nfs", "smb", "cephfs", by statfs type), else "".
	 * RL_MODE_AUTO is then the mode to use. Written only for version >= 2. */
	char offload[16];
} rl_probe_result;
#define RL_PROBE_INIT { RL_PROBE_VERSION, 0, 0, { 0 }, { 0 } }

/*
 * Does the filesystem at path (a directory, or a file meaning its directory)
 * support clones? Clones one unnamed O_TMPFILE into another, so nothing is
 * left behind even if the process is killed (where the filesystem has no
 * O_TMPFILE, two named files unlinked as soon as they are open). Needs
 * write access to the directory; without it, answers from the filesystem
 * type alone. Three answers: clones work (supported); they do not, but
 * copy_file_range is offloaded (offload names the kind, version >= 2); or
 * neither. The kernel does not say whether an offloaded copy_file_range
 * was a clone on the server: a server may also copy the bytes, or (as a
 * FUSE daemon answering ENOSYS) leave the kernel to copy them.
 * A caller built against version 1 passes version 1 and a version 1
 * struct: nothing past fstype is written. Thread-safe.
 * Returns 0 with *out filled, or a negative error (e.g. -ENOENT).
 */
RL_EXTERN int rl_probe(const char *path, rl_probe_result *out);

/* --- Trees --------------------------------------------------------------- */

/* Counts of a tree copy. Versioned like the options: the caller sets
 * version (RL_TREE_STATS_INIT) and the library writes only the fields that
 * version holds, so a caller built against an older header is never
 * written past. Fields are only ever added at the end, and by_method has
 * RL_METHOD_MAX slots, so a new method changes no offset.
 * Version 1 is the first versioned layout: libreflink 0.1.0's struct had
 * no version field and is not supported (0.x makes no ABI promise for it);
 * such a caller, rebuilt against this header, must set version. A
 * zero-filled struct (version 0) is refused with -EINVAL, never written. */
#define RL_TREE_STATS_VERSION 2
typedef struct rl_tree_stats {
	unsigned int version;  /* RL_TREE_STATS_VERSION, set by the caller */
	uint64_t files;        /* regular files copied */
	uint64_t dirs;         /* directories created */
	uint64_t symlinks;     /* symlinks created */
	uint64_t specials;     /* FIFOs, sockets, device nodes created */
	uint64_t hardlinks;    /* hard links recreated (with RL_TREE_HARDLINK
				* or RL_TREE_SYMLINK: every link made to a
				* source entry) */
	uint64_t bytes;        /* logical bytes of regular files copied */
	uint64_t cloned_bytes;
	uint64_t copied_bytes;
	uint64_t errors;       /* entries that failed (each reported once) */
	uint64_t clone_impossible; /* of those, RL_ECLONE_* failures */
	uint64_t by_method[RL_METHOD_MAX]; /* files per rl_method */
	/* totals for progress: from a counting pass beside the copy when
	 * on_progress is set, otherwise they grow with the files copied */
	uint64_t total_files;
	uint64_t total_bytes;
	/* version 2 */
	uint64_t skipped;      /* existing entries kept by the update policy
	                        * (or on_ask); RL_UPDATE_NONE_FAIL's are
	                        * errors as well */
	uint64_t deleted;      /* entries removed by RL_TREE_DELETE */
} rl_tree_stats;
#define RL_TREE_STATS_INIT \
	{ RL_TREE_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, { 0 }, 0, 0, 0, 0 }

/* One finished entry (for -v). path is relative to the source root; type is
 * the entry's S_IFMT bits (S_IFREG, S_IFDIR, S_IFLNK...); res is for regular
 * files, NULL otherwise. */
typedef void (*rl_entry_cb)(void *ctx, const char *path, int type,
			    const rl_result *res);
/* One failed entry: src and dst are the roots as given joined with the
 * entry's relative path; src is NULL for an entry RL_TREE_DELETE could
 * not remove (dst names it). Return 0 to go on, nonzero to stop the copy (it
 * then returns -ECANCELED). An error that stops the whole copy (bad root,
 * RL_EINSIDE, the RL_MODE_ALWAYS stop) is returned, never passed here. */
typedef int (*rl_error_cb)(void *ctx, const char *src, const char *dst,
			   int err);
/* Progress, about every 100 ms from a thread of the library's own while
 * the copy runs (the totals grow while a counting pass beside the copy
 * runs: until it ends they are what is known so far),
 * and once at the end; so_far->bytes includes the bytes already moved of
 * files still being copied (a clone counts when it returns). so_far is
 * in the library's layout (so_far->version says which); every version
 * extends the one before, so a caller reads the fields it knows. */
typedef void (*rl_progress_cb)(void *ctx, const rl_tree_stats *so_far);
/* Asked before an existing destination entry that is not a directory is
 * replaced (merging): dev and ino are that entry's own (lstat). Return 0 to
 * replace it, nonzero to keep it: the entry then fails with RL_EREFUSED,
 * passed to on_error. Lets a caller protect what it made itself, as cp
 * refuses to overwrite a file it just created from another operand. */
typedef int (*rl_replace_cb)(void *ctx, uint64_t dev, uint64_t ino);
/* Filter: return nonzero to leave the entry out. relpath is relative to the
 * source root, name is the last component. */
typedef int (*rl_filter_cb)(void *ctx, const char *relpath, const char *name,
			    int is_dir);

/* Asked before an existing destination entry that is not a directory is
 * replaced, after the update policy chose to replace it (cp -i): dst is the
 * destination root as given joined with the entry's relative path. Return
 * 0 to replace it, nonzero to keep it (counted as skipped). */
typedef int (*rl_ask_cb)(void *ctx, const char *dst);
/* Asked before an existing destination entry is replaced, for the name to
 * keep it under (cp --backup): write a name (no '/', in the entry's own
 * directory) of at most cap bytes with its NUL into name and return 1, or
 * return 0 for no backup of this entry, or a negative errno to fail it.
 * dst is as for rl_ask_cb. */
typedef int (*rl_backup_cb)(void *ctx, const char *dst, char *name,
			    size_t cap);

/* One entry removed by RL_TREE_DELETE (version 4 of rl_tree_options):
 * path is relative to the destination root, type the entry's S_IFMT bits
 * (0 when the filesystem's listing did not say). A directory is told after
 * everything it held, each entry of which is told too. */
typedef void (*rl_delete_cb)(void *ctx, const char *path, int type);

/* Which existing destination files a copy replaces: cp's --update=WHEN as
 * in coreutils 9.5 (version 3 of rl_tree_options). A kept entry is not
 * opened for writing and keeps its inode. Directories are always merged
 * into. */
typedef enum rl_update {
	RL_UPDATE_ALL = 0,      /* replace every one (the default) */
	RL_UPDATE_NONE = 1,     /* keep every one, silently: counted as
	                         * skipped, no error (cp -n) */
	RL_UPDATE_OLDER = 2,    /* replace one only when its mtime is older
	                         * than its source's (cp -u) */
	RL_UPDATE_NONE_FAIL = 3 /* keep every one, each passed to on_error as
	                         * -EEXIST and counted (skipped and errors) */
} rl_update;

/* rl_tree_options.flags (in addition to the rl_options flags) */
#define RL_TREE_DEREF_ALL   0x100u /* follow every symlink in the tree (-L) */
#define RL_TREE_MERGE       0x200u /* dst may exist: merge into it */
#define RL_TREE_ATOMIC      0x400u /* dst appears or is replaced in one step */
#define RL_TREE_DELETE      0x800u /* remove every entry under dst with
				    * no counterpart in src (see "Delete"
				    * below); needs RL_TREE_MERGE or
				    * RL_TREE_ATOMIC */
#define RL_TREE_HARDLINK   0x4000u /* hard link each entry that is not a
				    * directory instead of copying it (cp
				    * -rl): a symlink itself, or with
				    * RL_TREE_DEREF_ALL what it names;
				    * directories are made; an entry already
				    * linked to its source is left as is */
#define RL_TREE_SYMLINK    0x8000u /* a symlink to each source entry that
				    * is not a directory, naming it by src
				    * joined with its relative path (cp
				    * -rs): src must be absolute (-EINVAL);
				    * an existing symlink there is replaced
				    * like any entry */
#define RL_TREE_ONE_FS    0x10000u /* do not descend into directories on
				    * another filesystem than src (cp -x):
				    * their mount points are made, empty */
#define RL_TREE_KEEP_DIR_SYMLINK 0x20000u /* merging, a symlink in dst to a
				    * directory where src has a directory
				    * is followed and merged into (cp
				    * --keep-directory-symlink; it may
				    * lead outside dst: the caller asks) */

/*
 * Delete (RL_TREE_DELETE): dst becomes an exact copy of src, as rsync -a
 * --delete makes it. In each directory of dst that was there before the
 * run, before that directory's entries are copied (so the space is free
 * first), every entry is removed whose name src's directory lacks, or
 * whose kind differs (a directory against a non-directory: replaced, as
 * rsync does; a plain merge fails such an entry, as cp). Names the
 * excludes or the filter leave out (asked with the dst entry's path and
 * kind) are neither copied nor removed. Removal is relative to directory
 * fds: a symlink is removed as a link, never followed; each directory is
 * opened with O_NOFOLLOW from its parent's fd and must be on dst's
 * filesystem (a mount point below dst fails with -EXDEV and is kept), and
 * climbing back by ".." checks device and inode, so swapping a directory
 * for a symlink during the run cannot lead it outside dst. The source
 * inside dst is refused (RL_EINSIDE) unless the excludes or filter leave
 * it out. With RL_TREE_KEEP_DIR_SYMLINK a symlink in dst to a directory,
 * where src has a directory, is kept and merged into, and nothing below it
 * is removed (where it leads is the caller's). stats->deleted counts every
 * entry removed, the contents of a
 * removed directory included (as rsync's count of deleted files); each is
 * passed to on_delete (version 4), and each that cannot be removed to
 * on_error once (src NULL), counted in errors. With RL_TREE_ATOMIC the
 * tree is built fresh and swapped in: the result is exact anyway, nothing
 * is removed entry by entry, deleted stays 0 and on_delete is not called
 * (the old tree goes as a whole after the swap).
 */

/*
 * Hard links across calls (cp --preserve=links over several operands): an
 * rl_links remembers, for each multiply-linked source file copied, the
 * path of its copy, so that the same file met again in a later call (a
 * tree given it in rl_tree_options.links with RL_PRESERVE_LINKS, or the
 * caller itself for single files) becomes a hard link of that copy.
 * Paths are kept as given (relative ones to the working directory).
 * Thread-safe: a tree's workers share one.
 */
struct stat;
typedef struct rl_links rl_links;
RL_EXTERN rl_links *rl_links_new(void); /* NULL without memory */
RL_EXTERN void rl_links_free(rl_links *links);
/* Remember path as the copy of the source st (its device and inode); a
 * source already remembered keeps its first path. 0, -EINVAL, -ENOMEM. */
RL_EXTERN int rl_links_add(rl_links *links, const struct stat *st,
			   const char *path);
/* The path of st's copy written into buf (cap bytes): 1, or 0 when none
 * is remembered, -ENAMETOOLONG, -EINVAL. */
RL_EXTERN int rl_links_find(rl_links *links, const struct stat *st,
			    char *buf, size_t cap);

/* A failed entry, and where it failed, for rl_tree_options.on_fail
 * (version 6), so that a caller can say it in its own words (cp: "cannot
 * access 'a/d'", "cannot create directory 'b/d'", "cannot open 'a/f' for
 * reading"). In the library's layout: version says which fields it has,
 * and each version extends the one before. */
#define RL_FAILURE_VERSION 1
typedef struct rl_failure {
	unsigned int version;  /* RL_FAILURE_VERSION of the library */
	const char *src;       /* the source entry; NULL: --delete could not
	                        * remove dst */
	const char *dst;       /* the destination entry */
	int err;               /* negative errno or RL_E* */
	rl_step step;          /* RL_STEP_SOURCE: reading the entry (its
	                        * status, a directory's listing, a symlink's
	                        * target, opening a file); RL_STEP_CREATE:
	                        * making it (a directory, a node, a link, the
	                        * file); RL_STEP_DATA, RL_STEP_META,
	                        * RL_STEP_PLACE as for single files; or
	                        * RL_STEP_NONE: none of these (a policy's
	                        * refusal, no memory, a clone the tree needed) */
	unsigned int type;     /* the source entry's S_IFMT bits, 0 if its
	                        * status could not be read */
	const char *link;      /* RL_STEP_CREATE of a hard link to an earlier
	                        * copy (RL_PRESERVE_LINKS): that copy's path
	                        * (cp: "cannot create hard link 'b' to 'a'"),
	                        * else NULL */
} rl_failure;
/* Return nonzero to stop the copy (-ECANCELED), as on_error. */
typedef int (*rl_fail_cb)(void *ctx, const rl_failure *f);

/* Version 2 added on_replace and cancel, version 3 update, sparse,
 * on_ask, backup and on_skip, version 4 on_delete, version 5 links,
 * version 6 on_fail; a caller's struct of an older version ends before
 * them, and the library reads no field past the caller's version. */
#define RL_TREE_OPTIONS_VERSION 6
typedef struct rl_tree_options {
	unsigned int version;  /* RL_TREE_OPTIONS_VERSION */
	rl_mode mode;
	unsigned int flags;    /* RL_F_* | RL_TREE_* */
	unsigned int preserve; /* RL_PRESERVE_* */
	unsigned int jobs;     /* worker threads; 0 = one per online CPU, and
				* more (up to four per CPU) while they sleep
				* waiting for the disk */
	const char *const *excludes; /* NULL-terminated glob list, or NULL */
	rl_filter_cb filter;
	rl_entry_cb on_entry;
	rl_error_cb on_error;
	rl_progress_cb on_progress;
	void *ctx;             /* passed to the callbacks */
	/* version 2 */
	rl_replace_cb on_replace; /* optional: may an existing entry go? */
	const volatile int *cancel; /* optional: see "Cancellation" above */
	/* version 3 */
	rl_update update;      /* default RL_UPDATE_ALL */
	rl_sparse sparse;      /* as rl_options.sparse, for every file */
	rl_ask_cb on_ask;      /* optional (cp -i) */
	rl_backup_cb backup;   /* optional (cp --backup) */
	rl_entry_cb on_skip;   /* optional: an existing entry kept by update
	                        * or on_ask (counted in stats->skipped); path
	                        * as for on_entry, res NULL (cp --debug's
	                        * "skipped" line) */
	/* version 4 */
	rl_delete_cb on_delete; /* optional: each entry RL_TREE_DELETE removed */
	/* version 5 */
	rl_links *links;       /* optional, with RL_PRESERVE_LINKS: a file of
	                        * the tree that links remembers becomes a hard
	                        * link of that copy (a copy where that fails),
	                        * and each multiply-linked file copied is added
	                        * to it under its final path (dst/...) */
	/* version 6 */
	rl_fail_cb on_fail;    /* optional: each failed entry with where it
	                        * failed, called instead of on_error when set */
} rl_tree_options;
#define RL_TREE_OPTIONS_INIT \
	{ RL_TREE_OPTIONS_VERSION, RL_MODE_AUTO, 0, 0, 0, NULL, NULL, NULL, NULL, \
	  NULL, NULL, NULL, NULL, RL_UPDATE_ALL, RL_SPARSE_AUTO, NULL, NULL, NULL, NULL, \
	  NULL, NULL }

RL_EXTERN int rl_tree_options_init(rl_tree_options *opts, unsigned int version);

/*
 * Copy the tree at src to dst, which must not exist (or, with
 * RL_TREE_MERGE, be a directory to merge into). Race-safe: everything is
 * opened relative to directory fds with O_NOFOLLOW, so nothing is ever
 * written outside dst. One failing entry does not stop the copy: it is
 * passed to on_error (when set; on_fail instead, where that is set: so
 * wherever on_error is named below) and counted. Callbacks may run on worker
 * threads, one at a time.
 *
 * Returns one of:
 *   0            every entry was copied;
 *   RL_EPARTIAL  the copy ran to its end but some entries failed, each one
 *                already passed to on_error; stats->errors counts them and
 *                stats->clone_impossible those that were RL_ECLONE_*
 *                (errors == clone_impossible: only clones were impossible);
 *   any other    a fatal error, never passed to on_error: bad arguments or
 *                options (-EINVAL: unknown flags, RL_F_NOFOLLOW, a stats
 *                version of 0 or newer than RL_TREE_STATS_VERSION), a root
 *                that cannot be opened or made (-ENOENT, -EEXIST, -ENOTDIR,
 *                RL_ESAMEFILE, RL_EINSIDE...), -ENOMEM, -ECANCELED when
 *                on_error asked to stop (the entries reported until then
 *                are counted in stats), or in RL_MODE_ALWAYS the
 *                RL_ECLONE_XDEV / RL_ECLONE_NOTSUP that showed clones cannot
 *                work between the two trees at all (what was made is
 *                removed again).
 * stats may be NULL; else it is filled once the copy has started (every
 * case but -EINVAL and -ENOENT for an empty path).
 */
RL_EXTERN int rl_copy_tree(const char *src, const char *dst,
			   const rl_tree_options *opts, rl_tree_stats *stats);

/* --- Sharing: what a tree shares, and sharing what is identical -------- */

/* What rl_shared found under a path: each regular file once (hard links
 * count once), symlinks never followed. Versioned as rl_tree_stats: the
 * caller sets version (RL_SHARED_STATS_INIT) and the library writes only
 * that version's fields; version 0 or a newer one is refused (-EINVAL). */
#define RL_SHARED_STATS_VERSION 1
typedef struct rl_shared_stats {
	unsigned int version;  /* RL_SHARED_STATS_VERSION, set by the caller */
	uint64_t files;        /* regular files */
	uint64_t bytes;        /* their logical sizes */
	uint64_t allocated;    /* bytes in extents (FIEMAP), not counting data
	                        * kept inline in metadata (btrfs); where there
	                        * is no FIEMAP, st_blocks * 512 */
	uint64_t shared;       /* bytes in extents flagged shared (with other
	                        * files, snapshots or within the file) */
	uint64_t exclusive;    /* allocated - shared */
	uint64_t holes;        /* bytes of the sizes in no extent */
	uint64_t unmapped;     /* files whose filesystem has no FIEMAP (tmpfs):
	                        * shared unknown, counted as exclusive */
	uint64_t errors;       /* entries that could not be read (on_error) */
} rl_shared_stats;
#define RL_SHARED_STATS_INIT { RL_SHARED_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0 }

/* Why rl_dedupe left a file alone (rl_dedupe_stats.skipped_by index). */
enum rl_skip {
	RL_SKIP_SMALL = 0,    /* no block of its own to share: empty, holes
	                       * only, or under one block and kept inline in
	                       * metadata (btrfs) */
	RL_SKIP_OTHER_FS = 1, /* not on the first PATH's filesystem */
	RL_SKIP_DIFFERS = 2,  /* the kernel found bytes that differ (changed
	                       * meanwhile, or a hash collision) */
	RL_SKIP_CHANGED = 3,  /* vanished or changed size/inode while looked at */
	RL_SKIP_REFUSED = 4,  /* the kernel refuses to share this file (swap
	                       * file, immutable, no permission...) */
	RL_SKIP_COUNT_ = 5
};
#define RL_SKIP_MAX 8
/* "small", "other_fs", "differs", "changed", "refused"; "?" otherwise. */
RL_EXTERN const char *rl_skip_name(int reason);

/* What rl_dedupe did (versioned as rl_shared_stats). Bytes are logical
 * file bytes; with RL_DEDUPE_DRY_RUN, deduped_bytes is what would be. */
#define RL_DEDUPE_STATS_VERSION 1
typedef struct rl_dedupe_stats {
	unsigned int version;  /* RL_DEDUPE_STATS_VERSION, set by the caller */
	uint64_t files;        /* regular files seen (each inode once) */
	uint64_t bytes;        /* their logical sizes */
	uint64_t groups;       /* sets of identical files (two or more) */
	uint64_t duplicates;   /* files in groups, beyond each group's first */
	uint64_t deduped_bytes;        /* data bytes newly shared */
	uint64_t already_shared_bytes; /* of duplicates already sharing every
	                                * extent with their group's first */
	uint64_t skipped;      /* files left alone, all reasons */
	uint64_t skipped_by[RL_SKIP_MAX]; /* per enum rl_skip */
	uint64_t errors;       /* files that failed (each passed to on_error) */
} rl_dedupe_stats;
#define RL_DEDUPE_STATS_INIT { RL_DEDUPE_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, { 0 }, 0 }

/* rl_share_options.flags */
#define RL_DEDUPE_DRY_RUN 0x1u /* find and report, change nothing */

/* What happened to one file (rl_dedupe_file_cb's outcome): */
#define RL_DEDUPE_DONE    (-1) /* bytes newly shared with same_as (or, dry
                                * run, would be) */
#define RL_DEDUPE_ALREADY (-2) /* already shared every extent with same_as */
/* ... or an enum rl_skip reason (same_as may be NULL). Called one at a
 * time, from any thread. */
typedef void (*rl_dedupe_file_cb)(void *ctx, const char *path,
				  const char *same_as, uint64_t bytes,
				  int outcome);
/* Phases for rl_share_progress_cb. */
enum rl_share_phase {
	RL_PHASE_WALK = 0,   /* done = files found so far, total 0 */
	RL_PHASE_HASH = 1,   /* done of total bytes read to compare */
	RL_PHASE_DEDUPE = 2  /* done of total bytes of duplicates handled */
};
typedef void (*rl_share_progress_cb)(void *ctx, int phase, uint64_t done,
				     uint64_t total);

#define RL_SHARE_OPTIONS_VERSION 1
typedef struct rl_share_options {
	unsigned int version;  /* RL_SHARE_OPTIONS_VERSION */
	unsigned int flags;    /* RL_DEDUPE_* */
	unsigned int jobs;     /* threads; 0 = online CPUs */
	rl_dedupe_file_cb on_file;   /* optional (rl_dedupe only) */
	rl_error_cb on_error;  /* optional: (ctx, path, other file or NULL,
	                        * err); return nonzero to stop (-ECANCELED) */
	rl_share_progress_cb on_progress; /* optional, about every 100 ms
	                        * and at each phase's end */
	const volatile int *cancel; /* optional: see "Cancellation" */
	void *ctx;             /* passed to the callbacks */
} rl_share_options;
#define RL_SHARE_OPTIONS_INIT \
	{ RL_SHARE_OPTIONS_VERSION, 0, 0, NULL, NULL, NULL, NULL, NULL }

RL_EXTERN int rl_share_options_init(rl_share_options *opts,
				    unsigned int version);

/*
 * How much of the regular file or tree at path shares its blocks: sums of
 * FIEMAP over every regular file (each inode once, symlinks not followed,
 * other mounts below path included as du does). Read-only: works on a
 * read-only mount. Where the filesystem has no FIEMAP (tmpfs) allocated
 * comes from st_blocks and unmapped counts those files.
 * Returns 0, RL_EPARTIAL (some entries failed: stats->errors, each passed
 * to on_error), or a fatal error: -ENOENT (and other errors of path
 * itself), RL_ENOTREGULAR (path is a FIFO, socket or device), -EINVAL,
 * -ECANCELED, -ENOMEM. rl_shared is rl_shared2 with default options.
 */
RL_EXTERN int rl_shared(const char *path, rl_shared_stats *stats);
RL_EXTERN int rl_shared2(const char *path, const rl_share_options *opts,
			 rl_shared_stats *stats);

/*
 * Make identical regular files under the NULL-terminated paths share
 * their extents. Candidates: same size, same first and last block, same
 * hash of all bytes (files with no block of their own are skipped); then FIDEDUPERANGE only (never
 * FICLONE): the kernel locks both files and compares the bytes itself,
 * so a file written meanwhile keeps exactly what was written (the range
 * that differs is skipped: RL_SKIP_DIFFERS). Pairs already sharing every
 * extent are counted as already shared. Never changes a file's content,
 * mode, owner, times or name; symlinks are never followed; files on
 * another filesystem than paths[0]'s are skipped (RL_SKIP_OTHER_FS).
 * Returns 0; RL_EPARTIAL when some files or paths failed (each passed to
 * on_error, counted in errors); or a fatal error with nothing changed:
 * RL_ECLONE_NOTSUP (the filesystem cannot dedupe: ext4, tmpfs...),
 * -EROFS (read-only mount, unless RL_DEDUPE_DRY_RUN), -EINVAL (bad
 * options, no paths), -ENOMEM; -ECANCELED (what was shared stays shared).
 */
RL_EXTERN int rl_dedupe(const char *const *paths, const rl_share_options *opts,
			rl_dedupe_stats *stats);

#ifdef __cplusplus
}
#endif
#endif /* REFLINK_H */
