/*
 * test_wire_text.c - presentation format to wire: names and record lines.
 */
#include <stdlib.h>
#include <string.h>

#include "unit_check.h"
#include "wire_text.h"

static struct wire_text_rr *rr;

static int name(const char *text, const uint8_t *origin, uint8_t *out)
{
	return wire_text_name(text, strlen(text), origin, out, WIRE_TEXT_NAME_MAX);
}

static int parse(const char *line)
{
	return wire_text_rr(line, strlen(line), NULL, WIRE_TEXT_DEFAULT_TTL, rr);
}

static void test_absolute_name_keeps_case(void)
{
	uint8_t out[WIRE_TEXT_NAME_MAX];

	CHECK_NAME(out, name("www.Example.COM.", NULL, out), "\003www\007Example\003COM");
	CHECK_NAME(out, name(".", NULL, out), "");
}

static void test_relative_name_appends_origin(void)
{
	uint8_t out[WIRE_TEXT_NAME_MAX];
	static const uint8_t origin[] = "\005local\003lab";

	CHECK_NAME(out, name("www", origin, out), "\003www\005local\003lab");
	CHECK_NAME(out, name("@", origin, out), "\005local\003lab");
	CHECK_NAME(out, name("a.b", NULL, out), "\001a\001b");
	CHECK_NAME(out, name("@", NULL, out), "");
}

static void test_name_escapes(void)
{
	uint8_t out[WIRE_TEXT_NAME_MAX];

	CHECK_NAME(out, name("a\\.b.c.", NULL, out), "\003a.b\001c");
	CHECK_NAME(out, name("\\065bc.", NULL, out), "\003Abc");
	CHECK_NAME(out, name("x\\000y.", NULL, out), "\003x\000y");
	CHECK_NAME(out, name("a\\ b.", NULL, out), "\003a b");
	CHECK_INT(name("\\256.", NULL, out), WIRE_TEXT_EESCAPE);
	CHECK_INT(name("\\12.", NULL, out), WIRE_TEXT_EESCAPE);
	CHECK_INT(name("a\\", NULL, out), WIRE_TEXT_EESCAPE);
}

static void test_label_of_64_octets_is_rejected(void)
{
	uint8_t out[WIRE_TEXT_NAME_MAX];
	char text[80];

	memset(text, 'a', 63);
	strcpy(text + 63, ".");
	CHECK_INT(name(text, NULL, out), 65);
	memset(text, 'a', 64);
	strcpy(text + 64, ".");
	CHECK_INT(name(text, NULL, out), WIRE_TEXT_ELABEL);
}

static void test_name_over_255_octets_is_rejected(void)
{
	uint8_t out[WIRE_TEXT_NAME_MAX];
	char text[300];
	size_t n = 0;

	/* 3 labels of 63 and one of 61: 3*64 + 62 + 1 = 255 octets. */
	for (int l = 0; l < 4; l++) {
		size_t len = l < 3 ? 63 : 61;
		memset(text + n, 'x', len);
		n += len;
		text[n++] = '.';
	}
	text[n] = '\0';
	CHECK_INT(name(text, NULL, out), 255);
	text[n - 1] = 'y';
	strcpy(text + n, ".");
	CHECK_INT(name(text, NULL, out), WIRE_TEXT_ENAME);
}

static void test_empty_label_is_rejected(void)
{
	uint8_t out[WIRE_TEXT_NAME_MAX];

	CHECK_INT(name("a..b.", NULL, out), WIRE_TEXT_EEMPTYLABEL);
	CHECK_INT(name(".a.", NULL, out), WIRE_TEXT_EEMPTYLABEL);
	CHECK_INT(name("", NULL, out), WIRE_TEXT_ESYNTAX);
}

static void test_rr_a(void)
{
	CHECK_INT(parse("www.local.lab. 300 IN A 192.0.2.80"), 0);
	CHECK_NAME(rr->owner, rr->owner_len, "\003www\005local\003lab");
	CHECK_INT(rr->ttl, 300);
	CHECK_INT(rr->rclass, WIRE_CLASS_IN);
	CHECK_INT(rr->type, WIRE_TYPE_A);
	CHECK_BYTES(rr->rdata, rr->rdlen, 192, 0, 2, 80);
}

static void test_rr_ttl_and_class_are_optional_in_any_order(void)
{
	CHECK_INT(parse("www.local.lab. A 192.0.2.80"), 0);
	CHECK_INT(rr->ttl, WIRE_TEXT_DEFAULT_TTL);
	CHECK_INT(rr->rclass, WIRE_CLASS_IN);
	CHECK_INT(parse("x. CH 60 TXT a"), 0);
	CHECK_INT(rr->ttl, 60);
	CHECK_INT(rr->rclass, WIRE_CLASS_CH);
	CHECK_INT(parse("x. 1h30m a 192.0.2.1"), 0);
	CHECK_INT(rr->ttl, 5400);
	CHECK_INT(rr->type, WIRE_TYPE_A);
}

static void test_rr_aaaa(void)
{
	CHECK_INT(parse("v6.lab. AAAA 2001:db8::53"), 0);
	CHECK_INT(rr->type, WIRE_TYPE_AAAA);
	CHECK_BYTES(rr->rdata, rr->rdlen, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0, 0, 0x53);
}

static void test_rr_names_in_rdata(void)
{
	CHECK_INT(parse("lab. NS ns.lab."), 0);
	CHECK_NAME(rr->rdata, rr->rdlen, "\002ns\003lab");
	CHECK_INT(parse("a.lab. CNAME B.lab."), 0);
	CHECK_NAME(rr->rdata, rr->rdlen, "\001B\003lab");
	CHECK_INT(parse("lab. DNAME other."), 0);
	CHECK_INT(rr->type, WIRE_TYPE_DNAME);
	CHECK_INT(parse("80.2.0.192.in-addr.arpa. PTR www.lab."), 0);
	CHECK_NAME(rr->rdata, rr->rdlen, "\003www\003lab");
}

static void test_rr_mx(void)
{
	CHECK_INT(parse("lab. MX 10 mail.lab."), 0);
	CHECK_BYTES(rr->rdata, rr->rdlen, 0, 10, 4, 'm', 'a', 'i', 'l', 3, 'l', 'a', 'b', 0);
}

static void test_rr_txt_several_strings_with_escapes(void)
{
	CHECK_INT(parse("t.lab. TXT \"hello world\" plain \"a\\\"b\" \"\\065\" \"\""), 0);
	CHECK_BYTES(rr->rdata, rr->rdlen, 11, 'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd',
		    5, 'p', 'l', 'a', 'i', 'n', 3, 'a', '"', 'b', 1, 'A', 0);
}

static void test_rr_txt_string_over_255_is_rejected(void)
{
	char line[400] = "t.lab. TXT \"";
	size_t n = strlen(line);

	memset(line + n, 'x', 256);
	strcpy(line + n + 256, "\"");
	CHECK_INT(parse(line), WIRE_TEXT_ESTRING);
	line[n + 255] = '"';
	line[n + 256] = '\0';
	CHECK_INT(parse(line), 0);
	CHECK_INT(rr->rdlen, 256);
}

static void test_rr_soa(void)
{
	CHECK_INT(parse("local.lab. 3600 IN SOA ns.local.lab. host.local.lab. "
			"1 3600 600 86400 300"), 0);
	CHECK_INT(rr->type, WIRE_TYPE_SOA);
	CHECK_BYTES(rr->rdata, rr->rdlen,
		    2, 'n', 's', 5, 'l', 'o', 'c', 'a', 'l', 3, 'l', 'a', 'b', 0,
		    4, 'h', 'o', 's', 't', 5, 'l', 'o', 'c', 'a', 'l', 3, 'l', 'a', 'b', 0,
		    0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 0x02, 0x58,
		    0, 0x01, 0x51, 0x80, 0, 0, 0x01, 0x2c);
}

static void test_rr_soa_in_parentheses_with_comment(void)
{
	CHECK_INT(parse("lab. SOA ns.lab. h.lab. ( 2024010101 1h 10m 1d 5m ) ; soa"), 0);
	CHECK_INT(rr->rdlen, 8 + 7 + 20);
	const uint8_t *t = rr->rdata + 15;
	CHECK_BYTES(t, 20, 0x78, 0xa3, 0xf1, 0x75, 0, 0, 0x0e, 0x10, 0, 0, 0x02, 0x58,
		    0, 0x01, 0x51, 0x80, 0, 0, 0x01, 0x2c);
}

static void test_rr_srv(void)
{
	CHECK_INT(parse("_dns._udp.lab. SRV 1 2 53 ns.lab."), 0);
	CHECK_BYTES(rr->rdata, rr->rdlen, 0, 1, 0, 2, 0, 53, 2, 'n', 's', 3, 'l', 'a', 'b', 0);
}

static void test_rr_caa(void)
{
	CHECK_INT(parse("lab. CAA 128 issue \"ca.example\""), 0);
	CHECK_INT(rr->type, WIRE_TYPE_CAA);
	CHECK_BYTES(rr->rdata, rr->rdlen, 128, 5, 'i', 's', 's', 'u', 'e',
		    'c', 'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e');
}

static void test_rr_generic_rfc3597(void)
{
	CHECK_INT(parse("x.lab. TYPE65534 \\# 3 abcdef"), 0);
	CHECK_INT(rr->type, 65534);
	CHECK_BYTES(rr->rdata, rr->rdlen, 0xab, 0xcd, 0xef);
	CHECK_INT(parse("x.lab. 10 CLASS1 TYPE1 \\# 4 C0 00 0201"), 0);
	CHECK_INT(rr->rclass, 1);
	CHECK_INT(rr->type, 1);
	CHECK_BYTES(rr->rdata, rr->rdlen, 0xc0, 0, 2, 1);
	CHECK_INT(parse("x.lab. TYPE260 \\# 0"), 0);
	CHECK_INT(rr->rdlen, 0);
	CHECK_INT(parse("x.lab. DS \\# 2 0102"), 0);
	CHECK_INT(rr->type, 43);
	CHECK_INT(parse("x.lab. TYPE65534 \\# 4 abcdef"), WIRE_TEXT_ELENGTH);
	CHECK_INT(parse("x.lab. TYPE65534 \\# 2 abc"), WIRE_TEXT_ERDATA);
}

/* RFC 4034 appendix B key tag, to check a DNSKEY's base64 decoded right. */
static unsigned key_tag(const uint8_t *rd, size_t len)
{
	unsigned long ac = 0;

	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? rd[i] : (unsigned long)rd[i] << 8;
	ac += ac >> 16;
	return ac & 0xffff;
}

static void test_rr_ds_and_dnskey(void)
{
	/* the root's KSK-2017 and its DS (conf/root-anchors.xml, IANA) */
	CHECK_INT(parse(". IN DNSKEY 257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU="), 0);
	CHECK_INT(rr->type, 48);
	CHECK_INT(rr->rdlen, 4 + 260);
	CHECK_BYTES(rr->rdata, 4, 1, 1, 3, 8);
	CHECK_INT(key_tag(rr->rdata, rr->rdlen), 20326);
	/* the key in chunks, as zone files write it */
	CHECK_INT(parse("k.lab. DNSKEY 256 3 13 AAEC Aw=="), 0);
	CHECK_BYTES(rr->rdata, rr->rdlen, 1, 0, 3, 13, 0, 1, 2, 3);
	CHECK_INT(parse(". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"), 0);
	CHECK_INT(rr->type, 43);
	CHECK_INT(rr->rdlen, 4 + 32);
	CHECK_BYTES(rr->rdata, 6, 0x4f, 0x66, 8, 2, 0xe0, 0x6d);
	CHECK_INT(rr->rdata[35], 0x8d);
	CHECK_INT(parse("x.lab. DS 1 8 2 ab cd"), 0);
	CHECK_BYTES(rr->rdata, rr->rdlen, 0, 1, 8, 2, 0xab, 0xcd);
	CHECK_INT(parse("x.lab. DS 1 8 2 abc"), WIRE_TEXT_ERDATA);
	CHECK_INT(parse("x.lab. DS 1 8 2"), WIRE_TEXT_ERDATA);
	CHECK_INT(parse("x.lab. DS 1 8 2 xyz0"), WIRE_TEXT_ERDATA);
	CHECK_INT(parse("x.lab. DNSKEY 257 3 8 AA*A"), WIRE_TEXT_ERDATA);
	CHECK_INT(parse("x.lab. DNSKEY 257 3 8 AA=A"), WIRE_TEXT_ERDATA);
	CHECK_INT(parse("x.lab. DNSKEY 257 3 8 A"), WIRE_TEXT_ERDATA);
	CHECK_INT(parse("x.lab. DNSKEY 257 3"), WIRE_TEXT_EMISSING);
}

static void test_rr_errors_point_at_the_token(void)
{
	const char *line = "x.lab. 300 IN AX 192.0.2.1";

	CHECK_INT(parse(line), WIRE_TEXT_ETYPE);
	CHECK_INT(rr->err_len, 2);
	CHECK(memcmp(line + rr->err_off, "AX", 2) == 0);
	CHECK_INT(parse("x.lab. A 192.0.2.300"), WIRE_TEXT_ERDATA);
	CHECK_INT(parse("x.lab. A"), WIRE_TEXT_EMISSING);
	CHECK_INT(rr->err_len, 0);
	CHECK_INT(parse("x.lab. A 192.0.2.1 192.0.2.2"), WIRE_TEXT_ETRAILING);
	CHECK_INT(parse("x.lab. TXT \"open"), WIRE_TEXT_EQUOTE);
	CHECK_INT(parse("x.lab. MX 70000 m.lab."), WIRE_TEXT_ERDATA);
	CHECK_INT(parse("x.lab. NSEC3 1 2 3 abcd"), WIRE_TEXT_EUNSUPP);
	CHECK_INT(parse("x.lab. 4294967295 A 192.0.2.1"), WIRE_TEXT_ETTL);
}

static void test_type_and_class_mnemonics(void)
{
	uint16_t v;

	CHECK_INT(wire_text_type("aaaa", 4, &v), 0);
	CHECK_INT(v, 28);
	CHECK_INT(wire_text_type("TYPE65535", 9, &v), 0);
	CHECK_INT(v, 65535);
	CHECK_INT(wire_text_type("TYPE65536", 9, &v), WIRE_TEXT_ETYPE);
	CHECK_INT(wire_text_class("CLASS255", 8, &v), 0);
	CHECK_INT(v, 255);
	CHECK_INT(wire_text_class("XX", 2, &v), WIRE_TEXT_ECLASS);
	CHECK_STR(wire_text_type_name(257), "CAA");
	CHECK(wire_text_type_name(65534) == NULL);
	CHECK_STR(wire_text_rcode_name(0), "NOERROR");
	CHECK_STR(wire_text_rcode_name(2), "SERVFAIL");
	CHECK_STR(wire_text_rcode_name(3), "NXDOMAIN");
	CHECK_STR(wire_text_rcode_name(10), "NOTZONE");
	CHECK(wire_text_rcode_name(11) == NULL);
}

int main(void)
{
	rr = malloc(sizeof(*rr));
	if (rr == NULL)
		return 2;
	RUN(test_absolute_name_keeps_case);
	RUN(test_relative_name_appends_origin);
	RUN(test_name_escapes);
	RUN(test_label_of_64_octets_is_rejected);
	RUN(test_name_over_255_octets_is_rejected);
	RUN(test_empty_label_is_rejected);
	RUN(test_rr_a);
	RUN(test_rr_ttl_and_class_are_optional_in_any_order);
	RUN(test_rr_aaaa);
	RUN(test_rr_names_in_rdata);
	RUN(test_rr_mx);
	RUN(test_rr_txt_several_strings_with_escapes);
	RUN(test_rr_txt_string_over_255_is_rejected);
	RUN(test_rr_soa);
	RUN(test_rr_soa_in_parentheses_with_comment);
	RUN(test_rr_srv);
	RUN(test_rr_caa);
	RUN(test_rr_generic_rfc3597);
	RUN(test_rr_ds_and_dnskey);
	RUN(test_rr_errors_point_at_the_token);
	RUN(test_type_and_class_mnemonics);
	free(rr);
	return unit_check_exit();
}
