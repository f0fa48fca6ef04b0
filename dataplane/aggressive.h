/*
 * dataplane/aggressive: aggressive use of the DNSSEC-validated cache (RFC 8198).
 *
 * Two halves, both on a worker lcore:
 *
 *   learn   A negative answer (NXDOMAIN, or NODATA) that the chain of trust judged
 *           SECURE leaves its NSEC or NSEC3 records and its SOA in the shared denial
 *           store (cache/cache_denial.h), under the zone that signed them, usable for
 *           min(SOA TTL, SOA MINIMUM, the record's TTL, what the RRSIGs allow)
 *           (RFC 8198 §5.4, RFC 9077).
 *   answer  A cache miss below such a zone asks the validator's own proofs
 *           (validate_nsec_aggressive, validate_nsec3_aggressive) whether those
 *           records already prove NXDOMAIN or NODATA for the question. If they do,
 *           the response is built here: rcode, the question, the zone's SOA, AD=1
 *           (query_answer_image keeps it only for clients that set DO or AD), and for
 *           DO=1 the NSEC/NSEC3 records that make the proof with their RRSIGs, taken
 *           from the RRset store (only when it holds the very same RDATA), so that a
 *           validating client can check it. Nothing is asked upstream.
 *
 * Not used (the caller asks upstream): NSEC3 opt-out spans (they cannot prove an
 * unsigned delegation absent, RFC 8198 §5.2), proofs that need a wildcard's data
 * (VALIDATE_AGGR_WILDCARD), names under a negative trust anchor. The caller does not
 * ask for CD=1 queries either (see dataplane/README.md).
 *
 * Never locks (except the cache's shard lock when a zone's records are stored),
 * never allocates, no syscall. One struct aggressive per worker: it holds scratch
 * space too large for every caller's stack.
 */
#ifndef SEKISHO_DATAPLANE_AGGRESSIVE_H
#define SEKISHO_DATAPLANE_AGGRESSIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache.h"
#include "cache_denial.h"
#include "cache_rrset.h"
#include "validate_chain.h"
#include "validate_denial.h"
#include "wire.h"

/* What aggressive_answer() found. */
enum aggressive_result {
	AGGRESSIVE_NONE = 0,        /* no zone above the name has validated records */
	AGGRESSIVE_UNPROVEN,        /* records there, but they prove nothing for this
	                             * question (or its answer could not be built) */
	AGGRESSIVE_NXDOMAIN,        /* an NXDOMAIN response was built */
	AGGRESSIVE_NODATA,          /* a NODATA response was built */
};

/* A worker's state: where the records live, the validator's limits, scratch. */
struct aggressive {
	struct cache *cache;
	unsigned int lcore;
	const struct validate_chain_conf *conf;  /* NSEC3 limits, negative trust anchors */
	struct cache_denial d;                   /* one zone's records */
	struct cache_rrset rs;                   /* one record's RRSIGs (DO=1 answers) */
	unsigned int n_sel;                      /* records handed to the proof: */
	uint8_t sel[CACHE_DENIAL_RR_MAX];        /* their indices in d */
	struct validate_denial_rr rr[CACHE_DENIAL_RR_MAX];  /* and their views */
	bool used[CACHE_DENIAL_RR_MAX];          /* of those, the ones the answer shows */
};

/* aggressive_init - @ag for reader @lcore of @cache, with @conf (outlives @ag). */
void aggressive_init(struct aggressive *ag, struct cache *cache, unsigned int lcore,
		     const struct validate_chain_conf *conf);

/* aggressive_set_conf - a newer conf (NTAs changed) for the next lookups. */
static inline void aggressive_set_conf(struct aggressive *ag,
				       const struct validate_chain_conf *conf)
{
	ag->conf = conf;
}

/*
 * aggressive_learn - keep the NSEC/NSEC3 records and SOA of @a, an answer the chain
 * of trust judged SECURE with RRSIG TTL cap @ttl_cap, for later questions (at cache
 * time @now). Only answers with an empty answer section and rcode NXDOMAIN or
 * NOERROR count; the records kept are those the chain checked: of the deepest zone
 * that signed denial records above the question, its NSEC RRsets when it sent any,
 * else its NSEC3 RRsets, and its SOA (required).
 * Returns true when records were stored (or were there already).
 */
bool aggressive_learn(struct aggressive *ag, const struct validate_chain_answer *a,
		      uint32_t ttl_cap, uint32_t now);

/*
 * aggressive_answer - try to answer the question of @k (DO from k->flags) from the
 * validated records of the deepest zone above it, at cache time @now and UNIX time
 * @unix_now (for negative trust anchors). On NXDOMAIN or NODATA the response is in
 * @buf (at most @cap bytes), built by @b: ID 0, the question lowercase, no OPT, with
 * b->ttl_off listing its TTL fields, ready for the cache and query_answer_image().
 */
enum aggressive_result aggressive_answer(struct aggressive *ag, const struct cache_key *k,
					 uint32_t now, uint64_t unix_now, struct wire_builder *b,
					 uint8_t *buf, size_t cap);

#endif
