/* cli.h - the reflink command: options, output and exit codes. Uses only
 * the library's public header. */
#ifndef RL_CLI_H
#define RL_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "reflink.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,    /* something failed */
	EXIT_USAGE = 2,   /* bad command line */
	EXIT_NOCLONE = 3, /* a required clone was impossible, nothing else failed */
};

enum cli_action { CLI_COPY, CLI_CHECK, CLI_HELP, CLI_VERSION, CLI_SHARED, CLI_DEDUPE };
/* What happens to an existing destination (cp 9.5's --update=). */
enum cli_update { UPDATE_ALL, UPDATE_NONE, UPDATE_OLDER, UPDATE_NONE_FAIL };
enum cli_backup { BACKUP_OFF, BACKUP_SIMPLE, BACKUP_NUMBERED, BACKUP_EXISTING };
enum cli_link { LINK_NONE, LINK_HARD, LINK_SYMBOLIC };

struct cli {
	enum cli_action action;
	rl_mode mode;
	unsigned int flags;    /* RL_F_* */
	unsigned int preserve; /* RL_PRESERVE_* */
	int recursive;
	int deref;             /* -1 default (cp's), 0 -P, 1 -L, 2 -H */
	int verbose, json, fsync;
	int atomic;            /* --atomic: trees appear or are replaced whole */
	int prune;             /* --delete: remove what SOURCE lacks */
	int progress;          /* -1 auto, 0 off, 1 on */
	int target_is_dir;     /* -T given: 0 means "never treat DEST as a dir" */
	const char *target_dir;/* -t DIR */
	int reflink_given;     /* --reflink was on the command line */
	int update;            /* enum cli_update (-n, -u, --update=) */
	int interactive;       /* -i: ask before replacing */
	int force, remove_dest;
	int link;              /* enum cli_link (-l, -s) */
	int backup;            /* enum cli_backup (-b, --backup, -S) */
	const char *suffix;    /* backup suffix */
	rl_sparse sparse;
	int debug, parents, strip_slashes, keep_dir_symlink, copy_contents;
	int xattr_strict;      /* --preserve named xattr: failures count */
	int preserve_context;  /* --preserve named context (no SELinux here) */
	int warn_context;      /* --context=CTX: ignored, said once (as cp) */
	int default_mode;      /* --no-preserve=mode: new files 0666 less umask */
	int one_fs;            /* -x: trees stay on SOURCE's filesystem */
	int usage_try;         /* a usage error is followed by "Try ..." */
	char **spelled;        /* cp abbreviations spelled out (abbrev.c) */
	size_t n_spelled;
	int usage_status;      /* its exit status: EXIT_USAGE, or cp's 1 for
	                        * the option combinations cp refuses */
	int dry_run, exact_bytes; /* --dry-run, --bytes (--dedupe, --shared) */
	const char *copy_opt;  /* the first option that only a copy takes */
	unsigned int jobs;
	const char **excludes; /* NULL-terminated; owned by struct cli */
	size_t n_excludes;
	char **operands;
	int n_operands;
};

/* abbrev.c: before getopt, spell out in argv each abbreviation cp 9.1
 * would take as one of its long options (kept in c->spelled). 0, or -1
 * without memory. */
struct option;
int cli_cp_abbrevs(int argc, char **argv, const struct option *opts,
		   const char *shortopts, struct cli *c);
/* opts.c: parse argv into *c. Returns 0, or EXIT_USAGE with a message in
 * err. Never prints or exits, so it can be fuzzed. */
int cli_parse(int argc, char **argv, struct cli *c, char *err, size_t errcap);
void cli_free(struct cli *c);
void cli_usage(FILE *out);

/* report.c: everything the command prints. */
struct report {
	int json, verbose, debug;
	int usage;             /* a usage error found only at run time */
	rl_mode mode;
	rl_sparse sparse;
	int progress;          /* -1 auto, 0 off, 1 on */
	double t0, last_draw;
	int drawn;             /* a progress line is on screen */
	uint64_t files, dirs, bytes, cloned, copied, errors, noclone, skipped;
	uint64_t deleted;             /* entries --delete removed */
	uint64_t by_method[RL_METHOD_COUNT_];
	uint64_t cur_done, cur_total; /* bytes of the current copy */
	uint64_t base_bytes;          /* bytes finished before it */
	uint64_t total_bytes;         /* all known bytes to copy */
	uint64_t total_files;         /* all known files to copy */
	const char *stopped_at;       /* the operand a signal stopped, or NULL */
	int stopped_tree;             /* ...a tree: what was copied of it stays */
};
void report_init(struct report *r, const struct cli *c);
/* "reflink: WHAT 'a' to 'b': reason" on stderr; b may be NULL. */
void report_error(struct report *r, const char *what, const char *a,
		  const char *b, int err);
/* As report_error with a reason in words. */
void report_error_text(struct report *r, const char *what, const char *a,
		       const char *b, const char *reason);
/* A usage error found once the files are looked at: msg, cp's "Try" line,
 * and the exit status of usage errors. */
void report_usage(struct report *r, const char *msg);
/* A usage error or message without an errno. */
void report_msg(struct report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void report_file(struct report *r, const char *src, const char *dst,
		 const rl_result *res);
void report_dir(struct report *r);
/* -v for -l and -s: "'src' -> 'dst' (hard link)" or "(symbolic link)". */
void report_link(struct report *r, const char *src, const char *dst, int hard);
/* An existing dst kept (-n, -u, -i): counted; cp 9.5's "skipped 'dst'"
 * line with --debug. */
void report_skipped(struct report *r, const char *dst);
/* An entry --delete removed: "removed 'path'" with -v. */
void report_removed(struct report *r, const char *path);
/* Progress of the bytes of the current file or tree. */
void report_progress(struct report *r, uint64_t done, uint64_t total);
/* "reflink: interrupted: N files copied, SIZE; 'src' not copied" (a
 * tree: "not finished"). */
void report_interrupted(struct report *r);
void report_finish(struct report *r);
int report_exit_status(const struct report *r);
/* Write s as a JSON string (bytes that are not UTF-8 as \u00XX). */
void json_string(FILE *f, const char *s);
/* Write s quoted for a terminal: 'name', control and invalid bytes as \ooo. */
void report_quote(FILE *f, const char *s);
double now_seconds(void);

/* made.c: the (device, inode) of each non-directory this run created,
 * kept when on (several operands). */
struct made_id {
	uint64_t dev, ino;
	int used;
};
struct made {
	int on;
	struct made_id *tab;
	size_t cap, n;
	rl_links *links;         /* --preserve=links: the copies of linked
	                          * sources, for file and tree operands alike */
	int followed;            /* -H, -L: a file may come again through a
	                          * symlink operand, whatever its links count */
};
void made_add(struct made *m, uint64_t dev, uint64_t ino);
int made_has(const struct made *m, uint64_t dev, uint64_t ino);
/* Record what path names now (lstat; directories are not recorded). */
void made_add_path(struct made *m, const char *path);
/* Did this run make what path names now? *is_link: it is a symlink. */
int made_has_path(const struct made *m, const char *path, int *is_link);
void made_free(struct made *m);
/* report.c: one error line in cp's words: "reflink: " t1 'n1' t2 'n2' t3
 * (n2 may be NULL). */
void report_words(struct report *r, const char *t1, const char *n1,
		  const char *t2, const char *n2, const char *t3);
/* words.c: the failure f in cp's words for its step (and the kind of
 * entry); 0 if cp has none for it (the caller says it its own way). */
int report_failed_step(const struct cli *c, struct report *r,
		       const rl_failure *f);
/* report.c: a question on stderr, no newline: "reflink: " t1 'name' t2. */
void report_prompt(struct report *r, const char *t1, const char *name,
		   const char *t2);
/* report.c: cp --debug's line for a file copied by res's method. */
void report_debug(struct report *r, const char *src, const rl_result *res);
/* report.c: cp's words for an operand refused because dst was made by an
 * earlier operand of this run. */
void report_just_made(struct report *r, const char *src, const char *dst,
		      int dst_is_link, int src_is_link);

/* optargs.c: an option's argument among names (NULL-terminated, with
 * values[i] for names[i]: equal neighbours are synonyms); the value, or -1
 * with cp's "invalid argument" message and the valid list in err. */
int opt_match(const char *arg, const char *opt, const char *const *names,
	      const int *values, char *err, size_t cap);
/* optargs.c: the backup type a --backup argument (or VERSION_CONTROL when
 * arg is NULL) names; -1 with a message in err. */
int opt_backup_type(const char *arg, char *err, size_t cap);

/* backup.c: the name (last component) an existing dst is kept under, or
 * NULL (no backup: type off, or dst absent). Caller frees. */
char *backup_name(const char *dst, int type, const char *suffix);

/* ask.c: may the existing dst be replaced by src? -i, -u, -n as cp: 1 go
 * on, 0 skip (silently, or reported for --update=none-fail). */
int replace_allowed(const struct cli *c, struct report *r, const char *src,
		    const struct stat *sst, const char *dst);

/* ask.c: cp -i's question about dst: 1 yes (replace it), 0 no. */
int ask_overwrite(struct report *r, const char *dst);

/* same.c: cp's rule for SOURCE (sst: as followed, or not: follow) and an
 * existing DEST that are or name one file: an enum same_file, or -errno
 * when DEST cannot be looked at (cp's "cannot stat"). */
enum same_file { SAME_GO, SAME_DONE, SAME_REFUSE };
int same_file_rule(const struct cli *c, const char *src,
		   const struct stat *sst, const char *dst, int follow);

/* link.c: -l and -s: make dst a hard or symbolic link to src. */
void cli_link(const struct cli *c, struct report *r, const char *src,
	      const char *dst);

/* link.c: make dst another name of made (a file this run made), replacing
 * an existing dst atomically; 0 or -errno. */
int link_again(const char *made, const char *dst);
/* made.c: with --preserve=links, which DEST each multiply-linked SOURCE
 * (device, inode) of an earlier operand became, so its other names become
 * links to that copy, as cp keeps hard links among operands. */
void made_link_add(struct made *m, const struct stat *src, const char *dst);
/* 1: buf (cap bytes) holds the copy of src an earlier operand made. */
int made_link_find(const struct made *m, const struct stat *src, char *buf,
		   size_t cap);

/* copy.c: copy SOURCE... to DEST as the operands say. */
int cli_copy(const struct cli *c, struct report *r);
/* tree.c: copy the directory src to dst (-r). */
void cli_copy_tree(const struct cli *c, struct report *r, struct made *made,
		   const char *src, const char *dst);
/* cancel.c: SIGINT, SIGTERM and SIGHUP set the cancel flag given to
 * every library call (signals ignored at start stay ignored). */
void cancel_install(void);
const volatile int *cancel_flag(void);
/* The signal that asked to stop, or 0. */
int cancel_signal(void);

/* check.c: --check PATH... */
int cli_check(const struct cli *c);
/* share.c: --shared PATH... and --dedupe PATH... */
int cli_shared(const struct cli *c);
int cli_dedupe(const struct cli *c);
/* report.c: v bytes as "1.5 MiB". */
void report_human(char *buf, size_t cap, double v);

#endif
