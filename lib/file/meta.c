/* meta.c - permission bits, owner, times and extended attributes. */
#include "../common/internal.h"

#include <errno.h>
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

/* Names the destination may refuse without the copy failing: cp -a does
 * not fail on a filesystem without xattrs or on security labels. */
static int xattr_ignorable(int err, const char *name)
{
	if (err == ENOTSUP || err == EOPNOTSUPP)
		return 1;
	return err == EPERM && strncmp(name, "user.", 5) != 0;
}

static int copy_one_xattr(int src, int dst, const char *name)
{
	ssize_t n = fgetxattr(src, name, NULL, 0);
	if (n < 0)
		return errno == ENODATA ? 0 : -errno;
	char *val = malloc((size_t)n + 1);
	if (!val)
		return -ENOMEM;
	n = fgetxattr(src, name, val, (size_t)n);
	int r = 0;
	if (n < 0)
		r = errno == ENODATA ? 0 : -errno;
	else if (fsetxattr(dst, name, val, (size_t)n, 0) != 0 &&
		 !xattr_ignorable(errno, name))
		r = -errno;
	free(val);
	return r;
}

static int copy_xattrs(int src, int dst)
{
	ssize_t len = flistxattr(src, NULL, 0);
	if (len <= 0)
		return len < 0 && errno != ENOTSUP ? -errno : 0;
	char *names = malloc((size_t)len);
	if (!names)
		return -ENOMEM;
	len = flistxattr(src, names, (size_t)len);
	int r = len < 0 ? -errno : 0;
	for (ssize_t i = 0; r == 0 && i < len; i += (ssize_t)strlen(names + i) + 1)
		r = copy_one_xattr(src, dst, names + i);
	free(names);
	return r;
}

int rl__meta_apply(int dst, int src, const struct stat *st,
		   unsigned int preserve, int created_final,
		   struct rl__env *env)
{
	int owned = 0, r;
	if (preserve & RL_PRESERVE_OWNERSHIP) {
		if ((owned = rl__place_owner(dst, -1, NULL, st)) < 0)
			return owned;
	}
	if ((preserve & RL_PRESERVE_XATTR) && (r = copy_xattrs(src, dst)) < 0)
		return r;
	/* After xattrs: a copied POSIX ACL would otherwise change the bits. */
	if ((r = apply_mode(dst, st, preserve, owned, created_final, env)) < 0)
		return r;
	if (preserve & RL_PRESERVE_TIMESTAMPS) {
		struct timespec ts[2] = { st->st_atim, st->st_mtim };
		if (futimens(dst, ts) != 0)
			return -errno;
	}
	return 0;
}
