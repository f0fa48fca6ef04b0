/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cache_denial.c: the denial store (one entry of validated NSEC/NSEC3 records per
 * zone, for RFC 8198) on one lcore under EAL (--no-huge, no PCI): round trip, finding
 * the deepest zone above a name, per-record expiry bounded by the SOA, merging with
 * what is cached, the bounds of one entry, and separation from images and RRsets of
 * the same name. Time is faked: every call gets `now`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "cache.h"
#include "cache_denial.h"
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

static size_t
name(const char *text, uint8_t *out)
{
	int n = wire_text_name(text, strlen(text), NULL, out, WIRE_NAME_MAX);

	CHECK(n > 0);
	return n > 0 ? (size_t)n : 0;
}

static const struct cache_stats *
stats(struct cache *c)
{
	return cache_lcore_stats(c, me);
}

/* SOA RDATA of a zone (names uncompressed), MINIMUM @minimum. */
static size_t
soa_rdata(uint8_t *rd, uint32_t serial)
{
	size_t n = name("ns.example.", rd);

	n += name("hostmaster.example.", rd + n);
	for (int i = 0; i < 5; i++)
		wire_put_u32(rd + n + 4 * (size_t)i, i == 0 ? serial : 300);
	return n + 20;
}

/* NSEC RDATA: the next name and a bitmap of A, RRSIG, NSEC. */
static size_t
nsec_rdata(uint8_t *rd, const char *next)
{
	static const uint8_t bitmap[] = { 0, 6, 0x40, 0, 0, 0, 0, 0x03 };
	size_t n = name(next, rd);

	memcpy(rd + n, bitmap, sizeof(bitmap));
	return n + sizeof(bitmap);
}

/* NSEC3 RDATA: SHA-1, @flags, @iterations, a one-byte @salt, a 20-byte next hash
 * of @fill, an empty bitmap. */
static size_t
nsec3_rdata(uint8_t *rd, uint8_t flags, uint16_t iterations, uint8_t salt, uint8_t fill)
{
	rd[0] = 1;
	rd[1] = flags;
	wire_put_u16(rd + 2, iterations);
	rd[4] = 1;
	rd[5] = salt;
	rd[6] = 20;
	memset(rd + 7, fill, 20);
	return 27;
}

/* @d: type, SOA with @soa_ttl, nothing else. */
static void
start(struct cache_denial *d, uint16_t type, uint32_t soa_ttl)
{
	uint8_t soa[128];

	CHECK_EQ(cache_denial_init(d, type, soa, soa_rdata(soa, 1), soa_ttl), 0);
}

static int
add_nsec(struct cache_denial *d, const char *owner, const char *next, uint32_t ttl)
{
	uint8_t o[WIRE_NAME_MAX], rd[300];
	size_t olen = name(owner, o);

	return cache_denial_add(d, o, olen, rd, nsec_rdata(rd, next), ttl);
}

static void
zone_key(struct cache *c, struct cache_denial_key *k, const char *zone)
{
	uint8_t z[WIRE_NAME_MAX];
	size_t len = name(zone, z);

	CHECK_EQ(cache_denial_key_init(c, k, z, len), 0);
}

/* The index of the record at @owner in @d, or -1. */
static int
find_owner(const struct cache_denial *d, const char *owner)
{
	uint8_t o[WIRE_NAME_MAX];
	size_t olen = name(owner, o);

	for (unsigned int i = 0; i < d->count; i++)
		if (d->rr[i].owner_len == olen && memcmp(cache_denial_owner(d, i), o, olen) == 0)
			return (int)i;
	return -1;
}

/* ---- tests ---- */

static void
test_round_trip_keeps_soa_and_records_with_lowercase_owners(void)
{
	struct cache *c = new_cache();
	struct cache_denial d, out;
	struct cache_denial_key k;
	uint8_t want[300];
	size_t wlen = nsec_rdata(want, "M.Example.");

	start(&d, WIRE_TYPE_NSEC, 300);
	CHECK_EQ(add_nsec(&d, "A.Example.", "M.Example.", 600), 0);
	CHECK_EQ(add_nsec(&d, "example.", "a.example.", 600), 0);
	CHECK_EQ(add_nsec(&d, "a.EXAMPLE.", "z.example.", 600), 0); /* same owner: ignored */
	CHECK_EQ(d.count, 2);
	zone_key(c, &k, "Example.");
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
	CHECK(cache_denial_lookup(c, me, &k, T0 + 10, &out));
	CHECK_EQ(out.type, WIRE_TYPE_NSEC);
	CHECK_EQ(out.count, 2);
	CHECK_EQ(out.soa_ttl, 290);
	CHECK_EQ(out.soa_rdlen, d.soa_rdlen);
	CHECK(memcmp(cache_denial_soa(&out), cache_denial_soa(&d), d.soa_rdlen) == 0);
	/* canonical order: the apex first; owners lowercase, RDATA as given */
	CHECK_EQ(find_owner(&out, "example."), 0);
	CHECK_EQ(find_owner(&out, "a.example."), 1);
	CHECK_EQ(out.rr[1].rdlen, wlen);
	CHECK(memcmp(cache_denial_rdata(&out, 1), want, wlen) == 0);
	CHECK_EQ(out.rr[1].ttl, 290);   /* no record outlives the SOA */
	CHECK_EQ(stats(c)->denial_inserts, 1);
	CHECK_EQ(stats(c)->denial_hits, 1);
	drop_cache(c);
}

static void
test_find_takes_the_deepest_zone_with_records(void)
{
	struct cache *c = new_cache();
	struct cache_denial d, out;
	struct cache_denial_key k;
	uint8_t n[WIRE_NAME_MAX];
	size_t len = name("www.Sub.Example.", n);

	CHECK_EQ(cache_denial_find(c, me, n, len, T0, &k, &out), -ENOENT);
	start(&d, WIRE_TYPE_NSEC, 300);
	CHECK_EQ(add_nsec(&d, "com.", "net.", 300), 0);
	zone_key(c, &k, ".");
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
	CHECK_EQ(cache_denial_find(c, me, n, len, T0, &k, &out), (int)len - 1);  /* the root */
	start(&d, WIRE_TYPE_NSEC, 300);
	CHECK_EQ(add_nsec(&d, "example.", "a.example.", 300), 0);
	zone_key(c, &k, "example.");
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
	CHECK_EQ(cache_denial_find(c, me, n, len, T0, &k, &out), 8);  /* "example." */
	CHECK_EQ(k.zone_len, 9);
	CHECK_EQ(out.count, 1);
	CHECK_EQ(find_owner(&out, "example."), 0);
	/* the name itself may be a zone apex */
	len = name("example.", n);
	CHECK_EQ(cache_denial_find(c, me, n, len, T0, &k, &out), 0);
	/* an expired zone is passed over for the one above it */
	len = name("www.Sub.Example.", n);
	CHECK_EQ(cache_denial_find(c, me, n, len, T0 + 301, &k, &out), -ENOENT);
	drop_cache(c);
}

/* An NS RRset at @owner in the RRset store: the cache knows of a zone cut there. */
static void
store_ns(struct cache *c, const char *owner)
{
	struct cache_rrset rs;
	struct cache_rrset_key k;
	uint8_t o[WIRE_NAME_MAX], ns[WIRE_NAME_MAX];
	size_t olen = name(owner, o);

	cache_rrset_init(&rs, 600, CACHE_RANK_AUTHORITY, CACHE_RRSET_INDETERMINATE);
	CHECK_EQ(cache_rrset_add_rr(&rs, ns, name("ns1.example.", ns)), 0);
	CHECK_EQ(cache_rrset_key_init(c, &k, o, olen, WIRE_TYPE_NS, WIRE_CLASS_IN), 0);
	CHECK(cache_rrset_insert(c, me, &k, &rs, T0) >= 0);
}

static void
test_find_stops_at_a_known_zone_cut_without_records(void)
{
	struct cache *c = new_cache();
	struct cache_denial d, out;
	struct cache_denial_key k;
	uint8_t n[WIRE_NAME_MAX];
	size_t len = name("www.sub.example.", n);

	start(&d, WIRE_TYPE_NSEC, 300);
	CHECK_EQ(add_nsec(&d, "example.", "a.example.", 300), 0);
	zone_key(c, &k, "example.");
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
	store_ns(c, "example.");   /* the zone's own apex: its records are found first */
	CHECK_EQ(cache_denial_find(c, me, n, len, T0, &k, &out), 8);
	/* sub.example. is delegated: example.'s records say nothing about names below it */
	store_ns(c, "sub.example.");
	CHECK_EQ(cache_denial_find(c, me, n, len, T0, &k, &out), -ENOENT);
	len = name("sub.example.", n);
	CHECK_EQ(cache_denial_find(c, me, n, len, T0, &k, &out), -ENOENT);
	len = name("other.example.", n);
	CHECK_EQ(cache_denial_find(c, me, n, len, T0, &k, &out), 6);
	drop_cache(c);
}

static void
test_each_record_expires_on_its_own_and_never_after_the_soa(void)
{
	struct cache *c = new_cache();
	struct cache_denial d, out;
	struct cache_denial_key k;

	start(&d, WIRE_TYPE_NSEC, 200);
	CHECK_EQ(add_nsec(&d, "a.example.", "b.example.", 100), 0);
	CHECK_EQ(add_nsec(&d, "c.example.", "d.example.", 300), 0);
	zone_key(c, &k, "example.");
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
	CHECK(cache_denial_lookup(c, me, &k, T0 + 99, &out));
	CHECK_EQ(out.count, 2);
	CHECK_EQ(out.rr[0].ttl, 1);
	CHECK(cache_denial_lookup(c, me, &k, T0 + 100, &out));
	CHECK_EQ(out.count, 1);
	CHECK_EQ(find_owner(&out, "c.example."), 0);
	CHECK_EQ(out.rr[0].ttl, 100);      /* 300 asked, the SOA's 200 given */
	CHECK(!cache_denial_lookup(c, me, &k, T0 + 200, &out));
	drop_cache(c);
}

static void
test_merge_keeps_live_records_and_the_newest_at_each_owner(void)
{
	struct cache *c = new_cache();
	struct cache_denial d, out;
	struct cache_denial_key k;
	uint8_t want[300];
	size_t wlen = nsec_rdata(want, "z.example.");

	zone_key(c, &k, "example.");
	start(&d, WIRE_TYPE_NSEC, 600);
	CHECK_EQ(add_nsec(&d, "m.example.", "n.example.", 600), 0);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
	start(&d, WIRE_TYPE_NSEC, 600);
	CHECK_EQ(add_nsec(&d, "a.example.", "b.example.", 600), 0);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0 + 10), CACHE_DENIAL_MERGED);
	start(&d, WIRE_TYPE_NSEC, 600);
	CHECK_EQ(add_nsec(&d, "a.example.", "z.example.", 600), 0);   /* the zone changed */
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0 + 20), CACHE_DENIAL_MERGED);
	CHECK(cache_denial_lookup(c, me, &k, T0 + 20, &out));
	CHECK_EQ(out.count, 2);
	CHECK_EQ(find_owner(&out, "a.example."), 0);
	CHECK_EQ(find_owner(&out, "m.example."), 1);
	CHECK_EQ(out.rr[0].rdlen, wlen);
	CHECK(memcmp(cache_denial_rdata(&out, 0), want, wlen) == 0);
	CHECK_EQ(out.rr[1].ttl, 580);     /* the old record keeps its own end */
	CHECK_EQ(stats(c)->denial_merged, 2);
	drop_cache(c);
}

static void
test_an_insert_with_nothing_new_writes_nothing(void)
{
	struct cache *c = new_cache();
	struct cache_denial d;
	struct cache_denial_key k;
	uint64_t inserts;

	zone_key(c, &k, "example.");
	start(&d, WIRE_TYPE_NSEC, 600);
	CHECK_EQ(add_nsec(&d, "m.example.", "n.example.", 600), 0);
	CHECK_EQ(add_nsec(&d, "a.example.", "b.example.", 600), 0);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
	inserts = stats(c)->denial_inserts + stats(c)->denial_merged;
	start(&d, WIRE_TYPE_NSEC, 600);
	CHECK_EQ(add_nsec(&d, "a.example.", "b.example.", 600), 0);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0 + 5), CACHE_DENIAL_UNCHANGED);
	CHECK_EQ(stats(c)->denial_inserts + stats(c)->denial_merged, inserts);
	CHECK_EQ(stats(c)->denial_unchanged, 1);
	/* a new SOA is news */
	{
		uint8_t soa[128];

		CHECK_EQ(cache_denial_init(&d, WIRE_TYPE_NSEC, soa, soa_rdata(soa, 2), 600), 0);
		CHECK_EQ(add_nsec(&d, "a.example.", "b.example.", 600), 0);
		CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0 + 5), CACHE_DENIAL_MERGED);
	}
	drop_cache(c);
}

static void
test_new_nsec3_salt_or_a_switch_to_nsec_drops_the_old_records(void)
{
	struct cache *c = new_cache();
	struct cache_denial d, out;
	struct cache_denial_key k;
	uint8_t o[WIRE_NAME_MAX], rd[64];
	size_t olen;

	zone_key(c, &k, "example.");
	start(&d, WIRE_TYPE_NSEC3, 600);
	olen = name("0123456789abcdefghijklmnopqrstuv.example.", o);
	CHECK_EQ(cache_denial_add(&d, o, olen, rd, nsec3_rdata(rd, 0, 0, 0xaa, 0x11), 600), 0);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
	start(&d, WIRE_TYPE_NSEC3, 600);
	olen = name("1123456789abcdefghijklmnopqrstuv.example.", o);
	/* the same family (only the opt-out flag differs): both stay */
	CHECK_EQ(cache_denial_add(&d, o, olen, rd, nsec3_rdata(rd, 1, 0, 0xaa, 0x22), 600), 0);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_MERGED);
	CHECK(cache_denial_lookup(c, me, &k, T0, &out));
	CHECK_EQ(out.count, 2);
	/* a new salt: the old hashes are useless */
	start(&d, WIRE_TYPE_NSEC3, 600);
	olen = name("2123456789abcdefghijklmnopqrstuv.example.", o);
	CHECK_EQ(cache_denial_add(&d, o, olen, rd, nsec3_rdata(rd, 0, 0, 0xbb, 0x33), 600), 0);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_MERGED);
	CHECK(cache_denial_lookup(c, me, &k, T0, &out));
	CHECK_EQ(out.count, 1);
	/* now NSEC: nothing of the NSEC3 chain stays */
	start(&d, WIRE_TYPE_NSEC, 600);
	CHECK_EQ(add_nsec(&d, "a.example.", "b.example.", 600), 0);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_MERGED);
	CHECK(cache_denial_lookup(c, me, &k, T0, &out));
	CHECK_EQ(out.type, WIRE_TYPE_NSEC);
	CHECK_EQ(out.count, 1);
	drop_cache(c);
}

static void
test_a_full_entry_drops_the_old_records_with_the_least_time_left(void)
{
	struct cache *c = new_cache();
	struct cache_denial d, out;
	struct cache_denial_key k;
	char owner[64];

	zone_key(c, &k, "example.");
	start(&d, WIRE_TYPE_NSEC, 10000);
	for (unsigned int i = 0; i < CACHE_DENIAL_RR_MAX; i++) {
		snprintf(owner, sizeof(owner), "n%02u.example.", i);
		CHECK_EQ(add_nsec(&d, owner, "z.example.", 1000 + i), 0);
	}
	CHECK_EQ(add_nsec(&d, "x.example.", "z.example.", 1000), -ENOSPC);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
	start(&d, WIRE_TYPE_NSEC, 10000);
	CHECK_EQ(add_nsec(&d, "new.example.", "z.example.", 50), 0);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_MERGED);
	CHECK(cache_denial_lookup(c, me, &k, T0, &out));
	CHECK_EQ(out.count, CACHE_DENIAL_RR_MAX);
	CHECK(find_owner(&out, "new.example.") >= 0);    /* the newest always goes in */
	CHECK_EQ(find_owner(&out, "n00.example."), -1);  /* least time left: dropped */
	CHECK(find_owner(&out, "n01.example.") >= 0);
	CHECK_EQ(stats(c)->denial_dropped, 1);
	drop_cache(c);
}

static void
test_byte_bounds_of_one_record_and_one_entry(void)
{
	struct cache_denial d;
	uint8_t o[WIRE_NAME_MAX], rd[CACHE_DENIAL_RECORD_MAX + 1];
	size_t olen = name("a.example.", o);
	unsigned int added = 0;

	memset(rd, 0, sizeof(rd));
	start(&d, WIRE_TYPE_NSEC, 600);
	CHECK_EQ(cache_denial_add(&d, o, olen, rd, CACHE_DENIAL_RECORD_MAX + 1 - olen, 600), -EINVAL);
	CHECK_EQ(cache_denial_add(&d, o, olen, rd, 0, 600), -EINVAL);
	for (unsigned int i = 0; i < 20; i++) {
		o[1] = (uint8_t)('a' + i);
		if (cache_denial_add(&d, o, olen, rd, CACHE_DENIAL_RECORD_MAX - olen, 600) == 0)
			added++;
	}
	CHECK_EQ(added, (CACHE_DENIAL_DATA_MAX - d.soa_rdlen) / CACHE_DENIAL_RECORD_MAX);
	CHECK(d.data_len <= CACHE_DENIAL_DATA_MAX);
	CHECK_EQ(cache_denial_init(&d, 6, rd, 10, 600), -EINVAL);  /* SOA is no denial type */
	CHECK_EQ(cache_denial_init(&d, WIRE_TYPE_NSEC, rd, 0, 600), -EINVAL);
}

static void
test_largest_entry_fits_a_slot(void)
{
	struct cache *c = new_cache();
	struct cache_denial d, out;
	struct cache_denial_key k;
	uint8_t o[WIRE_NAME_MAX], rd[CACHE_DENIAL_RECORD_MAX];
	char zone[300];
	size_t olen = name("aa.", o), rdlen;

	/* the most records and bytes one entry may hold, under the longest zone name */
	snprintf(zone, sizeof(zone), "%s.%s.%s.%s.",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		 "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
		 "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	zone_key(c, &k, zone);
	CHECK_EQ(k.zone_len, WIRE_NAME_MAX);
	start(&d, WIRE_TYPE_NSEC, 600);
	rdlen = (CACHE_DENIAL_DATA_MAX - d.soa_rdlen) / CACHE_DENIAL_RR_MAX - olen;
	memset(rd, 0, sizeof(rd));
	for (unsigned int i = 0; i < CACHE_DENIAL_RR_MAX; i++) {
		o[1] = (uint8_t)('a' + i % 26);
		o[2] = (uint8_t)('a' + i / 26);
		CHECK_EQ(cache_denial_add(&d, o, olen, rd, rdlen, 600), 0);
	}
	CHECK_EQ(d.count, CACHE_DENIAL_RR_MAX);
	CHECK(d.data_len > CACHE_DENIAL_DATA_MAX - CACHE_DENIAL_RR_MAX);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
	CHECK(cache_denial_lookup(c, me, &k, T0, &out));
	CHECK_EQ(out.count, CACHE_DENIAL_RR_MAX);
	CHECK_EQ(out.data_len, d.data_len);
	drop_cache(c);
}

static void
test_denial_entry_rrset_and_image_of_one_name_stay_apart(void)
{
	struct cache *c = new_cache();
	struct cache_denial d, out;
	struct cache_denial_key k;
	struct cache_rrset rs, rsout;
	struct cache_rrset_key rk;
	struct cache_key ik;
	uint8_t q[WIRE_NAME_MAX + 4], img[512], soa[128];
	size_t qlen = name("example.", q), len = 0;

	zone_key(c, &k, "example.");
	start(&d, WIRE_TYPE_NSEC, 600);
	CHECK_EQ(add_nsec(&d, "a.example.", "b.example.", 600), 0);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
	/* the zone's SOA RRset, and an image for "example. SOA", both misses so far */
	CHECK_EQ(cache_rrset_key_init(c, &rk, q, qlen, WIRE_TYPE_SOA, WIRE_CLASS_IN), 0);
	CHECK(cache_rrset_lookup(c, me, &rk, T0, &rsout) == CACHE_RRSET_MISS);
	wire_put_u16(q + qlen, WIRE_TYPE_SOA);
	wire_put_u16(q + qlen + 2, WIRE_CLASS_IN);
	CHECK_EQ(cache_key_init(c, &ik, q, qlen + 4, 0), 0);
	CHECK(cache_lookup(c, me, &ik, 1, T0, 0, img, sizeof(img), &len) == CACHE_MISS);
	cache_rrset_init(&rs, 600, CACHE_RANK_AUTHORITY_AA, CACHE_RRSET_SECURE);
	CHECK_EQ(cache_rrset_add_rr(&rs, soa, soa_rdata(soa, 7)), 0);
	CHECK(cache_rrset_insert(c, me, &rk, &rs, T0) >= 0);
	CHECK(cache_rrset_lookup(c, me, &rk, T0, &rsout) == CACHE_RRSET_HIT);
	CHECK(cache_denial_lookup(c, me, &k, T0, &out));
	CHECK_EQ(out.count, 1);
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
	RUN(test_round_trip_keeps_soa_and_records_with_lowercase_owners);
	RUN(test_find_takes_the_deepest_zone_with_records);
	RUN(test_find_stops_at_a_known_zone_cut_without_records);
	RUN(test_each_record_expires_on_its_own_and_never_after_the_soa);
	RUN(test_merge_keeps_live_records_and_the_newest_at_each_owner);
	RUN(test_an_insert_with_nothing_new_writes_nothing);
	RUN(test_new_nsec3_salt_or_a_switch_to_nsec_drops_the_old_records);
	RUN(test_a_full_entry_drops_the_old_records_with_the_least_time_left);
	RUN(test_byte_bounds_of_one_record_and_one_entry);
	RUN(test_largest_entry_fits_a_slot);
	RUN(test_denial_entry_rrset_and_image_of_one_name_stay_apart);
	printf("%d checks, %d failures\n", checks, failures);
	rte_eal_cleanup();
	return failures ? 1 : 0;
}
