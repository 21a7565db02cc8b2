/* fuzz_opts.c - libFuzzer target for the command-line parser, cli_parse()
 * (cli/opts.c, linked directly). The input is argv: arguments separated by
 * NUL bytes, after an implicit argv[0] "reflink".
 *
 * Besides memory errors (ASan/UBSan), it checks the parser's contract:
 * it returns 0 or EXIT_USAGE; a usage error leaves a message; a success
 * leaves a valid action, mode and operands that point into argv; the
 * exclude list is NULL-terminated; parsing twice gives the same answer
 * (getopt's hidden state is reset). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int split(const uint8_t *data, size_t size, char *buf, char **argv)
{
	int argc = 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	argv[argc++] = (char *)"reflink";
	for (size_t i = 0; i <= size && argc < MAX_ARGS; ) {
		argv[argc++] = buf + i;
		i += strlen(buf + i) + 1;
	}
	argv[argc] = NULL;
	return argc;
}

static void check(int r, const struct cli *c, char **argv, int argc,
		  const char *err)
{
	if (r != 0 && r != EXIT_USAGE)
		abort();
	if (r == EXIT_USAGE) {
		if (!err[0] || strlen(err) >= 256)
			abort();
		return;
	}
	if ((unsigned)c->action > CLI_DEDUPE || (unsigned)c->mode > RL_MODE_NEVER)
		abort();
	if (c->n_operands < 0 || c->n_operands > argc - 1)
		abort();
	for (int i = 0; i < c->n_operands; i++) {
		int found = 0;
		for (int j = 1; j < argc; j++)
			found |= c->operands[i] == argv[j];
		if (!found)
			abort();
	}
	if (c->action == CLI_COPY && c->n_operands < (c->target_dir ? 1 : 2))
		abort();
	if (c->action == CLI_CHECK && c->n_operands < 1)
		abort();
	if (c->n_excludes && (!c->excludes || c->excludes[c->n_excludes]))
		abort();
	if (c->jobs > 1024 || (c->preserve & ~RL_PRESERVE_ALL))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 1], *argv2[MAX_ARGS + 1];
	char err[256], err2[256];
	struct cli c, c2;
	if (!buf)
		return 0;
	int argc = split(data, size, buf, argv);
	memcpy(argv2, argv, sizeof argv);
	err[0] = err2[0] = 0;
	int r = cli_parse(argc, argv, &c, err, sizeof err);
	check(r, &c, argv, argc, err);
	/* Again, on a fresh copy of argv (getopt permutes it): same answer. */
	int r2 = cli_parse(argc, argv2, &c2, err2, sizeof err2);
	if (r2 != r || (r == 0 && (c2.action != c.action || c2.mode != c.mode ||
				   c2.flags != c.flags || c2.preserve != c.preserve ||
				   c2.n_operands != c.n_operands)))
		abort();
	if (r != 0 && strcmp(err, err2) != 0)
		abort();
	cli_free(&c);
	cli_free(&c2);
	free(buf);
	return 0;
}
