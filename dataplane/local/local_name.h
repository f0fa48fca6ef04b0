/*
 * local_name.h - small wire-name helpers shared by local_conf.c and local.c.
 * Internal to dataplane/local; pure functions, safe on worker cores.
 */
#ifndef SEKISHO_LOCAL_NAME_H
#define SEKISHO_LOCAL_NAME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Validate an uncompressed wire name that must fill exactly len octets.
 * Returns the number of labels (root excluded), or -1. */
static inline int local_name_labels(const uint8_t *name, size_t len)
{
	size_t pos = 0;
	int labels = 0;

	if (len == 0 || len > 255)
		return -1;
	while (pos < len) {
		uint8_t l = name[pos];
		if (l > 63)
			return -1;
		if (l == 0)
			return pos + 1 == len ? labels : -1;
		pos += (size_t)l + 1;
		labels++;
	}
	return -1;
}

/* Length of a wire name inside a buffer of buflen octets, or 0 if bad. */
static inline size_t local_name_len(const uint8_t *name, size_t buflen)
{
	size_t pos = 0;

	while (pos < buflen && pos < 255) {
		uint8_t l = name[pos];
		if (l > 63)
			return 0;
		pos += (size_t)l + 1;
		if (l == 0)
			return pos;
	}
	return 0;
}

/* ASCII lowercase copy. Length octets are <= 63, below 'A', so the whole
 * name can be mapped octet by octet. */
static inline void local_name_lower(uint8_t *dst, const uint8_t *src, size_t len)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	size_t i = 0;

	/* Eight bytes per step (SWAR): a byte gets 0x20 added when it is 'A'..'Z'.
	 * Label length octets are <= 63, below 'A', so they are never changed. */
	for (; i + 8 <= len; i += 8) {
		uint64_t w, low7, ge_a, gt_z;

		memcpy(&w, src + i, 8);
		low7 = w & ~high;
		ge_a = low7 + (0x80 - 'A') * ones;
		gt_z = low7 + (0x7f - 'Z') * ones;
		w |= ((ge_a ^ gt_z) & ~w & high) >> 2;
		memcpy(dst + i, &w, 8);
	}
	for (; i < len; i++) {
		uint8_t c = src[i];
		dst[i] = (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
	}
}

/* Total order on lowercase wire names (not canonical DNS order; only used
 * for sorting and exact matches). */
static inline int local_name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int r = memcmp(a, b, n);

	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

#endif /* SEKISHO_LOCAL_NAME_H */
