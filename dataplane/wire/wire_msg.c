/*
 * wire_msg.c - checking a whole DNS message and locating its records.
 *
 * The parser trusts nothing in the packet. Before walking the records it checks
 * that the section counts could fit at all (a question takes at least 5 bytes, a
 * record at least 11), so a header claiming 65535 records in a 40-byte packet is
 * rejected at once instead of driving a long loop. Every record's RDLENGTH must
 * stay inside the packet, and the RDATA of the types whose layout we know is
 * checked to hold exactly that layout: a name inside NS RDATA that runs past
 * RDLENGTH is as malformed as a bad owner name. Never allocates; the caller owns
 * the array that receives record positions.
 */
#include <string.h>

#include "wire.h"
#include "wire_internal.h"

#define WIRE_QUESTION_MIN 5 /* root name + QTYPE + QCLASS */
#define WIRE_RR_MIN 11      /* root name + TYPE, CLASS, TTL, RDLENGTH */
#define WIRE_RR_FIXED 10

static const char *const err_text[] = {
	[0] = "ok",
	[-WIRE_ESHORT] = "message ends inside a field",
	[-WIRE_EPTR] = "bad compression pointer",
	[-WIRE_ELABEL] = "bad label length or type",
	[-WIRE_ENAME] = "name longer than 255 bytes",
	[-WIRE_ECOUNT] = "section counts do not fit the message",
	[-WIRE_EQDCOUNT] = "more than one question",
	[-WIRE_ERDATA] = "bad RDLENGTH or RDATA",
	[-WIRE_EOPT_DUP] = "more than one OPT record",
	[-WIRE_EOPT_SECTION] = "OPT record outside the additional section",
	[-WIRE_EOPT_OWNER] = "OPT owner is not the root",
	[-WIRE_EOPT_OPTION] = "bad EDNS option",
	[-WIRE_ECAPACITY] = "more records than the caller can hold",
	[-WIRE_ENOSPC] = "no space left under the size limit",
	[-WIRE_EINVAL] = "invalid argument",
	[-WIRE_EBADVERS] = "unsupported EDNS version",
};

const char *wire_strerror(int err)
{
	if (err > 0 || -err >= (int)(sizeof(err_text) / sizeof(err_text[0])))
		return "unknown error";
	return err_text[-err];
}

bool wire_rdata_layout(uint16_t type, struct wire_rdata_layout *l)
{
	switch (type) {
	case WIRE_TYPE_NS:
	case WIRE_TYPE_CNAME:
	case WIRE_TYPE_PTR:
		*l = (struct wire_rdata_layout){ .pre = 0, .names = 1, .post = 0, .compress = true };
		return true;
	case WIRE_TYPE_DNAME:
		*l = (struct wire_rdata_layout){ .pre = 0, .names = 1, .post = 0, .compress = false };
		return true;
	case WIRE_TYPE_MX:
		*l = (struct wire_rdata_layout){ .pre = 2, .names = 1, .post = 0, .compress = true };
		return true;
	case WIRE_TYPE_SRV:
		*l = (struct wire_rdata_layout){ .pre = 6, .names = 1, .post = 0, .compress = false };
		return true;
	case WIRE_TYPE_SOA:
		*l = (struct wire_rdata_layout){ .pre = 0, .names = 2, .post = 20, .compress = true };
		return true;
	default:
		return false;
	}
}

int wire_parse_header(const uint8_t *pkt, size_t len, struct wire_hdr *h)
{
	if (len < WIRE_HDR_LEN)
		return WIRE_ESHORT;
	h->id = wire_get_u16(pkt);
	h->flags = wire_get_u16(pkt + 2);
	h->qdcount = wire_get_u16(pkt + 4);
	h->ancount = wire_get_u16(pkt + 6);
	h->nscount = wire_get_u16(pkt + 8);
	h->arcount = wire_get_u16(pkt + 10);
	return WIRE_OK;
}

int wire_parse_question(const uint8_t *pkt, size_t len, size_t off, struct wire_question *q)
{
	size_t name_len, next;
	int rc;

	if (len > WIRE_MSG_MAX)
		return WIRE_EINVAL; /* offsets are reported as 16 bits */
	rc = wire_name_unpack(pkt, len, off, q->name, &name_len, &next);
	if (rc != WIRE_OK)
		return rc;
	if (len - next < 4)
		return WIRE_ESHORT;
	q->name_off = (uint16_t)off;
	q->name_wire_len = (uint16_t)(next - off);
	q->name_len = (uint8_t)name_len;
	q->qtype = wire_get_u16(pkt + next);
	q->qclass = wire_get_u16(pkt + next + 2);
	q->end_off = (uint16_t)(next + 4);
	return WIRE_OK;
}

/* Rejects counts that could not fit in the bytes after the header. */
static int check_counts(const struct wire_hdr *h, size_t len)
{
	size_t records = (size_t)h->ancount + h->nscount + h->arcount;
	size_t need = (size_t)h->qdcount * WIRE_QUESTION_MIN + records * WIRE_RR_MIN;

	return need > len - WIRE_HDR_LEN ? WIRE_ECOUNT : WIRE_OK;
}

/* Reads a record's owner and fixed fields at @off into @rr. */
static int parse_rr_fixed(const uint8_t *pkt, size_t len, size_t off, struct wire_rr_ref *rr)
{
	size_t pos;
	int rc = wire_name_skip(pkt, len, off, &pos);

	if (rc != WIRE_OK)
		return rc;
	if (len - pos < WIRE_RR_FIXED)
		return WIRE_ESHORT;
	rr->off = (uint16_t)off;
	rr->name_off = (uint16_t)off;
	rr->type = wire_get_u16(pkt + pos);
	rr->class = wire_get_u16(pkt + pos + 2);
	rr->ttl = wire_get_u32(pkt + pos + 4);
	rr->rdlen = wire_get_u16(pkt + pos + 8);
	pos += WIRE_RR_FIXED;
	if (rr->rdlen > len - pos)
		return WIRE_ERDATA;
	rr->rdata_off = (uint16_t)pos;
	return WIRE_OK;
}

/* Checks that RDATA with embedded names holds exactly its layout. Names are read
 * with the RDATA end as the buffer end, so none can run past RDLENGTH. */
static int check_named_rdata(const uint8_t *pkt, const struct wire_rr_ref *rr,
			     const struct wire_rdata_layout *l)
{
	size_t end = (size_t)rr->rdata_off + rr->rdlen;
	size_t pos = (size_t)rr->rdata_off + l->pre;

	if (pos > end)
		return WIRE_ERDATA;
	for (int i = 0; i < l->names; i++) {
		int rc = wire_name_skip(pkt, end, pos, &pos);
		if (rc != WIRE_OK)
			return rc == WIRE_ESHORT ? WIRE_ERDATA : rc;
	}
	return end - pos == l->post ? WIRE_OK : WIRE_ERDATA;
}

static int check_rdata(const uint8_t *pkt, const struct wire_rr_ref *rr)
{
	struct wire_rdata_layout l;

	switch (rr->type) {
	case WIRE_TYPE_A:
		return rr->rdlen == 4 ? WIRE_OK : WIRE_ERDATA;
	case WIRE_TYPE_AAAA:
		return rr->rdlen == 16 ? WIRE_OK : WIRE_ERDATA;
	default:
		if (!wire_rdata_layout(rr->type, &l))
			return WIRE_OK;
		return check_named_rdata(pkt, rr, &l);
	}
}

/* Applies the OPT placement rules and decodes it into m->edns. */
static int take_opt(const uint8_t *pkt, size_t len, const struct wire_rr_ref *rr,
		    struct wire_msg *m)
{
	size_t owner_len;
	int rc;

	if (rr->section != WIRE_SECTION_ADDITIONAL)
		return WIRE_EOPT_SECTION;
	if (m->edns.present)
		return WIRE_EOPT_DUP;
	rc = wire_name_unpack(pkt, len, rr->name_off, NULL, &owner_len, NULL);
	if (rc != WIRE_OK)
		return rc;
	if (owner_len != 1)
		return WIRE_EOPT_OWNER;
	rc = wire_edns_parse(rr->class, rr->ttl, pkt + rr->rdata_off, rr->rdlen, &m->edns);
	m->edns.opt_off = rr->off;
	m->edns.options_off = rr->rdata_off;
	return rc;
}

static uint8_t section_of(const struct wire_hdr *h, size_t i)
{
	if (i < h->ancount)
		return WIRE_SECTION_ANSWER;
	if (i < (size_t)h->ancount + h->nscount)
		return WIRE_SECTION_AUTHORITY;
	return WIRE_SECTION_ADDITIONAL;
}

/* Keeps @rr in the caller's array when there is room; false when there is not. */
static bool store_rr(struct wire_msg *m, const struct wire_rr_ref *rr)
{
	if (m->rr == NULL)
		return true;
	if (m->rr_count >= m->rr_cap)
		return false;
	if (rr->type == WIRE_TYPE_OPT)
		m->opt_index = m->rr_count;
	m->rr[m->rr_count++] = *rr;
	return true;
}

static void msg_reset(struct wire_msg *m)
{
	m->rr_count = 0;
	m->has_question = false;
	memset(&m->hdr, 0, sizeof(m->hdr));
	memset(&m->edns, 0, sizeof(m->edns));
	m->opt_index = -1;
	m->end_off = 0;
}

/* Walks all records after the question; @off is where the first one starts. */
static int parse_records(const uint8_t *pkt, size_t len, size_t off, struct wire_msg *m)
{
	size_t total = (size_t)m->hdr.ancount + m->hdr.nscount + m->hdr.arcount;
	bool overflow = false;

	for (size_t i = 0; i < total; i++) {
		struct wire_rr_ref rr;
		int rc = parse_rr_fixed(pkt, len, off, &rr);
		if (rc != WIRE_OK)
			return rc;
		rr.section = section_of(&m->hdr, i);
		rc = check_rdata(pkt, &rr);
		if (rc == WIRE_OK && rr.type == WIRE_TYPE_OPT)
			rc = take_opt(pkt, len, &rr, m);
		if (rc != WIRE_OK)
			return rc;
		/* Past capacity, keep checking: a malformed message must say so. */
		if (!overflow && !store_rr(m, &rr))
			overflow = true;
		off = (size_t)rr.rdata_off + rr.rdlen;
	}
	m->end_off = (uint16_t)off;
	return overflow ? WIRE_ECAPACITY : WIRE_OK;
}

int wire_parse_msg(const uint8_t *pkt, size_t len, struct wire_msg *m)
{
	size_t off = WIRE_HDR_LEN;
	int rc;

	msg_reset(m);
	if (len > WIRE_MSG_MAX)
		return WIRE_EINVAL;
	rc = wire_parse_header(pkt, len, &m->hdr);
	if (rc != WIRE_OK)
		return rc;
	if (m->hdr.qdcount > 1)
		return WIRE_EQDCOUNT;
	rc = check_counts(&m->hdr, len);
	if (rc != WIRE_OK)
		return rc;
	if (m->hdr.qdcount == 1) {
		rc = wire_parse_question(pkt, len, off, &m->q);
		if (rc != WIRE_OK)
			return rc;
		m->has_question = true;
		off = m->q.end_off;
	}
	return parse_records(pkt, len, off, m);
}

/* Expands @count names from @pos (bounded by @end) into out[*w]. */
static int copy_names(const uint8_t *pkt, size_t end, size_t *pos, int count,
		      uint8_t *out, size_t cap, size_t *w)
{
	uint8_t name[WIRE_NAME_MAX];
	size_t name_len;

	for (int i = 0; i < count; i++) {
		int rc = wire_name_unpack(pkt, end, *pos, name, &name_len, pos);
		if (rc != WIRE_OK)
			return rc == WIRE_ESHORT ? WIRE_ERDATA : rc;
		if (cap - *w < name_len)
			return WIRE_ENOSPC;
		memcpy(out + *w, name, name_len);
		*w += name_len;
	}
	return WIRE_OK;
}

static int copy_fixed(const uint8_t *pkt, size_t end, size_t *pos, size_t n,
		      uint8_t *out, size_t cap, size_t *w)
{
	if (end - *pos < n)
		return WIRE_ERDATA;
	if (cap - *w < n)
		return WIRE_ENOSPC;
	memcpy(out + *w, pkt + *pos, n);
	*pos += n;
	*w += n;
	return WIRE_OK;
}

int wire_rdata_decompress(const uint8_t *pkt, size_t len, const struct wire_rr_ref *rr,
			  uint8_t *out, size_t cap, size_t *outlen)
{
	struct wire_rdata_layout l;
	size_t end = (size_t)rr->rdata_off + rr->rdlen, pos = rr->rdata_off, w = 0;
	int rc;

	if (end > len)
		return WIRE_ERDATA;
	if (!wire_rdata_layout(rr->type, &l))
		l = (struct wire_rdata_layout){ .pre = 0, .names = 0, .post = 0 };
	rc = copy_fixed(pkt, end, &pos, l.pre, out, cap, &w);
	if (rc == WIRE_OK)
		rc = copy_names(pkt, end, &pos, l.names, out, cap, &w);
	/* What follows the names must be exactly the fixed tail of the layout. */
	if (rc == WIRE_OK && l.names > 0 && end - pos != l.post)
		rc = WIRE_ERDATA;
	if (rc == WIRE_OK)
		rc = copy_fixed(pkt, end, &pos, end - pos, out, cap, &w);
	*outlen = w;
	return rc;
}
