/*
 * dataplane/cache: the RRset store, for the resolver and the DNSSEC validator.
 *
 * RRsets keyed by (lowercase owner, type, class), each with the RRSIGs that cover it,
 * its trust rank (RFC 2181 §5.4.1) and its validation status (RFC 4035 §4.3). They
 * live in the same cache as the response images (cache.h): the same slabs and size
 * classes, shards, shard locks, RCU defer queues, memory limit and eviction. An RRset
 * is another kind of entry, kept apart from an image of the same name and type by a
 * kind byte in its hashed key (see README.md beside this file).
 *
 * The same rules as for images: readers (lookup) take no lock, make no syscall and do
 * not allocate; they copy the RRset out and never keep a pointer into the cache.
 * Writers fill a slot with no lock held and hold one shard's lock only to decide and
 * swap. An entry never changes once published: a status change publishes a changed
 * copy and retires the old one, so a reader sees the old or the new RRset whole.
 *
 * Every function here reads entries lock-free, so it must be called on an lcore
 * registered with cache_reader_register() (a worker, or a test's main lcore), and
 * one that calls cache_quiescent() between bursts as usual.
 *
 * RDATA is kept in wire form, uncompressed (names expanded by wire_rdata_decompress),
 * with letter case as received: putting RDATA in canonical form (RFC 4034 §6.2,
 * lowercase names for the listed types) is the validator's job when it hashes, and
 * keeping the bytes as received lets an answer be rebuilt exactly.
 */
#ifndef SEKISHO_DATAPLANE_CACHE_RRSET_H
#define SEKISHO_DATAPLANE_CACHE_RRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache.h"

/* Most records (RRs and RRSIGs together) one RRset entry holds. */
#define CACHE_RRSET_RR_MAX 64
/* Most RDATA bytes (RRs and RRSIGs together) one RRset entry holds: with the header,
 * owner and length table this fits the largest size class. */
#define CACHE_RRSET_DATA_MAX 4096
/* Most records of one DNS message cache_rrset_store_msg() looks at. */
#define CACHE_RRSET_MSG_RR_MAX 512

/*
 * Trust rank (RFC 2181 §5.4.1, lowest first). Additional data (glue included) ranks
 * below everything else; the authority section of a non-authoritative answer (a
 * referral's NS and DS) below its answer section; an authoritative answer's
 * authority section (the zone's own NS, SOA, NSEC) below its answer section.
 */
enum cache_rrset_rank {
	CACHE_RANK_NONE = 0,           /* invalid: never stored */
	CACHE_RANK_ADDITIONAL,         /* additional section, glue */
	CACHE_RANK_AUTHORITY,          /* authority section, AA=0 */
	CACHE_RANK_ANSWER,             /* answer section, AA=0 (forwarders, caches) */
	CACHE_RANK_AUTHORITY_AA,       /* authority section, AA=1 */
	CACHE_RANK_ANSWER_AA,          /* answer section, AA=1 */
	CACHE_RANK_MAX = CACHE_RANK_ANSWER_AA,
};

/*
 * Validation status (RFC 4035 §4.3). INDETERMINATE also covers "not validated yet":
 * that is what every RRset has when it comes in from upstream.
 */
enum cache_rrset_status {
	CACHE_RRSET_INDETERMINATE = 0,
	CACHE_RRSET_INSECURE,
	CACHE_RRSET_SECURE,
	CACHE_RRSET_BOGUS,
};

/* What cache_rrset_insert() did (errors are negative errno values). */
enum cache_rrset_outcome {
	CACHE_RRSET_INSERTED = 0,      /* nothing was cached under the key */
	CACHE_RRSET_REPLACED = 1,      /* replaced an expired RRset, or a live one of
	                                * lower or equal rank */
	CACHE_RRSET_KEPT_BETTER = 2,   /* the cached RRset ranks higher, or is SECURE at
	                                * equal rank while this one is not: unchanged */
	CACHE_RRSET_UNCHANGED = 3,     /* the same records (and RRSIGs) are cached at the
	                                * same rank and status: kept, with the TTL it has
	                                * (a refetch of the same data writes nothing) */
};

/* What cache_rrset_lookup() found. */
enum cache_rrset_found {
	CACHE_RRSET_MISS = 0,          /* nothing live under the key: nothing copied */
	CACHE_RRSET_HIT,               /* copied into *out */
};

/* What an RRset is stored under: lowercase owner, type, class, and their hash. */
struct cache_rrset_key {
	uint64_t hash;
	uint16_t type;
	uint16_t rclass;
	uint16_t name_len;
	uint8_t name[255];             /* uncompressed, lowercase */
};

/*
 * One RRset as the caller sees it: the input of cache_rrset_insert() and the output
 * of cache_rrset_lookup(). Records 0..rr_count-1 are the RRs, rr_count..n-1 the RRSIGs
 * (n = rr_count + sig_count); record i's RDATA is data[rdoff[i] .. rdoff[i] + rdlen[i]).
 * Build one with cache_rrset_init() and cache_rrset_add_rr() / _add_sig().
 */
struct cache_rrset {
	uint32_t ttl;                  /* insert: the RRset's TTL as received (clamped by the
	                                * cache); lookup: seconds left */
	enum cache_rrset_rank rank;
	enum cache_rrset_status status;
	uint16_t why;                  /* the validator's reason (an EDE code); 0: none */
	uint16_t rr_count;
	uint16_t sig_count;
	uint16_t data_len;
	uint16_t rdlen[CACHE_RRSET_RR_MAX];
	uint16_t rdoff[CACHE_RRSET_RR_MAX];
	uint8_t data[CACHE_RRSET_DATA_MAX];
};

/*
 * cache_rrset_key_init - the key of (@owner, @type, @rclass). @owner: an uncompressed
 * wire name of exactly @len bytes, any letter case.
 * Returns 0, or -EINVAL for a malformed name.
 */
int cache_rrset_key_init(const struct cache *c, struct cache_rrset_key *k,
			 const uint8_t *owner, size_t len, uint16_t type, uint16_t rclass);

/* cache_rrset_init - empty @rs with @ttl, @rank and @status (why 0). */
void cache_rrset_init(struct cache_rrset *rs, uint32_t ttl, enum cache_rrset_rank rank,
		      enum cache_rrset_status status);

/*
 * cache_rrset_add_rr - append one RR's RDATA (@len bytes), unless the RRset already
 * has the same RDATA (RFC 2181 §5: an RRset has no duplicates). RRs come before
 * RRSIGs. Returns 0 (added or duplicate), -ENOSPC (more than the entry holds),
 * -EINVAL (an RRSIG was already added).
 */
int cache_rrset_add_rr(struct cache_rrset *rs, const uint8_t *rdata, size_t len);

/* cache_rrset_add_sig - append one covering RRSIG's RDATA. 0 or -ENOSPC. */
int cache_rrset_add_sig(struct cache_rrset *rs, const uint8_t *rdata, size_t len);

/* RDATA of RR @i (< rr_count) and of RRSIG @i (< sig_count). */
static inline const uint8_t *
cache_rrset_rdata(const struct cache_rrset *rs, unsigned int i)
{
	return rs->data + rs->rdoff[i];
}

static inline const uint8_t *
cache_rrset_sig(const struct cache_rrset *rs, unsigned int i)
{
	return rs->data + rs->rdoff[rs->rr_count + i];
}

/*
 * cache_rrset_insert - store @rs under @k at @now, on lcore @lcore, by the rank rule:
 * it replaces what is cached when that has expired, or when @rs ranks at least as
 * high, except that a live SECURE RRset is only replaced at equal rank by another
 * SECURE one, and that the very same RRset at the same rank and status is left as it
 * is (CACHE_RRSET_UNCHANGED). RRSIGs must cover k->type (checked). TTL: rs->ttl clamped like image
 * TTLs (RFC 2181 §8, min_ttl/max_ttl). RRsets are not served stale: past their TTL
 * they are gone (and the first choice for eviction).
 * Returns enum cache_rrset_outcome (>= 0), or -EINVAL (no RR; type 0, OPT, RRSIG,
 * SIG, a meta type, class 0, NONE or ANY; bad rank or status; inconsistent lengths;
 * an RRSIG not covering the type), -E2BIG
 * (larger than the largest slot), -ENOMEM (no slot free, or the defer queue full),
 * -ENOSPC (hash shard full). Each outcome is counted (rrset_* counters).
 */
int cache_rrset_insert(struct cache *c, unsigned int lcore, const struct cache_rrset_key *k,
		       const struct cache_rrset *rs, uint32_t now);

/*
 * cache_rrset_lookup - copy the live RRset under @k into @out, with out->ttl the
 * seconds left at @now. Nothing is written on a miss. Never locks, never allocates.
 */
enum cache_rrset_found cache_rrset_lookup(struct cache *c, unsigned int lcore,
					  const struct cache_rrset_key *k, uint32_t now,
					  struct cache_rrset *out);

/*
 * cache_rrset_live - is a live RRset cached under @k at @now? Nothing is copied: for
 * callers that only need to know (a zone cut: is there an NS RRset at this name?).
 * Counted as a lookup. Never locks, never allocates.
 */
bool cache_rrset_live(struct cache *c, unsigned int lcore, const struct cache_rrset_key *k,
		      uint32_t now);

/*
 * cache_rrset_set_status - set the validation status of the live RRset under @k (the
 * validator, after verifying it) and its reason @why, and shorten what is left of its
 * TTL to at most @ttl_cap seconds from @now (RFC 4035 §5.3.3: not past the
 * signatures' expiry; UINT32_MAX: unchanged). Done as a replace: a copy is changed
 * and published, the old entry retired, so readers never see half of it.
 * Returns 0; -ENOENT (nothing live under @k); -EAGAIN (the RRset was replaced while
 * being copied: look it up again); -EINVAL (bad status); -ENOMEM (no slot free).
 */
int cache_rrset_set_status(struct cache *c, unsigned int lcore,
			   const struct cache_rrset_key *k, enum cache_rrset_status status,
			   uint16_t why, uint32_t ttl_cap, uint32_t now);

/*
 * cache_rrset_store_msg - store every RRset of a DNS response (@msg, @len: a whole
 * message, as received) with the RRSIGs that cover it, status INDETERMINATE.
 * The rank comes from the section and the AA bit. @zone (@zone_len bytes,
 * uncompressed) is the zone the answering server was asked as authoritative for:
 * RRsets whose owner is outside it are skipped and counted (bailiwick; pass the root
 * for a forwarder, whose answers are taken as given). An RRset's TTL: the smallest TTL
 * of its records and RRSIGs. Skipped: OPT, TSIG and other meta types, SIG, RRSIGs
 * with no RRset of theirs in the same section. Messages with TC=1, without QR, or
 * with an RCODE other than NOERROR and NXDOMAIN store nothing.
 * Uses about 18 KiB of stack. Returns the number of RRsets stored (inserted or
 * replaced), or -EINVAL (malformed, more than CACHE_RRSET_MSG_RR_MAX records, bad
 * zone).
 */
int cache_rrset_store_msg(struct cache *c, unsigned int lcore, const uint8_t *msg, size_t len,
			  const uint8_t *zone, size_t zone_len, uint32_t now);

#endif
