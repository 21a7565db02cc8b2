/* main.c - the reflink command. */
#include "cli.h"

#include <stdlib.h>

int main(int argc, char **argv)
{
	struct cli c;
	struct report r;
	char err[1024];
	if (cli_parse(argc, argv, &c, err, sizeof err) != 0) {
		fprintf(stderr, "reflink: %s\n", err);
		if (c.usage_try)
			fputs("Try 'reflink --help' for more information.\n", stderr);
		cli_free(&c);
		return c.usage_status;
	}
	int status = EXIT_OK;
	switch (c.action) {
	case CLI_HELP:
		cli_usage(stdout);
		break;
	case CLI_VERSION:
		printf("reflink %s\n", RL_VERSION_STRING);
		break;
	case CLI_CHECK:
		status = cli_check(&c);
		break;
	case CLI_SHARED:
		status = cli_shared(&c);
		break;
	case CLI_DEDUPE:
		cancel_install();
		status = cli_dedupe(&c);
		break;
	case CLI_COPY:
		report_init(&r, &c);
		cancel_install();
		cli_copy(&c, &r);
		if (cancel_signal())
			report_interrupted(&r);
		report_finish(&r);
		status = cancel_signal() ? 128 + cancel_signal() : report_exit_status(&r);
		break;
	}
	cli_free(&c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "reflink: write error on standard output\n");
		return EXIT_FAIL;
	}
	return status;
}
