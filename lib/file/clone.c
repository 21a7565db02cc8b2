/* clone.c - FICLONE and FICLONERANGE: sharing extents instead of copying. */
#include "../common/internal.h"
#include "../common/sys.h"

#include <errno.h>
#include <sys/stat.h>

static void add_result(rl_result *res, rl_method m, uint64_t cloned,
		       uint64_t copied)
{
	if (!res)
		return;
	res->cloned_bytes += cloned;
	res->copied_bytes += copied;
	res->bytes += cloned + copied;
	if (res->method == RL_METHOD_NONE || m == RL_METHOD_CLONE)
		res->method = m;
}

/* The middle [a, b) of the range that both offsets can clone at once. */
static void aligned_middle(uint64_t soff, uint64_t doff, uint64_t len,
			   uint64_t bs, uint64_t *a, uint64_t *b)
{
	*a = *b = 0;
	if (soff % bs != doff % bs)
		return; /* no block boundary lines up in both files */
	uint64_t head = (bs - soff % bs) % bs;
	if (head >= len)
		return;
	*a = head;
	*b = head + (len - head) / bs * bs;
}

static int copy_piece(int src, uint64_t soff, int dst, uint64_t doff,
		      uint64_t len, rl_result *res)
{
	struct rl__count c = { 0, len, NULL, NULL };
	int r = rl__copy_bytes(src, soff, dst, doff, len, &c);
	add_result(res, RL_METHOD_READ_WRITE, 0, c.moved);
	return r;
}

int rl_clone_range(int src_fd, uint64_t src_off, int dst_fd,
		   uint64_t dst_off, uint64_t len, rl_mode mode,
		   rl_result *res)
{
	struct stat sst, dst_st;
	if ((unsigned)mode > RL_MODE_NEVER || (res && res->version == 0))
		return -EINVAL;
	if (fstat(src_fd, &sst) != 0 || fstat(dst_fd, &dst_st) != 0)
		return -errno;
	if (!S_ISREG(sst.st_mode) || !S_ISREG(dst_st.st_mode))
		return S_ISDIR(sst.st_mode) || S_ISDIR(dst_st.st_mode) ? -EISDIR
									: RL_ENOTREGULAR;
	/* The range ends at the source's end at the latest. */
	uint64_t avail = (uint64_t)sst.st_size > src_off ? (uint64_t)sst.st_size - src_off : 0;
	if (len == 0 || len > avail)
		len = avail;
	if (len == 0)
		return 0;
	uint64_t bs = dst_st.st_blksize > 0 ? (uint64_t)dst_st.st_blksize : 4096;
	uint64_t a = 0, b = 0;
	if (mode != RL_MODE_NEVER)
		aligned_middle(src_off, dst_off, len, bs, &a, &b);
	if (a == b) {
		if (mode == RL_MODE_ALWAYS)
			return RL_ECLONE_INVAL;
		return copy_piece(src_fd, src_off, dst_fd, dst_off, len, res);
	}
	int r = rl__ficlonerange(dst_fd, src_fd, src_off + a, b - a, dst_off + a);
	if (r < 0 && (mode == RL_MODE_ALWAYS || !rl__fallback_ok(r)))
		return mode == RL_MODE_ALWAYS ? rl__fallback_reason(r) : r;
	if (r < 0)
		return copy_piece(src_fd, src_off, dst_fd, dst_off, len, res);
	add_result(res, RL_METHOD_CLONE, b - a, 0);
	if (a > 0 && (r = copy_piece(src_fd, src_off, dst_fd, dst_off, a, res)) < 0)
		return r;
	if (b < len)
		r = copy_piece(src_fd, src_off + b, dst_fd, dst_off + b, len - b, res);
	return r;
}
