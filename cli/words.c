/* words.c - a failed copy in cp's words for the step that failed, the same
 * for a single file (rl_result.failed_step) and for an entry of a tree
 * (rl_failure), so that a script matching cp's messages keeps working. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

/* Reading the source: what cp calls it by the source's kind. */
static void say_source(struct report *r, const rl_failure *f, const char *why)
{
	if (f->type == 0)
		report_words(r, "cannot stat ", f->src, why, NULL, "");
	else if (f->type == S_IFDIR)
		report_words(r, "cannot access ", f->src, why, NULL, "");
	else if (f->type == S_IFLNK)
		report_words(r, "cannot read symbolic link ", f->src, why, NULL, "");
	else
		report_words(r, "cannot open ", f->src, " for reading", NULL, why);
}

/* Making the destination entry, by its kind. */
static void say_create(const struct cli *c, struct report *r,
		       const rl_failure *f, const char *why)
{
	const char *what = "cannot create regular file ";
	if (f->link) { /* a hard link to an earlier copy (-a) */
		report_words(r, "cannot create hard link ", f->dst, " to ", f->link, why);
		return;
	}
	if (c->link) {
		report_words(r, c->link == LINK_HARD ? "cannot create hard link "
			     : "cannot create symbolic link ", f->dst, " to ", f->src,
			     why);
		return;
	}
	if (f->type == S_IFDIR)
		what = "cannot create directory ";
	else if (f->type == S_IFLNK)
		what = "cannot create symbolic link ";
	else if (f->type == S_IFIFO)
		what = "cannot create fifo ";
	else if (f->type == S_IFCHR || f->type == S_IFBLK || f->type == S_IFSOCK)
		what = "cannot create special file ";
	report_words(r, what, f->dst, why, NULL, "");
}

/* Setting an attribute: cp names each one. NULL: not one of those. */
static const char *attribute_words(rl_step step)
{
	switch (step) {
	case RL_STEP_OWNER: return "failed to preserve ownership for ";
	case RL_STEP_MODE: return "preserving permissions for ";
	case RL_STEP_TIMES: return "preserving times for ";
	case RL_STEP_XATTR: return "setting attributes for ";
	default: return NULL;
	}
}

int report_failed_step(const struct cli *c, struct report *r,
		       const rl_failure *f)
{
	char why[160];
	int full = f->err == -ENOSPC || f->err == -EDQUOT || f->err == -EFBIG;
	/* The library's own codes keep their own words. */
	rl_step step = f->err > RL_ERRNO_BASE && f->src ? f->step : RL_STEP_NONE;
	snprintf(why, sizeof why, ": %s", rl_strerror(f->err));
	if (step == RL_STEP_SOURCE)
		say_source(r, f, why);
	else if (step == RL_STEP_CREATE && f->err != -EEXIST)
		say_create(c, r, f, why);
	else if (step == RL_STEP_DATA && c->mode == RL_MODE_ALWAYS) /* only clones */
		report_words(r, "failed to clone ", f->dst, " from ", f->src, why);
	else if (step == RL_STEP_DATA && full)
		report_words(r, "error writing ", f->dst, why, NULL, "");
	else if (step == RL_STEP_DATA)
		report_words(r, "error copying ", f->src, " to ", f->dst, why);
	else if (attribute_words(step))
		report_words(r, attribute_words(step), f->dst, why, NULL, "");
	else
		return 0;
	return 1;
}
