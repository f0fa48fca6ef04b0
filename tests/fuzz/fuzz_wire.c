/*
 * fuzz_wire.c - libFuzzer target for the DNS wire codec.
 *
 * Feeds the input to wire_parse_msg(); for every message it accepts, checks the
 * promises the parser makes to its callers (owner names and RDATA of every located
 * record can be read back), then rebuilds the message as a response with the
 * builder, the way the responder would, and requires the result to parse again
 * with the same records. Also runs the name functions on the raw input.
 * Anything unexpected calls abort(), which the fuzzer reports as a crash.
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define FUZZ_RR_MAX 128
#define FUZZ_RDATA_MAX (WIRE_MSG_MAX + 2 * WIRE_NAME_MAX)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t rdata_a[FUZZ_RDATA_MAX], rdata_b[FUZZ_RDATA_MAX];
static uint8_t out_buf[WIRE_MSG_MAX];

#define REQUIRE(cond)                                                                   \
	do {                                                                            \
		if (!(cond))                                                            \
			abort();                                                        \
	} while (0)

/* The name functions on the input taken as one uncompressed name. */
static void fuzz_names(const uint8_t *data, size_t size)
{
	uint8_t low[WIRE_NAME_MAX];
	char text[WIRE_NAME_TEXT_MAX];
	int len = wire_name_length(data, size);

	if (len < 0)
		return;
	memcpy(low, data, (size_t)len);
	wire_name_to_lower(low, (size_t)len);
	REQUIRE(wire_name_equal(data, (size_t)len, low, (size_t)len));
	REQUIRE(wire_name_canonical_cmp(data, (size_t)len, low, (size_t)len) == 0);
	REQUIRE(wire_name_is_subdomain(data, (size_t)len, (const uint8_t *)"", 1));
	REQUIRE(wire_name_is_subdomain(data, (size_t)len, low, (size_t)len));
	REQUIRE(wire_name_label_count(data, (size_t)len) >= 0);
	REQUIRE(wire_name_to_text(data, (size_t)len, text, sizeof(text)) > 0);
	if (size > (size_t)len) {
		int len2 = wire_name_length(data + len, size - (size_t)len);
		if (len2 > 0) {
			int c1 = wire_name_canonical_cmp(data, (size_t)len, data + len, (size_t)len2);
			int c2 = wire_name_canonical_cmp(data + len, (size_t)len2, data, (size_t)len);
			REQUIRE((c1 < 0) == (c2 > 0) && (c1 == 0) == (c2 == 0));
		}
	}
}

/* Adds one parsed record to the builder; returns the builder's answer. */
static int rebuild_rr(struct wire_builder *b, const uint8_t *pkt, size_t len,
		      const struct wire_rr_ref *rr)
{
	uint8_t owner[WIRE_NAME_MAX];
	size_t olen, rdlen;

	REQUIRE(wire_name_unpack(pkt, len, rr->name_off, owner, &olen, NULL) == WIRE_OK);
	REQUIRE(wire_rdata_decompress(pkt, len, rr, rdata_a, sizeof(rdata_a), &rdlen) == WIRE_OK);
	if (rdlen > UINT16_MAX)
		return WIRE_ENOSPC;
	return wire_build_rr(b, rr->section, owner, olen, rr->type, rr->class, rr->ttl,
			     rdata_a, (uint16_t)rdlen);
}

/* The OPT the responder would send back to this request. */
static struct wire_opt_params response_opt(const struct wire_edns *e, uint8_t *cookie)
{
	struct wire_opt_params p = { .udp_size = 1232, .do_bit = e->do_bit,
				     .ede_code = WIRE_EDE_NONE };

	if (e->has_cookie) {
		memcpy(cookie, e->client_cookie, WIRE_COOKIE_CLIENT_LEN);
		memcpy(cookie + WIRE_COOKIE_CLIENT_LEN, e->server_cookie, e->server_cookie_len);
		p.cookie = cookie;
		p.cookie_len = (uint8_t)(WIRE_COOKIE_CLIENT_LEN + e->server_cookie_len);
	}
	if (e->has_ede) {
		p.ede_code = e->ede_code;
		p.ede_text = (const char *)e->ede_text;
		p.ede_text_len = e->ede_text_len > 64 ? 64 : e->ede_text_len;
	}
	return p;
}

/* Records of the rebuilt message must be the originals, names up to case. */
static void compare_rr(const uint8_t *a, size_t alen, const struct wire_rr_ref *ra,
		       const uint8_t *b, size_t blen, const struct wire_rr_ref *rb)
{
	uint8_t oa[WIRE_NAME_MAX], ob[WIRE_NAME_MAX];
	size_t la, lb, da, db;

	REQUIRE(ra->type == rb->type && ra->class == rb->class && ra->ttl == rb->ttl);
	REQUIRE(ra->section == rb->section);
	REQUIRE(wire_name_unpack(a, alen, ra->name_off, oa, &la, NULL) == WIRE_OK);
	REQUIRE(wire_name_unpack(b, blen, rb->name_off, ob, &lb, NULL) == WIRE_OK);
	REQUIRE(wire_name_equal(oa, la, ob, lb));
	REQUIRE(wire_rdata_decompress(a, alen, ra, rdata_a, sizeof(rdata_a), &da) == WIRE_OK);
	REQUIRE(wire_rdata_decompress(b, blen, rb, rdata_b, sizeof(rdata_b), &db) == WIRE_OK);
	REQUIRE(da == db);
	wire_name_to_lower(rdata_a, da);
	wire_name_to_lower(rdata_b, db);
	REQUIRE(memcmp(rdata_a, rdata_b, da) == 0);
}

/* Builds a response from the request, truncating like the responder does. */
static void fuzz_builder(const uint8_t *pkt, size_t len, const struct wire_msg *m)
{
	static struct wire_rr_ref rr2[FUZZ_RR_MAX];
	uint8_t cookie[WIRE_COOKIE_CLIENT_LEN + WIRE_COOKIE_SERVER_MAX];
	struct wire_builder b;
	struct wire_opt_params opt = response_opt(&m->edns, cookie);
	int kept[FUZZ_RR_MAX], nkept = 0;
	bool stop = false;

	wire_build_init(&b, out_buf, sizeof(out_buf), wire_response_limit(&m->edns, 4096));
	REQUIRE(wire_build_header(&b, m->hdr.id, m->hdr.flags | WIRE_FLAG_QR) == WIRE_OK);
	REQUIRE(wire_build_question_raw(&b, pkt + m->q.name_off,
					(size_t)(m->q.end_off - m->q.name_off)) == WIRE_OK);
	if (m->edns.present)
		REQUIRE(wire_build_reserve(&b, wire_build_opt_size(&opt)) == WIRE_OK);
	for (int i = 0; i < m->rr_count && !stop; i++) {
		if (m->rr[i].type == WIRE_TYPE_OPT)
			continue;
		int rc = rebuild_rr(&b, pkt, len, &m->rr[i]);
		REQUIRE(rc == WIRE_OK || rc == WIRE_ENOSPC);
		if (rc == WIRE_OK)
			kept[nkept++] = i;
		else if (m->rr[i].section != WIRE_SECTION_ADDITIONAL)
			stop = true;
	}
	if (stop)
		wire_build_set_tc(&b);
	if (m->edns.present)
		REQUIRE(wire_build_opt(&b, &opt) == WIRE_OK);
	REQUIRE(b.len <= b.limit);

	struct wire_msg m2 = { .rr = rr2, .rr_cap = FUZZ_RR_MAX };
	REQUIRE(wire_parse_msg(out_buf, b.len, &m2) == WIRE_OK);
	REQUIRE(m2.has_question && m2.q.qtype == m->q.qtype);
	REQUIRE(m2.edns.present == m->edns.present);
	REQUIRE(m2.rr_count == nkept + (m->edns.present ? 1 : 0));
	/* The OPT comes last, after every kept record. */
	for (int i = 0; i < nkept; i++)
		compare_rr(pkt, len, &m->rr[kept[i]], out_buf, b.len, &m2.rr[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire_rr_ref rr[FUZZ_RR_MAX];
	struct wire_msg m = { .rr = rr, .rr_cap = FUZZ_RR_MAX };

	fuzz_names(data, size);
	if (wire_parse_msg(data, size, &m) != WIRE_OK)
		return 0;
	REQUIRE(m.end_off <= size);
	(void)wire_edns_check(&m.edns);
	if (m.has_question && m.rr_count <= FUZZ_RR_MAX)
		fuzz_builder(data, size, &m);
	return 0;
}
