/*
 * cache_priv.h - the cache's inside: entries, size classes, shards, the defer queue.
 * Only the files of dataplane/cache include it.
 */
#ifndef SEKISHO_DATAPLANE_CACHE_PRIV_H
#define SEKISHO_DATAPLANE_CACHE_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "cache.h"

/*
 * One cached response, in one slot of a size class. Immutable from publication
 * (rte_hash_add) until its memory is reused, except for the three hint fields
 * readers write without atomics of their own (see "state" and "hints" below).
 * After the header: uint32_t ttl_orig[ttl_count], uint16_t ttl_off[ttl_count],
 * then the image (the question name lowercase, the ID zero).
 */
struct cache_entry {
	uint64_t hash;            /* the rte_hash key */
	/* Life of the slot, changed only under the lock of the shard it lives in
	 * (or by the writer that owns it before publication):
	 * FREE -> OWNED (dequeued by a writer) -> LIVE(shard) -> RETIRED -> FREE. */
	uint32_t state;
	uint32_t idx;             /* slot index within its class */
	uint32_t inserted;        /* now at insert */
	uint32_t expire;          /* inserted + the smallest clamped TTL */
	uint32_t prefetch_at;     /* from here on a hit hints a refresh */
	uint32_t stale_until;     /* expire + stale window */
	/* Hints (relaxed, racy on purpose): last_used is stored only when it differs
	 * from now, so a hot entry's line is written at most once a second, not on
	 * every hit; hit_seconds counts such seconds (saturating, approximate). */
	uint32_t last_used;
	uint16_t image_len;
	uint16_t ttl_count;
	uint16_t name_len;
	uint8_t cls;
	uint8_t key_flags;        /* CACHE_KEY_DO | CACHE_KEY_CD */
	uint8_t negative;
	uint8_t rcode;
	uint8_t hit_seconds;
	uint8_t prefetch_claimed; /* exchanged to 1 by the one caller told to refresh */
};

#define CACHE_STATE_FREE    0u
#define CACHE_STATE_OWNED   1u
#define CACHE_STATE_RETIRED 2u
#define CACHE_STATE_LIVE    0x80000000u  /* | shard index */

static inline uint32_t *
cache_entry_ttl_orig(struct cache_entry *e)
{
	return (uint32_t *)(e + 1);
}

static inline uint16_t *
cache_entry_ttl_off(struct cache_entry *e)
{
	return (uint16_t *)(cache_entry_ttl_orig(e) + e->ttl_count);
}

static inline uint8_t *
cache_entry_image(struct cache_entry *e)
{
	return (uint8_t *)(cache_entry_ttl_off(e) + e->ttl_count);
}

/* Bytes a slot needs for an image of @len bytes with @ttl_count TTL fields. */
static inline size_t
cache_entry_size(size_t len, unsigned int ttl_count)
{
	return sizeof(struct cache_entry) + ttl_count * (sizeof(uint32_t) + sizeof(uint16_t)) + len;
}

/*
 * A size class: n_slots slots of slot_size bytes in one array, and a ring of the
 * indices of free ones (MP/MC: any writer allocates, any reclaimer frees). Random
 * indices into the array are the eviction candidates.
 */
#define CACHE_N_CLASSES 5
struct cache_class {
	uint32_t slot_size;
	uint32_t n_slots;
	uint32_t low_water;       /* evict ahead when fewer slots than this are free */
	uint8_t *base;
	struct rte_ring *free;
};

/* What waits in a shard's defer queue for readers to pass a quiescent state. */
struct cache_retired {
	uint64_t token;           /* rte_rcu_qsbr_start() when it was retired */
	struct cache_entry *e;
	int32_t key_pos;          /* rte_hash key slot to free, or -1 (replaced entry) */
};

/*
 * A shard: one rte_hash (lock-free readers, one writer at a time) and the writer
 * lock that makes "one writer" true, plus a FIFO of retired entries touched only
 * under that lock.
 */
struct cache_shard {
	rte_spinlock_t lock;
	struct rte_hash *h;
	uint32_t dq_head;         /* next to reclaim */
	uint32_t dq_tail;         /* next free place */
	uint32_t dq_mask;
	struct cache_retired *dq;
} __rte_cache_aligned;

/* Per-lcore state: counters and the eviction sampler's random state. */
struct cache_lcore {
	struct cache_stats stats;
	uint64_t rng;
	bool reader;              /* registered with the RCU variable */
} __rte_cache_aligned;

struct cache {
	struct cache_config cfg;
	uint64_t seed[2];
	uint64_t tsc_hz;
	uint32_t shard_mask;
	uint32_t n_slots;
	size_t memory;
	struct rte_rcu_qsbr *qsbr;
	struct cache_class cls[CACHE_N_CLASSES];
	struct cache_shard *shards;
	struct cache_lcore lcore[RTE_MAX_LCORE];
};

static inline struct cache_entry *
cache_slot(const struct cache *c, unsigned int cls, uint32_t idx)
{
	return (struct cache_entry *)(c->cls[cls].base + (size_t)idx * c->cls[cls].slot_size);
}

static inline struct cache_shard *
cache_shard_of(const struct cache *c, uint64_t hash)
{
	return &c->shards[(hash >> 32) & c->shard_mask];
}

/* Lowest 32 bits of the key hash: the signature rte_hash buckets by. */
static inline uint32_t
cache_sig(uint64_t hash)
{
	return (uint32_t)hash;
}

/* cache_hash.c */
uint64_t cache_hash_key(const uint64_t seed[2], const uint8_t *name, size_t len,
			uint16_t qtype, uint16_t qclass, uint8_t flags);

/* cache_insert.c: mark a free slot's body unreadable (AddressSanitizer builds). */
void cache_slot_poison(struct cache *c, struct cache_entry *e);
/* cache_insert.c: make a whole slab readable again before it is freed. */
void cache_slot_unpoison_all(struct cache *c, unsigned int ci);

/* cache_insert.c: reclaim whatever is past its grace period in @s (lock held). */
uint32_t cache_shard_reclaim(struct cache *c, struct cache_shard *s, struct cache_lcore *lc,
			     uint32_t max);

#endif
