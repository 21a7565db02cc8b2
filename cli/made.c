/* made.c - what this run made: the device and inode of every entry other
 * than a directory that an operand created, so a later operand never
 * overwrites it (cp's "will not overwrite just-created" rule). Only kept
 * when there are several operands: with one, nothing can collide. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static size_t slot(const struct made *m, uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino ^ (dev << 32)) * 0x9E3779B97F4A7C15ull;
	return (size_t)(h >> 32) & (m->cap - 1);
}

static int grow(struct made *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct made_id *tab = calloc(cap, sizeof *tab);
	if (!tab)
		return -1;
	struct made old = *m;
	m->tab = tab;
	m->cap = cap;
	m->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.tab[i].used)
			made_add(m, old.tab[i].dev, old.tab[i].ino);
	free(old.tab);
	return 0;
}

void made_add(struct made *m, uint64_t dev, uint64_t ino)
{
	if (!m->on || made_has(m, dev, ino))
		return;
	if ((m->n + 1) * 2 > m->cap && grow(m) < 0)
		return; /* out of memory: the rule then protects less */
	size_t i = slot(m, dev, ino);
	while (m->tab[i].used)
		i = (i + 1) & (m->cap - 1);
	m->tab[i] = (struct made_id){ dev, ino, 1 };
	m->n++;
}

int made_has(const struct made *m, uint64_t dev, uint64_t ino)
{
	if (!m->on || m->n == 0)
		return 0;
	for (size_t i = slot(m, dev, ino); m->tab[i].used; i = (i + 1) & (m->cap - 1))
		if (m->tab[i].dev == dev && m->tab[i].ino == ino)
			return 1;
	return 0;
}

void made_add_path(struct made *m, const char *path)
{
	struct stat st;
	if (m->on && lstat(path, &st) == 0 && !S_ISDIR(st.st_mode))
		made_add(m, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
}

int made_has_path(const struct made *m, const char *path, int *is_link)
{
	struct stat st;
	if (!m->on || m->n == 0 || lstat(path, &st) != 0 || S_ISDIR(st.st_mode))
		return 0;
	*is_link = S_ISLNK(st.st_mode);
	return made_has(m, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
}

void made_link_add(struct made *m, const struct stat *src, const char *dst)
{
	if (m->links && (src->st_nlink > 1 || m->followed))
		rl_links_add(m->links, src, dst); /* out of memory: copies later */
}

int made_link_find(const struct made *m, const struct stat *src, char *buf,
		   size_t cap)
{
	return m->links && (src->st_nlink > 1 || m->followed) &&
	       rl_links_find(m->links, src, buf, cap) == 1;
}

void made_free(struct made *m)
{
	free(m->tab);
	m->tab = NULL;
	m->cap = m->n = 0;
	rl_links_free(m->links);
	m->links = NULL;
}
