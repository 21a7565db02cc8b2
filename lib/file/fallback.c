/* fallback.c - the one table that decides "fall back or stop": which
 * errors of a clone (or copy_file_range) mean "not possible here, try the
 * next method", which RL_ECLONE_* reason each is in RL_MODE_ALWAYS, and
 * whether the reason is of this file or of the two filesystems (then no
 * file between them will ever clone). Any error not listed (EIO, ENOSPC,
 * ENOMEM...) is a hard error that stops the copy in every mode. */
#include "../common/internal.h"

#include <errno.h>

enum scope {
	SCOPE_FILE,        /* this file or range cannot: the next one may */
	SCOPE_FILESYSTEMS, /* these filesystems never clone between them */
};

static const struct {
	int err;    /* errno, positive */
	int reason; /* RL_ECLONE_* */
	enum scope scope;
} table[] = {
	/* EXDEV may be two mounts of one filesystem: copy_file_range, the
	 * next step, can still share extents there. */
	{ EXDEV, RL_ECLONE_XDEV, SCOPE_FILESYSTEMS },
	{ EOPNOTSUPP, RL_ECLONE_NOTSUP, SCOPE_FILESYSTEMS }, /* == ENOTSUP */
	{ ENOTTY, RL_ECLONE_NOTSUP, SCOPE_FILESYSTEMS },
	{ ENOSYS, RL_ECLONE_NOTSUP, SCOPE_FILESYSTEMS },
	{ EINVAL, RL_ECLONE_INVAL, SCOPE_FILE },
	{ EBADF, RL_ECLONE_INVAL, SCOPE_FILE },
	/* seccomp filters, some network filesystems */
	{ EPERM, RL_ECLONE_DENIED, SCOPE_FILE },
	{ EACCES, RL_ECLONE_DENIED, SCOPE_FILE },
	{ ETXTBSY, RL_ECLONE_BUSY, SCOPE_FILE }, /* an active swap file */
};
#define N_TABLE (sizeof table / sizeof table[0])

/* The row for -errno err, or -1. */
static int row_of(int err)
{
	for (unsigned int i = 0; i < N_TABLE; i++)
		if (-err == table[i].err)
			return (int)i;
	return -1;
}

int rl__fallback_ok(int err)
{
	return row_of(err) >= 0;
}

int rl__fallback_reason(int err)
{
	int i = row_of(err);
	return i < 0 ? err : table[i].reason;
}

int rl__fallback_fs_never(int err)
{
	int i = row_of(err);
	return i >= 0 && table[i].scope == SCOPE_FILESYSTEMS;
}

int rl__fallback_reason_fs(int reason)
{
	for (unsigned int i = 0; i < N_TABLE; i++)
		if (table[i].reason == reason)
			return table[i].scope == SCOPE_FILESYSTEMS;
	return 0;
}
