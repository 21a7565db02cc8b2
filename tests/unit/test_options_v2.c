/* test_options_v2.c - rl_options version 2 (sparse, backup) and the
 * single-file flags cp's options need; a version-1 caller still works. */
#include "test.h"
#include "reflink.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <unistd.h>


TEST(options_v1_caller_struct_is_read_only_to_its_end)
{
	char a[256], b[256];
	write_file(test_path(a, sizeof a, "a"), "data", 4);
	test_path(b, sizeof b, "b");
	/* Exactly as long as a version-1 struct: ASan sees any read past it. */
	struct v1_options_layout *o = calloc(1, sizeof *o);
	ASSERT(o != NULL);
	ASSERT_OK(rl_options_init((rl_options *)(void *)o, 1));
	ASSERT_EQ(o->version, 1u);
	ASSERT_EQ(o->mode, RL_MODE_AUTO);
	ASSERT_OK(rl_copy_file(a, b, (const rl_options *)(void *)o, NULL));
	assert_content(b, "data");
	free(o);
}

TEST(options_v2_validation)
{
	char a[256], b[256];
	write_file(test_path(a, sizeof a, "a"), "x", 1);
	test_path(b, sizeof b, "b");
	rl_options o = RL_OPTIONS_INIT;
	o.mode = RL_MODE_ALWAYS;
	o.sparse = RL_SPARSE_NEVER; /* a clone cannot write every byte */
	ASSERT_EQ(rl_copy_file(a, b, &o, NULL), -EINVAL);
	o.mode = RL_MODE_AUTO;
	o.sparse = (rl_sparse)9;
	ASSERT_EQ(rl_copy_file(a, b, &o, NULL), -EINVAL);
	o.sparse = RL_SPARSE_AUTO;
	o.backup = "dir/b~"; /* a name in dst's directory, never a path */
	ASSERT_EQ(rl_copy_file(a, b, &o, NULL), -EINVAL);
	o.backup = "";
	ASSERT_EQ(rl_copy_file(a, b, &o, NULL), -EINVAL);
	ASSERT(access(b, F_OK) != 0);
}

TEST(backup_keeps_the_replaced_dest)
{
	char a[256], b[256], k[256];
	write_file(test_path(a, sizeof a, "a"), "new", 3);
	write_file(test_path(b, sizeof b, "b"), "old", 3);
	test_path(k, sizeof k, "b~");
	rl_options o = RL_OPTIONS_INIT;
	o.backup = "b~";
	ASSERT_OK(rl_copy_file(a, b, &o, NULL));
	assert_content(b, "new");
	assert_content(k, "old");
	write_file(a, "newer", 5); /* an older backup is replaced */
	ASSERT_OK(rl_copy_file(a, b, &o, NULL));
	assert_content(b, "newer");
	assert_content(k, "new");
	ASSERT_EQ(count_entries(test_dir()), 3); /* no debris */
}

TEST(attributes_only_copies_no_data)
{
	char a[256], b[256], c[256];
	struct stat st;
	write_file(test_path(a, sizeof a, "a"), "data", 4);
	write_file(test_path(b, sizeof b, "b"), "old", 3);
	test_path(c, sizeof c, "c");
	rl_options o = RL_OPTIONS_INIT;
	o.flags = RL_F_ATTR_ONLY;
	o.preserve = RL_PRESERVE_TIMESTAMPS;
	struct timespec ts[2] = { { 946684800, 0 }, { 946684800, 0 } };
	ASSERT_OK(utimensat(AT_FDCWD, a, ts, 0));
	ASSERT_OK(rl_copy_file(a, b, &o, NULL));
	assert_content(b, "old"); /* an existing DEST keeps its data */
	ASSERT_OK(stat(b, &st));
	ASSERT_EQ(st.st_mtim.tv_sec, 946684800);
	ASSERT_OK(rl_copy_file(a, c, &o, NULL));
	ASSERT_OK(stat(c, &st));
	ASSERT_EQ(st.st_size, 0); /* a new one is empty */
}

TEST(sparse_always_makes_holes_never_fills_them)
{
	char a[256], b[256], c[256];
	struct stat st;
	size_t n = 1 << 20;
	char *zeros = calloc(1, n + 1);
	ASSERT(zeros != NULL);
	zeros[n] = 'x';
	write_file(test_path(a, sizeof a, "a"), zeros, n + 1);
	test_path(b, sizeof b, "b");
	test_path(c, sizeof c, "c");
	rl_options o = RL_OPTIONS_INIT;
	o.mode = RL_MODE_NEVER;
	o.sparse = RL_SPARSE_ALWAYS;
	ASSERT_OK(rl_copy_file(a, b, &o, NULL));
	ASSERT_OK(stat(b, &st));
	ASSERT_EQ((size_t)st.st_size, n + 1);
	ASSERT((size_t)st.st_blocks * 512 < n / 2); /* the zeros are a hole */
	o.sparse = RL_SPARSE_NEVER;
	ASSERT_OK(rl_copy_file(b, c, &o, NULL));
	ASSERT_OK(stat(c, &st));
	ASSERT((size_t)st.st_blocks * 512 >= n); /* every byte written */
	size_t got;
	char *data = read_file(c, &got);
	ASSERT_EQ(got, n + 1);
	ASSERT(memcmp(data, zeros, n + 1) == 0);
	free(data);
	free(zeros);
}
