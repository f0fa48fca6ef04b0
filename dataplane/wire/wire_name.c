/*
 * wire_name.c - reading, comparing and printing domain names in wire format.
 *
 * Never allocates; never reads outside the buffer it is given.
 *
 * How compressed names are read, and why the checks are enough
 * -------------------------------------------------------------
 * A name in a message is a run of labels that ends either with the root label
 * (a zero byte) or with a two-byte pointer (top bits 11) whose low 14 bits are the
 * offset of the rest of the name. Untrusted pointers are the classic way to make
 * a parser spin or read out of bounds, so every step is checked:
 *
 *   - Every byte is read only after checking it lies before the end of the packet
 *     (WIRE_ESHORT), including the second pointer byte and a label's data.
 *   - Label length bytes with top bits 01 or 10 are reserved types (EDNS0 bit
 *     labels were 01, never deployed): WIRE_ELABEL. Data labels are at most 63.
 *   - The expanded name, root label included, may not exceed 255 bytes
 *     (WIRE_ENAME); this is counted while walking, so a chain of pointers that
 *     repeats labels is caught as it grows.
 *   - A pointer must point strictly before the start of the label run that
 *     contains it: the name's own start for the first run, the previous pointer's
 *     target after a jump. So pointer targets strictly decrease. That one rule
 *     rejects self pointers, forward pointers and every loop, and bounds the work
 *     by the packet length without a jump counter. It also stops a pointer from
 *     landing in the middle of the labels it is part of. Real encoders only point
 *     back at names written earlier, so nothing legitimate is lost.
 *   - A pointer may not point into the 12-byte header (WIRE_EPTR).
 *
 * The offset after the name (next_off) is the position after the first pointer
 * taken, or after the root label when there was none: that is where the record
 * continues.
 *
 * Comparisons rely on one property of the wire form: label length bytes are at
 * most 63, below 'A' (65), so ASCII lowercasing of every byte of a name leaves the
 * length bytes alone and two names are equal ignoring case exactly when their
 * bytes are equal after lowercasing.
 */
#include <string.h>

#include "wire.h"

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* Checks one length byte; returns its label length, or a negative wire_err.
 * Pointers are reported as WIRE_EPTR so callers that follow them can test for it. */
static int label_len(uint8_t c)
{
	switch (c & 0xC0) {
	case 0x00:
		return c;
	case 0xC0:
		return WIRE_EPTR;
	default:
		return WIRE_ELABEL;
	}
}

/* Follows the pointer at pos; updates pos and run_start or fails. */
static int follow_pointer(const uint8_t *pkt, size_t pktlen, size_t *pos, size_t *run_start)
{
	if (*pos + 1 >= pktlen)
		return WIRE_ESHORT;
	size_t target = ((size_t)(pkt[*pos] & 0x3F) << 8) | pkt[*pos + 1];
	if (target >= *run_start || target < WIRE_HDR_LEN)
		return WIRE_EPTR;
	*pos = target;
	*run_start = target;
	return WIRE_OK;
}

int wire_name_unpack(const uint8_t *pkt, size_t pktlen, size_t off,
		     uint8_t *out, size_t *outlen, size_t *next_off)
{
	size_t pos = off, run_start = off, total = 0, next = 0, copy_from = off, copied = 0;
	bool jumped = false;

	/* Labels are checked one by one but copied a run at a time: one memcpy per
	 * stretch between pointers instead of one per label. */
	for (;;) {
		if (pos >= pktlen)
			return WIRE_ESHORT;
		int n = label_len(pkt[pos]);
		if (n == WIRE_EPTR) {
			size_t ptr_pos = pos;
			int rc;

			if (out != NULL)
				memcpy(out + copied, pkt + copy_from, total - copied);
			copied = total;
			rc = follow_pointer(pkt, pktlen, &pos, &run_start);
			if (rc != WIRE_OK)
				return rc;
			copy_from = pos;
			if (!jumped)
				next = ptr_pos + 2;
			jumped = true;
			continue;
		}
		if (n < 0)
			return n;
		if (total + 1 + (size_t)n > WIRE_NAME_MAX)
			return WIRE_ENAME;
		if (pos + 1 + (size_t)n > pktlen)
			return WIRE_ESHORT;
		total += 1 + (size_t)n;
		pos += 1 + (size_t)n;
		if (n == 0)
			break;
	}
	if (out != NULL)
		memcpy(out + copied, pkt + copy_from, total - copied);
	if (outlen != NULL)
		*outlen = total;
	if (next_off != NULL)
		*next_off = jumped ? next : pos;
	return WIRE_OK;
}

int wire_name_skip(const uint8_t *pkt, size_t pktlen, size_t off, size_t *next_off)
{
	return wire_name_unpack(pkt, pktlen, off, NULL, NULL, next_off);
}

int wire_name_length(const uint8_t *buf, size_t len)
{
	size_t pos = 0;

	for (;;) {
		if (pos >= len)
			return WIRE_ESHORT;
		int n = label_len(buf[pos]);
		if (n < 0)
			return n;
		if (pos + 1 + (size_t)n > WIRE_NAME_MAX)
			return WIRE_ENAME;
		if (pos + 1 + (size_t)n > len)
			return WIRE_ESHORT;
		pos += 1 + (size_t)n;
		if (n == 0)
			return (int)pos;
	}
}

void wire_name_to_lower(uint8_t *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		name[i] = lower(name[i]);
}

bool wire_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		if (lower(a[i]) != lower(b[i]))
			return false;
	}
	return true;
}

/* Offsets of the data labels of a name (root excluded); stops where the name
 * stops being valid. Returns the number of labels. */
static int label_offsets(const uint8_t *name, size_t len, uint8_t offs[WIRE_LABELS_MAX])
{
	size_t pos = 0;
	int count = 0;

	while (pos < len && pos < WIRE_NAME_MAX && count < WIRE_LABELS_MAX) {
		int n = label_len(name[pos]);
		if (n <= 0 || pos + 1 + (size_t)n > len)
			break;
		offs[count++] = (uint8_t)pos;
		pos += 1 + (size_t)n;
	}
	return count;
}

/* Compares two labels (length byte first) lowercased, shorter prefix first. */
static int label_cmp(const uint8_t *la, const uint8_t *lb)
{
	uint8_t na = la[0], nb = lb[0];
	uint8_t n = na < nb ? na : nb;

	for (uint8_t i = 1; i <= n; i++) {
		uint8_t ca = lower(la[i]), cb = lower(lb[i]);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return (int)na - (int)nb;
}

int wire_name_canonical_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t oa[WIRE_LABELS_MAX], ob[WIRE_LABELS_MAX];
	int na = label_offsets(a, alen, oa);
	int nb = label_offsets(b, blen, ob);

	while (na > 0 && nb > 0) {
		int c = label_cmp(a + oa[--na], b + ob[--nb]);
		if (c != 0)
			return c;
	}
	return na - nb;
}

bool wire_name_is_subdomain(const uint8_t *name, size_t nlen, const uint8_t *zone, size_t zlen)
{
	uint8_t on[WIRE_LABELS_MAX], oz[WIRE_LABELS_MAX];
	int nn = label_offsets(name, nlen, on);
	int nz = label_offsets(zone, zlen, oz);

	if (nz == 0)
		return zlen > 0 && zone[0] == 0; /* the root is above every name */
	if (nz > nn)
		return false;
	size_t start = on[nn - nz];
	return wire_name_equal(name + start, nlen - start, zone, zlen);
}

int wire_name_label_count(const uint8_t *name, size_t len)
{
	int total = wire_name_length(name, len);
	if (total < 0)
		return total;

	int count = 0;
	for (size_t pos = 0; name[pos] != 0; pos += 1 + name[pos])
		count++;
	if (count > 0 && name[0] == 1 && name[1] == '*')
		count--;
	return count;
}

/* Appends the presentation form of one label byte; returns chars written or -1. */
static int put_text_byte(uint8_t c, char *out, size_t room)
{
	if (c == '.' || c == '\\') {
		if (room < 2)
			return -1;
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (c < 0x21 || c > 0x7e) {
		if (room < 4)
			return -1;
		out[0] = '\\';
		out[1] = (char)('0' + c / 100);
		out[2] = (char)('0' + (c / 10) % 10);
		out[3] = (char)('0' + c % 10);
		return 4;
	}
	if (room < 1)
		return -1;
	out[0] = (char)c;
	return 1;
}

int wire_name_to_text(const uint8_t *name, size_t len, char *out, size_t cap)
{
	if (cap == 0)
		return WIRE_ENOSPC;
	out[0] = '\0';
	int total = wire_name_length(name, len);
	if (total < 0)
		return total;

	size_t w = 0, room = cap - 1; /* keep one byte for the NUL */
	if (name[0] == 0) {
		if (room < 1)
			return WIRE_ENOSPC;
		out[w++] = '.';
	}
	for (size_t pos = 0; name[pos] != 0; pos += 1 + name[pos]) {
		for (size_t i = 1; i <= name[pos]; i++) {
			int n = put_text_byte(name[pos + i], out + w, room - w);
			if (n < 0)
				goto nospc;
			w += (size_t)n;
		}
		if (room - w < 1)
			goto nospc;
		out[w++] = '.';
	}
	out[w] = '\0';
	return (int)w;
nospc:
	out[w] = '\0';
	return WIRE_ENOSPC;
}
