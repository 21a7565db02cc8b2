/* opts.c - the command line, parsed without printing or exiting. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_REFLINK = 256, OPT_PRESERVE, OPT_JSON, OPT_PROGRESS, OPT_NO_PROGRESS,
	OPT_CHECK, OPT_HELP, OPT_VERSION, OPT_EXCLUDE, OPT_FSYNC, OPT_ATOMIC,
};

static const struct option longopts[] = {
	{ "reflink", optional_argument, NULL, OPT_REFLINK },
	{ "no-clobber", no_argument, NULL, 'n' },
	{ "preserve", optional_argument, NULL, OPT_PRESERVE },
	{ "recursive", no_argument, NULL, 'r' },
	{ "archive", no_argument, NULL, 'a' },
	{ "dereference", no_argument, NULL, 'L' },
	{ "no-dereference", no_argument, NULL, 'P' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "no-target-directory", no_argument, NULL, 'T' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "fsync", no_argument, NULL, OPT_FSYNC },
	{ "atomic", no_argument, NULL, OPT_ATOMIC },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int usage_error(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int usage_error(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

static int parse_mode(const char *s, rl_mode *m)
{
	if (!s || !strcmp(s, "always"))
		*m = RL_MODE_ALWAYS;
	else if (!strcmp(s, "auto"))
		*m = RL_MODE_AUTO;
	else if (!strcmp(s, "never"))
		*m = RL_MODE_NEVER;
	else
		return -1;
	return 0;
}

static const struct {
	const char *name;
	unsigned int bits;
} preserve_names[] = {
	{ "mode", RL_PRESERVE_MODE },
	{ "ownership", RL_PRESERVE_OWNERSHIP },
	{ "timestamps", RL_PRESERVE_TIMESTAMPS },
	{ "xattr", RL_PRESERVE_XATTR },
	{ "links", RL_PRESERVE_LINKS },
	{ "all", RL_PRESERVE_ALL },
};

#define PRESERVE_DEFAULT (RL_PRESERVE_MODE | RL_PRESERVE_OWNERSHIP | RL_PRESERVE_TIMESTAMPS)

/* "mode,timestamps" -> bits; -1 on an unknown word. */
static int parse_preserve(const char *list, unsigned int *bits)
{
	if (!list) {
		*bits |= PRESERVE_DEFAULT;
		return 0;
	}
	while (*list) {
		size_t n = strcspn(list, ","), i;
		for (i = 0; i < sizeof preserve_names / sizeof preserve_names[0]; i++)
			if (strlen(preserve_names[i].name) == n &&
			    !strncmp(list, preserve_names[i].name, n))
				break;
		if (i == sizeof preserve_names / sizeof preserve_names[0] || n == 0)
			return -1;
		*bits |= preserve_names[i].bits;
		list += n + (list[n] == ',');
	}
	return 0;
}

static int parse_jobs(const char *s, unsigned int *jobs)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > 1024)
		return -1;
	*jobs = (unsigned int)v;
	return 0;
}

static int add_exclude(struct cli *c, const char *glob)
{
	const char **n = realloc(c->excludes, (c->n_excludes + 2) * sizeof *n);
	if (!n)
		return -1;
	c->excludes = n;
	n[c->n_excludes++] = glob;
	n[c->n_excludes] = NULL;
	return 0;
}

/* One option; 0 or EXIT_USAGE. */
static int apply_opt(struct cli *c, int opt, const char *arg, char *err, size_t cap)
{
	switch (opt) {
	case OPT_REFLINK:
		if (parse_mode(arg, &c->mode) < 0)
			return usage_error(err, cap, "invalid argument '%s' for '--reflink' (always, auto or never)", arg);
		return 0;
	case 'n': c->flags |= RL_F_NO_CLOBBER; return 0;
	case 'p': c->preserve |= PRESERVE_DEFAULT; return 0;
	case OPT_PRESERVE:
		if (parse_preserve(arg, &c->preserve) < 0)
			return usage_error(err, cap, "invalid argument '%s' for '--preserve' (mode, ownership, timestamps, xattr, links, all)", arg);
		return 0;
	case 'r': case 'R': c->recursive = 1; return 0;
	case 'a':
		c->recursive = 1, c->deref = 0, c->preserve |= RL_PRESERVE_ALL;
		return 0;
	case 'L': c->deref = 1; return 0;
	case 'P': c->deref = 0; return 0;
	case 'd': c->deref = 0, c->preserve |= RL_PRESERVE_LINKS; return 0;
	case 'j':
		if (parse_jobs(arg, &c->jobs) < 0)
			return usage_error(err, cap, "invalid number of jobs '%s' (1 to 1024)", arg);
		return 0;
	case OPT_EXCLUDE:
		if (!*arg)
			return usage_error(err, cap, "empty pattern for '--exclude'");
		return add_exclude(c, arg) < 0 ? usage_error(err, cap, "out of memory") : 0;
	case 'T': c->target_is_dir = 0; return 0;
	case 'v': c->verbose = 1; return 0;
	case OPT_JSON: c->json = 1; return 0;
	case OPT_PROGRESS: c->progress = 1; return 0;
	case OPT_NO_PROGRESS: c->progress = 0; return 0;
	case OPT_FSYNC: c->flags |= RL_F_FSYNC; return 0;
	case OPT_ATOMIC: c->atomic = 1; return 0;
	case OPT_CHECK: c->action = CLI_CHECK; return 0;
	case OPT_HELP: c->action = CLI_HELP; return 0;
	case OPT_VERSION: c->action = CLI_VERSION; return 0;
	default: return usage_error(err, cap, "internal option error");
	}
}

static int check_operands(const struct cli *c, char *err, size_t cap)
{
	if (c->action == CLI_HELP || c->action == CLI_VERSION)
		return 0;
	if (c->action == CLI_CHECK)
		return c->n_operands ? 0 : usage_error(err, cap, "missing PATH operand for '--check'");
	if (c->atomic && !c->recursive)
		return usage_error(err, cap, "option '--atomic' needs -r, -R or -a");
	if (c->n_operands == 0)
		return usage_error(err, cap, "missing file operand");
	if (c->n_operands == 1)
		return usage_error(err, cap, "missing destination file operand after '%s'", c->operands[0]);
	if (c->n_operands > 2 && c->target_is_dir == 0)
		return usage_error(err, cap, "extra operand '%s' with -T", c->operands[2]);
	return 0;
}

int cli_parse(int argc, char **argv, struct cli *c, char *err, size_t cap)
{
	memset(c, 0, sizeof *c);
	c->action = CLI_COPY;
	c->mode = RL_MODE_ALWAYS; /* the tool's name is its promise */
	c->deref = -1;
	c->progress = -1;
	c->target_is_dir = -1;
	optind = 0; /* reset getopt: the parser may run more than once */
	opterr = 0;
	int opt, r;
	while ((opt = getopt_long(argc, argv, "nprRaLPdj:Tv", longopts, NULL)) != -1) {
		if (opt == '?' || opt == ':') {
			if (optopt && optopt < 256)
				return usage_error(err, cap, "invalid option -- '%c'", optopt);
			return usage_error(err, cap, "unrecognized or incomplete option '%s'",
					   argv[optind - 1]);
		}
		if ((r = apply_opt(c, opt, optarg, err, cap)) != 0)
			return r;
	}
	c->operands = argv + optind;
	c->n_operands = argc - optind;
	return check_operands(c, err, cap);
}

void cli_free(struct cli *c)
{
	free(c->excludes);
	c->excludes = NULL;
}

void cli_usage(FILE *out)
{
	fputs("Usage: reflink [OPTION]... SOURCE DEST\n"
	      "  or:  reflink [OPTION]... SOURCE... DIRECTORY\n"
	      "  or:  reflink --check PATH...\n"
	      "Clone SOURCE to DEST (copy-on-write: instant, no extra space), or copy it.\n"
	      "DEST is never left partial: a failed copy leaves it as it was.\n\n"
	      "      --reflink[=WHEN]    always (default): clone or fail with status 3;\n"
	      "                            auto: clone, else copy; never: a real copy\n"
	      "  -n, --no-clobber        do not replace an existing DEST (fail instead)\n"
	      "  -p                      same as --preserve=mode,ownership,timestamps\n"
	      "      --preserve[=LIST]   keep attributes: mode, ownership, timestamps,\n"
	      "                            xattr, links, all\n"
	      "  -r, -R, --recursive     copy directories recursively\n"
	      "  -a, --archive           same as -r -P --preserve=all\n"
	      "  -L, --dereference       follow symlinks in SOURCE\n"
	      "  -P, --no-dereference    copy symlinks as symlinks\n"
	      "  -d                      same as -P --preserve=links\n"
	      "  -j, --jobs=N            copy with N threads (default: online CPUs)\n"
	      "      --exclude=GLOB      leave out entries whose name or relative path\n"
	      "                            matches GLOB (repeatable)\n"
	      "  -T, --no-target-directory  treat DEST as a file name, never a directory\n"
	      "  -v, --verbose           one line per file naming the method used\n"
	      "      --json              print a JSON summary on stdout at the end\n"
	      "      --progress          show progress on stderr (default: only on a\n"
	      "                            terminal when the copy takes long)\n"
	      "      --no-progress       never show progress\n"
	      "      --fsync             flush each file to disk before it is put in place\n"
	      "      --atomic            with -r: the copy of a directory appears, or\n"
	      "                            replaces an existing one, in one step\n"
	      "      --check             tell whether PATH's filesystem can clone\n"
	      "      --help              show this help\n"
	      "      --version           show the version\n\n"
	      "Exit status: 0 success; 1 failure; 2 usage error; 3 a clone was required\n"
	      "and impossible (and nothing else failed).\n", out);
}
