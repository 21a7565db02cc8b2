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
	OPT_ATTR_ONLY, OPT_BACKUP, OPT_COPY_CONTENTS, OPT_NO_PRESERVE, OPT_PARENTS,
	OPT_REMOVE_DEST, OPT_SPARSE, OPT_STRIP_SLASHES, OPT_UPDATE, OPT_DEBUG,
	OPT_KEEP_DIR_SYMLINK, OPT_CONTEXT, OPT_DELETE, OPT_SHARED, OPT_DEDUPE,
	OPT_DRY_RUN, OPT_BYTES,
};

static const struct option longopts[] = {
	{ "archive", no_argument, NULL, 'a' },
	{ "attributes-only", no_argument, NULL, OPT_ATTR_ONLY },
	{ "backup", optional_argument, NULL, OPT_BACKUP },
	{ "copy-contents", no_argument, NULL, OPT_COPY_CONTENTS },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "force", no_argument, NULL, 'f' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "link", no_argument, NULL, 'l' },
	{ "dereference", no_argument, NULL, 'L' },
	{ "no-clobber", no_argument, NULL, 'n' },
	{ "no-dereference", no_argument, NULL, 'P' },
	{ "preserve", optional_argument, NULL, OPT_PRESERVE },
	{ "no-preserve", required_argument, NULL, OPT_NO_PRESERVE },
	{ "parents", no_argument, NULL, OPT_PARENTS },
	{ "recursive", no_argument, NULL, 'r' },
	{ "reflink", optional_argument, NULL, OPT_REFLINK },
	{ "remove-destination", no_argument, NULL, OPT_REMOVE_DEST },
	{ "sparse", required_argument, NULL, OPT_SPARSE },
	{ "strip-trailing-slashes", no_argument, NULL, OPT_STRIP_SLASHES },
	{ "symbolic-link", no_argument, NULL, 's' },
	{ "suffix", required_argument, NULL, 'S' },
	{ "target-directory", required_argument, NULL, 't' },
	{ "no-target-directory", no_argument, NULL, 'T' },
	{ "update", optional_argument, NULL, OPT_UPDATE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "keep-directory-symlink", no_argument, NULL, OPT_KEEP_DIR_SYMLINK },
	{ "one-file-system", no_argument, NULL, 'x' },
	{ "context", optional_argument, NULL, OPT_CONTEXT },
	{ "jobs", required_argument, NULL, 'j' },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
	{ "fsync", no_argument, NULL, OPT_FSYNC },
	{ "atomic", no_argument, NULL, OPT_ATOMIC },
	{ "delete", no_argument, NULL, OPT_DELETE },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "shared", no_argument, NULL, OPT_SHARED },
	{ "dedupe", no_argument, NULL, OPT_DEDUPE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "bytes", no_argument, NULL, OPT_BYTES },
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

static int parse_mode(const char *s, rl_mode *m, char *err, size_t cap)
{
	static const char *const names[] = { "auto", "always", "never", NULL };
	static const int values[] = { RL_MODE_AUTO, RL_MODE_ALWAYS, RL_MODE_NEVER };
	int v = s ? opt_match(s, "--reflink", names, values, err, cap)
		  : RL_MODE_ALWAYS;
	if (v < 0)
		return EXIT_USAGE;
	*m = (rl_mode)v;
	return 0;
}

static int parse_sparse(const char *s, rl_sparse *sp, char *err, size_t cap)
{
	static const char *const names[] = { "never", "auto", "always", NULL };
	static const int values[] = { RL_SPARSE_NEVER, RL_SPARSE_AUTO, RL_SPARSE_ALWAYS };
	int v = opt_match(s, "--sparse", names, values, err, cap);
	if (v < 0)
		return EXIT_USAGE;
	*sp = (rl_sparse)v;
	return 0;
}

static int parse_update(const char *s, int *u, char *err, size_t cap)
{
	static const char *const names[] = { "all", "none", "none-fail", "older", NULL };
	static const int values[] = { UPDATE_ALL, UPDATE_NONE, UPDATE_NONE_FAIL, UPDATE_OLDER };
	int v = s ? opt_match(s, "--update", names, values, err, cap) : UPDATE_OLDER;
	if (v < 0)
		return EXIT_USAGE;
	*u = v;
	return 0;
}

/* cp's "context" (SELinux): a word of the lists, kept apart from the
 * library's bits; "all" asks for it only where possible. */
#define PRESERVE_CONTEXT 0x1000u
#define PRESERVE_ALL_CP (RL_PRESERVE_ALL | PRESERVE_CONTEXT)

static const struct {
	const char *name;
	unsigned int bits;
} preserve_names[] = {
	{ "mode", RL_PRESERVE_MODE },
	{ "timestamps", RL_PRESERVE_TIMESTAMPS },
	{ "ownership", RL_PRESERVE_OWNERSHIP },
	{ "links", RL_PRESERVE_LINKS },
	{ "context", PRESERVE_CONTEXT },
	{ "xattr", RL_PRESERVE_XATTR },
	{ "all", PRESERVE_ALL_CP },
};

#define PRESERVE_DEFAULT (RL_PRESERVE_MODE | RL_PRESERVE_OWNERSHIP | RL_PRESERVE_TIMESTAMPS)
#define NPRESERVE (sizeof preserve_names / sizeof preserve_names[0])

/* "mode,timestamps" -> bits (as cp: a word may be abbreviated); an unknown
 * word is cp's "invalid argument" usage error. */
static int parse_preserve(const char *list, const char *opt, unsigned int *bits,
			  char *err, size_t cap)
{
	const char *names[NPRESERVE + 1];
	int values[NPRESERVE];
	for (size_t i = 0; i < NPRESERVE; i++)
		names[i] = preserve_names[i].name, values[i] = (int)preserve_names[i].bits;
	names[NPRESERVE] = NULL;
	*bits = 0;
	while (list && *list) {
		size_t n = strcspn(list, ",");
		char word[32];
		snprintf(word, sizeof word, "%.*s", (int)(n < 31 ? n : 31), list);
		int v = opt_match(n < 31 ? word : list, opt, names, values, err, cap);
		if (v < 0)
			return EXIT_USAGE;
		*bits |= (unsigned int)v;
		list += n + (list[n] == ',');
	}
	return 0;
}

/* --preserve[=LIST] and --no-preserve=LIST, in command-line order. */
static int apply_preserve(struct cli *c, const char *arg, int on, char *err,
			  size_t cap)
{
	unsigned int bits = PRESERVE_DEFAULT;
	if (arg && parse_preserve(arg, on ? "--preserve" : "--no-preserve",
				  &bits, err, cap))
		return EXIT_USAGE;
	/* cp: mode not kept on purpose gives new files the default bits. */
	c->default_mode = !on ? c->default_mode || (bits & RL_PRESERVE_MODE)
			      : c->default_mode && !(bits & RL_PRESERVE_MODE);
	if (on) {
		c->preserve |= bits & RL_PRESERVE_ALL;
		c->preserve_context |= (bits & PRESERVE_CONTEXT) != 0 && bits != PRESERVE_ALL_CP;
		c->xattr_strict |= (bits & RL_PRESERVE_XATTR) && bits != PRESERVE_ALL_CP;
	} else {
		c->preserve &= ~bits;
		if (bits & PRESERVE_CONTEXT)
			c->preserve_context = 0;
		if (bits & RL_PRESERVE_XATTR)
			c->xattr_strict = 0;
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

/* -n, -i, -u, --update: the last one given decides (cp 9.5). */
static int apply_replace_opt(struct cli *c, int opt, const char *arg,
			     char *err, size_t cap)
{
	switch (opt) {
	case 'n': c->update = UPDATE_NONE, c->interactive = 0; return 0;
	case 'i': c->interactive = 1;
		if (c->update == UPDATE_NONE)
			c->update = UPDATE_ALL;
		return 0;
	case 'u': c->update = UPDATE_OLDER; return 0;
	default: /* OPT_UPDATE */
		if (parse_update(arg, &c->update, err, cap))
			return EXIT_USAGE;
		if (c->update == UPDATE_NONE || c->update == UPDATE_NONE_FAIL)
			c->interactive = 0;
		return 0;
	}
}

/* The options that say how a file is made (cp's own): 0, EXIT_USAGE, or
 * 1 if opt is not one of them. */
static int apply_cp_opt(struct cli *c, int opt, const char *arg, char *err,
			size_t cap)
{
	switch (opt) {
	case 'n': case 'i': case 'u': case OPT_UPDATE:
		return apply_replace_opt(c, opt, arg, err, cap);
	case 'f': c->force = 1; return 0;
	case OPT_REMOVE_DEST: c->remove_dest = 1; return 0;
	case 'l': c->link |= 1 << LINK_HARD; return 0;
	case 's': c->link |= 1 << LINK_SYMBOLIC; return 0;
	case 'b': c->backup = opt_backup_type(NULL, err, cap); break;
	case OPT_BACKUP: c->backup = opt_backup_type(arg, err, cap); break;
	case 'S':
		c->suffix = arg;
		c->backup = c->backup ? c->backup : opt_backup_type(NULL, err, cap);
		break;
	case OPT_SPARSE: return parse_sparse(arg, &c->sparse, err, cap);
	case OPT_ATTR_ONLY: c->flags |= RL_F_ATTR_ONLY; return 0;
	case OPT_COPY_CONTENTS: c->copy_contents = 1; return 0;
	case OPT_PARENTS: c->parents = 1; return 0;
	case OPT_STRIP_SLASHES: c->strip_slashes = 1; return 0;
	case OPT_KEEP_DIR_SYMLINK: c->keep_dir_symlink = 1; return 0;
	case OPT_DEBUG: c->debug = c->verbose = 1; return 0;
	case 't':
		if (c->target_dir)
			return usage_error(err, cap, "multiple target directories specified");
		c->target_dir = arg;
		return 0;
	case 'Z': return 0; /* no SELinux here: nothing to set, as cp without it */
	case OPT_CONTEXT: c->warn_context = arg != NULL; return 0;
	case 'x': c->one_fs = 1; return 0;
	default: return 1;
	}
	return c->backup < 0 ? EXIT_USAGE : 0;
}

/* --shared, --dedupe and the options only they take: 0, or 1 if opt is
 * not one of them; any other option but a few (-v, -j, --json...) is a
 * copy option, which they refuse (check_share). */
static int apply_share_opt(struct cli *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_SHARED: c->action = CLI_SHARED; return 0;
	case OPT_DEDUPE: c->action = CLI_DEDUPE; return 0;
	case OPT_DRY_RUN: c->dry_run = 1; return 0;
	case OPT_BYTES: c->exact_bytes = 1; return 0;
	case 'v': case 'j': case OPT_JSON: case OPT_PROGRESS: case OPT_NO_PROGRESS:
	case OPT_HELP: case OPT_VERSION:
		return 1;
	default:
		if (!c->copy_opt)
			c->copy_opt = arg;
		return 1;
	}
}

static int check_share(struct cli *c, char *err, size_t cap)
{
	if (c->action == CLI_HELP || c->action == CLI_VERSION)
		return 0;
	c->usage_try = 0; /* one line: these are not cp's errors */
	int share = c->action == CLI_SHARED || c->action == CLI_DEDUPE;
	const char *name = c->action == CLI_SHARED ? "--shared" : "--dedupe";
	if (!share && (c->dry_run || c->exact_bytes))
		return usage_error(err, cap, "option '%s' needs --dedupe or --shared",
				   c->dry_run ? "--dry-run" : "--bytes");
	if (!share) {
		c->usage_try = 1;
		return 0;
	}
	if (c->copy_opt)
		return usage_error(err, cap, "option '%s' cannot be combined with '%s'",
				   name, c->copy_opt);
	if (c->action == CLI_SHARED && c->dry_run)
		return usage_error(err, cap, "option '--dry-run' needs --dedupe");
	if (c->n_operands == 0)
		return usage_error(err, cap, "missing PATH operand for '%s'", name);
	return 0;
}

/* One option; 0 or EXIT_USAGE. */
static int apply_opt(struct cli *c, int opt, const char *arg, char *err, size_t cap)
{
	int r = apply_cp_opt(c, opt, arg, err, cap);
	if (r != 1)
		return r;
	switch (opt) {
	case OPT_REFLINK:
		c->reflink_given = 1;
		return parse_mode(arg, &c->mode, err, cap);
	case 'p': c->preserve |= PRESERVE_DEFAULT, c->default_mode = 0; return 0;
	case OPT_PRESERVE: return apply_preserve(c, arg, 1, err, cap);
	case OPT_NO_PRESERVE: return apply_preserve(c, arg, 0, err, cap);
	case 'r': case 'R': c->recursive = 1; return 0;
	case 'a':
		c->recursive = 1, c->deref = 0, c->preserve |= RL_PRESERVE_ALL;
		return 0;
	case 'L': c->deref = 1; return 0;
	case 'P': c->deref = 0; return 0;
	case 'H': c->deref = 2; return 0;
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
	case OPT_DELETE: c->prune = 1; return 0;
	case OPT_CHECK: c->action = CLI_CHECK; return 0;
	case OPT_HELP: c->action = CLI_HELP; return 0;
	case OPT_VERSION: c->action = CLI_VERSION; return 0;
	default: return usage_error(err, cap, "internal option error");
	}
}

/* The combinations cp refuses, in its words. */
static int combination_error(struct cli *c, char *err, size_t cap)
{
	if (c->link == ((1 << LINK_HARD) | (1 << LINK_SYMBOLIC)))
		return usage_error(err, cap, "cannot make both hard and symbolic links");
	c->link = c->link ? (c->link & (1 << LINK_HARD) ? LINK_HARD : LINK_SYMBOLIC) : LINK_NONE;
	if (c->backup && c->update == UPDATE_NONE)
		return usage_error(err, cap, "options --backup and --no-clobber are mutually exclusive");
	if (c->reflink_given && c->mode == RL_MODE_ALWAYS && c->sparse != RL_SPARSE_AUTO)
		return usage_error(err, cap, "--reflink can be used only with --sparse=auto");
	if (c->flags & RL_F_ATTR_ONLY && c->link)
		return usage_error(err, cap, "cannot make links and copy only attributes");
	if (c->target_dir && c->target_is_dir == 0) {
		c->usage_try = 0;
		return usage_error(err, cap, "cannot combine --target-directory (-t) and --no-target-directory (-T)");
	}
	/* No extents can be shared when every byte is written (as cp 9.4). */
	if (c->sparse == RL_SPARSE_NEVER)
		c->mode = RL_MODE_NEVER;
	if (!c->suffix && !(c->suffix = getenv("SIMPLE_BACKUP_SUFFIX")))
		c->suffix = "~";
	return 0;
}

/* Those combinations fail with cp's status (1), not EXIT_USAGE:
 * scripts written for cp test for it. */
static int check_combinations(struct cli *c, char *err, size_t cap)
{
	int r = combination_error(c, err, cap);
	if (r != 0)
		c->usage_status = EXIT_FAIL;
	return r;
}

/* getopt's complaint, in its (and so cp's) words. */
static int bad_option(char **argv, int opt, char *err, size_t cap)
{
	const char *arg = argv[optind - 1];
	int is_long = arg && arg[0] == '-' && arg[1] == '-';
	if (opt == ':' && !is_long)
		return usage_error(err, cap, "option requires an argument -- '%c'", optopt);
	if (opt == ':')
		return usage_error(err, cap, "option '%s' requires an argument", arg);
	if (!is_long)
		return usage_error(err, cap, "invalid option -- '%c'", optopt);
	const char *eq = strchr(arg, '=');
	if (eq && optopt)
		return usage_error(err, cap, "option '%.*s' doesn't allow an argument",
				   (int)(eq - arg), arg);
	return usage_error(err, cap, "unrecognized option '%s'", arg);
}

static int check_operands(const struct cli *c, char *err, size_t cap)
{
	if (c->action == CLI_HELP || c->action == CLI_VERSION)
		return 0;
	if (c->action == CLI_CHECK)
		return c->n_operands ? 0 : usage_error(err, cap, "missing PATH operand for '--check'");
	if (c->atomic && !c->recursive)
		return usage_error(err, cap, "option '--atomic' needs -r, -R or -a");
	if (c->prune && !c->recursive)
		return usage_error(err, cap, "option '--delete' needs -r, -R or -a");
	if (c->n_operands == 0)
		return usage_error(err, cap, "missing file operand");
	if (c->n_operands == 1 && !c->target_dir)
		return usage_error(err, cap, "missing destination file operand after '%s'", c->operands[0]);
	if (c->n_operands > 2 && c->target_is_dir == 0)
		return usage_error(err, cap, "extra operand '%s'", c->operands[2]);
	return 0;
}

#define SHORTOPTS ":abdfHilLnpPrRsS:t:TuvxZj:"

int cli_parse(int argc, char **argv, struct cli *c, char *err, size_t cap)
{
	memset(c, 0, sizeof *c);
	c->action = CLI_COPY;
	c->mode = RL_MODE_ALWAYS; /* the tool's name is its promise */
	c->deref = -1;
	c->progress = -1;
	c->target_is_dir = -1;
	c->usage_try = 1;
	c->usage_status = EXIT_USAGE;
	optind = 0; /* reset getopt: the parser may run more than once */
	opterr = 0;
	int opt, r;
	if (cli_cp_abbrevs(argc, argv, longopts, SHORTOPTS, c) < 0)
		return usage_error(err, cap, "out of memory");
	while ((opt = getopt_long(argc, argv, SHORTOPTS, longopts, NULL)) != -1) {
		if (opt == '?' || opt == ':')
			return bad_option(argv, opt, err, cap);
		if (apply_share_opt(c, opt, argv[optind - 1]) == 0)
			continue;
		if ((r = apply_opt(c, opt, optarg, err, cap)) != 0)
			return r;
	}
	c->operands = argv + optind;
	c->n_operands = argc - optind;
	if ((r = check_combinations(c, err, cap)) != 0)
		return r;
	if ((r = check_share(c, err, cap)) != 0 || c->action == CLI_SHARED ||
	    c->action == CLI_DEDUPE)
		return r;
	return check_operands(c, err, cap);
}

void cli_free(struct cli *c)
{
	free(c->excludes);
	c->excludes = NULL;
	for (size_t i = 0; i < c->n_spelled; i++)
		free(c->spelled[i]);
	free(c->spelled);
	c->spelled = NULL;
	c->n_spelled = 0;
}

/* cp's options, grouped and worded as cp --help has them. */
static void usage_cp(FILE *out)
{
	fputs("Usage: reflink [OPTION]... [-T] SOURCE DEST\n"
	      "  or:  reflink [OPTION]... SOURCE... DIRECTORY\n"
	      "  or:  reflink [OPTION]... -t DIRECTORY SOURCE...\n"
	      "  or:  reflink --check PATH...\n"
	      "  or:  reflink --shared [--bytes] [--json] PATH...\n"
	      "  or:  reflink --dedupe [--dry-run] [-v] [-j N] [--json] PATH...\n"
	      "Clone SOURCE to DEST (copy-on-write: instant, no extra space), or copy it,\n"
	      "as cp places it. DEST is never left partial: a failed copy leaves it as it was.\n\n"
	      "  -a, --archive                same as -dR --preserve=all\n"
	      "      --attributes-only        don't copy the file data, just the attributes\n"
	      "      --backup[=CONTROL]       make a backup of each existing destination file\n"
	      "  -b                           like --backup but does not accept an argument\n"
	      "      --copy-contents          copy contents of special files when recursive\n"
	      "  -d                           same as --no-dereference --preserve=links\n"
	      "  -f, --force                  replace an existing DEST that cannot be opened\n"
	      "  -i, --interactive            prompt before overwrite (overrides a previous -n)\n"
	      "  -H                           follow command-line symbolic links in SOURCE\n"
	      "  -l, --link                   hard link files instead of copying\n"
	      "  -L, --dereference            always follow symbolic links in SOURCE\n"
	      "  -n, --no-clobber             skip an existing DEST silently (= --update=none)\n"
	      "  -P, --no-dereference         never follow symbolic links in SOURCE\n"
	      "  -p                           same as --preserve=mode,ownership,timestamps\n"
	      "      --preserve[=ATTR_LIST]   preserve mode, ownership, timestamps, links,\n"
	      "                                 context, xattr, all\n"
	      "      --no-preserve=ATTR_LIST  don't preserve the specified attributes\n"
	      "      --parents                use full source file name under DIRECTORY\n"
	      "  -R, -r, --recursive          copy directories recursively\n"
	      "      --reflink[=WHEN]         always (default): clone or fail with status 3;\n"
	      "                                 auto: clone, else copy; never: a real copy\n"
	      "      --remove-destination     replace each existing DEST by a new file, also\n"
	      "                                 a FIFO or device (else written into)\n"
	      "      --sparse=WHEN            auto, always (zeros become holes), never\n"
	      "      --strip-trailing-slashes  accepted (DEST's name ignores them anyway)\n"
	      "  -s, --symbolic-link          make symbolic links instead of copying\n"
	      "  -S, --suffix=SUFFIX          override the usual backup suffix\n"
	      "  -t, --target-directory=DIRECTORY  copy all SOURCE arguments into DIRECTORY\n"
	      "  -T, --no-target-directory    treat DEST as a normal file\n"
	      "      --update[=UPDATE]        which existing DEST to replace: all, none,\n"
	      "                                 none-fail, older (the default)\n"
	      "  -u                           same as --update=older\n"
	      "  -v, --verbose                one line per file naming the method used\n"
	      "      --debug                  as -v, and how each file was copied (as cp)\n"
	      "      --keep-directory-symlink  merge into a DEST symlink to a directory\n"
	      "  -x, --one-file-system        stay on this file system\n"
	      "  -Z, --context[=CTX]          no SELinux here: nothing to set\n", out);
}

void cli_usage(FILE *out)
{
	usage_cp(out);
	fputs("  -j, --jobs=N                 copy trees with N threads (default: one per\n"
	      "                                 CPU, more while they wait for the disk)\n"
	      "      --exclude=GLOB           leave out entries whose name or relative path\n"
	      "                                 matches GLOB (repeatable)\n"
	      "      --json                   print a JSON summary on stdout at the end\n"
	      "      --progress               show progress on stderr (default: only on a\n"
	      "                                 terminal when the copy takes long)\n"
	      "      --no-progress            never show progress\n"
	      "      --fsync                  flush each file to disk before it is put in place\n"
	      "      --atomic                 with -r: the copy of a directory appears, or\n"
	      "                                 replaces an existing one, in one step\n"
	      "      --delete                 with -r: remove what SOURCE lacks from a DEST\n"
	      "                                 directory merged into (excluded names stay)\n"
	      "      --check                  tell whether PATH's filesystem can clone\n"
	      "      --shared                 with PATH...: bytes of each PATH allocated,\n"
	      "                                 shared with other files, exclusive, holes\n"
	      "      --dedupe                 with PATH...: make identical files share their\n"
	      "                                 blocks (the kernel compares every byte first)\n"
	      "      --dry-run                with --dedupe: report what it would share only\n"
	      "      --bytes                  with --shared or --dedupe: exact byte counts\n"
	      "      --help                   show this help\n"
	      "      --version                show the version\n\n"
	      "The backup suffix is '~', unless set with --suffix or SIMPLE_BACKUP_SUFFIX.\n"
	      "The version control method may be selected via the --backup option or through\n"
	      "the VERSION_CONTROL environment variable: none/off, numbered/t,\n"
	      "existing/nil (the default), simple/never.\n\n"
	      "Exit status: 0 success; 1 failure; 2 usage error; 3 a clone was required\n"
	      "and impossible (and nothing else failed), or --dedupe on a filesystem\n"
	      "that cannot share blocks.\n", out);
}
