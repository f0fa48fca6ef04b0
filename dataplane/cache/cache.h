/*
 * dataplane/cache: the response cache shared by every worker lcore.
 *
 * One cache, many readers, many writers. A hit is one hash lookup, one copy of a
 * ready-to-send DNS response image into the caller's buffer, the client's ID and
 * question bytes written over the stored ones, and a TTL patch.
 *
 * Readers (cache_lookup) never lock, never make a syscall, never allocate: the
 * table is lock-free for readers (cache_table.h), and memory of a
 * replaced or evicted entry is reused only after every registered reader has
 * called cache_quiescent() (QSBR RCU). Writers (cache_insert) take the spinlock of
 * one shard of the table for a few hundred nanoseconds; all memory comes from
 * slabs reserved at cache_create(), so the cache never grows past its limit.
 * See README.md beside this file for the structure and why.
 *
 * Time is a uint32_t count of seconds from any origin (cache_now() gives one from
 * the TSC); the caller passes it in so that tests can fake it.
 */
#ifndef SEKISHO_DATAPLANE_CACHE_H
#define SEKISHO_DATAPLANE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>

/* Per-lcore cache counters: one table, one line per counter (name, help). */
#define CACHE_COUNTERS(X) \
	X(lookups,          "cache lookups") \
	X(hits,             "lookups answered from a fresh entry") \
	X(misses,           "lookups that found no usable entry") \
	X(expired,          "misses on an entry past its TTL and stale window") \
	X(stale_found,      "lookups that found an expired entry inside the stale window") \
	X(stale_served,     "stale entries copied out (RFC 8767)") \
	X(prefetch_hints,   "hits that told the caller to refresh the entry") \
	X(too_big,          "entries larger than the caller's buffer") \
	X(key_mismatch,     "hash matched but the name, type, class or bits differ") \
	X(inserts,          "entries inserted") \
	X(replaced,         "inserts that replaced an entry for the same key") \
	X(insert_invalid,   "inserts refused: bad image or TTL offsets") \
	X(insert_too_big,   "inserts refused: image larger than the largest slot") \
	X(insert_nomem,     "inserts dropped: no free slot even after eviction") \
	X(insert_table_full,"inserts dropped: the hash table shard was full") \
	X(evicted,          "entries evicted to make room") \
	X(evicted_expired,  "evicted entries that were already past their stale window") \
	X(reclaimed,        "entries whose memory came back after a grace period") \
	X(lock_contended,   "writer lock acquisitions that had to wait") \
	X(rrset_lookups,    "RRset store lookups") \
	X(rrset_hits,       "RRset lookups that found a live RRset") \
	X(rrset_misses,     "RRset lookups that found none, or an expired one") \
	X(rrset_inserts,    "RRsets stored where none was cached") \
	X(rrset_replaced,   "RRsets stored over a cached one (expired, or of no higher rank)") \
	X(rrset_kept,       "RRsets not stored: the cached one ranks higher or is secure") \
	X(rrset_unchanged,  "RRsets not stored: the same records are cached at that rank and status") \
	X(rrset_invalid,    "RRsets refused: bad name, type, class, rank, counts or lengths") \
	X(rrset_too_big,    "RRsets refused: more records or bytes than one entry holds") \
	X(rrset_nomem,      "RRsets dropped: no free slot, or the shard was full") \
	X(rrset_status_set, "validation statuses set (the entry replaced by a copy)") \
	X(rrset_status_lost,"status changes dropped: RRset gone, expired, changed, or no memory") \
	X(rrset_msgs,       "DNS messages walked into the RRset store") \
	X(rrset_out_of_bailiwick, "RRsets skipped: owner outside the responding server's zone") \
	X(denial_lookups,   "denial store lookups (RFC 8198): one per zone name looked at") \
	X(denial_hits,      "denial lookups that found a zone's live NSEC/NSEC3 records") \
	X(denial_inserts,   "zones whose validated NSEC/NSEC3 records were stored anew") \
	X(denial_merged,    "denial entries replaced by one with new records merged in") \
	X(denial_unchanged, "denial inserts that brought nothing new: nothing written") \
	X(denial_dropped,   "old NSEC/NSEC3 records left out of a full denial entry") \
	X(denial_lost,      "denial inserts lost: invalid, too big, no memory, or raced twice") \
	X(flushes,          "flushes asked for by the operator (a name, a zone, or all)") \
	X(flushed,          "entries removed by those flushes")

struct cache_stats {
#define CACHE_COUNTER_FIELD(name, help) uint64_t name;
	CACHE_COUNTERS(CACHE_COUNTER_FIELD)
#undef CACHE_COUNTER_FIELD
};

/* Names and help texts in the order of struct cache_stats's fields. */
extern const char *const cache_counter_names[];
extern const char *const cache_counter_help[];
#define CACHE_N_COUNTERS (sizeof(struct cache_stats) / sizeof(uint64_t))

/* Largest response image the cache keeps (sekisho's largest UDP response). */
#define CACHE_IMAGE_MAX 4096
/* Most TTL fields one image may have (matches the builder's WIRE_BUILD_TTL_MAX). */
#define CACHE_TTL_MAX 128
/* Most shards (independent hash tables, each with its own writer lock). */
#define CACHE_SHARDS_MAX 256

struct cache_config {
	size_t memory_limit;      /* bytes for entries, tables and queues, all of it */
	uint32_t min_ttl;         /* TTLs below are raised to this (seconds) */
	uint32_t max_ttl;         /* TTLs above are lowered to this */
	uint32_t max_negative_ttl;/* cap on the RFC 2308 TTL of negative answers */
	uint32_t stale_window;    /* serve-stale: seconds past expiry (0: off) */
	uint32_t stale_ttl;       /* TTL written into stale answers (RFC 8767: 30) */
	uint32_t prefetch_percent;/* hint a refresh when less than this % of TTL is left (0: off) */
	uint32_t shards;          /* power of two, 1..CACHE_SHARDS_MAX */
	uint32_t evict_samples;   /* candidates looked at per eviction */
	uint64_t seed;            /* hash seed; 0 = random (use a fixed one in tests only) */
	int socket_id;            /* NUMA socket of the memory (SOCKET_ID_ANY) */
};

/* Defaults: 64 MiB, TTLs 0..86400, negative <= 3600, stale 1 day at TTL 30,
 * prefetch at 10 %, 16 shards, 8 eviction samples, random seed. */
void cache_config_default(struct cache_config *cfg);

struct cache;

/*
 * cache_create - reserve every byte the cache will ever use (slabs of entry slots
 * in size classes, hash tables, queues) within cfg->memory_limit.
 * Start-up only, after rte_eal_init. Returns the cache, or NULL with rte_errno set
 * (EINVAL: bad config or a limit too small for one slot per class; ENOMEM).
 */
struct cache *cache_create(const struct cache_config *cfg);

/* cache_free - free everything. No reader or writer may use the cache any more. */
void cache_free(struct cache *c);

/*
 * cache_memory - bytes cache_create took from the DPDK heap (measured, not
 * estimated); never more than the configured limit and constant afterwards.
 */
size_t cache_memory(const struct cache *c);

/* cache_capacity - entry slots in all size classes together. */
uint32_t cache_capacity(const struct cache *c);

/* cache_now - seconds from the TSC (plus any test skew), cheap enough to call once
 * per burst. */
uint32_t cache_now(const struct cache *c);

/* cache_clock_skew - TSC cycles every reader of the appliance's clock adds to the
 * TSC (0 unless a test moved time forward); the workers read it once per poll. */
const uint64_t *cache_clock_skew(const struct cache *c);

/* cache_clock_advance - move the appliance's clock forward by seconds (tests only:
 * the "test-clock" config option; called from the control side). Returns the skew
 * now in seconds. */
uint64_t cache_clock_advance(struct cache *c, uint32_t seconds);

/* ---- readers: every lcore that calls cache_lookup ---------------------------- */

/*
 * cache_reader_register - make @lcore (< RTE_MAX_LCORE) a reader: from now on
 * memory is reused only after it called cache_quiescent(). Returns 0 or -EINVAL.
 */
int cache_reader_register(struct cache *c, unsigned int lcore);

/* cache_reader_unregister - stop waiting for @lcore (before it stops polling). */
void cache_reader_unregister(struct cache *c, unsigned int lcore);

/*
 * cache_quiescent - @lcore holds no pointer into the cache. Call between bursts
 * (also on empty polls): no entry memory is reused until every reader has.
 */
void cache_quiescent(struct cache *c, unsigned int lcore);

/* ---- keys -------------------------------------------------------------------- */

#define CACHE_KEY_DO 0x01  /* the query had DO=1 */
#define CACHE_KEY_CD 0x02  /* the query had CD=1 */

/*
 * What a response is cached under: (lowercased qname, qtype, qclass, DO, CD) and
 * a seeded 64-bit hash of them. The client's question bytes (with its letter case)
 * are remembered so that a hit can write them back.
 */
struct cache_key {
	uint64_t hash;
	const uint8_t *question;   /* the client's question entry: name, type, class */
	uint16_t qlen;             /* its length: name_len + 4 */
	uint16_t name_len;
	uint16_t qtype;
	uint16_t qclass;
	uint8_t flags;             /* CACHE_KEY_DO | CACHE_KEY_CD */
	uint8_t name[255];         /* the qname, uncompressed, lowercase */
};

/*
 * cache_key_init - make the key of a question entry (@q, @qlen: an uncompressed
 * name, QTYPE, QCLASS, as in the client's query). @q must stay valid while the
 * key is used. @flags: CACHE_KEY_DO and/or CACHE_KEY_CD.
 * Returns 0, or -EINVAL when @q is not exactly one well-formed question entry.
 */
int cache_key_init(const struct cache *c, struct cache_key *k, const uint8_t *q,
		   size_t qlen, unsigned int flags);

/*
 * cache_name_lower - copy the uncompressed name at the start of @q into @out
 * (255 bytes: whole words are written, zero past the name) lowercased. Returns its
 * length (root label included), or -EINVAL when it is not a valid name within
 * @qlen bytes.
 */
int cache_name_lower(const uint8_t *q, size_t qlen, uint8_t *out);

/*
 * cache_name_lower_hash - cache_name_lower(), and the name's share of the key hash
 * in *name_hash, folded from the lowercased words as they are made (the packet
 * path reads the name once).
 */
int cache_name_lower_hash(const struct cache *c, const uint8_t *q, size_t qlen,
			  uint8_t *out, uint64_t *name_hash);

/*
 * cache_key_init_lower - cache_key_init() for a question whose name the caller
 * already checked and lowercased with cache_name_lower_hash() into @lname
 * (qlen - 4 bytes) with @name_hash: neither walked again. @lname may be k->name
 * itself (lowercased into the key: nothing is copied).
 */
void cache_key_init_lower(const struct cache *c, struct cache_key *k, const uint8_t *q,
			  size_t qlen, const uint8_t *lname, uint64_t name_hash,
			  unsigned int flags);

/* ---- lookup ------------------------------------------------------------------ */

enum cache_result {
	CACHE_MISS = 0,        /* nothing usable: resolve */
	CACHE_HIT,             /* fresh answer copied into out */
	CACHE_HIT_PREFETCH,    /* fresh answer copied; little TTL left: refresh it
	                        * (told to one caller per entry) */
	CACHE_HIT_STALE,       /* expired answer copied with stale TTLs (only when
	                        * CACHE_LOOKUP_STALE_OK was given) */
	CACHE_EXPIRED_STALE,   /* expired, inside the stale window, nothing copied:
	                        * resolve, and ask again with CACHE_LOOKUP_STALE_OK if
	                        * every authoritative fails */
	CACHE_TOO_BIG,         /* a fresh (or servable stale) entry exists but is
	                        * larger than cap; nothing copied, *out_len is
	                        * its size */
};

#define CACHE_LOOKUP_STALE_OK 0x01  /* copy an entry inside the stale window */

/*
 * cache_lookup - answer the question of @k from the cache, on reader @lcore.
 *
 * On a hit the stored image is copied into @out (@cap bytes), the message ID is
 * set to @id, the question is replaced by k->question (the client's letter case)
 * and every TTL is set to what is left of it at @now (RFC 8767 stale_ttl for
 * stale answers). *out_len receives the length. Nothing is written on other
 * results. Never locks, never allocates.
 */
enum cache_result cache_lookup(struct cache *c, unsigned int lcore, const struct cache_key *k,
			       uint16_t id, uint32_t now, unsigned int opts,
			       uint8_t *out, size_t cap, size_t *out_len);

/*
 * cache_lookup_sum - cache_lookup(), and on a hit the checksum sum of the bytes
 * written to out in *sum (wire_csum.h: network order, folded), made from the
 * entry's stored sum and the rewritten fields rather than by reading out back.
 */
enum cache_result cache_lookup_sum(struct cache *c, unsigned int lcore,
				   const struct cache_key *k, uint16_t id, uint32_t now,
				   unsigned int opts, uint8_t *out, size_t cap, size_t *out_len,
				   uint32_t *sum);

/*
 * cache_prefetch_key - start loading the table bucket of @k (one cache line, found
 * from the hash alone): call it as soon as a key is made, then cache_prefetch_burst
 * over the burst's keys, then the lookups. A hint only, like cache_prefetch_burst.
 */
void cache_prefetch_key(const struct cache *c, const struct cache_key *k);

/*
 * cache_prefetch_burst - start loading into the CPU cache what cache_lookup() of
 * each of the @n keys will read (the entry and its image, found through the bucket
 * cache_prefetch_key asked for),
 * so that the lookups of a burst made right after overlap their memory latency
 * instead of waiting for it one after another. A hint only: nothing is counted,
 * copied or claimed; any lookup may still be made without it. Reader @lcore's rules
 * apply (the entries are looked at, not kept).
 */
void cache_prefetch_burst(struct cache *c, const struct cache_key *const keys[], unsigned int n);

/* ---- insert ------------------------------------------------------------------ */

/* A response to cache. */
struct cache_response {
	const uint8_t *msg;        /* a whole DNS message: header, the key's question,
	                            * records; the ID is ignored */
	size_t len;                /* 12 + qlen .. CACHE_IMAGE_MAX */
	const uint16_t *ttl_off;   /* offsets of its TTL fields (wire_builder.ttl_off) */
	uint16_t ttl_count;        /* wire_builder.ttl_count (do not cache on overflow) */
	bool negative;             /* NXDOMAIN or NODATA: the SOA's TTL is
	                            * min(SOA TTL, SOA MINIMUM) (RFC 2308 §5) */
	uint32_t ttl_if_none;      /* lifetime when the message has no records */
};

/*
 * cache_insert - cache @r under @k at @now, replacing any entry for the same key
 * (readers see the old or the new entry, never a mix). When memory is short the
 * least recently used of a few random entries of the same size class is evicted.
 * Called from any lcore @lcore (< RTE_MAX_LCORE, one thread per lcore id).
 * Returns 0; -EINVAL (the image does not hold k's question, or a TTL offset is
 * outside it); -E2BIG (larger than the largest slot); -ENOMEM (no slot free even
 * after eviction: memory not yet past its grace period); -ENOSPC (hash shard full).
 * Failures only mean "not cached"; each is counted.
 */
int cache_insert(struct cache *c, unsigned int lcore, const struct cache_key *k,
		 const struct cache_response *r, uint32_t now);

/*
 * cache_remove - forget the entry for @k, if any. Returns 0 or -ENOENT.
 */
int cache_remove(struct cache *c, unsigned int lcore, const struct cache_key *k);

/*
 * Flushing (`sekishoctl flush`): the operator's word that cached data must go. For the
 * control thread (or a test's lcore), never a worker: a flush walks the whole table,
 * a small batch of buckets per hold of a shard's lock, and when a shard's defer queue
 * is full it waits for the readers' next quiescent state (with no lock held). Removed
 * entries go through the same RCU defer queues as evicted ones: readers keep using
 * what they already hold, and memory comes back after the grace period. @lcore is the
 * caller's lcore id (its counters; if it is a registered reader, a wait counts it as
 * quiescent). Each call counts one flush and its entries (cache_flushes, cache_flushed).
 *
 * Besides the entries of the names themselves, a name or zone flush removes the
 * denial records (RFC 8198, cache_denial.h) of every zone above: their NSEC/NSEC3
 * ranges could otherwise go on proving the flushed names do not exist.
 */

/*
 * cache_flush_name - forget every entry of @name (uncompressed wire form, any case):
 * responses to questions for it (every type and class, DO/CD variants, negative
 * answers), the RRsets it owns, the denial records of a zone of that name and of the
 * zones above it. *@removed (may be NULL) gets the count. Returns 0, or -EINVAL for
 * a malformed name or an lcore id out of range.
 */
int cache_flush_name(struct cache *c, unsigned int lcore, const uint8_t *name, size_t len,
		     uint32_t *removed);

/*
 * cache_flush_zone - cache_flush_name() for @zone and every name below it (a name
 * whose trailing labels are @zone's), and the denial records of the zones above.
 */
int cache_flush_zone(struct cache *c, unsigned int lcore, const uint8_t *zone, size_t len,
		     uint32_t *removed);

/* cache_flush - forget every entry. Returns the number removed (0 for a bad lcore). */
uint32_t cache_flush(struct cache *c, unsigned int lcore);

/*
 * cache_reclaim - give back the memory of entries whose grace period is over
 * (writers do this as they go; the control thread may call it on a timer).
 * Returns how many came back.
 */
uint32_t cache_reclaim(struct cache *c, unsigned int lcore);

/* ---- counters ---------------------------------------------------------------- */

/* cache_lcore_stats - @lcore's counters (written only by that lcore). */
const struct cache_stats *cache_lcore_stats(const struct cache *c, unsigned int lcore);

/* cache_stats_sum - the counters of every lcore added into @out (zeroed first). */
void cache_stats_sum(const struct cache *c, struct cache_stats *out);

/* cache_count - live entries now (approximate while writers run). */
uint32_t cache_count(const struct cache *c);

#endif
