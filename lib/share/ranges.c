/* ranges.c - FIDEDUPERANGE, the only call that shares here: the kernel
 * locks both files, compares the bytes and shares them only if equal, so
 * a file written at the same time keeps what was written. Never FICLONE,
 * which would replace dst's bytes with src's unchecked. */
#include "share.h"

#include <errno.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

/* btrfs takes at most 16 MiB per call (it silently shortens longer ones);
 * XFS takes more, but smaller calls keep both files locked for shorter
 * and a cancel is seen sooner. */
#define PIECE (16ull << 20)

/* struct file_dedupe_range ends in a flexible array: room for one. */
union one_dest {
	struct file_dedupe_range r;
	char room[sizeof(struct file_dedupe_range) +
		  sizeof(struct file_dedupe_range_info)];
};

static int call(int src, union one_dest *d)
{
	for (;;) {
		if (ioctl(src, FIDEDUPERANGE, &d->r) == 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

int rl__dedupe_pair(int src, int dst, uint64_t size, uint64_t *done,
		    const volatile int *cancel)
{
	*done = 0;
	while (*done < size) {
		if (rl__cancel_set(cancel))
			return -ECANCELED;
		union one_dest d;
		memset(&d, 0, sizeof d);
		uint64_t len = size - *done < PIECE ? size - *done : PIECE;
		d.r.src_offset = *done;
		d.r.src_length = len;
		d.r.dest_count = 1;
		d.r.info[0].dest_fd = dst;
		d.r.info[0].dest_offset = *done;
		int r = call(src, &d);
		if (r < 0)
			return r;
		if (d.r.info[0].status == FILE_DEDUPE_RANGE_DIFFERS)
			return 1;
		if (d.r.info[0].status < 0)
			return d.r.info[0].status;
		/* A partial answer goes on from where it stopped; none at all
		 * (a filesystem that would loop) is refused. */
		if (d.r.info[0].bytes_deduped == 0)
			return -EINVAL;
		*done += d.r.info[0].bytes_deduped > len ? len : d.r.info[0].bytes_deduped;
	}
	return 0;
}

int rl__dedupe_probe(int fd)
{
	union one_dest d;
	memset(&d, 0, sizeof d);
	/* No destinations, no bytes: the filesystem's answer alone. */
	int r = call(fd, &d);
	if (r == -EOPNOTSUPP || r == -ENOTTY || r == -EINVAL || r == -ENOSYS)
		return RL_ECLONE_NOTSUP;
	return r;
}
