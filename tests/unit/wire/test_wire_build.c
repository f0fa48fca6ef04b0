/*
 * test_wire_build.c - the response builder: compression, limits, truncation, OPT.
 */
#include "wire_test.h"

static uint8_t buf[4096];
static struct wire_rr_ref rrs[256];

static int reparse(const struct wire_builder *b, struct wire_msg *m)
{
	m->rr = rrs;
	m->rr_cap = 256;
	return wire_parse_msg(b->buf, b->len, m);
}

/* Builder with header and the question "www.Example.com A" copied raw. */
static void start_response(struct wire_builder *b, size_t limit)
{
	struct pk q;

	pk_query(&q, "www.Example.com", WIRE_TYPE_A);
	wire_build_init(b, buf, sizeof(buf), limit);
	wire_build_header(b, 0x1234, WIRE_FLAG_QR | WIRE_FLAG_RD | WIRE_FLAG_RA);
	wire_build_question_raw(b, q.b + 12, q.len - 12);
}

static void test_question_is_copied_with_original_case(void)
{
	struct pk q;
	struct wire_msg m;
	struct wire_builder b;

	pk_query(&q, "wWw.ExAmPlE.CoM", WIRE_TYPE_MX);
	m.rr = NULL;
	m.rr_cap = 0;
	CHECK_EQ(wire_parse_msg(q.b, q.len, &m), WIRE_OK);
	wire_build_init(&b, buf, sizeof(buf), 512);
	CHECK_EQ(wire_build_header(&b, m.hdr.id, WIRE_FLAG_QR), WIRE_OK);
	CHECK_EQ(wire_build_question_raw(&b, q.b + m.q.name_off, m.q.end_off - m.q.name_off),
		 WIRE_OK);
	CHECK_EQ(b.len, q.len);
	CHECK_MEM(buf + 12, "\3wWw\7ExAmPlE\3CoM\0\0\x0F\0\1", 21);
	CHECK_EQ(wire_get_u16(buf + 4), 1);
}

static void test_compression_shrinks_repeated_names(void)
{
	struct wire_builder b;
	uint8_t owner[WIRE_NAME_MAX], target[WIRE_NAME_MAX];
	size_t ol = text_name("www.example.com", owner);
	size_t tl = text_name("web.example.com", target);

	start_response(&b, 512);
	size_t at = b.len;
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, owner, ol, WIRE_TYPE_CNAME,
			       WIRE_CLASS_IN, 300, target, (uint16_t)tl), WIRE_OK);
	/* Owner: pointer to the question (12). RDATA: "web" + pointer to "Example.com" (16). */
	CHECK_MEM(buf + at, "\xC0\x0C\0\5\0\1\0\0\1\x2C\0\6\3web\xC0\x10", 18);
	CHECK_EQ(b.len, at + 18);
	at = b.len;
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, target, tl, WIRE_TYPE_A, WIRE_CLASS_IN,
			       300, (const uint8_t *)"\xC0\0\2\1", 4), WIRE_OK);
	/* Owner "web.example.com" is now a single pointer to the CNAME's RDATA. */
	CHECK_MEM(buf + at, "\xC0\x2D", 2);
	CHECK_EQ(b.len, at + 2 + 10 + 4);
	CHECK_EQ(wire_get_u16(buf + 6), 2);
}

static void test_compressed_response_parses_back_to_the_same_names(void)
{
	struct wire_builder b;
	struct wire_msg m;
	uint8_t n[WIRE_NAME_MAX], soa[128], out[256];
	size_t nl, outlen;

	start_response(&b, 1232);
	nl = text_name("mail.example.com", n);
	uint8_t mx[2 + WIRE_NAME_MAX] = { 0, 10 };
	memcpy(mx + 2, n, nl);
	nl = text_name("www.example.com", n);
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, n, nl, WIRE_TYPE_MX, WIRE_CLASS_IN, 60,
			       mx, (uint16_t)(2 + 18)), WIRE_OK);
	size_t sl = text_name("ns1.example.com", soa);
	sl += text_name("hostmaster.example.com", soa + sl);
	memset(soa + sl, 7, 20);
	sl += 20;
	nl = text_name("example.com", n);
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_AUTHORITY, n, nl, WIRE_TYPE_SOA, WIRE_CLASS_IN,
			       60, soa, (uint16_t)sl), WIRE_OK);
	CHECK(b.len < 12 + 21 + 12 + 20 + 12 + sl + 13);
	CHECK_EQ(reparse(&b, &m), WIRE_OK);
	CHECK_EQ(m.rr_count, 2);
	CHECK_EQ(wire_rdata_decompress(buf, b.len, &m.rr[0], out, sizeof(out), &outlen), WIRE_OK);
	/* Compression points at the question's "Example.com": same name, its case. */
	CHECK_EQ(outlen, 20);
	wire_name_to_lower(out, outlen);
	CHECK_MEM(out, mx, 20);
	CHECK_EQ(wire_rdata_decompress(buf, b.len, &m.rr[1], out, sizeof(out), &outlen), WIRE_OK);
	CHECK_EQ(outlen, sl);
	wire_name_to_lower(out, outlen);
	CHECK_MEM(out, soa, sl);
}

static void test_srv_and_dname_rdata_are_not_compressed(void)
{
	struct wire_builder b;
	uint8_t n[WIRE_NAME_MAX], srv[6 + WIRE_NAME_MAX] = { 0, 1, 0, 2, 0, 53 };
	size_t nl = text_name("www.example.com", n);

	start_response(&b, 512);
	memcpy(srv + 6, n, nl);
	size_t at = b.len;
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, n, nl, WIRE_TYPE_SRV, WIRE_CLASS_IN, 1,
			       srv, (uint16_t)(6 + nl)), WIRE_OK);
	CHECK_EQ(wire_get_u16(buf + at + 2 + 8), 6 + nl);
	CHECK_MEM(buf + at + 12, srv, 6 + nl);
	at = b.len;
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, n, nl, WIRE_TYPE_DNAME, WIRE_CLASS_IN, 1,
			       n, (uint16_t)nl), WIRE_OK);
	CHECK_MEM(buf + at + 12, n, nl);
}

static void test_truncation_at_512_leaves_nothing_partial(void)
{
	struct wire_builder b;
	struct wire_msg m;
	uint8_t n[WIRE_NAME_MAX];
	char text[64];
	int added = 0, rc = WIRE_OK;

	start_response(&b, 512);
	for (int i = 0; i < 100 && rc == WIRE_OK; i++) {
		snprintf(text, sizeof(text), "host-%03d-with-a-long-label.example.net", i);
		size_t nl = text_name(text, n);
		size_t before = b.len;
		rc = wire_build_rr(&b, WIRE_SECTION_ANSWER, n, nl, WIRE_TYPE_A, WIRE_CLASS_IN, 60,
				   (const uint8_t *)"\xC0\0\2\1", 4);
		if (rc == WIRE_OK)
			added++;
		else
			CHECK_EQ(b.len, before);
	}
	CHECK_EQ(rc, WIRE_ENOSPC);
	CHECK(added > 0);
	CHECK(b.len <= 512);
	CHECK_EQ(wire_get_u16(buf + 6), added);
	CHECK_EQ(b.ttl_count, added);
	CHECK_EQ(reparse(&b, &m), WIRE_OK);
	CHECK_EQ(m.end_off, b.len);
}

static void test_opt_still_present_after_truncation(void)
{
	struct wire_builder b;
	struct wire_msg m;
	uint8_t n[WIRE_NAME_MAX];
	const uint8_t cookie[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct wire_opt_params opt = { .udp_size = 1232, .do_bit = true,
				       .ede_code = WIRE_EDE_STALE_ANSWER, .ede_text = "stale",
				       .ede_text_len = 5, .cookie = cookie, .cookie_len = 16 };
	int rc = WIRE_OK;

	start_response(&b, 512);
	CHECK_EQ(wire_build_reserve(&b, wire_build_opt_size(&opt)), WIRE_OK);
	for (int i = 0; i < 200 && rc == WIRE_OK; i++) {
		char text[64];
		snprintf(text, sizeof(text), "n%03d.example.org", i);
		rc = wire_build_rr(&b, WIRE_SECTION_ANSWER, n, text_name(text, n), WIRE_TYPE_TXT,
				   WIRE_CLASS_IN, 60, (const uint8_t *)"\4abcd", 5);
	}
	CHECK_EQ(rc, WIRE_ENOSPC);
	wire_build_set_tc(&b);
	CHECK_EQ(wire_build_opt(&b, &opt), WIRE_OK);
	CHECK(b.len <= 512);
	CHECK(b.len > 512 - 30);
	CHECK_EQ(b.reserved, 0);
	CHECK_EQ(reparse(&b, &m), WIRE_OK);
	CHECK(WIRE_TC(m.hdr.flags));
	CHECK(m.edns.present);
	CHECK(m.edns.do_bit);
	CHECK_EQ(m.edns.udp_size, 1232);
	CHECK(m.edns.has_cookie);
	CHECK_EQ(m.edns.server_cookie_len, 8);
	CHECK_MEM(m.edns.client_cookie, cookie, 8);
	CHECK(m.edns.has_ede);
	CHECK_EQ(m.edns.ede_code, WIRE_EDE_STALE_ANSWER);
	CHECK_MEM(m.edns.ede_text, "stale", 5);
}

static void test_opt_without_reservation_may_not_fit(void)
{
	struct wire_builder b;
	struct wire_opt_params opt = { .udp_size = 1232, .ede_code = WIRE_EDE_NONE };

	wire_build_init(&b, buf, sizeof(buf), 20);
	CHECK_EQ(wire_build_header(&b, 1, WIRE_FLAG_QR), WIRE_OK);
	CHECK_EQ(wire_build_opt(&b, &opt), WIRE_ENOSPC);
	CHECK_EQ(b.len, 12);
	CHECK_EQ(wire_get_u16(buf + 10), 0);
	CHECK_EQ(wire_build_opt_size(&opt), 11);
}

static void test_badvers_opt_carries_ext_rcode(void)
{
	struct wire_builder b;
	struct wire_msg m;
	struct wire_opt_params opt = { .udp_size = 1232, .ext_rcode = 1,
				       .ede_code = WIRE_EDE_NONE };

	start_response(&b, 512);
	wire_build_set_rcode(&b, WIRE_RCODE_BADVERS & 0xF);
	CHECK_EQ(wire_build_opt(&b, &opt), WIRE_OK);
	CHECK_EQ(reparse(&b, &m), WIRE_OK);
	CHECK_EQ((m.edns.ext_rcode << 4) | WIRE_RCODE(m.hdr.flags), WIRE_RCODE_BADVERS);
	CHECK_EQ(m.edns.version, 0);
}

static void test_bad_cookie_length_for_opt_is_rejected(void)
{
	struct wire_builder b;
	const uint8_t cookie[12] = { 0 };
	struct wire_opt_params opt = { .udp_size = 1232, .ede_code = WIRE_EDE_NONE,
				       .cookie = cookie, .cookie_len = 12 };

	start_response(&b, 512);
	CHECK_EQ(wire_build_opt(&b, &opt), WIRE_EINVAL);
}

static void test_ttl_offsets_allow_patching(void)
{
	struct wire_builder b;
	struct wire_msg m;
	uint8_t n[WIRE_NAME_MAX];
	size_t nl = text_name("www.example.com", n);

	start_response(&b, 512);
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, n, nl, WIRE_TYPE_A, WIRE_CLASS_IN, 300,
			       (const uint8_t *)"\1\2\3\4", 4), WIRE_OK);
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_AUTHORITY, n + 4, nl - 4, WIRE_TYPE_NS,
			       WIRE_CLASS_IN, 900, n, (uint16_t)nl), WIRE_OK);
	CHECK_EQ(b.ttl_count, 2);
	CHECK(!b.ttl_overflow);
	for (uint16_t i = 0; i < b.ttl_count; i++)
		wire_put_u32(buf + b.ttl_off[i], 42 + i);
	CHECK_EQ(reparse(&b, &m), WIRE_OK);
	CHECK_EQ(m.rr[0].ttl, 42);
	CHECK_EQ(m.rr[1].ttl, 43);
	CHECK_EQ(m.rr[1].section, WIRE_SECTION_AUTHORITY);
}

static void test_sections_out_of_order_are_rejected(void)
{
	struct wire_builder b;
	uint8_t n[WIRE_NAME_MAX];
	size_t nl = text_name("example", n);

	start_response(&b, 512);
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ADDITIONAL, n, nl, WIRE_TYPE_A, WIRE_CLASS_IN, 1,
			       (const uint8_t *)"\1\2\3\4", 4), WIRE_OK);
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, n, nl, WIRE_TYPE_A, WIRE_CLASS_IN, 1,
			       (const uint8_t *)"\1\2\3\4", 4), WIRE_EINVAL);
	CHECK_EQ(wire_build_question(&b, n, nl, WIRE_TYPE_A, WIRE_CLASS_IN), WIRE_EINVAL);
}

static void test_invalid_names_are_rejected(void)
{
	struct wire_builder b;

	start_response(&b, 512);
	size_t len = b.len;
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, (const uint8_t *)"\3www\xC0\x0C", 6,
			       WIRE_TYPE_A, WIRE_CLASS_IN, 1, (const uint8_t *)"\1\2\3\4", 4),
		 WIRE_EINVAL);
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, (const uint8_t *)"\0", 1, WIRE_TYPE_NS,
			       WIRE_CLASS_IN, 1, (const uint8_t *)"\5abc", 4), WIRE_EINVAL);
	CHECK_EQ(b.len, len);
	CHECK_EQ(b.compr_count, 3);
}

static void test_response_limit_follows_edns(void)
{
	struct wire_edns e = { .present = false };

	CHECK_EQ(wire_response_limit(&e, 1232), 512);
	CHECK_EQ(wire_response_limit(NULL, 1232), 512);
	e.present = true;
	e.udp_size = 4096;
	CHECK_EQ(wire_response_limit(&e, 1232), 1232);
	e.udp_size = 1000;
	CHECK_EQ(wire_response_limit(&e, 1232), 1000);
	e.udp_size = 100;
	CHECK_EQ(wire_response_limit(&e, 1232), 512);
}

static void test_query_builder_makes_a_parsable_query(void)
{
	struct wire_builder b;
	struct wire_msg m;
	uint8_t n[WIRE_NAME_MAX];
	size_t nl = text_name("example.net", n);
	struct wire_opt_params opt = { .udp_size = 1232, .do_bit = true,
				       .ede_code = WIRE_EDE_NONE };

	wire_build_init(&b, buf, sizeof(buf), 512);
	CHECK_EQ(wire_build_header(&b, 0xBEEF, 0), WIRE_OK);
	CHECK_EQ(wire_build_header(&b, 0xBEEF, 0), WIRE_EINVAL);
	CHECK_EQ(wire_build_question(&b, n, nl, WIRE_TYPE_DNSKEY, WIRE_CLASS_IN), WIRE_OK);
	CHECK_EQ(wire_build_opt(&b, &opt), WIRE_OK);
	CHECK_EQ(reparse(&b, &m), WIRE_OK);
	CHECK_EQ(m.q.qtype, WIRE_TYPE_DNSKEY);
	CHECK(m.edns.do_bit);
	CHECK_EQ(b.len, 12 + nl + 4 + 11);
}

int main(void)
{
	RUN(test_question_is_copied_with_original_case);
	RUN(test_compression_shrinks_repeated_names);
	RUN(test_compressed_response_parses_back_to_the_same_names);
	RUN(test_srv_and_dname_rdata_are_not_compressed);
	RUN(test_truncation_at_512_leaves_nothing_partial);
	RUN(test_opt_still_present_after_truncation);
	RUN(test_opt_without_reservation_may_not_fit);
	RUN(test_badvers_opt_carries_ext_rcode);
	RUN(test_bad_cookie_length_for_opt_is_rejected);
	RUN(test_ttl_offsets_allow_patching);
	RUN(test_sections_out_of_order_are_rejected);
	RUN(test_invalid_names_are_rejected);
	RUN(test_response_limit_follows_edns);
	RUN(test_query_builder_makes_a_parsable_query);
	TEST_EXIT();
}
