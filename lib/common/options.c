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

size_t rl__tree_options_size(unsigned int version)
{
	if (version == 0 || version > RL_TREE_OPTIONS_VERSION)
		return 0;
	return version >= 2 ? sizeof(rl_tree_options)
			    : offsetof(rl_tree_options, on_replace);
}

int rl__tree_options_copy(rl_tree_options *out, const rl_tree_options *in)
{
	size_t n = rl__tree_options_size(in->version);
	if (n == 0)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	memcpy(out, in, n);
	return 0;
}

int rl_tree_options_init(rl_tree_options *opts, unsigned int version)
{
	size_t n = opts ? rl__tree_options_size(version) : 0;
	if (n == 0)
		return -EINVAL;
	memset(opts, 0, n); /* an older caller's struct is only this long */
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

const volatile int *rl__options_cancel(const rl_options *opts)
{
	return opts->version >= 2 ? opts->cancel : NULL;
}

const volatile int *rl__tree_options_cancel(const rl_tree_options *opts)
{
	return opts->version >= 2 ? opts->cancel : NULL;
}
