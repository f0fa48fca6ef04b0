/*
 * cache_lookup.c - the reader's path: find, confirm, copy, patch.
 *
 * Runs per query on every worker lcore. Never locks, never allocates, never makes
 * a syscall. The entry found stays valid until this lcore's next cache_quiescent()
 * (RCU); its bytes never change while it is reachable. The only stores to shared
 * memory are the recency hint (at most once a second per entry) and the one-time
 * prefetch claim.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>

#include "cache_priv.h"
#include "wire_csum.h"

/* Do two lowercase names of @n bytes match? Eight bytes at a time, the last eight
 * read overlapping so that nothing past either name is read (no libc call for a
 * name's few words). */
static inline bool
name_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t x, y;

	if (n < 8)
		return memcmp(a, b, n) == 0;
	for (size_t i = 0; i + 8 < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return x == y;
}

/* The entry for k's hash, confirmed against every key field; NULL when none. */
static struct cache_entry *
find_entry(struct cache *c, struct cache_lcore *lc, const struct cache_key *k)
{
	struct cache_entry *e = cache_table_find(c, k->hash);

	if (e == NULL)
		return NULL;
	const uint8_t *q = cache_entry_image(e) + 12;

	if (e->name_len != k->name_len || e->key_flags != k->flags ||
	    !name_eq(q, k->name, k->name_len) ||
	    q[k->name_len] != (k->qtype >> 8) || q[k->name_len + 1] != (k->qtype & 0xff) ||
	    q[k->name_len + 2] != (k->qclass >> 8) || q[k->name_len + 3] != (k->qclass & 0xff)) {
		lc->stats.key_mismatch++;
		return NULL;
	}
	return e;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	v = rte_cpu_to_be_32(v);
	memcpy(p, &v, sizeof(v));
}

/* Copy e's image into out with the client's ID and question and TTLs as of now;
 * with @sum, the checksum sum of what was written, from the image's and the new
 * fields' (wire_csum.h), not read back from out. */
static size_t
copy_patched(struct cache_entry *e, const struct cache_key *k, uint16_t id,
	     uint32_t now, bool stale, uint32_t stale_ttl, uint8_t *out, uint32_t *sum)
{
	const uint32_t *orig = cache_entry_ttl_orig(e);
	const uint16_t *off = cache_entry_ttl_off(e);
	uint32_t age = now - e->inserted;
	uint64_t even = 0, odd = 0;

	rte_memcpy(out, cache_entry_image(e), e->image_len);
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	memcpy(out + 12, k->question, k->qlen);
	for (unsigned int i = 0; i < e->ttl_count; i++) {
		uint32_t ttl = stale ? stale_ttl : (orig[i] > age ? orig[i] - age : 0);
		uint64_t share = (uint64_t)(ttl >> 16) + (ttl & 0xffffu);

		put32(out + off[i], ttl);
		if (off[i] & 1)
			odd += share;
		else
			even += share;
	}
	if (sum != NULL) {
		uint16_t s = wire_csum_add(e->image_sum, id);

		s = wire_csum_add(s, wire_csum_bytes(k->question, k->name_len));
		s = wire_csum_add(s, wire_csum_fold(even));
		*sum = wire_csum_add(s, wire_csum_at(wire_csum_fold(odd), 1));
	}
	return e->image_len;
}

/* True for the one caller that gets to refresh an entry close to expiry. */
static inline bool
claim_prefetch(struct cache_entry *e, uint32_t now)
{
	return now >= e->prefetch_at &&
	       __atomic_load_n(&e->prefetch_claimed, __ATOMIC_RELAXED) == 0 &&
	       __atomic_exchange_n(&e->prefetch_claimed, 1, __ATOMIC_RELAXED) == 0;
}

/*
 * Lines of an entry a hit reads ahead of its copy: as many as the entry spans (the
 * bucket's hint), at most PREFETCH_MAX_LINES (the copy of a longer image streams),
 * PREFETCH_UNKNOWN_LINES without a hint. Asking for lines beyond the entry is not
 * free: a burst's prefetches queue for the core's few line fill buffers, and the
 * smallest entries (one A record) fill two lines of a 256-byte slot.
 */
#define PREFETCH_MAX_LINES 4
#define PREFETCH_UNKNOWN_LINES 2

static inline void
prefetch_entry(const void *e, unsigned int lines)
{
	if (lines == 0)
		lines = PREFETCH_UNKNOWN_LINES;
	lines = RTE_MIN(lines, (unsigned int)PREFETCH_MAX_LINES);
	for (unsigned int l = 0; l < lines; l++)
		rte_prefetch0((const uint8_t *)e + l * RTE_CACHE_LINE_SIZE);
}

void
cache_prefetch_key(const struct cache *c, const struct cache_key *k)
{
	cache_table_prefetch(&cache_shard_of(c, k->hash)->t, k->hash);
}

/*
 * Second step of a burst: the primary buckets were asked for as the keys were
 * made (cache_prefetch_key), so by now they are in (or on their way to) the CPU
 * cache; a signature match there names the entry to load. No full-key check, no
 * alternate bucket: a wrong or missing guess only costs the prefetch.
 */
void
cache_prefetch_burst(struct cache *c, const struct cache_key *const keys[], unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct cache_table *t = &cache_shard_of(c, keys[i]->hash)->t;
		const struct cache_bucket *b = &t->b[cache_table_primary(t, keys[i]->hash)];
		uint32_t sig = cache_table_sig(keys[i]->hash);

		for (unsigned int w = 0; w < CACHE_TABLE_WAYS; w++) {
			uint32_t ref = __atomic_load_n(&b->ref[w], __ATOMIC_RELAXED);

			if (__atomic_load_n(&b->sig[w], __ATOMIC_RELAXED) == sig && ref != 0) {
				prefetch_entry(cache_ref_entry(c, ref), cache_bucket_lines(b, w));
				break;
			}
		}
	}
}

enum cache_result
cache_lookup(struct cache *c, unsigned int lcore, const struct cache_key *k,
	     uint16_t id, uint32_t now, unsigned int opts,
	     uint8_t *out, size_t cap, size_t *out_len)
{
	return cache_lookup_sum(c, lcore, k, id, now, opts, out, cap, out_len, NULL);
}

enum cache_result
cache_lookup_sum(struct cache *c, unsigned int lcore, const struct cache_key *k,
		 uint16_t id, uint32_t now, unsigned int opts,
		 uint8_t *out, size_t cap, size_t *out_len, uint32_t *sum)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	struct cache_entry *e;
	bool stale = false;

	lc->stats.lookups++;
	e = find_entry(c, lc, k);
	if (e == NULL) {
		lc->stats.misses++;
		return CACHE_MISS;
	}
	if ((int32_t)(now - e->expire) >= 0) {
		if ((int32_t)(now - e->stale_until) >= 0) {
			lc->stats.expired++;
			lc->stats.misses++;
			return CACHE_MISS;
		}
		lc->stats.stale_found++;
		if (!(opts & CACHE_LOOKUP_STALE_OK))
			return CACHE_EXPIRED_STALE;
		stale = true;
	}
	if (e->image_len > cap) {
		lc->stats.too_big++;
		*out_len = e->image_len;
		return CACHE_TOO_BIG;
	}
	*out_len = copy_patched(e, k, id, now, stale, c->cfg.stale_ttl, out, sum);
	cache_entry_touch(e, now);
	if (stale) {
		lc->stats.stale_served++;
		return CACHE_HIT_STALE;
	}
	lc->stats.hits++;
	if (claim_prefetch(e, now)) {
		lc->stats.prefetch_hints++;
		return CACHE_HIT_PREFETCH;
	}
	return CACHE_HIT;
}
