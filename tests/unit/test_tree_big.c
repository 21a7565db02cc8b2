/* test_tree_big.c - trees that break naive walkers: deeper than 1000
 * levels under a small fd limit, and one directory of 100,000 entries. */
#include "test.h"
#include "test_tree.h"
#include "reflink.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEPTH 1500

/* A chain src/d/d/d/... DEPTH deep, built through fds; every 100th level
 * holds a file named after its depth. */
static void build_deep(const char *root)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	for (int i = 0; i < DEPTH; i++) {
		if (i % 100 == 0) {
			char name[32], data[32];
			snprintf(name, sizeof name, "f%d", i);
			int len = snprintf(data, sizeof data, "level %d", i);
			int f = openat(fd, name, O_WRONLY | O_CREAT, 0644);
			ASSERT(f >= 0 && write(f, data, (size_t)len) == len);
			close(f);
		}
		ASSERT(mkdirat(fd, "d", 0755) == 0);
		int next = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		ASSERT(next >= 0);
		if (i % 7 == 0) /* read-only levels, now that they are full */
			ASSERT(fchmod(fd, 0555) == 0);
		close(fd);
		fd = next;
	}
	close(fd);
}

/* Walk both chains a level at a time (one fd each): same files, modes,
 * modification times. */
static void check_deep(const char *a, const char *b)
{
	int x = open(a, O_RDONLY | O_DIRECTORY), y = open(b, O_RDONLY | O_DIRECTORY);
	for (int i = 0; i <= DEPTH; i++) {
		struct stat sx, sy;
		ASSERT(fstat(x, &sx) == 0 && fstat(y, &sy) == 0);
		if ((sx.st_mode & 07777) != (sy.st_mode & 07777) ||
		    sx.st_mtim.tv_sec != sy.st_mtim.tv_sec ||
		    sx.st_mtim.tv_nsec != sy.st_mtim.tv_nsec)
			FAILF("level %d: mode %o/%o mtime differs", i, sx.st_mode, sy.st_mode);
		char name[32], data[64];
		snprintf(name, sizeof name, "f%d", i);
		int f = openat(y, name, O_RDONLY);
		ASSERT_EQ(f >= 0, i % 100 == 0 && i < DEPTH);
		if (f >= 0) {
			ssize_t n = read(f, data, sizeof data - 1);
			data[n < 0 ? 0 : n] = 0;
			snprintf(name, sizeof name, "level %d", i);
			ASSERT_STR_EQ(data, name);
			close(f);
		}
		if (i == DEPTH)
			break;
		int nx = openat(x, "d", O_RDONLY | O_DIRECTORY);
		int ny = openat(y, "d", O_RDONLY | O_DIRECTORY);
		if (ny < 0)
			FAILF("level %d: no copy of d", i);
		close(x);
		close(y);
		x = nx;
		y = ny;
	}
	close(x);
	close(y);
}

TEST(tree_deeper_than_1000_levels_with_64_fds)
{
	char src[512], dst[512];
	snprintf(src, sizeof src, "%s/src", fast_dir());
	ASSERT(mkdir(src, 0755) == 0);
	build_deep(src);
	/* One fd per level would need thousands. */
	struct rlimit rl = { 64, 64 };
	ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	for (unsigned int jobs = 1; jobs <= 3; jobs += 2) {
		char name[32];
		snprintf(name, sizeof name, "dst%u", jobs);
		rl_tree_options o = RL_TREE_OPTIONS_INIT;
		o.jobs = jobs;
		o.preserve = RL_PRESERVE_ALL;
		rl_tree_stats st = RL_TREE_STATS_INIT;
		snprintf(dst, sizeof dst, "%s/%s", fast_dir(), name);
		ASSERT_OK(rl_copy_tree(src, dst, &o, &st));
		ASSERT_EQ(st.dirs, DEPTH + 1);
		ASSERT_EQ(st.files, DEPTH / 100);
		check_deep(src, dst);
	}
	/* No fd was left open by the copies. */
	int fd = open("/dev/null", O_RDONLY);
	ASSERT(fd >= 0 && fd < 8);
	fast_dir_done();
}

#define WIDE 100000

TEST(tree_directory_of_100000_entries)
{
	char src[512], dst[512];
	snprintf(src, sizeof src, "%s/src", fast_dir());
	snprintf(dst, sizeof dst, "%s/dst", fast_dir());
	ASSERT(mkdir(src, 0755) == 0);
	int fd = open(src, O_RDONLY | O_DIRECTORY);
	for (int i = 0; i < WIDE; i++) {
		char name[32];
		snprintf(name, sizeof name, "entry-%06d", i);
		int f = openat(fd, name, O_WRONLY | O_CREAT, 0644);
		ASSERT(f >= 0);
		if (i % 1000 == 0)
			ASSERT(write(f, name, strlen(name)) == (ssize_t)strlen(name));
		close(f);
	}
	mkdirat(fd, "sub", 0755);
	close(fd);
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.jobs = 2;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(rl_copy_tree(src, dst, &o, &st));
	ASSERT_EQ(st.files, WIDE);
	ASSERT_EQ(st.dirs, 2);
	DIR *d = opendir(dst);
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n++;
	closedir(d);
	ASSERT_EQ(n, WIDE + 3);
	char p[600];
	size_t len;
	snprintf(p, sizeof p, "%s/entry-099000", dst);
	free(read_file(p, &len));
	ASSERT_EQ(len, strlen("entry-099000"));
	/* Streamed, not loaded: the whole process stays small. */
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	if (ru.ru_maxrss > 32 * 1024)
		FAILF("peak RSS %ld KiB", ru.ru_maxrss);
	fast_dir_done();
}
