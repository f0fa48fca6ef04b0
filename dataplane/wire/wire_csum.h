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

/* "No sum": the receiver computes it from the message itself. */
#define WIRE_CSUM_UNKNOWN 0x10000u

/* Fold a wide one's-complement sum to 16 bits. */
static inline uint16_t wire_csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)((sum & 0xffffu) + (sum >> 16));
}

/* The sum of @len bytes (starting at an even offset of the message; an odd last
 * byte padded with zero), folded. Four bytes per addition: a big-endian 32-bit
 * number is two words, and 2^16 = 1 modulo 2^16 - 1 (RFC 1071 section 2). */
static inline uint16_t wire_csum_bytes(const uint8_t *p, size_t len)
{
	uint64_t sum = 0;
	size_t i = 0;

	for (; i + 4 <= len; i += 4)
		sum += (uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 |
		       (uint32_t)p[i + 2] << 8 | p[i + 3];
	for (; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < len)
		sum += (uint32_t)p[i] << 8;
	return wire_csum_fold(sum);
}

/* A 32-bit field's share (at an even offset). */
static inline uint16_t wire_csum_u32(uint32_t v)
{
	return wire_csum_fold((uint64_t)(v >> 16) + (v & 0xffffu));
}

/* A piece's sum where the piece starts at offset @off of the message. */
static inline uint16_t wire_csum_at(uint16_t sum, size_t off)
{
	return (off & 1) ? (uint16_t)(sum << 8 | sum >> 8) : sum;
}

static inline uint16_t wire_csum_add(uint16_t a, uint16_t b)
{
	return wire_csum_fold((uint32_t)a + b);
}

static inline uint16_t wire_csum_sub(uint16_t a, uint16_t b)
{
	return wire_csum_fold((uint32_t)a + (uint16_t)~b);
}

/* A 16-bit field at an even offset changed from @old to @new. */
static inline uint16_t wire_csum_replace16(uint16_t sum, uint16_t old, uint16_t new)
{
	return wire_csum_add(wire_csum_sub(sum, old), new);
}

#endif /* SEKISHO_WIRE_CSUM_H */
