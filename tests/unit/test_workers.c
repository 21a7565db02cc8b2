/* test_workers.c - how many workers a tree copy runs: never more than
 * asked with jobs set; by default one per CPU, more (at most four per
 * CPU) while the workers sleep with work waiting and read from the
 * device (the source's pages dropped from the cache), none more while
 * they only sleep (on locks, say). A callback that sleeps makes them
 * sleep: the callbacks run one at a time, so the others wait for it too. */
#include "test.h"
#include "test_tree.h"
#include "reflink.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEEN 300

/* The worker threads seen by on_entry (callbacks run one at a time). */
static struct {
	pid_t tid[MAX_SEEN];
	int n, sleep_us;
} seen;

static void on_entry(void *ctx, const char *path, int type, const rl_result *res)
{
	(void)ctx, (void)path, (void)type, (void)res;
	pid_t me = gettid();
	int i = 0;
	while (i < seen.n && seen.tid[i] != me)
		i++;
	if (i == seen.n && seen.n < MAX_SEEN)
		seen.tid[seen.n++] = me;
	if (seen.sleep_us) {
		struct timespec ts = { 0, seen.sleep_us * 1000L };
		nanosleep(&ts, NULL);
	}
}

/* 60 directories of 10 files: work stays queued while entries are made. */
static void build(void)
{
	char rel[64];
	mk_dir("src", 0755);
	for (int d = 0; d < 60; d++) {
		snprintf(rel, sizeof rel, "src/d%02d", d);
		mk_dir(rel, 0755);
		for (int f = 0; f < 10; f++) {
			snprintf(rel, sizeof rel, "src/d%02d/f%d", d, f);
			mk_file(rel, (size_t)(d * 37 + f * 101), (unsigned)(d * 10 + f));
		}
	}
}

/* The source's data written out and dropped from the page cache, so that
 * the copy reads it from the device again. */
static void drop_source(void)
{
	char rel[64], p[4096];
	sync();
	for (int d = 0; d < 60; d++)
		for (int f = 0; f < 10; f++) {
			snprintf(rel, sizeof rel, "src/d%02d/f%d", d, f);
			int fd = open(test_path(p, sizeof p, rel), O_RDONLY);
			ASSERT(fd >= 0);
			ASSERT(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0);
			close(fd);
		}
}

static int copy_seen_at(unsigned int jobs, const char *s, const char *d)
{
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.jobs = jobs;
	o.preserve = RL_PRESERVE_ALL;
	o.on_entry = on_entry;
	seen.n = 0;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	int r = rl_copy_tree(s, d, &o, &st);
	ASSERT_EQ(st.errors, 0);
	assert_same_tree(s, d, LIST_ALL);
	return r;
}

static int copy_seen(unsigned int jobs, const char *dst)
{
	char s[4096], d[4096];
	return copy_seen_at(jobs, test_path(s, sizeof s, "src"), test_path(d, sizeof d, dst));
}

TEST(tree_workers_never_more_than_jobs_asked)
{
	build();
	seen.sleep_us = 1000;
	ASSERT_EQ(copy_seen(1, "dst1"), 0);
	ASSERT_EQ(seen.n, 1);
	ASSERT_EQ(copy_seen(2, "dst2"), 0);
	ASSERT(seen.n <= 2);
}

TEST(tree_default_workers_grow_while_reading_the_disk_up_to_four_per_cpu)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	build();
	seen.sleep_us = 2000; /* 660 entries: about 1.3 s asleep */
	/* Asleep means not runnable: on a loaded machine each wake-up also
	 * waits for a CPU, which is not a reason to grow. Three tries. */
	static const char *const dst[] = { "dst", "dst2", "dst3" };
	for (int i = 0; i < 3; i++) {
		drop_source();
		ASSERT_EQ(copy_seen(0, dst[i]), 0);
		if (seen.n > cpus)
			break;
	}
	if (seen.n <= cpus || seen.n > 4 * cpus)
		FAILF("%d workers seen, %ld CPUs: want more than one per CPU, "
		      "at most four", seen.n, cpus);
}

/* Asleep with nothing to read from a device (the tree in memory, tmpfs:
 * on a disk even a warm copy reads some metadata blocks, for the inodes
 * it makes): more workers would only queue for whatever they sleep on. */
TEST(tree_default_workers_stay_while_asleep_on_a_warm_tree)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char s[4096], m[4096], d[4096];
	build();
	snprintf(m, sizeof m, "%s/src", fast_dir());
	snprintf(d, sizeof d, "%s/warm", fast_dir());
	ASSERT_EQ(copy_seen_at(1, test_path(s, sizeof s, "src"), m), 0);
	seen.sleep_us = 2000;
	ASSERT_EQ(copy_seen_at(0, m, d), 0);
	fast_dir_done();
	if (seen.n > cpus)
		FAILF("%d workers seen, %ld CPUs: a tree in memory grew", seen.n, cpus);
}
