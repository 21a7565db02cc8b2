/* ladder.c - the copy strategies and the order each mode tries them in.
 *
 * Each step answers STEP_DONE, STEP_NEXT (not possible here: try the next
 * step) or a negative error that stops the copy. A step may answer NEXT
 * only before it wrote any data: falling back after a partial copy could
 * leave a mix of old and new bytes. */
#include "../common/internal.h"
#include "../common/sys.h"

#include <errno.h>

enum { STEP_DONE = 0, STEP_NEXT = 1 };

struct job {
	int src, dst;
	const struct stat *st;
	rl_mode mode;
	rl_sparse sparse;
	const struct rl__env *env;
	struct rl__count count; /* bytes copied (not cloned) */
	uint64_t cloned;
	uint64_t size; /* logical size of the result */
};

static int step_clone(struct job *j)
{
	if (j->env->no_clone && j->mode == RL_MODE_AUTO)
		return STEP_NEXT; /* the caller tried it already (tree.c) */
	if (j->sparse == RL_SPARSE_NEVER)
		return STEP_NEXT; /* every byte written: nothing shared */
	int r = rl__clone_file(j->dst, j->src, (uint64_t)j->st->st_size, &j->count);
	if (r == 0) {
		j->cloned = j->size = (uint64_t)j->st->st_size;
		if (j->count.cb)
			j->count.cb(j->count.ctx, j->size, j->size);
		return STEP_DONE;
	}
	if (j->mode == RL_MODE_ALWAYS)
		return rl__fallback_reason(r);
	return rl__fallback_ok(r) ? STEP_NEXT : r;
}

static int step_copy_range(struct job *j)
{
	/* Size 0 is a procfs-style file (or empty): nothing to walk. */
	if (!j->env->cfr_usable || j->st->st_size == 0)
		return STEP_NEXT;
	/* The kernel decides the layout: not when holes are our choice. */
	if (j->sparse != RL_SPARSE_AUTO)
		return STEP_NEXT;
	int r = rl__copy_segments(j->src, j->dst, j->st, 1, &j->count);
	if (r == 0) {
		j->size = (uint64_t)j->st->st_size;
		return STEP_DONE;
	}
	/* Zero at the very start: the kernel cannot copy this file (procfs,
	 * sysfs before 5.7 report 0 rather than an error). */
	if (j->count.moved == 0 && (r == RL_ECHANGED || rl__fallback_ok(r)))
		return STEP_NEXT;
	return r;
}

static int step_read_write(struct job *j)
{
	int r;
	if (j->st->st_size > 0 && !rl__is_pseudo_fs(j->src)) {
		j->size = (uint64_t)j->st->st_size;
		if (j->sparse == RL_SPARSE_ALWAYS)
			return rl__copy_zeros_as_holes(j->src, j->dst, j->st,
						       &j->count);
		if (j->sparse == RL_SPARSE_NEVER) /* holes written as zeros */
			return rl__copy_bytes(j->src, 0, j->dst, 0, j->size,
					      &j->count);
		return rl__copy_segments(j->src, j->dst, j->st, 0, &j->count);
	}
	/* Pseudo files: sizes lie, so read to EOF. An earlier step may have
	 * sized dst already. */
	if (j->st->st_size > 0 && (r = rl__ftruncate(j->dst, 0)) < 0)
		return r;
	r = rl__copy_stream(j->src, j->dst, &j->count);
	j->size = j->count.moved;
	return r;
}

struct step {
	rl_method method;
	int (*run)(struct job *);
	unsigned int modes; /* bit (1 << rl_mode) for each mode using it */
};

#define M(x) (1u << (x))
static const struct step ladder[] = {
	{ RL_METHOD_CLONE, step_clone, M(RL_MODE_ALWAYS) | M(RL_MODE_AUTO) },
	/* copy_file_range may reflink on btrfs/XFS: not in NEVER mode. */
	{ RL_METHOD_COPY_RANGE, step_copy_range, M(RL_MODE_AUTO) },
	{ RL_METHOD_READ_WRITE, step_read_write, M(RL_MODE_AUTO) | M(RL_MODE_NEVER) },
};

int rl__copy_data(int src, int dst, const struct stat *st,
		  const rl_options *opts, const struct rl__env *env,
		  rl_result *res)
{
	rl_mode mode = opts->mode;
	struct job j = {
		.src = src, .dst = dst, .st = st, .mode = mode,
		.sparse = opts->sparse, .env = env,
		.count = { 0, (uint64_t)st->st_size, opts->on_bytes, opts->ctx,
			   rl__options_cancel(opts), 0 },
	};
	if (rl__cancel_set(j.count.cancel))
		return -ECANCELED;
	for (size_t i = 0; i < sizeof ladder / sizeof ladder[0]; i++) {
		if (!(ladder[i].modes & M(mode)))
			continue;
		int r = ladder[i].run(&j);
		if (r == STEP_NEXT)
			continue;
		if (r < 0)
			return r;
		if (res) {
			res->method = ladder[i].method;
			res->cloned_bytes += j.cloned;
			res->copied_bytes += j.count.moved;
			res->bytes += j.size;
		}
		return 0;
	}
	return -EOPNOTSUPP; /* every step declined: nothing can copy this */
}

int rl_copy_fd(int src_fd, int dst_fd, const rl_options *opts, rl_result *res)
{
	rl_options o = RL_OPTIONS_INIT;
	struct stat st;
	struct rl__env env;
	int r;
	if (opts && (r = rl__options_copy(&o, opts)) < 0)
		return r;
	opts = &o;
	if (fstat(src_fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : RL_ENOTREGULAR;
	if ((r = rl__ftruncate(dst_fd, 0)) < 0)
		return r;
	rl__env_init(&env);
	r = rl__copy_data(src_fd, dst_fd, &st, opts, &env, res);
	if (r == -ECANCELED) /* as it was: empty */
		rl__ftruncate(dst_fd, 0);
	return r;
}
