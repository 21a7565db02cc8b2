/* test_copy.c - single-file copies in a scratch directory (whatever
 * filesystem /tmp is: the real-filesystem matrix is in tests/fs). */
#include "test.h"
#include "reflink.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void assert_same_content(const char *a, const char *b)
{
	size_t la, lb;
	char *x = read_file(a, &la), *y = read_file(b, &lb);
	ASSERT_EQ(la, lb);
	ASSERT(memcmp(x, y, la) == 0);
	free(x);
	free(y);
}

TEST(auto_copies_content_and_reports_method)
{
	char a[256], b[256];
	static char data[300000];
	fill_random(data, sizeof data, 1);
	write_file(test_path(a, sizeof a, "a"), data, sizeof data);
	test_path(b, sizeof b, "b");
	rl_result res = RL_RESULT_INIT;
	ASSERT_OK(rl_copy_file(a, b, NULL, &res));
	assert_same_content(a, b);
	ASSERT_EQ(res.bytes, sizeof data);
	ASSERT_EQ(res.cloned_bytes + res.copied_bytes, sizeof data);
	ASSERT(res.method == RL_METHOD_CLONE || res.method == RL_METHOD_COPY_RANGE ||
	       res.method == RL_METHOD_READ_WRITE);
	ASSERT_EQ(count_entries(test_dir()), 2); /* no debris */
}

TEST(never_mode_writes_every_byte)
{
	char a[256], b[256];
	static char data[70000];
	fill_random(data, sizeof data, 2);
	write_file(test_path(a, sizeof a, "a"), data, sizeof data);
	rl_options o = RL_OPTIONS_INIT;
	o.mode = RL_MODE_NEVER;
	rl_result res = RL_RESULT_INIT;
	ASSERT_OK(rl_copy_file(a, test_path(b, sizeof b, "b"), &o, &res));
	ASSERT_EQ(res.method, RL_METHOD_READ_WRITE);
	ASSERT_EQ(res.copied_bytes, sizeof data);
	ASSERT_EQ(res.cloned_bytes, 0);
	assert_same_content(a, b);
}

TEST(empty_file)
{
	char a[256], b[256];
	write_file(test_path(a, sizeof a, "a"), "", 0);
	ASSERT_OK(rl_copy_file(a, test_path(b, sizeof b, "b"), NULL, NULL));
	struct stat st;
	ASSERT_EQ(stat(b, &st), 0);
	ASSERT_EQ(st.st_size, 0);
}

TEST(existing_dest_replaced_and_noclobber_refuses)
{
	char a[256], b[256];
	write_file(test_path(a, sizeof a, "a"), "new content", 11);
	write_file(test_path(b, sizeof b, "b"), "old", 3);
	rl_options o = RL_OPTIONS_INIT;
	o.flags = RL_F_NO_CLOBBER;
	ASSERT_EQ(rl_copy_file(a, b, &o, NULL), -EEXIST);
	size_t n;
	char *got = read_file(b, &n);
	ASSERT_EQ(n, 3);
	free(got);
	ASSERT_OK(rl_copy_file(a, b, NULL, NULL));
	assert_same_content(a, b);
	ASSERT_EQ(count_entries(test_dir()), 2);
}

TEST(same_file_refused_untouched)
{
	char a[256], h[256], l[256];
	write_file(test_path(a, sizeof a, "a"), "keep me", 7);
	ASSERT_EQ(link(a, test_path(h, sizeof h, "hard")), 0);
	ASSERT_EQ(symlink("a", test_path(l, sizeof l, "sym")), 0);
	ASSERT_EQ(rl_copy_file(a, a, NULL, NULL), RL_ESAMEFILE);
	ASSERT_EQ(rl_copy_file(a, h, NULL, NULL), RL_ESAMEFILE);
	ASSERT_EQ(rl_copy_file(a, l, NULL, NULL), RL_ESAMEFILE);
	char other[300];
	snprintf(other, sizeof other, "%s/./a", test_dir());
	ASSERT_EQ(rl_copy_file(a, other, NULL, NULL), RL_ESAMEFILE);
	size_t n;
	char *got = read_file(a, &n);
	ASSERT_EQ(n, 7);
	ASSERT(memcmp(got, "keep me", 7) == 0);
	free(got);
}

TEST(symlink_dest_replaced_target_untouched)
{
	char a[256], t[256], l[256];
	write_file(test_path(a, sizeof a, "a"), "fresh", 5);
	write_file(test_path(t, sizeof t, "target"), "precious", 8);
	ASSERT_EQ(symlink(t, test_path(l, sizeof l, "link")), 0);
	ASSERT_OK(rl_copy_file(a, l, NULL, NULL));
	struct stat st;
	ASSERT_EQ(lstat(l, &st), 0);
	ASSERT(S_ISREG(st.st_mode));
	assert_same_content(a, l);
	size_t n;
	char *got = read_file(t, &n);
	ASSERT_EQ(n, 8);
	ASSERT(memcmp(got, "precious", 8) == 0);
	free(got);
}

TEST(non_regular_sources_refused_without_hanging)
{
	char f[256], b[256];
	ASSERT_EQ(mkfifo(test_path(f, sizeof f, "fifo"), 0644), 0);
	ASSERT_EQ(rl_copy_file(f, test_path(b, sizeof b, "b"), NULL, NULL), RL_ENOTREGULAR);
	ASSERT_EQ(rl_copy_file("/dev/null", b, NULL, NULL), RL_ENOTREGULAR);
	ASSERT_EQ(rl_copy_file(test_dir(), b, NULL, NULL), -EISDIR);
	ASSERT_EQ(rl_copy_file("/nonexistent/x", b, NULL, NULL), -ENOENT);
	ASSERT_EQ(access(b, F_OK), -1);
}

TEST(dest_directory_and_missing_parent)
{
	char a[256], d[256], b[256];
	write_file(test_path(a, sizeof a, "a"), "x", 1);
	ASSERT_EQ(mkdir(test_path(d, sizeof d, "dir"), 0755), 0);
	ASSERT_EQ(rl_copy_file(a, d, NULL, NULL), -EISDIR);
	ASSERT_EQ(rl_copy_file(a, test_path(b, sizeof b, "no/such/b"), NULL, NULL), -ENOENT);
}

TEST(mode_follows_umask_or_preserved)
{
	char a[256], b[256], c[256];
	write_file(test_path(a, sizeof a, "a"), "x", 1);
	ASSERT_EQ(chmod(a, 04777), 0);
	umask(027);
	ASSERT_OK(rl_copy_file(a, test_path(b, sizeof b, "b"), NULL, NULL));
	struct stat st;
	ASSERT_EQ(stat(b, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0750); /* setuid dropped, umask applied */
	rl_options o = RL_OPTIONS_INIT;
	o.preserve = RL_PRESERVE_MODE;
	ASSERT_OK(rl_copy_file(a, test_path(c, sizeof c, "c"), &o, NULL));
	ASSERT_EQ(stat(c, &st), 0);
	ASSERT_EQ(st.st_mode & 07777, 0777); /* exact, but no setuid without owner */
	o.preserve = RL_PRESERVE_MODE | RL_PRESERVE_OWNERSHIP;
	ASSERT_OK(rl_copy_file(a, c, &o, NULL));
	ASSERT_EQ(stat(c, &st), 0);
	if (geteuid() == 0)
		ASSERT_EQ(st.st_mode & 07777, 04777);
}

TEST(timestamps_preserved)
{
	char a[256], b[256];
	write_file(test_path(a, sizeof a, "a"), "x", 1);
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
	ASSERT_EQ(utimensat(AT_FDCWD, a, ts, 0), 0);
	rl_options o = RL_OPTIONS_INIT;
	o.preserve = RL_PRESERVE_TIMESTAMPS;
	ASSERT_OK(rl_copy_file(a, test_path(b, sizeof b, "b"), &o, NULL));
	struct stat st;
	ASSERT_EQ(stat(b, &st), 0);
	ASSERT_EQ(st.st_mtim.tv_sec, 1200000000);
	ASSERT_EQ(st.st_mtim.tv_nsec, 987654321);
	ASSERT_EQ(st.st_atim.tv_sec, 1000000000);
}

TEST(sparse_file_keeps_holes)
{
	char a[256], b[256];
	int fd = open(test_path(a, sizeof a, "sparse"), O_WRONLY | O_CREAT, 0644);
	static char data[65536];
	fill_random(data, sizeof data, 3);
	ASSERT_EQ(pwrite(fd, data, sizeof data, 0), (ssize_t)sizeof data);
	ASSERT_EQ(pwrite(fd, data, sizeof data, 256 << 20), (ssize_t)sizeof data);
	close(fd);
	rl_options o = RL_OPTIONS_INIT;
	for (int m = RL_MODE_AUTO; m <= RL_MODE_NEVER; m += 2) {
		o.mode = (rl_mode)m;
		ASSERT_OK(rl_copy_file(a, test_path(b, sizeof b, "b"), &o, NULL));
		struct stat sa, sb;
		ASSERT_EQ(stat(a, &sa), 0);
		ASSERT_EQ(stat(b, &sb), 0);
		ASSERT_EQ(sb.st_size, sa.st_size);
		ASSERT(sb.st_blocks <= sa.st_blocks + 64); /* holes stayed holes */
		assert_same_content(a, b);
	}
}

TEST(nofollow_copies_symlink_as_symlink)
{
	char l[256], b[256], t[64];
	ASSERT_EQ(symlink("../elsewhere", test_path(l, sizeof l, "l")), 0);
	rl_options o = RL_OPTIONS_INIT;
	o.flags = RL_F_NOFOLLOW;
	ASSERT_OK(rl_copy_file(l, test_path(b, sizeof b, "b"), &o, NULL));
	ssize_t n = readlink(b, t, sizeof t - 1);
	ASSERT_EQ(n, 12);
	t[n] = 0;
	ASSERT_STR_EQ(t, "../elsewhere");
	/* Without NOFOLLOW the dangling link is an error, not a copy. */
	ASSERT_EQ(rl_copy_file(l, test_path(b, sizeof b, "c"), NULL, NULL), -ENOENT);
}

TEST(pseudo_files_copy_real_content)
{
	char b[256];
	rl_result res = RL_RESULT_INIT;
	ASSERT_OK(rl_copy_file("/proc/self/mounts", test_path(b, sizeof b, "m"), NULL, &res));
	ASSERT(res.bytes > 0);
	struct stat st;
	ASSERT_EQ(stat(b, &st), 0);
	ASSERT_EQ((uint64_t)st.st_size, res.bytes);
}
