/* share.c - reflink --shared PATH... (what shares blocks) and
 * reflink --dedupe PATH... (make identical files share them). */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* One figure: exact bytes, or human units. */
static void figure(char *buf, size_t cap, uint64_t v, int exact)
{
	if (exact)
		snprintf(buf, cap, "%" PRIu64, v);
	else
		report_human(buf, cap, (double)v);
}

static void cannot(const char *what, const char *path, const char *other, int err)
{
	fprintf(stderr, "reflink: %s ", what);
	report_quote(stderr, path);
	if (other) {
		fputs(" with ", stderr);
		report_quote(stderr, other);
	}
	fprintf(stderr, ": %s\n", rl_strerror(err));
}

static int on_error(void *ctx, const char *path, const char *other, int err)
{
	(void)ctx;
	cannot("cannot read", path, other, err);
	return 0;
}

static void shared_header(void)
{
	printf("%8s %11s %11s %11s %11s %11s  %s\n", "FILES", "BYTES", "ALLOCATED",
	       "SHARED", "EXCLUSIVE", "HOLES", "PATH");
}

static void shared_row(const char *path, const rl_shared_stats *s, int exact)
{
	char b[5][32];
	figure(b[0], sizeof b[0], s->bytes, exact);
	figure(b[1], sizeof b[1], s->allocated, exact);
	figure(b[2], sizeof b[2], s->shared, exact);
	figure(b[3], sizeof b[3], s->exclusive, exact);
	figure(b[4], sizeof b[4], s->holes, exact);
	printf("%8" PRIu64 " %11s %11s %11s %11s %11s  ", s->files, b[0], b[1],
	       b[2], b[3], b[4]);
	report_quote(stdout, path);
	putchar('\n');
}

static void shared_json(const char *path, const rl_shared_stats *s)
{
	printf("{\"path\":");
	json_string(stdout, path);
	printf(",\"files\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"allocated\":%" PRIu64
	       ",\"shared\":%" PRIu64 ",\"exclusive\":%" PRIu64 ",\"holes\":%" PRIu64
	       ",\"fiemap\":%s,\"errors\":%" PRIu64 "}\n", s->files, s->bytes,
	       s->allocated, s->shared, s->exclusive, s->holes,
	       s->unmapped ? "false" : "true", s->errors);
}

int cli_shared(const struct cli *c)
{
	int status = EXIT_OK, header = 0;
	rl_share_options o = RL_SHARE_OPTIONS_INIT;
	o.jobs = c->jobs;
	o.on_error = on_error;
	for (int i = 0; i < c->n_operands; i++) {
		const char *path = c->operands[i];
		rl_shared_stats s = RL_SHARED_STATS_INIT;
		int r = rl_shared2(path, &o, &s);
		if (r < 0 && r != RL_EPARTIAL) {
			cannot("cannot read", path, NULL, r);
			status = EXIT_FAIL;
			continue;
		}
		if (r == RL_EPARTIAL)
			status = EXIT_FAIL;
		if (c->json) {
			shared_json(path, &s);
			continue;
		}
		if (!header++)
			shared_header();
		shared_row(path, &s, c->exact_bytes);
		if (s.unmapped) {
			fputs("reflink: ", stderr);
			report_quote(stderr, path);
			fprintf(stderr, ": no FIEMAP on this filesystem for %" PRIu64
				" files: shared bytes unknown, allocated from their block counts\n",
				s.unmapped);
		}
	}
	return status;
}

/* What -v lines need of the command line. */
struct verbose {
	int verbose, dry_run, exact_bytes;
};

static void on_file(void *ctx, const char *path, const char *same_as,
		    uint64_t bytes, int outcome)
{
	const struct verbose *c = ctx;
	char b[32];
	if (!c->verbose || (outcome != RL_DEDUPE_DONE && outcome != RL_DEDUPE_ALREADY))
		return;
	figure(b, sizeof b, bytes, c->exact_bytes);
	report_quote(stdout, path);
	printf(outcome == RL_DEDUPE_ALREADY ? ": already shares %s with " :
	       c->dry_run ? ": would share %s with " : ": shares %s with ", b);
	report_quote(stdout, same_as);
	putchar('\n');
}

static int dedupe_error(void *ctx, const char *path, const char *other, int err)
{
	(void)ctx;
	cannot(other ? "cannot dedupe" : "cannot read", path, other, err);
	return 0;
}

static void dedupe_json(const rl_dedupe_stats *s, int dry_run)
{
	printf("{\"files\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"groups\":%" PRIu64
	       ",\"duplicates\":%" PRIu64 ",\"deduped_bytes\":%" PRIu64
	       ",\"already_shared_bytes\":%" PRIu64 ",\"dry_run\":%s,\"skipped\":{",
	       s->files, s->bytes, s->groups, s->duplicates, s->deduped_bytes,
	       s->already_shared_bytes, dry_run ? "true" : "false");
	for (int i = 0; i < RL_SKIP_COUNT_; i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", rl_skip_name(i), s->skipped_by[i]);
	printf("},\"errors\":%" PRIu64 "}\n", s->errors);
}

static void dedupe_text(const rl_dedupe_stats *s, int dry_run, int exact)
{
	char d[32], a[32];
	figure(d, sizeof d, s->deduped_bytes, exact);
	figure(a, sizeof a, s->already_shared_bytes, exact);
	printf("%" PRIu64 " files, %" PRIu64 " groups of identical files, %" PRIu64
	       " duplicates: %s %s, %s already shared", s->files, s->groups,
	       s->duplicates, dry_run ? "would share" : "shared", d, a);
	if (s->skipped) {
		printf("; skipped %" PRIu64 " (", s->skipped);
		for (int i = 0, n = 0; i < RL_SKIP_COUNT_; i++)
			if (s->skipped_by[i])
				printf("%s%s %" PRIu64, n++ ? ", " : "", rl_skip_name(i),
				       s->skipped_by[i]);
		putchar(')');
	}
	if (s->errors)
		printf("; %" PRIu64 " errors", s->errors);
	putchar('\n');
}

int cli_dedupe(const struct cli *c)
{
	rl_share_options o = RL_SHARE_OPTIONS_INIT;
	rl_dedupe_stats s = RL_DEDUPE_STATS_INIT;
	o.flags = c->dry_run ? RL_DEDUPE_DRY_RUN : 0;
	o.jobs = c->jobs;
	o.on_file = on_file;
	o.on_error = dedupe_error;
	o.cancel = cancel_flag();
	struct verbose v = { c->verbose, c->dry_run, c->exact_bytes };
	o.ctx = &v;
	int r = rl_dedupe((const char *const *)c->operands, &o, &s);
	if (r == RL_ECLONE_NOTSUP || r == -EROFS) {
		fputs("reflink: cannot dedupe in ", stderr);
		report_quote(stderr, c->operands[0]);
		fprintf(stderr, ": %s; nothing changed\n", r == -EROFS
			? "read-only filesystem"
			: "the filesystem cannot share blocks (no FIDEDUPERANGE)");
		return r == -EROFS ? EXIT_FAIL : EXIT_NOCLONE;
	}
	if (r < 0 && r != RL_EPARTIAL && r != -ECANCELED) {
		fprintf(stderr, "reflink: cannot dedupe: %s\n", rl_strerror(r));
		return EXIT_FAIL;
	}
	if (c->json)
		dedupe_json(&s, c->dry_run);
	else
		dedupe_text(&s, c->dry_run, c->exact_bytes);
	if (cancel_signal())
		return 128 + cancel_signal();
	return r == 0 ? EXIT_OK : EXIT_FAIL;
}
