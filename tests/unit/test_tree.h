/* test_tree.h - helpers shared by the tree engine's unit tests
 * (test_tree_util.c). */
#ifndef RL_TEST_TREE_H
#define RL_TEST_TREE_H

#include <stddef.h>
#include <sys/types.h>

/* What a listing records beyond kind, size, content and link target. */
#define LIST_MODE  0x1u /* permission bits */
#define LIST_TIMES 0x2u /* modification times (all kinds) */
#define LIST_OWNER 0x4u /* uid and gid */
#define LIST_LINKS 0x8u /* hard-link groups */
#define LIST_ALL   0xfu

/* A sorted, printable description of the tree at root (one line per
 * entry, relative paths, hard-link groups named by their first path).
 * Caller frees. */
char *tree_listing(const char *root, unsigned int what);
/* Fail the test, showing the first difference, unless a and b list alike. */
void assert_same_tree(const char *a, const char *b, unsigned int what);

/* Small builders: path relative to the test's scratch directory. */
void mk_dir(const char *rel, mode_t mode);
void mk_file(const char *rel, size_t size, unsigned int seed);
void mk_link(const char *target, const char *rel);
void mk_hard(const char *existing, const char *rel);
int exists(const char *rel);
/* A scratch directory in memory (tmpfs) when the machine has one, for
 * trees too big to build quickly on a busy disk; removed at exit. */
const char *fast_dir(void);
/* Remove it now (the harness ends a passing test with _exit). */
void fast_dir_done(void);
/* Entries directly in a directory. */
int count_in(const char *rel);

#endif
