/* sys.c - EINTR-safe system call wrappers; see sys.h for the contracts. */
#include "sys.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

int rl__openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int fd;
	do
		fd = openat(dirfd, path, flags, mode);
	while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

int rl__close(int fd)
{
	if (close(fd) == 0 || errno == EINTR)
		return 0;
	return -errno;
}

ssize_t rl__read_full(int fd, void *buf, size_t len, int64_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = off < 0 ? read(fd, (char *)buf + done, len - done)
				    : pread(fd, (char *)buf + done, len - done,
					    off + (int64_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* Wait up to 100 ms for fd to be readable (or hung up). */
static int poll_in(int fd, const volatile int *cancel)
{
	struct pollfd p = { fd, POLLIN, 0 };
	if (poll(&p, 1, 100) < 0 && errno != EINTR)
		return -errno;
	if (rl__cancel_set(cancel))
		return -ECANCELED;
	return p.revents != 0;
}

ssize_t rl__read_stream(int fd, void *buf, size_t len,
			const volatile int *cancel)
{
	for (;;) {
		ssize_t n = read(fd, buf, len);
		if (n >= 0)
			return n;
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
		int r = errno == EAGAIN ? poll_in(fd, cancel)
					: rl__cancel_set(cancel) ? -ECANCELED : 0;
		if (r < 0)
			return r;
	}
}

int rl__wait_writer(int fd, const volatile int *cancel)
{
	int r;
	/* Linux: a FIFO whose writers have not come yet is not hung up. */
	while ((r = poll_in(fd, cancel)) == 0)
		;
	return r < 0 ? r : 0;
}

int rl__open_fifo_writer(int dirfd, const char *name, int flags,
			 const volatile int *cancel)
{
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	int fd;
	/* A FIFO refuses a non-blocking writer (ENXIO) until a reader comes. */
	while ((fd = rl__openat(dirfd, name, flags | O_NONBLOCK, 0)) == -ENXIO) {
		if (rl__cancel_set(cancel))
			return -ECANCELED;
		nanosleep(&tick, NULL);
	}
	if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int rl__write_all(int fd, const void *buf, size_t len, int64_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = off < 0 ? write(fd, (const char *)buf + done, len - done)
				    : pwrite(fd, (const char *)buf + done, len - done,
					     off + (int64_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		done += (size_t)n;
	}
	return 0;
}

ssize_t rl__cfr(int in, int64_t *in_off, int out, int64_t *out_off, size_t len)
{
	ssize_t n;
	do
		n = copy_file_range(in, (off_t *)in_off, out, (off_t *)out_off,
				    len, 0);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

int rl__ficlone(int dst, int src)
{
	int r;
	do
		r = ioctl(dst, FICLONE, src);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

int rl__ficlonerange(int dst, int src, uint64_t src_off, uint64_t len,
		     uint64_t dst_off)
{
	struct file_clone_range fcr = {
		.src_fd = src, .src_offset = src_off,
		.src_length = len, .dest_offset = dst_off,
	};
	int r;
	do
		r = ioctl(dst, FICLONERANGE, &fcr);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

int rl__ftruncate(int fd, uint64_t size)
{
	int r;
	do
		r = ftruncate(fd, (off_t)size);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

int64_t rl__lseek(int fd, int64_t off, int whence)
{
	off_t r = lseek(fd, (off_t)off, whence);
	return r < 0 ? -errno : (int64_t)r;
}

int rl__fsync(int fd)
{
	int r;
	do
		r = fsync(fd);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}
