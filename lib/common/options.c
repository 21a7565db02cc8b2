/* options.c - option structs: defaults and validation. */
#include "internal.h"

#include <errno.h>
#include <string.h>

int rl_options_init(rl_options *opts, unsigned int version)
{
	if (!opts || version == 0 || version > RL_OPTIONS_VERSION)
		return -EINVAL;
	memset(opts, 0, sizeof *opts);
	opts->version = version;
	opts->mode = RL_MODE_AUTO;
	return 0;
}

int rl_tree_options_init(rl_tree_options *opts, unsigned int version)
{
	if (!opts || version == 0 || version > RL_TREE_OPTIONS_VERSION)
		return -EINVAL;
	memset(opts, 0, sizeof *opts);
	opts->version = version;
	opts->mode = RL_MODE_AUTO;
	return 0;
}

int rl__options_check(const rl_options *opts)
{
	if (opts->version == 0 || opts->version > RL_OPTIONS_VERSION)
		return -EINVAL;
	if ((unsigned)opts->mode > RL_MODE_NEVER)
		return -EINVAL;
	if (opts->flags & ~RL_F_ALL_)
		return -EINVAL;
	/* Hard links are a tree's to keep: one file has no others. */
	if (opts->preserve & ~(RL_PRESERVE_ALL & ~RL_PRESERVE_LINKS))
		return -EINVAL;
	return 0;
}
