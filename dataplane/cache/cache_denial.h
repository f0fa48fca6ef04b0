/*
 * dataplane/cache: the denial store, for aggressive use of the validated cache
 * (RFC 8198).
 *
 * The RRset store (cache_rrset.h) finds an RRset by its exact owner, but "which
 * NSEC covers this name?" asks for the record whose owner sorts just before the
 * name, which a hash table cannot answer. So the NSEC or NSEC3 records of a negative
 * answer that validated secure are also kept per zone: one entry for each signed
 * zone (the signer of the records), holding up to CACHE_DENIAL_RR_MAX of its
 * records, the zone's SOA RDATA, and for every record the moment it stops being
 * usable. A later miss anywhere below the zone finds the deepest zone with an entry
 * (cache_denial_find) and asks the validator's proofs whether those records already
 * say NXDOMAIN or NODATA (dataplane/aggressive.h).
 *
 * An entry is one more kind of cache entry (see README.md beside this file): the
 * same slabs, shards, shard locks, RCU defer queues, memory limit and sampled-LRU
 * eviction as images and RRsets, kept apart from them by a kind byte in its hashed
 * key. It is shared by every worker, so a record one worker learns answers the
 * random names a flood sends to all of them. Adding records publishes a new entry
 * (the old records still live, merged with the new ones) in place of the old, which
 * is retired through RCU: readers see one version or the other whole.
 *
 * Only validated data may go in: the caller vouches that every record and the SOA
 * were verified with the zone's trusted keys (the chain of trust said SECURE).
 * Records are stored with owners lowercase and RDATA as received.
 *
 * As for the RRset store: readers never lock or allocate, they copy out; every
 * function here must be called on an lcore registered with cache_reader_register().
 */
#ifndef SEKISHO_DATAPLANE_CACHE_DENIAL_H
#define SEKISHO_DATAPLANE_CACHE_DENIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache.h"

/* Most NSEC/NSEC3 records one zone's entry holds. With the byte bound below an
 * entry fits the largest size class; when a zone has more records than this, the
 * ones with the least time left give way to newer ones. */
#define CACHE_DENIAL_RR_MAX 48
/* Most bytes of SOA RDATA, owners and RDATA of records one entry holds. */
#define CACHE_DENIAL_DATA_MAX 3840
/* Most bytes (owner + RDATA) of one record kept: a larger one is refused, so that
 * one odd record cannot crowd out a zone's ordinary ones. */
#define CACHE_DENIAL_RECORD_MAX 512

/* What cache_denial_insert() did (errors are negative errno values). */
enum cache_denial_outcome {
	CACHE_DENIAL_INSERTED = 0,   /* no live entry for the zone: a new one */
	CACHE_DENIAL_MERGED = 1,     /* the entry was replaced by one with the new
	                              * records merged in */
	CACHE_DENIAL_UNCHANGED = 2,  /* every record and the SOA were there already,
	                              * live and identical: nothing written */
};

/* The key of one zone's entry: its lowercase name and the hash. */
struct cache_denial_key {
	uint64_t hash;
	uint16_t zone_len;
	uint8_t zone[255];           /* uncompressed, lowercase */
};

/* One record of a struct cache_denial: where its owner and RDATA are in data[]. */
struct cache_denial_rr {
	uint32_t ttl;                /* insert: seconds it may be used; lookup: seconds left */
	uint16_t owner_off;
	uint16_t rdoff;
	uint16_t rdlen;
	uint8_t owner_len;
};

/*
 * One zone's records as the caller sees them: the records to add in
 * cache_denial_insert(), the live records of the entry after cache_denial_lookup().
 * The SOA's RDATA is data[0 .. soa_rdlen). Build one with cache_denial_init() and
 * cache_denial_add(); read it with the accessors below.
 */
struct cache_denial {
	uint16_t type;               /* WIRE_TYPE_NSEC (47) or WIRE_TYPE_NSEC3 (50) */
	uint16_t count;
	uint32_t soa_ttl;            /* insert: seconds; lookup: seconds left */
	uint16_t soa_rdlen;
	uint16_t data_len;
	struct cache_denial_rr rr[CACHE_DENIAL_RR_MAX];
	uint8_t data[CACHE_DENIAL_DATA_MAX];
};

/*
 * cache_denial_key_init - the key of zone @zone (an uncompressed wire name of
 * exactly @len bytes, any letter case). Returns 0, or -EINVAL for a malformed name.
 */
int cache_denial_key_init(const struct cache *c, struct cache_denial_key *k,
			  const uint8_t *zone, size_t len);

/*
 * cache_denial_init - empty @d for records of @type (47 NSEC or 50 NSEC3) with the
 * zone's SOA RDATA (@soa, @soa_len bytes, uncompressed) usable for @soa_ttl seconds.
 * Returns 0, -EINVAL (another type, no SOA) or -ENOSPC (SOA larger than the data).
 */
int cache_denial_init(struct cache_denial *d, uint16_t type, const uint8_t *soa,
		      size_t soa_len, uint32_t soa_ttl);

/*
 * cache_denial_add - append one record: @owner (@owner_len bytes, any case, stored
 * lowercase), its RDATA, usable for @ttl seconds. A second record at the same owner
 * is ignored (an NSEC or NSEC3 RRset holds one record).
 * Returns 0; -EINVAL (malformed owner, empty RDATA, more than
 * CACHE_DENIAL_RECORD_MAX bytes); -ENOSPC (the records or bytes of one entry are
 * used up).
 */
int cache_denial_add(struct cache_denial *d, const uint8_t *owner, size_t owner_len,
		     const uint8_t *rdata, size_t rdlen, uint32_t ttl);

static inline const uint8_t *
cache_denial_soa(const struct cache_denial *d)
{
	return d->data;
}

static inline const uint8_t *
cache_denial_owner(const struct cache_denial *d, unsigned int i)
{
	return d->data + d->rr[i].owner_off;
}

static inline const uint8_t *
cache_denial_rdata(const struct cache_denial *d, unsigned int i)
{
	return d->data + d->rr[i].rdoff;
}

/*
 * cache_denial_insert - add the records of @d to zone @k's entry at @now, on
 * @lcore. The result holds @d's SOA and records, and the old entry's records that
 * are still live, of the same type, at other owners, and (NSEC3) hashed with the
 * same algorithm, iterations and salt as @d's first record (a zone that changed its
 * salt makes the old hashes useless); when they do not all fit, the old ones with
 * the least time left are dropped (counted: denial_dropped). No record outlives the
 * SOA. Records are kept in canonical order of their owners (RFC 4034 §6.1; for
 * NSEC3, the order of the hashes).
 * Returns enum cache_denial_outcome (>= 0), or -EINVAL (bad type, no record),
 * -E2BIG (larger than the largest slot), -ENOMEM (no slot or defer-queue room),
 * -ENOSPC (hash shard full), -EAGAIN (another writer replaced the entry twice while
 * this one merged: the records are not added). Each outcome is counted.
 */
int cache_denial_insert(struct cache *c, unsigned int lcore, const struct cache_denial_key *k,
			const struct cache_denial *d, uint32_t now);

/*
 * cache_denial_lookup - copy zone @k's live records and SOA into @out, with the
 * seconds each has left at @now. A miss (no entry, expired, or no live record)
 * writes nothing. Never locks, never allocates.
 * Returns true on a hit.
 */
bool cache_denial_lookup(struct cache *c, unsigned int lcore, const struct cache_denial_key *k,
			 uint32_t now, struct cache_denial *out);

/*
 * cache_denial_find - the zone whose records may speak for @name (@len bytes,
 * uncompressed): @name itself, then each ancestor up to the root, until
 * cache_denial_lookup() hits. The walk gives up at a name without records that is a
 * known zone cut (a live NS RRset in the RRset store): the names below a cut are the
 * child zone's, and a zone above cannot prove anything about them; stopping there
 * also spares every miss inside a zone with no records of its own a useless proof
 * against an ancestor's (the root's, say).
 * Returns the zone's offset inside @name (with @out filled and @k its key), or
 * -ENOENT (none; -EINVAL for a malformed name).
 */
int cache_denial_find(struct cache *c, unsigned int lcore, const uint8_t *name, size_t len,
		      uint32_t now, struct cache_denial_key *k, struct cache_denial *out);

#endif
