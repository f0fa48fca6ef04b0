/*
 * test_wire_msg.c - whole-message parsing: header, question, records, bounds.
 */
#include "wire_test.h"

#define RR_CAP 16

static struct wire_rr_ref rrs[RR_CAP];

static int parse(const struct pk *p, struct wire_msg *m)
{
	m->rr = rrs;
	m->rr_cap = RR_CAP;
	return wire_parse_msg(p->b, p->len, m);
}

static void test_valid_query_parses(void)
{
	struct pk p;
	struct wire_msg m;

	pk_query(&p, "www.Example.com", WIRE_TYPE_AAAA);
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK_EQ(m.hdr.id, 0x1234);
	CHECK(WIRE_RD(m.hdr.flags));
	CHECK(!WIRE_QR(m.hdr.flags));
	CHECK_EQ(WIRE_OPCODE(m.hdr.flags), WIRE_OPCODE_QUERY);
	CHECK(m.has_question);
	CHECK_EQ(m.q.name_off, 12);
	CHECK_EQ(m.q.name_wire_len, 17);
	CHECK_EQ(m.q.qtype, WIRE_TYPE_AAAA);
	CHECK_EQ(m.q.qclass, WIRE_CLASS_IN);
	CHECK_EQ(m.q.end_off, p.len);
	CHECK_EQ(m.q.name_len, 17);
	CHECK_MEM(m.q.name, "\3www\7Example\3com\0", 17);
	CHECK_EQ(m.rr_count, 0);
	CHECK(!m.edns.present);
	CHECK_EQ(m.opt_index, -1);
}

static void test_truncated_header_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_query(&p, "example", WIRE_TYPE_A);
	p.len = 11;
	CHECK_EQ(parse(&p, &m), WIRE_ESHORT);
	p.len = 0;
	CHECK_EQ(parse(&p, &m), WIRE_ESHORT);
}

static void test_truncated_question_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_query(&p, "example", WIRE_TYPE_A);
	p.len -= 2; /* QCLASS missing */
	CHECK_EQ(parse(&p, &m), WIRE_ESHORT);
	struct wire_question q;
	CHECK_EQ(wire_parse_question(p.b, p.len, 12, &q), WIRE_ESHORT);
}

static void test_qdcount_zero_parses_without_question(void)
{
	struct pk p;
	struct wire_msg m;

	pk_header(&p, 7, 0, 0, 0, 0, 0);
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK(!m.has_question);
	CHECK_EQ(m.end_off, 12);
}

static void test_qdcount_two_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_query(&p, "a.example", WIRE_TYPE_A);
	wire_put_u16(p.b + 4, 2);
	pk_name(&p, "b.example");
	pk_u16(&p, WIRE_TYPE_A);
	pk_u16(&p, WIRE_CLASS_IN);
	CHECK_EQ(parse(&p, &m), WIRE_EQDCOUNT);
	CHECK(wire_err_is_malformed(WIRE_EQDCOUNT));
}

static void test_counts_larger_than_packet_are_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_query(&p, "example", WIRE_TYPE_A);
	wire_put_u16(p.b + 6, 0xFFFF);
	CHECK_EQ(parse(&p, &m), WIRE_ECOUNT);
	pk_query(&p, "example", WIRE_TYPE_A);
	wire_put_u16(p.b + 10, 1); /* one additional record, no bytes for it */
	CHECK_EQ(parse(&p, &m), WIRE_ECOUNT);
	pk_header(&p, 1, 0, 0xFFFF, 0, 0, 0);
	CHECK_EQ(parse(&p, &m), WIRE_EQDCOUNT);
}

/* Response: www.example.com A -> CNAME web.example.com, web A 192.0.2.1,
 * authority example.com NS ns.example.com, additional ns A + OPT. */
static void make_response(struct pk *p)
{
	pk_header(p, 0x1234, WIRE_FLAG_QR | WIRE_FLAG_RD | WIRE_FLAG_RA, 1, 2, 1, 2);
	pk_name(p, "www.example.com"); /* 12; "example.com" at 16 */
	pk_u16(p, WIRE_TYPE_A);
	pk_u16(p, WIRE_CLASS_IN);
	pk_bytes(p, "\xC0\x0C", 2);
	pk_rr_fixed(p, WIRE_TYPE_CNAME, WIRE_CLASS_IN, 300, 6);
	size_t web = p->len;
	pk_bytes(p, "\3web\xC0\x10", 6);
	pk_u16(p, (uint16_t)(0xC000 | web));
	pk_rr_fixed(p, WIRE_TYPE_A, WIRE_CLASS_IN, 60, 4);
	pk_bytes(p, "\xC0\x00\x02\x01", 4);
	pk_bytes(p, "\xC0\x10", 2);
	pk_rr_fixed(p, WIRE_TYPE_NS, WIRE_CLASS_IN, 86400, 5);
	size_t ns = p->len;
	pk_bytes(p, "\2ns\xC0\x10", 5);
	pk_u16(p, (uint16_t)(0xC000 | ns));
	pk_rr_fixed(p, WIRE_TYPE_A, WIRE_CLASS_IN, 86400, 4);
	pk_bytes(p, "\xC0\x00\x02\x35", 4);
	pk_opt(p, 1232, 0, 0, WIRE_EDNS_FLAG_DO, NULL, 0);
}

static void test_response_records_are_located(void)
{
	struct pk p;
	struct wire_msg m;

	make_response(&p);
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK_EQ(m.rr_count, 5);
	CHECK_EQ(m.rr[0].section, WIRE_SECTION_ANSWER);
	CHECK_EQ(m.rr[0].type, WIRE_TYPE_CNAME);
	CHECK_EQ(m.rr[0].ttl, 300);
	CHECK_EQ(m.rr[0].name_off, 33);
	CHECK_EQ(m.rr[0].rdlen, 6);
	CHECK_EQ(m.rr[1].type, WIRE_TYPE_A);
	CHECK_MEM(p.b + m.rr[1].rdata_off, "\xC0\x00\x02\x01", 4);
	CHECK_EQ(m.rr[2].section, WIRE_SECTION_AUTHORITY);
	CHECK_EQ(m.rr[2].type, WIRE_TYPE_NS);
	CHECK_EQ(m.rr[3].section, WIRE_SECTION_ADDITIONAL);
	CHECK_EQ(m.rr[4].type, WIRE_TYPE_OPT);
	CHECK_EQ(m.opt_index, 4);
	CHECK(m.edns.present);
	CHECK_EQ(m.end_off, p.len);
}

static void test_rdata_decompress_expands_names(void)
{
	struct pk p;
	struct wire_msg m;
	uint8_t out[256];
	size_t outlen;

	make_response(&p);
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK_EQ(wire_rdata_decompress(p.b, p.len, &m.rr[0], out, sizeof(out), &outlen), WIRE_OK);
	CHECK_EQ(outlen, 17);
	CHECK_MEM(out, "\3web\7example\3com\0", 17);
	CHECK_EQ(wire_rdata_decompress(p.b, p.len, &m.rr[0], out, 10, &outlen), WIRE_ENOSPC);
	CHECK_EQ(wire_rdata_decompress(p.b, p.len, &m.rr[1], out, sizeof(out), &outlen), WIRE_OK);
	CHECK_EQ(outlen, 4);
}

static void test_rdlength_past_end_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_header(&p, 1, WIRE_FLAG_QR, 0, 1, 0, 0);
	pk_name(&p, "example");
	pk_rr_fixed(&p, WIRE_TYPE_TXT, WIRE_CLASS_IN, 1, 20);
	pk_bytes(&p, "\5hello", 6);
	CHECK_EQ(parse(&p, &m), WIRE_ERDATA);
}

static void test_record_cut_in_fixed_fields_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_header(&p, 1, WIRE_FLAG_QR, 0, 1, 0, 0);
	pk_name(&p, "example.org");
	pk_u16(&p, WIRE_TYPE_A);
	pk_u16(&p, WIRE_CLASS_IN);
	CHECK_EQ(parse(&p, &m), WIRE_ESHORT);
}

static void test_name_in_ns_rdata_past_rdlength_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_header(&p, 1, WIRE_FLAG_QR, 0, 0, 1, 0);
	pk_name(&p, "example");
	pk_rr_fixed(&p, WIRE_TYPE_NS, WIRE_CLASS_IN, 1, 4);
	pk_name(&p, "ns.example"); /* 12 bytes, RDLENGTH says 4 */
	pk_bytes(&p, "\0\0\0\0\0\0\0\0\0\0\0", 11);
	CHECK_EQ(parse(&p, &m), WIRE_ERDATA);
}

static void test_rdata_with_bytes_after_name_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_header(&p, 1, WIRE_FLAG_QR, 0, 1, 0, 0);
	pk_name(&p, "example");
	pk_rr_fixed(&p, WIRE_TYPE_CNAME, WIRE_CLASS_IN, 1, 5);
	pk_bytes(&p, "\1x\0\0\0", 5);
	CHECK_EQ(parse(&p, &m), WIRE_ERDATA);
}

static void test_bad_pointer_inside_rdata_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_header(&p, 1, WIRE_FLAG_QR, 0, 1, 0, 0);
	pk_name(&p, "example");
	pk_rr_fixed(&p, WIRE_TYPE_MX, WIRE_CLASS_IN, 1, 4);
	pk_u16(&p, 10);
	pk_u16(&p, (uint16_t)(0xC000 | (p.len)));  /* points at itself */
	CHECK_EQ(parse(&p, &m), WIRE_EPTR);
}

static void test_soa_with_short_tail_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_header(&p, 1, WIRE_FLAG_QR, 0, 0, 1, 0);
	pk_name(&p, "example");
	pk_rr_fixed(&p, WIRE_TYPE_SOA, WIRE_CLASS_IN, 1, 2 + 2 + 19);
	pk_bytes(&p, "\xC0\x0C\xC0\x0C", 4);
	memset(p.b + p.len, 0, 19);
	p.len += 19;
	CHECK_EQ(parse(&p, &m), WIRE_ERDATA);
	wire_put_u16(p.b + p.len - 19 - 4 - 2, 24);
	memset(p.b + p.len, 0, 1);
	p.len += 1;
	CHECK_EQ(parse(&p, &m), WIRE_OK);
}

static void test_a_record_of_wrong_length_is_rejected(void)
{
	struct pk p;
	struct wire_msg m;

	pk_header(&p, 1, WIRE_FLAG_QR, 0, 1, 0, 0);
	pk_name(&p, "example");
	pk_rr_fixed(&p, WIRE_TYPE_A, WIRE_CLASS_IN, 1, 5);
	pk_bytes(&p, "\1\2\3\4\5", 5);
	CHECK_EQ(parse(&p, &m), WIRE_ERDATA);
}

static void test_more_records_than_capacity_gives_ecapacity(void)
{
	struct pk p;
	struct wire_msg m;
	struct wire_rr_ref one[1];

	make_response(&p);
	m.rr = one;
	m.rr_cap = 1;
	CHECK_EQ(wire_parse_msg(p.b, p.len, &m), WIRE_ECAPACITY);
	CHECK(!wire_err_is_malformed(WIRE_ECAPACITY));
	CHECK_EQ(m.rr_count, 1);
	CHECK(m.edns.present); /* the walk went on to the end */
	m.rr = NULL;
	m.rr_cap = 0;
	CHECK_EQ(wire_parse_msg(p.b, p.len, &m), WIRE_OK);
}

static void test_capacity_does_not_hide_malformed_records(void)
{
	struct pk p;
	struct wire_msg m;
	struct wire_rr_ref one[1];

	make_response(&p);
	p.len -= 3; /* cut into the OPT record */
	m.rr = one;
	m.rr_cap = 1;
	CHECK(wire_err_is_malformed(wire_parse_msg(p.b, p.len, &m)));
}

static void test_trailing_bytes_are_tolerated(void)
{
	struct pk p;
	struct wire_msg m;

	pk_query(&p, "example", WIRE_TYPE_A);
	size_t end = p.len;
	pk_bytes(&p, "\0\0\0", 3);
	CHECK_EQ(parse(&p, &m), WIRE_OK);
	CHECK_EQ(m.end_off, end);
}

static void test_strerror_names_every_code(void)
{
	for (int e = WIRE_OK; e >= WIRE_EBADVERS; e--)
		CHECK(strcmp(wire_strerror(e), "unknown error") != 0);
	CHECK(strcmp(wire_strerror(-1000), "unknown error") == 0);
	CHECK(strcmp(wire_strerror(5), "unknown error") == 0);
}

int main(void)
{
	RUN(test_valid_query_parses);
	RUN(test_truncated_header_is_rejected);
	RUN(test_truncated_question_is_rejected);
	RUN(test_qdcount_zero_parses_without_question);
	RUN(test_qdcount_two_is_rejected);
	RUN(test_counts_larger_than_packet_are_rejected);
	RUN(test_response_records_are_located);
	RUN(test_rdata_decompress_expands_names);
	RUN(test_rdlength_past_end_is_rejected);
	RUN(test_record_cut_in_fixed_fields_is_rejected);
	RUN(test_name_in_ns_rdata_past_rdlength_is_rejected);
	RUN(test_rdata_with_bytes_after_name_is_rejected);
	RUN(test_bad_pointer_inside_rdata_is_rejected);
	RUN(test_soa_with_short_tail_is_rejected);
	RUN(test_a_record_of_wrong_length_is_rejected);
	RUN(test_more_records_than_capacity_gives_ecapacity);
	RUN(test_capacity_does_not_hide_malformed_records);
	RUN(test_trailing_bytes_are_tolerated);
	RUN(test_strerror_names_every_code);
	TEST_EXIT();
}
