/* test_cancel_big.c - cancelling big copies, timed: another thread sets
 * the flag during a read/write copy and a copy_file_range copy of a 1 GiB
 * file on tmpfs, and during a clone in pieces (tests named fs_*, run by
 * tests/fs/cancel.sh on btrfs and XFS). Each time: -ECANCELED soon after
 * the flag was set, the destination as it was, no debris. Also on_bytes'
 * cadence. (Left out of the valgrind run: timing means nothing there.) */
#include "test.h"
#include "test_tree.h"
#include "reflink.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MiB (1ull << 20)
#define BIG (1024 * MiB) /* about a second through read/write on tmpfs */
/* "Within about 100 ms", loosely: the machine is shared. */
#define LATENCY_MAX_MS 250.0

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A dense file of size bytes (1 MiB of pseudo-random data repeated, each
 * copy stamped with its index). */
static void make_big(const char *path, uint64_t size)
{
	struct stat st;
	if (stat(path, &st) == 0 && (uint64_t)st.st_size == size)
		return; /* made by an earlier test on the same filesystem */
	char *buf = malloc(MiB);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (!buf || fd < 0)
		FAILF("make %s", path);
	fill_random(buf, MiB, 7);
	for (uint64_t off = 0; off < size; off += MiB) {
		memcpy(buf, &off, sizeof off);
		if (pwrite(fd, buf, MiB, (off_t)off) != (ssize_t)MiB)
			FAILF("write %s", path);
	}
	/* On disk before it is cloned: a clone first waits for the writeback
	 * of its range, which is the disk's time, not ours to bound. */
	if (fdatasync(fd) != 0)
		FAILF("fdatasync %s", path);
	close(fd);
	free(buf);
}

/* A thread that sets the flag after delay_ms and notes when. */
struct canceller {
	pthread_t tid;
	volatile int flag;
	double delay_ms, set_at;
};

static void *cancel_main(void *arg)
{
	struct canceller *c = arg;
	struct timespec ts = { 0, (long)(c->delay_ms * 1e6) };
	nanosleep(&ts, NULL);
	c->set_at = now_ms();
	__atomic_store_n(&c->flag, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void cancel_after(struct canceller *c, double ms)
{
	c->flag = 0;
	c->delay_ms = ms;
	c->set_at = 0;
	if (pthread_create(&c->tid, NULL, cancel_main, c) != 0)
		FAILF("pthread_create");
}

/* Join the thread; the call returned at `done`: check it was soon. */
static void assert_prompt(struct canceller *c, double done, const char *what)
{
	pthread_join(c->tid, NULL);
	double late = done - c->set_at;
	fprintf(stderr, "# %s: returned %.1f ms after the flag was set\n", what, late);
	if (c->set_at == 0 || late > LATENCY_MAX_MS)
		FAILF("%s: %.1f ms after the flag (limit %.0f)", what, late, LATENCY_MAX_MS);
}

/* rl_copy_file of src over an existing "old" dst, cancelled after ms. */
static void cancel_copy(const char *dir, rl_mode mode, double ms, const char *what)
{
	char src[512], dst[512];
	struct canceller c;
	snprintf(src, sizeof src, "%s/big", dir);
	snprintf(dst, sizeof dst, "%s/dst", dir);
	write_file(dst, "old\n", 4);
	rl_options o = RL_OPTIONS_INIT;
	o.mode = mode;
	o.cancel = &c.flag;
	rl_result res = RL_RESULT_INIT;
	cancel_after(&c, ms);
	int r = rl_copy_file(src, dst, &o, &res);
	double done = now_ms();
	ASSERT_EQ(r, -ECANCELED);
	assert_prompt(&c, done, what);
	assert_content(dst, "old\n");
	ASSERT_EQ(count_entries(dir), 2); /* big, dst: no temporary left */
}

/* What a plain copy of a small file uses here, to know the path taken. */
static rl_method method_here(const char *dir, rl_mode mode)
{
	char a[512], b[512];
	snprintf(a, sizeof a, "%s/probe-a", dir);
	snprintf(b, sizeof b, "%s/probe-b", dir);
	write_file(a, "probe data\n", 11);
	rl_options o = RL_OPTIONS_INIT;
	rl_result res = RL_RESULT_INIT;
	o.mode = mode;
	ASSERT_OK(rl_copy_file(a, b, &o, &res));
	unlink(a);
	unlink(b);
	return res.method;
}

/* on_bytes' cadence: the longest gap between calls, and the last call. */
struct cadence {
	double last, max_gap;
	uint64_t done, total, calls;
};

static void on_bytes(void *ctx, uint64_t done, uint64_t total)
{
	struct cadence *k = ctx;
	double t = now_ms();
	if (k->calls && t - k->last > k->max_gap)
		k->max_gap = t - k->last;
	k->last = t;
	k->done = done;
	k->total = total;
	k->calls++;
}

static void check_cadence(const char *dir, rl_mode mode, const char *what)
{
	char src[512], dst[512];
	snprintf(src, sizeof src, "%s/big", dir);
	snprintf(dst, sizeof dst, "%s/dst", dir);
	struct cadence k = { 0 };
	rl_options o = RL_OPTIONS_INIT;
	o.mode = mode;
	o.on_bytes = on_bytes;
	o.ctx = &k;
	k.last = now_ms();
	ASSERT_OK(rl_copy_file(src, dst, &o, NULL));
	fprintf(stderr, "# %s: %llu calls, longest gap %.1f ms\n", what,
		(unsigned long long)k.calls, k.max_gap);
	ASSERT(k.calls > 2);
	ASSERT(k.max_gap <= 250.0);
	ASSERT_EQ(k.done, BIG);
	ASSERT_EQ(k.total, BIG);
	unlink(dst);
}

/* On tmpfs: read/write (NEVER) and copy_file_range (AUTO: tmpfs cannot
 * clone), cancelled by another thread mid-copy; rl_copy_fd too. */
TEST(cancel_big_copies)
{
	const char *dir = fast_dir();
	char src[512], dst[512];
	snprintf(src, sizeof src, "%s/big", dir);
	snprintf(dst, sizeof dst, "%s/dst", dir);
	make_big(src, BIG);
	cancel_copy(dir, RL_MODE_NEVER, 60, "read/write");
	ASSERT_EQ(method_here(dir, RL_MODE_AUTO), RL_METHOD_COPY_RANGE);
	cancel_copy(dir, RL_MODE_AUTO, 60, "copy_file_range");

	struct canceller c;
	rl_options o = RL_OPTIONS_INIT;
	o.mode = RL_MODE_NEVER;
	o.cancel = &c.flag;
	int sfd = open(src, O_RDONLY), dfd = open(dst, O_RDWR | O_TRUNC);
	ASSERT(sfd >= 0 && dfd >= 0);
	cancel_after(&c, 60);
	ASSERT_EQ(rl_copy_fd(sfd, dfd, &o, NULL), -ECANCELED);
	assert_prompt(&c, now_ms(), "rl_copy_fd");
	ASSERT_EQ(lseek(dfd, 0, SEEK_END), 0); /* back to empty */
	close(sfd);
	close(dfd);
	unlink(dst);

	check_cadence(dir, RL_MODE_NEVER, "read/write progress");
	check_cadence(dir, RL_MODE_AUTO, "copy_file_range progress");
	fast_dir_done();
}

/* --- On a filesystem that clones (tests/fs/cancel.sh: RL_CLONE_DIR) --- */

/* Over 1 GiB: cloned in two pieces when a cancel flag is given. */
#define CLONE_BIG (2049 * MiB)

static const char *clone_dir(void)
{
	const char *d = getenv("RL_CLONE_DIR");
	rl_probe_result p = RL_PROBE_INIT;
	if (!d || rl_probe(d, &p) != 0 || !p.supported)
		exit(77);
	return d;
}

/* Cancel from on_bytes, called after each 1 GiB clone piece: the second
 * piece is never made. */
struct flag_box {
	volatile int flag;
};

static void cancel_on_bytes(void *ctx, uint64_t done, uint64_t total)
{
	struct flag_box *b = ctx;
	(void)done, (void)total;
	__atomic_store_n(&b->flag, 1, __ATOMIC_RELAXED);
}

TEST(fs_cancel_clone)
{
	const char *dir = clone_dir();
	char src[512], dst[512];
	snprintf(src, sizeof src, "%s/big", dir);
	snprintf(dst, sizeof dst, "%s/dst", dir);
	make_big(src, CLONE_BIG);
	write_file(dst, "old\n", 4);
	struct flag_box box = { 0 };
	rl_options o = RL_OPTIONS_INIT;
	o.mode = RL_MODE_ALWAYS;
	o.cancel = &box.flag;
	o.on_bytes = cancel_on_bytes;
	o.ctx = &box;
	ASSERT_EQ(rl_copy_file(src, dst, &o, NULL), -ECANCELED);
	assert_content(dst, "old\n");
	ASSERT_EQ(count_entries(dir), 2);

	/* A thread's flag during a clone in pieces: loosely timed. */
	struct canceller c;
	rl_result res = RL_RESULT_INIT;
	o.on_bytes = NULL;
	o.cancel = &c.flag;
	cancel_after(&c, 1);
	int r = rl_copy_file(src, dst, &o, &res);
	double done = now_ms();
	pthread_join(c.tid, NULL);
	fprintf(stderr, "# clone with a thread's flag at 1 ms: %d, %.1f ms after it\n",
		r, done - c.set_at);
	ASSERT(r == -ECANCELED || (r == 0 && res.method == RL_METHOD_CLONE));
	if (r == -ECANCELED)
		assert_content(dst, "old\n");
	ASSERT(done - c.set_at < 1000.0);
	ASSERT_EQ(count_entries(dir), 2);

	/* Not cancelled: the pieces make a whole clone. */
	box.flag = 0;
	o.cancel = &box.flag;
	res = (rl_result)RL_RESULT_INIT;
	ASSERT_OK(rl_copy_file(src, dst, &o, &res));
	ASSERT_EQ(res.method, RL_METHOD_CLONE);
	ASSERT_EQ(res.cloned_bytes, CLONE_BIG);
	unlink(dst);
}

TEST(fs_cancel_clone_range)
{
	const char *dir = clone_dir();
	char src[512], dst[512];
	snprintf(src, sizeof src, "%s/big", dir);
	snprintf(dst, sizeof dst, "%s/dst", dir);
	make_big(src, CLONE_BIG);
	int sfd = open(src, O_RDONLY), dfd = open(dst, O_RDWR | O_CREAT | O_TRUNC, 0644);
	ASSERT(sfd >= 0 && dfd >= 0);
	struct flag_box box = { 0 };
	rl_options o = RL_OPTIONS_INIT;
	rl_result res = RL_RESULT_INIT;
	o.mode = RL_MODE_ALWAYS;
	o.cancel = &box.flag;
	o.on_bytes = cancel_on_bytes;
	o.ctx = &box;
	ASSERT_EQ(rl_clone_range2(sfd, 0, dfd, 0, 0, &o, &res), -ECANCELED);
	ASSERT_EQ(res.cloned_bytes, 1024 * MiB); /* one piece, then the stop */
	box.flag = 0;
	o.on_bytes = NULL;
	res = (rl_result)RL_RESULT_INIT;
	ASSERT_OK(rl_clone_range2(sfd, 0, dfd, 0, 0, &o, &res));
	ASSERT_EQ(res.cloned_bytes, CLONE_BIG);
	ASSERT_EQ(res.method, RL_METHOD_CLONE);
	close(sfd);
	close(dfd);
	unlink(dst);
}

/* A tree whose one file is a huge clone, made in place by the tree
 * engine: the same pieces, so a thread's flag stops it within one piece;
 * the file is then absent, not partial, and nothing else is left. */
TEST(fs_cancel_tree_clone)
{
	const char *dir = clone_dir();
	char src[512], big[512], dst[512], got[600];
	snprintf(src, sizeof src, "%s/tree", dir);
	snprintf(big, sizeof big, "%s/tree/big", dir);
	snprintf(dst, sizeof dst, "%s/tcopy", dir);
	mkdir(src, 0755);
	make_big(big, CLONE_BIG);
	struct canceller c;
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	o.mode = RL_MODE_ALWAYS;
	o.jobs = 1;
	o.cancel = &c.flag;
	cancel_after(&c, 1);
	int r = rl_copy_tree(src, dst, &o, &st);
	double done = now_ms();
	pthread_join(c.tid, NULL);
	fprintf(stderr, "# tree clone with a thread's flag at 1 ms: %d, %.1f ms after it\n",
		r, done - c.set_at);
	ASSERT(r == -ECANCELED || (r == 0 && st.cloned_bytes == CLONE_BIG));
	ASSERT(done - c.set_at < 1000.0);
	snprintf(got, sizeof got, "%s/big", dst);
	struct stat sb;
	/* Cancelled, the file is absent, or finished before the flag was
	 * seen: then whole (a tree keeps the files it finished). */
	int whole = stat(got, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (uint64_t)sb.st_size == CLONE_BIG;
	if (r == -ECANCELED)
		ASSERT(whole || (stat(got, &sb) != 0 && errno == ENOENT));
	else
		ASSERT(whole);
	/* A flag seen before the root was made leaves no root at all. */
	int made = stat(dst, &sb) == 0 ? count_entries(dst) : 0;
	ASSERT(r == -ECANCELED || made == 1);
	ASSERT_EQ(made, whole ? 1 : 0); /* no temporary */

	/* Not cancelled: one whole clone. */
	unlink(got);
	rmdir(dst);
	c.flag = 0;
	st = (rl_tree_stats)RL_TREE_STATS_INIT;
	ASSERT_OK(rl_copy_tree(src, dst, &o, &st));
	ASSERT_EQ(st.cloned_bytes, CLONE_BIG);
	ASSERT_EQ(st.by_method[RL_METHOD_CLONE], 1);
	unlink(got);
	rmdir(dst);
	unlink(big);
	rmdir(src);
}
