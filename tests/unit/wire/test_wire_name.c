/*
 * test_wire_name.c - names: compression checks, comparison, canonical order, text.
 */
#include "wire_test.h"

/* A packet of a header followed by @n raw bytes at offset 12. */
static size_t raw_at_12(struct pk *p, const uint8_t *bytes, size_t n)
{
	pk_header(p, 1, 0, 0, 0, 0, 0);
	pk_bytes(p, bytes, n);
	return p->len;
}

static void test_unpack_plain_name_keeps_case(void)
{
	struct pk p;
	uint8_t out[WIRE_NAME_MAX];
	size_t outlen, next;

	pk_header(&p, 1, 0, 0, 0, 0, 0);
	pk_name(&p, "WwW.Example.com");
	CHECK_EQ(wire_name_unpack(p.b, p.len, 12, out, &outlen, &next), WIRE_OK);
	CHECK_EQ(outlen, 17);
	CHECK_EQ(next, p.len);
	CHECK_MEM(out, "\3WwW\7Example\3com\0", 17);
}

static void test_unpack_follows_backward_pointer(void)
{
	struct pk p;
	uint8_t out[WIRE_NAME_MAX];
	size_t outlen, next;

	pk_header(&p, 1, 0, 0, 0, 0, 0);
	pk_name(&p, "example.com"); /* at 12 */
	size_t second = p.len;
	pk_bytes(&p, "\3www\xC0\x0C", 6);
	pk_u16(&p, 0xBEEF); /* something after the name */
	CHECK_EQ(wire_name_unpack(p.b, p.len, second, out, &outlen, &next), WIRE_OK);
	CHECK_EQ(outlen, 17);
	CHECK_MEM(out, "\3www\7example\3com\0", 17);
	CHECK_EQ(next, second + 6);
}

static void test_compression_loop_is_rejected(void)
{
	struct pk p;
	/* 12: pointer to 14; 14: pointer to 12. */
	raw_at_12(&p, (const uint8_t *)"\xC0\x0E\xC0\x0C", 4);
	CHECK_EQ(wire_name_skip(p.b, p.len, 14, NULL), WIRE_EPTR);
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_EPTR);
}

static void test_compression_loop_through_labels_is_rejected(void)
{
	struct pk p;
	/* 12: "a" then pointer back to 12: would repeat "a" forever. */
	raw_at_12(&p, (const uint8_t *)"\1a\xC0\x0C", 4);
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_EPTR);
}

static void test_self_pointer_is_rejected(void)
{
	struct pk p;
	raw_at_12(&p, (const uint8_t *)"\xC0\x0C", 2);
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_EPTR);
}

static void test_forward_pointer_is_rejected(void)
{
	struct pk p;
	/* 12: pointer to 14, where a valid name sits. */
	raw_at_12(&p, (const uint8_t *)"\xC0\x0E\3com\0", 7);
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_EPTR);
}

static void test_pointer_into_header_is_rejected(void)
{
	struct pk p;
	raw_at_12(&p, (const uint8_t *)"\xC0\x04", 2);
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_EPTR);
}

static void test_pointer_past_end_is_rejected(void)
{
	struct pk p;
	raw_at_12(&p, (const uint8_t *)"\3com\0\xFF\xFF", 7);
	CHECK_EQ(wire_name_skip(p.b, p.len, 17, NULL), WIRE_EPTR);
	/* A pointer whose second byte is missing. */
	raw_at_12(&p, (const uint8_t *)"\3com\0\xC0", 6);
	CHECK_EQ(wire_name_skip(p.b, p.len, 17, NULL), WIRE_ESHORT);
}

static void test_pointer_into_earlier_run_after_jump_is_rejected(void)
{
	struct pk p;
	/* 12: "a" then a pointer to 22; 20: "b" then (at 22) a pointer to 12.
	 * From 20 the jump to 12 is backward; 12's run then points to 22, which is
	 * not before 12: a loop through two runs, rejected. */
	raw_at_12(&p, (const uint8_t *)"\1a\xC0\x16\0\0\0\0\1b\xC0\x0C", 12);
	CHECK_EQ(wire_name_skip(p.b, p.len, 20, NULL), WIRE_EPTR);
}

static void test_reserved_label_types_are_rejected(void)
{
	struct pk p;
	raw_at_12(&p, (const uint8_t *)"\x40\0", 2); /* label length 64 = type 01 */
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_ELABEL);
	raw_at_12(&p, (const uint8_t *)"\x80\0", 2);
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_ELABEL);
	raw_at_12(&p, (const uint8_t *)"\x7F\0", 2);
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_ELABEL);
}

static void test_label_of_63_is_accepted(void)
{
	uint8_t name[65];

	name[0] = 63;
	memset(name + 1, 'x', 63);
	name[64] = 0;
	CHECK_EQ(wire_name_length(name, sizeof(name)), 65);
}

/* Appends a label of @n 'x' bytes. */
static void pk_label(struct pk *p, uint8_t n)
{
	pk_u8(p, n);
	memset(p->b + p->len, 'x', n);
	p->len += n;
}

static void test_name_over_255_is_rejected(void)
{
	struct pk p;

	pk_header(&p, 1, 0, 0, 0, 0, 0);
	for (int i = 0; i < 3; i++)
		pk_label(&p, 63);
	pk_label(&p, 61);
	pk_u8(&p, 0); /* 255 bytes exactly */
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_OK);
	CHECK_EQ(wire_name_length(p.b + 12, p.len - 12), 255);

	pk_header(&p, 1, 0, 0, 0, 0, 0);
	for (int i = 0; i < 3; i++)
		pk_label(&p, 63);
	pk_label(&p, 62);
	pk_u8(&p, 0); /* 256 bytes */
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_ENAME);
	CHECK_EQ(wire_name_length(p.b + 12, p.len - 12), WIRE_ENAME);
}

static void test_name_over_255_built_with_pointers_is_rejected(void)
{
	struct pk p;
	size_t starts[4];

	pk_header(&p, 1, 0, 0, 0, 0, 0);
	starts[0] = p.len;
	pk_label(&p, 63);
	pk_u8(&p, 0);
	for (int i = 1; i < 4; i++) {
		starts[i] = p.len;
		pk_label(&p, 63);
		pk_u16(&p, (uint16_t)(0xC000 | starts[i - 1]));
	}
	/* Three labels of 63 chained: 193 bytes, fine. Four: 257, too long. */
	CHECK_EQ(wire_name_skip(p.b, p.len, starts[2], NULL), WIRE_OK);
	CHECK_EQ(wire_name_skip(p.b, p.len, starts[3], NULL), WIRE_ENAME);
}

static void test_name_running_past_end_is_rejected(void)
{
	struct pk p;
	raw_at_12(&p, (const uint8_t *)"\7exam", 5);
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_ESHORT);
	raw_at_12(&p, (const uint8_t *)"\3com", 4); /* no root label */
	CHECK_EQ(wire_name_skip(p.b, p.len, 12, NULL), WIRE_ESHORT);
	CHECK_EQ(wire_name_skip(p.b, p.len, p.len, NULL), WIRE_ESHORT);
}

static void test_name_length_rejects_pointers(void)
{
	CHECK_EQ(wire_name_length((const uint8_t *)"\3www\xC0\x0C", 6), WIRE_EPTR);
	CHECK_EQ(wire_name_length((const uint8_t *)"\0", 1), 1);
	CHECK_EQ(wire_name_length((const uint8_t *)"", 0), WIRE_ESHORT);
}

static void test_equal_ignores_ascii_case_only(void)
{
	uint8_t a[WIRE_NAME_MAX], b[WIRE_NAME_MAX];
	size_t al = text_name("WWW.Example.COM", a), bl = text_name("www.example.com", b);

	CHECK(wire_name_equal(a, al, b, bl));
	bl = text_name("www.example.co", b);
	CHECK(!wire_name_equal(a, al, b, bl));
	/* '[' (0x5B) and '{' (0x7B) differ by 0x20 but are not letters. */
	al = text_name("[", a);
	bl = text_name("{", b);
	CHECK(!wire_name_equal(a, al, b, bl));
}

static void test_to_lower_changes_letters_only(void)
{
	uint8_t a[WIRE_NAME_MAX];
	size_t al = text_name("WwW.EXAMPLE-1.[", a);

	wire_name_to_lower(a, al);
	CHECK_MEM(a, "\3www\11example-1\1[\0", al);
}

static void test_canonical_order_matches_rfc4034_example(void)
{
	/* RFC 4034 §6.1, in canonical order. */
	static const char *const names[] = {
		"example", "a.example", "yljkjljk.a.example", "Z.a.example",
		"zABC.a.EXAMPLE", "z.example", "\\001.z.example", "*.z.example",
		"\\200.z.example",
	};
	const int n = (int)(sizeof(names) / sizeof(names[0]));
	uint8_t w[9][WIRE_NAME_MAX];
	size_t l[9];

	for (int i = 0; i < n; i++)
		l[i] = text_name(names[i], w[i]);
	for (int i = 0; i < n; i++) {
		CHECK_EQ(wire_name_canonical_cmp(w[i], l[i], w[i], l[i]), 0);
		for (int j = i + 1; j < n; j++) {
			CHECK(wire_name_canonical_cmp(w[i], l[i], w[j], l[j]) < 0);
			CHECK(wire_name_canonical_cmp(w[j], l[j], w[i], l[i]) > 0);
		}
	}
}

static void test_canonical_order_ignores_case_and_puts_root_first(void)
{
	uint8_t a[WIRE_NAME_MAX], b[WIRE_NAME_MAX];
	size_t al = text_name("Example.COM", a), bl = text_name("example.com", b);

	CHECK_EQ(wire_name_canonical_cmp(a, al, b, bl), 0);
	al = text_name(".", a);
	CHECK(wire_name_canonical_cmp(a, al, b, bl) < 0);
}

static void test_label_count_skips_root_and_leading_wildcard(void)
{
	uint8_t a[WIRE_NAME_MAX];

	CHECK_EQ(wire_name_label_count(a, text_name("www.example.com", a)), 3);
	CHECK_EQ(wire_name_label_count(a, text_name("*.example.com", a)), 2);
	CHECK_EQ(wire_name_label_count(a, text_name("a.*.example.com", a)), 4);
	CHECK_EQ(wire_name_label_count(a, text_name("*", a)), 0);
	CHECK_EQ(wire_name_label_count(a, text_name(".", a)), 0);
}

static void test_is_subdomain_respects_label_boundaries(void)
{
	uint8_t n[WIRE_NAME_MAX], z[WIRE_NAME_MAX];
	size_t zl = text_name("example.COM", z);

	CHECK(wire_name_is_subdomain(n, text_name("www.Example.com", n), z, zl));
	CHECK(wire_name_is_subdomain(n, text_name("example.com", n), z, zl));
	CHECK(!wire_name_is_subdomain(n, text_name("notexample.com", n), z, zl));
	CHECK(!wire_name_is_subdomain(n, text_name("com", n), z, zl));
	zl = text_name(".", z);
	CHECK(wire_name_is_subdomain(n, text_name("a.b.c", n), z, zl));
}

static void test_to_text_escapes_dots_and_non_printables(void)
{
	char text[WIRE_NAME_TEXT_MAX];
	const uint8_t name[] = "\3a.b\4\1 \\x\7example\0";

	CHECK_EQ(wire_name_to_text(name, sizeof(name) - 1, text, sizeof(text)), 25);
	CHECK(strcmp(text, "a\\.b.\\001\\032\\\\x.example.") == 0);
	CHECK_EQ(wire_name_to_text((const uint8_t *)"", 1, text, sizeof(text)), 1);
	CHECK(strcmp(text, ".") == 0);
	CHECK_EQ(wire_name_to_text(name, sizeof(name) - 1, text, 5), WIRE_ENOSPC);
	CHECK(strlen(text) < 5);
}

int main(void)
{
	RUN(test_unpack_plain_name_keeps_case);
	RUN(test_unpack_follows_backward_pointer);
	RUN(test_compression_loop_is_rejected);
	RUN(test_compression_loop_through_labels_is_rejected);
	RUN(test_self_pointer_is_rejected);
	RUN(test_forward_pointer_is_rejected);
	RUN(test_pointer_into_header_is_rejected);
	RUN(test_pointer_past_end_is_rejected);
	RUN(test_pointer_into_earlier_run_after_jump_is_rejected);
	RUN(test_reserved_label_types_are_rejected);
	RUN(test_label_of_63_is_accepted);
	RUN(test_name_over_255_is_rejected);
	RUN(test_name_over_255_built_with_pointers_is_rejected);
	RUN(test_name_running_past_end_is_rejected);
	RUN(test_name_length_rejects_pointers);
	RUN(test_equal_ignores_ascii_case_only);
	RUN(test_to_lower_changes_letters_only);
	RUN(test_canonical_order_matches_rfc4034_example);
	RUN(test_canonical_order_ignores_case_and_puts_root_first);
	RUN(test_label_count_skips_root_and_leading_wildcard);
	RUN(test_is_subdomain_respects_label_boundaries);
	RUN(test_to_text_escapes_dots_and_non_printables);
	TEST_EXIT();
}
