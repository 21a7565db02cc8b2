/* same.c - cp's rule for a SOURCE operand and an existing DEST that are,
 * or name, one file: refused ("are the same file"), nothing to do (a hard
 * link asked for that already is one), or go on. cp words it for a copy
 * that writes through DEST; the same answers hold for ours, which replaces
 * DEST, so the command gives the library RL_F_SAME_OK once this said go. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Are a and b one directory entry: the same last name in one directory? */
static int same_entry(const char *a, const char *b)
{
	const char *la = strrchr(a, '/'), *lb = strrchr(b, '/');
	la = la ? la + 1 : a;
	lb = lb ? lb + 1 : b;
	if (strcmp(la, lb) != 0)
		return 0;
	char *da = strndup(a, (size_t)(la - a)), *db = strndup(b, (size_t)(lb - b));
	struct stat sa, sb;
	int same = da && db && stat(*da ? da : ".", &sa) == 0 &&
		   stat(*db ? db : ".", &sb) == 0 && same_inode(&sa, &sb);
	free(da);
	free(db);
	return same;
}

/* What the rule reads of the command line. */
struct ask {
	const char *src, *dst;
	int never;  /* symlinks are copied as links (-P, -d, -R's default) */
	int backup, remove, hard, symbolic;
};

/* The two as the rule compares them: their entries (lstat), or, copying
 * links as links, SOURCE's and DEST's status as first looked at. */
struct pair {
	struct stat s, d;
};

/* Copying a symlink onto another name of it: both entries are links. */
static enum same_file both_links(const struct ask *a, int same)
{
	if (same_entry(a->src, a->dst))
		return SAME_REFUSE;
	if (a->backup)
		return SAME_GO;
	return same ? SAME_DONE : SAME_GO;
}

/* The rest of cp's rule, once both are seen as entries (p); same_link:
 * they are one entry's inode. */
static enum same_file entries(const struct ask *a, const struct pair *p,
			      int same_link)
{
	int slink = S_ISLNK(p->s.st_mode), dlink = S_ISLNK(p->d.st_mode);
	if (a->backup) {
		/* A backup keeps the old DEST, unless it is SOURCE's own entry;
		 * a followed link onto its file would leave it dangling. */
		if (same_link)
			return same_entry(a->src, a->dst) ? SAME_REFUSE : SAME_GO;
		return !a->never && slink && !dlink ? SAME_REFUSE : SAME_GO;
	}
	if (a->remove && (dlink || (same_link && p->d.st_nlink > 1 &&
				    !same_entry(a->src, a->dst))))
		return SAME_GO;
	if (!slink && !dlink) {
		if (!same_inode(&p->s, &p->d))
			return SAME_GO;
		if (a->hard)
			return SAME_DONE;
	}
	if (a->symbolic && dlink)
		return SAME_GO;
	if (a->never) { /* compare what each link resolves to */
		struct stat ts = p->s, td = p->d;
		if ((slink && stat(a->src, &ts) != 0) || (dlink && stat(a->dst, &td) != 0) ||
		    !same_inode(&ts, &td))
			return SAME_GO;
		if (a->hard)
			return dlink ? SAME_GO : SAME_DONE;
	}
	return SAME_REFUSE;
}

static enum same_file judge(const struct ask *a, const struct stat *sst,
			    const struct stat *dst)
{
	int same = same_inode(sst, dst);
	struct pair p = { *sst, *dst };
	if (same && a->hard)
		return SAME_DONE;
	if (a->never) {
		if (S_ISLNK(sst->st_mode) && S_ISLNK(dst->st_mode))
			return both_links(a, same);
		return entries(a, &p, same);
	}
	if (!same || lstat(a->dst, &p.d) != 0 || lstat(a->src, &p.s) != 0)
		return SAME_GO;
	/* Two links to one file, the DEST one removed first. */
	if (S_ISLNK(p.s.st_mode) && S_ISLNK(p.d.st_mode) && a->remove)
		return SAME_GO;
	return entries(a, &p, same_inode(&p.s, &p.d));
}

int same_file_rule(const struct cli *c, const char *src,
		   const struct stat *sst, const char *dst, int follow)
{
	struct ask a = { src, dst, !follow, c->backup != BACKUP_OFF,
			 c->remove_dest, c->link == LINK_HARD,
			 c->link == LINK_SYMBOLIC };
	/* DEST as cp looks at it: the entry itself wherever it will not
	 * write through a link to a regular file. */
	int entry = S_ISDIR(sst->st_mode) || S_ISLNK(sst->st_mode) || a.backup || a.remove || c->link;
	struct stat dst_st;
	if ((entry ? lstat(dst, &dst_st) : stat(dst, &dst_st)) == 0)
		return (int)judge(&a, sst, &dst_st);
	/* Absent: nothing to judge. A link loop goes with -f, as cp's; a
	 * path over PATH_MAX too (the library reaches it through its
	 * directory, which cp cannot). */
	return errno == ENOENT || errno == ENAMETOOLONG ||
			       (errno == ELOOP && c->force) ? SAME_GO : -errno;
}
