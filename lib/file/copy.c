/* copy.c - copy one file: open, check the destination, copy into an
 * unnamed temporary, and commit it into place only when complete. */
#include "../common/internal.h"
#include "../common/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int rl__replaces_source(int dirfd, const char *name, const struct stat *dst,
			const struct stat *src, const struct stat *target)
{
	if (S_ISLNK(src->st_mode)) /* copied as a link: onto its target? */
		return S_ISLNK(dst->st_mode) ? same_inode(dst, src)
					     : target && same_inode(dst, target);
	if (same_inode(dst, src))
		return 1;
	/* A symlink at dst is replaced, never followed, but one pointing at
	 * the source still means "same file", as cp says. */
	struct stat t;
	return S_ISLNK(dst->st_mode) && fstatat(dirfd, name, &t, 0) == 0 &&
	       same_inode(&t, src);
}

int rl__guard_ask(const struct rl__guard *g, const struct stat *existing,
		  const struct stat *src, char backup[RL__NAME_CAP])
{
	backup[0] = 0;
	if (!g || !g->ask)
		return 0;
	int r = g->ask(g->ctx, existing, src, backup, RL__NAME_CAP);
	if (r < 0)
		backup[0] = 0;
	return r < 0 ? r : 0;
}

enum { DEST_ABSENT = 0, DEST_REPLACE = 1, DEST_WRITE_INTO = 2 };

/* A FIFO, socket or device at dst: written into, replaced or refused. */
static int special_dest(const struct stat *st, unsigned int flags)
{
	if (flags & RL_F_REPLACE_SPECIAL)
		return DEST_REPLACE;
	/* A socket cannot be opened: cp cannot write into one either. */
	if ((flags & RL_F_INTO_SPECIAL) && !S_ISSOCK(st->st_mode))
		return DEST_WRITE_INTO;
	return RL_ENOTREGULAR; /* never swap one for a regular file unasked */
}

/* Inspect what dst names now (its lstat left in *old): DEST_ABSENT,
 * DEST_REPLACE, DEST_WRITE_INTO, or an error. src is what is copied;
 * target what a symlink src resolves to. */
static int check_dest(int dirfd, const char *name, const struct stat *src,
		      const struct stat *target, unsigned int flags,
		      const struct rl__guard *guard, struct stat *old,
		      char backup[RL__NAME_CAP])
{
	backup[0] = 0;
	int how = DEST_REPLACE;
	if (fstatat(dirfd, name, old, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? DEST_ABSENT : -errno;
	if (S_ISDIR(old->st_mode))
		return -EISDIR;
	if (!S_ISREG(old->st_mode) && !S_ISLNK(old->st_mode) &&
	    (how = special_dest(old, flags)) < 0)
		return how;
	if (!(flags & RL_F_SAME_OK) &&
	    rl__replaces_source(dirfd, name, old, src, target))
		return RL_ESAMEFILE;
	if (flags & RL_F_NO_CLOBBER)
		return -EEXIST;
	int r = rl__guard_ask(guard, old, src, backup);
	return r < 0 ? r : how;
}

static int open_named(void *ctx, const char *name)
{
	int *fd = ctx; /* in: the directory; out: the file */
	int r = rl__openat(*fd, name, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW |
			   O_CLOEXEC, 0600);
	if (r >= 0)
		*fd = r;
	return r < 0 ? r : 0;
}

/* An unnamed O_TMPFILE in dirfd (tmp[0] = 0), or, where the filesystem has
 * none, a named one (its name left in tmp). Returns fd or -errno. */
int rl__make_temp(int dirfd, mode_t mode, char tmp[RL__TMP_NAME_MAX])
{
	tmp[0] = 0;
	int fd = rl__openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
	/* EISDIR: kernels before 3.11; EOPNOTSUPP: no tmpfile support. */
	if (fd != -EOPNOTSUPP && fd != -EISDIR && fd != -EINVAL)
		return fd;
	fd = dirfd;
	int r = rl__place_temp(tmp, open_named, &fd);
	return r < 0 ? r : fd;
}

struct unnamed {
	int fd, dirfd;
};

static int link_named(void *ctx, const char *name)
{
	const struct unnamed *u = ctx;
	return rl__place_unnamed(u->fd, u->dirfd, name);
}

/* Give the unnamed fd a fresh hidden name (left in tmp). */
static int link_temp(int fd, int dirfd, char tmp[RL__TMP_NAME_MAX])
{
	struct unnamed u = { fd, dirfd };
	return rl__place_temp(tmp, link_named, &u);
}

/* Make the complete file fd visible as dirfd/name, and close fd. close()
 * can report a late write error (NFS, FUSE), so it comes before the final
 * rename; where the file went straight to its name, a failing close
 * removes it again (dst was absent before). An existing dst is kept as
 * backup (if set) only once the new file is complete and closed. */
static int commit(int fd, int dirfd, const char *name, char tmp[RL__TMP_NAME_MAX],
		  int exists, const char *backup, const rl_options *opts)
{
	int r = 0, direct = 0;
	int no_clobber = (opts->flags & RL_F_NO_CLOBBER) != 0;
	if (!exists)
		backup = NULL;
	if (!tmp[0] && (!exists || no_clobber)) {
		r = rl__place_unnamed(fd, dirfd, name);
		direct = r == 0;
		if (r < 0 && (r != -EEXIST || no_clobber)) {
			rl__close(fd);
			return r;
		}
	}
	if (!tmp[0] && !direct && (r = link_temp(fd, dirfd, tmp)) < 0) {
		rl__close(fd);
		return r;
	}
	if ((r = rl__close(fd)) == 0 && !direct && backup)
		r = rl__place_backup(dirfd, name, backup);
	if (r == 0 && !direct)
		r = rl__place_rename(dirfd, tmp, name, no_clobber);
	if (r < 0)
		unlinkat(dirfd, direct ? name : tmp, 0);
	return r;
}

static unsigned int meta_bits(const rl_options *opts)
{
	return opts->preserve | ((opts->flags & RL_F_XATTR_STRICT)
					 ? RL__PRESERVE_XATTR_STRICT : 0);
}

/* An existing FIFO or device dst: its data written into it, in order, as
 * cp does (`cp disk.img /dev/sdX`). No temporary can stand in for a
 * device, so this is the one copy that is not atomic. Opening a FIFO waits
 * for a reader, as cp's does (and can be cancelled while it waits). */
static int write_into(int src, int dirfd, const char *name, int fifo,
		      const rl_options *opts, rl_result *res)
{
	struct rl__count c = { 0, 0, opts->on_bytes, opts->ctx,
			       rl__options_cancel(opts), 0 };
	int flags = O_WRONLY | O_TRUNC | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
	int fd = fifo ? rl__open_fifo_writer(dirfd, name, flags, c.cancel)
		      : rl__openat(dirfd, name, flags, 0);
	if (fd < 0)
		return fd;
	int r = rl__copy_to_stream(src, fd, &c);
	int cr = rl__close(fd);
	if (res && r == 0 && cr == 0) {
		res->method = RL_METHOD_READ_WRITE;
		res->bytes += c.moved;
		res->copied_bytes += c.moved;
	}
	return r < 0 ? r : cr;
}

/* --attributes-only onto an existing regular file: its data stays, the
 * preserved metadata is applied to it (its own bits unless mode is). */
static int attrs_into(int src, const struct stat *st, int dirfd,
		      const char *name, const rl_options *opts,
		      struct rl__env *env, rl_result *res)
{
	rl_step where = RL_STEP_META;
	int fd = rl__openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_NOCTTY |
			    O_CLOEXEC, 0);
	if (fd < 0)
		return rl__failed_at(res, fd, RL_STEP_CREATE);
	int r = rl__meta_apply(fd, src, st, meta_bits(opts),
			       !(opts->preserve & RL_PRESERVE_MODE), env, &where);
	int cr = rl__close(fd);
	return rl__failed_at(res, r < 0 ? r : cr, where);
}

/* An existing dst: its status and where it is. */
struct dest {
	struct stat st;
	int dirfd;
	const char *name;
};

/* What is not the source's: an old regular dst's own owner, bits and
 * xattrs where cp would write into it in place (RL_F_KEEP_MODE), else,
 * mode not preserved, the default 0666 less the umask (RL_F_DEFAULT_MODE). */
static int own_meta(int fd, const struct dest *old, const rl_options *opts,
		    struct rl__env *env)
{
	if (old && S_ISREG(old->st.st_mode) && (opts->flags & RL_F_KEEP_MODE))
		return rl__meta_keep_old(fd, old->dirfd, old->name, &old->st,
					 opts->preserve);
	if ((opts->flags & RL_F_DEFAULT_MODE) && !(opts->preserve & RL_PRESERVE_MODE))
		return fchmod(fd, 0666 & ~rl__env_umask(env)) == 0 ? 0 : -errno;
	return 0;
}

/* The temporary fd: data (unless attributes only), metadata, and an old
 * dst's own permission bits where they are kept. */
static int fill(int fd, int src, const struct stat *st, const rl_options *opts,
		struct rl__env *env, const struct dest *old, int created_final,
		rl_result *res)
{
	int r = 0;
	if (!(opts->flags & RL_F_ATTR_ONLY) &&
	    (r = rl__copy_data(src, fd, st, opts, env, res)) < 0)
		return rl__failed_at(res, r, RL_STEP_DATA);
	rl_step where = RL_STEP_META;
	r = rl__meta_apply(fd, src, st, meta_bits(opts), created_final, env, &where);
	if (r == 0)
		r = own_meta(fd, old, opts, env);
	if (r < 0)
		return rl__failed_at(res, r, where);
	if (opts->flags & RL_F_FSYNC)
		r = rl__failed_at(res, rl__fsync(fd), RL_STEP_DATA);
	return r;
}

int rl__copy_into(int src, const struct stat *st, int dirfd, const char *name,
		  const rl_options *opts, struct rl__env *env,
		  const struct rl__guard *guard, rl_result *res)
{
	char tmp[RL__TMP_NAME_MAX], backup[RL__NAME_CAP];
	struct stat old;
	int exists = check_dest(dirfd, name, st, NULL, opts->flags, guard, &old,
				backup);
	if (exists < 0)
		return rl__failed_at(res, exists, RL_STEP_CREATE);
	if (exists == DEST_WRITE_INTO)
		return rl__failed_at(res, write_into(src, dirfd, name, S_ISFIFO(old.st_mode),
					       opts, res),
				     RL_STEP_DATA);
	if (exists && S_ISREG(old.st_mode) && (opts->flags & RL_F_ATTR_ONLY))
		return attrs_into(src, st, dirfd, name, opts, env, res);
	int fd = rl__make_temp(dirfd, rl__create_mode(st, opts->preserve), tmp);
	if (fd < 0)
		return rl__failed_at(res, fd, RL_STEP_CREATE);
	struct dest was = { old, dirfd, name };
	int r = fill(fd, src, st, opts, env, exists ? &was : NULL, tmp[0] == 0,
		     res);
	if (r == 0)
		return rl__failed_at(res, commit(fd, dirfd, name, tmp, exists,
						 backup[0] ? backup : opts->backup, opts),
				     RL_STEP_PLACE);
	rl__close(fd);
	if (tmp[0])
		unlinkat(dirfd, tmp, 0);
	return r;
}

/* Split path into its directory (opened O_PATH) and last component. */
static int open_parent(int dirfd, const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	size_t len = strlen(path);
	if (len == 0)
		return -ENOENT;
	if (path[len - 1] == '/') { /* "dst/" names a directory, not a file */
		struct stat st;
		int isdir = fstatat(dirfd, path, &st, 0) == 0 && S_ISDIR(st.st_mode);
		return isdir ? -EISDIR : -ENOTDIR;
	}
	if (!slash) {
		*name = path;
		return rl__openat(dirfd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	}
	*name = slash + 1;
	if (slash == path)
		return rl__openat(dirfd, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	size_t dlen = (size_t)(slash - path);
	char *dir = malloc(dlen + 1);
	if (!dir)
		return -ENOMEM;
	memcpy(dir, path, dlen);
	dir[dlen] = 0;
	int fd = rl__openat(dirfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	free(dir);
	return fd;
}

/* Make the symlink ddir/name -> target with src's preserved metadata
 * (owner, xattrs, times: cp -a keeps them on links too); 0 or -errno, and
 * nothing left behind on failure. */
static int make_symlink(const char *target, int sdir, const char *src,
			const struct stat *st, int ddir, const char *name,
			const rl_options *opts)
{
	if (symlinkat(target, ddir, name) != 0)
		return -errno;
	int r = rl__symlink_meta(sdir, src, st, ddir, name, meta_bits(opts));
	if (r < 0)
		unlinkat(ddir, name, 0);
	return r;
}

/* Nothing can be written into a FIFO or device through a symlink copy:
 * where the caller would write into one, the link replaces it (as cp). */
static unsigned int link_flags(unsigned int flags)
{
	return (flags & RL_F_INTO_SPECIAL) ? flags | RL_F_REPLACE_SPECIAL : flags;
}

/* A stand-in of the link, made under a temporary name (rl__place_temp). */
struct symlink_to {
	const char *target, *src;
	int sdir, ddir;
	const struct stat *st;
	const rl_options *opts;
};

static int symlink_named(void *ctx, const char *name)
{
	const struct symlink_to *l = ctx;
	return make_symlink(l->target, l->sdir, l->src, l->st, l->ddir, name,
			    l->opts);
}

/* Recreate the symlink src as dst (RL_F_NOFOLLOW), replacing atomically. */
static int copy_symlink(int sdir, const char *src, int ddir, const char *name,
			const rl_options *opts)
{
	char target[PATH_MAX + 1], tmp[RL__TMP_NAME_MAX], backup[RL__NAME_CAP];
	struct stat st, to, old;
	if (fstatat(sdir, src, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return -errno;
	ssize_t n = readlinkat(sdir, src, target, PATH_MAX);
	if (n < 0)
		return -errno;
	target[n] = 0;
	/* What the link names, through any chain: dst must not be that. */
	int resolves = fstatat(sdir, src, &to, 0) == 0;
	int exists = check_dest(ddir, name, &st, resolves ? &to : NULL,
				link_flags(opts->flags), NULL, &old, backup);
	if (exists < 0)
		return exists;
	/* Attributes only: a link has none to give an existing file (cp
	 * refuses it too, unless told to remove DEST). */
	if (exists && (opts->flags & RL_F_ATTR_ONLY) &&
	    !(opts->flags & RL_F_REPLACE_SPECIAL))
		return -EEXIST;
	int r = exists ? -EEXIST
		       : make_symlink(target, sdir, src, &st, ddir, name, opts);
	if (r != -EEXIST || (opts->flags & RL_F_NO_CLOBBER))
		return r;
	struct symlink_to l = { target, src, sdir, ddir, &st, opts };
	r = rl__place_temp(tmp, symlink_named, &l);
	if (r < 0)
		return r;
	if (opts->backup) /* the old dst kept, as for a file */
		r = rl__place_backup(ddir, name, opts->backup);
	if (r < 0 || (r = rl__place_rename(ddir, tmp, name, 0)) < 0)
		unlinkat(ddir, tmp, 0);
	return r;
}

/* A FIFO or device source asked for its contents, sfd opened O_NONBLOCK
 * so that merely opening a FIFO never waits. A FIFO is read through sfd
 * once a writer comes (as cp's open waits for one), and can be cancelled
 * while it waits; a device is opened again, blocking, as cp opens it. */
static int open_contents(int sfd, const struct stat *st, const rl_options *opts)
{
	char proc[64];
	if (S_ISFIFO(st->st_mode)) {
		int r = rl__wait_writer(sfd, rl__options_cancel(opts));
		if (r < 0)
			return r;
		r = fcntl(sfd, F_DUPFD_CLOEXEC, 0); /* closed after the copy */
		return r < 0 ? -errno : r;
	}
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", sfd);
	return rl__openat(AT_FDCWD, proc, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
}

int rl__copy_contents(int sfd, const struct stat *st, int dirfd,
		      const char *name, const rl_options *opts,
		      struct rl__env *env, const struct rl__guard *guard,
		      rl_result *res)
{
	int fd = open_contents(sfd, st, opts);
	if (fd < 0)
		return fd;
	int r = rl__copy_into(fd, st, dirfd, name, opts, env, guard, res);
	rl__close(fd);
	return r;
}

/* The open source: a regular file, or with RL_F_CONTENTS a FIFO or device,
 * read to its end into a new regular file. */
static int copy_opened(int sfd, const struct stat *st, int pfd,
		       const char *name, const rl_options *opts, rl_result *res)
{
	struct rl__env env;
	mode_t m = st->st_mode;
	int device = S_ISFIFO(m) || S_ISCHR(m) || S_ISBLK(m);
	if (!S_ISREG(m) && !(device && (opts->flags & RL_F_CONTENTS)))
		return S_ISDIR(m) ? -EISDIR : RL_ENOTREGULAR;
	rl__env_init(&env);
	if (device)
		return rl__copy_contents(sfd, st, pfd, name, opts, &env, NULL, res);
	return rl__copy_into(sfd, st, pfd, name, opts, &env, NULL, res);
}

int rl_copy_fileat(int src_dirfd, const char *src, int dst_dirfd,
		   const char *dst, const rl_options *opts, rl_result *res)
{
	rl_options o = RL_OPTIONS_INIT;
	struct stat st;
	const char *name = NULL;
	int r;
	if (!src || !dst || (res && res->version == 0))
		return -EINVAL;
	if (opts && (r = rl__options_copy(&o, opts)) < 0)
		return r;
	opts = &o;
	int nofollow = (opts->flags & RL_F_NOFOLLOW) ? O_NOFOLLOW : 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int sfd = rl__openat(src_dirfd, src, O_RDONLY | O_CLOEXEC | O_NOCTTY |
			     O_NONBLOCK | nofollow, 0);
	int pfd = open_parent(dst_dirfd, dst, &name);
	if (res && res->version >= 2)
		res->failed_step = RL_STEP_NONE;
	if (sfd < 0 && !(sfd == -ELOOP && nofollow)) {
		/* the source's problem is reported first, as cp does */
		r = rl__failed_at(res, sfd, RL_STEP_SOURCE);
	} else if (pfd < 0) {
		r = rl__failed_at(res, pfd, RL_STEP_CREATE);
	} else if (sfd < 0) {
		r = rl__failed_at(res, copy_symlink(src_dirfd, src, pfd, name, opts),
				  RL_STEP_CREATE);
	} else if (fstat(sfd, &st) != 0) {
		r = rl__failed_at(res, -errno, RL_STEP_SOURCE);
	} else {
		r = copy_opened(sfd, &st, pfd, name, opts, res);
	}
	if (sfd >= 0)
		rl__close(sfd);
	if (pfd >= 0)
		rl__close(pfd);
	return r;
}

int rl_copy_file(const char *src, const char *dst, const rl_options *opts,
		 rl_result *res)
{
	return rl_copy_fileat(AT_FDCWD, src, AT_FDCWD, dst, opts, res);
}
