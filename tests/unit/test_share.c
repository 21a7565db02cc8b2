/* test_share.c - lib/share's pieces (the hash, the inode set, extent
 * comparison) and the argument checks of rl_shared and rl_dedupe. The
 * behaviour on real filesystems is tests/fs/share.sh's. */
#include "test.h"
#include "../../lib/share/share.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static uint64_t hash_of(const void *p, size_t n, size_t piece)
{
	struct rl__digest d;
	rl__digest_init(&d, n);
	for (size_t off = 0; off < n; off += piece)
		rl__digest_add(&d, (const char *)p + off, n - off < piece ? n - off : piece);
	return rl__digest_end(&d);
}

TEST(share_digest_same_in_any_pieces)
{
	static unsigned char buf[100003];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 7919 >> 3);
	uint64_t whole = hash_of(buf, sizeof buf, sizeof buf);
	size_t pieces[] = { 1, 7, 31, 32, 33, 4096, 65536 };
	for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++)
		ASSERT(hash_of(buf, sizeof buf, pieces[i]) == whole);
	/* One byte changed anywhere, or one byte less: another hash. */
	size_t at[] = { 0, 31, 32, 50000, sizeof buf - 1 };
	for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
		buf[at[i]] ^= 1;
		ASSERT(hash_of(buf, sizeof buf, 4096) != whole);
		buf[at[i]] ^= 1;
	}
	ASSERT(hash_of(buf, sizeof buf - 1, 4096) != whole);
}

TEST(share_seen_counts_each_inode_once)
{
	struct rl__seen s;
	ASSERT_OK(rl__seen_init(&s));
	for (ino_t i = 1; i <= 5000; i++)
		ASSERT_EQ(rl__seen_add(&s, 3, i), 1);
	for (ino_t i = 1; i <= 5000; i++)
		ASSERT_EQ(rl__seen_add(&s, 3, i), 0);
	ASSERT_EQ(rl__seen_add(&s, 4, 1), 1); /* same inode, other device */
	rl__seen_fini(&s);
}

TEST(share_extents_same_needs_every_block_shared_alike)
{
	struct rl__extent a[] = { { 0, 1 << 20, 8192, 0x2000 }, { 8192, 9 << 20, 4096, 0x2001 } };
	struct rl__extent b[] = { { 0, 1 << 20, 8192, 0x2000 }, { 8192, 9 << 20, 4096, 0x2001 } };
	struct rl__extents ea = { a, 2, 2 }, eb = { b, 2, 2 };
	ASSERT(rl__extents_same(&ea, &eb));
	b[1].physical += 4096; /* one extent elsewhere */
	ASSERT(!rl__extents_same(&ea, &eb));
	b[1].physical = a[1].physical;
	b[0].flags = 0; /* not flagged shared */
	ASSERT(!rl__extents_same(&ea, &eb));
	b[0].flags = 0x2000 | 0x4; /* delalloc: no address yet */
	ASSERT(!rl__extents_same(&ea, &eb));
	eb.n = 1;
	ASSERT(!rl__extents_same(&ea, &eb));
	ASSERT_EQ(rl__extents_data(&ea, 10000), 10000);
	ASSERT_EQ(rl__extents_data(&ea, 1 << 30), 12288);
}

TEST(share_api_checks_arguments)
{
	rl_shared_stats s = RL_SHARED_STATS_INIT;
	rl_dedupe_stats d = RL_DEDUPE_STATS_INIT;
	rl_share_options o = RL_SHARE_OPTIONS_INIT;
	const char *none[] = { NULL };
	ASSERT_EQ(rl_shared("/nonexistent-rl/x", &s), -ENOENT);
	s.version = 0;
	ASSERT_EQ(rl_shared(test_dir(), &s), -EINVAL);
	s.version = RL_SHARED_STATS_VERSION + 1;
	ASSERT_EQ(rl_shared(test_dir(), &s), -EINVAL);
	ASSERT_EQ(rl_dedupe(none, NULL, &d), -EINVAL);
	ASSERT_EQ(rl_dedupe(NULL, NULL, &d), -EINVAL);
	o.flags = 0x80;
	const char *paths[] = { test_dir(), NULL };
	ASSERT_EQ(rl_dedupe(paths, &o, &d), -EINVAL);
	o.flags = RL_DEDUPE_DRY_RUN; /* means nothing to rl_shared */
	s.version = RL_SHARED_STATS_VERSION;
	ASSERT_EQ(rl_shared2(test_dir(), &o, &s), -EINVAL);
	ASSERT_EQ(rl_share_options_init(&o, 0), -EINVAL);
	ASSERT_EQ(rl_share_options_init(&o, RL_SHARE_OPTIONS_VERSION + 1), -EINVAL);
	ASSERT_OK(rl_share_options_init(&o, RL_SHARE_OPTIONS_VERSION));
	ASSERT_STR_EQ(rl_skip_name(RL_SKIP_DIFFERS), "differs");
	ASSERT_STR_EQ(rl_skip_name(99), "?");
	char fifo[4096];
	ASSERT_OK(mkfifo(test_path(fifo, sizeof fifo, "fifo"), 0600) ? -errno : 0);
	ASSERT_EQ(rl_shared(fifo, &s), RL_ENOTREGULAR);
}

static void write_pattern(const char *path, size_t n, int seed)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT(fd >= 0);
	char buf[4096];
	for (size_t off = 0; off < n; off += sizeof buf) {
		for (size_t i = 0; i < sizeof buf; i++)
			buf[i] = (char)((off + i) * 31 + (size_t)seed);
		size_t k = n - off < sizeof buf ? n - off : sizeof buf;
		ASSERT_EQ(write(fd, buf, k), (long long)k);
	}
	close(fd);
}

/* Wherever the scratch directory is: counted right, and a dedupe either
 * works or says the filesystem cannot (nothing else). */
TEST(share_counts_a_small_tree)
{
	char a[4096], b[4096], c[4096], l[4096];
	write_pattern(test_path(a, sizeof a, "a"), 100000, 1);
	write_pattern(test_path(b, sizeof b, "b"), 100000, 1);
	write_pattern(test_path(c, sizeof c, "c"), 100, 2);
	ASSERT_OK(link(a, test_path(l, sizeof l, "a.link")) ? -errno : 0);
	ASSERT_OK(symlink("a", test_path(l, sizeof l, "a.sym")) ? -errno : 0);
	rl_shared_stats s = RL_SHARED_STATS_INIT;
	ASSERT_OK(rl_shared(test_dir(), &s));
	ASSERT_EQ(s.files, 3);
	ASSERT_EQ(s.bytes, 200100);
	ASSERT_EQ(s.exclusive, s.allocated - s.shared);
	rl_share_options o = RL_SHARE_OPTIONS_INIT;
	o.flags = RL_DEDUPE_DRY_RUN;
	o.jobs = 2;
	rl_dedupe_stats d = RL_DEDUPE_STATS_INIT;
	const char *paths[] = { test_dir(), NULL };
	int r = rl_dedupe(paths, &o, &d);
	ASSERT(r == 0 || r == RL_ECLONE_NOTSUP);
	if (r == 0) {
		ASSERT_EQ(d.files, 3);
		ASSERT_EQ(d.groups, 1);
		ASSERT_EQ(d.skipped_by[RL_SKIP_SMALL], 1);
		ASSERT(d.deduped_bytes > 0);
	}
}
