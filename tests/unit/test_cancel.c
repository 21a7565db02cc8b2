/* test_cancel.c - the cancel flag of rl_options and rl_tree_options
 * (version 2): set before a call (nothing is made), set during a tree of
 * many small files (the finished ones whole, no temporary), and never read
 * from a version-1 struct. The timed cases on big files are in
 * test_cancel_big.c. */
#include "test.h"
#include "test_tree.h"
#include "reflink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

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
	rl_tree_stats st = RL_TREE_STATS_INIT;
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

