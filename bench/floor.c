/* floor - the least work the kernel must do to copy a tree: one thread,
 * relative to directory fds, per regular file openat + openat(O_CREAT) +
 * FICLONE (or one copy_file_range where clones are impossible) + 2 close,
 * directories and symlinks recreated, no metadata kept. Not a usable copy
 * tool: the benchmark's yardstick for what a tree copy cannot go below.
 * With -j N, N threads share out SRC's top-level entries (each takes the
 * next one left): what N cores could do at best with that work per file,
 * where the filesystem lets them run side by side.
 * Usage: floor [-j N] SRC DST   (DST must not exist) */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_int can_clone = 1; /* until the first clone says otherwise */

static int fail(const char *what, const char *name)
{
	fprintf(stderr, "floor: %s %s: %s\n", what, name, strerror(errno));
	return -1;
}

static int copy_data(int in, int out, const char *name)
{
	if (can_clone && ioctl(out, FICLONE, in) == 0)
		return 0;
	if (can_clone && errno != EOPNOTSUPP && errno != EXDEV && errno != EINVAL)
		return fail("clone", name);
	can_clone = 0;
	ssize_t n;
	while ((n = copy_file_range(in, NULL, out, NULL, 1UL << 30, 0)) > 0)
		;
	return n < 0 ? fail("copy_file_range", name) : 0;
}

static int copy_file(int sdir, int ddir, const char *name)
{
	int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return fail("open", name);
	int out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return fail("create", name);
	}
	int r = copy_data(in, out, name);
	close(out);
	close(in);
	return r;
}

static int copy_dir(int sdir, int ddir);

static int copy_entry(int sdir, int ddir, struct dirent *e)
{
	char target[4096];
	ssize_t n;
	switch (e->d_type) {
	case DT_REG:
		return copy_file(sdir, ddir, e->d_name);
	case DT_LNK:
		n = readlinkat(sdir, e->d_name, target, sizeof target - 1);
		if (n < 0)
			return fail("readlink", e->d_name);
		target[n] = 0;
		return symlinkat(target, ddir, e->d_name) ? fail("symlink", e->d_name) : 0;
	case DT_DIR: {
		if (mkdirat(ddir, e->d_name, 0755) != 0)
			return fail("mkdir", e->d_name);
		int s = openat(sdir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int d = openat(ddir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int r = (s < 0 || d < 0) ? fail("open dir", e->d_name) : copy_dir(s, d);
		if (d >= 0)
			close(d);
		if (s >= 0)
			close(s);
		return r;
	}
	default:
		errno = ENOTSUP;
		return fail("unsupported entry", e->d_name);
	}
}

/* Reads sdir through a duplicate: the caller closes sdir and ddir. */
static int copy_dir(int sdir, int ddir)
{
	DIR *d = fdopendir(dup(sdir));
	if (!d)
		return fail("opendir", "");
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			r = copy_entry(sdir, ddir, e);
	closedir(d);
	return r;
}

/* The top level, shared out between threads. */
struct top {
	int sdir, ddir;
	struct dirent **ents;
	size_t n;
	atomic_size_t next;
	atomic_int failed;
};

static int is_dot(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

static void *top_worker(void *arg)
{
	struct top *t = arg;
	size_t i;
	while (!atomic_load(&t->failed) && (i = atomic_fetch_add(&t->next, 1)) < t->n)
		if (copy_entry(t->sdir, t->ddir, t->ents[i]) != 0)
			atomic_store(&t->failed, 1);
	return NULL;
}

static int filter(const struct dirent *e)
{
	return !is_dot(e->d_name);
}

static int copy_top(const char *src, int sdir, int ddir, int jobs)
{
	struct top t = { .sdir = sdir, .ddir = ddir };
	int n = scandir(src, &t.ents, filter, NULL);
	if (n < 0)
		return fail("scandir", src);
	t.n = (size_t)n;
	pthread_t tid[64];
	int started = 0;
	while (started < jobs - 1 && started < 64 &&
	       pthread_create(&tid[started], NULL, top_worker, &t) == 0)
		started++;
	top_worker(&t);
	for (int i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < n; i++)
		free(t.ents[i]);
	free(t.ents);
	return atomic_load(&t.failed) ? -1 : 0;
}

int main(int argc, char **argv)
{
	int jobs = 1;
	if (argc == 5 && strcmp(argv[1], "-j") == 0) {
		jobs = atoi(argv[2]);
		argv += 2, argc -= 2;
	}
	if (argc != 3 || jobs < 1) {
		fprintf(stderr, "usage: floor [-j N] SRC DST\n");
		return 2;
	}
	if (mkdir(argv[2], 0755) != 0)
		return fail("mkdir", argv[2]), 1;
	int s = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int d = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s < 0 || d < 0)
		return fail("open", argv[1]), 1;
	int r = jobs == 1 ? copy_dir(s, d) : copy_top(argv[1], s, d, jobs);
	return r == 0 ? 0 : 1;
}
