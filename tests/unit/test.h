/* test.h - a tiny self-registering test harness. TEST(name) { ... } defines
 * a test; main.c runs each in its own forked process with a timeout. */
#ifndef RL_TEST_H
#define RL_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rl_test {
	const char *name;
	void (*fn)(void);
	struct rl_test *next;
};
void rl_test_register(struct rl_test *t);
/* A scratch directory for the current test, removed afterwards. */
const char *test_dir(void);
/* test_dir()/name in buf. */
const char *test_path(char *buf, size_t cap, const char *name);

#define TEST(name)                                                        \
	static void test_##name(void);                                    \
	static struct rl_test reg_##name = { #name, test_##name, NULL };  \
	__attribute__((constructor)) static void add_##name(void)         \
	{                                                                 \
		rl_test_register(&reg_##name);                            \
	}                                                                 \
	static void test_##name(void)

#define FAILF(...)                                                        \
	do {                                                              \
		fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);           \
		fprintf(stderr, __VA_ARGS__);                             \
		fputc('\n', stderr);                                      \
		exit(1);                                                  \
	} while (0)

#define ASSERT(c) do { if (!(c)) FAILF("assertion failed: %s", #c); } while (0)
#define ASSERT_EQ(a, b)                                                   \
	do {                                                              \
		long long a_ = (long long)(a), b_ = (long long)(b);       \
		if (a_ != b_)                                             \
			FAILF("%s == %s: %lld != %lld", #a, #b, a_, b_);  \
	} while (0)
#define ASSERT_STR_EQ(a, b)                                               \
	do {                                                              \
		const char *a_ = (a), *b_ = (b);                          \
		if (strcmp(a_, b_) != 0)                                  \
			FAILF("%s == %s: \"%s\" != \"%s\"", #a, #b, a_, b_); \
	} while (0)
/* A library call returning 0 or -err: on failure show the error. */
#define ASSERT_OK(x)                                                      \
	do {                                                              \
		int r_ = (x);                                             \
		if (r_ != 0)                                              \
			FAILF("%s: %d (%s)", #x, r_, rl_strerror(r_));    \
	} while (0)

/* rl_options as a caller compiled against version 1 holds it (the tests
 * of old callers: nothing past it may be read or written). */
#include <stddef.h>
#include "reflink.h"
struct v1_options_layout {
	unsigned int version;
	rl_mode mode;
	unsigned int flags;
	unsigned int preserve;
	rl_bytes_cb on_bytes;
	void *ctx;
};
_Static_assert(sizeof(struct v1_options_layout) == offsetof(rl_options, cancel),
	       "version 1 ends where version 2 begins");

/* Helpers shared by the unit tests (helpers.c). */
void write_file(const char *path, const void *data, size_t len);
/* Read a whole file; *len gets its size. Caller frees. */
char *read_file(const char *path, size_t *len);
void fill_random(void *buf, size_t len, unsigned seed);
/* Fail unless the file at path holds exactly want. */
void assert_content(const char *path, const char *want);
/* Entries in dir, not counting . and .. */
int count_entries(const char *dir);

#endif
