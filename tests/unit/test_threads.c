/* test_threads.c - many threads using the library at once: the library
 * keeps no global state, so copies in parallel must each be exact, copies
 * racing to one destination must leave one complete copy, and
 * RL_F_NO_CLOBBER must let exactly one of them win. */
#include "test.h"
#include "reflink.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#define NTHREADS 16
#define FILE_SIZE (256 * 1024 + 123) /* not a block multiple */

struct worker {
	pthread_t tid;
	int id;
	int rounds;
	rl_mode mode;
	unsigned int flags;
	const char *dst;  /* shared destination, or NULL for a private one */
	int result;       /* last rl_copy_file result */
	int failures;     /* copies that returned an error */
	char err[200];    /* first problem seen, for the report */
};

static char src_path[NTHREADS][256];

/* Source i: FILE_SIZE bytes, distinct per i. */
static void make_sources(void)
{
	static char data[FILE_SIZE];
	for (int i = 0; i < NTHREADS; i++) {
		char name[32];
		snprintf(name, sizeof name, "src%02d", i);
		fill_random(data, sizeof data, 1000u + (unsigned)i);
		write_file(test_path(src_path[i], sizeof src_path[i], name), data,
			   sizeof data);
	}
}

/* Which source path's content the file holds: its index, or -1. */
static int which_source(const char *path)
{
	size_t len;
	char *got = read_file(path, &len);
	int found = -1;
	for (int i = 0; i < NTHREADS && found < 0; i++) {
		size_t sl;
		char *s = read_file(src_path[i], &sl);
		if (sl == len && memcmp(s, got, len) == 0)
			found = i;
		free(s);
	}
	free(got);
	return found;
}

static void *copy_loop(void *arg)
{
	struct worker *w = arg;
	char own[256], name[32];
	snprintf(name, sizeof name, "dst%02d", w->id);
	const char *dst = w->dst ? w->dst : test_path(own, sizeof own, name);
	for (int r = 0; r < w->rounds; r++) {
		rl_options o = RL_OPTIONS_INIT;
		rl_result res = RL_RESULT_INIT;
		o.mode = (r & 1) ? RL_MODE_NEVER : w->mode;
		o.flags = w->flags;
		w->result = rl_copy_file(src_path[w->id], dst, &o, &res);
		if (w->result < 0) {
			w->failures++;
			continue;
		}
		if (res.bytes != FILE_SIZE && !w->err[0])
			snprintf(w->err, sizeof w->err, "thread %d: bytes %llu", w->id,
				 (unsigned long long)res.bytes);
		/* A private destination must be exactly this thread's source. */
		if (!w->dst && which_source(dst) != w->id && !w->err[0])
			snprintf(w->err, sizeof w->err, "thread %d: %s holds the wrong data",
				 w->id, dst);
	}
	return NULL;
}

static void run_workers(struct worker *w, int n)
{
	for (int i = 0; i < n; i++)
		if (pthread_create(&w[i].tid, NULL, copy_loop, &w[i]) != 0)
			FAILF("pthread_create");
	for (int i = 0; i < n; i++)
		pthread_join(w[i].tid, NULL);
	for (int i = 0; i < n; i++)
		if (w[i].err[0])
			FAILF("%s", w[i].err);
}

/* Names in the scratch directory that are neither sources nor dst*. */
static int debris(void)
{
	DIR *d = opendir(test_dir());
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)))
		n += e->d_name[0] == '.' ? strcmp(e->d_name, ".") && strcmp(e->d_name, "..")
					 : strncmp(e->d_name, "src", 3) && strncmp(e->d_name, "dst", 3);
	closedir(d);
	return n;
}

TEST(threads_copy_their_own_files_exactly)
{
	struct worker w[NTHREADS];
	make_sources();
	memset(w, 0, sizeof w);
	for (int i = 0; i < NTHREADS; i++)
		w[i] = (struct worker){ .id = i, .rounds = 12, .mode = RL_MODE_AUTO };
	run_workers(w, NTHREADS);
	for (int i = 0; i < NTHREADS; i++)
		ASSERT_EQ(w[i].failures, 0);
	ASSERT_EQ(debris(), 0);
}

TEST(threads_racing_to_one_dest_leave_one_complete_copy)
{
	struct worker w[NTHREADS];
	char dst[256];
	make_sources();
	test_path(dst, sizeof dst, "dst");
	memset(w, 0, sizeof w);
	for (int i = 0; i < NTHREADS; i++)
		w[i] = (struct worker){ .id = i, .rounds = 10, .mode = RL_MODE_AUTO, .dst = dst };
	run_workers(w, NTHREADS);
	for (int i = 0; i < NTHREADS; i++)
		if (w[i].failures)
			FAILF("thread %d: %d copies failed, last %s", i, w[i].failures,
			      rl_strerror(w[i].result));
	ASSERT(which_source(dst) >= 0); /* one whole source, never a mix */
	ASSERT_EQ(debris(), 0);
}

TEST(threads_no_clobber_exactly_one_wins)
{
	struct worker w[NTHREADS];
	char dst[256];
	make_sources();
	test_path(dst, sizeof dst, "dst");
	memset(w, 0, sizeof w);
	for (int i = 0; i < NTHREADS; i++)
		w[i] = (struct worker){ .id = i, .rounds = 1, .mode = RL_MODE_AUTO,
					.flags = RL_F_NO_CLOBBER, .dst = dst };
	run_workers(w, NTHREADS);
	int winner = -1, wins = 0;
	for (int i = 0; i < NTHREADS; i++) {
		if (w[i].result == 0)
			winner = i, wins++;
		else if (w[i].result != -EEXIST)
			FAILF("thread %d: %s, wanted success or EEXIST", i,
			      rl_strerror(w[i].result));
	}
	ASSERT_EQ(wins, 1);
	ASSERT_EQ(which_source(dst), winner);
	ASSERT_EQ(debris(), 0);
}

struct probe_worker {
	pthread_t tid;
	int bad;
};

/* Probes, error strings and fd copies, all at once. */
static void *misc_loop(void *arg)
{
	struct probe_worker *p = arg;
	for (int r = 0; r < 20; r++) {
		rl_probe_result pr = RL_PROBE_INIT;
		if (rl_probe(test_dir(), &pr) != 0 || !pr.fstype[0])
			p->bad++;
		if (strcmp(rl_strerror(RL_ECHANGED), rl_strerror(RL_ECHANGED)) != 0 ||
		    !strstr(rl_strerror(-ENOSPC), "space"))
			p->bad++;
		int s = open(src_path[r % NTHREADS], O_RDONLY | O_CLOEXEC);
		int d = open(test_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		rl_result res = RL_RESULT_INIT;
		if (s < 0 || d < 0 || rl_copy_fd(s, d, NULL, &res) != 0 ||
		    res.bytes != FILE_SIZE)
			p->bad++;
		if (s >= 0)
			close(s);
		if (d >= 0)
			close(d);
	}
	return NULL;
}

TEST(threads_probe_strerror_and_copy_fd_at_once)
{
	struct probe_worker p[NTHREADS];
	make_sources();
	memset(p, 0, sizeof p);
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&p[i].tid, NULL, misc_loop, &p[i]) != 0)
			FAILF("pthread_create");
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(p[i].tid, NULL);
	for (int i = 0; i < NTHREADS; i++)
		ASSERT_EQ(p[i].bad, 0);
	ASSERT_EQ(debris(), 0); /* the probe leaves nothing behind */
}
