/* test_tree_policy.c - rl_tree_options version 3's policies for existing
 * entries: update (none, older, none-fail), on_ask, backup, on_skip, and
 * stats.skipped; a kept entry keeps its inode and content. */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char S[4096], D[4096];

/* src: a (new), d/b (new), l -> a; dst: a and d/b (old), l -> old,
 * d/c only in src. Times: src's at 2000, dst's at 1990 for a, 2010 for b. */
static void two_trees(void)
{
	char p[4096];
	test_path(S, sizeof S, "src");
	test_path(D, sizeof D, "dst");
	ASSERT(mkdir(S, 0755) == 0 && mkdir(test_path(p, sizeof p, "src/d"), 0755) == 0);
	ASSERT(mkdir(D, 0755) == 0 && mkdir(test_path(p, sizeof p, "dst/d"), 0755) == 0);
	write_file(test_path(p, sizeof p, "src/a"), "new-a", 5);
	write_file(test_path(p, sizeof p, "src/d/b"), "new-b", 5);
	write_file(test_path(p, sizeof p, "src/d/c"), "new-c", 5);
	ASSERT(symlink("a", test_path(p, sizeof p, "src/l")) == 0);
	write_file(test_path(p, sizeof p, "dst/a"), "old", 3);
	write_file(test_path(p, sizeof p, "dst/d/b"), "old", 3);
	ASSERT(symlink("old", test_path(p, sizeof p, "dst/l")) == 0);
	struct timespec t2000[2] = { { 946684800, 0 }, { 946684800, 0 } };
	struct timespec t1990[2] = { { 631152000, 0 }, { 631152000, 0 } };
	struct timespec t2010[2] = { { 1262304000, 0 }, { 1262304000, 0 } };
	const char *srcs[] = { "src/a", "src/d/b", "src/d/c", "src/l" };
	for (int i = 0; i < 4; i++)
		ASSERT(utimensat(AT_FDCWD, test_path(p, sizeof p, srcs[i]), t2000,
				 AT_SYMLINK_NOFOLLOW) == 0);
	ASSERT(utimensat(AT_FDCWD, test_path(p, sizeof p, "dst/a"), t1990, 0) == 0);
	ASSERT(utimensat(AT_FDCWD, test_path(p, sizeof p, "dst/d/b"), t2010, 0) == 0);
	ASSERT(utimensat(AT_FDCWD, test_path(p, sizeof p, "dst/l"), t1990,
			 AT_SYMLINK_NOFOLLOW) == 0);
}

static ino_t ino_of(const char *rel)
{
	char p[4096];
	struct stat st;
	ASSERT(lstat(test_path(p, sizeof p, rel), &st) == 0);
	return st.st_ino;
}

static void content_is(const char *rel, const char *want)
{
	char p[4096];
	assert_content(test_path(p, sizeof p, rel), want);
}

static void link_is(const char *rel, const char *want)
{
	char p[4096], buf[256];
	ssize_t n = readlink(test_path(p, sizeof p, rel), buf, sizeof buf - 1);
	ASSERT(n > 0);
	buf[n] = 0;
	ASSERT_STR_EQ(buf, want);
}

struct seen {
	int errors, eexist, skips, asks, backups;
	char last_skip[256];
	int answer; /* on_ask's: nonzero keeps */
};

static int count_error(void *ctx, const char *src, const char *dst, int err)
{
	struct seen *s = ctx;
	(void)src, (void)dst;
	s->errors++;
	s->eexist += err == -EEXIST;
	return 0;
}

static void count_skip(void *ctx, const char *path, int type,
		       const rl_result *res)
{
	struct seen *s = ctx;
	ASSERT(res == NULL && type != 0);
	s->skips++;
	snprintf(s->last_skip, sizeof s->last_skip, "%s", path);
}

static rl_tree_options merging(struct seen *s, rl_update u)
{
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_MERGE;
	o.update = u;
	o.on_error = count_error;
	o.on_skip = count_skip;
	o.ctx = s;
	return o;
}

TEST(tree_update_none_keeps_every_existing_entry_silently)
{
	struct seen s = { 0 };
	two_trees();
	ino_t a = ino_of("dst/a"), b = ino_of("dst/d/b"), l = ino_of("dst/l");
	rl_tree_options o = merging(&s, RL_UPDATE_NONE);
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	ASSERT_EQ(st.skipped, 3);
	ASSERT_EQ(st.errors, 0);
	ASSERT_EQ(st.files, 1); /* d/c only */
	ASSERT_EQ(s.errors, 0);
	ASSERT_EQ(s.skips, 3);
	content_is("dst/a", "old");
	content_is("dst/d/b", "old");
	content_is("dst/d/c", "new-c");
	link_is("dst/l", "old");
	ASSERT_EQ(ino_of("dst/a"), a); /* never replaced, not even by itself */
	ASSERT_EQ(ino_of("dst/d/b"), b);
	ASSERT_EQ(ino_of("dst/l"), l);
	/* A second run: everything is there, nothing is replaced. */
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	ASSERT_EQ(st.skipped, 4);
	ASSERT_EQ(st.files, 0);
	ASSERT_EQ(ino_of("dst/a"), a);
}

TEST(tree_update_older_replaces_only_older_entries)
{
	struct seen s = { 0 };
	two_trees();
	ino_t b = ino_of("dst/d/b");
	rl_tree_options o = merging(&s, RL_UPDATE_OLDER);
	o.preserve = RL_PRESERVE_TIMESTAMPS;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	content_is("dst/a", "new-a");   /* 1990 < 2000: replaced */
	content_is("dst/d/b", "old");   /* 2010 > 2000: kept */
	link_is("dst/l", "a");          /* the link by its own time: replaced */
	ASSERT_EQ(ino_of("dst/d/b"), b);
	ASSERT_EQ(st.skipped, 1);
	ASSERT_STR_EQ(s.last_skip, "d/b");
	/* Again, with -p's times now equal: equal keeps (cp 9.5), nothing moves. */
	ino_t a = ino_of("dst/a"), c = ino_of("dst/d/c");
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	ASSERT_EQ(st.skipped, 4);
	ASSERT_EQ(st.files, 0);
	ASSERT_EQ(ino_of("dst/a"), a);
	ASSERT_EQ(ino_of("dst/d/c"), c);
}

TEST(tree_update_none_fail_reports_each_kept_entry)
{
	struct seen s = { 0 };
	two_trees();
	rl_tree_options o = merging(&s, RL_UPDATE_NONE_FAIL);
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_EQ(rl_copy_tree(S, D, &o, &st), RL_EPARTIAL);
	ASSERT_EQ(st.errors, 3);
	ASSERT_EQ(st.skipped, 3);
	ASSERT_EQ(s.eexist, 3);
	ASSERT_EQ(s.skips, 3);
	content_is("dst/a", "old");
	content_is("dst/d/c", "new-c");
}

static int ask_keep_a(void *ctx, const char *dst)
{
	struct seen *s = ctx;
	s->asks++;
	size_t n = strlen(dst);
	return n >= 2 && strcmp(dst + n - 2, "/a") == 0;
}

TEST(tree_on_ask_is_asked_after_the_update_policy)
{
	struct seen s = { 0 };
	two_trees();
	ino_t a = ino_of("dst/a");
	rl_tree_options o = merging(&s, RL_UPDATE_OLDER);
	o.on_ask = ask_keep_a;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	ASSERT_EQ(s.asks, 2);           /* a and l: b was kept by -u first */
	ASSERT_EQ(st.skipped, 2);       /* b by the policy, a by the answer */
	ASSERT_EQ(ino_of("dst/a"), a);
	content_is("dst/a", "old");
	link_is("dst/l", "a");
}

static int name_backup(void *ctx, const char *dst, char *name, size_t cap)
{
	struct seen *s = ctx;
	const char *base = strrchr(dst, '/');
	s->backups++;
	snprintf(name, cap, "%s~", base ? base + 1 : dst);
	return 1;
}

TEST(tree_backup_keeps_each_replaced_entry_under_its_name)
{
	struct seen s = { 0 };
	two_trees();
	ino_t a = ino_of("dst/a");
	rl_tree_options o = merging(&s, RL_UPDATE_ALL);
	o.backup = name_backup;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	ASSERT_EQ(s.backups, 3);
	content_is("dst/a", "new-a");
	content_is("dst/a~", "old");
	ASSERT_EQ(ino_of("dst/a~"), a); /* the old inode itself, kept */
	content_is("dst/d/b~", "old");
	link_is("dst/l~", "old");
	link_is("dst/l", "a");
	char p[4096];
	ASSERT(access(test_path(p, sizeof p, "dst/d/c~"), F_OK) != 0); /* was new */
}

static int bad_backup(void *ctx, const char *dst, char *name, size_t cap)
{
	(void)ctx, (void)dst;
	snprintf(name, cap, "../escape");
	return 1;
}

TEST(tree_backup_name_with_a_slash_fails_the_entry_untouched)
{
	struct seen s = { 0 };
	two_trees();
	ino_t a = ino_of("dst/a");
	rl_tree_options o = merging(&s, RL_UPDATE_ALL);
	o.backup = bad_backup;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_EQ(rl_copy_tree(S, D, &o, &st), RL_EPARTIAL);
	ASSERT_EQ(st.errors, 3);
	ASSERT_EQ(ino_of("dst/a"), a);
	content_is("dst/a", "old");
	content_is("dst/d/c", "new-c");
}

TEST(tree_policy_options_are_checked)
{
	two_trees();
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_MERGE;
	o.update = (rl_update)4;
	ASSERT_EQ(rl_copy_tree(S, D, &o, NULL), -EINVAL);
	content_is("dst/a", "old");
}

/* A version-2 caller has no update field: it replaces, as before. */
TEST(tree_version2_caller_replaces_as_before)
{
	two_trees();
	rl_tree_options o;
	ASSERT_OK(rl_tree_options_init(&o, 2));
	o.flags = RL_TREE_MERGE;
	o.update = RL_UPDATE_NONE; /* past version 2: never read */
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	content_is("dst/a", "new-a");
	ASSERT_EQ(st.skipped, 0);
}

/* --- cp's per-file options inside a tree -------------------------------- */

static void one_tree(void)
{
	char p[4096];
	test_path(S, sizeof S, "src");
	test_path(D, sizeof D, "dst");
	ASSERT(mkdir(S, 0750) == 0 && mkdir(test_path(p, sizeof p, "src/d"), 0700) == 0);
	write_file(test_path(p, sizeof p, "src/a"), "data-a", 6);
	write_file(test_path(p, sizeof p, "src/d/b"), "data-b", 6);
	ASSERT(chmod(test_path(p, sizeof p, "src/d/b"), 0600) == 0);
	ASSERT(symlink("a", test_path(p, sizeof p, "src/l")) == 0);
}

static struct stat st_of(const char *rel)
{
	char p[4096];
	struct stat st;
	ASSERT(lstat(test_path(p, sizeof p, rel), &st) == 0);
	return st;
}

TEST(tree_hardlink_links_every_entry_and_makes_directories)
{
	one_tree();
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_HARDLINK;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	ASSERT_EQ(st_of("dst/a").st_ino, st_of("src/a").st_ino);
	ASSERT_EQ(st_of("dst/d/b").st_ino, st_of("src/d/b").st_ino);
	ASSERT_EQ(st_of("dst/l").st_ino, st_of("src/l").st_ino); /* the link itself */
	ASSERT(S_ISDIR(st_of("dst/d").st_mode));
	ASSERT(st_of("dst/d").st_ino != st_of("src/d").st_ino);
	ASSERT_EQ(st.hardlinks, 3);
	ASSERT_EQ(st.files, 0);
	/* Following links (-L): what a symlink names is linked. */
	char p[4096];
	o.flags = RL_TREE_HARDLINK | RL_TREE_DEREF_ALL;
	ASSERT_OK(rl_copy_tree(S, test_path(p, sizeof p, "dst2"), &o, &st));
	ASSERT_EQ(st_of("dst2/l").st_ino, st_of("src/a").st_ino);
}

TEST(tree_hardlink_onto_existing_entries_follows_the_policy)
{
	char p[4096];
	one_tree();
	ASSERT(mkdir(test_path(D, sizeof D, "dst"), 0755) == 0);
	write_file(test_path(p, sizeof p, "dst/a"), "old", 3);
	ino_t old = st_of("dst/a").st_ino;
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_HARDLINK | RL_TREE_MERGE | RL_F_NO_CLOBBER;
	rl_tree_stats st = RL_TREE_STATS_INIT;
	ASSERT_EQ(rl_copy_tree(S, D, &o, &st), RL_EPARTIAL); /* cp -rl: exists */
	ASSERT_EQ(st.errors, 1);
	ASSERT_EQ(st_of("dst/a").st_ino, old);
	o.flags = RL_TREE_HARDLINK | RL_TREE_MERGE; /* cp -rlf: replaced */
	ASSERT_OK(rl_copy_tree(S, D, &o, &st));
	ASSERT_EQ(st_of("dst/a").st_ino, st_of("src/a").st_ino);
}

TEST(tree_symlink_names_each_source_by_its_absolute_path)
{
	one_tree();
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_SYMLINK;
	ASSERT_OK(rl_copy_tree(S, D, &o, NULL));
	char want[4200];
	snprintf(want, sizeof want, "%s/d/b", S);
	link_is("dst/d/b", want);
	snprintf(want, sizeof want, "%s/l", S);
	link_is("dst/l", want);
	content_is("dst/a", "data-a"); /* through the link */
	ASSERT(S_ISDIR(st_of("dst/d").st_mode));
}

TEST(tree_attributes_only_makes_empty_files_and_keeps_existing_data)
{
	char p[4096];
	one_tree();
	ASSERT(mkdir(test_path(D, sizeof D, "dst"), 0755) == 0);
	write_file(test_path(p, sizeof p, "dst/a"), "old", 3);
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_MERGE | RL_F_ATTR_ONLY;
	o.preserve = RL_PRESERVE_MODE;
	ASSERT_OK(rl_copy_tree(S, D, &o, NULL));
	content_is("dst/a", "old");
	ASSERT_EQ(st_of("dst/d/b").st_size, 0);
	ASSERT_EQ(st_of("dst/d/b").st_mode & 07777, 0600);
}

TEST(tree_default_mode_gives_files_and_directories_the_default_bits)
{
	one_tree();
	mode_t um = umask(022);
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_F_DEFAULT_MODE;
	ASSERT_OK(rl_copy_tree(S, D, &o, NULL));
	umask(um);
	ASSERT_EQ(st_of("dst/d/b").st_mode & 07777, 0644);
	ASSERT_EQ(st_of("dst/d").st_mode & 07777, 0755);
	ASSERT_EQ(st_of("dst").st_mode & 07777, 0755);
	content_is("dst/d/b", "data-b");
}

TEST(tree_sparse_never_writes_holes_as_zeros)
{
	char p[4096];
	one_tree();
	int fd = open(test_path(p, sizeof p, "src/holes"), O_CREAT | O_WRONLY, 0644);
	ASSERT(fd >= 0 && ftruncate(fd, 4 << 20) == 0 && pwrite(fd, "x", 1, 4 << 20) == 1);
	close(fd);
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.sparse = RL_SPARSE_NEVER;
	ASSERT_OK(rl_copy_tree(S, D, &o, NULL));
	struct stat st = st_of("dst/holes");
	ASSERT_EQ(st.st_size, (4 << 20) + 1);
	ASSERT((uint64_t)st.st_blocks * 512 >= (uint64_t)(4 << 20)); /* all written */
	o.sparse = RL_SPARSE_NEVER;
	o.mode = RL_MODE_ALWAYS; /* a clone cannot write every byte */
	ASSERT_EQ(rl_copy_tree(S, test_path(p, sizeof p, "dst2"), &o, NULL), -EINVAL);
}
