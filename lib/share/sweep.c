/* sweep.c - the walk for rl_shared and rl_dedupe: directories on one LIFO
 * queue (depth first, so few are pending), read by the workers in
 * parallel. A directory below the PATH is opened by its relative path
 * from the PATH's fd with RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH, so a
 * directory swapped for a symlink meanwhile is refused, never followed;
 * the queue holds names, not fds, so a wide tree holds no fd per
 * directory waiting. */
#include "share.h"
#include "../common/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct rl__sdir {
	struct rl__sdir *next;
	char rel[];            /* relative to the PATH; "" for the PATH */
};

int rl__sweep_init(struct rl__sweep *sw)
{
	sw->dirs = NULL;
	sw->active = sw->idle = 0;
	sw->rootfd = -1;
	atomic_init(&sw->stop, 0);
	if (pthread_mutex_init(&sw->mu, NULL))
		return -ENOMEM;
	if (pthread_cond_init(&sw->cv, NULL)) {
		pthread_mutex_destroy(&sw->mu);
		return -ENOMEM;
	}
	int r = rl__seen_init(&sw->seen);
	if (r < 0) {
		pthread_cond_destroy(&sw->cv);
		pthread_mutex_destroy(&sw->mu);
	}
	return r;
}

void rl__sweep_fini(struct rl__sweep *sw)
{
	rl__seen_fini(&sw->seen);
	pthread_cond_destroy(&sw->cv);
	pthread_mutex_destroy(&sw->mu);
}

char *rl__share_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	size_t n = a;
	if (a && b && dir[a - 1] != '/')
		p[n++] = '/';
	memcpy(p + n, name, b + 1);
	return p;
}

int rl__share_open(int dirfd, const char *name)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	int fd = rl__openat(dirfd, name, flags | O_NOATIME, 0);
	if (fd == -EPERM) /* O_NOATIME: only the owner (or CAP_FOWNER) */
		fd = rl__openat(dirfd, name, flags, 0);
	return fd;
}

int rl__sweep_first(struct rl__sweep *sw, const struct stat *st)
{
	return st->st_nlink > 1 ? rl__seen_add(&sw->seen, st->st_dev, st->st_ino) : 1;
}

static int stopped(struct rl__sweep *sw)
{
	if (rl__cancel_set(sw->cancel))
		atomic_store(&sw->stop, 1);
	return atomic_load(&sw->stop);
}

static void push(struct rl__sweep *sw, struct rl__sdir *d)
{
	pthread_mutex_lock(&sw->mu);
	d->next = sw->dirs;
	sw->dirs = d;
	sw->active++;
	pthread_cond_signal(&sw->cv);
	pthread_mutex_unlock(&sw->mu);
}

/* The next directory, or NULL when the walk is over. */
static struct rl__sdir *pop(struct rl__sweep *sw)
{
	struct rl__sdir *d = NULL;
	pthread_mutex_lock(&sw->mu);
	while (!(d = sw->dirs) && sw->active > 0) {
		sw->idle++;
		pthread_cond_wait(&sw->cv, &sw->mu);
		sw->idle--;
	}
	if (d)
		sw->dirs = d->next;
	else
		pthread_cond_broadcast(&sw->cv);
	pthread_mutex_unlock(&sw->mu);
	return d;
}

static void dir_over(struct rl__sweep *sw)
{
	pthread_mutex_lock(&sw->mu);
	if (--sw->active == 0)
		pthread_cond_broadcast(&sw->cv);
	pthread_mutex_unlock(&sw->mu);
}

static int open_dir(struct rl__sweep *sw, const char *rel)
{
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS };
	if (!*rel)
		return rl__openat(sw->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	for (;;) {
		long fd = syscall(SYS_openat2, sw->rootfd, rel, &how, sizeof how);
		if (fd >= 0)
			return (int)fd;
		if (errno == EINTR)
			continue;
		if (errno == ENOSYS) /* before Linux 5.6: the last step only */
			return rl__openat(sw->rootfd, rel, O_RDONLY | O_DIRECTORY |
					  O_NOFOLLOW | O_CLOEXEC, 0);
		return errno == ELOOP || errno == EXDEV ? -ENOTDIR : -errno;
	}
}

static int fail(struct rl__sweep *sw, const char *dir, const char *name, int err)
{
	if (err == -ENOENT)
		return 0; /* gone meanwhile: nothing to count */
	if (sw->on_error && sw->on_error(sw, dir, name, err))
		atomic_store(&sw->stop, 1);
	return 0;
}

static void queue_dir(struct rl__sweep *sw, const char *rel, const char *name)
{
	size_t a = strlen(rel), b = strlen(name);
	struct rl__sdir *d = malloc(sizeof *d + a + b + 2);
	if (!d) {
		atomic_store(&sw->stop, 1);
		return;
	}
	if (a)
		memcpy(d->rel, rel, a), d->rel[a] = '/';
	memcpy(d->rel + (a ? a + 1 : 0), name, b + 1);
	push(sw, d);
}

static void entry(struct rl__sweep *sw, unsigned int w, int dfd,
		  const char *rel, const char *path, const struct dirent *de)
{
	const char *name = de->d_name;
	struct stat st;
	if (de->d_type == DT_REG) {
		sw->on_file(sw, w, dfd, path, name, NULL);
		return;
	}
	if (de->d_type == DT_DIR) {
		queue_dir(sw, rel, name);
		return;
	}
	if (de->d_type != DT_UNKNOWN)
		return; /* symlinks (never followed) and special files */
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		fail(sw, path, name, -errno);
		return;
	}
	if (S_ISDIR(st.st_mode))
		queue_dir(sw, rel, name);
	else if (S_ISREG(st.st_mode))
		sw->on_file(sw, w, dfd, path, name, &st);
}

static void read_dir(struct rl__sweep *sw, unsigned int w, const char *rel)
{
	char *path = rl__share_join(sw->root, rel);
	int fd = path ? open_dir(sw, rel) : -ENOMEM;
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		fail(sw, path ? path : sw->root, NULL, fd >= 0 ? -errno : fd);
		if (fd >= 0)
			close(fd);
		free(path);
		return;
	}
	struct dirent *de;
	while (!stopped(sw)) {
		errno = 0;
		if (!(de = readdir(dir))) {
			if (errno)
				fail(sw, path, NULL, -errno);
			break;
		}
		if (de->d_name[0] == '.' && (!de->d_name[1] ||
		    (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		entry(sw, w, dirfd(dir), rel, path, de);
	}
	closedir(dir);
	free(path);
}

struct sweeper {
	struct rl__sweep *sw;
	unsigned int w;
};

static void *sweep_main(void *arg)
{
	struct sweeper *s = arg;
	struct rl__sdir *d;
	while ((d = pop(s->sw))) {
		if (!stopped(s->sw))
			read_dir(s->sw, s->w, d->rel);
		free(d);
		dir_over(s->sw);
	}
	return NULL;
}

static int walk(struct rl__sweep *sw)
{
	unsigned int n = sw->jobs ? sw->jobs : 1, started = 1;
	struct sweeper *ws = calloc(n, sizeof *ws);
	pthread_t *tids = calloc(n, sizeof *tids);
	struct rl__sdir *top = calloc(1, sizeof *top + 1);
	if (!ws || !tids || !top) {
		free(ws), free(tids), free(top);
		return -ENOMEM;
	}
	push(sw, top);
	for (unsigned int i = 0; i < n; i++)
		ws[i].sw = sw, ws[i].w = i;
	for (; started < n; started++)
		if (pthread_create(&tids[started], NULL, sweep_main, &ws[started]))
			break;
	sweep_main(&ws[0]);
	for (unsigned int i = 1; i < started; i++)
		pthread_join(tids[i], NULL);
	free(ws);
	free(tids);
	return 0;
}

int rl__sweep_run(struct rl__sweep *sw, const char *path)
{
	struct stat st;
	if (!path || !*path)
		return -ENOENT;
	if (lstat(path, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return 0;
	if (S_ISREG(st.st_mode)) {
		sw->on_file(sw, 0, AT_FDCWD, "", path, &st);
		return stopped(sw) ? -ECANCELED : 0;
	}
	if (!S_ISDIR(st.st_mode))
		return RL_ENOTREGULAR;
	int fd = rl__openat(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	sw->rootfd = fd;
	sw->root = path;
	atomic_store(&sw->stop, 0);
	int r = walk(sw);
	close(fd);
	sw->rootfd = -1;
	if (r == 0 && stopped(sw)) /* cancelled, or on_error said stop */
		r = -ECANCELED;
	return r;
}
