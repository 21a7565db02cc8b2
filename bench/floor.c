/* floor - the least work the kernel must do to copy a tree: one thread,
 * relative to directory fds, per regular file openat + openat(O_CREAT) +
 * FICLONE (or one copy_file_range where clones are impossible) + 2 close,
 * directories and symlinks recreated, no metadata kept. Not a usable copy
 * tool: the benchmark's yardstick for what a tree copy cannot go below.
 * Usage: floor SRC DST   (DST must not exist) */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int can_clone = 1; /* until the first clone says otherwise */

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

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: floor SRC DST\n");
		return 2;
	}
	if (mkdir(argv[2], 0755) != 0)
		return fail("mkdir", argv[2]), 1;
	int s = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int d = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s < 0 || d < 0)
		return fail("open", argv[1]), 1;
	return copy_dir(s, d) == 0 ? 0 : 1;
}
