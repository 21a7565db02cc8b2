/* sparse.c - copying data segment by segment so holes stay holes. */
#include "../common/internal.h"
#include "../common/sys.h"

#include <errno.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

/* Some C libraries mis-report copy_file_range returns above 2 GiB. */
#define CFR_CHUNK (1ull << 30)
/* Bytes through user space in 128 KiB steps: the buffer stays in the CPU's
 * cache between the read and the write. 1 MiB was 3x slower on a 1 GiB
 * copy (ext4: 1.6 s against 0.49 s, XFS: 0.84 against 0.24), and 256 KiB
 * worse still on a core with 512 KiB of L2. */
#define RW_BUF_MAX (128u << 10)
/* Watched or cancellable, one copy_file_range call should last at most
 * ~50 ms: start at 4 MiB, double while calls take under 12 ms, halve when
 * one took over 50 ms (tmpfs moves ~2 GiB/s, a slow disk far less), and
 * never beyond 64 MiB, which a fast call moves in ~20 ms: a bigger step
 * grown while the cache was warm took half a second once the machine got
 * busy. */
#define STEP_FIRST (4ull << 20)
#define STEP_MAX (64ull << 20)
#define STEP_MIN (256ull << 10)
#define STEP_FAST_NS 12000000LL
#define STEP_SLOW_NS 50000000LL

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif
#ifndef CONFIGFS_MAGIC
#define CONFIGFS_MAGIC 0x62656570
#endif

int rl__is_pseudo_fs(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) != 0)
		return 0;
	switch ((unsigned long)sf.f_type) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case CONFIGFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
		return 1;
	default:
		return 0;
	}
}

void rl__count_add(struct rl__count *c, uint64_t n)
{
	c->moved += n;
	if (c->cb)
		c->cb(c->ctx, c->moved, c->total);
}

static size_t buf_size(uint64_t want)
{
	if (want < 4096)
		return 4096;
	return want > RW_BUF_MAX ? RW_BUF_MAX : (size_t)want;
}

int rl__copy_bytes(int src, uint64_t soff, int dst, uint64_t doff,
		   uint64_t len, struct rl__count *c)
{
	size_t cap = buf_size(len);
	char *buf = malloc(cap);
	int r = 0;
	if (!buf)
		return -ENOMEM;
	while (len > 0) {
		size_t want = len < cap ? (size_t)len : cap;
		if (rl__cancel_set(c->cancel)) {
			r = -ECANCELED;
			break;
		}
		ssize_t n = rl__read_full(src, buf, want, (int64_t)soff);
		if (n <= 0) {
			r = n < 0 ? (int)n : RL_ECHANGED;
			break;
		}
		if ((r = rl__write_all(dst, buf, (size_t)n, (int64_t)doff)) < 0)
			break;
		soff += (uint64_t)n, doff += (uint64_t)n, len -= (uint64_t)n;
		rl__count_add(c, (uint64_t)n);
	}
	free(buf);
	return r;
}

/* Read src to EOF, writing at dst's offsets or (at_pos) its position; a
 * FIFO or device src is read at its position too. */
static int stream(int src, int dst, int at_pos, struct rl__count *c)
{
	struct stat st;
	int src_pos = fstat(src, &st) == 0 && !S_ISREG(st.st_mode);
	char *buf = malloc(RW_BUF_MAX);
	int64_t off = 0; /* explicit: SEEK_DATA may have moved the position */
	int r = 0;
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (rl__cancel_set(c->cancel)) {
			r = -ECANCELED;
			break;
		}
		ssize_t n = src_pos ? rl__read_stream(src, buf, RW_BUF_MAX, c->cancel)
				    : rl__read_full(src, buf, RW_BUF_MAX, off);
		if (n <= 0) {
			r = (int)n;
			break;
		}
		if ((r = rl__write_all(dst, buf, (size_t)n, at_pos ? -1 : off)) < 0)
			break;
		off += n;
		rl__count_add(c, (uint64_t)n);
	}
	free(buf);
	return r;
}

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call */
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The next step's size after one that took ns. */
static void tune_step(struct rl__count *c, long long ns)
{
	if (ns < STEP_FAST_NS && c->step < STEP_MAX)
		c->step *= 2;
	else if (ns > STEP_SLOW_NS && c->step > STEP_MIN)
		c->step /= 2;
}

int rl__copy_stream(int src, int dst, struct rl__count *c)
{
	return stream(src, dst, 0, c);
}

int rl__copy_to_stream(int src, int dst, struct rl__count *c)
{
	return stream(src, dst, 1, c);
}

static int cfr_segment(int src, int dst, uint64_t off, uint64_t len,
		       struct rl__count *c)
{
	int64_t in = (int64_t)off, out = (int64_t)off;
	int bounded = rl__count_bounded(c);
	if (bounded && !c->step)
		c->step = STEP_FIRST;
	while (len > 0) {
		uint64_t chunk = bounded ? c->step : CFR_CHUNK;
		if (rl__cancel_set(c->cancel))
			return -ECANCELED;
		long long t0 = bounded ? mono_ns() : 0;
		ssize_t n = rl__cfr(src, &in, dst, &out,
				    len < chunk ? (size_t)len : chunk);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return RL_ECHANGED; /* shrank under us, or the fs lied */
		if (bounded)
			tune_step(c, mono_ns() - t0);
		len -= (uint64_t)n;
		rl__count_add(c, (uint64_t)n);
	}
	return 0;
}

/* Next data segment at or after *off: [*off, *end). 0, 1 at end, -errno. */
static int next_segment(int fd, uint64_t size, uint64_t *off, uint64_t *end)
{
	int64_t d = rl__lseek(fd, (int64_t)*off, SEEK_DATA);
	if (d == -ENXIO)
		return 1;
	if (d == -EINVAL || d == -EOPNOTSUPP) { /* no SEEK_DATA: all data */
		*end = size;
		return *off >= size;
	}
	if (d < 0)
		return (int)d;
	int64_t h = rl__lseek(fd, d, SEEK_HOLE);
	if (h < 0)
		return (int)h;
	*off = (uint64_t)d;
	*end = (uint64_t)h < size ? (uint64_t)h : size;
	return *off >= size;
}

/* The walk ended in a hole: a trailing hole, or a source that shrank
 * under us (SEEK_DATA cannot tell them apart). */
static int same_size(int fd, uint64_t size)
{
	struct stat now;
	if (fstat(fd, &now) != 0)
		return -errno;
	return (uint64_t)now.st_size == size ? 0 : RL_ECHANGED;
}

int rl__copy_segments(int src, int dst, const struct stat *st, int use_cfr,
		      struct rl__count *c)
{
	uint64_t size = (uint64_t)st->st_size, off = 0, end = size;
	int r;
	/* Fully allocated files have no holes: skip the SEEK_DATA walk, and
	 * let the data writes set the size (one call less per file). */
	int dense = (uint64_t)st->st_blocks * 512 >= size;
	/* Sparse: final size first, so holes at the end stay and XFS keeps
	 * no speculative preallocation past EOF. */
	if (!dense && (r = rl__ftruncate(dst, size)) < 0)
		return r;
	while (off < size) {
		if (!dense && (r = next_segment(src, size, &off, &end)) != 0)
			return r < 0 ? r : same_size(src, size);
		r = use_cfr ? cfr_segment(src, dst, off, end - off, c)
			    : rl__copy_bytes(src, off, dst, off, end - off, c);
		if (r < 0)
			return r;
		off = end;
	}
	return 0;
}

/* Is buf[0, n) all zeros? */
static int all_zero(const char *buf, size_t n)
{
	return n == 0 || (buf[0] == 0 && memcmp(buf, buf + 1, n - 1) == 0);
}

/* pread [off, off+len) of src and pwrite only the blocks of blk bytes that
 * are not all zeros: dst, already sized, keeps holes for the rest. */
static int copy_nonzero(int src, int dst, uint64_t off, uint64_t len,
			size_t blk, struct rl__count *c)
{
	size_t cap = RW_BUF_MAX - RW_BUF_MAX % blk;
	char *buf = malloc(cap);
	int r = 0;
	if (!buf)
		return -ENOMEM;
	while (len > 0 && r == 0) {
		ssize_t n = rl__read_full(src, buf, len < cap ? (size_t)len : cap,
					  (int64_t)off);
		if (n <= 0) {
			r = n < 0 ? (int)n : RL_ECHANGED;
			break;
		}
		for (size_t i = 0; i < (size_t)n && r == 0; i += blk) {
			size_t k = (size_t)n - i < blk ? (size_t)n - i : blk;
			if (!all_zero(buf + i, k))
				r = rl__write_all(dst, buf + i, k, (int64_t)(off + i));
		}
		off += (uint64_t)n, len -= (uint64_t)n;
		rl__count_add(c, (uint64_t)n);
	}
	free(buf);
	return r;
}

int rl__copy_zeros_as_holes(int src, int dst, const struct stat *st,
			    struct rl__count *c)
{
	uint64_t size = (uint64_t)st->st_size, off = 0, end = size;
	size_t blk = st->st_blksize >= 512 && st->st_blksize <= (1 << 16)
			     ? (size_t)st->st_blksize : 4096;
	int r = rl__ftruncate(dst, size);
	while (r == 0 && off < size) {
		if ((r = next_segment(src, size, &off, &end)) != 0)
			return r < 0 ? r : same_size(src, size);
		r = copy_nonzero(src, dst, off, end - off, blk, c);
		off = end;
	}
	return r;
}
