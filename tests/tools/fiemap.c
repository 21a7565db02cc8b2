/* fiemap - report a file's extents and how many bytes are shared (FIEMAP's
 * FIEMAP_EXTENT_SHARED flag), to prove a clone instead of assuming it.
 * Usage: fiemap FILE  ->  "extents N shared_bytes S data_bytes D" */
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define BATCH 512

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: fiemap FILE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "fiemap: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	size_t sz = sizeof(struct fiemap) + BATCH * sizeof(struct fiemap_extent);
	struct fiemap *fm = calloc(1, sz);
	uint64_t start = 0, extents = 0, shared = 0, data = 0;
	for (int last = 0; !last;) {
		memset(fm, 0, sz);
		fm->fm_start = start;
		fm->fm_length = FIEMAP_MAX_OFFSET - start;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = BATCH;
		if (ioctl(fd, FS_IOC_FIEMAP, fm) < 0) {
			fprintf(stderr, "fiemap: %s: %s\n", argv[1], strerror(errno));
			return 1;
		}
		if (fm->fm_mapped_extents == 0)
			break;
		for (unsigned i = 0; i < fm->fm_mapped_extents; i++) {
			struct fiemap_extent *e = &fm->fm_extents[i];
			extents++;
			data += e->fe_length;
			if (e->fe_flags & FIEMAP_EXTENT_SHARED)
				shared += e->fe_length;
			start = e->fe_logical + e->fe_length;
			if (e->fe_flags & FIEMAP_EXTENT_LAST)
				last = 1;
		}
	}
	printf("extents %llu shared_bytes %llu data_bytes %llu\n",
	       (unsigned long long)extents, (unsigned long long)shared,
	       (unsigned long long)data);
	free(fm);
	close(fd);
	return 0;
}
