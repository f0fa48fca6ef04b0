/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cache_stress.c: every lcore (4 on 2 CPUs: --lcores 0@0,1@1,2@0,3@1) inserts,
 * looks up, removes and lets expire the SAME small set of keys for a bounded
 * time, in a cache small enough that every class evicts all the time. A fake clock
 * runs at 1000 seconds per real second so TTLs (1-5 s) and the stale window (3 s)
 * pass many times. A quarter of the operations go to the RRset store instead, for
 * the same names and type (inserts at random ranks, status changes, lookups), so
 * both kinds of entry share slots, shards and defer queues.
 *
 * Every answer a reader gets must be one whole entry as some writer built it: the
 * big record's RDATA carries (key, version, writer, length) and a pattern derived
 * from them, the message ends with a checksum of everything but the ID and the TTLs,
 * and the ID, question and TTLs must be what the lookup asked for. In the
 * AddressSanitizer build free slots are poisoned, so touching freed memory aborts.
 * Bounded by time (STRESS_SECONDS) and by operation count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "cache.h"
#include "cache_rrset.h"

#define STRESS_SECONDS 3
#define STRESS_MAX_OPS 50000000ull
#define NKEYS 64
#define BURST 16
#define MAX_TTL 5

static struct cache *cache;
static uint64_t t_start, t_end, tsc_per_fake_second;

struct lcore_result {
	uint64_t ops, inserts, hits, stale, misses, removes, bad;
	uint64_t rr_inserts, rr_hits, rr_status;
} __rte_cache_aligned;
static struct lcore_result results[RTE_MAX_LCORE];

static uint32_t
fake_now(void)
{
	return 1000 + (uint32_t)((rte_get_tsc_cycles() - t_start) / tsc_per_fake_second);
}

static uint32_t
fnv(const uint8_t *p, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static inline uint8_t
pattern(uint32_t key, uint32_t version, size_t i)
{
	return (uint8_t)((key * 131 + version * 7 + i * 13) ^ (i >> 8));
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* "\5kNNNN\6stress\0" + A IN: 16-byte name, 20-byte question. */
static size_t
question(uint8_t *q, uint32_t key)
{
	snprintf((char *)q, 8, "\5k%04u", key % 10000);
	memcpy(q + 6, "\6stress", 7);
	q[13] = 0;
	put16(q + 14, 1);
	put16(q + 16, 1);
	return 18;
}

#define QLEN 18
#define REC_A_LEN 16        /* pointer, type, class, TTL, rdlen, 4 bytes */
#define BIG_HDR 13          /* key 4, version 4, writer 1, total length 4 */

/* Layout: header, question, A record, big record (type NULL), A record, checksum. */
static size_t
build(uint8_t *m, uint32_t key, uint32_t version, uint8_t writer, size_t rdlen,
      const uint32_t ttl[3], uint16_t off[3])
{
	size_t n = 12;

	memset(m, 0, 12);
	put16(m + 2, 0x8180);
	put16(m + 4, 1);
	put16(m + 6, 3);
	n += question(m + n, key);
	for (int r = 0; r < 3; r++) {
		size_t len = r == 1 ? rdlen : 4;

		put16(m + n, 0xc00c);
		put16(m + n + 2, r == 1 ? 10 : 1);
		put16(m + n + 4, 1);
		off[r] = (uint16_t)(n + 6);
		put32(m + n + 6, 0);            /* checksummed as 0, set below */
		put16(m + n + 10, (uint32_t)len);
		n += 12;
		if (r == 1) {
			put32(m + n, key);
			put32(m + n + 4, version);
			m[n + 8] = writer;
			put32(m + n + 9, 0);   /* total length, below */
			for (size_t i = BIG_HDR; i < len; i++)
				m[n + i] = pattern(key, version, i);
		} else {
			put32(m + n, 0xc0000200u | key);
		}
		n += len;
	}
	put32(m + 12 + QLEN + REC_A_LEN + 12 + 9, (uint32_t)(n + 4));
	/* checksum with ID and TTLs as zero */
	put32(m + n, fnv(m, n, 2166136261u));
	for (int r = 0; r < 3; r++)
		put32(m + off[r], ttl[r]);
	return n + 4;
}

/* Check an answer the cache gave for key with id; returns 0 when intact. */
static int
verify(const uint8_t *m, size_t len, uint32_t key, uint16_t id, enum cache_result res)
{
	uint8_t q[QLEN], copy[4096];
	size_t big = 12 + QLEN + REC_A_LEN + 12;
	const uint16_t off[3] = { 12 + QLEN + 6, 12 + QLEN + REC_A_LEN + 6, 0 };

	if (len < big + BIG_HDR + REC_A_LEN + 4 || len > sizeof(copy))
		return 1;
	if (m[0] != id >> 8 || m[1] != (id & 0xff))
		return 2;
	question(q, key);
	if (memcmp(m + 12, q, QLEN) != 0)
		return 3;
	if (get32(m + big) != key || get32(m + big + 9) != len)
		return 4;
	uint32_t version = get32(m + big + 4);
	size_t rdlen = (size_t)m[big - 2] << 8 | m[big - 1];

	for (size_t i = BIG_HDR; i < rdlen; i++)
		if (m[big + i] != pattern(key, version, i))
			return 5;
	memcpy(copy, m, len);
	copy[0] = copy[1] = 0;
	uint16_t offs[3] = { off[0], off[1], (uint16_t)(big + rdlen + 6) };

	for (int r = 0; r < 3; r++) {
		uint32_t ttl = get32(copy + offs[r]);

		if (res == CACHE_HIT_STALE ? ttl != 30 : ttl > MAX_TTL)
			return 6;
		put32(copy + offs[r], 0);
	}
	if (get32(copy + len - 4) != fnv(copy, len - 4, 2166136261u))
		return 7;
	return 0;
}

/* ---- RRsets: the same names, type A, RDATA that proves itself whole ---- */

#define RR_HDR 10           /* key 4, version 4, writer 1, index 1 */
#define SIG_LEN 23          /* 18 fixed bytes, root signer, 4-byte checksum */
#define RRSET_WHY(status) ((uint16_t)(100 + (status)))

/*
 * 1..8 RRs of (key, version, writer, index) and a pattern, up to 3.8 KB in all, and
 * one RRSIG whose "signature" is a checksum of every RR's RDATA.
 */
static void
build_rrset(struct cache_rrset *rs, uint32_t key, uint32_t version, uint8_t writer,
	    uint64_t rng, uint32_t ttl)
{
	unsigned int n = 1 + (unsigned int)(rng % 8);
	size_t max = (rng >> 60) < 2 ? 470 : 120;
	uint32_t sum = 2166136261u;
	uint8_t rd[512];

	cache_rrset_init(rs, ttl, (enum cache_rrset_rank)(1 + (rng >> 8) % CACHE_RANK_MAX),
			 CACHE_RRSET_INDETERMINATE);
	for (unsigned int i = 0; i < n; i++) {
		size_t len = RR_HDR + (size_t)((rng >> (12 + 5 * i)) % max);

		put32(rd, key);
		put32(rd + 4, version);
		rd[8] = writer;
		rd[9] = (uint8_t)i;
		for (size_t j = RR_HDR; j < len; j++)
			rd[j] = pattern(key, version, j + i);
		cache_rrset_add_rr(rs, rd, len);
		sum = fnv(rd, len, sum);
	}
	memset(rd, 0, SIG_LEN);
	put16(rd, 1);
	put32(rd + 19, sum);
	cache_rrset_add_sig(rs, rd, SIG_LEN);
}

/* Check an RRset the store gave for key; 0 when it is one whole RRset. */
static int
verify_rrset(const struct cache_rrset *rs, uint32_t key)
{
	uint32_t sum = 2166136261u, version;

	if (rs->rr_count < 1 || rs->rr_count > 8 || rs->sig_count != 1)
		return 1;
	if (rs->ttl > MAX_TTL || rs->rank == CACHE_RANK_NONE || rs->rank > CACHE_RANK_MAX ||
	    rs->status > CACHE_RRSET_BOGUS)
		return 2;
	if (rs->status != CACHE_RRSET_INDETERMINATE && rs->why != RRSET_WHY(rs->status))
		return 3;
	version = get32(cache_rrset_rdata(rs, 0) + 4);
	for (unsigned int i = 0; i < rs->rr_count; i++) {
		const uint8_t *rd = cache_rrset_rdata(rs, i);

		if (rs->rdoff[i] + rs->rdlen[i] > rs->data_len || rs->rdlen[i] < RR_HDR ||
		    get32(rd) != key || get32(rd + 4) != version || rd[9] != i)
			return 4;
		for (size_t j = RR_HDR; j < rs->rdlen[i]; j++)
			if (rd[j] != pattern(key, version, j + i))
				return 5;
		sum = fnv(rd, rs->rdlen[i], sum);
	}
	if (rs->rdlen[rs->rr_count] != SIG_LEN || get32(cache_rrset_sig(rs, 0) + 19) != sum)
		return 6;
	return 0;
}

/* One operation on the RRset of key: insert (30 %), status change (10 %), lookup. */
static void
rrset_op(struct lcore_result *res, unsigned int lcore, uint32_t key, const uint8_t *q,
	 uint64_t rng, uint32_t *version, uint32_t now)
{
	struct cache_rrset rs;
	struct cache_rrset_key k;
	uint32_t op = (uint32_t)(rng >> 40) % 100;

	if (cache_rrset_key_init(cache, &k, q, QLEN - 4, 1, 1) != 0) {
		res->bad++;
		return;
	}
	if (op < 30) {
		build_rrset(&rs, key, ++*version, (uint8_t)lcore, rng,
			    1 + (uint32_t)(rng >> 52) % MAX_TTL);
		int rc = cache_rrset_insert(cache, lcore, &k, &rs, now);

		res->rr_inserts += rc == CACHE_RRSET_INSERTED || rc == CACHE_RRSET_REPLACED;
	} else if (op < 40) {
		enum cache_rrset_status st = (enum cache_rrset_status)((rng >> 20) % 4);

		if (cache_rrset_set_status(cache, lcore, &k, st, RRSET_WHY(st),
					   (rng & 1) ? UINT32_MAX : 2, now) == 0)
			res->rr_status++;
	} else if (cache_rrset_lookup(cache, lcore, &k, now, &rs) == CACHE_RRSET_HIT) {
		int why = verify_rrset(&rs, key);

		res->rr_hits++;
		if (why != 0 && res->bad++ < 5)
			fprintf(stderr, "  lcore %u key %u: torn RRset (check %d)\n", lcore, key, why);
	}
}

static int
stress_lcore(void *arg)
{
	unsigned int lcore = rte_lcore_id();
	struct lcore_result *res = &results[lcore];
	uint64_t rng = 0x9e3779b97f4a7c15ull * (lcore + 1);
	uint8_t img[4096], out[4096], q[QLEN];
	uint32_t version = lcore << 24;

	RTE_SET_USED(arg);
	if (cache_reader_register(cache, lcore) != 0) {
		res->bad++;
		return -1;
	}
	while (rte_get_tsc_cycles() < t_end && res->ops < STRESS_MAX_OPS) {
		uint32_t now = fake_now();

		for (int b = 0; b < BURST; b++, res->ops++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			uint32_t key = (uint32_t)(rng % NKEYS), op = (uint32_t)(rng >> 32) % 100;
			struct cache_key k;

			cache_key_init(cache, &k, q, question(q, key), 0);
			if ((rng >> 56) % 4 == 0) {
				rrset_op(res, lcore, key, q, rng, &version, now);
			} else if (op < 35) {
				uint32_t t = 1 + (uint32_t)(rng >> 20) % MAX_TTL;
				uint32_t ttl[3] = { t, t + 1, t };
				uint16_t off[3];
				/* most answers small, some up to the largest class */
				size_t rdlen = BIG_HDR + (rng >> 40) % ((rng >> 60) < 4 ? 3500 : 400);
				size_t n = build(img, key, ++version, (uint8_t)lcore, rdlen, ttl, off);
				struct cache_response r = {
					.msg = img, .len = n, .ttl_off = off, .ttl_count = 3,
				};

				if (cache_insert(cache, lcore, &k, &r, now) == 0)
					res->inserts++;
			} else if (op < 38) {
				if (cache_remove(cache, lcore, &k) == 0)
					res->removes++;
			} else {
				uint16_t id = (uint16_t)rng;
				size_t len = 0;
				unsigned int opts = op & 1 ? CACHE_LOOKUP_STALE_OK : 0;
				enum cache_result cr = cache_lookup(cache, lcore, &k, id, now, opts,
								    out, sizeof(out), &len);

				if (cr == CACHE_HIT || cr == CACHE_HIT_PREFETCH || cr == CACHE_HIT_STALE) {
					int why = verify(out, len, key, id, cr);

					if (why != 0) {
						if (res->bad++ < 5)
							fprintf(stderr, "  lcore %u key %u: torn answer (check %d)\n",
								lcore, key, why);
					}
					if (cr == CACHE_HIT_STALE)
						res->stale++;
					else
						res->hits++;
				} else {
					res->misses++;
				}
			}
		}
		cache_quiescent(cache, lcore);
	}
	cache_reader_unregister(cache, lcore);
	return 0;
}

int
main(int argc, char **argv)
{
	char *eal[] = {
		argv[0], "--no-huge", "-m", "1024", "--no-shconf", "--no-pci",
		"--lcores", "0@0,1@1,2@0,3@1", "--log-level=error",
	};
	struct cache_config cfg;
	struct lcore_result sum = { 0 };
	struct cache_stats st;
	unsigned int l;

	RTE_SET_USED(argc);
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	cache_config_default(&cfg);
	cfg.memory_limit = 2u << 20;
	cfg.shards = 4;
	cfg.max_ttl = MAX_TTL;  /* images carry 1..MAX_TTL + 1: clamped */
	cfg.stale_window = 3;
	cfg.prefetch_percent = 50;
	cache = cache_create(&cfg);
	if (cache == NULL) {
		fprintf(stderr, "cache_create failed\n");
		return 1;
	}
	tsc_per_fake_second = rte_get_tsc_hz() / 1000;
	t_start = rte_get_tsc_cycles();
	t_end = t_start + STRESS_SECONDS * rte_get_tsc_hz();
	rte_eal_mp_remote_launch(stress_lcore, NULL, CALL_MAIN);
	rte_eal_mp_wait_lcore();

	RTE_LCORE_FOREACH(l) {
		struct lcore_result *r = &results[l];

		printf("  lcore %u: %lu ops, %lu inserts, %lu hits, %lu stale, %lu misses, "
		       "%lu removes, %lu RRset inserts, %lu RRset hits, %lu statuses, %lu torn\n",
		       l, (unsigned long)r->ops,
		       (unsigned long)r->inserts, (unsigned long)r->hits, (unsigned long)r->stale,
		       (unsigned long)r->misses, (unsigned long)r->removes,
		       (unsigned long)r->rr_inserts, (unsigned long)r->rr_hits,
		       (unsigned long)r->rr_status, (unsigned long)r->bad);
		sum.ops += r->ops;
		sum.inserts += r->inserts;
		sum.hits += r->hits;
		sum.stale += r->stale;
		sum.bad += r->bad;
		sum.rr_inserts += r->rr_inserts;
		sum.rr_hits += r->rr_hits;
		sum.rr_status += r->rr_status;
	}
	cache_stats_sum(cache, &st);
	printf("  cache: %u slots, %lu replaced, %lu evicted, %lu reclaimed, %lu expired, "
	       "%lu nomem, %lu lock waits\n", cache_capacity(cache), (unsigned long)st.replaced,
	       (unsigned long)st.evicted, (unsigned long)st.reclaimed,
	       (unsigned long)st.expired, (unsigned long)st.insert_nomem,
	       (unsigned long)st.lock_contended);
	cache_free(cache);
	rte_eal_cleanup();
	/* the run must have exercised what it claims to: writes, hits, stale, eviction */
	int ok = sum.bad == 0 && rte_lcore_count() >= 2 && sum.inserts > 0 && sum.hits > 0 &&
		 st.replaced > 0 && st.evicted > 0 && st.reclaimed > 0 &&
		 sum.rr_inserts > 0 && sum.rr_hits > 0 && sum.rr_status > 0 &&
		 st.rrset_replaced > 0 && st.rrset_kept > 0 && st.key_mismatch == 0;

	printf("%s: %lu ops on %u lcores, %lu torn answers\n", ok ? "PASS" : "FAIL",
	       (unsigned long)sum.ops, rte_lcore_count(), (unsigned long)sum.bad);
	return ok ? 0 : 1;
}
