/* env.c - facts about the running system that one call reads once. */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

/* copy_file_range before 5.3 could not cross filesystems, and 5.3 to 5.18
 * could claim success across them without copying on some pairs; 5.19
 * returns EXDEV there. We trust it from 5.3, where it is at least
 * detectable, and decide at run time since the binary outlives the kernel. */
static int kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma > major || (ma == major && mi >= minor);
}

void rl__env_init(struct rl__env *env)
{
	env->cfr_usable = kernel_at_least(5, 3);
	env->umask = -1;
	env->no_clone = 0;
}

mode_t rl__env_umask(struct rl__env *env)
{
	if (env->umask >= 0)
		return (mode_t)env->umask;
	env->umask = 022;
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return (mode_t)env->umask;
	char line[256];
	unsigned int m;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Umask: %o", &m) == 1) {
			env->umask = (int)(m & 0777);
			break;
		}
	fclose(f);
	return (mode_t)env->umask;
}
