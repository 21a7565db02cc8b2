/* options.c - option structs: defaults, validation, and the fields only
 * newer versions have. */
#include "internal.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* An older caller's struct ends where its version's fields end: clear only
 * those, never past them. */
int rl_options_init(rl_options *opts, unsigned int version)
{
	if (!opts || version == 0 || version > RL_OPTIONS_VERSION)
		return -EINVAL;
	memset(opts, 0, version < 2 ? offsetof(rl_options, cancel) : sizeof *opts);
	opts->version = version;
	opts->mode = RL_MODE_AUTO;
	return 0;
}

int rl_tree_options_init(rl_tree_options *opts, unsigned int version)
{
	if (!opts || version == 0 || version > RL_TREE_OPTIONS_VERSION)
		return -EINVAL;
	memset(opts, 0, version < 2 ? offsetof(rl_tree_options, cancel) : sizeof *opts);
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
	if (opts->preserve & ~RL_PRESERVE_ALL)
		return -EINVAL;
	return 0;
}

const volatile int *rl__options_cancel(const rl_options *opts)
{
	return opts->version >= 2 ? opts->cancel : NULL;
}

const volatile int *rl__tree_options_cancel(const rl_tree_options *opts)
{
	return opts->version >= 2 ? opts->cancel : NULL;
}
