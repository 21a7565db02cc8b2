/* cfr - the copy_file_range(2) baseline of the benchmark: copy SRC to DST
 * with nothing but a copy_file_range loop, the least a program can do to
 * copy a file through the kernel. Only used where clones are impossible
 * (on btrfs and XFS copy_file_range would share extents).
 * Usage: cfr SRC DST */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Chunks of at most 1 GiB: some C libraries mis-report larger returns. */
#define CHUNK (1UL << 30)

static int die(const char *what, const char *path)
{
	fprintf(stderr, "cfr: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: cfr SRC DST\n");
		return 2;
	}
	int in = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return die("open", argv[1]);
	int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		return die("create", argv[2]);
	for (;;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, CHUNK, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return die("copy_file_range to", argv[2]);
		if (n == 0)
			break;
	}
	if (close(out) != 0)
		return die("close", argv[2]);
	close(in);
	return 0;
}
