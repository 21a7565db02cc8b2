/* test_api.c - errors, names and option structs. */
#include "test.h"
#include "reflink.h"

#include <errno.h>

TEST(strerror_library_codes)
{
	ASSERT(strstr(rl_strerror(RL_ECLONE_XDEV), "different filesystems"));
	ASSERT(strstr(rl_strerror(RL_ECLONE_NOTSUP), "does not support"));
	ASSERT(strstr(rl_strerror(RL_ESAMEFILE), "same file"));
	ASSERT_STR_EQ(rl_strerror(-ENOENT), "No such file or directory");
	ASSERT_STR_EQ(rl_strerror(0), "success");
	ASSERT_STR_EQ(rl_strerror(RL_ERRNO_BASE - 99), "unknown error");
	ASSERT_STR_EQ(rl_strerror(12345), "unknown error");
}

TEST(clone_impossible_is_distinct)
{
	int yes[] = { RL_ECLONE_XDEV, RL_ECLONE_NOTSUP, RL_ECLONE_INVAL,
		      RL_ECLONE_DENIED, RL_ECLONE_BUSY };
	int no[] = { 0, -EXDEV, -EOPNOTSUPP, -EIO, -ENOSPC, RL_ESAMEFILE,
		     RL_ENOTREGULAR, RL_ECHANGED, RL_EINSIDE };
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		ASSERT(rl_is_clone_impossible(yes[i]));
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		ASSERT(!rl_is_clone_impossible(no[i]));
}

TEST(method_names)
{
	ASSERT_STR_EQ(rl_method_name(RL_METHOD_CLONE), "clone");
	ASSERT_STR_EQ(rl_method_name(RL_METHOD_COPY_RANGE), "copy_file_range");
	ASSERT_STR_EQ(rl_method_name(RL_METHOD_READ_WRITE), "read_write");
	ASSERT_STR_EQ(rl_method_name(RL_METHOD_NONE), "none");
	ASSERT_STR_EQ(rl_method_name((rl_method)99), "unknown");
}

TEST(options_init_and_validation)
{
	rl_options o;
	ASSERT_OK(rl_options_init(&o, RL_OPTIONS_VERSION));
	ASSERT_EQ(o.mode, RL_MODE_AUTO);
	ASSERT_EQ(rl_options_init(&o, 0), -EINVAL);
	ASSERT_EQ(rl_options_init(&o, RL_OPTIONS_VERSION + 1), -EINVAL);
	rl_tree_options t;
	ASSERT_OK(rl_tree_options_init(&t, RL_TREE_OPTIONS_VERSION));
	ASSERT_EQ(t.jobs, 0);

	char a[256], b[256];
	write_file(test_path(a, sizeof a, "a"), "x", 1);
	test_path(b, sizeof b, "b");
	rl_options bad = RL_OPTIONS_INIT;
	bad.flags = 0x80000000u; /* unknown flag bits are rejected */
	ASSERT_EQ(rl_copy_file(a, b, &bad, NULL), -EINVAL);
	bad.flags = 0;
	bad.preserve = 0x100;
	ASSERT_EQ(rl_copy_file(a, b, &bad, NULL), -EINVAL);
	bad.preserve = 0;
	bad.mode = (rl_mode)7;
	ASSERT_EQ(rl_copy_file(a, b, &bad, NULL), -EINVAL);
	bad.mode = RL_MODE_AUTO;
	bad.version = 99;
	ASSERT_EQ(rl_copy_file(a, b, &bad, NULL), -EINVAL);
	rl_result res = RL_RESULT_INIT;
	res.version = 0; /* an unset result struct is refused */
	ASSERT_EQ(rl_copy_file(a, b, NULL, &res), -EINVAL);
}
