/*
 * wire_test.h - a tiny test runner and packet-making helpers for the wire tests.
 *
 * A test is a void function named for the behaviour it proves. CHECK* stop the
 * test at the first failure and report file:line; RUN() prints ok/FAIL per test;
 * TEST_EXIT() makes the executable exit non-zero when anything failed.
 */
#ifndef SEKISHO_WIRE_TEST_H
#define SEKISHO_WIRE_TEST_H

#include <stdio.h>
#include <string.h>

#include "wire.h"

static int test_failures;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__,     \
				__LINE__, __func__, #cond);                             \
			test_failures++;                                                \
			return;                                                         \
		}                                                                       \
	} while (0)

#define CHECK_EQ(a, b)                                                                  \
	do {                                                                            \
		long long a_ = (long long)(a), b_ = (long long)(b);                     \
		if (a_ != b_) {                                                         \
			fprintf(stderr, "%s:%d: %s: %s == %lld, expected %s == %lld\n",  \
				__FILE__, __LINE__, __func__, #a, a_, #b, b_);          \
			test_failures++;                                                \
			return;                                                         \
		}                                                                       \
	} while (0)

#define CHECK_MEM(p, q, n) CHECK(memcmp((p), (q), (n)) == 0)

#define RUN(fn)                                                                         \
	do {                                                                            \
		int before_ = test_failures;                                            \
		fn();                                                                   \
		printf("%s %s\n", test_failures == before_ ? "ok  " : "FAIL", #fn);     \
	} while (0)

#define TEST_EXIT() return test_failures == 0 ? 0 : 1

/* A packet being put together by a test. */
struct pk {
	uint8_t b[4096];
	size_t len;
};

static inline void pk_u8(struct pk *p, uint8_t v)
{
	p->b[p->len++] = v;
}

static inline void pk_u16(struct pk *p, uint16_t v)
{
	wire_put_u16(p->b + p->len, v);
	p->len += 2;
}

static inline void pk_u32(struct pk *p, uint32_t v)
{
	wire_put_u32(p->b + p->len, v);
	p->len += 4;
}

static inline void pk_bytes(struct pk *p, const void *src, size_t n)
{
	memcpy(p->b + p->len, src, n);
	p->len += n;
}

/*
 * Dotted text to an uncompressed wire name: "www.example" or "www.example."; "."
 * is the root. "\DDD" is a decimal byte, "\." a literal dot. Returns the length.
 */
static inline size_t text_name(const char *text, uint8_t *out)
{
	size_t w = 0, lab = 0;

	out[w++] = 0; /* length of the first label, patched as we go */
	for (const char *s = text; *s != '\0'; s++) {
		if (*s == '.') {
			if (w - lab == 1)
				break; /* "." alone, or a trailing dot */
			out[lab] = (uint8_t)(w - lab - 1);
			lab = w;
			out[w++] = 0;
			continue;
		}
		if (*s == '\\' && s[1] >= '0' && s[1] <= '9') {
			out[w++] = (uint8_t)((s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'));
			s += 3;
			continue;
		}
		if (*s == '\\')
			s++;
		out[w++] = (uint8_t)*s;
	}
	if (w - lab > 1) {
		out[lab] = (uint8_t)(w - lab - 1);
		out[w++] = 0;
	}
	return w;
}

static inline void pk_name(struct pk *p, const char *text)
{
	p->len += text_name(text, p->b + p->len);
}

static inline void pk_header(struct pk *p, uint16_t id, uint16_t flags, uint16_t qd,
			     uint16_t an, uint16_t ns, uint16_t ar)
{
	p->len = 0;
	pk_u16(p, id);
	pk_u16(p, flags);
	pk_u16(p, qd);
	pk_u16(p, an);
	pk_u16(p, ns);
	pk_u16(p, ar);
}

/* Type, class, TTL and RDLENGTH after an owner name already written. */
static inline void pk_rr_fixed(struct pk *p, uint16_t type, uint16_t class, uint32_t ttl,
			       uint16_t rdlen)
{
	pk_u16(p, type);
	pk_u16(p, class);
	pk_u32(p, ttl);
	pk_u16(p, rdlen);
}

/* An OPT record: owner root, udp size, ext_rcode/version/flags, RDATA. */
static inline void pk_opt(struct pk *p, uint16_t udp, uint8_t ext_rcode, uint8_t version,
			  uint16_t flags, const uint8_t *rdata, uint16_t rdlen)
{
	pk_u8(p, 0);
	pk_rr_fixed(p, WIRE_TYPE_OPT, udp,
		    ((uint32_t)ext_rcode << 24) | ((uint32_t)version << 16) | flags, rdlen);
	if (rdlen > 0)
		pk_bytes(p, rdata, rdlen);
}

/* "www.example.com. IN A" query with RD, EDNS optional. */
static inline void pk_query(struct pk *p, const char *qname, uint16_t qtype)
{
	pk_header(p, 0x1234, WIRE_FLAG_RD, 1, 0, 0, 0);
	pk_name(p, qname);
	pk_u16(p, qtype);
	pk_u16(p, WIRE_CLASS_IN);
}

#endif /* SEKISHO_WIRE_TEST_H */
