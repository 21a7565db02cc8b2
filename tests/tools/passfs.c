/* passfs - a small FUSE passthrough for the tests: every operation is done
 * on the same path under a backing directory. copy_file_range is passed on
 * to copy_file_range on the backing files, so over a reflink XFS the copy
 * is a clone there (what a network or userspace filesystem that offloads
 * copies looks like to the kernel client). With --enosys it answers
 * copy_file_range with ENOSYS, as GlusterFS's FUSE client does, and the
 * kernel copies through read and write instead.
 * Usage: passfs [--enosys] BACKING MOUNTPOINT [FUSE options...] */
#define FUSE_USE_VERSION 31
#include <fuse.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

struct passfs {
	int root;   /* the backing directory */
	int enosys; /* answer copy_file_range with ENOSYS */
};

static struct passfs *fs(void)
{
	return fuse_get_context()->private_data;
}

/* FUSE paths start with '/'; the backing one is relative to fs()->root. */
static const char *rel(const char *path)
{
	return path[1] ? path + 1 : ".";
}

static int err(int r)
{
	return r < 0 ? -errno : r;
}

static int pf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	if (fi)
		return err(fstat((int)fi->fh, st));
	return err(fstatat(fs()->root, rel(path), st, AT_SYMLINK_NOFOLLOW));
}

static int pf_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n = readlinkat(fs()->root, rel(path), buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return 0;
}

static int pf_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
		      off_t off, struct fuse_file_info *fi, enum fuse_readdir_flags fl)
{
	(void)off, (void)fi, (void)fl;
	int fd = openat(fs()->root, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		int e = -errno;
		if (fd >= 0)
			close(fd);
		return e;
	}
	for (struct dirent *de; (de = readdir(d));) {
		struct stat st = { .st_ino = de->d_ino, .st_mode = (mode_t)DTTOIF(de->d_type) };
		if (fill(buf, de->d_name, &st, 0, 0))
			break;
	}
	closedir(d);
	return 0;
}

static int pf_mknod(const char *path, mode_t mode, dev_t rdev)
{
	return err(mknodat(fs()->root, rel(path), mode, rdev));
}

static int pf_mkdir(const char *path, mode_t mode)
{
	return err(mkdirat(fs()->root, rel(path), mode));
}

static int pf_unlink(const char *path)
{
	return err(unlinkat(fs()->root, rel(path), 0));
}

static int pf_rmdir(const char *path)
{
	return err(unlinkat(fs()->root, rel(path), AT_REMOVEDIR));
}

static int pf_symlink(const char *target, const char *path)
{
	return err(symlinkat(target, fs()->root, rel(path)));
}

static int pf_rename(const char *from, const char *to, unsigned int flags)
{
	return err(renameat2(fs()->root, rel(from), fs()->root, rel(to), flags));
}

static int pf_link(const char *from, const char *to)
{
	return err(linkat(fs()->root, rel(from), fs()->root, rel(to), 0));
}

static int pf_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	if (fi)
		return err(fchmod((int)fi->fh, mode));
	return err(fchmodat(fs()->root, rel(path), mode, 0));
}

static int pf_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	if (fi)
		return err(fchown((int)fi->fh, uid, gid));
	return err(fchownat(fs()->root, rel(path), uid, gid, AT_SYMLINK_NOFOLLOW));
}

static int pf_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	if (fi)
		return err(ftruncate((int)fi->fh, size));
	int fd = openat(fs()->root, rel(path), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = err(ftruncate(fd, size));
	close(fd);
	return r;
}

static int pf_utimens(const char *path, const struct timespec ts[2],
		      struct fuse_file_info *fi)
{
	if (fi)
		return err(futimens((int)fi->fh, ts));
	return err(utimensat(fs()->root, rel(path), ts, AT_SYMLINK_NOFOLLOW));
}

static int pf_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	int fd = openat(fs()->root, rel(path), fi->flags | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

static int pf_open(const char *path, struct fuse_file_info *fi)
{
	int fd = openat(fs()->root, rel(path), (fi->flags & ~O_NOFOLLOW) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	return 0;
}

static int pf_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	(void)path;
	ssize_t n = pread((int)fi->fh, buf, size, off);
	return n < 0 ? -errno : (int)n;
}

static int pf_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	(void)path;
	ssize_t n = pwrite((int)fi->fh, buf, size, off);
	return n < 0 ? -errno : (int)n;
}

static int pf_statfs(const char *path, struct statvfs *sv)
{
	(void)path;
	return err(fstatvfs(fs()->root, sv));
}

static int pf_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	close((int)fi->fh);
	return 0;
}

static int pf_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	return err(datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh));
}

static int pf_fallocate(const char *path, int mode, off_t off, off_t len,
			struct fuse_file_info *fi)
{
	(void)path;
	return err(fallocate((int)fi->fh, mode, off, len));
}

static int pf_setxattr(const char *path, const char *name, const char *value,
		       size_t size, int flags)
{
	char p[4096];
	snprintf(p, sizeof p, "/proc/self/fd/%d/%s", fs()->root, rel(path));
	return err(lsetxattr(p, name, value, size, flags));
}

static int pf_getxattr(const char *path, const char *name, char *value, size_t size)
{
	char p[4096];
	snprintf(p, sizeof p, "/proc/self/fd/%d/%s", fs()->root, rel(path));
	ssize_t n = lgetxattr(p, name, value, size);
	return n < 0 ? -errno : (int)n;
}

static int pf_listxattr(const char *path, char *list, size_t size)
{
	char p[4096];
	snprintf(p, sizeof p, "/proc/self/fd/%d/%s", fs()->root, rel(path));
	ssize_t n = llistxattr(p, list, size);
	return n < 0 ? -errno : (int)n;
}

static ssize_t pf_copy_file_range(const char *in, struct fuse_file_info *fi_in,
				  off_t off_in, const char *out,
				  struct fuse_file_info *fi_out, off_t off_out,
				  size_t len, int flags)
{
	(void)in, (void)out;
	if (fs()->enosys)
		return -ENOSYS;
	ssize_t n = copy_file_range((int)fi_in->fh, &off_in, (int)fi_out->fh,
				    &off_out, len, (unsigned int)flags);
	return n < 0 ? -errno : n;
}

static off_t pf_lseek(const char *path, off_t off, int whence, struct fuse_file_info *fi)
{
	(void)path;
	off_t r = lseek((int)fi->fh, off, whence);
	return r < 0 ? -errno : r;
}

static const struct fuse_operations ops = {
	.getattr = pf_getattr,   .readlink = pf_readlink, .readdir = pf_readdir,
	.mknod = pf_mknod,       .mkdir = pf_mkdir,       .unlink = pf_unlink,
	.rmdir = pf_rmdir,       .symlink = pf_symlink,   .rename = pf_rename,
	.link = pf_link,         .chmod = pf_chmod,       .chown = pf_chown,
	.truncate = pf_truncate, .utimens = pf_utimens,   .create = pf_create,
	.open = pf_open,         .read = pf_read,         .write = pf_write,
	.statfs = pf_statfs,     .release = pf_release,   .fsync = pf_fsync,
	.fallocate = pf_fallocate, .setxattr = pf_setxattr,
	.getxattr = pf_getxattr, .listxattr = pf_listxattr,
	.copy_file_range = pf_copy_file_range, .lseek = pf_lseek,
};

int main(int argc, char **argv)
{
	struct passfs p = { .root = -1 };
	int i = 1;
	if (i < argc && !strcmp(argv[i], "--enosys"))
		p.enosys = 1, i++;
	if (argc - i < 2) {
		fprintf(stderr, "usage: passfs [--enosys] BACKING MOUNTPOINT [FUSE options]\n");
		return 2;
	}
	/* Opened before fuse_main daemonizes (and moves to "/"). */
	p.root = open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (p.root < 0) {
		fprintf(stderr, "passfs: %s: %s\n", argv[i], strerror(errno));
		return 1;
	}
	argv[i] = argv[0];
	return fuse_main(argc - i, argv + i, &ops, &p);
}
