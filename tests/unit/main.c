/* main.c - run every registered test in its own process, with a timeout.
 * Usage: unit-tests [NAME-SUBSTRING]. Prints "ok - unit/NAME" lines. */
#include "test.h"

#include <ftw.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static struct rl_test *tests;
static char scratch[256];

void rl_test_register(struct rl_test *t)
{
	t->next = tests;
	tests = t;
}

const char *test_dir(void)
{
	return scratch;
}

const char *test_path(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", scratch, name);
	return buf;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	chmod(p, 0700);
	return remove(p);
}

static int run_one(struct rl_test *t)
{
	snprintf(scratch, sizeof scratch, "/tmp/rl-unit.XXXXXX");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		alarm(60);
		t->fn();
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok - unit/%s\n", t->name);
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		printf("skip - unit/%s: needs something this machine lacks\n", t->name);
		return 0;
	}
	printf("not ok - unit/%s: %s %d\n", t->name,
	       WIFSIGNALED(status) ? "signal" : "exit",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return 1;
}

int main(int argc, char **argv)
{
	int failed = 0;
	/* Reverse the constructor order so tests run as written. */
	struct rl_test *rev = NULL;
	while (tests) {
		struct rl_test *n = tests->next;
		tests->next = rev;
		rev = tests;
		tests = n;
	}
	/* Tests named fs_* need a filesystem a script mounts for them
	 * (a script in tests/fs): they run only when asked for by name. */
	for (struct rl_test *t = rev; t; t = t->next)
		if (argc < 2 ? strncmp(t->name, "fs_", 3) != 0 : strstr(t->name, argv[1]) != NULL)
			failed |= run_one(t);
	return failed;
}
