/*
 * frame_check.h: a reference Internet checksum (RFC 1071) for dataplane tests, written
 * independently of dataplane/net so that tests check the module, not themselves.
 */
#ifndef SEKISHO_TESTS_FRAME_CHECK_H
#define SEKISHO_TESTS_FRAME_CHECK_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t ref_cksum_add(const uint8_t *d, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)d[i] << 8 | d[i + 1];
	if (n & 1)
		s += (uint32_t)d[n - 1] << 8;
	return s;
}

static inline uint16_t ref_cksum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* 0 when the L4 segment (UDP/ICMPv6) with its pseudo header checks out. */
static inline uint16_t ref_l4_check(const uint8_t *l3, int v6, uint8_t proto,
				    const uint8_t *l4, size_t len)
{
	uint32_t s = v6 ? ref_cksum_add(l3 + 8, 32, 0) : ref_cksum_add(l3 + 12, 8, 0);

	s += proto + (uint32_t)len;
	return ref_cksum_fold(ref_cksum_add(l4, len, s));
}

#endif
