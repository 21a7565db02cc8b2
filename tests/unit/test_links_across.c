/* test_links_across.c - rl_links: hard links kept across calls. Two trees
 * holding names of one file, copied by two rl_copy_tree calls sharing an
 * rl_links, come out linked (also with several workers and --atomic); a
 * single file the caller remembered is linked into a later tree; a copy
 * that went away is copied again; without RL_PRESERVE_LINKS, or from a
 * version-4 caller, nothing is linked. */
#include "test.h"
#include "test_tree.h"
#include "reflink.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *p(char *buf, const char *rel)
{
	return test_path(buf, 4096, rel);
}

static ino_t ino_of(const char *rel)
{
	char b[4096];
	struct stat st;
	ASSERT(stat(p(b, rel), &st) == 0);
	return st.st_ino;
}

/* a/x and b/y: one file; a/solo alone. */
static void build(void)
{
	mk_dir("a", 0755);
	mk_dir("b", 0755);
	mk_dir("b/deep", 0755);
	mk_dir("out", 0755);
	mk_file("a/x", 5000, 1);
	mk_hard("a/x", "b/deep/y");
	mk_file("a/solo", 10, 2);
}

static int copy(const char *src, const char *dst, rl_links *l,
		unsigned int flags, unsigned int preserve, unsigned int jobs)
{
	char s[4096], d[4096];
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.mode = RL_MODE_AUTO;
	o.flags = flags;
	o.preserve = preserve;
	o.jobs = jobs;
	o.links = l;
	return rl_copy_tree(p(s, src), p(d, dst), &o, NULL);
}

static void two_trees(unsigned int flags, unsigned int jobs)
{
	build();
	rl_links *l = rl_links_new();
	ASSERT(l);
	ASSERT_OK(copy("a", "out/a", l, 0, RL_PRESERVE_LINKS, jobs));
	ASSERT_OK(copy("b", "out/b", l, flags, RL_PRESERVE_LINKS, jobs));
	ASSERT_EQ(ino_of("out/a/x"), ino_of("out/b/deep/y"));
	ASSERT(ino_of("out/a/x") != ino_of("a/x"));
	ASSERT(ino_of("out/a/solo") != ino_of("a/solo"));
	rl_links_free(l);
}

TEST(links_across_two_trees)
{
	two_trees(0, 1);
}

TEST(links_across_two_trees_atomic_four_workers)
{
	two_trees(RL_TREE_ATOMIC, 4);
}

TEST(links_across_file_then_tree)
{
	char s[4096], d[4096];
	struct stat st;
	build();
	rl_links *l = rl_links_new();
	ASSERT(l);
	rl_options o = RL_OPTIONS_INIT;
	ASSERT_OK(rl_copy_file(p(s, "a/x"), p(d, "out/x"), &o, NULL));
	ASSERT(stat(s, &st) == 0);
	ASSERT_OK(rl_links_add(l, &st, d));
	ASSERT_OK(copy("b", "out/b", l, 0, RL_PRESERVE_LINKS, 2));
	ASSERT_EQ(ino_of("out/x"), ino_of("out/b/deep/y"));
	/* What the tree copied is there for a later file: the first stays. */
	char found[4096];
	ASSERT_EQ(rl_links_find(l, &st, found, sizeof found), 1);
	ASSERT_STR_EQ(found, d);
	ASSERT_EQ(rl_links_find(l, &st, found, 3), -ENAMETOOLONG);
	rl_links_free(l);
}

TEST(links_across_copy_gone_is_copied)
{
	char d[4096];
	build();
	rl_links *l = rl_links_new();
	ASSERT_OK(copy("a", "out/a", l, 0, RL_PRESERVE_LINKS, 1));
	ASSERT(unlink(p(d, "out/a/x")) == 0);
	ASSERT_OK(copy("b", "out/b", l, 0, RL_PRESERVE_LINKS, 1));
	ASSERT(exists("out/b/deep/y"));
	ASSERT(ino_of("out/b/deep/y") != ino_of("b/deep/y"));
	rl_links_free(l);
}

TEST(links_across_need_preserve_links_and_version_5)
{
	char s[4096], d[4096];
	build();
	rl_links *l = rl_links_new();
	ASSERT_OK(copy("a", "out/a", l, 0, 0, 1));
	ASSERT_OK(copy("b", "out/b", l, 0, 0, 1));
	ASSERT(ino_of("out/a/x") != ino_of("out/b/deep/y"));
	/* A version-4 caller's struct ends before links: never read. */
	rl_tree_options o;
	ASSERT_OK(rl_tree_options_init(&o, 4));
	o.mode = RL_MODE_AUTO;
	o.preserve = RL_PRESERVE_LINKS;
	o.links = l; /* lies past a version-4 struct: must be ignored */
	ASSERT_OK(rl_copy_tree(p(s, "b"), p(d, "out/c"), &o, NULL));
	ASSERT(ino_of("out/c/deep/y") != ino_of("out/a/x"));
	ASSERT_EQ(rl_links_add(NULL, NULL, "x"), -EINVAL);
	rl_links_free(l);
	rl_links_free(NULL);
}
