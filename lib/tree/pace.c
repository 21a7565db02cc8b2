/* pace.c - where a worker's time goes: its /proc/thread-self/schedstat
 * (on a CPU, runnable but waiting for one, or asleep), sampled every
 * PACE_NS, so that walk.c adds workers only while the ones there wait for
 * the disk, never under CPU contention, where more threads only queue for
 * the same cores. */
#include "tree.h"
#include "../common/sys.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* How often a worker looks at its own pace (one pread). */
#define PACE_NS (20 * 1000 * 1000)

void rl__pace_init(struct rl__pace *p)
{
	p->fd = -1;
}

void rl__pace_fini(struct rl__pace *p)
{
	if (p->fd >= 0)
		rl__close(p->fd);
	p->fd = -1;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int rl__pace_blocked(struct rl__pace *p)
{
	char buf[96];
	long long run, wait;
	int64_t now = now_ns();
	if (now - p->since_ns < PACE_NS)
		return 0;
	if (p->fd == -1)
		p->fd = rl__openat(AT_FDCWD, "/proc/thread-self/schedstat",
				   O_RDONLY | O_CLOEXEC, 0);
	ssize_t n = p->fd >= 0 ? pread(p->fd, buf, sizeof buf - 1, 0) : -1;
	if (n <= 0) { /* no schedstat: the workers stay as many as asked */
		p->since_ns = INT64_MAX;
		return 0;
	}
	buf[n] = 0;
	if (sscanf(buf, "%lld %lld", &run, &wait) != 2)
		return 0;
	int64_t asleep = (now - p->since_ns) - (run - p->run_ns) - (wait - p->wait_ns);
	int blocked = p->since_ns && 2 * asleep > now - p->since_ns;
	p->since_ns = now, p->run_ns = run, p->wait_ns = wait;
	return blocked;
}

