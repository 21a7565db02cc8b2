/* test_tree.c - rl_copy_tree in a scratch directory: kinds of entries,
 * hard links, excludes, a destination inside the source, errors, merges,
 * callbacks, options, -L. (Real filesystems: tests/fs/tree*.sh.) */
#include "test.h"
#include "test_tree.h"
#include "reflink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static char S[4096], D[4096];

static void paths(const char *src, const char *dst)
{
	test_path(S, sizeof S, src);
	test_path(D, sizeof D, dst);
}

/* Errors seen by on_error, for the tests to check. */
static struct {
	int n;
	int errs[64];
	char src[64][512], dst[64][512];
	int stop_after; /* return nonzero at this call (1-based), 0 never */
} seen;

static int on_error(void *ctx, const char *src, const char *dst, int err)
{
	(void)ctx;
	int i = seen.n++;
	if (i < 64) {
		seen.errs[i] = err;
		snprintf(seen.src[i], sizeof seen.src[i], "%s", src);
		snprintf(seen.dst[i], sizeof seen.dst[i], "%s", dst);
	}
	return seen.stop_after && seen.n >= seen.stop_after;
}

static int copy(unsigned int jobs, unsigned int preserve, unsigned int flags,
		rl_tree_stats *st)
{
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.jobs = jobs;
	o.preserve = preserve;
	o.flags = flags;
	o.on_error = on_error;
	rl_tree_stats local, *out = st ? st : &local;
	memset(out, 0xa5, sizeof local); /* every field must be written */
	out->version = RL_TREE_STATS_VERSION;
	return rl_copy_tree(S, D, &o, out);
}

/* Every kind of entry, odd names, read-only files and directories. */
static void build_kinds(void)
{
	mk_dir("src", 0755);
	mk_file("src/empty", 0, 1);
	mk_file("src/small", 100, 2);
	chmod(test_path(S, sizeof S, "src/small"), 0600);
	mk_file("src/big", (1 << 20) + 17, 3);
	mk_file("src/ro", 10, 4);
	chmod(test_path(S, sizeof S, "src/ro"), 0444);
	mk_dir("src/sub", 0750);
	mk_dir("src/sub/deep", 0700);
	mk_file("src/sub/deep/file", 5000, 5);
	mk_dir("src/rodir", 0755);
	mk_file("src/rodir/f", 77, 6);
	mk_dir("src/rodir/x", 0755);
	mk_hard("src/small", "src/rodir/x/small-again");
	chmod(test_path(S, sizeof S, "src/rodir/x"), 0500);
	chmod(test_path(S, sizeof S, "src/rodir"), 0555);
	mk_link("small", "src/link-rel");
	mk_link("/etc/passwd", "src/link-abs");
	mk_link("no/such/place", "src/dangling");
	mk_link("../../outside", "src/sub/out");
	mk_file("src/name with space", 3, 7);
	mk_file("src/-dash", 3, 8);
	mk_file("src/new\nline", 3, 9);
	mk_file("src/\xff\xfe-latin", 3, 10);
	mk_hard("src/-dash", "src/sub/dash-link");
	mk_hard("src/-dash", "src/sub/deep/dash-link2");
	ASSERT(mkfifo(test_path(S, sizeof S, "src/fifo"), 0640) == 0);
	ASSERT(mknod(test_path(S, sizeof S, "src/sock"), S_IFSOCK | 0600, 0) == 0);
	if (geteuid() == 0)
		ASSERT(mknod(test_path(S, sizeof S, "src/null"), S_IFCHR | 0666,
			     makedev(1, 3)) == 0);
	struct timespec ts[2] = { { 1000000000, 5 }, { 1100000000, 123456789 } };
	utimensat(AT_FDCWD, test_path(S, sizeof S, "src/link-rel"), ts,
		  AT_SYMLINK_NOFOLLOW);
	utimensat(AT_FDCWD, test_path(S, sizeof S, "src/sub"), ts, 0);
	utimensat(AT_FDCWD, test_path(S, sizeof S, "src/rodir"), ts, 0);
}

TEST(tree_copies_every_kind_with_all_metadata)
{
	build_kinds();
	paths("src", "dst");
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(copy(2, RL_PRESERVE_ALL, 0, &st));
	assert_same_tree(S, D, LIST_ALL);
	ASSERT_EQ(seen.n, 0);
	ASSERT_EQ(st.errors, 0);
	ASSERT_EQ(st.files, 10);     /* 12 names, 2 of them extra links */
	ASSERT_EQ(st.hardlinks, 3);
	ASSERT_EQ(st.symlinks, 4);
	ASSERT_EQ(st.specials, geteuid() == 0 ? 3 : 2);
	ASSERT_EQ(st.dirs, 5);       /* the root too */
	ASSERT_EQ(st.files, st.by_method[RL_METHOD_CLONE] +
		  st.by_method[RL_METHOD_COPY_RANGE] +
		  st.by_method[RL_METHOD_READ_WRITE] + st.by_method[RL_METHOD_NONE]);
	ASSERT_EQ(st.bytes, 2 * 3 + 3 + 3 + 100 + (1 << 20) + 17 + 10 + 5000 + 77);
	struct stat a, b;
	ASSERT(stat(S, &a) == 0 && stat(D, &b) == 0);
	ASSERT_EQ(a.st_mode, b.st_mode);
	ASSERT_EQ(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
}

TEST(tree_without_preserve_uses_umask_and_copies_links_apart)
{
	build_kinds();
	paths("src", "dst");
	umask(027);
	ASSERT_OK(copy(1, 0, 0, NULL));
	struct stat st;
	ASSERT(stat(test_path(D, sizeof D, "dst/small"), &st) == 0);
	ASSERT_EQ(st.st_mode & 07777, 0600);
	ASSERT_EQ(st.st_nlink, 1); /* links kept only with RL_PRESERVE_LINKS */
	ASSERT(stat(test_path(D, sizeof D, "dst/rodir"), &st) == 0);
	ASSERT_EQ(st.st_mode & 07777, 0550);
	ASSERT(stat(test_path(D, sizeof D, "dst/ro"), &st) == 0);
	ASSERT_EQ(st.st_mode & 07777, 0440);
	paths("src", "dst");
	assert_same_tree(S, D, 0);
}

/* A pseudo-random tree: nested directories, files, links. */
static void build_random(unsigned int seed, int ndirs, int nfiles)
{
	char dirs[64][256], rel[512];
	int nd = 1;
	mk_dir("src", 0755);
	strcpy(dirs[0], "src");
	for (int i = 0; i < ndirs && nd < 64; i++) {
		seed = seed * 1103515245u + 12345u;
		char parent[256];
		memcpy(parent, dirs[(seed >> 8) % nd], sizeof parent);
		snprintf(dirs[nd], sizeof dirs[nd], "%.240s/d%d", parent, i);
		mk_dir(dirs[nd++], 0700 | ((seed >> 4) & 055));
	}
	for (int i = 0; i < nfiles; i++) {
		seed = seed * 1103515245u + 12345u;
		snprintf(rel, sizeof rel, "%s/f%d", dirs[(seed >> 8) % nd], i);
		if (i > 10 && (seed >> 20) % 10 == 0) {
			char old[512];
			snprintf(old, sizeof old, "%s/f%d",
				 dirs[((seed >> 8) % nd + 1) % nd], i - 7);
			if (exists(old)) {
				mk_hard(old, rel);
				continue;
			}
		}
		if ((seed >> 20) % 10 == 1) {
			mk_link("f1", rel);
			continue;
		}
		mk_file(rel, (seed >> 12) % 20000, seed);
	}
}

TEST(tree_jobs_1_2_4_7_give_identical_results)
{
	build_random(42, 40, 400);
	static const unsigned int jobs[] = { 1, 2, 4, 7 };
	for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "dst%u", jobs[i]);
		paths("src", name);
		rl_tree_stats st = RL_TREE_STATS_INIT;
		ASSERT_OK(copy(jobs[i], RL_PRESERVE_ALL, 0, &st));
		ASSERT_EQ(st.errors, 0);
		assert_same_tree(S, D, LIST_ALL);
	}
}

TEST(tree_excludes_match_name_or_relative_path)
{
	mk_dir("src", 0755);
	mk_dir("src/build", 0755);
	mk_file("src/build/x", 1, 1);
	mk_dir("src/a", 0755);
	mk_dir("src/a/build", 0755); /* excluded by name at any depth */
	mk_file("src/a/keep.c", 1, 2);
	mk_file("src/a/drop.o", 1, 3);
	mk_dir("src/a/skip-me", 0755);
	mk_file("src/a/skip-me/y", 1, 4);
	mk_dir("src/b", 0755);
	mk_file("src/b/skip-me", 1, 5); /* "a/skip*" is a path: not this */
	paths("src", "dst");
	static const char *const ex[] = { "build", "*.o", "a/skip*", NULL };
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.excludes = ex;
	o.on_error = on_error;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	ASSERT(!exists("dst/build"));
	ASSERT(!exists("dst/a/build"));
	ASSERT(!exists("dst/a/drop.o"));
	ASSERT(!exists("dst/a/skip-me"));
	ASSERT(exists("dst/a/keep.c"));
	ASSERT(exists("dst/b/skip-me"));
	ASSERT_EQ(st.files, 2);
	ASSERT_EQ(seen.n, 0);
}

static struct {
	int calls, dirs;
	char last_rel[256];
} filt;

static int filter(void *ctx, const char *relpath, const char *name, int is_dir)
{
	(void)ctx;
	filt.calls++;
	filt.dirs += is_dir;
	const char *slash = strrchr(relpath, '/');
	ASSERT_STR_EQ(slash ? slash + 1 : relpath, name);
	snprintf(filt.last_rel, sizeof filt.last_rel, "%s", relpath);
	return strcmp(relpath, "a/secret") == 0;
}

TEST(tree_filter_sees_relative_paths_and_leaves_out)
{
	mk_dir("src", 0755);
	mk_dir("src/a", 0755);
	mk_dir("src/a/secret", 0755);
	mk_file("src/a/secret/k", 1, 1);
	mk_file("src/a/ok", 1, 1);
	paths("src", "dst");
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.filter = filter;
	ASSERT_OK(rl_copy_tree(S, D, &o, NULL));
	ASSERT(exists("dst/a/ok"));
	ASSERT(!exists("dst/a/secret"));
	ASSERT_EQ(filt.calls, 3); /* a, a/secret, a/ok: never a/secret/k */
	ASSERT_EQ(filt.dirs, 2);
}

TEST(tree_refuses_a_destination_inside_the_source)
{
	mk_dir("src", 0755);
	mk_dir("src/sub", 0755);
	mk_file("src/f", 10, 1);
	paths("src", "src/sub/out");
	ASSERT_EQ(copy(2, 0, 0, NULL), RL_EINSIDE);
	ASSERT(!exists("src/sub/out"));
	paths("src", "src");
	ASSERT_EQ(copy(2, 0, RL_TREE_MERGE, NULL), RL_ESAMEFILE);
	/* Through a symlink to the source: still inside. */
	mk_link("src", "alias");
	paths("alias/", "src/sub/out2");
	ASSERT_EQ(copy(2, 0, 0, NULL), RL_EINSIDE);
	ASSERT(!exists("src/sub/out2"));
	ASSERT_EQ(seen.n, 0);
}

TEST(tree_destination_inside_excluded_source_never_copies_itself)
{
	mk_dir("src", 0755);
	mk_dir("src/tmp", 0755);
	mk_dir("src/code", 0755);
	mk_file("src/code/main.c", 100, 1);
	mk_file("src/README", 10, 2);
	static const char *const ex[] = { "tmp", NULL };
	for (int jobs = 1; jobs <= 4; jobs += 3) {
		char name[64];
		snprintf(name, sizeof name, "src/tmp/copy%d", jobs);
		paths("src", name);
		rl_tree_options o = RL_TREE_OPTIONS_INIT;
		o.excludes = ex;
		o.jobs = (unsigned)jobs;
		ASSERT_OK(rl_copy_tree(S, D, &o, NULL));
		snprintf(name, sizeof name, "src/tmp/copy%d", jobs);
		ASSERT_EQ(count_in(name), 2); /* code, README: no tmp */
	}
	ASSERT_EQ(count_in("src/tmp"), 2);
	/* Excluded through the destination's own name works too. */
	static const char *const ex2[] = { "out", NULL };
	paths("src", "src/code/out");
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.excludes = ex2;
	ASSERT_OK(rl_copy_tree(S, D, &o, NULL));
	ASSERT(exists("src/code/out/code/main.c"));
	ASSERT(!exists("src/code/out/code/out"));
}

TEST(tree_errors_are_reported_once_and_the_rest_is_copied)
{
	mk_dir("src", 0755);
	mk_dir("src/a", 0755);
	mk_file("src/a/x", 10, 1);
	mk_file("src/a/y", 10, 2);
	mk_dir("src/b", 0755);
	mk_file("src/b/z", 10, 3);
	mk_file("src/c", 10, 4);
	mk_dir("dst", 0755);
	mk_dir("dst/a", 0755);
	mk_file("dst/a/x", 3, 9); /* kept: no clobber */
	mk_file("dst/b", 3, 9);   /* a file where the source has a directory */
	paths("src", "dst");
	rl_tree_stats st = RL_TREE_STATS_INIT;
	int r = copy(2, 0, RL_TREE_MERGE | RL_F_NO_CLOBBER, &st);
	ASSERT_EQ(r, RL_EPARTIAL); /* each failure was reported already */
	ASSERT_EQ(st.errors, 2);
	ASSERT_EQ(st.clone_impossible, 0);
	ASSERT_EQ(seen.n, 2);
	int ex = seen.errs[0] == -EEXIST ? 0 : 1;
	ASSERT_EQ(seen.errs[ex], -EEXIST);
	ASSERT_EQ(seen.errs[1 - ex], -ENOTDIR);
	char want[4096];
	ASSERT_STR_EQ(seen.src[ex], test_path(want, sizeof want, "src/a/x"));
	ASSERT_STR_EQ(seen.dst[ex], test_path(want, sizeof want, "dst/a/x"));
	ASSERT_STR_EQ(seen.dst[1 - ex], test_path(want, sizeof want, "dst/b"));
	ASSERT(exists("dst/a/y"));
	ASSERT(exists("dst/c"));
	ASSERT_EQ(st.files, 2);
	size_t len;
	free(read_file(test_path(want, sizeof want, "dst/a/x"), &len));
	ASSERT_EQ(len, 3);
}

TEST(tree_on_error_can_stop_the_copy)
{
	mk_dir("src", 0755);
	for (int i = 0; i < 20; i++) {
		char n[64];
		snprintf(n, sizeof n, "src/f%d", i);
		mk_file(n, 1, (unsigned)i);
	}
	mk_dir("dst", 0755);
	for (int i = 0; i < 20; i++) {
		char n[64];
		snprintf(n, sizeof n, "dst/f%d", i);
		mk_file(n, 1, (unsigned)i);
	}
	paths("src", "dst");
	seen.stop_after = 1;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_EQ(copy(1, 0, RL_TREE_MERGE | RL_F_NO_CLOBBER, &st), -ECANCELED);
	ASSERT_EQ(seen.n, 1);
	ASSERT_EQ(st.errors, 1);
}

/* What on_fail saw (version 6). */
static struct {
	int n;
	int errs[8];
	rl_step steps[8];
	unsigned int types[8], versions[8];
	char dst[8][512];
} failed;

static int on_fail(void *ctx, const rl_failure *f)
{
	(void)ctx;
	int i = failed.n++;
	if (i < 8) {
		failed.errs[i] = f->err;
		failed.steps[i] = f->step;
		failed.types[i] = f->type;
		failed.versions[i] = f->version;
		snprintf(failed.dst[i], sizeof failed.dst[i], "%s", f->dst);
	}
	return 0;
}

/* The failure whose dst ends in tail, or -1. */
static int failed_at(const char *tail)
{
	for (int i = 0; i < failed.n && i < 8; i++) {
		size_t n = strlen(failed.dst[i]), t = strlen(tail);
		if (n >= t && strcmp(failed.dst[i] + n - t, tail) == 0)
			return i;
	}
	return -1;
}

/* Three entries failing at different steps: a file where one exists (no
 * clobber), a directory where a file is, a device with no driver (major
 * 240, for local use) read for its contents. */
static void build_three_failures(void)
{
	char p[4096];
	mk_dir("src", 0755);
	mk_dir("src/a", 0755);
	mk_file("src/a/x", 10, 1);
	mk_dir("src/b", 0755);
	mk_file("src/b/z", 10, 3);
	ASSERT_OK(mknod(test_path(p, sizeof p, "src/s"), S_IFCHR | 0644, makedev(240, 0)));
	mk_dir("dst", 0755);
	mk_dir("dst/a", 0755);
	mk_file("dst/a/x", 3, 9);
	mk_file("dst/b", 3, 9);
	paths("src", "dst");
}

TEST(tree_on_fail_says_where_each_entry_failed)
{
	build_three_failures();
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_MERGE | RL_F_NO_CLOBBER | RL_F_CONTENTS;
	o.on_error = on_error; /* not called: on_fail is set */
	o.on_fail = on_fail;
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), RL_EPARTIAL);
	ASSERT_EQ(seen.n, 0);
	ASSERT_EQ(failed.n, 3);
	int x = failed_at("/dst/a/x"), b = failed_at("/dst/b"), s = failed_at("/dst/s");
	ASSERT(x >= 0 && b >= 0 && s >= 0);
	ASSERT_EQ(failed.errs[x], -EEXIST);
	ASSERT_EQ(failed.steps[x], RL_STEP_CREATE);
	ASSERT_EQ(failed.types[x], S_IFREG);
	ASSERT_EQ(failed.errs[b], -ENOTDIR);
	ASSERT_EQ(failed.steps[b], RL_STEP_CREATE);
	ASSERT_EQ(failed.types[b], S_IFDIR);
	ASSERT_EQ(failed.errs[s], -ENXIO);
	ASSERT_EQ(failed.steps[s], RL_STEP_SOURCE);
	ASSERT_EQ(failed.types[s], S_IFCHR);
	ASSERT_EQ(failed.versions[x], RL_FAILURE_VERSION);
}

static int never_called(void *ctx, const rl_failure *f)
{
	(void)ctx, (void)f;
	abort();
}

TEST(tree_version5_caller_gets_on_error_and_on_fail_is_never_read)
{
	build_three_failures();
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.version = 5; /* its struct ends before on_fail */
	o.flags = RL_TREE_MERGE | RL_F_NO_CLOBBER | RL_F_CONTENTS;
	o.on_error = on_error;
	o.on_fail = never_called; /* past a version-5 struct's end */
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), RL_EPARTIAL);
	ASSERT_EQ(seen.n, 3);
}

TEST(tree_merge_needs_the_flag_and_replaces_files)
{
	mk_dir("src", 0755);
	mk_dir("src/a", 0700);
	mk_file("src/a/f", 100, 1);
	mk_link("f", "src/a/l");
	mk_dir("dst", 0755);
	mk_dir("dst/a", 0755);
	mk_file("dst/a/f", 5, 2);
	mk_file("dst/a/l", 5, 2);  /* a file where the source has a symlink */
	mk_file("dst/a/mine", 5, 3);
	paths("src", "dst");
	ASSERT_EQ(copy(2, 0, 0, NULL), -EEXIST);
	ASSERT_OK(copy(2, RL_PRESERVE_MODE, RL_TREE_MERGE, NULL));
	size_t len;
	free(read_file(test_path(D, sizeof D, "dst/a/f"), &len));
	ASSERT_EQ(len, 100);
	struct stat st;
	ASSERT(lstat(test_path(D, sizeof D, "dst/a/l"), &st) == 0 && S_ISLNK(st.st_mode));
	ASSERT(exists("dst/a/mine"));
	ASSERT(stat(test_path(D, sizeof D, "dst/a"), &st) == 0);
	ASSERT_EQ(st.st_mode & 07777, 0700);
	ASSERT_EQ(count_in("dst/a"), 3); /* no temporaries left */
}

static atomic_int inside, overlap;
static struct {
	int entries, files, dirs, progress;
	rl_tree_stats last;
} cb;

static void enter(void)
{
	if (atomic_fetch_add(&inside, 1) != 0)
		atomic_store(&overlap, 1);
	usleep(50);
}

static void leave(void)
{
	atomic_fetch_sub(&inside, 1);
}

static void on_entry(void *ctx, const char *path, int type, const rl_result *res)
{
	(void)ctx, (void)path;
	enter();
	cb.entries++;
	cb.files += (type & S_IFMT) == S_IFREG && res;
	cb.dirs += (type & S_IFMT) == S_IFDIR;
	leave();
}

static void on_progress(void *ctx, const rl_tree_stats *s)
{
	(void)ctx;
	enter();
	cb.progress++;
	cb.last = *s;
	leave();
}

TEST(tree_callbacks_run_one_at_a_time_with_totals)
{
	build_random(7, 20, 300);
	paths("src", "dst");
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.jobs = 4;
	o.on_entry = on_entry;
	o.on_progress = on_progress;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	ASSERT_EQ(atomic_load(&overlap), 0);
	ASSERT_EQ(cb.files, st.files);
	ASSERT_EQ(cb.dirs, st.dirs);
	ASSERT_EQ(cb.entries, st.files + st.dirs + st.symlinks);
	ASSERT(cb.progress >= 1);
	/* The final call has everything; totals came from the counting pass. */
	ASSERT_EQ(cb.last.files, st.files);
	ASSERT_EQ(cb.last.total_files, st.files);
	ASSERT_EQ(cb.last.total_bytes, st.bytes);
}

TEST(tree_copies_a_file_or_symlink_source_as_one_entry)
{
	mk_file("f", 1000, 1);
	mk_link("f", "l");
	paths("f", "g");
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(copy(1, RL_PRESERVE_ALL, 0, &st));
	ASSERT_EQ(st.files, 1);
	/* Not without MERGE: the entry fails, reported as any entry is. */
	ASSERT_EQ(copy(1, 0, 0, NULL), RL_EPARTIAL);
	ASSERT_EQ(seen.n, 1);
	ASSERT_EQ(seen.errs[0], -EEXIST);
	paths("l", "m");
	ASSERT_OK(copy(1, 0, 0, &st));
	ASSERT_EQ(st.symlinks, 1);
	struct stat s;
	ASSERT(lstat(test_path(D, sizeof D, "m"), &s) == 0 && S_ISLNK(s.st_mode));
	paths("l", "n");
	ASSERT_OK(copy(1, 0, RL_TREE_DEREF_ALL, &st));
	ASSERT(lstat(test_path(D, sizeof D, "n"), &s) == 0 && S_ISREG(s.st_mode));
}

TEST(tree_rejects_bad_arguments)
{
	mk_dir("src", 0755);
	paths("src", "dst");
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = 0x80000; /* no such flag */
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), -EINVAL);
	o.flags = RL_F_XATTR_STRICT; /* a single-file flag only */
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), -EINVAL);
	o.flags = RL_TREE_HARDLINK | RL_TREE_SYMLINK;
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), -EINVAL);
	o.flags = RL_TREE_SYMLINK; /* a relative source cannot be linked to */
	ASSERT_EQ(rl_copy_tree("src", D, &o, NULL), -EINVAL);
	o.flags = 0;
	o.preserve = 0x100;
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), -EINVAL);
	o.preserve = 0;
	o.version = 99;
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), -EINVAL);
	o.version = RL_TREE_OPTIONS_VERSION;
	o.mode = (rl_mode)7;
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), -EINVAL);
	ASSERT_EQ(rl_copy_tree(NULL, D, NULL, NULL), -EINVAL);
	paths("missing", "dst");
	ASSERT_EQ(rl_copy_tree(S, D, NULL, NULL), -ENOENT);
	mk_file("file", 1, 1);
	paths("src", "file");
	ASSERT_EQ(rl_copy_tree(S, D, NULL, NULL), -EEXIST);
	o.mode = RL_MODE_AUTO;
	o.flags = RL_TREE_MERGE;
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), -ENOTDIR);
	paths("src", "no/such/dir/dst");
	ASSERT_EQ(rl_copy_tree(S, D, NULL, NULL), -ENOENT);
	ASSERT(!exists("dst"));
	rl_tree_options init;
	ASSERT_OK(rl_tree_options_init(&init, RL_TREE_OPTIONS_VERSION));
	ASSERT_EQ(init.jobs, 0);
}

TEST(tree_dereference_follows_links_and_stops_at_loops)
{
	mk_dir("other", 0755);
	mk_file("other/inner", 50, 1);
	mk_dir("src", 0755);
	mk_file("src/f", 10, 2);
	mk_link("f", "src/lf");
	char abs[4096];
	mk_link(test_path(abs, sizeof abs, "other"), "src/ldir");
	mk_link(".", "src/loop"); /* back to src itself */
	paths("src", "dst");
	rl_tree_stats st = RL_TREE_STATS_INIT;
	int r = copy(2, 0, RL_TREE_DEREF_ALL, &st);
	ASSERT_EQ(r, RL_EPARTIAL);
	ASSERT_EQ(st.errors, 1);
	ASSERT_EQ(seen.n, 1);
	ASSERT_EQ(seen.errs[0], -ELOOP);
	struct stat s;
	ASSERT(lstat(test_path(D, sizeof D, "dst/lf"), &s) == 0 && S_ISREG(s.st_mode));
	ASSERT(lstat(test_path(D, sizeof D, "dst/ldir/inner"), &s) == 0 && S_ISREG(s.st_mode));
	ASSERT(!exists("dst/loop"));
}

/* On a filesystem without clones, RL_MODE_ALWAYS stops at the first file
 * and leaves nothing it made. */
TEST(tree_always_mode_removes_what_it_made_when_clones_cannot_work)
{
	rl_probe_result p = RL_PROBE_INIT;
	ASSERT_OK(rl_probe(test_dir(), &p));
	if (p.supported)
		exit(77); /* tests/fs/tree.sh covers this on ext4/tmpfs */
	build_random(3, 10, 50);
	paths("src", "dst");
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.mode = RL_MODE_ALWAYS;
	o.jobs = 2;
	o.on_error = on_error;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_EQ(rl_copy_tree(S, D, &o, &st), RL_ECLONE_NOTSUP);
	ASSERT(!exists("dst"));
	ASSERT_EQ(seen.n, 0); /* the stop is returned, not reported */
	/* Merging: only what this run made goes. */
	mk_dir("dst", 0755);
	mk_dir("dst/d0", 0755);
	mk_file("dst/mine", 3, 1);
	o.flags = RL_TREE_MERGE;
	ASSERT_EQ(rl_copy_tree(S, D, &o, &st), RL_ECLONE_NOTSUP);
	ASSERT_EQ(count_in("dst"), 2);
	ASSERT_EQ(count_in("dst/d0"), 0);
}

/* Under a small fd limit the engine copies file by file (no io_uring
 * batches): the same result. */
TEST(tree_one_by_one_under_a_small_fd_limit_gives_the_same_tree)
{
	build_random(11, 20, 200);
	struct rlimit rl;
	ASSERT(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	rl.rlim_cur = 128; /* the soft limit only (valgrind keeps the hard one) */
	ASSERT(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	for (unsigned int jobs = 1; jobs <= 2; jobs++) {
		char name[32];
		snprintf(name, sizeof name, "dst%u", jobs);
		paths("src", name);
		rl_tree_stats st = RL_TREE_STATS_INIT;
		ASSERT_OK(copy(jobs, RL_PRESERVE_ALL, 0, &st));
		assert_same_tree(S, D, LIST_ALL);
	}
}

/* Stopped by on_error in the middle of a batch: no empty stand-in is left
 * for a file that was not copied. (A file we may not read is the error:
 * as root, the test drops to nobody first.) */
TEST(tree_stopped_copy_leaves_no_empty_files)
{
	char p[4096];
	mk_dir("src", 0755);
	mk_dir("src/a", 0755);
	for (int i = 0; i < 40; i++) {
		char n[64];
		snprintf(n, sizeof n, "src/a/f%02d", i);
		mk_file(n, 5000, (unsigned)i);
		if (geteuid() == 0)
			ASSERT(chown(test_path(p, sizeof p, n), 65534, 65534) == 0);
	}
	for (int i = 1; i < 40; i += 2) { /* half: early in any batch */
		char n[64];
		snprintf(n, sizeof n, "src/a/f%02d", i);
		ASSERT(chmod(test_path(p, sizeof p, n), 0) == 0);
	}
	if (geteuid() == 0) {
		ASSERT(chown(test_dir(), 65534, 65534) == 0);
		ASSERT(setgid(65534) == 0 && setuid(65534) == 0);
	}
	paths("src", "dst");
	seen.stop_after = 1;
	ASSERT_EQ(copy(1, 0, 0, NULL), -ECANCELED);
	ASSERT_EQ(seen.n, 1);
	ASSERT_EQ(seen.errs[0], -EACCES);
	int copied = 0;
	for (int i = 0; i < 40; i++) {
		char n[64];
		struct stat st;
		snprintf(n, sizeof n, "dst/a/f%02d", i);
		if (stat(test_path(p, sizeof p, n), &st) == 0) {
			ASSERT_EQ(st.st_size, 5000);
			copied++;
		}
	}
	ASSERT(copied < 20);
}
