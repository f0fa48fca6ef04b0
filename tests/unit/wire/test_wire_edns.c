/*
 * test_wire_edns.c - the OPT record: placement rules, fixed fields, options.
 */
#include "wire_test.h"

static struct wire_rr_ref rrs[8];

static int parse(const struct pk *p, struct wire_msg *m)
{
	m->rr = rrs;
	m->rr_cap = 8;
	return wire_parse_msg(p->b, p->len, m);
}

/* A query with one OPT record carrying @rdata. */
static void query_with_opt(struct pk *p, uint16_t udp, uint8_t version, uint16_t flags,
			   const uint8_t *rdata, uint16_t rdlen)
{
	pk_query(p, "example.com", WIRE_TYPE_A);
	wire_put_u16(p->b + 10, 1);
	pk_opt(p, udp, 0, version, flags, rdata, rdlen);
}

static void test_opt_do_bit_and_udp_size_are_read(void)
{
	struct pk p;
	struct wire_msg m;

	query_with_opt(&p, 1232, 0, WIRE_EDNS_FLAG_DO, NULL, 0);
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK(m.edns.present);
	CHECK(m.edns.do_bit);
	CHECK_EQ(m.edns.udp_size, 1232);
	CHECK_EQ(m.edns.version, 0);
	CHECK_EQ(m.edns.opt_off, 12 + 13 + 4);
	CHECK_EQ(wire_edns_check(&m.edns), WIRE_OK);

	query_with_opt(&p, 4096, 0, 0, NULL, 0);
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK(!m.edns.do_bit);
	CHECK_EQ(m.edns.udp_size, 4096);
}

static void test_query_without_opt_has_no_edns(void)
{
	struct pk p;
	struct wire_msg m;

	pk_query(&p, "example.com", WIRE_TYPE_A);
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK(!m.edns.present);
	CHECK_EQ(wire_edns_check(&m.edns), WIRE_OK);
}

static void test_edns_version_1_must_be_answered_badvers(void)
{
	struct pk p;
	struct wire_msg m;

	query_with_opt(&p, 1232, 1, 0, NULL, 0);
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK_EQ(m.edns.version, 1);
	CHECK_EQ(wire_edns_check(&m.edns), WIRE_EBADVERS);
}

static void test_two_opts_are_formerr(void)
{
	struct pk p;
	struct wire_msg m;

	query_with_opt(&p, 1232, 0, 0, NULL, 0);
	wire_put_u16(p.b + 10, 2);
	pk_opt(&p, 1232, 0, 0, 0, NULL, 0);
	CHECK_EQ(parse(&p, &m), WIRE_EOPT_DUP);
	CHECK(wire_err_is_malformed(WIRE_EOPT_DUP));
}

static void test_opt_in_answer_section_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_query(&p, "example.com", WIRE_TYPE_A);
	wire_put_u16(p.b + 6, 1);
	pk_opt(&p, 1232, 0, 0, 0, NULL, 0);
	CHECK_EQ(parse(&p, &m), WIRE_EOPT_SECTION);
	wire_put_u16(p.b + 6, 0);
	wire_put_u16(p.b + 8, 1);
	CHECK_EQ(parse(&p, &m), WIRE_EOPT_SECTION);
}

static void test_opt_with_non_root_owner_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_query(&p, "example.com", WIRE_TYPE_A);
	wire_put_u16(p.b + 10, 1);
	pk_bytes(&p, "\xC0\x0C", 2);
	pk_rr_fixed(&p, WIRE_TYPE_OPT, 1232, 0, 0);
	CHECK_EQ(parse(&p, &m), WIRE_EOPT_OWNER);
}

/* Parses a query whose OPT has one cookie option of @len bytes. */
static int parse_cookie_of_len(uint16_t len, struct wire_msg *m)
{
	struct pk p;
	uint8_t opt[4 + 64];

	wire_put_u16(opt, WIRE_EDNS_OPT_COOKIE);
	wire_put_u16(opt + 2, len);
	for (int i = 0; i < 64; i++)
		opt[4 + i] = (uint8_t)(i + 1);
	query_with_opt(&p, 1232, 0, 0, opt, (uint16_t)(4 + len));
	return parse(&p, m);
}

static void test_cookie_lengths_8_and_16_to_40_are_accepted(void)
{
	struct wire_msg m;

	CHECK_EQ(parse_cookie_of_len(8, &m), WIRE_OK);
	CHECK(m.edns.has_cookie);
	CHECK_EQ(m.edns.server_cookie_len, 0);
	CHECK_MEM(m.edns.client_cookie, "\1\2\3\4\5\6\7\10", 8);
	CHECK_EQ(parse_cookie_of_len(16, &m), WIRE_OK);
	CHECK_EQ(m.edns.server_cookie_len, 8);
	CHECK_EQ(m.edns.server_cookie[0], 9);
	CHECK_EQ(parse_cookie_of_len(40, &m), WIRE_OK);
	CHECK_EQ(m.edns.server_cookie_len, 32);
	CHECK_EQ(m.edns.server_cookie[31], 40);
}

static void test_cookie_of_other_lengths_is_formerr(void)
{
	struct wire_msg m;
	static const uint16_t bad[] = { 0, 1, 7, 9, 15, 41, 48 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(parse_cookie_of_len(bad[i], &m), WIRE_EOPT_OPTION);
}

static void test_ede_option_is_parsed(void)
{
	struct pk p;
	struct wire_msg m;
	uint8_t opt[64];
	const char *text = "no server";

	wire_put_u16(opt, WIRE_EDNS_OPT_EDE);
	wire_put_u16(opt + 2, (uint16_t)(2 + strlen(text)));
	wire_put_u16(opt + 4, WIRE_EDE_NO_REACHABLE_AUTHORITY);
	memcpy(opt + 6, text, strlen(text));
	query_with_opt(&p, 1232, 0, 0, opt, (uint16_t)(6 + strlen(text)));
	wire_put_u16(p.b + 2, WIRE_FLAG_QR | WIRE_RCODE_SERVFAIL);
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK(m.edns.has_ede);
	CHECK_EQ(m.edns.ede_code, 22);
	CHECK_EQ(m.edns.ede_text_len, strlen(text));
	CHECK_MEM(m.edns.ede_text, text, strlen(text));
	CHECK_EQ(WIRE_RCODE(m.hdr.flags), WIRE_RCODE_SERVFAIL);
}

static void test_ede_shorter_than_its_code_is_formerr(void)
{
	struct pk p;
	struct wire_msg m;

	query_with_opt(&p, 1232, 0, 0, (const uint8_t *)"\0\x0F\0\1\0", 5);
	CHECK_EQ(parse(&p, &m), WIRE_EOPT_OPTION);
}

static void test_option_running_past_rdata_is_formerr(void)
{
	struct pk p;
	struct wire_msg m;

	/* Option claims 10 bytes of data, RDATA holds 2. */
	query_with_opt(&p, 1232, 0, 0, (const uint8_t *)"\0\x03\0\x0A\1\2", 6);
	CHECK_EQ(parse(&p, &m), WIRE_EOPT_OPTION);
	/* Three stray bytes where an option header should be. */
	query_with_opt(&p, 1232, 0, 0, (const uint8_t *)"\0\x03\0", 3);
	CHECK_EQ(parse(&p, &m), WIRE_EOPT_OPTION);
}

static void test_unknown_options_are_skipped(void)
{
	struct pk p;
	struct wire_msg m;
	const uint8_t opt[] = { 0xFD, 0xE9, 0, 3, 1, 2, 3, /* local-use code 65001 */
				0, 3, 0, 0 /* NSID request */ };

	query_with_opt(&p, 1232, 0, WIRE_EDNS_FLAG_DO, opt, sizeof(opt));
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK(m.edns.has_nsid);
	CHECK(!m.edns.has_cookie);
	CHECK(m.edns.do_bit);
	CHECK_EQ(m.edns.options_len, sizeof(opt));
	CHECK_MEM(p.b + m.edns.options_off, opt, sizeof(opt));
}

static void test_ext_rcode_is_read(void)
{
	struct pk p;
	struct wire_msg m;

	pk_header(&p, 1, WIRE_FLAG_QR, 0, 0, 0, 1);
	pk_opt(&p, 1232, 1, 0, 0, NULL, 0);
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK_EQ(m.edns.ext_rcode, 1);
	CHECK_EQ((m.edns.ext_rcode << 4) | WIRE_RCODE(m.hdr.flags), WIRE_RCODE_BADVERS);
}

int main(void)
{
	RUN(test_opt_do_bit_and_udp_size_are_read);
	RUN(test_query_without_opt_has_no_edns);
	RUN(test_edns_version_1_must_be_answered_badvers);
	RUN(test_two_opts_are_formerr);
	RUN(test_opt_in_answer_section_is_rejected);
	RUN(test_opt_with_non_root_owner_is_rejected);
	RUN(test_cookie_lengths_8_and_16_to_40_are_accepted);
	RUN(test_cookie_of_other_lengths_is_formerr);
	RUN(test_ede_option_is_parsed);
	RUN(test_ede_shorter_than_its_code_is_formerr);
	RUN(test_option_running_past_rdata_is_formerr);
	RUN(test_unknown_options_are_skipped);
	RUN(test_ext_rcode_is_read);
	TEST_EXIT();
}
