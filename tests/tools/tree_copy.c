/* tree_copy - drive rl_copy_tree directly (tests and measurements of the
 * tree engine without the command's own work).
 * Usage: tree_copy [-j N] [-m auto|always|never] [-a] [-p BITS] [-M] [-L]
 *                  [-n] [-x GLOB]... [-v] SRC DST
 * Prints "files F dirs D symlinks S specials P hardlinks H bytes B errors E
 * clone_impossible C" and exits 0, 1 (entry errors) or 2 (other failure). */
#include "reflink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int on_error(void *ctx, const char *src, const char *dst, int err)
{
	(void)ctx;
	fprintf(stderr, "tree_copy: %s -> %s: %s\n", src, dst, rl_strerror(err));
	return 0;
}

static void on_entry(void *ctx, const char *path, int type, const rl_result *res)
{
	(void)ctx;
	printf("entry %06o %s %s\n", (unsigned)type,
	       res ? rl_method_name(res->method) : "-", path);
}

int main(int argc, char **argv)
{
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	const char *ex[64];
	int nex = 0, c;
	while ((c = getopt(argc, argv, "j:m:ap:MLnx:v")) != -1) {
		switch (c) {
		case 'j': o.jobs = (unsigned)atoi(optarg); break;
		case 'm':
			o.mode = !strcmp(optarg, "always") ? RL_MODE_ALWAYS
				 : !strcmp(optarg, "never") ? RL_MODE_NEVER : RL_MODE_AUTO;
			break;
		case 'a': o.preserve = RL_PRESERVE_ALL; break;
		case 'p': o.preserve = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'M': o.flags |= RL_TREE_MERGE; break;
		case 'L': o.flags |= RL_TREE_DEREF_ALL; break;
		case 'n': o.flags |= RL_F_NO_CLOBBER; break;
		case 'x': if (nex < 63) ex[nex++] = optarg; break;
		case 'v': o.on_entry = on_entry; break;
		default: return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: tree_copy [options] SRC DST\n");
		return 2;
	}
	ex[nex] = NULL;
	o.excludes = nex ? ex : NULL;
	o.on_error = on_error;
	rl_tree_stats st;
	int r = rl_copy_tree(argv[optind], argv[optind + 1], &o, &st);
	printf("files %llu dirs %llu symlinks %llu specials %llu hardlinks %llu "
	       "bytes %llu errors %llu clone_impossible %llu\n",
	       (unsigned long long)st.files, (unsigned long long)st.dirs,
	       (unsigned long long)st.symlinks, (unsigned long long)st.specials,
	       (unsigned long long)st.hardlinks, (unsigned long long)st.bytes,
	       (unsigned long long)st.errors,
	       (unsigned long long)st.clone_impossible);
	if (r < 0 && st.errors == 0)
		fprintf(stderr, "tree_copy: %s\n", rl_strerror(r));
	return r == 0 ? 0 : st.errors ? 1 : 2;
}
