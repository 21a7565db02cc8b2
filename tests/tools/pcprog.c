/* pcprog SRC DST: a program built against an installed libreflink with
 * pkg-config. Copies SRC to DST and prints the header's version, the method
 * and the file the library was loaded from (the executable itself when
 * linked statically), so a test can tell which install it used. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <stdio.h>

#include <reflink.h>

int main(int argc, char **argv)
{
	rl_options opts = RL_OPTIONS_INIT;
	rl_result res = RL_RESULT_INIT;
	Dl_info info;

	if (argc != 3) {
		fprintf(stderr, "usage: pcprog SRC DST\n");
		return 2;
	}
	opts.mode = RL_MODE_AUTO;
	int err = rl_copy_file(argv[1], argv[2], &opts, &res);
	if (err < 0) {
		fprintf(stderr, "pcprog: %s: %s\n", argv[2], rl_strerror(err));
		return 1;
	}
	if (!dladdr((void *)rl_copy_file, &info) || !info.dli_fname) {
		fprintf(stderr, "pcprog: dladdr found no object for rl_copy_file\n");
		return 1;
	}
	printf("%s %s %s\n", RL_VERSION_STRING, rl_method_name(res.method), info.dli_fname);
	return 0;
}
