/* meta.c - permission bits, owner, times and extended attributes. */
#include "../common/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

mode_t rl__create_mode(const struct stat *st, unsigned int preserve)
{
	(void)preserve;
	/* Only rwx at creation; the kernel applies the umask. Special bits
	 * wait until the owner is final (fchown clears them anyway). */
	return st->st_mode & 0777;
}

static int apply_mode(int dst, const struct stat *st, unsigned int preserve,
		      int owned, int created_final, struct rl__env *env)
{
	mode_t want;
	if (!(preserve & RL_PRESERVE_MODE)) {
		if (created_final)
			return 0; /* open() gave it the bits less the umask */
		want = (st->st_mode & 0777) & ~rl__env_umask(env);
	} else {
		want = rl__place_mode_of(st, owned);
		/* Skip the chmod only when the umask is already known. */
		if (created_final && env->umask >= 0 &&
		    want == ((st->st_mode & 0777) & ~(mode_t)env->umask))
			return 0;
	}
	return rl__place_mode(dst, -1, NULL, want);
}

#define ACL_ACCESS "system.posix_acl_access"

/* Where the xattrs come from and go to: open fds, or (symlinks, which
 * cannot be opened) paths read and written without following. */
struct xa {
	int sfd, dfd;
	const char *spath, *dpath;
};

static ssize_t xa_get(const struct xa *x, const char *name, void *v, size_t n)
{
	return x->spath ? lgetxattr(x->spath, name, v, n) : fgetxattr(x->sfd, name, v, n);
}

static int xa_set(const struct xa *x, const char *name, const void *v, size_t n)
{
	return x->dpath ? lsetxattr(x->dpath, name, v, n, 0)
			: fsetxattr(x->dfd, name, v, n, 0);
}

static ssize_t xa_list(const struct xa *x, char *names, size_t n)
{
	return x->spath ? llistxattr(x->spath, names, n) : flistxattr(x->sfd, names, n);
}

/* Names the destination may refuse without the copy failing: cp -a does
 * not fail on a filesystem without xattrs or on security labels; an
 * explicit --preserve=xattr (strict) fails where there are none. */
static int xattr_ignorable(int err, const char *name, int strict)
{
	if (err == ENOTSUP || err == EOPNOTSUPP)
		return !strict;
	return err == EPERM && strncmp(name, "user.", 5) != 0;
}

static int copy_one_xattr(const struct xa *x, const char *name, int strict)
{
	ssize_t n = xa_get(x, name, NULL, 0);
	if (n < 0)
		return errno == ENODATA ? 0 : -errno;
	char *val = malloc((size_t)n + 1);
	if (!val)
		return -ENOMEM;
	n = xa_get(x, name, val, (size_t)n);
	int r = 0;
	if (n < 0)
		r = errno == ENODATA ? 0 : -errno;
	else if (xa_set(x, name, val, (size_t)n) != 0 &&
		 !xattr_ignorable(errno, name, strict))
		r = -errno;
	free(val);
	return r;
}

/* Every xattr of x's source but skip (a name, or NULL). */
static int copy_xattrs(const struct xa *x, int strict, const char *skip)
{
	ssize_t len = xa_list(x, NULL, 0);
	if (len <= 0)
		return len < 0 && errno != ENOTSUP ? -errno : 0;
	char *names = malloc((size_t)len);
	if (!names)
		return -ENOMEM;
	len = xa_list(x, names, (size_t)len);
	int r = len < 0 ? -errno : 0;
	for (ssize_t i = 0; r == 0 && i < len; i += (ssize_t)strlen(names + i) + 1)
		if (!skip || strcmp(names + i, skip) != 0)
			r = copy_one_xattr(x, names + i, strict);
	free(names);
	return r;
}

/* r, with *where the attribute it failed at. */
static int failed_at(int r, rl_step step, rl_step *where)
{
	if (r < 0 && where)
		*where = step;
	return r;
}

int rl__meta_apply(int dst, int src, const struct stat *st,
		   unsigned int preserve, int created_final,
		   struct rl__env *env, rl_step *where)
{
	int owned = 0, r;
	if (preserve & RL_PRESERVE_OWNERSHIP) {
		if ((owned = rl__place_owner(dst, -1, NULL, st)) < 0)
			return failed_at(owned, RL_STEP_OWNER, where);
	}
	struct xa x = { src, dst, NULL, NULL };
	int strict = (preserve & RL__PRESERVE_XATTR_STRICT) != 0;
	if ((preserve & RL_PRESERVE_XATTR) && (r = copy_xattrs(&x, strict, NULL)) < 0)
		return failed_at(r, RL_STEP_XATTR, where);
	/* The access ACL is part of the mode (cp -p keeps it): without it, the
	 * group bits of the chmod below would read as the ACL mask. */
	if ((preserve & (RL_PRESERVE_MODE | RL_PRESERVE_XATTR)) == RL_PRESERVE_MODE &&
	    (r = copy_one_xattr(&x, ACL_ACCESS, 0)) < 0)
		return failed_at(r, RL_STEP_MODE, where);
	/* After xattrs: a copied POSIX ACL would otherwise change the bits. */
	if ((r = apply_mode(dst, st, preserve, owned, created_final, env)) < 0)
		return failed_at(r, RL_STEP_MODE, where);
	if (preserve & RL_PRESERVE_TIMESTAMPS) {
		struct timespec ts[2] = { st->st_atim, st->st_mtim };
		if (futimens(dst, ts) != 0)
			return failed_at(-errno, RL_STEP_TIMES, where);
	}
	return 0;
}

/* "/proc/self/fd/N/name" (or name itself at AT_FDCWD): a path to an entry
 * of an open directory, for the calls that have no *at form. */
static void fd_path(char *buf, size_t cap, int dirfd, const char *name)
{
	if (dirfd == AT_FDCWD || name[0] == '/')
		snprintf(buf, cap, "%s", name);
	else
		snprintf(buf, cap, "/proc/self/fd/%d/%s", dirfd, name);
}

int rl__symlink_meta(int sdir, const char *src, const struct stat *st,
		     int ddir, const char *name, unsigned int preserve)
{
	char sp[PATH_MAX + 64], dp[PATH_MAX + 64];
	int r = 0;
	/* Not root: a link keeps our own owner, as cp's lchown leaves it. */
	if ((preserve & RL_PRESERVE_OWNERSHIP) &&
	    fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) != 0 &&
	    errno != EPERM && errno != EINVAL)
		return -errno;
	if (preserve & RL_PRESERVE_XATTR) {
		fd_path(sp, sizeof sp, sdir, src);
		fd_path(dp, sizeof dp, ddir, name);
		struct xa x = { -1, -1, sp, dp };
		if ((r = copy_xattrs(&x, (preserve & RL__PRESERVE_XATTR_STRICT) != 0,
					NULL)) < 0)
			return r;
	}
	if (preserve & RL_PRESERVE_TIMESTAMPS) {
		struct timespec ts[2] = { st->st_atim, st->st_mtim };
		if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) != 0)
			return -errno;
	}
	return 0;
}

int rl__meta_keep_old(int dst, int dirfd, const char *name,
		      const struct stat *old, unsigned int preserve)
{
	/* Not root: the new file stays ours, as it must (cp, writing in
	 * place, would keep the old owner; the README says so). */
	if (!(preserve & RL_PRESERVE_OWNERSHIP) &&
	    fchown(dst, old->st_uid, old->st_gid) != 0 && errno != EPERM)
		return -errno;
	/* After the owner: fchown cleared setuid and setgid. */
	if (!(preserve & RL_PRESERVE_MODE) && fchmod(dst, old->st_mode & 07777) != 0)
		return -errno;
	if (preserve & RL_PRESERVE_XATTR)
		return 0; /* the source's, applied already */
	char path[PATH_MAX + 64];
	fd_path(path, sizeof path, dirfd, name);
	struct xa x = { -1, dst, path, NULL };
	/* Preserving the mode brought the source's ACL along with it. */
	return copy_xattrs(&x, 0, (preserve & RL_PRESERVE_MODE) ? ACL_ACCESS : NULL);
}
