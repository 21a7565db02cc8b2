/* test_probe_version.c - rl_probe_result is versioned: a caller built
 * against version 1 passes a version 1 struct, and the library writes
 * nothing past its end. */
#include "test.h"
#include "reflink.h"

#include <stddef.h>

/* rl_probe_result as version 1 of reflink.h declared it. */
struct probe_v1 {
	unsigned int version;
	int supported;
	int reason;
	char fstype[32];
};

/* The v1 struct with guard bytes where a version 2 field would go. */
struct probe_v1_guarded {
	struct probe_v1 v1;
	unsigned char guard[64];
};

TEST(probe_v1_layout_is_a_prefix)
{
	ASSERT_EQ(offsetof(rl_probe_result, fstype), offsetof(struct probe_v1, fstype));
	ASSERT_EQ(offsetof(rl_probe_result, offload), sizeof(struct probe_v1));
	ASSERT_EQ(RL_PROBE_VERSION, 2);
}

static void probe_v1(const char *path)
{
	struct probe_v1_guarded g;
	memset(&g, 0xa5, sizeof g);
	g.v1.version = 1;
	ASSERT_OK(rl_probe(path, (rl_probe_result *)(void *)&g));
	ASSERT(g.v1.fstype[0] != 0);
	for (size_t i = 0; i < sizeof g.guard; i++)
		if (g.guard[i] != 0xa5)
			FAILF("%s: byte %zu past a version 1 struct written", path, i);
}

TEST(probe_v1_caller_gets_nothing_past_its_struct)
{
	probe_v1(test_dir());
	probe_v1("/proc"); /* not supported: the offload answer is skipped too */
}

TEST(probe_v2_no_offload_on_local_filesystems)
{
	rl_probe_result p = RL_PROBE_INIT;
	memset(p.offload, 'x', sizeof p.offload);
	ASSERT_OK(rl_probe("/proc", &p));
	ASSERT(!p.supported);
	ASSERT_STR_EQ(p.offload, "");
	rl_probe_result q = RL_PROBE_INIT;
	ASSERT_OK(rl_probe(test_dir(), &q));
	ASSERT_STR_EQ(q.offload, "");
}
