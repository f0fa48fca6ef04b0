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

/* The plain fold: add the carries back until none is left. */
static uint16_t ref_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The folds give exactly the plain fold's value, not just an equal one: a
 * receiver compares a header's sum with 0xffff, so a correct nonzero sum must
 * never come out as 0. Edge values (carries in every position, all ones, sums
 * that are multiples of 0xffff) and random ones, 32 and 64 bits wide.
 */
static void test_folds_are_exact(void)
{
	static const uint64_t edge[] = {
		0, 1, 0xffff, 0x10000, 0x1fffe, 0xfffeffff, 0xffff0001, 0xffffffff,
		0x100000000ull, 0xffffffff00000001ull, 0xffffffffffffffffull,
		0xfffeffffffff0001ull, 0x0001fffe0001fffeull, 0x8000800080008000ull,
	};

	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		CHECK_EQ(wire_csum_fold(edge[i]), ref_fold(edge[i]));
		CHECK_EQ(wire_csum_fold32((uint32_t)edge[i]), ref_fold((uint32_t)edge[i]));
	}
	srand(7);
	for (int i = 0; i < 200000; i++) {
		uint64_t v = (uint64_t)rand() << 33 ^ (uint64_t)rand() << 11 ^ (uint64_t)rand();
		uint16_t a = (uint16_t)rand(), b = (uint16_t)rand();

		CHECK_EQ(wire_csum_fold(v), ref_fold(v));
		CHECK_EQ(wire_csum_fold32((uint32_t)v), ref_fold((uint32_t)v));
		CHECK_EQ(wire_csum_add(a, b), ref_fold((uint32_t)a + b));
		CHECK_EQ(wire_csum_sub(a, b), ref_fold((uint32_t)a + (uint16_t)~b));
	}
}

int main(void)
{
	RUN(test_bytes_match_the_reference_for_every_length);
	RUN(test_pieces_at_odd_and_even_offsets_add_up);
	RUN(test_fields_replaced_in_place);
	RUN(test_folds_are_exact);
	TEST_EXIT();
}
