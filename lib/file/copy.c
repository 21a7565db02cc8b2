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

int rl__guard_ask(const struct rl__guard *g, const struct stat *existing)
{
	if (!g || !g->ask || g->ask(g->ctx, existing) == 0)
		return 0;
	return RL_EREFUSED;
}

/* Inspect what dst names now: 0 absent, 1 present (to be replaced), or an
 * error. src is what is copied; target what a symlink src resolves to. */
static int check_dest(int dirfd, const char *name, const struct stat *src,
		      const struct stat *target, unsigned int flags,
		      const struct rl__guard *guard)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	/* Never swap a device, FIFO or socket for a regular file. */
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return RL_ENOTREGULAR;
	if (rl__replaces_source(dirfd, name, &st, src, target))
		return RL_ESAMEFILE;
	if (flags & RL_F_NO_CLOBBER)
		return -EEXIST;
	int r = rl__guard_ask(guard, &st);
	return r < 0 ? r : 1;
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
 * removes it again (dst was absent before). */
static int commit(int fd, int dirfd, const char *name, char tmp[RL__TMP_NAME_MAX],
		  int exists, int no_clobber)
{
	int r = 0, direct = 0;
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
	if ((r = rl__close(fd)) == 0 && !direct)
		r = rl__place_rename(dirfd, tmp, name, no_clobber);
	if (r < 0)
		unlinkat(dirfd, direct ? name : tmp, 0);
	return r;
}

int rl__copy_into(int src, const struct stat *st, int dirfd, const char *name,
		  const rl_options *opts, struct rl__env *env,
		  const struct rl__guard *guard, rl_result *res)
{
	char tmp[RL__TMP_NAME_MAX];
	int exists = check_dest(dirfd, name, st, NULL, opts->flags, guard);
	if (exists < 0)
		return exists;
	int fd = rl__make_temp(dirfd, rl__create_mode(st, opts->preserve), tmp);
	if (fd < 0)
		return fd;
	int r = rl__copy_data(src, fd, st, opts, env, res);
	if (r == 0)
		r = rl__meta_apply(fd, src, st, opts->preserve, tmp[0] == 0, env);
	if (r == 0 && (opts->flags & RL_F_FSYNC))
		r = rl__fsync(fd);
	if (r == 0)
		return commit(fd, dirfd, name, tmp, exists,
			      (opts->flags & RL_F_NO_CLOBBER) != 0);
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

struct symlink_to {
	const char *target;
	int dirfd;
};

static int symlink_named(void *ctx, const char *name)
{
	const struct symlink_to *l = ctx;
	return symlinkat(l->target, l->dirfd, name) == 0 ? 0 : -errno;
}

/* Recreate the symlink src as dst (RL_F_NOFOLLOW), replacing atomically. */
static int copy_symlink(int sdir, const char *src, int ddir, const char *name,
			const rl_options *opts)
{
	char target[PATH_MAX + 1], tmp[RL__TMP_NAME_MAX];
	struct stat st, to;
	if (fstatat(sdir, src, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return -errno;
	ssize_t n = readlinkat(sdir, src, target, PATH_MAX);
	if (n < 0)
		return -errno;
	target[n] = 0;
	/* What the link names, through any chain: dst must not be that. */
	int resolves = fstatat(sdir, src, &to, 0) == 0;
	int exists = check_dest(ddir, name, &st, resolves ? &to : NULL,
				opts->flags, NULL);
	if (exists < 0)
		return exists;
	if (!exists && symlinkat(target, ddir, name) == 0)
		return 0;
	if (!exists && (errno != EEXIST || (opts->flags & RL_F_NO_CLOBBER)))
		return -errno;
	struct symlink_to l = { target, ddir };
	int r = rl__place_temp(tmp, symlink_named, &l);
	if (r < 0)
		return r;
	if ((r = rl__place_rename(ddir, tmp, name, 0)) < 0)
		unlinkat(ddir, tmp, 0);
	return r;
}

int rl_copy_fileat(int src_dirfd, const char *src, int dst_dirfd,
		   const char *dst, const rl_options *opts, rl_result *res)
{
	rl_options defaults = RL_OPTIONS_INIT;
	struct rl__env env;
	struct stat st;
	const char *name;
	int r;
	if (!src || !dst || (res && res->version == 0))
		return -EINVAL;
	if (!opts)
		opts = &defaults;
	if ((r = rl__options_check(opts)) < 0)
		return r;
	int nofollow = (opts->flags & RL_F_NOFOLLOW) ? O_NOFOLLOW : 0;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int sfd = rl__openat(src_dirfd, src, O_RDONLY | O_CLOEXEC | O_NOCTTY |
			     O_NONBLOCK | nofollow, 0);
	int pfd = open_parent(dst_dirfd, dst, &name);
	if (sfd < 0 && !(sfd == -ELOOP && nofollow)) {
		r = sfd; /* the source's problem is reported first, as cp does */
	} else if (pfd < 0) {
		r = pfd;
	} else if (sfd < 0) {
		r = copy_symlink(src_dirfd, src, pfd, name, opts);
	} else if (fstat(sfd, &st) != 0) {
		r = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : RL_ENOTREGULAR;
	} else {
		rl__env_init(&env);
		r = rl__copy_into(sfd, &st, pfd, name, opts, &env, NULL, res);
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
