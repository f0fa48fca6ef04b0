/*
 * wire_csum.h - Internet checksum arithmetic (RFC 1071) for messages put together
 * from pieces.
 *
 * A cached answer is an image with a few fields rewritten per client (ID, the
 * question's letter case, TTLs, flags, an OPT record). Its UDP checksum can be had
 * from the image's sum, taken once when it is cached, and the sums of what changes,
 * instead of reading back the freshly written message (loads across many small
 * stores stall the core). Sums here are in network order: the message's 16-bit
 * words as the numbers they are on the wire (RFC 1071 section 2: byte order does
 * not change the one's-complement sum, only the view of it). A piece that starts
 * at an odd offset of the message lands one byte over: its sum is byte-swapped.
 */
#ifndef SEKISHO_WIRE_CSUM_H
#define SEKISHO_WIRE_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* "No sum": the receiver computes it from the message itself. */
#define WIRE_CSUM_UNKNOWN 0x10000u

/* Fold a 32-bit one's-complement sum to 16 bits: the high half of x plus x
 * rotated by 16 is hi + lo with the carry out of the low half added back in
 * (the end-around carry), in three instructions. */
static inline uint16_t wire_csum_fold32(uint32_t x)
{
	return (uint16_t)((x + (x >> 16 | x << 16)) >> 16);
}

/* Fold a wide one's-complement sum to 16 bits (64 to 32 the same way). */
static inline uint16_t wire_csum_fold(uint64_t sum)
{
	return wire_csum_fold32((uint32_t)((sum + (sum >> 32 | sum << 32)) >> 32));
}

/* The one's-complement sum of @len bytes in the CPU's byte order, added to @sum and
 * not folded (an odd last byte padded with zero). Eight bytes per step as two 32-bit
 * halves into a 64-bit accumulator: a 32-bit number is two words modulo 2^16 - 1
 * (RFC 1071 section 2), and no carry is lost before 2^31 steps. */
static inline uint64_t wire_csum_native(const uint8_t *p, size_t len, uint64_t sum)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, sizeof(w));
		sum += (w & 0xffffffffu) + (w >> 32);
	}
	if (i + 4 <= len) {
		uint32_t w;

		memcpy(&w, p + i, sizeof(w));
		sum += w;
		i += 4;
	}
	if (i + 2 <= len) {
		uint16_t w;

		memcpy(&w, p + i, sizeof(w));
		sum += w;
		i += 2;
	}
	if (i < len)
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		sum += p[i];                  /* the high byte of its word, zero below */
#else
		sum += (uint32_t)p[i] << 8;
#endif
	return sum;
}

/* The sum of @len bytes (starting at an even offset of the message; an odd last
 * byte padded with zero), folded, in network order: summed in the CPU's order and
 * turned once at the end (swapping the bytes of every word swaps those of the sum). */
static inline uint16_t wire_csum_bytes(const uint8_t *p, size_t len)
{
	uint16_t s = wire_csum_fold(wire_csum_native(p, len, 0));

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint16_t)(s << 8 | s >> 8);
#else
	return s;
#endif
}

/* A 32-bit field's share (at an even offset). */
static inline uint16_t wire_csum_u32(uint32_t v)
{
	return wire_csum_fold32((v >> 16) + (v & 0xffffu));
}

/* A piece's sum where the piece starts at offset @off of the message. */
static inline uint16_t wire_csum_at(uint16_t sum, size_t off)
{
	return (off & 1) ? (uint16_t)(sum << 8 | sum >> 8) : sum;
}

static inline uint16_t wire_csum_add(uint16_t a, uint16_t b)
{
	return wire_csum_fold32((uint32_t)a + b);
}

static inline uint16_t wire_csum_sub(uint16_t a, uint16_t b)
{
	return wire_csum_fold32((uint32_t)a + (uint16_t)~b);
}

/* A 16-bit field at an even offset changed from @old to @new. */
static inline uint16_t wire_csum_replace16(uint16_t sum, uint16_t old, uint16_t new)
{
	return wire_csum_add(wire_csum_sub(sum, old), new);
}

#endif /* SEKISHO_WIRE_CSUM_H */
