/*
 * validate_canon.c - DNSSEC canonical form (RFC 4034 §6) and the signed data of an
 * RRSIG (RFC 4034 §3.1.8.1, RFC 4035 §5.3.2).
 *
 * How canonical RDATA is found without copying: for every type whose RDATA embeds
 * domain names (RFC 4034 §6.2, minus NSEC per RFC 6840 §5.1) the names form one
 * contiguous run: a fixed or self-describing head, the names, then a tail that is
 * never rewritten (SOA's counters, an RRSIG's signature, an NXT bitmap). Lowercasing
 * every byte of that run is exactly lowercasing its labels, because label length
 * bytes are 0..63 and never fall in 'A'..'Z'. So canonical RDATA is "the RDATA with
 * bytes [start, end) ASCII-lowercased", and two RDATAs compare canonically byte by
 * byte, lowercasing only inside each one's run.
 *
 * Pure functions over caller buffers: no allocation, no global state.
 */
#include <errno.h>
#include <string.h>

#include "validate_priv.h"
#include "wire.h"

/* Types of RFC 4034 §6.2 missing from wire.h. */
enum {
	TYPE_MD = 3, TYPE_MF = 4, TYPE_MB = 7, TYPE_MG = 8, TYPE_MR = 9, TYPE_MINFO = 14,
	TYPE_RP = 17, TYPE_AFSDB = 18, TYPE_RT = 21, TYPE_PX = 26, TYPE_NXT = 30,
	TYPE_KX = 36, TYPE_A6 = 38,
};

/* How a type lays out its names: @head fixed bytes, then @names names. */
struct name_layout {
	uint8_t head;
	uint8_t names;
};

/* The fixed-head layouts; NAPTR and A6 have heads that describe themselves. */
static bool fixed_layout(uint16_t type, struct name_layout *l)
{
	switch (type) {
	case WIRE_TYPE_NS: case TYPE_MD: case TYPE_MF: case WIRE_TYPE_CNAME:
	case TYPE_MB: case TYPE_MG: case TYPE_MR: case WIRE_TYPE_PTR:
	case WIRE_TYPE_DNAME: case TYPE_NXT:
		*l = (struct name_layout){ 0, 1 };
		return true;
	case WIRE_TYPE_SOA: case TYPE_MINFO: case TYPE_RP:
		*l = (struct name_layout){ 0, 2 };
		return true;
	case WIRE_TYPE_MX: case TYPE_AFSDB: case TYPE_RT: case TYPE_KX:
		*l = (struct name_layout){ 2, 1 };
		return true;
	case TYPE_PX:
		*l = (struct name_layout){ 2, 2 };
		return true;
	case WIRE_TYPE_SRV:
		*l = (struct name_layout){ 6, 1 };
		return true;
	case WIRE_TYPE_SIG: case WIRE_TYPE_RRSIG:
		*l = (struct name_layout){ 18, 1 };
		return true;
	default:
		return false;
	}
}

/* NAPTR (RFC 3403 §4.1): order, preference, then flags, services and regexp as
 * character-strings, then the replacement name. */
static int naptr_head(const uint8_t *rd, size_t len, size_t *head)
{
	size_t pos = 4;

	for (int i = 0; i < 3; i++) {
		if (pos >= len)
			return -EINVAL;
		pos += 1 + (size_t)rd[pos];
	}
	if (pos > len)
		return -EINVAL;
	*head = pos;
	return 0;
}

/* A6 (RFC 2874 §3.1): prefix length, the address suffix, then a prefix name only
 * when the prefix length is not 0. */
static int a6_layout(const uint8_t *rd, size_t len, struct name_layout *l)
{
	if (len < 1 || rd[0] > 128)
		return -EINVAL;
	size_t head = 1 + (size_t)(128 - rd[0] + 7) / 8;
	if (head > len)
		return -EINVAL;
	l->head = (uint8_t)head;
	l->names = rd[0] > 0 ? 1 : 0;
	return 0;
}

/* The layout of @type's RDATA @rd and where its names start (*@head).
 * Returns 1, 0 when the type embeds no names, or -EINVAL. */
static int layout_of(uint16_t type, const uint8_t *rd, size_t len, struct name_layout *l,
		     size_t *head)
{
	int rc;

	if (fixed_layout(type, l)) {
		*head = l->head;
		return *head <= len ? 1 : -EINVAL;
	}
	if (type == WIRE_TYPE_NAPTR) {
		l->names = 1;
		rc = naptr_head(rd, len, head);
		return rc < 0 ? rc : 1;
	}
	if (type == TYPE_A6) {
		rc = a6_layout(rd, len, l);
		*head = l->head;
		return rc < 0 ? rc : 1;
	}
	return 0;
}

/* The run of RDATA bytes holding names: [*start, *end). An empty run (0, 0) for types
 * without names. Returns 0 or -EINVAL (a name runs past the RDATA or is compressed). */
static int name_span(uint16_t type, const uint8_t *rd, size_t len, size_t *start, size_t *end)
{
	struct name_layout l;
	size_t pos;
	int rc = layout_of(type, rd, len, &l, &pos);

	*start = *end = 0;
	if (rc <= 0)
		return rc;
	*start = pos;
	for (unsigned i = 0; i < l.names; i++) {
		int n = wire_name_length(rd + pos, len - pos);
		if (n < 0)
			return -EINVAL;
		pos += (size_t)n;
	}
	*end = pos;
	return 0;
}

int validate_rdata_canonical(uint16_t type, const uint8_t *rdata, size_t len,
			     uint8_t *out, size_t cap)
{
	size_t start, end;

	if (name_span(type, rdata, len, &start, &end) < 0)
		return -EINVAL;
	if (cap < len)
		return -ENOSPC;
	if (len > 0)
		memcpy(out, rdata, len);
	for (size_t i = start; i < end; i++)
		out[i] = validate_lower(out[i]);
	return (int)len;
}

/* Byte @i of an RDATA in canonical form, given its name run. */
static inline uint8_t canon_byte(const uint8_t *rd, size_t i, size_t start, size_t end)
{
	return (i >= start && i < end) ? validate_lower(rd[i]) : rd[i];
}

int validate_rdata_canonical_cmp(uint16_t type, const uint8_t *a, size_t alen,
				 const uint8_t *b, size_t blen)
{
	size_t as, ae, bs, be, n = alen < blen ? alen : blen;

	if (name_span(type, a, alen, &as, &ae) < 0)
		as = ae = 0;
	if (name_span(type, b, blen, &bs, &be) < 0)
		bs = be = 0;
	if (as == ae && bs == be) {
		int c = n > 0 ? memcmp(a, b, n) : 0;
		if (c != 0)
			return c;
	} else {
		for (size_t i = 0; i < n; i++) {
			int d = (int)canon_byte(a, i, as, ae) - (int)canon_byte(b, i, bs, be);
			if (d != 0)
				return d;
		}
	}
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int rr_cmp(const struct validate_rrset *rs, uint16_t x, uint16_t y)
{
	return validate_rdata_canonical_cmp(rs->type, validate_rrset_rdata(rs, x), rs->rdlen[x],
					    validate_rrset_rdata(rs, y), rs->rdlen[y]);
}

int validate_rrset_canonical_order(const struct validate_rrset *rs, uint16_t *order,
				   size_t cap)
{
	unsigned n = 0;

	if (rs->count > VALIDATE_RRSET_MAX)
		return -EINVAL;
	/* Insertion sort: RRsets are small, and it needs no memory and no recursion. A
	 * record equal to one already placed is a duplicate and is dropped. */
	for (uint16_t i = 0; i < rs->count; i++) {
		unsigned pos = n;
		int c = 1;

		while (pos > 0 && (c = rr_cmp(rs, order[pos - 1], i)) > 0)
			pos--;
		if (pos > 0 && c == 0)
			continue;
		if (n == cap)
			return -ENOSPC;
		memmove(order + pos + 1, order + pos, (n - pos) * sizeof(order[0]));
		order[pos] = i;
		n++;
	}
	return (int)n;
}

/* ---- Signed data ------------------------------------------------------------------- */

/* Labels in @name, counting a leading "*" (unlike wire_name_label_count()). */
static unsigned raw_labels(const uint8_t *name)
{
	unsigned n = 0;

	for (size_t pos = 0; name[pos] != 0; pos += 1 + (size_t)name[pos])
		n++;
	return n;
}

/* The owner as signed: lowercased, and "*." plus its rightmost sig->labels labels
 * when the RRSIG's labels field is smaller (a wildcard expansion). @out: 255 bytes.
 * The caller has run validate_rrsig_check(), so the owner is a valid name. */
static size_t signed_owner(const struct validate_rrsig *sig, const struct validate_rrset *rs,
			   uint8_t *out)
{
	const uint8_t *src = rs->owner;
	size_t len = rs->owner_len, pos = 0;
	int count = wire_name_label_count(src, len);

	if (count > sig->labels) {
		unsigned skip = raw_labels(src) - sig->labels;
		for (unsigned i = 0; i < skip; i++) {
			len -= 1 + (size_t)src[0];
			src += 1 + (size_t)src[0];
		}
		out[pos++] = 1;
		out[pos++] = '*';
	}
	for (size_t i = 0; i < len; i++)
		out[pos + i] = validate_lower(src[i]);
	return pos + len;
}

/* The RRSIG RDATA up to the signature, signer lowercased. */
static size_t signed_prefix(const struct validate_rrsig *sig, uint8_t *out)
{
	memcpy(out, sig->rdata, 18);
	for (size_t i = 0; i < sig->signer_len; i++)
		out[18 + i] = validate_lower(sig->signer[i]);
	return sig->prefix_len;
}

/* One record as signed: owner | type | class | original TTL | RDLENGTH | RDATA. */
static int put_record(const struct validate_rrsig *sig, const struct validate_rrset *rs,
		      unsigned i, const uint8_t *owner, size_t owner_len, uint8_t *out,
		      size_t cap)
{
	size_t rdlen = rs->rdlen[i];

	if (cap < owner_len + 10 + rdlen)
		return -ENOSPC;
	memcpy(out, owner, owner_len);
	out += owner_len;
	wire_put_u16(out, rs->type);
	wire_put_u16(out + 2, rs->rclass);
	wire_put_u32(out + 4, sig->orig_ttl);
	wire_put_u16(out + 8, (uint16_t)rdlen);
	if (validate_rdata_canonical(rs->type, validate_rrset_rdata(rs, i), rdlen, out + 10,
				     rdlen) < 0)
		return -EINVAL;
	return (int)(owner_len + 10 + rdlen);
}

int validate_signed_data(const struct validate_rrsig *sig, const struct validate_rrset *rs,
			 uint8_t *out, size_t cap)
{
	uint16_t order[VALIDATE_RRSET_MAX];
	uint8_t owner[WIRE_NAME_MAX + 2];
	size_t owner_len, pos;
	int n;

	if (validate_rrsig_check(sig, rs) != VALIDATE_OK || rs->count == 0)
		return -EINVAL;
	n = validate_rrset_canonical_order(rs, order, VALIDATE_RRSET_MAX);
	if (n < 0)
		return n;
	if (cap < sig->prefix_len)
		return -ENOSPC;
	pos = signed_prefix(sig, out);
	owner_len = signed_owner(sig, rs, owner);
	for (int k = 0; k < n; k++) {
		int w = put_record(sig, rs, order[k], owner, owner_len, out + pos, cap - pos);
		if (w < 0)
			return w;
		pos += (size_t)w;
	}
	return pos > (size_t)INT32_MAX ? -E2BIG : (int)pos;
}
