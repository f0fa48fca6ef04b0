/*
 * cache_table.h - the cache's hash table: 64-bit key hash -> entry, one per shard.
 * Only the files of dataplane/cache include it (through cache_priv.h).
 *
 * Why not rte_hash: a hit in a 1M-entry rte_hash is three dependent cache misses
 * (bucket, key slot, data) before the entry's own, and the bucket's address is
 * hidden inside the library, so a burst cannot ask for its buckets ahead of time.
 * Here a bucket is one cache line, found from the hash alone, holding both the
 * signatures and the entry references: a burst prefetches every bucket first,
 * then every entry, and the lookups that follow find both in the CPU cache.
 *
 * Layout: 7 ways of (32-bit signature, 32-bit entry reference), an overflow
 * count and each way's entry size in cache lines, 64 bytes. A key lives in its
 * primary bucket, or in its alternate when the primary is full (then the primary's
 * overflow count says "look there too").
 * Sized at two buckets' worth of ways per entry slot, so the primary is
 * rarely full and a hit is one bucket line.
 *
 * Concurrency (the rte_hash RW_CONCURRENCY_LF rules, written out):
 *  - readers take no lock; writers hold their shard's lock;
 *  - add: the reference is stored before the signature (release), so a reader that
 *    sees the signature sees the reference;
 *  - replace: one release store of the new reference in place of the old;
 *  - delete: signature then reference cleared before the entry is retired to RCU,
 *    so a reader that starts after the retirement can no longer reach it;
 *  - a reader that pairs a signature with another entry's reference (a way reused
 *    between its two loads) is caught by the entry's full 64-bit hash, then the
 *    full key, which every caller compares anyway.
 */
#ifndef SEKISHO_DATAPLANE_CACHE_TABLE_H
#define SEKISHO_DATAPLANE_CACHE_TABLE_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#define CACHE_TABLE_WAYS 7

struct cache_bucket {
	uint32_t sig[CACHE_TABLE_WAYS];
	uint32_t ref[CACHE_TABLE_WAYS];   /* 0: empty; else cache_ref_of() */
	uint32_t overflow;                /* keys of this bucket living in their alternate */
	uint32_t lines;                   /* 4 bits per way: cache lines of its entry, for
	                                   * the burst's prefetch (a hint: written racily,
	                                   * 0 when unknown) */
} __rte_cache_aligned;

struct cache_table {
	struct cache_bucket *b;
	uint32_t mask;                    /* buckets - 1 (a power of two) */
	uint32_t count;                   /* keys in the table (writers only) */
};

/* Bits of the hash: 32..39 pick the shard (cache_shard_of), 40..63 the bucket,
 * 0..31 are the signature. */
#define CACHE_TABLE_BUCKET_SHIFT 40
#define CACHE_TABLE_MAX_BUCKETS (1u << (64 - CACHE_TABLE_BUCKET_SHIFT))

static inline uint32_t
cache_table_sig(uint64_t hash)
{
	uint32_t sig = (uint32_t)hash;

	return sig != 0 ? sig : 1;        /* 0 marks an empty way */
}

static inline uint32_t
cache_table_primary(const struct cache_table *t, uint64_t hash)
{
	return (uint32_t)(hash >> CACHE_TABLE_BUCKET_SHIFT) & t->mask;
}

/* The alternate bucket: the primary moved by a function of the signature, so
 * keys that share a primary spread over different alternates. */
static inline uint32_t
cache_table_alternate(const struct cache_table *t, uint32_t primary, uint32_t sig)
{
	return (primary ^ ((sig * 0x5bd1e995u) >> 8 | 1u)) & t->mask;
}

/* The prefetch hint of way @w: the lines its entry spans, 0 when unknown. */
static inline unsigned int
cache_bucket_lines(const struct cache_bucket *b, unsigned int w)
{
	return (__atomic_load_n(&b->lines, __ATOMIC_RELAXED) >> (4 * w)) & 0xfu;
}

static inline void
cache_table_prefetch(const struct cache_table *t, uint64_t hash)
{
	rte_prefetch0(&t->b[cache_table_primary(t, hash)]);
}

/* Bytes of a table with @buckets buckets. */
static inline size_t
cache_table_size(uint32_t buckets)
{
	return (size_t)buckets * sizeof(struct cache_bucket);
}

#endif
