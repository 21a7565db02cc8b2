/* test_delete.c - RL_TREE_DELETE in a scratch directory: what the source
 * lacks goes (contents counted), excluded and filtered names stay, links
 * are removed and never followed, a kind that differs is replaced, the
 * source inside the target is refused, -j N alike, with --atomic a no-op,
 * and a version-3 caller (no on_delete) still works. Real filesystems and
 * races: tests/fs/delete.sh. */
#include "test.h"
#include "test_tree.h"
#include "reflink.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char S[4096], D[4096];

static struct {
	int n, errors, dirs;
	char paths[64][256];
	int last_err;
	char err_dst[256];
	int err_src_null;
} dl;

static void on_delete(void *ctx, const char *path, int type)
{
	(void)ctx;
	if (dl.n < 64)
		snprintf(dl.paths[dl.n], sizeof dl.paths[0], "%s", path);
	dl.n++;
	dl.dirs += type == S_IFDIR;
}

static int on_error(void *ctx, const char *src, const char *dst, int err)
{
	(void)ctx;
	dl.errors++;
	dl.last_err = err;
	dl.err_src_null += src == NULL;
	snprintf(dl.err_dst, sizeof dl.err_dst, "%s", dst);
	return 0;
}

static int was_deleted(const char *path)
{
	for (int i = 0; i < dl.n && i < 64; i++)
		if (strcmp(dl.paths[i], path) == 0)
			return 1;
	return 0;
}

static int sync_tree(unsigned int jobs, unsigned int flags,
		     const char *const *ex, rl_tree_stats *st)
{
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.jobs = jobs;
	o.flags = RL_TREE_DELETE | flags;
	o.excludes = ex;
	o.on_delete = on_delete;
	o.on_error = on_error;
	memset(&dl, 0, sizeof dl);
	memset(st, 0xa5, sizeof *st);
	st->version = RL_TREE_STATS_VERSION;
	return rl_copy_tree(S, D, &o, st);
}

/* src a small tree; dst the same with extras (a nested extra tree of 4
 * entries, a file, a file in a kept directory). */
static void build_pair(void)
{
	mk_dir("src", 0755);
	mk_dir("src/a", 0755);
	mk_file("src/a/f", 100, 1);
	mk_file("src/top", 10, 2);
	mk_dir("dst", 0755);
	mk_dir("dst/a", 0755);
	mk_file("dst/a/f", 50, 3);
	mk_file("dst/a/old", 7, 4);
	mk_file("dst/gone", 7, 5);
	mk_dir("dst/extra", 0755);
	mk_dir("dst/extra/deep", 0555); /* read-only: emptied all the same */
	mk_file("dst/extra/x", 1, 6);
	test_path(S, sizeof S, "src");
	test_path(D, sizeof D, "dst");
}

TEST(delete_removes_what_the_source_lacks_and_counts_contents)
{
	char p[4096];
	test_path(p, sizeof p, "dst/extra/deep/y");
	build_pair();
	chmod(test_path(p, sizeof p, "dst/extra/deep"), 0755);
	mk_file("dst/extra/deep/y", 1, 7);
	chmod(p, 0555);
	rl_tree_stats st;
	ASSERT_OK(sync_tree(2, RL_TREE_MERGE, NULL, &st));
	assert_same_tree(S, D, LIST_MODE);
	/* extra, extra/x, extra/deep, extra/deep/y, gone, a/old */
	ASSERT_EQ(st.deleted, 6);
	ASSERT_EQ(dl.n, 6);
	ASSERT_EQ(dl.dirs, 2);
	ASSERT(was_deleted("a/old") && was_deleted("gone") &&
	       was_deleted("extra/deep/y") && was_deleted("extra"));
	ASSERT_EQ(st.errors, 0);
	/* Again: nothing left to remove. */
	ASSERT_OK(sync_tree(2, RL_TREE_MERGE, NULL, &st));
	ASSERT_EQ(st.deleted, 0);
}

TEST(delete_jobs_1_3_8_give_the_same_tree)
{
	static const unsigned int jobs[] = { 1, 3, 8 };
	for (int j = 0; j < 3; j++) {
		char cmd[8300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s/src' '%s/dst'", test_dir(), test_dir());
		ASSERT_OK(system(cmd));
		build_pair();
		for (int i = 0; i < 40; i++) { /* many directories to prune */
			char rel[64];
			snprintf(rel, sizeof rel, "dst/x%d", i);
			mk_dir(rel, 0755);
			snprintf(rel, sizeof rel, "dst/x%d/f", i);
			mk_file(rel, 3, (unsigned)i);
			snprintf(rel, sizeof rel, "src/s%d", i);
			mk_dir(rel, 0755);
			snprintf(rel, sizeof rel, "dst/s%d", i);
			mk_dir(rel, 0755);
			snprintf(rel, sizeof rel, "dst/s%d/stale", i);
			mk_file(rel, 3, (unsigned)i);
		}
		rl_tree_stats st;
		ASSERT_OK(sync_tree(jobs[j], RL_TREE_MERGE, NULL, &st));
		assert_same_tree(S, D, LIST_MODE);
		ASSERT_EQ(st.deleted, 5 + 80 + 40);
	}
}

static int keep_secret(void *ctx, const char *rel, const char *name, int is_dir)
{
	(void)ctx;
	(void)name;
	return is_dir && strcmp(rel, "a/secret") == 0;
}

TEST(delete_keeps_what_excludes_and_the_filter_leave_out)
{
	build_pair();
	mk_file("dst/a/cache.o", 3, 8);    /* excluded: stays */
	mk_file("src/a/built.o", 3, 9);    /* excluded: not copied */
	mk_dir("dst/a/secret", 0755);      /* filtered: stays */
	mk_file("dst/a/secret/s", 3, 10);
	mk_file("dst/a/tmp", 3, 11);       /* not protected: goes */
	static const char *const ex[] = { "*.o", NULL };
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_MERGE | RL_TREE_DELETE;
	o.excludes = ex;
	o.filter = keep_secret;
	o.on_delete = on_delete;
	o.on_error = on_error;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	memset(&dl, 0, sizeof dl);
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	ASSERT(exists("dst/a/cache.o"));
	ASSERT(!exists("dst/a/built.o"));
	ASSERT(exists("dst/a/secret/s"));
	ASSERT(!exists("dst/a/tmp") && !exists("dst/gone") && !exists("dst/extra"));
	ASSERT_EQ(st.deleted, 6); /* a/old, a/tmp, gone, extra, extra/x, extra/deep */
	ASSERT_EQ(st.errors, 0);
}

TEST(delete_removes_links_never_what_they_name)
{
	char out[4096];
	build_pair();
	mk_dir("outside", 0755);
	mk_file("outside/precious", 9, 12);
	mk_dir("outside/d", 0755);
	mk_file("outside/d/more", 9, 13);
	mk_link(test_path(out, sizeof out, "outside"), "dst/a/to-outside");
	mk_link("../../outside/d", "dst/a/rel-outside");
	mk_dir("src/sub", 0755);              /* dst has a link there */
	mk_file("src/sub/f", 4, 14);
	mk_link(out, "dst/sub");
	rl_tree_stats st;
	ASSERT_OK(sync_tree(4, RL_TREE_MERGE, NULL, &st));
	ASSERT(exists("outside/precious") && exists("outside/d/more"));
	ASSERT_EQ(count_in("outside"), 2);
	ASSERT_EQ(count_in("outside/d"), 1);
	struct stat ls;
	char p[4096];
	ASSERT(lstat(test_path(p, sizeof p, "dst/sub"), &ls) == 0 && S_ISDIR(ls.st_mode));
	ASSERT(exists("dst/sub/f"));
	ASSERT(was_deleted("a/to-outside") && was_deleted("a/rel-outside") &&
	       was_deleted("sub"));
	ASSERT_EQ(st.deleted, 8);
	assert_same_tree(S, D, LIST_MODE);
}

TEST(delete_replaces_an_entry_of_the_other_kind)
{
	build_pair();
	mk_file("src/was-dir", 5, 15);   /* dst: a directory with a file */
	mk_dir("dst/was-dir", 0755);
	mk_file("dst/was-dir/inner", 5, 16);
	mk_dir("src/was-file", 0755);    /* dst: a file */
	mk_file("src/was-file/g", 5, 17);
	mk_file("dst/was-file", 5, 18);
	rl_tree_stats st;
	ASSERT_OK(sync_tree(2, RL_TREE_MERGE, NULL, &st));
	assert_same_tree(S, D, LIST_MODE);
	ASSERT(was_deleted("was-dir/inner") && was_deleted("was-dir") &&
	       was_deleted("was-file"));
	ASSERT_EQ(st.deleted, 5 + 3);
	/* Without --delete the merge fails them, as cp does. */
	char cmd[8300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s/dst/was-dir' '%s/dst/was-file'", test_dir(), test_dir());
	ASSERT_OK(system(cmd));
	mk_dir("dst/was-dir", 0755);
	mk_file("dst/was-file", 5, 18);
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_MERGE;
	o.on_error = on_error;
	memset(&dl, 0, sizeof dl);
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), RL_EPARTIAL);
	ASSERT_EQ(dl.errors, 2);
}

TEST(delete_needs_merge_or_atomic_and_refuses_source_inside_target)
{
	build_pair();
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_DELETE;
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), -EINVAL);
	ASSERT(exists("dst/gone"));
	/* The source inside the target: removing what it lacks would reach
	 * the source itself. */
	mk_dir("dst/inner", 0755);
	mk_file("dst/inner/f", 3, 19);
	char in[4096];
	test_path(in, sizeof in, "dst/inner");
	o.flags = RL_TREE_DELETE | RL_TREE_MERGE;
	ASSERT_EQ(rl_copy_tree(in, D, &o, NULL), RL_EINSIDE);
	ASSERT(exists("dst/inner/f") && exists("dst/gone"));
	o.flags = RL_TREE_ATOMIC;
	ASSERT_EQ(rl_copy_tree(in, D, &o, NULL), RL_EINSIDE);
	ASSERT(exists("dst/inner/f"));
	/* ...unless an exclude keeps it. */
	static const char *const ex[] = { "inner", NULL };
	o.flags = RL_TREE_DELETE | RL_TREE_MERGE;
	o.excludes = ex;
	ASSERT_OK(rl_copy_tree(in, D, &o, NULL));
	ASSERT(exists("dst/inner/f") && exists("dst/f") && !exists("dst/gone"));
}

TEST(delete_with_atomic_is_exact_and_removes_nothing_one_by_one)
{
	build_pair();
	rl_tree_stats st;
	ASSERT_OK(sync_tree(2, RL_TREE_ATOMIC, NULL, &st));
	assert_same_tree(S, D, LIST_MODE);
	ASSERT_EQ(st.deleted, 0);
	ASSERT_EQ(dl.n, 0);
}

/* A version-3 caller: its struct ends before on_delete; ASan sees any
 * read past it. */
TEST(delete_from_a_version_3_caller)
{
	build_pair();
	size_t v3 = offsetof(rl_tree_options, on_delete);
	rl_tree_options full;
	ASSERT_OK(rl_tree_options_init(&full, 3));
	full.flags = RL_TREE_MERGE | RL_TREE_DELETE;
	void *o = calloc(1, v3);
	ASSERT(o != NULL);
	memcpy(o, &full, v3);
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(rl_copy_tree(S, D, (const rl_tree_options *)o, &st));
	ASSERT_EQ(st.deleted, 5);
	assert_same_tree(S, D, LIST_MODE);
	free(o);
	unsigned char buf[sizeof(rl_tree_options)];
	memset(buf, 0x5a, sizeof buf);
	ASSERT_OK(rl_tree_options_init((rl_tree_options *)(void *)buf, 3));
	ASSERT_EQ(buf[sizeof buf - 1], 0x5a);
}

static volatile int cancel_flag;

static void cancel_on_delete(void *ctx, const char *path, int type)
{
	(void)path;
	(void)type;
	(*(int *)ctx)++;
	__atomic_store_n(&cancel_flag, 1, __ATOMIC_RELAXED);
}

/* A stop during a large removal leaves the rest, at once. */
TEST(delete_stops_when_cancelled)
{
	build_pair();
	for (int i = 0; i < 200; i++) {
		char rel[64];
		snprintf(rel, sizeof rel, "dst/extra/many%d", i);
		mk_file(rel, 1, (unsigned)i);
	}
	int calls = 0;
	cancel_flag = 0;
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_MERGE | RL_TREE_DELETE;
	o.jobs = 1;
	o.on_delete = cancel_on_delete;
	o.ctx = &calls;
	o.cancel = &cancel_flag;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_EQ(rl_copy_tree(S, D, &o, &st), -ECANCELED);
	ASSERT(calls >= 1 && calls < 100);
	ASSERT_EQ(st.deleted, (uint64_t)calls);
	ASSERT(count_in("dst/extra") > 100);
}

/* --keep-directory-symlink: the link is merged into and kept, and nothing
 * where it leads is removed. */
TEST(delete_with_keep_dir_symlink_prunes_nothing_through_the_link)
{
	char out[4096];
	build_pair();
	mk_dir("outside", 0755);
	mk_file("outside/theirs", 5, 20);
	mk_dir("outside/their-dir", 0755);
	mk_dir("src/sub", 0755);
	mk_file("src/sub/f", 5, 21);
	mk_dir("src/sub/deeper", 0755);
	mk_file("src/sub/deeper/g", 5, 22);
	mk_link(test_path(out, sizeof out, "outside"), "dst/sub");
	rl_tree_stats st;
	ASSERT_OK(sync_tree(2, RL_TREE_MERGE | RL_TREE_KEEP_DIR_SYMLINK, NULL, &st));
	struct stat ls;
	char p[4096];
	ASSERT(lstat(test_path(p, sizeof p, "dst/sub"), &ls) == 0 && S_ISLNK(ls.st_mode));
	ASSERT(exists("outside/f") && exists("outside/deeper/g"));
	ASSERT(exists("outside/theirs") && exists("outside/their-dir"));
	ASSERT_EQ(st.deleted, 5); /* build_pair's extras only */
}
