/* test_cancel.c - the cancel flag of rl_options and rl_tree_options
 * (version 2): set before a call, set by another thread during a
 * read/write copy and a copy_file_range copy of a big file on tmpfs, set
 * during a clone (tests named fs_*, run by tests/fs/cancel.sh on btrfs and
 * XFS), and during a tree. Each time: -ECANCELED soon after the flag was
 * set, the destination as it was, no debris. Also on_bytes' cadence. */
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

static void assert_content(const char *path, const char *want)
{
	size_t n;
	char *got = read_file(path, &n);
	if (n != strlen(want) || memcmp(got, want, n) != 0)
		FAILF("%s changed", path);
	free(got);
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

TEST(cancel_before_start)
{
	char src[512], dst[512], dir[512];
	volatile int flag = 1;
	write_file(test_path(src, sizeof src, "src"), "new data\n", 9);
	write_file(test_path(dst, sizeof dst, "dst"), "old\n", 4);
	rl_options o = RL_OPTIONS_INIT;
	o.cancel = &flag;
	ASSERT_EQ(rl_copy_file(src, dst, &o, NULL), -ECANCELED);
	assert_content(dst, "old\n");
	unlink(dst);
	ASSERT_EQ(rl_copy_file(src, dst, &o, NULL), -ECANCELED);
	ASSERT(access(dst, F_OK) != 0);
	ASSERT_EQ(count_entries(test_dir()), 1);

	int sfd = open(src, O_RDONLY), dfd = open(dst, O_RDWR | O_CREAT, 0644);
	ASSERT(sfd >= 0 && dfd >= 0);
	ASSERT_EQ(rl_copy_fd(sfd, dfd, &o, NULL), -ECANCELED);
	ASSERT_EQ(lseek(dfd, 0, SEEK_END), 0);
	ASSERT_EQ(rl_clone_range2(sfd, 0, dfd, 0, 0, &o, NULL), -ECANCELED);
	ASSERT_EQ(lseek(dfd, 0, SEEK_END), 0);
	close(sfd);
	close(dfd);

	mk_dir("tree", 0755);
	mk_file("tree/a", 100, 1);
	rl_tree_options t = RL_TREE_OPTIONS_INIT;
	t.cancel = &flag;
	ASSERT_EQ(rl_copy_tree(test_path(src, sizeof src, "tree"),
			       test_path(dir, sizeof dir, "tree-copy"), &t, NULL),
		  -ECANCELED);
	ASSERT(!exists("tree-copy"));
}

/* A version-1 caller's struct has no cancel field: whatever lies after it
 * is never read. */
TEST(cancel_version1_not_read)
{
	char src[512], dst[512];
	volatile int flag = 1;
	write_file(test_path(src, sizeof src, "src"), "new data\n", 9);
	test_path(dst, sizeof dst, "dst");
	rl_options o = RL_OPTIONS_INIT;
	o.version = 1;
	o.cancel = &flag; /* past the end of a version-1 struct */
	ASSERT_OK(rl_copy_file(src, dst, &o, NULL));
	assert_content(dst, "new data\n");
	rl_options_init(&o, 1);
	ASSERT(o.cancel == &flag); /* init of version 1 leaves it alone */
	rl_tree_options t;
	t.cancel = &flag;
	ASSERT_OK(rl_tree_options_init(&t, 1));
	ASSERT(t.cancel == &flag);
	mk_dir("tree", 0755);
	mk_file("tree/a", 100, 1);
	ASSERT_OK(rl_copy_tree(test_path(src, sizeof src, "tree"),
			       test_path(dst, sizeof dst, "tree-copy"), &t, NULL));
	ASSERT(exists("tree-copy/a"));
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

/* A tree of many small files, the flag set from on_entry: -ECANCELED, no
 * error reported, the files copied so far whole, no temporary left. */
struct tree_watch {
	volatile int flag;
	int entries, errors;
};

static void tw_entry(void *ctx, const char *path, int type, const rl_result *res)
{
	struct tree_watch *w = ctx;
	(void)path, (void)type, (void)res;
	if (++w->entries == 50)
		__atomic_store_n(&w->flag, 1, __ATOMIC_RELAXED);
}

static int tw_error(void *ctx, const char *src, const char *dst, int err)
{
	struct tree_watch *w = ctx;
	(void)src, (void)dst, (void)err;
	w->errors++;
	return 0;
}

/* Every file in the copy equals its source; none is a temporary. */
static int check_copied(const char *copy, const char *orig)
{
	char a[600], b[600];
	int n = 0;
	for (int i = 0; i < 2000; i++) {
		snprintf(a, sizeof a, "%s/d%d/f%d", copy, i % 20, i);
		snprintf(b, sizeof b, "%s/d%d/f%d", orig, i % 20, i);
		if (access(a, F_OK) != 0)
			continue;
		size_t la, lb;
		char *x = read_file(a, &la), *y = read_file(b, &lb);
		if (la != lb || memcmp(x, y, la) != 0)
			FAILF("%s is not whole", a);
		free(x);
		free(y);
		n++;
	}
	return n;
}

TEST(cancel_tree_small_files)
{
	char src[512], dst[512], rel[64];
	for (int d = 0; d < 20; d++) {
		snprintf(rel, sizeof rel, "src/d%d", d);
		if (d == 0)
			mk_dir("src", 0755);
		mk_dir(rel, 0755);
	}
	for (int i = 0; i < 2000; i++) {
		snprintf(rel, sizeof rel, "src/d%d/f%d", i % 20, i);
		mk_file(rel, 100 + (size_t)i, (unsigned)i);
	}
	struct tree_watch w = { 0, 0, 0 };
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	rl_tree_stats st;
	o.jobs = 4;
	o.mode = RL_MODE_NEVER;
	o.cancel = &w.flag;
	o.on_entry = tw_entry;
	o.on_error = tw_error;
	o.ctx = &w;
	test_path(src, sizeof src, "src");
	test_path(dst, sizeof dst, "dst");
	ASSERT_EQ(rl_copy_tree(src, dst, &o, &st), -ECANCELED);
	ASSERT_EQ(w.errors, 0);
	ASSERT_EQ(st.errors, 0);
	int n = check_copied(dst, src);
	fprintf(stderr, "# %d of 2000 files copied before the stop\n", n);
	ASSERT(n >= 40 && n < 2000);
	ASSERT_EQ((long long)st.files, n);
	char *list = tree_listing(dst, 0);
	ASSERT(!strstr(list, ".rl-tmp-"));
	free(list);
}

/* --- On a filesystem that clones (tests/fs/cancel.sh: RL_CLONE_DIR) --- */

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
	make_big(src, 3072 * MiB);
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
	ASSERT_EQ(res.cloned_bytes, 3072 * MiB);
	unlink(dst);
}

TEST(fs_cancel_clone_range)
{
	const char *dir = clone_dir();
	char src[512], dst[512];
	snprintf(src, sizeof src, "%s/big", dir);
	snprintf(dst, sizeof dst, "%s/dst", dir);
	make_big(src, 3072 * MiB);
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
	ASSERT_EQ(res.cloned_bytes, 3072 * MiB);
	ASSERT_EQ(res.method, RL_METHOD_CLONE);
	close(sfd);
	close(dfd);
	unlink(dst);
}
