/*
 * test_wire_csum.c - checksum sums put together from pieces (wire_csum.h) equal the
 * sum of the whole message, for pieces at even and odd offsets, fields replaced,
 * and every length.
 */
#include <stdlib.h>

#include "wire_csum.h"
#include "wire_test.h"

/* The reference: RFC 1071 over the whole buffer, two bytes at a time. */
static uint16_t ref_sum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* One's-complement equality: 0x0000 and 0xffff are the same number. */
static bool same(uint16_t a, uint16_t b)
{
	return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0);
}

static void fill(uint8_t *b, size_t n, unsigned int seed)
{
	srand(seed);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)rand();
}

static void test_bytes_match_the_reference_for_every_length(void)
{
	uint8_t b[300];

	fill(b, sizeof(b), 1);
	for (size_t len = 0; len <= sizeof(b); len++)
		CHECK(same(wire_csum_bytes(b, len), ref_sum(b, len)));
}

/* A message cut in two at every offset: the pieces' sums, the second placed with
 * wire_csum_at, add up to the whole's. */
static void test_pieces_at_odd_and_even_offsets_add_up(void)
{
	uint8_t b[97];

	fill(b, sizeof(b), 2);
	for (size_t cut = 0; cut <= sizeof(b); cut++) {
		uint16_t s = wire_csum_add(wire_csum_bytes(b, cut),
					   wire_csum_at(wire_csum_bytes(b + cut, sizeof(b) - cut),
							cut));

		CHECK(same(s, ref_sum(b, sizeof(b))));
	}
}

/* A 32-bit field (a TTL) rewritten at every offset, and a 16-bit one (flags). */
static void test_fields_replaced_in_place(void)
{
	uint8_t b[64];

	fill(b, sizeof(b), 3);
	for (size_t off = 0; off + 4 <= sizeof(b); off++) {
		uint32_t old = (uint32_t)b[off] << 24 | (uint32_t)b[off + 1] << 16 |
			       (uint32_t)b[off + 2] << 8 | b[off + 3];
		uint32_t v = 0x12345678u + (uint32_t)off * 0x01010101u;
		uint16_t s = ref_sum(b, sizeof(b));

		s = wire_csum_sub(s, wire_csum_at(wire_csum_u32(old), off));
		s = wire_csum_add(s, wire_csum_at(wire_csum_u32(v), off));
		wire_put_u32(b + off, v);
		CHECK(same(s, ref_sum(b, sizeof(b))));
	}
	for (size_t off = 0; off + 2 <= sizeof(b); off += 2) {
		uint16_t s = wire_csum_replace16(ref_sum(b, sizeof(b)), wire_get_u16(b + off),
						 (uint16_t)(off * 257));

		wire_put_u16(b + off, (uint16_t)(off * 257));
		CHECK(same(s, ref_sum(b, sizeof(b))));
	}
}

int main(void)
{
	RUN(test_bytes_match_the_reference_for_every_length);
	RUN(test_pieces_at_odd_and_even_offsets_add_up);
	RUN(test_fields_replaced_in_place);
	TEST_EXIT();
}
