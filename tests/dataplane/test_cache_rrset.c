/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cache_rrset.c: the RRset store on one lcore under EAL (--no-huge, no PCI):
 * round trip with RRSIGs, the trust-rank rules, status changes, TTLs, separation
 * from response images in the same cache, and feeding whole DNS messages (built with
 * the real wire builder) with their sections, AA bit and bailiwick. Time is faked:
 * every call gets `now`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "cache.h"
#include "cache_rrset.h"
#include "wire.h"
#include "wire_text.h"

#include "dp_check.h"

#define T0 1000000u  /* fake clock origin (seconds) */

static unsigned int me;

static struct cache *
new_cache(void)
{
	struct cache_config cfg;
	struct cache *c;

	cache_config_default(&cfg);
	cfg.memory_limit = 4u << 20;
	cfg.shards = 4;
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

/* A wire name from text ("www.example.com."); its length. */
static size_t
name(const char *text, uint8_t *out)
{
	int n = wire_text_name(text, strlen(text), NULL, out, WIRE_NAME_MAX);

	CHECK(n > 0);
	return n > 0 ? (size_t)n : 0;
}

static void
key_of(struct cache *c, struct cache_rrset_key *k, const char *owner, uint16_t type)
{
	uint8_t n[WIRE_NAME_MAX];
	size_t len = name(owner, n);

	CHECK_EQ(cache_rrset_key_init(c, k, n, len, type, WIRE_CLASS_IN), 0);
}

/* RRSIG RDATA covering @type, signed by example.com., with a 4-byte "signature". */
static size_t
rrsig(uint8_t *rd, uint16_t type, uint32_t sigval)
{
	static const uint8_t signer[] = "\7example\3com";
	size_t n = 0;

	wire_put_u16(rd, type);
	rd[2] = 13;                           /* ECDSA P-256 */
	rd[3] = 3;                            /* labels */
	wire_put_u32(rd + 4, 300);            /* original TTL */
	wire_put_u32(rd + 8, 1700000000u);    /* expiration */
	wire_put_u32(rd + 12, 1690000000u);   /* inception */
	wire_put_u16(rd + 16, 12345);         /* key tag */
	n = 18;
	memcpy(rd + n, signer, sizeof(signer));
	n += sizeof(signer);
	wire_put_u32(rd + n, sigval);
	return n + 4;
}

/* An A RRset of @n addresses 192.0.2.first.. and one RRSIG when @signed_. */
static void
a_rrset(struct cache_rrset *rs, uint32_t ttl, enum cache_rrset_rank rank, uint8_t first,
	unsigned int n, bool signed_)
{
	uint8_t rd[64];

	cache_rrset_init(rs, ttl, rank, CACHE_RRSET_INDETERMINATE);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t a[4] = { 192, 0, 2, (uint8_t)(first + i) };

		CHECK_EQ(cache_rrset_add_rr(rs, a, 4), 0);
	}
	if (signed_)
		CHECK_EQ(cache_rrset_add_sig(rs, rd, rrsig(rd, WIRE_TYPE_A, 0xc0ffee00u + first)), 0);
}

/* The first address byte of a looked-up A RRset, or -1 on a miss. */
static int
first_octet(struct cache *c, const struct cache_rrset_key *k, uint32_t now)
{
	struct cache_rrset out;

	if (cache_rrset_lookup(c, me, k, now, &out) != CACHE_RRSET_HIT)
		return -1;
	return cache_rrset_rdata(&out, 0)[3];
}

/* ---- the store ---- */

static void
test_round_trip_keeps_rdata_rrsigs_rank_and_case_free_owner(void)
{
	struct cache *c = new_cache();
	struct cache_rrset_key k, lower, other_type;
	struct cache_rrset rs, out;
	uint8_t rd[64];

	key_of(c, &k, "WwW.ExAmPlE.CoM.", WIRE_TYPE_A);
	key_of(c, &lower, "www.example.com.", WIRE_TYPE_A);
	key_of(c, &other_type, "www.example.com.", WIRE_TYPE_AAAA);
	CHECK_EQ(k.hash, lower.hash);
	CHECK(k.hash != other_type.hash);

	a_rrset(&rs, 300, CACHE_RANK_ANSWER_AA, 1, 2, true);
	CHECK_EQ(cache_rrset_add_rr(&rs, rs.data, 4), -EINVAL);   /* RRs before RRSIGs */
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0, &out), CACHE_RRSET_MISS);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_INSERTED);

	memset(&out, 0xaa, sizeof(out));
	CHECK_EQ(cache_rrset_lookup(c, me, &lower, T0, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.ttl, 300);
	CHECK_EQ(out.rank, CACHE_RANK_ANSWER_AA);
	CHECK_EQ(out.status, CACHE_RRSET_INDETERMINATE);
	CHECK_EQ(out.why, 0);
	CHECK_EQ(out.rr_count, 2);
	CHECK_EQ(out.sig_count, 1);
	CHECK_EQ(out.data_len, rs.data_len);
	CHECK(memcmp(cache_rrset_rdata(&out, 0), "\xc0\x00\x02\x01", 4) == 0);
	CHECK(memcmp(cache_rrset_rdata(&out, 1), "\xc0\x00\x02\x02", 4) == 0);
	CHECK_EQ(out.rdlen[2], rrsig(rd, WIRE_TYPE_A, 0xc0ffee01u));
	CHECK(memcmp(cache_rrset_sig(&out, 0), rd, out.rdlen[2]) == 0);
	CHECK_EQ(cache_rrset_lookup(c, me, &other_type, T0, &out), CACHE_RRSET_MISS);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_inserts, 1);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_hits, 1);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_misses, 2);
	drop_cache(c);
}

static void
test_duplicate_rdata_is_kept_once(void)
{
	struct cache_rrset rs;

	a_rrset(&rs, 300, CACHE_RANK_ANSWER, 7, 1, false);
	CHECK_EQ(cache_rrset_add_rr(&rs, (const uint8_t *)"\xc0\x00\x02\x07", 4), 0);
	CHECK_EQ(rs.rr_count, 1);
	CHECK_EQ(rs.data_len, 4);
}

static void
test_glue_does_not_overwrite_answer_data_and_answer_overwrites_glue(void)
{
	struct cache *c = new_cache();
	struct cache_rrset_key k;
	struct cache_rrset rs;

	key_of(c, &k, "ns1.example.com.", WIRE_TYPE_A);
	a_rrset(&rs, 3600, CACHE_RANK_ADDITIONAL, 10, 1, false);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_INSERTED);
	a_rrset(&rs, 3600, CACHE_RANK_ANSWER_AA, 20, 1, false);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_REPLACED);
	CHECK_EQ(first_octet(c, &k, T0), 20);
	a_rrset(&rs, 3600, CACHE_RANK_ADDITIONAL, 30, 1, false);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0 + 1), CACHE_RRSET_KEPT_BETTER);
	a_rrset(&rs, 3600, CACHE_RANK_AUTHORITY_AA, 31, 1, false);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0 + 1), CACHE_RRSET_KEPT_BETTER);
	CHECK_EQ(first_octet(c, &k, T0 + 1), 20);
	/* equal rank: the newer data wins; the same data is left as it is */
	a_rrset(&rs, 3600, CACHE_RANK_ANSWER_AA, 40, 1, false);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0 + 2), CACHE_RRSET_REPLACED);
	CHECK_EQ(first_octet(c, &k, T0 + 2), 40);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0 + 2), CACHE_RRSET_UNCHANGED);
	/* once the better RRset has expired, glue may take its place */
	a_rrset(&rs, 10, CACHE_RANK_ANSWER_AA, 50, 1, false);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0 + 3), CACHE_RRSET_REPLACED);
	a_rrset(&rs, 3600, CACHE_RANK_ADDITIONAL, 60, 1, false);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0 + 12), CACHE_RRSET_KEPT_BETTER);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0 + 13), CACHE_RRSET_REPLACED);
	CHECK_EQ(first_octet(c, &k, T0 + 13), 60);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_kept, 3);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_replaced, 4);
	CHECK_EQ(cache_count(c), 1);
	drop_cache(c);
}

static void
test_secure_rrset_is_not_replaced_by_unvalidated_data_of_equal_rank(void)
{
	struct cache *c = new_cache();
	struct cache_rrset_key k;
	struct cache_rrset rs, out;

	key_of(c, &k, "www.example.com.", WIRE_TYPE_A);
	a_rrset(&rs, 600, CACHE_RANK_AUTHORITY_AA, 1, 1, true);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_INSERTED);
	CHECK_EQ(cache_rrset_set_status(c, me, &k, CACHE_RRSET_SECURE, 0, UINT32_MAX, T0), 0);
	a_rrset(&rs, 600, CACHE_RANK_AUTHORITY_AA, 2, 1, true);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_KEPT_BETTER);
	rs.status = CACHE_RRSET_INSECURE;
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_KEPT_BETTER);
	CHECK_EQ(first_octet(c, &k, T0), 1);
	/* secure data of equal rank replaces it, and so does a higher rank */
	rs.status = CACHE_RRSET_SECURE;
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_REPLACED);
	CHECK_EQ(first_octet(c, &k, T0), 2);
	a_rrset(&rs, 600, CACHE_RANK_ANSWER_AA, 3, 1, true);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_REPLACED);
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.status, CACHE_RRSET_INDETERMINATE);
	CHECK_EQ(cache_rrset_rdata(&out, 0)[3], 3);
	drop_cache(c);
}

static void
test_status_update_replaces_the_entry_and_keeps_the_data(void)
{
	struct cache *c = new_cache();
	struct cache_rrset_key k, missing;
	struct cache_rrset rs, before, after;
	struct cache_stats st;

	key_of(c, &k, "www.example.com.", WIRE_TYPE_A);
	key_of(c, &missing, "nothere.example.com.", WIRE_TYPE_A);
	a_rrset(&rs, 300, CACHE_RANK_ANSWER_AA, 1, 3, true);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_INSERTED);
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0 + 10, &before), CACHE_RRSET_HIT);

	CHECK_EQ(cache_rrset_set_status(c, me, &k, CACHE_RRSET_BOGUS, 6, UINT32_MAX, T0 + 10), 0);
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0 + 10, &after), CACHE_RRSET_HIT);
	CHECK_EQ(after.status, CACHE_RRSET_BOGUS);
	CHECK_EQ(after.why, 6);
	CHECK_EQ(after.ttl, 290);
	CHECK_EQ(after.rank, before.rank);
	CHECK_EQ(after.rr_count, 3);
	CHECK_EQ(after.sig_count, 1);
	CHECK_EQ(after.data_len, before.data_len);
	CHECK(memcmp(after.data, before.data, before.data_len) == 0);
	CHECK(memcmp(after.rdlen, before.rdlen, sizeof(before.rdlen[0]) * 4) == 0);

	/* a TTL cap shortens what is left (never lengthens it) */
	CHECK_EQ(cache_rrset_set_status(c, me, &k, CACHE_RRSET_SECURE, 0, 50, T0 + 20), 0);
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0 + 20, &after), CACHE_RRSET_HIT);
	CHECK_EQ(after.status, CACHE_RRSET_SECURE);
	CHECK_EQ(after.ttl, 50);
	CHECK_EQ(cache_rrset_set_status(c, me, &k, CACHE_RRSET_SECURE, 0, 5000, T0 + 20), 0);
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0 + 20, &after), CACHE_RRSET_HIT);
	CHECK_EQ(after.ttl, 50);
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0 + 70, &after), CACHE_RRSET_MISS);

	CHECK_EQ(cache_rrset_set_status(c, me, &missing, CACHE_RRSET_SECURE, 0, UINT32_MAX, T0),
		 -ENOENT);
	CHECK_EQ(cache_rrset_set_status(c, me, &k, CACHE_RRSET_SECURE, 0, UINT32_MAX, T0 + 70),
		 -ENOENT);
	CHECK_EQ(cache_rrset_set_status(c, me, &k, (enum cache_rrset_status)9, 0, UINT32_MAX,
					T0 + 20), -EINVAL);
	/* the replaced copies come back only once this reader has been quiescent */
	cache_stats_sum(c, &st);
	CHECK_EQ(st.rrset_status_set, 3);
	CHECK_EQ(st.rrset_status_lost, 2);
	CHECK_EQ(st.reclaimed, 0);
	cache_quiescent(c, me);
	CHECK_EQ(cache_reclaim(c, me), 3);
	CHECK_EQ(cache_count(c), 1);
	drop_cache(c);
}

static void
test_ttl_counts_down_is_clamped_and_expiry_is_a_miss(void)
{
	struct cache *c = new_cache();
	struct cache_rrset_key k;
	struct cache_rrset rs, out;

	key_of(c, &k, "www.example.com.", WIRE_TYPE_A);
	a_rrset(&rs, 300, CACHE_RANK_ANSWER, 1, 1, false);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_INSERTED);
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0 + 100, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.ttl, 200);
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0 + 299, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.ttl, 1);
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0 + 300, &out), CACHE_RRSET_MISS);
	/* RRsets are not served stale (the cache's stale window is for images) */
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0 + 301, &out), CACHE_RRSET_MISS);

	/* max_ttl (86400 by default) and RFC 2181 §8 (top bit set: zero) */
	a_rrset(&rs, 10000000, CACHE_RANK_ANSWER, 2, 1, false);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_REPLACED);
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.ttl, 86400);
	a_rrset(&rs, 0x80000000u, CACHE_RANK_ANSWER, 3, 1, false);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_REPLACED);
	CHECK_EQ(cache_rrset_lookup(c, me, &k, T0, &out), CACHE_RRSET_MISS);
	drop_cache(c);
}

/* NOERROR answer image for (www.example.com, A) with one A record 198.51.100.9. */
static size_t
image(uint8_t *buf, size_t cap, uint16_t *ttl_off, uint16_t *ttl_count)
{
	static const uint8_t www[] = "\3www\7example\3com";
	static const uint8_t a[4] = { 198, 51, 100, 9 };
	struct wire_builder b;

	wire_build_init(&b, buf, cap, cap);
	CHECK_EQ(wire_build_header(&b, 0, 0x8180), WIRE_OK);
	CHECK_EQ(wire_build_question(&b, www, sizeof(www), WIRE_TYPE_A, WIRE_CLASS_IN), WIRE_OK);
	CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, www, sizeof(www), WIRE_TYPE_A,
			       WIRE_CLASS_IN, 300, a, 4), WIRE_OK);
	*ttl_count = b.ttl_count;
	memcpy(ttl_off, b.ttl_off, b.ttl_count * sizeof(uint16_t));
	return b.len;
}

static void
test_rrset_and_image_of_the_same_name_and_type_stay_apart(void)
{
	struct cache *c = new_cache();
	struct cache_rrset_key rk;
	struct cache_key ik;
	struct cache_rrset rs, out;
	uint8_t img[512], q[64], copy[512];
	uint16_t ttl_off[8], ttl_count;
	size_t len = image(img, sizeof(img), ttl_off, &ttl_count), got = 0;
	struct cache_response r = {
		.msg = img, .len = len, .ttl_off = ttl_off, .ttl_count = ttl_count,
	};

	memcpy(q, img + 12, 21);                    /* "www.example.com" A IN */
	CHECK_EQ(cache_key_init(c, &ik, q, 21, 0), 0);
	key_of(c, &rk, "www.example.com.", WIRE_TYPE_A);
	CHECK(ik.hash != rk.hash);

	CHECK_EQ(cache_insert(c, me, &ik, &r, T0), 0);
	a_rrset(&rs, 300, CACHE_RANK_ANSWER_AA, 1, 1, true);
	CHECK_EQ(cache_rrset_insert(c, me, &rk, &rs, T0), CACHE_RRSET_INSERTED);
	CHECK_EQ(cache_count(c), 2);
	CHECK_EQ(cache_lookup(c, me, &ik, 7, T0, 0, copy, sizeof(copy), &got), CACHE_HIT);
	CHECK_EQ(got, len);
	CHECK(memcmp(copy + len - 4, "\xc6\x33\x64\x09", 4) == 0);
	CHECK_EQ(first_octet(c, &rk, T0), 1);

	/* replacing one kind leaves the other alone */
	CHECK_EQ(cache_insert(c, me, &ik, &r, T0 + 1), 0);
	a_rrset(&rs, 300, CACHE_RANK_ANSWER_AA, 2, 1, true);
	CHECK_EQ(cache_rrset_insert(c, me, &rk, &rs, T0 + 1), CACHE_RRSET_REPLACED);
	CHECK_EQ(cache_count(c), 2);
	CHECK_EQ(cache_lookup(c, me, &ik, 7, T0 + 1, 0, copy, sizeof(copy), &got), CACHE_HIT);
	CHECK_EQ(cache_rrset_lookup(c, me, &rk, T0 + 1, &out), CACHE_RRSET_HIT);
	CHECK_EQ(cache_lcore_stats(c, me)->key_mismatch, 0);
	CHECK_EQ(cache_lcore_stats(c, me)->replaced, 1);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_replaced, 1);
	CHECK_EQ(cache_flush(c, me), 2);
	drop_cache(c);
}

static void
test_invalid_rrsets_are_refused_and_counted(void)
{
	struct cache *c = new_cache();
	struct cache_rrset_key k, opt;
	struct cache_rrset rs;
	uint8_t rd[64], longname[300];

	key_of(c, &k, "www.example.com.", WIRE_TYPE_A);
	key_of(c, &opt, ".", WIRE_TYPE_OPT);

	cache_rrset_init(&rs, 300, CACHE_RANK_ANSWER, CACHE_RRSET_INDETERMINATE);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), -EINVAL);        /* no RR */
	a_rrset(&rs, 300, CACHE_RANK_ANSWER, 1, 1, false);
	CHECK_EQ(cache_rrset_insert(c, me, &opt, &rs, T0), -EINVAL);      /* meta type */
	rs.rank = CACHE_RANK_NONE;
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), -EINVAL);
	rs.rank = CACHE_RANK_ANSWER;
	rs.data_len = 3;                                                   /* lengths disagree */
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), -EINVAL);
	a_rrset(&rs, 300, CACHE_RANK_ANSWER, 1, 1, false);
	CHECK_EQ(cache_rrset_add_sig(&rs, rd, rrsig(rd, WIRE_TYPE_AAAA, 1)), 0);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), -EINVAL);        /* covers AAAA */

	/* more records than an entry holds */
	a_rrset(&rs, 300, CACHE_RANK_ANSWER, 0, CACHE_RRSET_RR_MAX, false);
	CHECK_EQ(rs.rr_count, CACHE_RRSET_RR_MAX);
	CHECK_EQ(cache_rrset_add_sig(&rs, rd, rrsig(rd, WIRE_TYPE_A, 1)), -ENOSPC);
	rs.rr_count = CACHE_RRSET_RR_MAX + 1;
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), -E2BIG);

	/* a name longer than 255 bytes, or with bytes after its end */
	memset(longname, 1, sizeof(longname));
	CHECK_EQ(cache_rrset_key_init(c, &k, longname, sizeof(longname), 1, 1), -EINVAL);
	CHECK_EQ(cache_rrset_key_init(c, &k, (const uint8_t *)"\3www\0\0", 6, 1, 1), -EINVAL);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_invalid, 5);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_too_big, 1);
	CHECK_EQ(cache_count(c), 0);
	drop_cache(c);
}

/* ---- DNS messages ---- */

/* A message under construction: records added from text lines. */
struct msg {
	struct wire_builder b;
	uint8_t buf[4096];
};

static void
msg_start(struct msg *m, uint16_t flags, const char *qname, uint16_t qtype)
{
	uint8_t n[WIRE_NAME_MAX];
	size_t len = name(qname, n);

	wire_build_init(&m->b, m->buf, sizeof(m->buf), sizeof(m->buf));
	CHECK_EQ(wire_build_header(&m->b, 0x4242, flags), WIRE_OK);
	CHECK_EQ(wire_build_question(&m->b, n, len, qtype, WIRE_CLASS_IN), WIRE_OK);
}

static void
msg_rr(struct msg *m, uint8_t section, const char *line)
{
	static struct wire_text_rr rr;      /* about 64 KiB: not on the stack */

	CHECK_EQ(wire_text_rr(line, strlen(line), NULL, 3600, &rr), 0);
	CHECK_EQ(wire_build_rr(&m->b, section, rr.owner, rr.owner_len, rr.type, rr.rclass,
			       rr.ttl, rr.rdata, (uint16_t)rr.rdlen), WIRE_OK);
}

static void
msg_rrsig(struct msg *m, uint8_t section, const char *owner, uint16_t covered, uint32_t ttl)
{
	uint8_t n[WIRE_NAME_MAX], rd[64];
	size_t len = name(owner, n);

	CHECK_EQ(wire_build_rr(&m->b, section, n, len, WIRE_TYPE_RRSIG, WIRE_CLASS_IN, ttl, rd,
			       (uint16_t)rrsig(rd, covered, covered)), WIRE_OK);
}

static int
store(struct cache *c, const struct msg *m, const char *zone, uint32_t now)
{
	uint8_t z[WIRE_NAME_MAX];
	size_t zlen = name(zone, z);

	return cache_rrset_store_msg(c, me, m->buf, m->b.len, z, zlen, now);
}

static enum cache_rrset_found
find(struct cache *c, const char *owner, uint16_t type, struct cache_rrset *out)
{
	struct cache_rrset_key k;

	key_of(c, &k, owner, type);
	return cache_rrset_lookup(c, me, &k, T0, out);
}

/* An authoritative answer through a CNAME, its zone's NS in authority, glue (one
 * of them out of the zone) and an OPT in additional. */
static void
aa_answer(struct msg *m)
{
	msg_start(m, 0x8400, "www.example.com.", WIRE_TYPE_A);
	msg_rr(m, WIRE_SECTION_ANSWER, "www.example.com. 300 IN CNAME web.Example.com.");
	msg_rr(m, WIRE_SECTION_ANSWER, "web.example.com. 120 IN A 192.0.2.1");
	msg_rrsig(m, WIRE_SECTION_ANSWER, "web.example.com.", WIRE_TYPE_A, 300);
	msg_rr(m, WIRE_SECTION_ANSWER, "WEB.example.com. 300 IN A 192.0.2.2");
	msg_rr(m, WIRE_SECTION_AUTHORITY, "example.com. 3600 IN NS ns1.example.com.");
	msg_rr(m, WIRE_SECTION_AUTHORITY, "example.com. 3600 IN NS ns.other.net.");
	msg_rr(m, WIRE_SECTION_ADDITIONAL, "ns1.example.com. 3600 IN A 192.0.2.53");
	msg_rr(m, WIRE_SECTION_ADDITIONAL, "ns1.example.com. 3600 IN AAAA 2001:db8::53");
	msg_rr(m, WIRE_SECTION_ADDITIONAL, "ns.other.net. 3600 IN A 198.51.100.53");
	struct wire_opt_params op = { .udp_size = 1232, .ede_code = WIRE_EDE_NONE };

	CHECK_EQ(wire_build_opt(&m->b, &op), WIRE_OK);
}

static void
test_message_walk_stores_every_rrset_with_rank_rrsigs_and_bailiwick(void)
{
	struct cache *c = new_cache();
	struct cache_rrset out;
	struct msg m;
	uint8_t target[WIRE_NAME_MAX];
	size_t tlen = name("web.Example.com.", target);

	aa_answer(&m);
	/* CNAME, A, NS, ns1 A, ns1 AAAA; ns.other.net A is outside example.com */
	CHECK_EQ(store(c, &m, "example.com.", T0), 5);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_out_of_bailiwick, 1);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_msgs, 1);

	CHECK_EQ(find(c, "www.example.com.", WIRE_TYPE_CNAME, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.rank, CACHE_RANK_ANSWER_AA);
	CHECK_EQ(out.rdlen[0], tlen);               /* uncompressed */
	CHECK(wire_name_equal(cache_rrset_rdata(&out, 0), out.rdlen[0], target, tlen));

	/* the two A records apart in the message are one RRset, with their RRSIG; the
	 * TTL is the smallest of records and signature */
	CHECK_EQ(find(c, "web.example.com.", WIRE_TYPE_A, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.rr_count, 2);
	CHECK_EQ(out.sig_count, 1);
	CHECK_EQ(out.ttl, 120);
	CHECK_EQ(out.status, CACHE_RRSET_INDETERMINATE);
	CHECK_EQ(wire_get_u16(cache_rrset_sig(&out, 0)), WIRE_TYPE_A);

	CHECK_EQ(find(c, "example.com.", WIRE_TYPE_NS, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.rank, CACHE_RANK_AUTHORITY_AA);
	CHECK_EQ(out.rr_count, 2);
	CHECK_EQ(find(c, "ns1.example.com.", WIRE_TYPE_A, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.rank, CACHE_RANK_ADDITIONAL);
	CHECK_EQ(find(c, "ns1.example.com.", WIRE_TYPE_AAAA, &out), CACHE_RRSET_HIT);
	CHECK_EQ(find(c, "ns.other.net.", WIRE_TYPE_A, &out), CACHE_RRSET_MISS);
	CHECK_EQ(find(c, ".", WIRE_TYPE_OPT, &out), CACHE_RRSET_MISS);
	CHECK_EQ(cache_count(c), 5);

	/* the same message again writes nothing: every RRset is already there, the same */
	CHECK_EQ(store(c, &m, "example.com.", T0 + 1), 0);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_unchanged, 5);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_replaced, 0);
	CHECK_EQ(cache_count(c), 5);
	drop_cache(c);
}

/* A referral from the com servers to example.com: NS and glue, AA=0. */
static void
referral(struct msg *m, const char *glue)
{
	msg_start(m, 0x8000, "www.example.com.", WIRE_TYPE_A);
	msg_rr(m, WIRE_SECTION_AUTHORITY, "example.com. 172800 IN NS ns1.example.com.");
	msg_rr(m, WIRE_SECTION_ADDITIONAL, glue);
	msg_rr(m, WIRE_SECTION_ADDITIONAL, "ns.evil.org. 172800 IN A 203.0.113.66");
}

static void
test_referral_ranks_below_the_zones_own_data(void)
{
	struct cache *c = new_cache();
	struct cache_rrset out;
	struct msg m;

	referral(&m, "ns1.example.com. 172800 IN A 192.0.2.53");
	CHECK_EQ(store(c, &m, "com.", T0), 2);
	CHECK_EQ(find(c, "example.com.", WIRE_TYPE_NS, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.rank, CACHE_RANK_AUTHORITY);
	CHECK_EQ(find(c, "ns.evil.org.", WIRE_TYPE_A, &out), CACHE_RRSET_MISS);

	/* the zone's own answer outranks the referral's NS (its glue, the same, stays) */
	aa_answer(&m);
	CHECK_EQ(store(c, &m, "example.com.", T0), 4);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_unchanged, 1);
	CHECK_EQ(find(c, "example.com.", WIRE_TYPE_NS, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.rank, CACHE_RANK_AUTHORITY_AA);

	/* glue is additional data, from the parent or the child alike: equal rank, the
	 * newer one wins */
	referral(&m, "ns1.example.com. 172800 IN A 192.0.2.98");
	CHECK_EQ(store(c, &m, "com.", T0), 1);
	CHECK_EQ(find(c, "ns1.example.com.", WIRE_TYPE_A, &out), CACHE_RRSET_HIT);
	CHECK(memcmp(cache_rrset_rdata(&out, 0), "\xc0\x00\x02\x62", 4) == 0);

	/* the name server's own address, answered by its zone, outranks any glue */
	msg_start(&m, 0x8400, "ns1.example.com.", WIRE_TYPE_A);
	msg_rr(&m, WIRE_SECTION_ANSWER, "ns1.example.com. 3600 IN A 192.0.2.53");
	CHECK_EQ(store(c, &m, "example.com.", T0), 1);
	referral(&m, "ns1.example.com. 172800 IN A 192.0.2.99");
	CHECK_EQ(store(c, &m, "com.", T0), 0);
	CHECK_EQ(find(c, "example.com.", WIRE_TYPE_NS, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.rank, CACHE_RANK_AUTHORITY_AA);
	CHECK_EQ(find(c, "ns1.example.com.", WIRE_TYPE_A, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.rank, CACHE_RANK_ANSWER_AA);
	CHECK(memcmp(cache_rrset_rdata(&out, 0), "\xc0\x00\x02\x35", 4) == 0);
	/* NS twice (referrals under the zone's own NS), ns1 A once (glue under its answer) */
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_kept, 3);
	drop_cache(c);
}

static void
test_truncated_failed_or_malformed_messages_store_nothing(void)
{
	struct cache *c = new_cache();
	struct msg m;
	uint8_t z[WIRE_NAME_MAX];

	aa_answer(&m);
	m.buf[2] |= WIRE_FLAG_TC >> 8;
	CHECK_EQ(store(c, &m, "example.com.", T0), 0);
	aa_answer(&m);
	m.buf[3] = (uint8_t)((m.buf[3] & 0xf0) | WIRE_RCODE_SERVFAIL);
	CHECK_EQ(store(c, &m, "example.com.", T0), 0);
	aa_answer(&m);
	m.buf[2] &= (uint8_t)~(WIRE_FLAG_QR >> 8);
	CHECK_EQ(store(c, &m, "example.com.", T0), 0);
	aa_answer(&m);
	CHECK_EQ(cache_rrset_store_msg(c, me, m.buf, m.b.len - 3, z, name(".", z), T0), -EINVAL);
	CHECK_EQ(cache_rrset_store_msg(c, me, m.buf, m.b.len, (const uint8_t *)"\3com", 4, T0),
		 -EINVAL);
	CHECK_EQ(cache_count(c), 0);
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_msgs, 0);

	/* NXDOMAIN keeps its SOA (authority of an authoritative answer) */
	msg_start(&m, 0x8403, "nx.example.com.", WIRE_TYPE_A);
	msg_rr(&m, WIRE_SECTION_AUTHORITY, "example.com. 300 IN SOA ns1.example.com. "
	       "host.example.com. 1 7200 900 1209600 300");
	msg_rrsig(&m, WIRE_SECTION_AUTHORITY, "example.com.", WIRE_TYPE_SOA, 300);
	CHECK_EQ(store(c, &m, "example.com.", T0), 1);
	struct cache_rrset out;

	CHECK_EQ(find(c, "example.com.", WIRE_TYPE_SOA, &out), CACHE_RRSET_HIT);
	CHECK_EQ(out.rank, CACHE_RANK_AUTHORITY_AA);
	CHECK_EQ(out.sig_count, 1);
	drop_cache(c);
}

static void
test_rrset_larger_than_an_entry_is_skipped_and_counted(void)
{
	struct cache *c = new_cache();
	struct cache_rrset out;
	struct msg m;
	char line[64];

	msg_start(&m, 0x8400, "many.example.com.", WIRE_TYPE_A);
	for (unsigned int i = 0; i <= CACHE_RRSET_RR_MAX; i++) {
		snprintf(line, sizeof(line), "many.example.com. 60 IN A 10.0.%u.%u", i / 256, i % 256);
		msg_rr(&m, WIRE_SECTION_ANSWER, line);
	}
	msg_rr(&m, WIRE_SECTION_AUTHORITY, "example.com. 3600 IN NS ns1.example.com.");
	CHECK_EQ(store(c, &m, "example.com.", T0), 1);       /* the NS set only */
	CHECK_EQ(cache_lcore_stats(c, me)->rrset_too_big, 1);
	CHECK_EQ(find(c, "many.example.com.", WIRE_TYPE_A, &out), CACHE_RRSET_MISS);
	drop_cache(c);
}

int
main(int argc, char **argv)
{
	char *eal[] = {
		argv[0], "--no-huge", "-m", "512", "--no-shconf", "--no-pci", "-l", "0",
		"--log-level=error",
	};

	RTE_SET_USED(argc);
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	me = rte_lcore_id();
#define RUN(t) do { printf("%s\n", #t); t(); } while (0)
	RUN(test_round_trip_keeps_rdata_rrsigs_rank_and_case_free_owner);
	RUN(test_duplicate_rdata_is_kept_once);
	RUN(test_glue_does_not_overwrite_answer_data_and_answer_overwrites_glue);
	RUN(test_secure_rrset_is_not_replaced_by_unvalidated_data_of_equal_rank);
	RUN(test_status_update_replaces_the_entry_and_keeps_the_data);
	RUN(test_ttl_counts_down_is_clamped_and_expiry_is_a_miss);
	RUN(test_rrset_and_image_of_the_same_name_and_type_stay_apart);
	RUN(test_invalid_rrsets_are_refused_and_counted);
	RUN(test_message_walk_stores_every_rrset_with_rank_rrsigs_and_bailiwick);
	RUN(test_referral_ranks_below_the_zones_own_data);
	RUN(test_truncated_failed_or_malformed_messages_store_nothing);
	RUN(test_rrset_larger_than_an_entry_is_skipped_and_counted);
	printf("%d checks, %d failures\n", checks, failures);
	rte_eal_cleanup();
	return failures ? 1 : 0;
}
