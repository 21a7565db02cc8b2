/* test_range_probe.c - rl_copy_fd, rl_clone_range and rl_probe. */
#include "test.h"
#include "reflink.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

TEST(copy_fd_truncates_and_copies)
{
	char a[256], b[256];
	static char data[100000];
	fill_random(data, sizeof data, 4);
	write_file(test_path(a, sizeof a, "a"), data, sizeof data);
	write_file(test_path(b, sizeof b, "b"), data, sizeof data);
	write_file(a, "short", 5);
	int s = open(a, O_RDONLY), d = open(b, O_RDWR);
	rl_result res = RL_RESULT_INIT;
	ASSERT_OK(rl_copy_fd(s, d, NULL, &res));
	ASSERT_EQ(res.bytes, 5);
	struct stat st;
	ASSERT_EQ(fstat(d, &st), 0);
	ASSERT_EQ(st.st_size, 5);
	close(s), close(d);
}

TEST(clone_range_any_range_auto)
{
	char a[256], b[256];
	static char data[3 * 4096 + 100], out[sizeof data];
	fill_random(data, sizeof data, 5);
	write_file(test_path(a, sizeof a, "a"), data, sizeof data);
	write_file(test_path(b, sizeof b, "b"), "", 0);
	int s = open(a, O_RDONLY), d = open(b, O_RDWR);
	rl_result res = RL_RESULT_INIT;
	/* Unaligned on both ends; offsets aligned alike. */
	ASSERT_OK(rl_clone_range(s, 100, d, 100, 2 * 4096 + 50, RL_MODE_AUTO, &res));
	ASSERT_EQ(res.cloned_bytes + res.copied_bytes, 2 * 4096 + 50);
	ASSERT_EQ(pread(d, out, 2 * 4096 + 50, 100), 2 * 4096 + 50);
	ASSERT(memcmp(out, data + 100, 2 * 4096 + 50) == 0);
	/* Misaligned offsets: copied. Length 0 means to the end. */
	rl_result r2 = RL_RESULT_INIT;
	ASSERT_OK(rl_clone_range(s, 7, d, 20000, 0, RL_MODE_AUTO, &r2));
	ASSERT_EQ(r2.copied_bytes, sizeof data - 7);
	ASSERT_EQ(pread(d, out, sizeof data - 7, 20000), (ssize_t)(sizeof data - 7));
	ASSERT(memcmp(out, data + 7, sizeof data - 7) == 0);
	/* Misaligned offsets cannot be cloned: ALWAYS says so. */
	ASSERT(rl_is_clone_impossible(rl_clone_range(s, 7, d, 0, 8192, RL_MODE_ALWAYS, NULL)));
	ASSERT_EQ(rl_clone_range(s, 0, d, 0, 1, (rl_mode)9, NULL), -EINVAL);
	close(s), close(d);
}

TEST(probe_leaves_nothing_and_names_type)
{
	rl_probe_result p = RL_PROBE_INIT;
	ASSERT_OK(rl_probe(test_dir(), &p));
	ASSERT(p.fstype[0] != 0);
	ASSERT(p.supported || rl_is_clone_impossible(p.reason));
	ASSERT_EQ(count_entries(test_dir()), 0);
	char f[256];
	write_file(test_path(f, sizeof f, "file"), "x", 1);
	rl_probe_result q = RL_PROBE_INIT;
	ASSERT_OK(rl_probe(f, &q)); /* a file means its directory */
	ASSERT_STR_EQ(q.fstype, p.fstype);
	ASSERT_EQ(q.supported, p.supported);
	rl_probe_result z = RL_PROBE_INIT;
	ASSERT_EQ(rl_probe("/nonexistent/dir", &z), -ENOENT);
	ASSERT_OK(rl_probe("/proc", &z));
	ASSERT_STR_EQ(z.fstype, "proc");
	ASSERT(!z.supported);
}
