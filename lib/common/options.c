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

size_t rl__tree_options_size(unsigned int version)
{
	if (version == 0 || version > RL_TREE_OPTIONS_VERSION)
		return 0;
	return version >= 6   ? sizeof(rl_tree_options)
	       : version == 5 ? offsetof(rl_tree_options, on_fail)
	       : version == 4 ? offsetof(rl_tree_options, links)
	       : version == 3 ? offsetof(rl_tree_options, on_delete)
	       : version == 2 ? offsetof(rl_tree_options, update)
			      : offsetof(rl_tree_options, on_replace);
}

/* Clear one of n bytes (0: no such version), never past them: an older
 * caller's struct is only that long. */
static int clear_versioned(void *opts, size_t n)
{
	if (!opts || n == 0)
		return -EINVAL;
	memset(opts, 0, n);
	return 0;
}

/* A full struct of size full from the caller's n bytes, the rest zeroed:
 * the library reads only such a copy. */
static int copy_versioned(void *out, size_t full, const void *in, size_t n)
{
	if (n == 0)
		return -EINVAL;
	memset(out, 0, full);
	memcpy(out, in, n);
	return 0;
}

int rl_options_init(rl_options *opts, unsigned int version)
{
	int r = clear_versioned(opts, options_size(version));
	if (r == 0)
		opts->version = version, opts->mode = RL_MODE_AUTO;
	return r;
}

int rl_tree_options_init(rl_tree_options *opts, unsigned int version)
{
	int r = clear_versioned(opts, rl__tree_options_size(version));
	if (r == 0)
		opts->version = version, opts->mode = RL_MODE_AUTO;
	return r;
}

int rl__options_copy(rl_options *out, const rl_options *in)
{
	int r = copy_versioned(out, sizeof *out, in, options_size(in->version));
	return r < 0 ? r : rl__options_check(out);
}

int rl__tree_options_copy(rl_tree_options *out, const rl_tree_options *in)
{
	return copy_versioned(out, sizeof *out, in,
			      rl__tree_options_size(in->version));
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
