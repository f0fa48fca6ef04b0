/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cache.c: the response cache on one lcore under EAL (--no-huge, no PCI).
 * Responses are built with the real wire builder, so the TTL offsets are the
 * ones the resolver will hand over. Time is faked: every call gets `now`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "cache.h"
#include "wire.h"

#include "dp_check.h"

#define T0 1000000u  /* fake clock origin (seconds) */

static unsigned int me;  /* this lcore */

/* ---- building responses with the wire builder ---- */

struct img {
	uint8_t buf[4096];
	size_t len;
	uint16_t ttl_off[WIRE_BUILD_TTL_MAX];
	uint16_t ttl_count;
};

static const uint8_t NAME_WWW[] = "\3www\7example\3com";        /* + root (the NUL) */
static const uint8_t NAME_WWW_MIXED[] = "\3WwW\7ExAmPlE\3CoM";
static const uint8_t NAME_MAIL[] = "\4mail\7example\3com";
static const uint8_t ZONE[] = "\7example\3com";

static void
img_finish(struct img *im, const struct wire_builder *b)
{
	im->len = b->len;
	im->ttl_count = b->ttl_count;
	memcpy(im->ttl_off, b->ttl_off, b->ttl_count * sizeof(uint16_t));
}

/* NOERROR answer to (name, A) with one A record per TTL given (rdata 192.0.2.i). */
static void
make_answer(struct img *im, const uint8_t *name, size_t nlen, const uint32_t *ttls,
	    unsigned int n)
{
	struct wire_builder b;

	wire_build_init(&b, im->buf, sizeof(im->buf), sizeof(im->buf));
	CHECK_EQ(wire_build_header(&b, 0x1234, 0x8180), WIRE_OK);
	CHECK_EQ(wire_build_question(&b, name, nlen, 1, 1), WIRE_OK);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t a[4] = { 192, 0, 2, (uint8_t)(i + 1) };

		CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, name, nlen, 1, 1, ttls[i], a, 4),
			 WIRE_OK);
	}
	img_finish(im, &b);
}

/* NXDOMAIN for (name, A) with the zone's SOA in the authority section. */
static void
make_nxdomain(struct img *im, const uint8_t *name, size_t nlen, uint32_t soa_ttl,
	      uint32_t soa_min)
{
	struct wire_builder b;
	uint8_t rd[64];
	size_t n = 0;
	static const uint8_t mname[] = "\3ns1\7example\3com";
	static const uint8_t rname[] = "\4host\7example\3com";
	const uint32_t nums[5] = { 2024010101, 7200, 900, 1209600, soa_min };

	memcpy(rd + n, mname, sizeof(mname));
	n += sizeof(mname);
	memcpy(rd + n, rname, sizeof(rname));
	n += sizeof(rname);
	for (unsigned int i = 0; i < 5; i++) {
		rd[n++] = (uint8_t)(nums[i] >> 24);
		rd[n++] = (uint8_t)(nums[i] >> 16);
		rd[n++] = (uint8_t)(nums[i] >> 8);
		rd[n++] = (uint8_t)nums[i];
	}
	wire_build_init(&b, im->buf, sizeof(im->buf), sizeof(im->buf));
	CHECK_EQ(wire_build_header(&b, 0x1234, 0x8183), WIRE_OK);
	CHECK_EQ(wire_build_question(&b, name, nlen, 1, 1), WIRE_OK);
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_AUTHORITY, ZONE, sizeof(ZONE), 6, 1, soa_ttl,
			       rd, (uint16_t)n), WIRE_OK);
	img_finish(im, &b);
}

static struct cache_response
resp_of(const struct img *im, bool negative)
{
	return (struct cache_response){
		.msg = im->buf, .len = im->len, .ttl_off = im->ttl_off,
		.ttl_count = im->ttl_count, .negative = negative, .ttl_if_none = 5,
	};
}

/* A question entry (name, type A, class IN) in q; its length. */
static size_t
make_question(uint8_t *q, const uint8_t *name, size_t nlen, uint16_t qtype)
{
	memcpy(q, name, nlen);
	q[nlen] = (uint8_t)(qtype >> 8);
	q[nlen + 1] = (uint8_t)qtype;
	q[nlen + 2] = 0;
	q[nlen + 3] = 1;
	return nlen + 4;
}

static uint32_t
ttl_at(const uint8_t *msg, uint16_t off)
{
	return (uint32_t)msg[off] << 24 | (uint32_t)msg[off + 1] << 16 |
	       (uint32_t)msg[off + 2] << 8 | msg[off + 3];
}

/* A fresh answer was copied (with or without the prefetch hint). */
static bool
fresh(enum cache_result r)
{
	return r == CACHE_HIT || r == CACHE_HIT_PREFETCH;
}

static struct cache *
new_cache(size_t limit, uint32_t shards, uint32_t stale_window)
{
	struct cache_config cfg;
	struct cache *c;

	cache_config_default(&cfg);
	cfg.memory_limit = limit;
	cfg.shards = shards;
	cfg.stale_window = stale_window;
	cfg.seed = 42;
	c = cache_create(&cfg);
	CHECK(c != NULL);
	if (c != NULL)
		CHECK_EQ(cache_reader_register(c, me), 0);
	return c;
}

static void
drop_cache(struct cache *c)
{
	cache_reader_unregister(c, me);
	cache_free(c);
}

/* ---- tests ---- */

/* Keys lowercase 'A'..'Z' and nothing else, whatever the byte and wherever it sits
 * in the name (the key maker works on eight bytes at a time). */
static void
test_key_lowercases_ascii_letters_only(void)
{
	struct cache *c = new_cache(4u << 20, 4, 0);

	for (unsigned int b = 1; b < 256; b++) {
		for (unsigned int pos = 0; pos < 20; pos++) {
			uint8_t q[64] = { 21 }, want[64] = { 21 };
			struct cache_key k;

			memset(q + 1, 'x', 21);
			memset(want + 1, 'x', 21);
			q[1 + pos] = (uint8_t)b;
			want[1 + pos] = (uint8_t)(b >= 'A' && b <= 'Z' ? b + 32 : b);
			q[22] = 0;
			want[22] = 0;
			q[23] = 0;
			q[24] = 1;
			q[25] = 0;
			q[26] = 1;
			CHECK_EQ(cache_key_init(c, &k, q, 27, 0), 0);
			CHECK_EQ(k.name_len, 23);
			CHECK(memcmp(k.name, want, 23) == 0);
		}
	}
	drop_cache(c);
}

static void
test_hit_is_byte_exact_with_client_id_and_case(void)
{
	struct cache *c = new_cache(4u << 20, 4, 0);
	const uint32_t ttls[2] = { 300, 600 };
	struct img im;
	uint8_t q[300], out[4096], want[4096];
	struct cache_key k;
	struct cache_response r;
	size_t qlen, len = 0;

	make_answer(&im, NAME_WWW, sizeof(NAME_WWW), ttls, 2);
	r = resp_of(&im, false);
	qlen = make_question(q, NAME_WWW_MIXED, sizeof(NAME_WWW_MIXED), 1);
	CHECK_EQ(cache_key_init(c, &k, q, qlen, 0), 0);
	CHECK_EQ(cache_lookup(c, me, &k, 7, T0, 0, out, sizeof(out), &len), CACHE_MISS);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);

	memcpy(want, im.buf, im.len);
	want[0] = 0xbe;
	want[1] = 0xef;
	memcpy(want + 12, q, qlen);
	CHECK_EQ(cache_lookup(c, me, &k, 0xbeef, T0, 0, out, sizeof(out), &len), CACHE_HIT);
	CHECK_EQ(len, im.len);
	CHECK(memcmp(out, want, im.len) == 0);
	CHECK(memcmp(out + 12, "\3WwW\7ExAmPlE", 12) == 0);

	/* the same question in lowercase finds the same entry and gets its own case */
	uint8_t q2[300];
	struct cache_key k2;
	size_t q2len = make_question(q2, NAME_WWW, sizeof(NAME_WWW), 1);

	CHECK_EQ(cache_key_init(c, &k2, q2, q2len, 0), 0);
	CHECK_EQ(k2.hash, k.hash);
	CHECK_EQ(cache_lookup(c, me, &k2, 1, T0, 0, out, sizeof(out), &len), CACHE_HIT);
	CHECK(memcmp(out + 12, NAME_WWW, sizeof(NAME_WWW)) == 0);
	CHECK_EQ(cache_lcore_stats(c, me)->hits, 2);
	drop_cache(c);
}

static void
test_ttls_count_down_and_expiry_is_a_miss(void)
{
	struct cache *c = new_cache(4u << 20, 4, 0);
	const uint32_t ttls[2] = { 300, 600 };
	struct img im;
	uint8_t q[300], out[4096];
	struct cache_key k;
	struct cache_response r;
	size_t len = 0;

	make_answer(&im, NAME_WWW, sizeof(NAME_WWW), ttls, 2);
	r = resp_of(&im, false);
	CHECK_EQ(cache_key_init(c, &k, q, make_question(q, NAME_WWW, sizeof(NAME_WWW), 1), 0), 0);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 100, 0, out, sizeof(out), &len), CACHE_HIT);
	CHECK_EQ(ttl_at(out, im.ttl_off[0]), 200);
	CHECK_EQ(ttl_at(out, im.ttl_off[1]), 500);
	CHECK(fresh(cache_lookup(c, me, &k, 1, T0 + 299, 0, out, sizeof(out), &len)));
	CHECK_EQ(ttl_at(out, im.ttl_off[0]), 1);
	/* the entry lives as long as its shortest TTL */
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 300, 0, out, sizeof(out), &len), CACHE_MISS);
	CHECK_EQ(cache_lcore_stats(c, me)->expired, 1);
	drop_cache(c);
}

static void
test_stale_window_serves_only_when_asked_with_stale_ttl(void)
{
	struct cache *c = new_cache(4u << 20, 4, 1000);
	const uint32_t ttls[1] = { 300 };
	struct img im;
	uint8_t q[300], out[4096];
	struct cache_key k;
	struct cache_response r;
	size_t len = 0;

	make_answer(&im, NAME_WWW, sizeof(NAME_WWW), ttls, 1);
	r = resp_of(&im, false);
	CHECK_EQ(cache_key_init(c, &k, q, make_question(q, NAME_WWW, sizeof(NAME_WWW), 1), 0), 0);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);
	memset(out, 0xaa, sizeof(out));
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 400, 0, out, sizeof(out), &len),
		 CACHE_EXPIRED_STALE);
	CHECK_EQ(out[0], 0xaa);   /* nothing copied */
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 400, CACHE_LOOKUP_STALE_OK, out, sizeof(out),
			      &len), CACHE_HIT_STALE);
	CHECK_EQ(ttl_at(out, im.ttl_off[0]), 30);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 1299, CACHE_LOOKUP_STALE_OK, out, sizeof(out),
			      &len), CACHE_HIT_STALE);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 1300, CACHE_LOOKUP_STALE_OK, out, sizeof(out),
			      &len), CACHE_MISS);
	drop_cache(c);
}

static void
test_min_and_max_ttl_clamps(void)
{
	struct cache_config cfg;
	const uint32_t ttls[2] = { 10, 100000 };
	struct img im;
	uint8_t q[300], out[4096];
	struct cache_key k;
	struct cache_response r;
	size_t len = 0;

	cache_config_default(&cfg);
	cfg.memory_limit = 4u << 20;
	cfg.min_ttl = 60;
	cfg.max_ttl = 3600;
	cfg.stale_window = 0;
	struct cache *c = cache_create(&cfg);

	CHECK(c != NULL);
	make_answer(&im, NAME_WWW, sizeof(NAME_WWW), ttls, 2);
	r = resp_of(&im, false);
	CHECK_EQ(cache_key_init(c, &k, q, make_question(q, NAME_WWW, sizeof(NAME_WWW), 1), 0), 0);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0, 0, out, sizeof(out), &len), CACHE_HIT);
	CHECK_EQ(ttl_at(out, im.ttl_off[0]), 60);
	CHECK_EQ(ttl_at(out, im.ttl_off[1]), 3600);
	CHECK(fresh(cache_lookup(c, me, &k, 1, T0 + 59, 0, out, sizeof(out), &len)));
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 60, 0, out, sizeof(out), &len), CACHE_MISS);
	cache_free(c);
}

static void
test_negative_entry_lives_min_of_soa_ttl_and_minimum(void)
{
	struct cache *c = new_cache(4u << 20, 4, 0);
	struct img im;
	uint8_t q[300], out[4096];
	struct cache_key k;
	struct cache_response r;
	size_t len = 0;

	make_nxdomain(&im, NAME_MAIL, sizeof(NAME_MAIL), 3600, 300);
	r = resp_of(&im, true);
	CHECK_EQ(cache_key_init(c, &k, q, make_question(q, NAME_MAIL, sizeof(NAME_MAIL), 1), 0), 0);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 10, 0, out, sizeof(out), &len), CACHE_HIT);
	CHECK_EQ(out[3] & 0x0f, 3);
	CHECK_EQ(ttl_at(out, im.ttl_off[0]), 290);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 300, 0, out, sizeof(out), &len), CACHE_MISS);

	/* a large SOA is capped by max_negative_ttl (3600 by default) */
	make_nxdomain(&im, NAME_MAIL, sizeof(NAME_MAIL), 86400, 86400);
	r = resp_of(&im, true);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0, 0, out, sizeof(out), &len), CACHE_HIT);
	CHECK_EQ(ttl_at(out, im.ttl_off[0]), 3600);
	drop_cache(c);
}

static void
test_prefetch_hint_is_given_once_near_expiry(void)
{
	struct cache *c = new_cache(4u << 20, 4, 0);
	const uint32_t ttls[1] = { 100 };
	struct img im;
	uint8_t q[300], out[4096];
	struct cache_key k;
	struct cache_response r;
	size_t len = 0;

	make_answer(&im, NAME_WWW, sizeof(NAME_WWW), ttls, 1);
	r = resp_of(&im, false);
	CHECK_EQ(cache_key_init(c, &k, q, make_question(q, NAME_WWW, sizeof(NAME_WWW), 1), 0), 0);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 89, 0, out, sizeof(out), &len), CACHE_HIT);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 91, 0, out, sizeof(out), &len),
		 CACHE_HIT_PREFETCH);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0 + 92, 0, out, sizeof(out), &len), CACHE_HIT);
	drop_cache(c);
}

static void
test_hash_match_with_other_key_fields_is_a_miss(void)
{
	struct cache *c = new_cache(4u << 20, 4, 0);
	const uint32_t ttls[1] = { 300 };
	struct img im;
	uint8_t q[300], q2[300], out[4096];
	struct cache_key k, other;
	struct cache_response r;
	size_t len = 0;

	make_answer(&im, NAME_WWW, sizeof(NAME_WWW), ttls, 1);
	r = resp_of(&im, false);
	CHECK_EQ(cache_key_init(c, &k, q, make_question(q, NAME_WWW, sizeof(NAME_WWW), 1), 0), 0);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);

	/* another name forced onto the same hash (a collision) */
	CHECK_EQ(cache_key_init(c, &other, q2, make_question(q2, NAME_MAIL, sizeof(NAME_MAIL), 1),
				0), 0);
	other.hash = k.hash;
	CHECK_EQ(cache_lookup(c, me, &other, 1, T0, 0, out, sizeof(out), &len), CACHE_MISS);
	/* same name, other type / DO / CD bits on the same hash */
	CHECK_EQ(cache_key_init(c, &other, q2, make_question(q2, NAME_WWW, sizeof(NAME_WWW), 28),
				0), 0);
	other.hash = k.hash;
	CHECK_EQ(cache_lookup(c, me, &other, 1, T0, 0, out, sizeof(out), &len), CACHE_MISS);
	CHECK_EQ(cache_key_init(c, &other, q2, make_question(q2, NAME_WWW, sizeof(NAME_WWW), 1),
				CACHE_KEY_DO), 0);
	CHECK(other.hash != k.hash);
	CHECK_EQ(cache_lookup(c, me, &other, 1, T0, 0, out, sizeof(out), &len), CACHE_MISS);
	other.hash = k.hash;
	CHECK_EQ(cache_lookup(c, me, &other, 1, T0, 0, out, sizeof(out), &len), CACHE_MISS);
	CHECK_EQ(cache_lcore_stats(c, me)->key_mismatch, 3);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0, 0, out, sizeof(out), &len), CACHE_HIT);
	drop_cache(c);
}

/*
 * A name of the same length that differs in one byte, at every position, forced
 * onto the hash of the cached one, is a miss; the cached name itself, asked in
 * other letter case, a hit. Names of 5 to 40 bytes: shorter and longer than the
 * eight bytes the name comparison takes at a time.
 */
static void
test_same_length_names_differing_anywhere_miss(void)
{
	struct cache *c = new_cache(4u << 20, 4, 0);
	const uint32_t ttls[1] = { 300 };
	uint8_t name[64], q[300], q2[300], out[4096];
	struct cache_key k, other;
	struct cache_response r;
	struct img im;
	size_t len = 0;

	for (size_t label = 3; label <= 38; label += 5) {
		size_t nlen = label + 2;                 /* one label and the root */

		name[0] = (uint8_t)label;
		for (size_t i = 0; i < label; i++)
			name[1 + i] = (uint8_t)('a' + (i * 7 + label) % 26);
		name[1 + label] = 0;
		make_answer(&im, name, nlen, ttls, 1);
		r = resp_of(&im, false);
		CHECK_EQ(cache_key_init(c, &k, q, make_question(q, name, nlen, 1), 0), 0);
		CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);
		for (size_t pos = 1; pos <= label; pos++) {
			uint8_t alt[64];

			memcpy(alt, name, nlen);
			alt[pos] = alt[pos] == 'z' ? 'y' : (uint8_t)(alt[pos] + 1);
			CHECK_EQ(cache_key_init(c, &other, q2, make_question(q2, alt, nlen, 1), 0),
				 0);
			other.hash = k.hash;
			CHECK_EQ(cache_lookup(c, me, &other, 1, T0, 0, out, sizeof(out), &len),
				 CACHE_MISS);
			alt[pos] = (uint8_t)(name[pos] - 32);   /* the same letter, upper case */
			CHECK_EQ(cache_key_init(c, &other, q2, make_question(q2, alt, nlen, 1), 0),
				 0);
			CHECK_EQ(cache_lookup(c, me, &other, 1, T0, 0, out, sizeof(out), &len),
				 CACHE_HIT);
		}
	}
	drop_cache(c);
}

static void
test_bad_inserts_and_small_buffers_are_refused(void)
{
	struct cache *c = new_cache(4u << 20, 4, 0);
	const uint32_t ttls[1] = { 300 };
	struct img im;
	uint8_t q[300], out[4096];
	struct cache_key k;
	struct cache_response r;
	size_t len = 0;
	uint16_t bad_off[1];

	make_answer(&im, NAME_WWW, sizeof(NAME_WWW), ttls, 1);
	CHECK_EQ(cache_key_init(c, &k, q, make_question(q, NAME_MAIL, sizeof(NAME_MAIL), 1), 0), 0);
	r = resp_of(&im, false);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), -EINVAL);           /* other question */
	CHECK_EQ(cache_key_init(c, &k, q, make_question(q, NAME_WWW, sizeof(NAME_WWW), 1), 0), 0);
	bad_off[0] = (uint16_t)(im.len - 2);
	r.ttl_off = bad_off;
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), -EINVAL);           /* TTL past the end */
	CHECK_EQ(cache_key_init(c, &k, q, 3, 0), -EINVAL);             /* not a question */
	CHECK_EQ(cache_key_init(c, &k, q, make_question(q, NAME_WWW, sizeof(NAME_WWW), 1), 0), 0);
	r = resp_of(&im, false);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0, 0, out, im.len - 1, &len), CACHE_TOO_BIG);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0, 0, out, im.len, &len), CACHE_HIT);
	CHECK_EQ(cache_remove(c, me, &k), 0);
	CHECK_EQ(cache_remove(c, me, &k), -ENOENT);
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0, 0, out, sizeof(out), &len), CACHE_MISS);
	drop_cache(c);
}

static void
test_replaced_entry_is_freed_only_after_readers_quiesce(void)
{
	struct cache *c = new_cache(4u << 20, 4, 0);
	uint32_t ttls[1] = { 300 };
	struct img im;
	uint8_t q[300], out[4096];
	struct cache_key k;
	struct cache_response r;
	size_t len = 0;

	CHECK_EQ(cache_key_init(c, &k, q, make_question(q, NAME_WWW, sizeof(NAME_WWW), 1), 0), 0);
	make_answer(&im, NAME_WWW, sizeof(NAME_WWW), ttls, 1);
	r = resp_of(&im, false);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);
	cache_quiescent(c, me);
	ttls[0] = 900;
	make_answer(&im, NAME_WWW, sizeof(NAME_WWW), ttls, 1);
	r = resp_of(&im, false);
	CHECK_EQ(cache_insert(c, me, &k, &r, T0), 0);   /* this lcore has not quiesced since */
	CHECK_EQ(cache_lookup(c, me, &k, 1, T0, 0, out, sizeof(out), &len), CACHE_HIT);
	CHECK_EQ(ttl_at(out, im.ttl_off[0]), 900);
	CHECK_EQ(cache_lcore_stats(c, me)->replaced, 1);
	CHECK_EQ(cache_reclaim(c, me), 0);              /* a reader may still hold it */
	cache_quiescent(c, me);
	CHECK_EQ(cache_reclaim(c, me), 1);
	CHECK_EQ(cache_lcore_stats(c, me)->reclaimed, 1);
	drop_cache(c);
}

/* Insert entry number i (distinct names in the 256-byte class) at now. */
static int
insert_nth(struct cache *c, uint32_t i, uint32_t now, uint32_t ttl)
{
	uint8_t name[32], q[64];
	struct img im;
	struct cache_key k;
	struct cache_response r;
	int n = snprintf((char *)name + 1, sizeof(name) - 1, "n%u", i);

	name[0] = (uint8_t)n;
	memcpy(name + 1 + n, ZONE, sizeof(ZONE));
	size_t nlen = 1 + (size_t)n + sizeof(ZONE);

	make_answer(&im, name, nlen, &ttl, 1);
	r = resp_of(&im, false);
	if (cache_key_init(c, &k, q, make_question(q, name, nlen, 1), 0) != 0)
		return -EINVAL;
	return cache_insert(c, me, &k, &r, now);
}

static enum cache_result
lookup_nth(struct cache *c, uint32_t i, uint32_t now)
{
	uint8_t name[32], q[64], out[512];
	struct cache_key k;
	size_t len;
	int n = snprintf((char *)name + 1, sizeof(name) - 1, "n%u", i);

	name[0] = (uint8_t)n;
	memcpy(name + 1 + n, ZONE, sizeof(ZONE));
	if (cache_key_init(c, &k, q, make_question(q, name, 1 + (size_t)n + sizeof(ZONE), 1),
			   0) != 0)
		return CACHE_MISS;
	return cache_lookup(c, me, &k, 1, now, 0, out, sizeof(out), &len);
}

/* The key of entry number i (as insert_nth), its question in q. */
static void
key_nth(struct cache *c, uint32_t i, struct cache_key *k, uint8_t *q)
{
	uint8_t name[32];
	int n = snprintf((char *)name + 1, sizeof(name) - 1, "n%u", i);

	name[0] = (uint8_t)n;
	memcpy(name + 1 + n, ZONE, sizeof(ZONE));
	CHECK_EQ(cache_key_init(c, k, q, make_question(q, name, 1 + (size_t)n + sizeof(ZONE), 1),
				0), 0);
}

/* A burst prefetch of hits and misses is only a hint: it counts, copies and claims
 * nothing, and the lookups after it answer as they would without it. */
static void
test_prefetch_burst_is_a_hint_only(void)
{
	struct cache *c = new_cache(4u << 20, 4, 0);
	enum { N = 40 };
	struct cache_key keys[N];
	const struct cache_key *kp[N];
	uint8_t q[N][64], out[512];
	struct cache_stats before, after;
	size_t len;

	for (uint32_t i = 0; i < N; i += 2)              /* even names cached, odd ones not */
		CHECK_EQ(insert_nth(c, i, T0, 100), 0);
	for (uint32_t i = 0; i < N; i++) {
		key_nth(c, i, &keys[i], q[i]);
		kp[i] = &keys[i];
	}
	cache_stats_sum(c, &before);
	cache_prefetch_burst(c, kp, 0);
	cache_prefetch_burst(c, kp, N);
	cache_stats_sum(c, &after);
	CHECK(memcmp(&before, &after, sizeof(before)) == 0);
	/* past the prefetch point (90 % of the TTL): the hint is still there to give */
	for (uint32_t i = 0; i < N; i++) {
		enum cache_result r = cache_lookup(c, me, &keys[i], (uint16_t)i, T0 + 95, 0, out,
						   sizeof(out), &len);

		CHECK_EQ(r, i % 2 == 0 ? CACHE_HIT_PREFETCH : CACHE_MISS);
		if (i % 2 == 0)
			CHECK(out[0] == 0 && out[1] == i && memcmp(out + 12, q[i], keys[i].qlen) == 0);
	}
	CHECK_EQ(cache_lcore_stats(c, me)->hits, N / 2);
	CHECK_EQ(cache_lcore_stats(c, me)->misses, N / 2);
	drop_cache(c);
}

static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;

	rte_malloc_get_socket_stats((int)rte_socket_id(), &st);
	return st.heap_allocsz_bytes;
}

static void
test_memory_limit_is_never_exceeded_and_eviction_makes_room(void)
{
	const size_t limit = 8u << 20;
	size_t before = heap_used();
	struct cache *c = new_cache(limit, 4, 0);
	size_t after_create = heap_used();
	uint32_t cap = cache_capacity(c), failed = 0;
	struct cache_stats st;

	CHECK(cache_memory(c) <= limit);
	CHECK(after_create - before <= limit);
	CHECK(cap > 1000);
	for (uint32_t i = 0; i < cap * 10; i++) {
		if (insert_nth(c, i, T0 + i / 1000, 3600) != 0)
			failed++;
		if (i % 32 == 31)
			cache_quiescent(c, me);
	}
	CHECK_EQ(heap_used(), after_create);        /* nothing allocated after create */
	CHECK(cache_count(c) <= cap);
	cache_stats_sum(c, &st);
	CHECK(st.evicted > cap * 5);
	CHECK(failed < cap / 100);                  /* rare: only while memory ripens */
	/* the newest entries are there */
	uint32_t found = 0;

	for (uint32_t i = cap * 10 - 100; i < cap * 10; i++)
		found += lookup_nth(c, i, T0 + cap / 100) == CACHE_HIT;
	CHECK(found >= 95);
	printf("  memory: limit %zu, used %zu, %u slots, %lu evicted, %u inserts failed\n",
	       limit, cache_memory(c), cap, (unsigned long)st.evicted, failed);
	CHECK(cache_flush(c, me) > 0);
	CHECK_EQ(lookup_nth(c, cap * 10 - 1, T0 + cap / 100), CACHE_MISS);
	drop_cache(c);
	CHECK_EQ(heap_used(), before);
}

static void
test_popular_entries_survive_eviction_better_than_cold_ones(void)
{
	struct cache *c = new_cache(2u << 20, 4, 0);
	uint32_t cap = cache_capacity(c);
	const uint32_t hot = 200, per_round = 100;
	uint32_t rounds = cap * 4 / per_round, cold_next = hot;
	uint32_t hot_alive = 0, cold_alive = 0, cold_checked = 0;

	for (uint32_t i = 0; i < hot; i++)
		CHECK_EQ(insert_nth(c, i, T0, 86400), 0);
	for (uint32_t t = 1; t <= rounds; t++) {
		for (uint32_t i = 0; i < hot; i += 1 + t % 2)   /* every hot name most rounds */
			(void)lookup_nth(c, i, T0 + t);
		for (uint32_t i = 0; i < per_round; i++)
			(void)insert_nth(c, cold_next++, T0 + t, 86400);
		cache_quiescent(c, me);
	}
	for (uint32_t i = 0; i < hot; i++)
		hot_alive += lookup_nth(c, i, T0 + rounds) == CACHE_HIT;
	/* cold names inserted in the first half, each as old as the hot ones or younger */
	for (uint32_t i = hot; i < hot + (cold_next - hot) / 2; i++, cold_checked++)
		cold_alive += lookup_nth(c, i, T0 + rounds) == CACHE_HIT;
	printf("  popularity: %u slots, hot %u/%u alive, cold %u/%u alive\n",
	       cap, hot_alive, hot, cold_alive, cold_checked);
	CHECK(hot_alive * 100 >= hot * 90);
	CHECK(cold_alive * 100 < cold_checked * 30);
	drop_cache(c);
}

/* The reference: labels of 0..63 bytes, the root label within @qlen bytes and
 * within the 255 a name may take; the name's length, or -1. */
static int
ref_name_length(const uint8_t *q, size_t qlen)
{
	size_t off = 0;

	for (;;) {
		if (off >= qlen)
			return -1;
		if (q[off] == 0)
			return off + 1 <= 255 ? (int)off + 1 : -1;
		if (q[off] > 63)
			return -1;
		off += 1 + (size_t)q[off];
	}
}

/*
 * Names as the packet path reads them (cache_name_lower, cache_name_lower_hash: the
 * fast path trusts their check): valid exactly when the reference says so, with its
 * length, for names cut short, labels of 63/64 bytes, compression pointers, and
 * lengths at 254/255/256 bytes.
 */
static void
test_name_check_agrees_with_the_reference(void)
{
	struct cache *c = new_cache(2u << 20, 1, 0);
	uint8_t q[300], out[255];
	uint64_t h;

	srand(11);
	for (int iter = 0; iter < 200000; iter++) {
		size_t qlen = (size_t)(rand() % 300), pos = 0;

		/* labels of lengths biased to the edges, then a random end */
		while (pos < sizeof(q)) {
			int pick = rand() % 16;
			uint8_t l = pick < 10 ? (uint8_t)(rand() % 64) :
				    pick < 12 ? 63 : pick < 13 ? 64 : pick < 14 ? 0xc0 : 0;

			q[pos++] = l;
			if (l == 0 || l > 63)
				break;
			for (uint8_t i = 0; i < l && pos < sizeof(q); i++)
				q[pos++] = (uint8_t)('A' + rand() % 58);
		}
		if (iter % 3 == 0)
			qlen = pos + (size_t)(rand() % 3);       /* around the name's end */
		if (qlen > sizeof(q))
			qlen = sizeof(q);
		int want = ref_name_length(q, qlen);
		int got = cache_name_lower(q, qlen, out);
		int got_h = cache_name_lower_hash(c, q, qlen, out, &h);

		CHECK_EQ(got < 0 ? -1 : got, want);
		CHECK_EQ(got_h < 0 ? -1 : got_h, want);
	}
	drop_cache(c);
}

int
main(int argc, char **argv)
{
	char *eal[] = {
		argv[0], "--no-huge", "-m", "1024", "--no-shconf", "--no-pci", "-l", "0",
		"--log-level=error",
	};

	RTE_SET_USED(argc);
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	me = rte_lcore_id();
#define RUN(t) do { printf("%s\n", #t); t(); } while (0)
	RUN(test_key_lowercases_ascii_letters_only);
	RUN(test_name_check_agrees_with_the_reference);
	RUN(test_hit_is_byte_exact_with_client_id_and_case);
	RUN(test_ttls_count_down_and_expiry_is_a_miss);
	RUN(test_stale_window_serves_only_when_asked_with_stale_ttl);
	RUN(test_min_and_max_ttl_clamps);
	RUN(test_negative_entry_lives_min_of_soa_ttl_and_minimum);
	RUN(test_prefetch_hint_is_given_once_near_expiry);
	RUN(test_hash_match_with_other_key_fields_is_a_miss);
	RUN(test_same_length_names_differing_anywhere_miss);
	RUN(test_bad_inserts_and_small_buffers_are_refused);
	RUN(test_replaced_entry_is_freed_only_after_readers_quiesce);
	RUN(test_prefetch_burst_is_a_hint_only);
	RUN(test_memory_limit_is_never_exceeded_and_eviction_makes_room);
	RUN(test_popular_entries_survive_eviction_better_than_cold_ones);
	printf("%d checks, %d failures\n", checks, failures);
	rte_eal_cleanup();
	return failures ? 1 : 0;
}
