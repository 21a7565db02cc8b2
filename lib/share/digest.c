/* digest.c - a fast 64-bit hash to choose which files to compare: four
 * independent multiply-rotate lanes over 32-byte stripes (the round of
 * xxHash64), mixed at the end with the length. Not cryptographic: the
 * kernel compares the bytes before it shares them. */
#include "share.h"

#include <string.h>

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static uint64_t rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t round64(uint64_t acc, uint64_t in)
{
	acc += in * P2;
	return rotl(acc, 31) * P1;
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

void rl__digest_init(struct rl__digest *d, uint64_t seed)
{
	d->v[0] = seed + P1 + P2;
	d->v[1] = seed + P2;
	d->v[2] = seed;
	d->v[3] = seed - P1;
	d->total = 0;
	d->ntail = 0;
}

static void stripe(struct rl__digest *d, const unsigned char *p)
{
	for (int i = 0; i < 4; i++)
		d->v[i] = round64(d->v[i], load64(p + 8 * i));
}

void rl__digest_add(struct rl__digest *d, const void *data, size_t n)
{
	const unsigned char *p = data;
	d->total += n;
	if (d->ntail) {
		size_t take = 32 - d->ntail < n ? 32 - d->ntail : n;
		memcpy(d->tail + d->ntail, p, take);
		d->ntail += take, p += take, n -= take;
		if (d->ntail < 32)
			return;
		stripe(d, d->tail);
		d->ntail = 0;
	}
	for (; n >= 32; p += 32, n -= 32)
		stripe(d, p);
	memcpy(d->tail, p, n);
	d->ntail = n;
}

uint64_t rl__digest_end(struct rl__digest *d)
{
	uint64_t h = rotl(d->v[0], 1) + rotl(d->v[1], 7) + rotl(d->v[2], 12) +
		     rotl(d->v[3], 18);
	for (int i = 0; i < 4; i++)
		h = (h ^ round64(0, d->v[i])) * P1 + P4;
	h += d->total;
	size_t i = 0;
	for (; i + 8 <= d->ntail; i += 8)
		h = rotl(h ^ round64(0, load64(d->tail + i)), 27) * P1 + P4;
	for (; i < d->ntail; i++)
		h = rotl(h ^ (d->tail[i] * P5), 11) * P1;
	h ^= h >> 33;
	h *= P2;
	h ^= h >> 29;
	h *= P3;
	return h ^ (h >> 32);
}
