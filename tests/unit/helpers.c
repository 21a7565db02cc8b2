/* helpers.c - file helpers for the unit tests. */
#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		FAILF("open %s", path);
	if (len && write(fd, data, len) != (ssize_t)len)
		FAILF("write %s", path);
	close(fd);
}

char *read_file(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0)
		FAILF("open %s", path);
	char *buf = malloc((size_t)st.st_size + 1);
	ssize_t n = st.st_size ? read(fd, buf, (size_t)st.st_size) : 0;
	if (n != st.st_size)
		FAILF("read %s", path);
	close(fd);
	*len = (size_t)n;
	return buf;
}

void fill_random(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

void assert_content(const char *path, const char *want)
{
	size_t n;
	char *got = read_file(path, &n);
	if (n != strlen(want) || memcmp(got, want, n) != 0)
		FAILF("%s changed", path);
	free(got);
}

int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d)
		FAILF("cannot list %s", dir);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}
