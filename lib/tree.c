/* tree.c - placeholder so the command links until the tree engine lands
 * (issue 3); replaced by the real rl_copy_tree. */
#include "internal.h"

#include <errno.h>

int rl_copy_tree(const char *src, const char *dst, const rl_tree_options *opts,
		 rl_tree_stats *stats)
{
	(void)src, (void)dst, (void)opts, (void)stats;
	return -ENOSYS;
}
