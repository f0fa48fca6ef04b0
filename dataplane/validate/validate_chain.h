/*
 * validate_chain.h - the chain of trust: is a resolver's answer secure, insecure or
 * bogus (RFC 4033-4035, 5155, 6840, 9276)?
 *
 * A state machine with no I/O and no clock of its own, like dataplane/resolve: the
 * caller (dataplane/upstream.c) owns the network, the RRset store and time.
 *
 *   validate_chain_start(vc, conf, &answer, now)
 *   loop:
 *     switch (validate_chain_next(vc, env, &fetch)):
 *     FETCH: the chain needs the DS or DNSKEY RRset fetch.name/fetch.type. The caller
 *            looks in its RRset store (env->lookup will be asked again) and, when it
 *            is not there, resolves it; the RRsets of every response the resolver
 *            accepts land in the store. A negative answer (NODATA, NXDOMAIN) is handed
 *            over with validate_chain_supply_negative() since the store cannot be asked
 *            for "absence"; a resolution that failed with validate_chain_fetch_failed().
 *            Then call validate_chain_next() again.
 *     DONE:  vc->result says secure / insecure / bogus and why.
 *
 * Keys on the way are checked top down from a trust anchor: DNSKEY(anchor zone)
 * against the anchor (DS digest or the DNSKEY itself) and its self-signature, then for
 * each zone cut DS(child) with the parent's keys and DNSKEY(child) against that DS
 * and its self-signature, until the zone that signed the answer. Every DS and DNSKEY
 * RRset proven secure (or bogus) is told to the caller (env->mark) so the store keeps
 * the verdict with the data and the next answer from that zone finds its keys ready.
 * A proven absent DS (NSEC/NSEC3 NODATA signed by the parent, or an opt-out span)
 * makes everything below insecure. Negative trust anchors make their names and
 * everything below insecure without looking. Unsupported algorithms or digests make a
 * zone insecure (RFC 4035 §5.2, RFC 6840 §5.2), not bogus.
 *
 * Signatures are verified through the worker's batch (validate_batch_*), which
 * deduplicates identical jobs and hashes with ipsec-mb multi-buffer SHA.
 */
#ifndef SEKISHO_VALIDATE_CHAIN_H
#define SEKISHO_VALIDATE_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "validate.h"

#define VALIDATE_CHAIN_ANCHORS_MAX 16
#define VALIDATE_CHAIN_NTAS_MAX 64
#define VALIDATE_CHAIN_DEPTH_MAX 16     /* zone cuts between an anchor and a signer */
#define VALIDATE_CHAIN_NEG_MAX 4096     /* bytes of a supplied negative answer kept */
#define VALIDATE_CHAIN_RR_MAX 128       /* records of an answer looked at */
#define VALIDATE_CHAIN_NEG_RR_MAX 32    /* records of a supplied negative answer kept */
#define VALIDATE_CHAIN_FETCH_MAX 32     /* FETCH actions per validation */

/* A trust anchor: a DS or DNSKEY record (RDATA in wire form). */
struct validate_anchor {
	uint8_t owner[255];
	uint8_t owner_len;
	uint16_t type;                  /* 43 DS or 48 DNSKEY */
	uint16_t rdlen;
	const uint8_t *rdata;
};

/* A negative trust anchor (RFC 7646): @name and below are not validated. */
struct validate_nta {
	uint8_t name[255];
	uint8_t name_len;
	uint64_t expires;               /* UNIX seconds; 0: never */
};

/* What the chain works with; built once from the config, shared read-only. */
struct validate_chain_conf {
	struct validate_policy policy;  /* algorithms, SHA-1, RSA minimum */
	uint32_t skew;                  /* seconds either side of inception/expiration */
	uint16_t nsec3_insecure_above;  /* RFC 9276: insecure, EDE 27 */
	uint16_t nsec3_bogus_above;     /* bogus, EDE 27 */
	unsigned n_anchors;
	struct validate_anchor anchors[VALIDATE_CHAIN_ANCHORS_MAX];
	unsigned n_ntas;
	struct validate_nta ntas[VALIDATE_CHAIN_NTAS_MAX];
};

/* One record of the answer to validate (what dataplane/resolve's result holds). */
struct validate_chain_rr {
	const uint8_t *owner;           /* uncompressed wire name */
	uint8_t owner_len;
	uint8_t section;                /* 1 answer, 2 authority (WIRE_SECTION_*) */
	uint16_t type, rclass;
	uint32_t ttl;
	const uint8_t *rdata;           /* uncompressed */
	uint16_t rdlen;
};

/* The answer: the question, the rcode, the records (CNAME/DNAME chain and final
 * RRset in the answer section, RRSIGs included; SOA and NSEC/NSEC3 with their RRSIGs
 * in the authority section of negative answers). Must stay valid until DONE. */
struct validate_chain_answer {
	const uint8_t *qname;
	uint8_t qname_len;
	uint16_t qtype, qclass;
	uint8_t rcode;                  /* NOERROR or NXDOMAIN (others are not validated) */
	const struct validate_chain_rr *rr;
	unsigned n_rr;
	const uint8_t *zone;            /* the zone whose server gave the final answer: where
	                                 * the search for an insecure delegation starts when
	                                 * the answer carries no RRSIG */
	uint8_t zone_len;
};

enum validate_chain_status {
	VALIDATE_CHAIN_INDETERMINATE = 0, /* not decided (no anchor above the name) */
	VALIDATE_CHAIN_SECURE,
	VALIDATE_CHAIN_INSECURE,
	VALIDATE_CHAIN_BOGUS,
};

struct validate_chain_result {
	enum validate_chain_status status;
	uint16_t ede;                   /* RFC 8914 code when bogus (or insecure for a reason
	                                 * worth telling: 1, 2, 27); 0 none */
	const char *why;                /* short constant EXTRA-TEXT */
	uint32_t ttl_cap;               /* RFC 4035 §5.3.3: no answer cached longer: the
	                                 * least validate_rrsig_ttl() of the answer's RRSIGs
	                                 * that verified; UINT32_MAX when none did */
};

/* An RRset as the caller's store returns it: RRs 0..rs.count-1, then sig_count RRSIGs
 * in the same data/rdoff/rdlen arrays (the layout of struct cache_rrset). */
struct validate_chain_rrset {
	struct validate_rrset rs;
	uint16_t sig_count;
	uint32_t ttl;
	enum validate_chain_status status; /* as the store keeps it (INDETERMINATE: not yet) */
	uint16_t ede;                   /* BOGUS: the EDE the store keeps with it (0: use 6) */
};

/*
 * What the chain asks of its caller. The chain adds jobs to @batch and runs it before
 * validate_chain_next() returns; it holds no job handle or key pointer from one call to
 * the next. When the batch is full (-ENOSPC) or the key cache has no free way (-EBUSY)
 * it runs the batch, resets it and releases the key cache, then goes on: the caller
 * must hold no handle into either across a call.
 */
struct validate_chain_env {
	struct validate_key_cache *keys;  /* the worker's */
	struct validate_batch *batch;     /* the worker's */
	/* The store: copy the RRset (@name, @type, class IN) with its RRSIGs into @out
	 * (memory the caller owns, valid until the next lookup with the same @slot, 0 or
	 * 1: the chain holds at most two RRsets at once). Returns true when found. */
	bool (*lookup)(void *arg, unsigned slot, const uint8_t *name, size_t len,
		       uint16_t type, struct validate_chain_rrset *out);
	/* The verdict on a DS or DNSKEY RRset, for the store (may be NULL). */
	void (*mark)(void *arg, const uint8_t *name, size_t len, uint16_t type,
		     enum validate_chain_status status, uint16_t ede, uint32_t ttl_cap);
	void *arg;
};

enum validate_chain_action {
	VALIDATE_CHAIN_DONE = 0,
	VALIDATE_CHAIN_FETCH,
};

struct validate_chain_fetch {
	uint8_t name[255];
	uint8_t name_len;
	uint16_t type;                  /* 43 DS or 48 DNSKEY */
};

/* One name the chain looked at: a zone whose keys it needs, or a name whose zone it
 * needs to know (secure or not). Private to the implementation. */
struct validate_chain_zone {
	uint8_t name[255];
	uint8_t name_len;
	uint8_t state;                  /* enum chain_zone_state (validate_chain_priv.h) */
	uint16_t ede;
	const char *why;
	uint32_t ttl;                   /* secure: the cap of its DNSKEY RRset */
	uint64_t key_fp;                /* secure: fingerprint of the trusted DNSKEY RRset */
	uint64_t ds_fp;                 /* fingerprint of its DS RRset once verified */
};

/* A record of a supplied negative answer, as offsets into validate_chain.neg. */
struct validate_chain_neg_rr {
	uint16_t owner_off, rdoff, rdlen;
	uint8_t owner_len, section;
	uint16_t type, rclass;
	uint32_t ttl;
};

/*
 * The state of one validation: allocate it with the resolution it belongs to (no
 * cleanup needed; it holds no pointer into itself, so it may be copied). The fields
 * below "private" are the implementation's.
 */
struct validate_chain {
	struct validate_chain_result result;
	/* private */
	const struct validate_chain_conf *conf;
	const struct validate_chain_answer *answer;
	uint32_t now;
	uint16_t fetches;               /* FETCH actions so far (bounded) */
	uint8_t state;                  /* enum chain_state */
	uint8_t depth;                  /* zones on the stack */
	uint8_t n_zones;                /* zones[] in use */
	uint8_t stack[VALIDATE_CHAIN_DEPTH_MAX]; /* indices into zones[], top last */
	struct validate_chain_zone zones[VALIDATE_CHAIN_DEPTH_MAX];
	bool fetched;                   /* last holds the latest FETCH */
	bool neg_present;               /* a negative answer for it is held */
	bool fetch_failed;              /* it could not be had */
	uint8_t neg_rcode;
	struct validate_chain_fetch last;
	uint16_t neg_count;
	struct validate_chain_neg_rr neg_rr[VALIDATE_CHAIN_NEG_RR_MAX];
	uint8_t neg[VALIDATE_CHAIN_NEG_MAX]; /* the supplied negative records, packed */
};

/* validate_chain_conf_init - an empty conf with default policy, skew 300, NSEC3
 * limits 150/500, no anchors, no NTAs. */
void validate_chain_conf_init(struct validate_chain_conf *c);

/*
 * validate_chain_start - begin validating @answer at @now (UNIX seconds: the caller's
 * clock or the configured override). The result starts INDETERMINATE.
 */
void validate_chain_start(struct validate_chain *vc, const struct validate_chain_conf *conf,
			  const struct validate_chain_answer *answer, uint32_t now);

/*
 * validate_chain_next - run until a DS or DNSKEY RRset is needed that env->lookup does
 * not have (FETCH, *fetch says which), or until the answer is judged (DONE; see
 * vc->result). Signatures are verified in env->batch during the call.
 */
enum validate_chain_action validate_chain_next(struct validate_chain *vc,
					       const struct validate_chain_env *env,
					       struct validate_chain_fetch *fetch);

/*
 * validate_chain_supply_negative - the fetch asked for had no such RRset: @rcode
 * (NOERROR: NODATA, or NXDOMAIN) with the authority records @rr[0..n) (SOA, NSEC or
 * NSEC3, their RRSIGs). Copied into @vc. Returns 0 or -ENOSPC (too much: the fetch is
 * then treated as failed).
 */
int validate_chain_supply_negative(struct validate_chain *vc, uint8_t rcode,
				   const struct validate_chain_rr *rr, unsigned n);

/* validate_chain_fetch_failed - the fetch asked for could not be resolved
 * (SERVFAIL, timeouts): the answer will be bogus (EDE 9 DNSKEY missing, or 10
 * RRSIGs missing for a DS that cannot be had) unless an NTA covers it. */
void validate_chain_fetch_failed(struct validate_chain *vc);

const char *validate_chain_status_name(enum validate_chain_status s);

#endif /* SEKISHO_VALIDATE_CHAIN_H */
