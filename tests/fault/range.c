/* range.c - rl_clone_range from the command line, for fault tests:
 *   range SRC SRC_OFF DST DST_OFF LEN always|auto|never
 * DST is opened read-write (created if missing). Prints
 * "method=M cloned=N copied=N" and exits 0, or prints the error on stderr
 * and exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reflink.h"

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: range SRC SOFF DST DOFF LEN MODE\n");
		return 2;
	}
	rl_mode mode = !strcmp(argv[6], "always") ? RL_MODE_ALWAYS
		     : !strcmp(argv[6], "never") ? RL_MODE_NEVER : RL_MODE_AUTO;
	int s, d; /* the fault shim may interrupt these too */
	while ((s = open(argv[1], O_RDONLY | O_CLOEXEC)) < 0 && errno == EINTR)
		;
	while ((d = open(argv[3], O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0 && errno == EINTR)
		;
	if (s < 0 || d < 0) {
		perror("open");
		return 2;
	}
	rl_result res = RL_RESULT_INIT;
	int r = rl_clone_range(s, strtoull(argv[2], NULL, 0), d,
			       strtoull(argv[4], NULL, 0),
			       strtoull(argv[5], NULL, 0), mode, &res);
	if (r < 0) {
		fprintf(stderr, "range: %s\n", rl_strerror(r));
		return rl_is_clone_impossible(r) ? 3 : 1;
	}
	printf("method=%s cloned=%llu copied=%llu\n", rl_method_name(res.method),
	       (unsigned long long)res.cloned_bytes,
	       (unsigned long long)res.copied_bytes);
	close(s);
	return close(d) == 0 || errno == EINTR ? 0 : 1;
}
