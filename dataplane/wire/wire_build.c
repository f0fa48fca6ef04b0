/*
 * wire_build.c - writing DNS messages with name compression, under a size limit.
 *
 * Runs per packet on workers: no allocation, no locks; all state is the builder.
 *
 * How compression works here
 * --------------------------
 * Every name the builder writes through write_name() leaves entries in a small
 * table (b->compr): one per label it wrote out in full, giving the buffer offset
 * where that suffix starts and the suffix's expanded length. "www.example.com" at
 * offset 12 leaves (12, 17), (16, 13) and (24, 5).
 *
 * To write a new name, its suffixes are tried longest first (the whole name, then
 * without its first label, ...; the root alone is never worth a pointer). For each
 * suffix, only table entries of exactly its length are compared, which makes most
 * comparisons a one-byte test. The comparison walks the stored suffix in the
 * buffer, following the pointers the builder itself wrote, and compares label by
 * label ignoring ASCII case (a pointer to "ExAmple" is a fine encoding of
 * "example"; the question keeps the client's case and answers point at it). The
 * first hit is the longest match: the labels before it are written, then a
 * two-byte pointer to it. Labels written in full become new table entries when
 * their offset is reachable by a pointer (at most 0x3FFF) and the table has room;
 * a full table only costs compression, never correctness.
 *
 * Only owner names and the RDATA names of NS, CNAME, PTR, MX and SOA are
 * compressed: RFC 3597 §4 forbids compressing names in other types' RDATA, since
 * a receiver that does not know the type could not expand them.
 *
 * All or nothing: a record is written at b->len with a cursor that may not pass
 * limit - reserved. If anything fails, b->len, the counts and the compression
 * table (entries added for this record are dropped) stay as before, so a record
 * that does not fit leaves no partial bytes in the message.
 */
#include <string.h>

#include "wire.h"
#include "wire_internal.h"

/* A write in progress: bytes go to buf[pos..] and may not pass end. */
struct cursor {
	uint8_t *buf;
	size_t pos, end;
};

static int put(struct cursor *c, const void *src, size_t n)
{
	if (c->end - c->pos < n)
		return WIRE_ENOSPC;
	if (n > 0)
		memcpy(c->buf + c->pos, src, n);
	c->pos += n;
	return WIRE_OK;
}

static int put_u16(struct cursor *c, uint16_t v)
{
	uint8_t b[2];

	wire_put_u16(b, v);
	return put(c, b, sizeof(b));
}

static int put_u32(struct cursor *c, uint32_t v)
{
	uint8_t b[4];

	wire_put_u32(b, v);
	return put(c, b, sizeof(b));
}

static struct cursor cursor_at_end(const struct wire_builder *b)
{
	return (struct cursor){ .buf = b->buf, .pos = b->len, .end = b->limit - b->reserved };
}

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

static void write_counts(struct wire_builder *b)
{
	for (int i = 0; i < 4; i++)
		wire_put_u16(b->buf + 4 + 2 * i, b->count[i]);
}

size_t wire_response_limit(const struct wire_edns *req, uint16_t our_size)
{
	if (req == NULL || !req->present)
		return WIRE_UDP_MIN;
	return wire_response_limit_edns(req->udp_size, our_size);
}

void wire_build_init(struct wire_builder *b, uint8_t *buf, size_t cap, size_t limit)
{
	b->buf = buf;
	b->cap = cap;
	b->limit = limit < cap ? limit : cap;
	if (b->limit > WIRE_MSG_MAX)
		b->limit = WIRE_MSG_MAX;
	b->len = 0;
	b->reserved = 0;
	b->section = WIRE_SECTION_QUESTION;
	memset(b->count, 0, sizeof(b->count));
	b->compr_count = 0;
	b->ttl_count = 0;
	b->ttl_overflow = false;
}

int wire_build_header(struct wire_builder *b, uint16_t id, uint16_t flags)
{
	if (b->len != 0)
		return WIRE_EINVAL;
	if (b->limit - b->reserved < WIRE_HDR_LEN)
		return WIRE_ENOSPC;
	memset(b->buf, 0, WIRE_HDR_LEN);
	wire_put_u16(b->buf, id);
	wire_put_u16(b->buf + 2, flags);
	b->len = WIRE_HDR_LEN;
	return WIRE_OK;
}

/* Is the suffix stored at @off in the buffer the name @name, ignoring case?
 * The buffer holds only names this builder wrote, so its pointers are sound. */
static bool stored_name_equals(const uint8_t *buf, size_t off, const uint8_t *name, size_t nlen)
{
	size_t i = 0;
	int hops = 0;

	while (i < nlen) {
		uint8_t c = buf[off];
		if ((c & 0xC0) == 0xC0) {
			if (++hops > WIRE_LABELS_MAX)
				return false;
			off = ((size_t)(c & 0x3F) << 8) | buf[off + 1];
			continue;
		}
		if (c != name[i] || i + 1 + c > nlen)
			return false;
		/* Same case is the common case (the answer owner is the question): one
		 * memcmp, and the byte-wise folding only when it differs. */
		if (memcmp(buf + off + 1, name + i + 1, c) != 0) {
			for (size_t k = 1; k <= c; k++) {
				if (lower(buf[off + k]) != lower(name[i + k]))
					return false;
			}
		}
		if (c == 0)
			return i + 1 == nlen;
		off += 1 + (size_t)c;
		i += 1 + (size_t)c;
	}
	return false;
}

/* Finds the longest suffix of @name already in the buffer: @split is where it
 * starts in @name, @target its offset in the buffer. */
static bool find_suffix(const struct wire_builder *b, const uint8_t *name, size_t nlen,
			size_t *split, uint16_t *target)
{
	for (size_t s = 0; s < nlen && name[s] != 0; s += 1 + (size_t)name[s]) {
		size_t rem = nlen - s;
		for (uint16_t e = 0; e < b->compr_count; e++) {
			const struct wire_compr_ent *ent = &b->compr[e];
			if (ent->len != rem || !stored_name_equals(b->buf, ent->off, name + s, rem))
				continue;
			*split = s;
			*target = ent->off;
			return true;
		}
	}
	return false;
}

/* Adds table entries for the labels name[0, upto) written in full at @start. */
static void remember_labels(struct wire_builder *b, size_t start, const uint8_t *name,
			    size_t nlen, size_t upto)
{
	for (size_t p = 0; p < upto && name[p] != 0; p += 1 + (size_t)name[p]) {
		if (start + p > WIRE_PTR_MAX || b->compr_count >= WIRE_COMPR_MAX)
			return;
		b->compr[b->compr_count++] = (struct wire_compr_ent){
			.off = (uint16_t)(start + p), .len = (uint8_t)(nlen - p) };
	}
}

/* Writes a valid uncompressed name, compressed against the table. */
static int write_name(struct wire_builder *b, struct cursor *c, const uint8_t *name, size_t nlen)
{
	size_t split = nlen, start = c->pos;
	uint16_t target = 0;
	bool found = find_suffix(b, name, nlen, &split, &target);
	int rc = put(c, name, split);

	if (rc == WIRE_OK && found)
		rc = put_u16(c, (uint16_t)(0xC000 | target));
	if (rc == WIRE_OK)
		remember_labels(b, start, name, nlen, split);
	return rc;
}

/* RDATA of NS, CNAME, PTR, MX, SOA: fixed bytes, compressed names, fixed bytes. */
static int write_compressed_rdata(struct wire_builder *b, struct cursor *c,
				  const struct wire_rdata_layout *l,
				  const uint8_t *rdata, uint16_t rdlen)
{
	size_t p = l->pre;
	int rc;

	if (rdlen < p)
		return WIRE_EINVAL;
	rc = put(c, rdata, p);
	for (int i = 0; i < l->names && rc == WIRE_OK; i++) {
		int n = wire_name_length(rdata + p, rdlen - p);
		if (n < 0)
			return WIRE_EINVAL;
		rc = write_name(b, c, rdata + p, (size_t)n);
		p += (size_t)n;
	}
	if (rc != WIRE_OK)
		return rc;
	if (rdlen - p != l->post)
		return WIRE_EINVAL;
	return put(c, rdata + p, l->post);
}

static int write_rdata(struct wire_builder *b, struct cursor *c, uint16_t type,
		       const uint8_t *rdata, uint16_t rdlen)
{
	struct wire_rdata_layout l;

	if (wire_rdata_layout(type, &l) && l.compress)
		return write_compressed_rdata(b, c, &l, rdata, rdlen);
	return put(c, rdata, rdlen);
}

static void note_ttl(struct wire_builder *b, size_t ttl_pos)
{
	if (b->ttl_count >= WIRE_BUILD_TTL_MAX) {
		b->ttl_overflow = true;
		return;
	}
	b->ttl_off[b->ttl_count++] = (uint16_t)ttl_pos;
}

static bool section_ok(const struct wire_builder *b, uint8_t section)
{
	return b->len >= WIRE_HDR_LEN && section >= WIRE_SECTION_ANSWER &&
	       section <= WIRE_SECTION_ADDITIONAL && section >= b->section;
}

/* Makes the record written up to @c part of the message. */
static void commit_rr(struct wire_builder *b, const struct cursor *c, uint8_t section)
{
	b->len = c->pos;
	b->section = section;
	b->count[section]++;
	write_counts(b);
}

int wire_build_rr(struct wire_builder *b, uint8_t section, const uint8_t *owner, size_t olen,
		  uint16_t type, uint16_t class, uint32_t ttl,
		  const uint8_t *rdata, uint16_t rdlen)
{
	if (!section_ok(b, section) || wire_name_length(owner, olen) != (int)olen)
		return WIRE_EINVAL;

	struct cursor c = cursor_at_end(b);
	uint16_t saved_compr = b->compr_count;
	int rc = write_name(b, &c, owner, olen);
	size_t ttl_pos = c.pos + 4, rdata_pos = c.pos + 10;

	if (rc == WIRE_OK)
		rc = put_u16(&c, type);
	if (rc == WIRE_OK)
		rc = put_u16(&c, class);
	if (rc == WIRE_OK)
		rc = put_u32(&c, ttl);
	if (rc == WIRE_OK)
		rc = put_u16(&c, 0); /* RDLENGTH, patched below */
	if (rc == WIRE_OK)
		rc = write_rdata(b, &c, type, rdata, rdlen);
	if (rc != WIRE_OK) {
		b->compr_count = saved_compr;
		return rc;
	}
	wire_put_u16(b->buf + rdata_pos - 2, (uint16_t)(c.pos - rdata_pos));
	commit_rr(b, &c, section);
	note_ttl(b, ttl_pos);
	return WIRE_OK;
}

int wire_build_question_raw(struct wire_builder *b, const uint8_t *q, size_t qlen)
{
	if (b->len < WIRE_HDR_LEN || b->section != WIRE_SECTION_QUESTION)
		return WIRE_EINVAL;
	int n = wire_name_length(q, qlen);
	if (n < 0 || qlen != (size_t)n + 4)
		return WIRE_EINVAL;

	struct cursor c = cursor_at_end(b);
	int rc = put(&c, q, qlen);
	if (rc != WIRE_OK)
		return rc;
	remember_labels(b, b->len, q, (size_t)n, (size_t)n);
	b->len = c.pos;
	b->count[WIRE_SECTION_QUESTION]++;
	write_counts(b);
	return WIRE_OK;
}

int wire_build_question(struct wire_builder *b, const uint8_t *name, size_t nlen,
			uint16_t qtype, uint16_t qclass)
{
	uint8_t q[WIRE_NAME_MAX + 4];

	if (nlen > WIRE_NAME_MAX)
		return WIRE_EINVAL;
	memcpy(q, name, nlen);
	wire_put_u16(q + nlen, qtype);
	wire_put_u16(q + nlen + 2, qclass);
	return wire_build_question_raw(b, q, nlen + 4);
}

int wire_build_reserve(struct wire_builder *b, size_t n)
{
	if (n > b->limit - b->len - b->reserved)
		return WIRE_ENOSPC;
	b->reserved += n;
	return WIRE_OK;
}

void wire_build_release(struct wire_builder *b, size_t n)
{
	b->reserved -= n < b->reserved ? n : b->reserved;
}

static bool has_ede(const struct wire_opt_params *p)
{
	return p->ede_code != WIRE_EDE_NONE;
}

size_t wire_build_opt_size(const struct wire_opt_params *p)
{
	size_t size = 11; /* root owner, TYPE, CLASS, TTL, RDLENGTH */

	if (p->cookie_len > 0)
		size += 4 + (size_t)p->cookie_len;
	if (has_ede(p))
		size += 4 + 2 + (size_t)p->ede_text_len;
	return size;
}

static bool opt_params_ok(const struct wire_opt_params *p)
{
	bool cookie_ok = p->cookie_len == 0 || p->cookie_len == WIRE_COOKIE_CLIENT_LEN ||
			 (p->cookie_len >= WIRE_COOKIE_CLIENT_LEN + WIRE_COOKIE_SERVER_MIN &&
			  p->cookie_len <= WIRE_COOKIE_CLIENT_LEN + WIRE_COOKIE_SERVER_MAX);
	bool ede_ok = !has_ede(p) || (p->ede_code >= 0 && p->ede_code <= 0xFFFF &&
				      p->ede_text_len <= 0xFFFF - 6 - 11);

	return cookie_ok && ede_ok && (p->cookie_len == 0 || p->cookie != NULL) &&
	       (p->ede_text_len == 0 || p->ede_text != NULL);
}

static int write_opt(struct cursor *c, const struct wire_opt_params *p, size_t size)
{
	uint32_t ttl = ((uint32_t)p->ext_rcode << 24) | ((uint32_t)p->version << 16) |
		       (p->do_bit ? WIRE_EDNS_FLAG_DO : 0);
	uint8_t root = 0;
	int rc = put(c, &root, 1);

	if (rc == WIRE_OK)
		rc = put_u16(c, WIRE_TYPE_OPT);
	if (rc == WIRE_OK)
		rc = put_u16(c, p->udp_size);
	if (rc == WIRE_OK)
		rc = put_u32(c, ttl);
	if (rc == WIRE_OK)
		rc = put_u16(c, (uint16_t)(size - 11));
	if (rc == WIRE_OK && p->cookie_len > 0) {
		rc = put_u16(c, WIRE_EDNS_OPT_COOKIE);
		if (rc == WIRE_OK)
			rc = put_u16(c, p->cookie_len);
		if (rc == WIRE_OK)
			rc = put(c, p->cookie, p->cookie_len);
	}
	if (rc == WIRE_OK && has_ede(p)) {
		rc = put_u16(c, WIRE_EDNS_OPT_EDE);
		if (rc == WIRE_OK)
			rc = put_u16(c, (uint16_t)(2 + p->ede_text_len));
		if (rc == WIRE_OK)
			rc = put_u16(c, (uint16_t)p->ede_code);
		if (rc == WIRE_OK)
			rc = put(c, p->ede_text, p->ede_text_len);
	}
	return rc;
}

int wire_build_opt(struct wire_builder *b, const struct wire_opt_params *p)
{
	if (!section_ok(b, WIRE_SECTION_ADDITIONAL) || !opt_params_ok(p))
		return WIRE_EINVAL;

	size_t size = wire_build_opt_size(p);
	size_t use = size < b->reserved ? size : b->reserved;
	struct cursor c = cursor_at_end(b);
	c.end += use; /* the reserved room is the OPT's to take */
	int rc = write_opt(&c, p, size);
	if (rc != WIRE_OK)
		return rc;
	b->reserved -= use;
	commit_rr(b, &c, WIRE_SECTION_ADDITIONAL);
	return WIRE_OK;
}

void wire_build_set_tc(struct wire_builder *b)
{
	if (b->len >= WIRE_HDR_LEN)
		b->buf[2] |= (uint8_t)(WIRE_FLAG_TC >> 8);
}

void wire_build_set_rcode(struct wire_builder *b, uint8_t rcode)
{
	if (b->len >= WIRE_HDR_LEN)
		b->buf[3] = (uint8_t)((b->buf[3] & 0xF0) | (rcode & 0x0F));
}
