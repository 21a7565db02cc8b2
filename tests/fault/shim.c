/*
 * shim.c - fault injection for tests: an LD_PRELOAD library that wraps the
 * libc calls the library makes and, as the environment says, fails one of
 * them. The normal build has no trace of it: it only exists when a test
 * builds it and preloads it into one command.
 *
 * RL_FAULT="RULE[,RULE...]", RULE = FUNC:ACTION[:OPT...]
 *   FUNC    ficlone ficlonerange ioctl copy_file_range read pread write
 *           pwrite fsync fdatasync linkat renameat renameat2 rename (either
 *           renameat) fchmod fchown futimens utimensat fsetxattr close
 *           openat tmpfile (openat with O_TMPFILE) ftruncate lseek
 *           symlinkat unlinkat getrandom mkdirat mknodat fchmodat fchownat
 *           fstatat getdents64; or "intr": every call that
 *           Linux documents as able to fail with EINTR (open, read, write,
 *           their p-forms, copy_file_range, the clone ioctls, fsync,
 *           ftruncate, close); or "any": every call above (for run/delay)
 *   ACTION  an errno name (EIO, ENOSPC, EXDEV...) or number: fail with it;
 *           short: do half the count asked (at least 1);
 *           zero:  return 0 without doing anything (early end of file);
 *           kill:  SIGKILL the process at that call;
 *           run:   run $RL_FAULT_RUN with /bin/sh, then make the call;
 *           delay: sleep ms=N milliseconds, then make the call;
 *           fixed: (getrandom) fill the buffer with 0x41 bytes.
 *   OPT     after=N  let N matching calls through first (default 0);
 *           times=M  act at most M times (default 1; 0 = no limit);
 *           every=K  act on every K-th matching call (no limit unless times=);
 *           path=S   only calls whose file (fd or path, resolved through
 *                    /proc/self/fd) contains the substring S;
 *           ms=N     for delay.
 * EINTR is special: the call right after an injected EINTR on the same
 * thread and rule goes through and is not counted, so "intr:EINTR:every=1"
 * interrupts every call once, as a signal storm would, without livelock.
 * close always really closes the fd, even when it reports an error: Linux
 * releases the descriptor whatever close returns.
 *
 * RL_FAULT_LOG=FILE appends one line per injected fault ("FUNC ACTION N"),
 * so a test can check that its fault really fired.
 * RL_FAULT_SIGNAL=1 installs a SIGUSR1 handler without SA_RESTART, so a real
 * storm of SIGUSR1 interrupts whatever can be interrupted; at exit the log
 * gets "signals N", the number that arrived.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define MAX_RULES 16

enum act { ACT_ERRNO, ACT_SHORT, ACT_ZERO, ACT_KILL, ACT_RUN, ACT_DELAY, ACT_FIXED };

struct rule {
	char func[24];
	char path[256];
	enum act act;
	int err;
	long after, times, every, ms;
	long calls, fired; /* updated atomically */
};

static struct rule rules[MAX_RULES];
static int nrules;
static int log_fd = -1;
static pthread_once_t once = PTHREAD_ONCE_INIT;
/* Per thread and rule: the last call got an injected EINTR. */
static __thread unsigned int eintr_pending;

static const struct { const char *name; int err; } errnames[] = {
	{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EDQUOT", EDQUOT },
	{ "EXDEV", EXDEV }, { "EOPNOTSUPP", EOPNOTSUPP }, { "ENOTSUP", ENOTSUP },
	{ "ENOSYS", ENOSYS }, { "EINVAL", EINVAL }, { "ETXTBSY", ETXTBSY },
	{ "EINTR", EINTR }, { "EPERM", EPERM }, { "EACCES", EACCES },
	{ "ENOTTY", ENOTTY }, { "EBADF", EBADF }, { "ENOMEM", ENOMEM },
	{ "EROFS", EROFS }, { "EFBIG", EFBIG }, { "EAGAIN", EAGAIN },
	{ "ENOENT", ENOENT }, { "EEXIST", EEXIST }, { "ENXIO", ENXIO },
	{ "EMFILE", EMFILE }, { "ENAMETOOLONG", ENAMETOOLONG },
	{ "ELOOP", ELOOP }, { "ESTALE", ESTALE }, { "EISDIR", EISDIR },
	{ "ENOTDIR", ENOTDIR }, { "EMLINK", EMLINK },
};

static void die(const char *what, const char *s)
{
	fprintf(stderr, "fault shim: bad %s '%s'\n", what, s);
	_exit(125);
}

static int parse_action(struct rule *r, const char *s)
{
	static const struct { const char *name; enum act act; } acts[] = {
		{ "short", ACT_SHORT }, { "zero", ACT_ZERO }, { "kill", ACT_KILL },
		{ "run", ACT_RUN }, { "delay", ACT_DELAY }, { "fixed", ACT_FIXED },
	};
	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
		if (!strcmp(s, acts[i].name))
			return r->act = acts[i].act, 0;
	r->act = ACT_ERRNO;
	for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
		if (!strcmp(s, errnames[i].name))
			return r->err = errnames[i].err, 0;
	char *end;
	r->err = (int)strtol(s, &end, 10);
	return *s && !*end && r->err > 0 ? 0 : -1;
}

static void parse_opt(struct rule *r, const char *s)
{
	long *v = !strncmp(s, "after=", 6) ? &r->after
		: !strncmp(s, "times=", 6) ? &r->times
		: !strncmp(s, "every=", 6) ? &r->every
		: !strncmp(s, "ms=", 3) ? &r->ms : NULL;
	if (!strncmp(s, "path=", 5)) {
		snprintf(r->path, sizeof r->path, "%s", s + 5);
		return;
	}
	if (!v)
		die("option", s);
	char *end;
	*v = strtol(strchr(s, '=') + 1, &end, 10);
	if (*end || *v < 0)
		die("option", s);
}

static void parse_rule(char *text)
{
	if (nrules == MAX_RULES)
		die("rule count at", text);
	struct rule *r = &rules[nrules++];
	memset(r, 0, sizeof *r);
	r->times = 1;
	r->every = 1;
	char *save, *tok = strtok_r(text, ":", &save);
	if (!tok)
		die("rule", "");
	snprintf(r->func, sizeof r->func, "%s", tok);
	if (!(tok = strtok_r(NULL, ":", &save)) || parse_action(r, tok) < 0)
		die("action in rule for", r->func);
	int has_times = 0, has_every = 0;
	while ((tok = strtok_r(NULL, ":", &save))) {
		parse_opt(r, tok);
		has_times |= !strncmp(tok, "times=", 6);
		has_every |= !strncmp(tok, "every=", 6);
	}
	if (has_every && !has_times)
		r->times = 0; /* every=K alone: no limit */
	if (r->every < 1)
		r->every = 1;
}

static volatile sig_atomic_t signals_seen;

static void on_usr1(int sig)
{
	(void)sig;
	signals_seen++;
}

/* At exit, how many SIGUSR1 arrived: proof that a storm reached us. */
__attribute__((destructor)) static void report_signals(void)
{
	char line[64];
	if (log_fd < 0 || !getenv("RL_FAULT_SIGNAL"))
		return;
	int len = snprintf(line, sizeof line, "signals %ld\n", (long)signals_seen);
	if (syscall(SYS_write, log_fd, line, (size_t)len) < 0)
		return;
}

static void setup(void)
{
	const char *env = getenv("RL_FAULT");
	const char *logp = getenv("RL_FAULT_LOG");
	if (logp && *logp)
		log_fd = (int)syscall(SYS_openat, AT_FDCWD, logp,
				      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (getenv("RL_FAULT_SIGNAL")) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_usr1; /* no SA_RESTART: calls see EINTR */
		sigaction(SIGUSR1, &sa, NULL);
	}
	if (!env || !*env)
		return;
	char *copy = strdup(env), *save, *tok;
	if (!copy)
		die("environment", "(out of memory)");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		parse_rule(tok);
	free(copy);
}

/* Set up at load time, so a handler is in place before the first call. */
__attribute__((constructor)) static void init(void)
{
	pthread_once(&once, setup);
}

/* What file fd is, as /proc/self/fd shows it. */
static void fd_path(int fd, char *buf, size_t cap)
{
	char proc[64];
	if (fd == AT_FDCWD)
		snprintf(proc, sizeof proc, "/proc/self/cwd");
	else
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	long n = syscall(SYS_readlinkat, AT_FDCWD, proc, buf, cap - 1);
	buf[n > 0 ? n : 0] = 0;
}

/* dirfd joined with path, for matching path= filters. */
static void at_path(int dirfd, const char *path, char *buf, size_t cap)
{
	if (path && path[0] == '/') {
		snprintf(buf, cap, "%s", path);
		return;
	}
	char dir[4096];
	fd_path(dirfd, dir, sizeof dir);
	snprintf(buf, cap, "%s/%s", dir, path ? path : "");
}

struct call {
	const char *func;
	const char *alias; /* a second name the call answers to, or NULL */
	int fd, fd2;       /* files the call touches (-1: none) */
	int dirfd;
	const char *path;  /* with dirfd, when the call names a path */
};

static int path_matches(const struct rule *r, const struct call *c)
{
	char buf[8192];
	if (!r->path[0])
		return 1;
	if (c->path) {
		at_path(c->dirfd, c->path, buf, sizeof buf);
		if (strstr(buf, r->path))
			return 1;
	}
	int fds[2] = { c->fd, c->fd2 };
	for (int i = 0; i < 2; i++) {
		if (fds[i] < 0)
			continue;
		fd_path(fds[i], buf, sizeof buf);
		if (strstr(buf, r->path))
			return 1;
	}
	return 0;
}

/* Calls a signal can interrupt (man 7 signal, plus the clone ioctls and
 * copy_file_range, which check for pending signals between extents). */
static int interruptible(const char *func)
{
	static const char *const names[] = {
		"open", "openat", "read", "pread", "write", "pwrite",
		"copy_file_range", "ficlone", "ficlonerange", "fsync",
		"fdatasync", "ftruncate", "close",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(func, names[i]))
			return 1;
	return 0;
}

static int name_matches(const struct rule *r, const struct call *c)
{
	if (!strcmp(r->func, "intr"))
		return interruptible(c->func);
	if (!strcmp(r->func, "any"))
		return strcmp(c->func, "getrandom") != 0;
	return !strcmp(r->func, c->func) ||
	       (c->alias && !strcmp(r->func, c->alias));
}

/* "CALL RULE WHAT N": the call made, the rule's name for it (tmpfile,
 * intr...), what was injected and the rule's call count. */
static void log_fault(const struct rule *r, const char *func, long n)
{
	static const char *const names[] = {
		"errno", "short", "zero", "kill", "run", "delay", "fixed",
	};
	char line[128];
	if (log_fd < 0)
		return;
	const char *what = r->act == ACT_ERRNO ? strerrorname_np(r->err) : names[r->act];
	int len = snprintf(line, sizeof line, "%s %s %s %ld\n", func, r->func,
			   what ? what : "?", n);
	if (syscall(SYS_write, log_fd, line, (size_t)len) < 0)
		return;
}

static void run_hook(void)
{
	const char *cmd = getenv("RL_FAULT_RUN");
	if (!cmd)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		/* The hook runs without the shim: its own calls inject nothing. */
		unsetenv("LD_PRELOAD");
		unsetenv("RL_FAULT");
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st;
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

static void side_effects(const struct rule *r)
{
	if (r->act == ACT_KILL)
		kill(getpid(), SIGKILL);
	if (r->act == ACT_RUN)
		run_hook();
	if (r->act == ACT_DELAY) {
		struct timespec ts = { r->ms / 1000, (r->ms % 1000) * 1000000 };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
}

/* The rule that acts on this call, or NULL to make the call as asked.
 * Every matching rule counts the call. run and delay rules act whenever
 * they are due (their side effects happen here, before the call); of the
 * others, the first one due decides the call. */
static const struct rule *decide(const struct call *c)
{
	struct rule *chosen = NULL;
	pthread_once(&once, setup);
	for (int i = 0; i < nrules; i++) {
		struct rule *r = &rules[i];
		int side = r->act == ACT_RUN || r->act == ACT_DELAY;
		if (!name_matches(r, c) || !path_matches(r, c))
			continue;
		if (eintr_pending & (1u << i)) {
			eintr_pending &= ~(1u << i);
			continue; /* the retry after an injected EINTR */
		}
		long n = __atomic_add_fetch(&r->calls, 1, __ATOMIC_SEQ_CST);
		if ((chosen && !side) || n <= r->after || (n - r->after - 1) % r->every != 0)
			continue;
		long f = __atomic_add_fetch(&r->fired, 1, __ATOMIC_SEQ_CST);
		if (r->times && f > r->times)
			continue;
		log_fault(r, c->func, n);
		if (side) {
			side_effects(r);
			continue;
		}
		if (r->act == ACT_ERRNO && r->err == EINTR)
			eintr_pending |= 1u << i;
		chosen = r;
	}
	if (chosen)
		side_effects(chosen); /* kill */
	return chosen;
}

#define REAL(name)                                                        \
	static __typeof__(name) *real_;                                   \
	if (!real_)                                                       \
		real_ = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/* For calls returning a count: the count to ask the real call for, or a
 * fault result in *ret (1 returned). */
static int count_fault(const struct rule *r, size_t *len, ssize_t *ret)
{
	if (!r)
		return 0;
	if (r->act == ACT_SHORT) {
		*len = *len > 1 ? *len / 2 : *len;
		return 0;
	}
	*ret = r->act == ACT_ZERO ? 0 : -1;
	if (r->act == ACT_ERRNO)
		errno = r->err;
	return 1;
}

/* For calls returning 0 or -1: 1 if the fault decides the result. */
static int status_fault(const struct rule *r, int *ret)
{
	if (!r || r->act == ACT_SHORT)
		return 0;
	*ret = r->act == ACT_ZERO ? 0 : -1;
	if (r->act == ACT_ERRNO)
		errno = r->err;
	return 1;
}

ssize_t read(int fd, void *buf, size_t len)
{
	REAL(read);
	struct call c = { "read", NULL, fd, -1, AT_FDCWD, NULL };
	ssize_t ret;
	if (count_fault(decide(&c), &len, &ret))
		return ret;
	return real_(fd, buf, len);
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	REAL(pread);
	struct call c = { "pread", NULL, fd, -1, AT_FDCWD, NULL };
	ssize_t ret;
	if (count_fault(decide(&c), &len, &ret))
		return ret;
	return real_(fd, buf, len, off);
}
ssize_t pread64(int fd, void *buf, size_t len, off_t off)
	__attribute__((alias("pread")));

ssize_t write(int fd, const void *buf, size_t len)
{
	REAL(write);
	struct call c = { "write", NULL, fd, -1, AT_FDCWD, NULL };
	ssize_t ret;
	/* Never fault the test's own stderr/stdout. */
	if (fd > 2 && count_fault(decide(&c), &len, &ret))
		return ret;
	return real_(fd, buf, len);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	REAL(pwrite);
	struct call c = { "pwrite", NULL, fd, -1, AT_FDCWD, NULL };
	ssize_t ret;
	if (count_fault(decide(&c), &len, &ret))
		return ret;
	return real_(fd, buf, len, off);
}
ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
	__attribute__((alias("pwrite")));

ssize_t copy_file_range(int in, off_t *in_off, int out, off_t *out_off,
			size_t len, unsigned int flags)
{
	REAL(copy_file_range);
	struct call c = { "copy_file_range", NULL, in, out, AT_FDCWD, NULL };
	ssize_t ret;
	if (count_fault(decide(&c), &len, &ret))
		return ret;
	return real_(in, in_off, out, out_off, len, flags);
}

int ioctl(int fd, unsigned long req, ...)
{
	REAL(ioctl);
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	const char *name = req == FICLONE ? "ficlone"
			 : req == FICLONERANGE ? "ficlonerange" : "ioctl";
	struct call c = { name, "ioctl", fd, -1, AT_FDCWD, NULL };
	if (req == FICLONE)
		c.fd2 = (int)(intptr_t)arg;
	if (req == FICLONERANGE && arg)
		c.fd2 = (int)((struct file_clone_range *)arg)->src_fd;
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(fd, req, arg);
}

int fsync(int fd)
{
	REAL(fsync);
	struct call c = { "fsync", NULL, fd, -1, AT_FDCWD, NULL };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(fd);
}

int fdatasync(int fd)
{
	REAL(fdatasync);
	struct call c = { "fdatasync", "fsync", fd, -1, AT_FDCWD, NULL };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(fd);
}

int linkat(int od, const char *op, int nd, const char *np, int flags)
{
	REAL(linkat);
	struct call c = { "linkat", NULL, -1, -1, nd, np };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(od, op, nd, np, flags);
}

int renameat(int od, const char *op, int nd, const char *np)
{
	REAL(renameat);
	struct call c = { "renameat", "rename", -1, -1, nd, np };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(od, op, nd, np);
}

int renameat2(int od, const char *op, int nd, const char *np, unsigned int fl)
{
	REAL(renameat2);
	struct call c = { "renameat2", "rename", -1, -1, nd, np };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(od, op, nd, np, fl);
}

int symlinkat(const char *target, int nd, const char *np)
{
	REAL(symlinkat);
	struct call c = { "symlinkat", NULL, -1, -1, nd, np };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(target, nd, np);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	REAL(unlinkat);
	struct call c = { "unlinkat", NULL, -1, -1, dirfd, path };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(dirfd, path, flags);
}

int fchmod(int fd, mode_t mode)
{
	REAL(fchmod);
	struct call c = { "fchmod", NULL, fd, -1, AT_FDCWD, NULL };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(fd, mode);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	REAL(fchown);
	struct call c = { "fchown", NULL, fd, -1, AT_FDCWD, NULL };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(fd, uid, gid);
}

int futimens(int fd, const struct timespec ts[2])
{
	REAL(futimens);
	struct call c = { "futimens", "utimensat", fd, -1, AT_FDCWD, NULL };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(fd, ts);
}

int utimensat(int dirfd, const char *path, const struct timespec ts[2], int fl)
{
	REAL(utimensat);
	struct call c = { "utimensat", "futimens", -1, -1, dirfd, path };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(dirfd, path, ts, fl);
}

int fsetxattr(int fd, const char *name, const void *val, size_t len, int fl)
{
	REAL(fsetxattr);
	struct call c = { "fsetxattr", NULL, fd, -1, AT_FDCWD, NULL };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(fd, name, val, len, fl);
}

int close(int fd)
{
	REAL(close);
	struct call c = { "close", NULL, fd, -1, AT_FDCWD, NULL };
	const struct rule *r = fd > 2 ? decide(&c) : NULL;
	int ret = real_(fd);
	if (r && r->act == ACT_ERRNO) {
		errno = r->err;
		return -1;
	}
	return ret;
}

static int open_common(const char *func, int dirfd, const char *path,
		       int flags, int *ret)
{
	struct call c = { func, "openat", -1, -1, dirfd, path };
	if ((flags & O_TMPFILE) == O_TMPFILE)
		c.alias = "tmpfile";
	return status_fault(decide(&c), ret);
}

/* The mode argument exists only with O_CREAT or O_TMPFILE. */
#define OPEN_MODE(flags, last)                                            \
	mode_t mode = 0;                                                  \
	if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) {   \
		va_list ap;                                               \
		va_start(ap, last);                                       \
		mode = (mode_t)va_arg(ap, int);                           \
		va_end(ap);                                               \
	}

int openat(int dirfd, const char *path, int flags, ...)
{
	REAL(openat);
	OPEN_MODE(flags, flags);
	int ret;
	if (open_common("openat", dirfd, path, flags, &ret))
		return ret;
	return real_(dirfd, path, flags, mode);
}
int openat64(int dirfd, const char *path, int flags, ...)
	__attribute__((alias("openat")));

int open(const char *path, int flags, ...)
{
	REAL(open);
	OPEN_MODE(flags, flags);
	int ret;
	if (open_common("open", AT_FDCWD, path, flags, &ret))
		return ret;
	return real_(path, flags, mode);
}
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

/* _FORTIFY_SOURCE builds call these checked entry points. */
int __openat_2(int dirfd, const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags)
{
	return openat(dirfd, path, flags);
}
int __openat64_2(int dirfd, const char *path, int flags)
	__attribute__((alias("__openat_2")));
int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags)
{
	return open(path, flags);
}
int __open64_2(const char *path, int flags) __attribute__((alias("__open_2")));

int ftruncate(int fd, off_t len)
{
	REAL(ftruncate);
	struct call c = { "ftruncate", NULL, fd, -1, AT_FDCWD, NULL };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(fd, len);
}
int ftruncate64(int fd, off_t len) __attribute__((alias("ftruncate")));

off_t lseek(int fd, off_t off, int whence)
{
	REAL(lseek);
	struct call c = { "lseek", NULL, fd, -1, AT_FDCWD, NULL };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(fd, off, whence);
}
off_t lseek64(int fd, off_t off, int whence) __attribute__((alias("lseek")));

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	REAL(getrandom);
	struct call c = { "getrandom", NULL, -1, -1, AT_FDCWD, NULL };
	const struct rule *r = decide(&c);
	if (r && r->act == ACT_FIXED) {
		memset(buf, 0x41, len);
		return (ssize_t)len;
	}
	ssize_t ret;
	if (count_fault(r, &len, &ret))
		return ret;
	return real_(buf, len, flags);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	REAL(mkdirat);
	struct call c = { "mkdirat", NULL, -1, -1, dirfd, path };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(dirfd, path, mode);
}

int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	REAL(mknodat);
	struct call c = { "mknodat", NULL, -1, -1, dirfd, path };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(dirfd, path, mode, dev);
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	REAL(fchmodat);
	struct call c = { "fchmodat", "fchmod", -1, -1, dirfd, path };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(dirfd, path, mode, flags);
}

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	REAL(fchownat);
	struct call c = { "fchownat", "fchown", -1, -1, dirfd, path };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(dirfd, path, uid, gid, flags);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	REAL(fstatat);
	struct call c = { "fstatat", NULL, -1, -1, dirfd, path };
	int ret;
	if (status_fault(decide(&c), &ret))
		return ret;
	return real_(dirfd, path, st, flags);
}

ssize_t getdents64(int fd, void *buf, size_t len)
{
	REAL(getdents64);
	struct call c = { "getdents64", NULL, fd, -1, AT_FDCWD, NULL };
	ssize_t ret;
	const struct rule *r = decide(&c);
	/* "short" hands out fewer records per call (a small buffer), never a
	 * cut record; "zero" would be a false end of the directory: refused. */
	if (r && r->act == ACT_SHORT)
		len = len > 1024 ? 1024 : len;
	else if (r && r->act == ACT_ZERO)
		die("action for getdents64:", "zero");
	else if (count_fault(r, &len, &ret))
		return ret;
	return real_(fd, buf, len);
}

/* The tree engine batches opens, stats and closes through io_uring, which
 * an LD_PRELOAD shim cannot see. When faults are asked for, refuse the ring
 * (as a kernel without io_uring would), so every call goes through libc. */
long syscall(long n, ...)
{
	static long (*real_syscall)(long, ...);
	va_list ap;
	long a[6];
	va_start(ap, n);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	const char *f = getenv("RL_FAULT");
	if (n == SYS_io_uring_setup && f && *f) {
		errno = ENOSYS;
		return -1;
	}
	if (!real_syscall)
		real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
