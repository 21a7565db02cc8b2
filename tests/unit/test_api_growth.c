/* test_api_growth.c - the public structs can grow: a caller built against
 * the version-1 layouts (declared here as they were frozen, not taken from
 * today's header) is neither read nor written past its structs; versions
 * the library does not know are refused; RL_EPARTIAL and the flags each
 * call refuses. */
#include "test.h"
#include "reflink.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* The version-1 layouts, as a caller compiled against them holds them. */
struct v1_result {
	unsigned int version;
	rl_method method;
	uint64_t bytes, cloned_bytes, copied_bytes;
};
struct v1_tree_options {
	unsigned int version;
	rl_mode mode;
	unsigned int flags, preserve, jobs;
	const char *const *excludes;
	rl_filter_cb filter;
	rl_entry_cb on_entry;
	rl_error_cb on_error;
	rl_progress_cb on_progress;
	void *ctx;
};
struct v1_tree_stats {
	unsigned int version;
	uint64_t files, dirs, symlinks, specials, hardlinks, bytes;
	uint64_t cloned_bytes, copied_bytes, errors, clone_impossible;
	uint64_t by_method[8];
	uint64_t total_files, total_bytes;
};

/* Room for size bytes ending exactly where an inaccessible page begins:
 * any read or write past the struct faults. */
static void *at_page_end(size_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT(p != MAP_FAILED);
	ASSERT(mprotect(p + pg, (size_t)pg, PROT_NONE) == 0);
	return p + pg - size;
}

static char S[4096], D[4096];

static void small_tree(void)
{
	char p[4096];
	ASSERT(mkdir(test_path(S, sizeof S, "src"), 0755) == 0);
	write_file(test_path(p, sizeof p, "src/a"), "hello", 5);
	write_file(test_path(p, sizeof p, "src/b"), "world!", 6);
	ASSERT(symlink("a", test_path(p, sizeof p, "src/l")) == 0);
	test_path(D, sizeof D, "dst");
}

static int progress_calls;
static void on_progress(void *ctx, const rl_tree_stats *s)
{
	(void)ctx;
	ASSERT(s->version >= 1); /* the library's layout, at least version 1 */
	progress_calls++;
}

TEST(version1_tree_caller_is_never_read_or_written_past)
{
	small_tree();
	struct v1_tree_options *o = at_page_end(sizeof *o);
	memset(o, 0, sizeof *o);
	o->version = 1;
	o->mode = RL_MODE_AUTO;
	o->preserve = RL_PRESERVE_ALL;
	o->on_progress = on_progress;
	struct v1_tree_stats *st = at_page_end(sizeof *st);
	memset(st, 0xa5, sizeof *st);
	st->version = 1;
	ASSERT_OK(rl_copy_tree(S, D, (const rl_tree_options *)o,
			       (rl_tree_stats *)st));
	ASSERT_EQ(st->version, 1);
	ASSERT_EQ(st->files, 2);
	ASSERT_EQ(st->symlinks, 1);
	ASSERT_EQ(st->dirs, 1);
	ASSERT_EQ(st->bytes, 11);
	ASSERT_EQ(st->errors, 0);
	ASSERT_EQ(st->total_files, 2);
	ASSERT_EQ(st->total_bytes, 11);
	uint64_t sum = 0;
	for (int m = 0; m < 8; m++)
		sum += st->by_method[m];
	ASSERT_EQ(sum, 2); /* every slot written, unused ones zero */
	ASSERT(progress_calls >= 1);
}

/* Version 2 of rl_tree_options (on_replace, cancel) as a 0.2.0 caller
 * holds it: the library reads nothing of version 3 (update, sparse,
 * on_ask, backup), so the page after it may be unreadable. */
struct v2_tree_options {
	struct v1_tree_options v1;
	rl_replace_cb on_replace;
	const volatile int *cancel;
};

TEST(version2_tree_caller_is_never_read_past)
{
	small_tree();
	struct v2_tree_options *o = at_page_end(sizeof *o);
	memset(o, 0, sizeof *o);
	o->v1.version = 2;
	o->v1.preserve = RL_PRESERVE_ALL;
	struct v1_tree_stats *st = at_page_end(sizeof *st);
	memset(st, 0, sizeof *st);
	st->version = 1;
	ASSERT_OK(rl_copy_tree(S, D, (const rl_tree_options *)o,
			       (rl_tree_stats *)st));
	ASSERT_EQ(st->files, 2);
	ASSERT_EQ(offsetof(rl_tree_options, update), sizeof *o);
}

/* The layout the header has today still starts as version 1 did. */
TEST(version1_tree_stats_layout_is_a_prefix_of_today)
{
	ASSERT_EQ(offsetof(rl_tree_stats, files), offsetof(struct v1_tree_stats, files));
	ASSERT_EQ(offsetof(rl_tree_stats, by_method),
		  offsetof(struct v1_tree_stats, by_method));
	ASSERT_EQ(offsetof(rl_tree_stats, total_bytes),
		  offsetof(struct v1_tree_stats, total_bytes));
	ASSERT(sizeof(rl_tree_stats) >= sizeof(struct v1_tree_stats));
	ASSERT(RL_METHOD_COUNT_ <= RL_METHOD_MAX);
}

TEST(version1_file_caller_is_never_read_or_written_past)
{
	char a[4096], b[4096];
	write_file(test_path(a, sizeof a, "a"), "0123456789", 10);
	test_path(b, sizeof b, "b");
	struct v1_options_layout *o = at_page_end(sizeof *o);
	memset(o, 0, sizeof *o);
	o->version = 1;
	o->preserve = RL_PRESERVE_MODE;
	struct v1_result *res = at_page_end(sizeof *res);
	memset(res, 0, sizeof *res);
	res->version = 1;
	ASSERT_OK(rl_copy_file(a, b, (const rl_options *)o, (rl_result *)res));
	ASSERT_EQ(res->version, 1);
	ASSERT_EQ(res->bytes, 10);
	ASSERT(res->method != RL_METHOD_NONE);
	int s = open(a, O_RDONLY), d = open(b, O_RDWR);
	ASSERT(s >= 0 && d >= 0);
	ASSERT_OK(rl_copy_fd(s, d, (const rl_options *)o, (rl_result *)res));
	ASSERT_EQ(res->bytes, 20); /* results add up across calls */
	close(s);
	close(d);
}

TEST(tree_stats_of_unknown_versions_are_refused_untouched)
{
	small_tree();
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_EQ(st.version, RL_TREE_STATS_VERSION);
	memset(&st, 0, sizeof st); /* e.g. a caller of the unversioned 0.1.0 struct */
	ASSERT_EQ(rl_copy_tree(S, D, NULL, &st), -EINVAL);
	st.version = RL_TREE_STATS_VERSION + 1;
	ASSERT_EQ(rl_copy_tree(S, D, NULL, &st), -EINVAL);
	ASSERT_EQ(st.files, 0);
	struct stat sb;
	ASSERT(lstat(D, &sb) != 0 && errno == ENOENT); /* nothing was made */
	ASSERT_OK(rl_copy_tree(S, D, NULL, NULL)); /* no stats: allowed */
}

TEST(partial_tree_copy_says_entries_were_reported)
{
	char p[4096];
	small_tree();
	ASSERT(mkdir(D, 0755) == 0);
	write_file(test_path(p, sizeof p, "dst/a"), "old", 3);
	write_file(test_path(p, sizeof p, "dst/b"), "old", 3);
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_MERGE | RL_F_NO_CLOBBER;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	/* Without on_error the failures are still counted and told apart. */
	ASSERT_EQ(rl_copy_tree(S, D, &o, &st), RL_EPARTIAL);
	ASSERT_EQ(st.errors, 2);
	ASSERT_EQ(st.clone_impossible, 0);
	ASSERT_EQ(st.symlinks, 1);
	ASSERT(strstr(rl_strerror(RL_EPARTIAL), "reported"));
	ASSERT(!rl_is_clone_impossible(RL_EPARTIAL));
	/* The same merge allowed to replace: nothing fails, 0. */
	o.flags = RL_TREE_MERGE;
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	ASSERT_EQ(st.errors, 0);
}

static int stop_now(void *ctx, const char *src, const char *dst, int err)
{
	(void)src, (void)dst, (void)err;
	++*(int *)ctx;
	return 1;
}

TEST(stop_from_on_error_is_not_partial)
{
	char p[4096];
	small_tree();
	ASSERT(mkdir(D, 0755) == 0);
	write_file(test_path(p, sizeof p, "dst/a"), "old", 3);
	int calls = 0;
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_MERGE | RL_F_NO_CLOBBER;
	o.jobs = 1;
	o.on_error = stop_now;
	o.ctx = &calls;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_EQ(rl_copy_tree(S, D, &o, &st), -ECANCELED);
	ASSERT_EQ(calls, 1);
	ASSERT_EQ(st.errors, 1);
}

TEST(unsupported_flags_are_refused)
{
	char a[4096], b[4096];
	small_tree();
	rl_tree_options t = RL_TREE_OPTIONS_INIT;
	t.flags = RL_F_NOFOLLOW; /* a tree never follows below its root */
	ASSERT_EQ(rl_copy_tree(S, D, &t, NULL), -EINVAL);
	struct stat sb;
	ASSERT(lstat(D, &sb) != 0 && errno == ENOENT);
	t.flags = 0;
	t.preserve = RL_PRESERVE_LINKS; /* a tree keeps them */
	ASSERT_OK(rl_copy_tree(S, D, &t, NULL));

	test_path(a, sizeof a, "src/a");
	test_path(b, sizeof b, "single");
	rl_options o = RL_OPTIONS_INIT;
	o.preserve = RL_PRESERVE_LINKS; /* one file has no links to keep */
	ASSERT_EQ(rl_copy_file(a, b, &o, NULL), -EINVAL);
	ASSERT(lstat(b, &sb) != 0 && errno == ENOENT);
	int s = open(a, O_RDONLY), d = open(b, O_WRONLY | O_CREAT, 0600);
	ASSERT(s >= 0 && d >= 0);
	ASSERT_EQ(rl_copy_fd(s, d, &o, NULL), -EINVAL);
	o.preserve = RL_PRESERVE_ALL & ~RL_PRESERVE_LINKS;
	ASSERT_OK(rl_copy_fd(s, d, &o, NULL));
	close(s);
	close(d);
}

/* A failing copy with a version-1 result at a page's end: nothing past it
 * is written (failed_step is version 2's). */
TEST(result_v1_failure_writes_nothing_past_it)
{
	char a[4096], b[4096];
	test_path(a, sizeof a, "absent");
	test_path(b, sizeof b, "out");
	struct v1_result *res = at_page_end(sizeof *res);
	memset(res, 0, sizeof *res);
	res->version = 1;
	ASSERT_EQ(rl_copy_file(a, b, NULL, (rl_result *)res), -ENOENT);
	ASSERT_EQ(res->version, 1);
}

/* Version 2: where a failed copy stopped, and RL_STEP_NONE after one that
 * worked (the field is set by each call). */
TEST(result_v2_failed_step)
{
	char a[4096], b[4096], missing[4096];
	rl_result res = RL_RESULT_INIT;
	write_file(test_path(a, sizeof a, "a"), "data\n", 5);
	ASSERT_EQ(rl_copy_file(test_path(missing, sizeof missing, "absent"),
			       test_path(b, sizeof b, "out"), NULL, &res), -ENOENT);
	ASSERT_EQ(res.failed_step, RL_STEP_SOURCE);
	ASSERT_EQ(rl_copy_file(a, test_path(b, sizeof b, "no/dir/out"), NULL, &res),
		  -ENOENT);
	ASSERT_EQ(res.failed_step, RL_STEP_CREATE);
	rl_options o = RL_OPTIONS_INIT;
	o.flags = RL_F_NO_CLOBBER;
	ASSERT_EQ(rl_copy_file(a, a, &o, &res), RL_ESAMEFILE);
	ASSERT_EQ(res.failed_step, RL_STEP_CREATE);
	o.mode = RL_MODE_AUTO;
	ASSERT_OK(rl_copy_file(a, test_path(b, sizeof b, "out"), &o, &res));
	ASSERT_EQ(res.failed_step, RL_STEP_NONE);
}
