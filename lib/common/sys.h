/* sys.h - system calls with their contracts stated: EINTR retried, short
 * transfers completed. Every syscall on the copy path goes through here, so
 * tests can inject faults at this one seam (an LD_PRELOAD shim over libc). */
#ifndef RL_SYS_H
#define RL_SYS_H

#include <stdint.h>
#include <sys/types.h>

/* Open, retrying EINTR. Returns fd or -errno. */
int rl__openat(int dirfd, const char *path, int flags, mode_t mode);
/* close(2) once: never retried, since the fd is gone even on EINTR. */
int rl__close(int fd);
/* Read up to len bytes at off (or the current position if off < 0),
 * retrying EINTR and short reads until len or end of file.
 * Returns bytes read (< len only at end of file) or -errno. */
ssize_t rl__read_full(int fd, void *buf, size_t len, int64_t off);
/* Read what a stream (a FIFO, a device) has, up to len bytes, at its
 * position: a non-blocking fd with nothing yet is waited on in 100 ms
 * slices, and EINTR too looks at cancel (NULL: none): -ECANCELED once it
 * is set. Returns bytes (0 at end of file) or -errno. */
ssize_t rl__read_stream(int fd, void *buf, size_t len,
			const volatile int *cancel);
/* Wait until the FIFO fd (open O_NONBLOCK) has a writer: data or a hang
 * up, looking at cancel every 100 ms. 0 or -ECANCELED, -errno. */
int rl__wait_writer(int fd, const volatile int *cancel);
/* Open the FIFO dirfd/name for writing (O_NOFOLLOW, O_TRUNC and such in
 * flags) once a reader comes, as a blocking open would, but looking at
 * cancel every 50 ms. The fd (blocking) or -errno, -ECANCELED. */
int rl__open_fifo_writer(int dirfd, const char *name, int flags,
			 const volatile int *cancel);
/* Write all len bytes at off (or the current position if off < 0).
 * Returns 0 or -errno; a write that makes no progress is -EIO. */
int rl__write_all(int fd, const void *buf, size_t len, int64_t off);
/* One copy_file_range(2) call, EINTR retried. Returns bytes or -errno. */
ssize_t rl__cfr(int in, int64_t *in_off, int out, int64_t *out_off, size_t len);
/* ioctl FICLONE, EINTR retried. 0 or -errno. */
int rl__ficlone(int dst, int src);
/* ioctl FICLONERANGE, EINTR retried. 0 or -errno. */
int rl__ficlonerange(int dst, int src, uint64_t src_off, uint64_t len,
		     uint64_t dst_off);
/* ftruncate, EINTR retried. 0 or -errno. */
int rl__ftruncate(int fd, uint64_t size);
/* lseek; -errno on failure. */
int64_t rl__lseek(int fd, int64_t off, int whence);
/* fsync, EINTR retried. 0 or -errno. */
int rl__fsync(int fd);

#endif
