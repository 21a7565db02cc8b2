/* report.c - what the command prints: errors, -v lines, progress, JSON. */
#include "cli.h"

#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_DELAY 1.0    /* auto progress only for copies this long */
#define PROGRESS_PERIOD 0.1

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void report_init(struct report *r, const struct cli *c)
{
	memset(r, 0, sizeof *r);
	r->json = c->json;
	r->verbose = c->verbose;
	r->progress = c->progress;
	r->debug = c->debug;
	r->mode = c->mode;
	r->sparse = c->sparse;
	if (r->progress < 0 && !isatty(STDERR_FILENO))
		r->progress = 0;
	r->t0 = now_seconds();
}

/* Length of the valid UTF-8 sequence at s, or 0: valid as Unicode (and
 * Python's decoder) define it, so no overlong forms, no surrogates (ED A0..
 * ED BF), nothing above U+10FFFF. A NUL ends the check like any non-
 * continuation byte, so it never reads past the string. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2
		 : s[0] < 0xf0 ? 3 : s[0] < 0xf5 ? 4 : 0;
	unsigned lo = s[0] == 0xe0 ? 0xa0 : s[0] == 0xf0 ? 0x90 : 0x80;
	unsigned hi = s[0] == 0xed ? 0x9f : s[0] == 0xf4 ? 0x8f : 0xbf;
	if (n > 1 && (s[1] < lo || s[1] > hi))
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void report_quote(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('\'', f);
	while (*p) {
		size_t n = *p >= 0x80 ? utf8_len(p) : 1;
		if (*p >= 0x80 && n) {
			fwrite(p, 1, n, f);
			p += n;
		} else if (*p < 0x20 || *p == 0x7f || *p >= 0x80 || *p == '\'' || *p == '\\') {
			/* A name can hold any byte but '/' and NUL: show it unambiguously. */
			fprintf(f, "\\%03o", *p++);
		} else {
			fputc(*p++, f);
		}
	}
	fputc('\'', f);
}

static void clear_progress(struct report *r)
{
	if (r->drawn) {
		fputs("\r\033[K", stderr);
		r->drawn = 0;
	}
}

void report_msg(struct report *r, const char *fmt, ...)
{
	va_list ap;
	clear_progress(r);
	fputs("reflink: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	r->errors++;
}

void report_error_text(struct report *r, const char *what, const char *a,
		       const char *b, const char *reason)
{
	clear_progress(r);
	fprintf(stderr, "reflink: %s ", what);
	report_quote(stderr, a);
	if (b) {
		fputs(" to ", stderr);
		report_quote(stderr, b);
	}
	fprintf(stderr, ": %s\n", reason);
	r->errors++;
}

void report_words(struct report *r, const char *t1, const char *n1,
			 const char *t2, const char *n2, const char *t3)
{
	clear_progress(r);
	fprintf(stderr, "reflink: %s", t1);
	report_quote(stderr, n1);
	fputs(t2, stderr);
	if (n2)
		report_quote(stderr, n2);
	fprintf(stderr, "%s\n", t3);
	r->errors++;
}

void report_prompt(struct report *r, const char *t1, const char *name,
		   const char *t2)
{
	clear_progress(r);
	fflush(stdout);
	fprintf(stderr, "reflink: %s", t1);
	report_quote(stderr, name);
	fputs(t2, stderr);
	fflush(stderr);
}

void report_just_made(struct report *r, const char *src, const char *dst,
		      int dst_is_link, int src_is_link)
{
	/* cp would write through the link it just made: it says so. */
	if (dst_is_link && !src_is_link)
		report_words(r, "will not copy ", src,
			     " through just-created symlink ", dst, "");
	else
		report_words(r, "will not overwrite just-created ", dst, " with ",
			     src, "");
}

void report_error(struct report *r, const char *what, const char *a,
		  const char *b, int err)
{
	if (err == RL_ESAMEFILE && b) { /* cp's words, which scripts match */
		report_words(r, "", a, " and ", b, " are the same file");
		return;
	}
	report_error_text(r, what, a, b, rl_strerror(err));
	if (rl_is_clone_impossible(err))
		r->noclone++;
}

/* A file name as a JSON string. A name is bytes, not text: each byte that is
 * not part of valid UTF-8 is written as the lone surrogate \udcXX (Python's
 * surrogateescape), which no real character can be, so a reader gets the
 * exact bytes back (json.loads, then os.fsencode) and a byte 0xff differs
 * from the character U+00FF ("\u00ff" or its UTF-8). */
void json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	while (*p) {
		size_t n = utf8_len(p);
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		if (n == 0)
			fprintf(f, "\\udc%02x", *p);
		else if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
		p++;
	}
	fputc('"', f);
}

/* -v's "'src' -> 'dst' (how)" (on stderr under --json). */
static void say_arrow(struct report *r, const char *src, const char *dst,
		      const char *how)
{
	FILE *out = r->json ? stderr : stdout;
	clear_progress(r);
	report_quote(out, src);
	fputs(" -> ", out);
	report_quote(out, dst);
	fprintf(out, " (%s)\n", how);
}

void report_file(struct report *r, const char *src, const char *dst,
		 const rl_result *res)
{
	r->files++;
	r->bytes += res->bytes;
	r->cloned += res->cloned_bytes;
	r->copied += res->copied_bytes;
	r->base_bytes += res->bytes;
	r->cur_done = r->cur_total = 0;
	if ((unsigned)res->method < RL_METHOD_COUNT_)
		r->by_method[res->method]++;
	if (r->verbose)
		say_arrow(r, src, dst, rl_method_name(res->method));
	if (r->debug)
		report_debug(r, src, res);
}

/* cp --debug's words for what was tried and what did the work. */
void report_debug(struct report *r, const char *src, const rl_result *res)
{
	struct stat st;
	/* What the library's ladder skipped, it "avoided", as cp says. */
	const char *skipped = r->mode == RL_MODE_NEVER ? "avoided" : "unsupported";
	const char *offload = skipped, *reflink = skipped, *sparse = "no";
	int holes = stat(src, &st) == 0 && S_ISREG(st.st_mode) &&
		    (uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size;
	if (res->method == RL_METHOD_CLONE)
		offload = "unknown", reflink = "yes", sparse = "unknown";
	else if (res->method == RL_METHOD_COPY_RANGE)
		offload = "yes";
	else if (r->sparse != RL_SPARSE_AUTO)
		offload = "avoided";
	if (res->method != RL_METHOD_CLONE && r->sparse == RL_SPARSE_ALWAYS)
		sparse = holes ? "SEEK_HOLE + zeros" : "zeros";
	else if (res->method != RL_METHOD_CLONE && r->sparse == RL_SPARSE_AUTO && holes)
		sparse = "SEEK_HOLE";
	fprintf(r->json ? stderr : stdout,
		"copy offload: %s, reflink: %s, sparse detection: %s\n", offload,
	       reflink, sparse);
}

void report_dir(struct report *r)
{
	r->dirs++;
}

/* "WORD 'path'" on the verbose stream (stderr under --json). */
static void say_path(struct report *r, const char *word, const char *path)
{
	FILE *out = r->json ? stderr : stdout;
	clear_progress(r);
	fputs(word, out);
	report_quote(out, path);
	fputc('\n', out);
}

void report_removed(struct report *r, const char *path)
{
	r->deleted++;
	if (r->verbose)
		say_path(r, "removed ", path);
}

void report_link(struct report *r, const char *src, const char *dst, int hard)
{
	if (r->verbose)
		say_arrow(r, src, dst, hard ? "hard link" : "symbolic link");
}

void report_skipped(struct report *r, const char *dst)
{
	r->skipped++;
	if (r->debug)
		say_path(r, "skipped ", dst);
}

void report_human(char *buf, size_t cap, double v)
{
	const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;
	while (v >= 1024 && u < 4)
		v /= 1024, u++;
	snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void report_progress(struct report *r, uint64_t done, uint64_t total)
{
	double t = now_seconds(), el = t - r->t0;
	r->cur_done = done;
	r->cur_total = total;
	if (r->progress == 0 || (r->progress < 0 && el < PROGRESS_DELAY) ||
	    t - r->last_draw < PROGRESS_PERIOD)
		return;
	r->last_draw = t;
	uint64_t d = r->base_bytes + done;
	uint64_t all = r->total_bytes > d ? r->total_bytes : r->base_bytes + total;
	double rate = el > 0 ? (double)d / el : 0;
	char hd[32], ht[32], hr[32], eta[32] = "--:--";
	report_human(hd, sizeof hd, (double)d);
	report_human(ht, sizeof ht, (double)all);
	report_human(hr, sizeof hr, rate);
	if (rate > 0 && all >= d) {
		unsigned long s = (unsigned long)((double)(all - d) / rate);
		snprintf(eta, sizeof eta, "%lu:%02lu", s / 60, s % 60);
	}
	uint64_t files = r->total_files > r->files ? r->total_files : r->files;
	fprintf(stderr, "\r\033[K%s / %s  %3d%%  %s/s  ETA %s  files %llu/%llu", hd, ht,
		all ? (int)(100.0 * (double)d / (double)all) : 100, hr, eta,
		(unsigned long long)r->files, (unsigned long long)files);
	r->drawn = 1;
}

void report_interrupted(struct report *r)
{
	char size[32];
	clear_progress(r);
	report_human(size, sizeof size, (double)r->bytes);
	fprintf(stderr, "reflink: interrupted: %llu file%s copied, %s",
		(unsigned long long)r->files, r->files == 1 ? "" : "s", size);
	if (r->stopped_at) {
		fputs("; ", stderr);
		report_quote(stderr, r->stopped_at);
		fputs(r->stopped_tree ? " not finished" : " not copied", stderr);
	}
	fputc('\n', stderr);
}

void report_finish(struct report *r)
{
	clear_progress(r);
	if (!r->json)
		return;
	printf("{\"files\":%llu,\"dirs\":%llu,\"bytes\":%llu,\"cloned_bytes\":%llu,"
	       "\"copied_bytes\":%llu,\"errors\":%llu,\"skipped\":%llu,"
	       "\"deleted\":%llu,\"seconds\":%.6f,\"methods\":{",
	       (unsigned long long)r->files, (unsigned long long)r->dirs,
	       (unsigned long long)r->bytes, (unsigned long long)r->cloned,
	       (unsigned long long)r->copied, (unsigned long long)r->errors,
	       (unsigned long long)r->skipped, (unsigned long long)r->deleted,
	       now_seconds() - r->t0);
	for (int m = 0; m < RL_METHOD_COUNT_; m++)
		printf("%s\"%s\":%llu", m ? "," : "", rl_method_name((rl_method)m),
		       (unsigned long long)r->by_method[m]);
	printf("}}\n");
}

void report_usage(struct report *r, const char *msg)
{
	report_msg(r, "%s", msg);
	fputs("Try 'reflink --help' for more information.\n", stderr);
	r->usage = 1;
}

int report_exit_status(const struct report *r)
{
	if (r->usage)
		return EXIT_USAGE;
	if (r->errors == 0)
		return EXIT_OK;
	return r->errors == r->noclone ? EXIT_NOCLONE : EXIT_FAIL;
}
