/* fuzz_tree.c - libFuzzer target for rl_copy_tree over small generated
 * trees. The input drives the options (mode, -L, merge, no-clobber,
 * preserve, jobs, an exclude) and up to 40 operations that build the
 * source tree: directories, files (dense and sparse), symlinks (to
 * siblings, to "..", out of the tree, dangling, loops), hard links, FIFOs,
 * modes, long and odd names, xattrs; with merge, a destination that already
 * holds entries, including symlinks that point outside it.
 *
 * Checked on every input, besides memory errors (ASan/UBSan):
 *   - nothing outside the destination changes (a sentinel directory next
 *     to it, the scratch directory's own entries), nor the source;
 *   - each failed entry is reported once: on_error calls == stats.errors;
 *   - a copy that returns 0 has no errors and, without merge, -L or
 *     excludes, the destination mirrors the source: same names, types,
 *     sizes, bytes, link targets. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "reflink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS 40
#define MAX_DIRS 16
#define MAX_FILES 16

struct gen {
	const uint8_t *p;
	size_t n, i;
};

static unsigned next(struct gen *g)
{
	return g->i < g->n ? g->p[g->i++] : 0;
}

static char base[PATH_MAX];     /* scratch root, made once */
static char srcdir[PATH_MAX], dstdir[PATH_MAX], outdir[PATH_MAX];

/* --- building the source tree ---------------------------------------- */

static const char *const names[] = {
	"a", "b", "f0", "d1", "x.o", ".hidden", "with space", "nl\nname",
	"\xff\xfe", "-dash", "sub", "a.o",
};

static void pick_name(struct gen *g, char *out, size_t cap)
{
	unsigned v = next(g);
	if (v >= 240) { /* a long name, up to NAME_MAX */
		size_t len = 200 + (v - 240) * 4;
		len = len > NAME_MAX ? NAME_MAX : len;
		memset(out, 'L', len < cap ? len : cap - 1);
		out[len < cap ? len : cap - 1] = 0;
		return;
	}
	snprintf(out, cap, "%s", names[v % (sizeof names / sizeof names[0])]);
}

static void write_data(const char *path, unsigned seed, size_t len, off_t at)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	char buf[4096];
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)(seed * 31 + i * 7);
	while (len > 0) {
		size_t n = len < sizeof buf ? len : sizeof buf;
		if (pwrite(fd, buf, n, at) != (ssize_t)n)
			break;
		len -= n, at += (off_t)n;
	}
	close(fd);
}

struct tree {
	char dirs[MAX_DIRS][PATH_MAX / 4];
	char files[MAX_FILES][PATH_MAX / 4];
	int ndirs, nfiles;
};

static char out_abs[PATH_MAX], sentinel_abs[PATH_MAX];

static const char *symlink_target(unsigned v, const char *sibling)
{
	switch (v % 8) {
	case 0: return sibling;
	case 1: return "..";
	case 2: return "../outside/sentinel";
	case 3: return sentinel_abs;
	case 4: return "does-not-exist";
	case 5: return ".";
	case 6: return out_abs;
	default: return "../../outside";
	}
}

/* One operation on the tree under root. */
static void op(struct gen *g, struct tree *t, const char *root)
{
	char name[NAME_MAX + 1], path[PATH_MAX];
	unsigned kind = next(g) % 9;
	const char *dir = t->dirs[next(g) % (unsigned)t->ndirs];
	pick_name(g, name, sizeof name);
	snprintf(path, sizeof path, "%s/%s%s%s", root, dir, *dir ? "/" : "", name);
	char rel[PATH_MAX / 4];
	snprintf(rel, sizeof rel, "%s%s%s", dir, *dir ? "/" : "", name);
	switch (kind) {
	case 0:
		if (mkdir(path, 0755) == 0 && t->ndirs < MAX_DIRS)
			snprintf(t->dirs[t->ndirs++], sizeof t->dirs[0], "%s", rel);
		break;
	case 1:
	case 2: /* dense, or sparse: a hole then a few bytes */
		write_data(path, next(g), kind == 1 ? next(g) * 37u : 10,
			   kind == 1 ? 0 : (off_t)(next(g) % 16 + 1) * 65536);
		if (t->nfiles < MAX_FILES)
			snprintf(t->files[t->nfiles++], sizeof t->files[0], "%s", rel);
		break;
	case 3:
		(void)symlink(symlink_target(next(g), t->nfiles ? "f0" : name), path);
		break;
	case 4:
		if (t->nfiles) {
			char from[PATH_MAX];
			snprintf(from, sizeof from, "%s/%s", root, t->files[next(g) % (unsigned)t->nfiles]);
			(void)link(from, path);
		}
		break;
	case 5:
		(void)mkfifo(path, 0644);
		break;
	case 6: { /* modes: keep the owner's rwx on dirs so cleanup works */
		struct stat st;
		if (lstat(path, &st) == 0 && !S_ISLNK(st.st_mode))
			chmod(path, S_ISDIR(st.st_mode) ? 0700 | (next(g) & 0077)
							 : (next(g) & 0777) | 0400);
		break;
	}
	case 7:
		write_data(path, next(g), 5000, 0);
		(void)setxattr(path, "user.fuzz", "v", 1, 0);
		break;
	default: /* a deep chain of directories (not through a symlink) */
		if (mkdir(path, 0755) != 0)
			break;
		for (int i = 0; i < 8 && strlen(path) + 4 < sizeof path; i++) {
			strcat(path, "/dd");
			if (mkdir(path, 0755) != 0)
				break;
		}
		break;
	}
}

/* --- fingerprints of trees --------------------------------------------- */

struct fp {
	char *buf;
	size_t len, cap;
	size_t root_len;
	int skip_content;
};
static struct fp *cur_fp;

/* The checker's own loops are no target: keep them out of the coverage
 * feedback (and fast). */
#if defined(__clang__)
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif

NO_COVERAGE static uint64_t hash_file(const char *path)
{
	uint64_t h = 1469598103934665603ull;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return 0;
	uint64_t buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		size_t words = ((size_t)n + 7) / 8;
		if (n % 8) /* zero the tail of the last word */
			memset((char *)buf + n, 0, words * 8 - (size_t)n);
		for (size_t i = 0; i < words; i++)
			h = (h ^ buf[i]) * 1099511628211ull;
		h ^= (uint64_t)n;
	}
	close(fd);
	return h;
}

NO_COVERAGE static int fp_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)flag, (void)f;
	char line[PATH_MAX + 600], target[PATH_MAX] = "";
	uint64_t h = 0;
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlink(path, target, sizeof target - 1);
		target[n > 0 ? n : 0] = 0;
	} else if (S_ISREG(st->st_mode) && !cur_fp->skip_content) {
		h = hash_file(path);
	}
	int len = snprintf(line, sizeof line, "%s|%o|%lld|%llx|%s\n",
			   path + cur_fp->root_len, (unsigned)(st->st_mode & S_IFMT),
			   S_ISDIR(st->st_mode) ? 0 : (long long)st->st_size,
			   (unsigned long long)h, target);
	if (cur_fp->len + (size_t)len + 1 > cur_fp->cap) {
		cur_fp->cap = (cur_fp->cap + (size_t)len) * 2;
		cur_fp->buf = realloc(cur_fp->buf, cur_fp->cap);
		if (!cur_fp->buf)
			abort();
	}
	memcpy(cur_fp->buf + cur_fp->len, line, (size_t)len + 1);
	cur_fp->len += (size_t)len;
	return 0;
}

NO_COVERAGE static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A sorted, comparable description of the tree at root. Caller frees. */
NO_COVERAGE static char *fingerprint(const char *root)
{
	struct fp f = { NULL, 0, 0, strlen(root), 0 };
	cur_fp = &f;
	f.buf = calloc(1, 1);
	f.cap = 1;
	nftw(root, fp_one, 16, FTW_PHYS);
	/* Sort the lines: walk order is not part of the contract. */
	size_t n = 0;
	for (size_t i = 0; i < f.len; i++)
		n += f.buf[i] == '\n';
	char **lines = calloc(n + 1, sizeof *lines), *save = NULL;
	size_t k = 0;
	for (char *l = strtok_r(f.buf, "\n", &save); l && k < n; l = strtok_r(NULL, "\n", &save))
		lines[k++] = l;
	qsort(lines, k, sizeof *lines, cmp_lines);
	size_t total = 1;
	for (size_t i = 0; i < k; i++)
		total += strlen(lines[i]) + 1;
	char *out = malloc(total);
	out[0] = 0;
	for (size_t i = 0, o = 0; i < k; i++) {
		size_t l = strlen(lines[i]);
		memcpy(out + o, lines[i], l);
		out[o + l] = '\n';
		out[o += l + 1] = 0;
	}
	free(lines);
	free(f.buf);
	return out;
}

/* --- scratch ----------------------------------------------------------- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)f;
	if (flag == FTW_DP)
		chmod(p, 0700);
	return remove(p) == 0 ? 0 : 0;
}

static void rm_tree(const char *p)
{
	nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup(void)
{
	if (base[0])
		rm_tree(base);
}

static void setup_base(void)
{
	if (base[0])
		return;
	const char *tmp = getenv("TMPDIR");
	snprintf(base, sizeof base, "%s/rl-fuzz-tree.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base))
		abort();
	atexit(cleanup);
	snprintf(srcdir, sizeof srcdir, "%s/w/src", base);
	snprintf(dstdir, sizeof dstdir, "%s/w/dst", base);
	snprintf(outdir, sizeof outdir, "%s/w/outside", base);
	snprintf(out_abs, sizeof out_abs, "%s", outdir);
	snprintf(sentinel_abs, sizeof sentinel_abs, "%s/sentinel", outdir);
}

/* base/w holds nothing but src, outside and (maybe) dst. */
static int only_expected_names(void)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s/w", base);
	DIR *d = opendir(p);
	struct dirent *e;
	int ok = d != NULL;
	while (d && (e = readdir(d)))
		ok &= !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		      !strcmp(e->d_name, "src") || !strcmp(e->d_name, "dst") ||
		      !strcmp(e->d_name, "outside");
	if (d)
		closedir(d);
	return ok;
}

/* --- callbacks ----------------------------------------------------------- */

struct counts {
	uint64_t errors, entries;
};

static int on_error(void *ctx, const char *s, const char *d, int err)
{
	struct counts *c = ctx;
	(void)s, (void)d;
	if (err >= 0 || !rl_strerror(err)[0])
		abort(); /* an entry error is a negative code with a text */
	c->errors++;
	return 0;
}

static void on_entry(void *ctx, const char *path, int type, const rl_result *r)
{
	struct counts *c = ctx;
	(void)type, (void)r;
	if (!path || path[0] == '/')
		abort(); /* relative to the source root */
	c->entries++;
}

/* With merge: a destination already holding entries, some of them symlinks
 * that lead outside it. Nothing may be written through them. */
static void prefill_dst(struct gen *g)
{
	char p[PATH_MAX];
	mkdir(dstdir, 0755);
	unsigned v = next(g);
	for (unsigned i = 0; i < 4; i++, v >>= 2) {
		snprintf(p, sizeof p, "%s/%s", dstdir, names[(v + i) % 4]);
		switch (v & 3) {
		case 0: (void)symlink(sentinel_abs, p); break;
		case 1: (void)symlink("../outside", p); break;
		case 2: write_data(p, i, 100, 0); break;
		default: mkdir(p, 0755); break;
		}
	}
}

static const char *const excludes_1[] = { "*.o", NULL };
static const char *const excludes_2[] = { "d1", NULL };
static const char *const excludes_3[] = { "sub/*", "a", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gen g = { data, size, 0 };
	struct tree t;
	char p[PATH_MAX];
	setup_base();
	snprintf(p, sizeof p, "%s/w", base);
	rm_tree(p);
	if (mkdir(p, 0755) != 0 || mkdir(srcdir, 0755) != 0 || mkdir(outdir, 0755) != 0)
		abort();
	snprintf(p, sizeof p, "%s/sentinel", outdir);
	write_data(p, 7, 64, 0);

	unsigned b0 = next(&g), b1 = next(&g), b2 = next(&g);
	rl_tree_options o = RL_TREE_OPTIONS_INIT;
	o.mode = (rl_mode)(b0 % 3);
	o.flags = ((b0 & 4) ? RL_TREE_DEREF_ALL : 0) | ((b0 & 8) ? RL_TREE_MERGE : 0) |
		  ((b0 & 16) ? RL_F_NO_CLOBBER : 0);
	o.preserve = b1 & RL_PRESERVE_ALL;
	o.jobs = 1 + (b1 >> 5) % 4;
	const char *const *ex[] = { NULL, excludes_1, excludes_2, excludes_3 };
	o.excludes = ex[b2 % 4];
	struct counts c = { 0, 0 };
	o.on_error = on_error;
	o.on_entry = on_entry;
	o.ctx = &c;

	memset(&t, 0, sizeof t);
	t.ndirs = 1; /* "" is the root */
	for (int i = 0; i < MAX_OPS && g.i < g.n; i++)
		op(&g, &t, srcdir);
	if (o.flags & RL_TREE_MERGE)
		prefill_dst(&g);

	char *src_before = fingerprint(srcdir), *out_before = fingerprint(outdir);
	rl_tree_stats st;
	memset(&st, 0, sizeof st);
	st.version = RL_TREE_STATS_VERSION;
	int r = rl_copy_tree(srcdir, dstdir, &o, &st);

	char *src_after = fingerprint(srcdir), *out_after = fingerprint(outdir);
	if (r > 0 || strcmp(src_before, src_after) || strcmp(out_before, out_after))
		abort(); /* the source or something outside dst changed */
	if (c.errors != st.errors || (r == 0 && st.errors))
		abort(); /* each failed entry reported once, and only then */
	if (r == RL_EPARTIAL && !st.errors)
		abort(); /* "entries failed" only when some did */
	if (!only_expected_names())
		abort(); /* no debris next to dst */
	if (r == 0 && !(o.flags & (RL_TREE_DEREF_ALL | RL_TREE_MERGE)) && !o.excludes) {
		char *d = fingerprint(dstdir);
		if (strcmp(d, src_after) != 0) {
			fprintf(stderr, "source:\n%s\ndestination:\n%s\n", src_after, d);
			abort();
		}
		free(d);
	}
	free(src_before), free(src_after), free(out_before), free(out_after);
	return 0;
}
