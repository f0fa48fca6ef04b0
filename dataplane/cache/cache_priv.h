/*
 * cache_priv.h - the cache's inside: entries, size classes, shards, the defer queue.
 * Only the files of dataplane/cache include it.
 */
#ifndef SEKISHO_DATAPLANE_CACHE_PRIV_H
#define SEKISHO_DATAPLANE_CACHE_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_lcore.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "cache.h"
#include "cache_table.h"

/*
 * One cached response, in one slot of a size class. Immutable from publication
 * (cache_table_put) until its memory is reused, except for the three hint fields
 * readers write without atomics of their own (see "state" and "hints" below).
 * After the header: uint32_t ttl_orig[ttl_count], uint16_t ttl_off[ttl_count],
 * then the image (the question name lowercase, the ID zero).
 */
struct cache_entry {
	uint64_t hash;            /* the table key (the key hash) */
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
	uint8_t key_flags;        /* images: CACHE_KEY_DO | CACHE_KEY_CD; RRsets: CACHE_KIND_RRSET;
	                           * a zone's denial records: CACHE_KIND_DENIAL */
	uint8_t negative;
	uint8_t rcode;
	uint8_t hit_seconds;
	uint8_t prefetch_claimed; /* exchanged to 1 by the one caller told to refresh */
	uint16_t image_sum;       /* images: the image's checksum sum (wire_csum.h)
	                           * with its question name and TTL fields as zeros */
};

/*
 * What an entry holds. The kind is part of the key twice over: it is the flags byte
 * mixed into the hash (image keys use only CACHE_KEY_DO | CACHE_KEY_CD, 0..3, so an
 * image key and an RRset key for the same name and type hash apart), and it is the
 * entry's key_flags, which every full-key check compares (cache_lookup's check of
 * key_flags is what keeps an RRset entry from ever being taken for an image).
 * An RRset entry's body (after the header, no TTL tables) is described in
 * cache_rrset.c, a denial entry's (one zone's NSEC/NSEC3 records) in cache_denial.c.
 */
#define CACHE_KIND_RRSET    0x80u
#define CACHE_KIND_DENIAL   0x40u

/*
 * Can (type, class) be an RRset of the store? Not: type 0, OPT (41), meta types and
 * QTYPEs (128..255: TSIG, TKEY, ANY...), RRSIG (46: kept with the RRset it covers),
 * SIG (24: SIG(0) signs messages); class 0, NONE (254), ANY (255).
 */
static inline bool
cache_rrset_storable(uint16_t type, uint16_t rclass)
{
	return type != 0 && type != 24 && type != 41 && type != 46 &&
	       (type < 128 || type > 255) && rclass != 0 && rclass != 254 && rclass != 255;
}

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
};

/*
 * A shard: one table (lock-free readers, one writer at a time: cache_table.h) and
 * the writer lock that makes "one writer" true, plus a FIFO of retired entries
 * touched only under that lock.
 */
struct cache_shard {
	rte_spinlock_t lock;
	struct cache_table t;
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
	uint64_t clock_skew;            /* TSC cycles added by tests (cache_clock_advance) */
	uint32_t shard_mask;
	uint32_t n_slots;
	size_t memory;
	struct rte_rcu_qsbr *qsbr;
	struct cache_class cls[CACHE_N_CLASSES];
	struct cache_shard *shards;
	struct cache_lcore lcore[RTE_MAX_LCORE];
};

/* Take shard @s's writer lock, counting a wait when someone else holds it. */
static inline void
cache_shard_lock(struct cache_shard *s, struct cache_lcore *lc)
{
	if (!rte_spinlock_trylock(&s->lock)) {
		lc->stats.lock_contended++;
		rte_spinlock_lock(&s->lock);
	}
}

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

/*
 * Table references: class + 1 in the top 3 bits, the slot index below, so 0 is
 * never a reference and a 32-bit way names any slot (classes hold < 2^29 slots).
 */
#define CACHE_REF_IDX_BITS 29
#define CACHE_REF_IDX_MASK ((1u << CACHE_REF_IDX_BITS) - 1)

static inline uint32_t
cache_ref_of(const struct cache_entry *e)
{
	return (uint32_t)(e->cls + 1) << CACHE_REF_IDX_BITS | e->idx;
}

static inline struct cache_entry *
cache_ref_entry(const struct cache *c, uint32_t ref)
{
	return cache_slot(c, (ref >> CACHE_REF_IDX_BITS) - 1, ref & CACHE_REF_IDX_MASK);
}

/* The entry of bucket @b whose full hash is @hash, or NULL. Lock-free. */
static inline struct cache_entry *
cache_bucket_find(const struct cache *c, const struct cache_bucket *b, uint32_t sig,
		  uint64_t hash)
{
	for (unsigned int i = 0; i < CACHE_TABLE_WAYS; i++) {
		if (__atomic_load_n(&b->sig[i], __ATOMIC_ACQUIRE) != sig)
			continue;
		uint32_t ref = __atomic_load_n(&b->ref[i], __ATOMIC_ACQUIRE);

		if (ref == 0)
			continue;
		struct cache_entry *e = cache_ref_entry(c, ref);

		if (e->hash == hash)
			return e;
	}
	return NULL;
}

/*
 * cache_table_find - the entry published under @hash, or NULL. Readers (no lock)
 * and writers (shard lock held) alike. A reader may use the entry until its next
 * quiescent state; it must still compare the full key (a 64-bit hash collision).
 */
static inline struct cache_entry *
cache_table_find(const struct cache *c, uint64_t hash)
{
	const struct cache_table *t = &cache_shard_of(c, hash)->t;
	uint32_t sig = cache_table_sig(hash);
	uint32_t p = cache_table_primary(t, hash);
	const struct cache_bucket *b = &t->b[p];
	struct cache_entry *e = cache_bucket_find(c, b, sig, hash);

	if (e == NULL && __atomic_load_n(&b->overflow, __ATOMIC_RELAXED) != 0)
		e = cache_bucket_find(c, &t->b[cache_table_alternate(t, p, sig)], sig, hash);
	return e;
}

/* cache_table.c (shard lock held): make the table of @buckets (a power of two). */
int cache_table_init(struct cache_table *t, uint32_t buckets, int socket);
void cache_table_free(struct cache_table *t);
/* Publish @e under e->hash: 0 (added), 1 (*old replaced, to be retired by the
 * caller), -ENOSPC (its two buckets are full). */
int cache_table_put(struct cache *c, struct cache_table *t, struct cache_entry *e,
		    struct cache_entry **old);
/* Unpublish @e: 0, or -ENOENT when it is not in the table. */
int cache_table_del(struct cache *c, struct cache_table *t, struct cache_entry *e);

/* cache_key.c */
uint64_t cache_hash_key(const uint64_t seed[2], const uint8_t *name, size_t len,
			uint16_t qtype, uint16_t qclass, uint8_t flags);

/* Recency hint for eviction: one relaxed store per entry per second, not one per hit. */
static inline void
cache_entry_touch(struct cache_entry *e, uint32_t now)
{
	if (__atomic_load_n(&e->last_used, __ATOMIC_RELAXED) != now) {
		uint8_t n = __atomic_load_n(&e->hit_seconds, __ATOMIC_RELAXED);

		__atomic_store_n(&e->last_used, now, __ATOMIC_RELAXED);
		if (n != UINT8_MAX)
			__atomic_store_n(&e->hit_seconds, n + 1, __ATOMIC_RELAXED);
	}
}

/* cache_insert.c: a TTL as the cache keeps it (RFC 2181 §8, min/max clamps). */
uint32_t cache_ttl_clamp(const struct cache_config *cfg, uint32_t ttl, bool negative);

/* cache_insert.c: take a free slot for an entry of @need bytes (evicting when its
 * class runs low). 0 with *out owned by the caller, -E2BIG (larger than the largest
 * slot) or -ENOMEM (nothing free even after eviction). */
int cache_slot_alloc(struct cache *c, struct cache_lcore *lc, size_t need, uint32_t now,
		     struct cache_entry **out);

/* cache_insert.c: give back a slot that was never published. */
void cache_slot_release(struct cache *c, struct cache_entry *e);

/*
 * Asked by cache_publish() under the shard lock with the entry now under the new
 * entry's hash (NULL when none): true lets the new entry take its place. Because
 * the question and the swap happen under one lock, two writers cannot both decide
 * against the same old entry.
 */
typedef bool (*cache_may_replace_fn)(const struct cache_entry *old, const void *arg);

/*
 * cache_insert.c: publish @e (filled, owned by the caller) in its shard in place of
 * any entry under the same hash, which is retired. @may_replace NULL: always.
 * Returns 1 (an entry was replaced), 0 (none was there), or, with @e still the
 * caller's: -EEXIST (may_replace said no), -ENOMEM (defer queue full), -ENOSPC
 * (hash shard full).
 */
int cache_publish(struct cache *c, struct cache_lcore *lc, struct cache_entry *e,
		  cache_may_replace_fn may_replace, const void *arg);

/* cache_insert.c: mark a free slot's body unreadable (AddressSanitizer builds). */
void cache_slot_poison(struct cache *c, struct cache_entry *e);
/* cache_insert.c: make a whole slab readable again before it is freed. */
void cache_slot_unpoison_all(struct cache *c, unsigned int ci);

/* cache_insert.c: unpublish live entry @e of shard @s (lock held) and retire it to
 * the defer queue. False when the defer queue is full even after reclaiming what is
 * past its grace period (then nothing changed). */
bool cache_delete_locked(struct cache *c, struct cache_shard *s, struct cache_lcore *lc,
			 struct cache_entry *e);

/* cache_rrset.c / cache_denial.c: the lowercase owner of an RRset entry, the zone of a
 * denial entry (e->name_len bytes). For the flush, which matches entries by name. */
const uint8_t *cache_rrset_entry_owner(const struct cache_entry *e);
const uint8_t *cache_denial_entry_zone(const struct cache_entry *e);

/* cache_insert.c: reclaim whatever is past its grace period in @s (lock held). */
uint32_t cache_shard_reclaim(struct cache *c, struct cache_shard *s, struct cache_lcore *lc,
			     uint32_t max);

#endif
