/* clone.c - FICLONE and FICLONERANGE: sharing extents instead of copying. */
#include "../common/internal.h"
#include "../common/sys.h"

#include <errno.h>
#include <sys/stat.h>

/* A clone of a file this large, when the caller may cancel, is made in
 * pieces of this size (a multiple of every block size), so a stop waits
 * for one piece at most: FICLONE of a large fragmented file can take
 * seconds. */
#define CLONE_PIECE (1ull << 30)

/* FICLONERANGE piece by piece, the last one to EOF (length 0). */
static int clone_pieces(int dst, int src, uint64_t size, struct rl__count *c)
{
	for (uint64_t off = 0; off < size; off += CLONE_PIECE) {
		if (rl__cancel_set(c->cancel))
			return -ECANCELED;
		uint64_t len = size - off > CLONE_PIECE ? CLONE_PIECE : 0;
		int r = rl__ficlonerange(dst, src, off, len, off);
		if (r < 0)
			return r;
		if (c->cb && len)
			c->cb(c->ctx, off + len, c->total);
	}
	return 0;
}

int rl__clone_file(int dst, int src, uint64_t size, struct rl__count *c)
{
	if (!c->cancel || size <= CLONE_PIECE)
		return rl__ficlone(dst, src);
	int r = clone_pieces(dst, src, size, c);
	if (r == 0 || r == -ECANCELED || !rl__fallback_ok(r))
		return r;
	/* Ranges refused: whole files may still clone. Start from empty, so
	 * a failure leaves dst as the next step expects it. */
	if ((r = rl__ftruncate(dst, 0)) < 0)
		return r;
	return rl__ficlone(dst, src);
}

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

/* One rl_clone_range2 call: the two files, where the range starts in
 * each, the mode, and the bytes moved so far (progress and cancel). */
struct range {
	int src, dst;
	uint64_t soff, doff;
	rl_mode mode;
	struct rl__count count;
};

/* Copy [from, to) of the range. */
static int copy_piece(struct range *g, uint64_t from, uint64_t to,
		      rl_result *res)
{
	uint64_t before = g->count.moved;
	int r = rl__copy_bytes(g->src, g->soff + from, g->dst, g->doff + from,
			       to - from, &g->count);
	add_result(res, RL_METHOD_READ_WRITE, 0, g->count.moved - before);
	return r;
}

/* Clone [a, b) of the range (block aligned in both files); with a cancel
 * flag, in pieces checked between. What AUTO cannot clone is copied. */
static int clone_middle(struct range *g, uint64_t a, uint64_t b,
			rl_result *res)
{
	uint64_t piece = g->count.cancel ? CLONE_PIECE : b - a;
	for (uint64_t off = a; off < b; off += piece) {
		uint64_t len = b - off < piece ? b - off : piece;
		if (rl__cancel_set(g->count.cancel))
			return -ECANCELED;
		int r = rl__ficlonerange(g->dst, g->src, g->soff + off, len,
					 g->doff + off);
		if (r < 0 && g->mode == RL_MODE_ALWAYS)
			return rl__fallback_reason(r);
		if (r < 0)
			return rl__fallback_ok(r) ? copy_piece(g, off, b, res) : r;
		add_result(res, RL_METHOD_CLONE, len, 0);
		rl__count_add(&g->count, len);
	}
	return 0;
}

/* The range's length, 0 meaning up to the source's end (and never past
 * it); -errno if the files are not both regular. */
static int64_t range_len(int src_fd, uint64_t src_off, int dst_fd,
			 uint64_t len, uint64_t *bs)
{
	struct stat sst, dst_st;
	if (fstat(src_fd, &sst) != 0 || fstat(dst_fd, &dst_st) != 0)
		return -errno;
	if (!S_ISREG(sst.st_mode) || !S_ISREG(dst_st.st_mode))
		return S_ISDIR(sst.st_mode) || S_ISDIR(dst_st.st_mode) ? -EISDIR
									: RL_ENOTREGULAR;
	uint64_t avail = (uint64_t)sst.st_size > src_off ? (uint64_t)sst.st_size - src_off : 0;
	*bs = dst_st.st_blksize > 0 ? (uint64_t)dst_st.st_blksize : 4096;
	return (int64_t)(len == 0 || len > avail ? avail : len);
}

static int range_run(struct range *g, uint64_t len, uint64_t bs,
		     rl_result *res)
{
	uint64_t a = 0, b = 0;
	if (g->mode != RL_MODE_NEVER)
		aligned_middle(g->soff, g->doff, len, bs, &a, &b);
	if (a == b && g->mode == RL_MODE_ALWAYS)
		return RL_ECLONE_INVAL;
	if (a == b)
		return copy_piece(g, 0, len, res);
	int r = clone_middle(g, a, b, res);
	if (r == 0 && a > 0)
		r = copy_piece(g, 0, a, res);
	if (r == 0 && b < len)
		r = copy_piece(g, b, len, res);
	return r;
}

int rl_clone_range2(int src_fd, uint64_t src_off, int dst_fd,
		    uint64_t dst_off, uint64_t len, const rl_options *opts,
		    rl_result *res)
{
	rl_options defaults = RL_OPTIONS_INIT;
	uint64_t bs = 4096;
	if (!opts)
		opts = &defaults;
	if (rl__options_check(opts) < 0 || opts->flags || opts->preserve ||
	    (res && res->version == 0))
		return -EINVAL;
	int64_t n = range_len(src_fd, src_off, dst_fd, len, &bs);
	if (n <= 0)
		return (int)n;
	struct range g = {
		.src = src_fd, .dst = dst_fd, .soff = src_off, .doff = dst_off,
		.mode = opts->mode,
		.count = { 0, (uint64_t)n, opts->on_bytes, opts->ctx,
			   rl__options_cancel(opts), 0 },
	};
	if (rl__cancel_set(g.count.cancel))
		return -ECANCELED;
	return range_run(&g, (uint64_t)n, bs, res);
}

int rl_clone_range(int src_fd, uint64_t src_off, int dst_fd,
		   uint64_t dst_off, uint64_t len, rl_mode mode,
		   rl_result *res)
{
	rl_options opts = RL_OPTIONS_INIT;
	if ((unsigned)mode > RL_MODE_NEVER)
		return -EINVAL;
	opts.mode = mode;
	return rl_clone_range2(src_fd, src_off, dst_fd, dst_off, len, &opts, res);
}
