/* check.c - reflink --check PATH...: can this filesystem clone? Three
 * answers: clones work (exit 0); they do not, but copy_file_range is
 * offloaded to a server or daemon (exit 3 all the same: a clone is not
 * promised, --reflink=auto is the mode to use there); neither (exit 3). */
#include "cli.h"

#include <errno.h>

static void print_text(const char *path, const rl_probe_result *p)
{
	report_quote(stdout, path);
	if (p->supported)
		printf(": clones supported (%s)\n", p->fstype);
	else if (p->offload[0])
		printf(": clones not supported (%s); copy_file_range is "
		       "offloaded to the filesystem (%s), which may clone "
		       "server-side: use --reflink=auto\n", p->fstype, p->offload);
	else
		printf(": clones not supported (%s): %s\n", p->fstype,
		       rl_strerror(p->reason));
}

static void print_json(const char *path, const rl_probe_result *p, int first)
{
	printf("%s{\"path\":", first ? "" : ",");
	json_string(stdout, path);
	printf(",\"supported\":%s,\"fstype\":", p->supported ? "true" : "false");
	json_string(stdout, p->fstype);
	printf(",\"offload\":");
	if (p->offload[0])
		json_string(stdout, p->offload);
	else
		printf("null");
	if (!p->supported) {
		printf(",\"reason\":");
		json_string(stdout, rl_strerror(p->reason));
	}
	printf("}");
}

int cli_check(const struct cli *c)
{
	int missing = 0, unsupported = 0, first = 1;
	if (c->json)
		printf("[");
	for (int i = 0; i < c->n_operands; i++) {
		const char *path = c->operands[i];
		rl_probe_result p = RL_PROBE_INIT;
		int err = rl_probe(path, &p);
		if (err < 0) {
			fputs("reflink: cannot check ", stderr);
			report_quote(stderr, path);
			fprintf(stderr, ": %s\n", rl_strerror(err));
			missing = 1;
			continue;
		}
		unsupported |= !p.supported;
		if (c->json)
			print_json(path, &p, first);
		else
			print_text(path, &p);
		first = 0;
	}
	if (c->json)
		printf("]\n");
	return missing ? EXIT_FAIL : unsupported ? EXIT_NOCLONE : EXIT_OK;
}
