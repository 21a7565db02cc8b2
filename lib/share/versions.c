/* versions.c - the sharing calls' versioned structs: defaults, sizes by
 * version, and the full copy the library reads of the caller's options. */
#include "share.h"

#include <errno.h>
#include <string.h>

size_t rl__shared_stats_size(unsigned int version)
{
	return version == 1 ? sizeof(rl_shared_stats) : 0;
}

size_t rl__dedupe_stats_size(unsigned int version)
{
	return version == 1 ? sizeof(rl_dedupe_stats) : 0;
}

static size_t options_size(unsigned int version)
{
	return version == 1 ? sizeof(rl_share_options) : 0;
}

int rl_share_options_init(rl_share_options *opts, unsigned int version)
{
	size_t n = options_size(version);
	if (!opts || n == 0)
		return -EINVAL;
	memset(opts, 0, n);
	opts->version = version;
	return 0;
}

int rl__share_options_copy(rl_share_options *out, const rl_share_options *in)
{
	memset(out, 0, sizeof *out);
	if (!in) {
		out->version = RL_SHARE_OPTIONS_VERSION;
		return 0;
	}
	size_t n = options_size(in->version);
	if (n == 0)
		return -EINVAL;
	memcpy(out, in, n);
	if (out->flags & ~RL_DEDUPE_DRY_RUN)
		return -EINVAL;
	return 0;
}

const char *rl_skip_name(int reason)
{
	static const char *const names[RL_SKIP_COUNT_] = {
		"small", "other_fs", "differs", "changed", "refused",
	};
	return reason >= 0 && reason < RL_SKIP_COUNT_ ? names[reason] : "?";
}
