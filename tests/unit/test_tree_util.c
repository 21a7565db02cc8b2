/* test_tree_util.c - listings of trees to compare copies with their
 * sources, and small builders. */
#include "test.h"
#include "test_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct lent {
	char *rel, *desc;
	dev_t dev;
	ino_t ino;
	int multi;
};

struct listing {
	struct lent *v;
	size_t n, cap;
	unsigned int what;
};

static uint64_t content_hash(int dirfd, const char *name)
{
	uint64_t h = 1469598103934665603ull;
	unsigned char buf[65536];
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		FAILF("open %s", name);
	for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 1099511628211ull;
	close(fd);
	return h;
}

/* rel with bytes that are not printable shown as \xNN. */
static char *escaped(const char *s)
{
	char *out = malloc(strlen(s) * 4 + 1), *p = out;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		p += (c < 0x21 || c > 0x7e || c == '\\')
			     ? sprintf(p, "\\x%02x", c) : sprintf(p, "%c", c);
	}
	*p = 0;
	return out;
}

static void describe(struct listing *L, int dirfd, const char *name,
		     const struct stat *st, char *desc, size_t cap)
{
	int n = snprintf(desc, cap, "%c", S_ISDIR(st->st_mode) ? 'd' :
			 S_ISREG(st->st_mode) ? 'f' : S_ISLNK(st->st_mode) ? 'l' :
			 S_ISFIFO(st->st_mode) ? 'p' : S_ISSOCK(st->st_mode) ? 's' :
			 S_ISCHR(st->st_mode) ? 'c' : 'b');
	if ((L->what & LIST_MODE) && !S_ISLNK(st->st_mode))
		n += snprintf(desc + n, cap - n, " mode=%04o", st->st_mode & 07777);
	if (L->what & LIST_OWNER)
		n += snprintf(desc + n, cap - n, " own=%u:%u", st->st_uid, st->st_gid);
	if ((L->what & LIST_TIMES))
		n += snprintf(desc + n, cap - n, " mtime=%lld.%09ld",
			      (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	if (S_ISREG(st->st_mode))
		n += snprintf(desc + n, cap - n, " size=%lld hash=%016llx",
			      (long long)st->st_size,
			      (unsigned long long)content_hash(dirfd, name));
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		n += snprintf(desc + n, cap - n, " rdev=%u:%u", major(st->st_rdev),
			      minor(st->st_rdev));
	if (S_ISLNK(st->st_mode)) {
		char target[4097];
		ssize_t len = readlinkat(dirfd, name, target, sizeof target - 1);
		target[len < 0 ? 0 : len] = 0;
		char *e = escaped(target);
		snprintf(desc + n, cap - n, " ->%s", e);
		free(e);
	}
}

static void add(struct listing *L, const char *rel, const char *desc,
		const struct stat *st)
{
	if (L->n == L->cap) {
		L->cap = L->cap ? 2 * L->cap : 64;
		L->v = realloc(L->v, L->cap * sizeof *L->v);
	}
	struct lent *e = &L->v[L->n++];
	e->rel = strdup(rel);
	e->desc = strdup(desc);
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->multi = !S_ISDIR(st->st_mode) && st->st_nlink > 1;
}

static void walk(struct listing *L, int dirfd, const char *rel)
{
	DIR *d = fdopendir(dup(dirfd));
	struct dirent *de;
	if (!d)
		FAILF("fdopendir %s", rel);
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		struct stat st;
		char desc[8192], *sub;
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			FAILF("stat %s/%s", rel, name);
		if (asprintf(&sub, "%s%s%s", rel, *rel ? "/" : "", name) < 0)
			FAILF("asprintf");
		describe(L, dirfd, name, &st, desc, sizeof desc);
		add(L, sub, desc, &st);
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
			if (fd < 0)
				FAILF("open dir %s", sub);
			walk(L, fd, sub);
			close(fd);
		}
		free(sub);
	}
	closedir(d);
}

static int by_rel(const void *a, const void *b)
{
	return strcmp(((const struct lent *)a)->rel, ((const struct lent *)b)->rel);
}

char *tree_listing(const char *root, unsigned int what)
{
	struct listing L = { NULL, 0, 0, what };
	int fd = open(root, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		FAILF("open %s", root);
	walk(&L, fd, "");
	close(fd);
	qsort(L.v, L.n, sizeof *L.v, by_rel);
	size_t cap = 1, len = 0;
	for (size_t i = 0; i < L.n; i++)
		cap += 4 * strlen(L.v[i].rel) + strlen(L.v[i].desc) + 4 * 4096 + 16;
	char *out = malloc(cap);
	out[0] = 0;
	for (size_t i = 0; i < L.n; i++) {
		struct lent *e = &L.v[i];
		char *r = escaped(e->rel);
		len += (size_t)sprintf(out + len, "%s %s", r, e->desc);
		free(r);
		/* A hard-link group is named by its first path, sorted. */
		for (size_t j = 0; (what & LIST_LINKS) && e->multi && j <= i; j++)
			if (L.v[j].multi && L.v[j].dev == e->dev && L.v[j].ino == e->ino) {
				char *g = escaped(L.v[j].rel);
				len += (size_t)sprintf(out + len, " link=%s", g);
				free(g);
				break;
			}
		out[len++] = '\n';
		out[len] = 0;
	}
	for (size_t i = 0; i < L.n; i++) {
		free(L.v[i].rel);
		free(L.v[i].desc);
	}
	free(L.v);
	return out;
}

void assert_same_tree(const char *a, const char *b, unsigned int what)
{
	char *x = tree_listing(a, what), *y = tree_listing(b, what);
	if (strcmp(x, y) != 0) {
		const char *p = x, *q = y;
		while (*p && *p == *q)
			p++, q++;
		while (p > x && p[-1] != '\n')
			p--, q--;
		fprintf(stderr, "trees differ: %s vs %s\n  %.300s\n  vs\n  %.300s\n",
			a, b, p, q);
		exit(1);
	}
	free(x);
	free(y);
}

static const char *at(const char *rel)
{
	static char buf[8192];
	return test_path(buf, sizeof buf, rel);
}

void mk_dir(const char *rel, mode_t mode)
{
	if (mkdir(at(rel), mode) != 0)
		FAILF("mkdir %s", rel);
	chmod(at(rel), mode);
}

void mk_file(const char *rel, size_t size, unsigned int seed)
{
	char *data = malloc(size + 1);
	fill_random(data, size, seed);
	write_file(at(rel), data, size);
	free(data);
}

void mk_link(const char *target, const char *rel)
{
	if (symlink(target, at(rel)) != 0)
		FAILF("symlink %s", rel);
}

void mk_hard(const char *existing, const char *rel)
{
	char a[8192];
	snprintf(a, sizeof a, "%s", at(existing));
	if (link(a, at(rel)) != 0)
		FAILF("link %s", rel);
}

int exists(const char *rel)
{
	struct stat st;
	return lstat(at(rel), &st) == 0;
}

int count_in(const char *rel)
{
	DIR *d = opendir(at(rel));
	struct dirent *e;
	int n = 0;
	if (!d)
		FAILF("opendir %s", rel);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static char fast[256];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	chmod(p, 0700);
	return remove(p);
}

void fast_dir_done(void)
{
	if (fast[0] && strcmp(fast, test_dir()) != 0)
		nftw(fast, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	fast[0] = 0;
}

static void rm_fast(void)
{
	fast_dir_done();
}

const char *fast_dir(void)
{
	if (fast[0])
		return fast;
	snprintf(fast, sizeof fast, "/dev/shm/rl-unit-tree.XXXXXX");
	if (!mkdtemp(fast)) {
		snprintf(fast, sizeof fast, "%s", test_dir());
		return fast;
	}
	atexit(rm_fast);
	return fast;
}
