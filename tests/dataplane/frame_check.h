/*
 * frame_check.h: what the dataplane tests share: a CHECK macro, a reference Internet
 * checksum (RFC 1071) written independently of dataplane/net (so tests check the
 * module, not themselves), and builders of the frames and queries they send.
 */
#ifndef SEKISHO_TESTS_FRAME_CHECK_H
#define SEKISHO_TESTS_FRAME_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wire.h"
#include "wire_text.h"

static int failures;

#define CHECK(cond) do { \
	if (!(cond)) { \
		failures++; \
		fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

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

/*
 * Ethernet (dst_mac <- src_mac) + IPv4 + UDP around dlen bytes, with valid IPv4 and UDP
 * checksums, into f. Returns the frame length (42 + dlen).
 */
static inline size_t frame_udp4(uint8_t *f, const uint8_t *dst_mac, const uint8_t *src_mac,
				const uint8_t *src, uint16_t sport, const uint8_t *dst,
				uint16_t dport, const uint8_t *payload, size_t dlen)
{
	uint8_t *ip = f + 14, *udp = f + 34;
	uint32_t s;

	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	wire_put_u16(ip + 2, (uint16_t)(28 + dlen));
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	wire_put_u16(ip + 10, ref_cksum_fold(ref_cksum_add(ip, 20, 0)));
	wire_put_u16(udp, sport);
	wire_put_u16(udp + 2, dport);
	wire_put_u16(udp + 4, (uint16_t)(8 + dlen));
	wire_put_u16(udp + 6, 0);
	memcpy(udp + 8, payload, dlen);
	s = ref_cksum_add(ip + 12, 8, 17 + 8 + (uint32_t)dlen);
	s = ref_cksum_fold(ref_cksum_add(udp, 8 + dlen, s));
	wire_put_u16(udp + 6, s == 0 ? 0xffff : (uint16_t)s);
	return 42 + dlen;
}

/* A DNS message with one question (name, type A, class IN). Returns its length. */
static inline size_t frame_query(uint8_t *q, uint16_t id, uint16_t flags, const char *name)
{
	size_t n = 12;

	memset(q, 0, 12);
	wire_put_u16(q, id);
	wire_put_u16(q + 2, flags);
	wire_put_u16(q + 4, 1);
	n += (size_t)wire_text_name(name, strlen(name), NULL, q + n, 255);
	wire_put_u16(q + n, WIRE_TYPE_A);
	wire_put_u16(q + n + 2, WIRE_CLASS_IN);
	return n + 4;
}

#endif
