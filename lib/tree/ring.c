/* ring.c - a minimal io_uring (raw system calls, no liburing): one
 * ring per worker thread, to open and close many files with one
 * system call. Only OPENAT and CLOSE are used (Linux 5.6). Where
 * io_uring is missing or forbidden (seccomp, sysctl io_uring_disabled),
 * setup fails and the caller does without. */
#include "tree.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void unmap(struct rl__ring *r)
{
	if (r->sq_ptr && r->sq_ptr != MAP_FAILED)
		munmap(r->sq_ptr, r->sq_len);
	if (r->cq_ptr && r->cq_ptr != MAP_FAILED && r->cq_ptr != r->sq_ptr)
		munmap(r->cq_ptr, r->cq_len);
	if (r->sqes && r->sqes != MAP_FAILED)
		munmap(r->sqes, r->sqes_len);
}

static int setup(unsigned int entries, struct io_uring_params *p)
{
	/* One thread submits and reaps: let completions wait for it. */
	memset(p, 0, sizeof *p);
	p->flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	int fd = (int)syscall(__NR_io_uring_setup, entries, p);
	if (fd < 0 && errno == EINVAL) { /* before 6.1 */
		memset(p, 0, sizeof *p);
		fd = (int)syscall(__NR_io_uring_setup, entries, p);
	}
	return fd < 0 ? -errno : fd;
}

int rl__ring_init(struct rl__ring *r, unsigned int entries)
{
	struct io_uring_params p;
	memset(r, 0, sizeof *r);
	r->fd = setup(entries, &p);
	if (r->fd < 0)
		return r->fd;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		r->sq_len = r->cq_len = r->sq_len > r->cq_len ? r->sq_len : r->cq_len;
	r->sq_ptr = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	r->cq_ptr = (p.features & IORING_FEAT_SINGLE_MMAP) ? r->sq_ptr
		: mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sq_ptr == MAP_FAILED || r->cq_ptr == MAP_FAILED || r->sqes == MAP_FAILED) {
		int err = -errno;
		rl__ring_fini(r);
		return err;
	}
	char *sq = r->sq_ptr, *cq = r->cq_ptr;
	r->sq_head = (unsigned *)(sq + p.sq_off.head);
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = *(unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = *(unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	r->entries = p.sq_entries;
	return 0;
}

void rl__ring_fini(struct rl__ring *r)
{
	unmap(r);
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof *r);
	r->fd = -1;
}

/* The next free submission entry, cleared, or NULL when the ring is full. */
static struct io_uring_sqe *next_sqe(struct rl__ring *r, uint64_t data)
{
	unsigned int tail = *r->sq_tail;
	if (tail - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE) >= r->entries)
		return NULL;
	unsigned int i = tail & r->sq_mask;
	struct io_uring_sqe *sqe = &r->sqes[i];
	memset(sqe, 0, sizeof *sqe);
	sqe->user_data = data;
	r->sq_array[i] = i;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	r->queued++;
	return sqe;
}

int rl__ring_openat(struct rl__ring *r, int dirfd, const char *name,
		    int flags, mode_t mode, uint64_t data)
{
	struct io_uring_sqe *sqe = next_sqe(r, data);
	if (!sqe)
		return -EBUSY;
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = dirfd;
	sqe->addr = (uint64_t)(uintptr_t)name;
	sqe->len = mode;
	sqe->open_flags = (uint32_t)flags;
	return 0;
}

int rl__ring_close(struct rl__ring *r, int fd, uint64_t data)
{
	struct io_uring_sqe *sqe = next_sqe(r, data);
	if (!sqe)
		return -EBUSY;
	sqe->opcode = IORING_OP_CLOSE;
	sqe->fd = fd;
	return 0;
}

/* Submit everything queued; wait until `want` completions have been
 * reaped, passing each to fn. 0 or -errno (the ring is then unusable). */
int rl__ring_run(struct rl__ring *r, unsigned int want,
		 void (*fn)(void *ctx, uint64_t data, int res), void *ctx)
{
	unsigned int got = 0;
	for (;;) {
		unsigned int head = *r->cq_head;
		unsigned int tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
		for (; head != tail; head++, got++) {
			struct io_uring_cqe *c = &r->cqes[head & r->cq_mask];
			fn(ctx, c->user_data, c->res);
			r->inflight--;
		}
		__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
		unsigned int submit = *r->sq_tail -
				      __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
		if (got >= want && submit == 0)
			return 0;
		unsigned int wait = got >= want ? 0 : want - got;
		int n = (int)syscall(__NR_io_uring_enter, r->fd, submit, wait,
				     wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
		if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EBUSY)
			return -errno;
		if (n > 0) {
			r->inflight += (unsigned int)n;
			r->queued -= (unsigned int)n;
		}
	}
}
