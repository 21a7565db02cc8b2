/* options.c - option structs: defaults, validation, and the fields only
 * newer versions have. */
#include "internal.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

/* The size of a version of rl_options; 0: no such version. */
static size_t options_size(unsigned int version)
{
	if (version == 0 || version > RL_OPTIONS_VERSION)
		return 0;
	return version >= 2 ? sizeof(rl_options) : offsetof(rl_options, cancel);
}

int rl_options_init(rl_options *opts, unsigned int version)
{
	size_t n = opts ? options_size(version) : 0;
	if (n == 0)
		return -EINVAL;
	memset(opts, 0, n); /* an older caller's struct is only this long */
	opts->version = version;
	opts->mode = RL_MODE_AUTO;
	return 0;
}

int rl__options_copy(rl_options *out, const rl_options *in)
{
	size_t n = options_size(in->version);
	if (n == 0)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	memcpy(out, in, n);
	return rl__options_check(out);
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
	if (opts->flags & ~RL_F_FILE_ALL_)
		return -EINVAL;
	/* Hard links are a tree's to keep: one file has no others. */
	if (opts->preserve & ~(RL_PRESERVE_ALL & ~RL_PRESERVE_LINKS))
		return -EINVAL;
	if ((unsigned)opts->sparse > RL_SPARSE_NEVER)
		return -EINVAL;
	/* A clone shares extents: it cannot also write every byte. */
	if (opts->sparse == RL_SPARSE_NEVER && opts->mode == RL_MODE_ALWAYS)
		return -EINVAL;
	if (opts->backup && (!*opts->backup || strchr(opts->backup, '/')))
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
