/*
 * validate_name.c - name helpers for denial-of-existence proofs: label counts,
 * ancestors, common ancestors, wildcards, canonical order (RFC 4034 §6.1).
 *
 * Pure C, never allocates, never reads past the length it is given. Canonical
 * comparison and the subdomain test come from the wire codec; what lives here
 * is the vocabulary of closest encloser proofs: "the ancestor with k labels",
 * "the deepest common ancestor", "the wildcard at a name".
 */
#include <string.h>

#include "validate_denial.h"

int validate_name_labels(const uint8_t *name, size_t len)
{
	int total = wire_name_length(name, len);
	if (total < 0)
		return total;

	int count = 0;
	for (size_t pos = 0; name[pos] != 0; pos += 1 + (size_t)name[pos])
		count++;
	return count;
}

int validate_name_ancestor(const uint8_t *name, size_t len, int keep)
{
	int labels = validate_name_labels(name, len);
	if (labels < 0)
		return labels;
	if (keep < 0 || keep > labels)
		return WIRE_EINVAL;

	size_t pos = 0;
	for (int skip = labels - keep; skip > 0; skip--)
		pos += 1 + (size_t)name[pos];
	return (int)pos;
}

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Two labels (length byte first) are equal ignoring ASCII case. */
static bool label_equal(const uint8_t *a, size_t ao, const uint8_t *b, size_t bo)
{
	if (a[ao] != b[bo])
		return false;
	for (size_t i = 1; i <= a[ao]; i++) {
		if (lower(a[ao + i]) != lower(b[bo + i]))
			return false;
	}
	return true;
}

/* Offsets of the data labels, left to right; returns their number or a
 * negative wire_err. */
static int label_offsets(const uint8_t *name, size_t len, uint8_t offs[WIRE_LABELS_MAX])
{
	int total = wire_name_length(name, len);
	if (total < 0)
		return total;

	int count = 0;
	for (size_t pos = 0; name[pos] != 0; pos += 1 + (size_t)name[pos])
		offs[count++] = (uint8_t)pos;
	return count;
}

int validate_name_common_labels(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t oa[WIRE_LABELS_MAX], ob[WIRE_LABELS_MAX];
	int na = label_offsets(a, alen, oa);
	int nb = label_offsets(b, blen, ob);
	int common = 0;

	if (na < 0 || nb < 0)
		return 0;
	while (common < na && common < nb &&
	       label_equal(a, oa[na - 1 - common], b, ob[nb - 1 - common]))
		common++;
	return common;
}

bool validate_name_is_below(const uint8_t *name, size_t nlen, const uint8_t *zone, size_t zlen)
{
	int nl = validate_name_labels(name, nlen);
	int zl = validate_name_labels(zone, zlen);

	return nl > zl && zl >= 0 && wire_name_is_subdomain(name, nlen, zone, zlen);
}

bool validate_name_is_wildcard(const uint8_t *name, size_t len)
{
	return len >= 3 && name[0] == 1 && name[1] == '*';
}

int validate_name_wildcard(const uint8_t *name, size_t len, uint8_t *out, size_t cap)
{
	int nlen = wire_name_length(name, len);
	if (nlen < 0)
		return nlen;
	if ((size_t)nlen + 2 > WIRE_NAME_MAX)
		return WIRE_ENAME;
	if ((size_t)nlen + 2 > cap)
		return WIRE_ENOSPC;
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, name, (size_t)nlen);
	return nlen + 2;
}

int validate_name_canonical_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return wire_name_canonical_cmp(a, alen, b, blen);
}
