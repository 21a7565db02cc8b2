/* test_keep.c - what a copy must never destroy: a symlink copied as a link
 * onto what it resolves to (RL_ESAMEFILE, single files and trees), and an
 * existing entry the caller protects with on_replace (RL_EREFUSED). */
#include "test.h"
#include "test_tree.h"
#include "reflink.h"

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

static char A[4096], B[4096];

static const char *p(char *buf, const char *rel)
{
	return test_path(buf, 4096, rel);
}

static void make_links(void)
{
	mk_dir("d", 0755);
	mk_file("d/real", 5000, 9);
	mk_hard("d/real", "hard");
	mk_link("real", "d/rel");
	mk_link("d/rel", "chain");
}

TEST(symlink_copied_as_link_onto_its_target_is_the_same_file)
{
	make_links();
	size_t n0, n1;
	char *before = read_file(p(A, "d/real"), &n0);
	rl_options o = RL_OPTIONS_INIT;
	o.flags = RL_F_NOFOLLOW;
	const char *srcs[] = { "d/rel", "chain" }, *dsts[] = { "d/real", "hard" };
	for (int m = 0; m <= RL_MODE_NEVER; m++)
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 2; j++) {
				o.mode = (rl_mode)m;
				ASSERT_EQ(rl_copy_file(p(A, srcs[i]), p(B, dsts[j]), &o, NULL),
					  RL_ESAMEFILE);
			}
	char *after = read_file(p(A, "d/real"), &n1);
	ASSERT_EQ(n0, n1);
	ASSERT(memcmp(before, after, n0) == 0);
	struct stat st;
	ASSERT(lstat(p(A, "d/real"), &st) == 0 && S_ISREG(st.st_mode));
	free(before);
	free(after);
}

static int errs, last_err;
static int count_error(void *ctx, const char *src, const char *dst, int err)
{
	(void)ctx, (void)src, (void)dst;
	errs++;
	last_err = err;
	return 0;
}

TEST(tree_of_a_symlink_onto_its_target_is_the_same_file)
{
	make_links();
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_MERGE;
	o.on_error = count_error;
	ASSERT_EQ(rl_copy_tree(p(A, "chain"), p(B, "hard"), &o, NULL), RL_EPARTIAL);
	ASSERT_EQ(errs, 1);
	ASSERT_EQ(last_err, RL_ESAMEFILE);
	struct stat st;
	ASSERT(lstat(p(A, "hard"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5000);
}

/* Refuses every replacement, recording what it was asked about. */
static uint64_t asked_ino;
static int keep_all(void *ctx, uint64_t dev, uint64_t ino)
{
	(void)ctx, (void)dev;
	asked_ino = ino;
	return 1;
}

TEST(on_replace_keeps_an_existing_entry)
{
	mk_dir("src", 0755);
	mk_file("src/f", 100, 1);
	mk_link("f", "src/l");
	mk_file("src/new", 10, 2);
	mk_dir("dst", 0755);
	mk_file("dst/f", 7, 3);
	mk_file("dst/l", 8, 4);
	struct stat f0;
	ASSERT(lstat(p(A, "dst/f"), &f0) == 0);
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_MERGE;
	o.on_error = count_error;
	o.on_replace = keep_all;
	ASSERT_EQ(rl_copy_tree(p(A, "src"), p(B, "dst"), &o, NULL), RL_EPARTIAL);
	ASSERT_EQ(errs, 2); /* dst/f and dst/l, each once */
	ASSERT_EQ(last_err, RL_EREFUSED);
	struct stat f1, l1;
	ASSERT(lstat(p(A, "dst/f"), &f1) == 0 && f1.st_ino == f0.st_ino && f1.st_size == 7);
	ASSERT(lstat(p(A, "dst/l"), &l1) == 0 && S_ISREG(l1.st_mode) && l1.st_size == 8);
	ASSERT(asked_ino == f0.st_ino || asked_ino == l1.st_ino);
	ASSERT(exists("dst/new"));
}

/* A version-1 caller's struct ends before on_replace: whatever lies past
 * it is never read (here a pointer that would crash if called). */
TEST(version_1_tree_options_never_read_on_replace)
{
	mk_dir("src", 0755);
	mk_file("src/f", 100, 1);
	mk_dir("dst", 0755);
	mk_file("dst/f", 7, 3);
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.version = 1;
	o.flags = RL_TREE_MERGE;
	o.on_replace = (rl_replace_cb)(uintptr_t)1;
	ASSERT_OK(rl_copy_tree(p(A, "src"), p(B, "dst"), &o, NULL));
	struct stat st;
	ASSERT(lstat(p(A, "dst/f"), &st) == 0 && st.st_size == 100);
	/* init of version 1 writes only that version's bytes */
	unsigned char buf[sizeof(rl_tree_options)];
	memset(buf, 0x5a, sizeof buf);
	ASSERT_OK(rl_tree_options_init((rl_tree_options *)(void *)buf, 1));
	ASSERT_EQ(buf[sizeof buf - 1], 0x5a);
}

TEST(atomic_with_merge_is_invalid)
{
	mk_dir("src", 0755);
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_ATOMIC | RL_TREE_MERGE;
	ASSERT_EQ(rl_copy_tree(p(A, "src"), p(B, "dst"), &o, NULL), -EINVAL);
	ASSERT(!exists("dst"));
}

TEST(atomic_replaces_a_directory_whole)
{
	mk_dir("src", 0755);
	mk_file("src/f", 100, 1);
	mk_dir("dst", 0700);
	mk_file("dst/old", 7, 3);
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.flags = RL_TREE_ATOMIC;
	o.preserve = RL_PRESERVE_MODE;
	ASSERT_OK(rl_copy_tree(p(A, "src"), p(B, "dst"), &o, NULL));
	ASSERT(exists("dst/f") && !exists("dst/old"));
	struct stat st;
	ASSERT(stat(p(A, "dst"), &st) == 0 && (st.st_mode & 07777) == 0755);
	ASSERT_EQ(count_in("."), 2); /* src and dst: no stage left */
}
