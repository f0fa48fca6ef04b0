/*
 * validate_chain.h - the chain of trust: is a resolver's answer secure, insecure or
 * bogus (RFC 4033-4035, 5155, 6840, 9276)?
 *
 * A state machine with no I/O and no clock of its own, like dataplane/resolve: the
 * caller (dataplane/upstream.c) owns the network, the RRset store, time and the
 * signature batch.
 *
 *   validate_chain_start(vc, conf, &answer, now)
 *   loop:
 *     switch (validate_chain_next(vc, env, &fetch)):
 *     FETCH:  the chain needs the DS or DNSKEY RRset fetch.name/fetch.type. The caller
 *             looks in its RRset store (env->lookup will be asked again) and, when it
 *             is not there, resolves it; the RRsets of every response the resolver
 *             accepts land in the store. A negative answer (NODATA, NXDOMAIN) is handed
 *             over with validate_chain_supply_negative() since the store cannot be
 *             asked for "absence"; a resolution that failed with
 *             validate_chain_fetch_failed(). Then call validate_chain_next() again.
 *     CRYPTO: the chain added signature jobs to env->batch and waits for them: run the
 *             batch (validate_chain_run_batch(), once for every chain that waits), then
 *             call validate_chain_next() again.
 *     DONE:   vc->result says secure / insecure / bogus and why.
 *
 * Crypto is asynchronous so that every validation a worker has in hand shares one
 * batch run (identical jobs, of one chain or of several, verified once). The batch
 * is the chain's only memory of results: a step that needs signatures adds its jobs,
 * and when one of them has not run the call returns CRYPTO. The next call runs the
 * step again from the start (steps are restartable, see validate_chain_priv.h): it
 * adds the same jobs, the batch hands back the jobs it holds with their statuses
 * (it deduplicates on key, signature and signed data, byte for byte), and the step
 * goes on. So the chain keeps no job handle and no key pointer between calls, and
 * what it concludes always rests on the bytes it has just read from the store.
 *
 * The protocol, for a caller with many chains and one batch and key cache:
 *   1. Chains that return CRYPTO wait (in the order they returned it).
 *   2. A round: validate_chain_run_batch() runs every job not run yet; then every
 *      waiting chain is called once (each may finish, FETCH, or wait again with new
 *      jobs in the same batch: a round adds, the next round's run verifies).
 *   3. The batch is reset and the key cache released together, and only when no
 *      chain waits, or inside validate_chain_run_batch() when the run found nothing
 *      to do while chains wait: then every waiting chain found the batch or the key
 *      cache full (a chain with a job to run would have given the run something),
 *      and every result in the batch was read in the round before. A reset at any
 *      other time leaves no pointer dangling but throws results away: chains that
 *      had not read theirs add the jobs again and the crypto runs again (a caller
 *      that always reset between run and read would never let a chain finish).
 * A full batch still hands back the jobs it holds (validate_batch_add_sig() looks for
 * an identical job before it looks for room). A chain that needs room in a full batch
 * (or key cache) waits for the reset; one whose own jobs fill an otherwise empty batch
 * judges what does not fit as failed, so after a reset the first chain always moves on.
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
 *
 * Bogus data. One server of a zone may serve bad data while the others are right (a
 * stale or broken copy, a spoofed answer), so a bogus verdict says where the data
 * came from: the answer's own records (ORIGIN_ANSWER, zone answer->zone), what the
 * latest FETCH brought (ORIGIN_FETCH), or an RRset the store had already
 * (ORIGIN_STORE); result.origin names the zone: Z for Z's DNSKEY RRset, Z with
 * origin_above for Z's DS RRset or its denial (the parent side served them). The
 * caller may then mark the server that sent it, ask others, and validate the new
 * answer with validate_chain_restart(). A bogus DS or DNSKEY RRset is marked bogus in
 * the store (env->mark), so a new try fetches it again. Failures no other server
 * would mend (limits, fetches that failed, EDE 0, the NSEC3 iteration limit) name
 * no origin.
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
#define VALIDATE_CHAIN_CRYPTO_MAX 128   /* CRYPTO actions per validation: a step waits
                                         * once or twice, a full batch adds a few */

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

/* A record of the answer that is no part of it: a referral's NSEC/NSEC3 or RRSIG,
 * which the resolver kept with the answer (dataplane/resolve: RESOLVE_SECTION_REFERRAL).
 * The chain uses them only as a proof that a child has no DS, verified like a fetched
 * one, before it asks for that DS. */
#define VALIDATE_CHAIN_SECTION_REFERRAL 4

/* One record of the answer to validate (what dataplane/resolve's result holds). */
struct validate_chain_rr {
	const uint8_t *owner;           /* uncompressed wire name */
	uint8_t owner_len;
	uint8_t section;                /* 1 answer, 2 authority (WIRE_SECTION_*), or
	                                 * VALIDATE_CHAIN_SECTION_REFERRAL */
	uint16_t type, rclass;
	uint32_t ttl;
	const uint8_t *rdata;           /* uncompressed */
	uint16_t rdlen;
};

/* The answer: the question, the rcode, the records (CNAME/DNAME chain and final
 * RRset in the answer section, RRSIGs included; SOA and NSEC/NSEC3 with their RRSIGs
 * in the authority section of negative answers; the referrals' proofs of no DS in
 * VALIDATE_CHAIN_SECTION_REFERRAL). Must stay valid until DONE. */
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

/* Where data found bogus came from (validate_chain.h, "Bogus data"). */
enum validate_chain_origin {
	VALIDATE_ORIGIN_NONE = 0,       /* nothing another server could mend (a limit, a
	                                 * fetch that failed, a policy) */
	VALIDATE_ORIGIN_ANSWER,         /* the answer's own records (answer->zone) */
	VALIDATE_ORIGIN_FETCH,          /* what the latest FETCH brought */
	VALIDATE_ORIGIN_STORE,          /* an RRset that was in the store already (a
	                                 * referral's DS, an earlier fetch's DNSKEY) */
};

struct validate_chain_result {
	enum validate_chain_status status;
	uint16_t ede;                   /* RFC 8914 code when bogus (or insecure for a reason
	                                 * worth telling: 1, 2, 27); 0 none */
	const char *why;                /* short constant EXTRA-TEXT */
	uint32_t ttl_cap;               /* RFC 4035 §5.3.3: no answer cached longer: the
	                                 * least validate_rrsig_ttl() of the answer's RRSIGs
	                                 * that verified; UINT32_MAX when none did */
	/* Bogus: where the data found bogus came from, so that the caller may ask other
	 * servers before giving up (see "Bogus data" above). */
	uint8_t origin_kind;            /* enum validate_chain_origin */
	bool origin_above;              /* the parent side of origin served it (its DS, or
	                                 * the proof that there is none); else origin's
	                                 * own servers (its DNSKEY, the answer's data) */
	uint8_t origin_len;             /* 0 when origin_kind is NONE */
	uint8_t origin[255];
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

/* What the chain's jobs found in the batch, summed over calls (for counters). */
struct validate_chain_stats {
	uint64_t jobs_added;            /* new jobs put in the batch */
	uint64_t jobs_shared;           /* identical to a job still waiting for its run: one
	                                 * verification serves both */
	uint64_t jobs_reused;           /* identical to a job already run: its status read
	                                 * (mostly a chain reading its own results again) */
	uint64_t batch_full;            /* calls that found the batch or key cache full */
};

/*
 * What the chain asks of its caller: the worker's key cache and batch (see the
 * protocol above; the chain holds no handle into either between calls), and the
 * RRset store.
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
	struct validate_chain_stats *stats; /* may be NULL */
};

enum validate_chain_action {
	VALIDATE_CHAIN_DONE = 0,
	VALIDATE_CHAIN_FETCH,
	VALIDATE_CHAIN_CRYPTO,          /* jobs wait in env->batch: run it, call next() again */
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
	uint8_t bad;                    /* bogus: 1 + the entry whose data was bogus (its
	                                 * own, or an ancestor's); 0: no data to blame */
	bool bad_ds;                    /* ... and that was its DS side, not its DNSKEY */
	bool bad_fetched;               /* ... and the latest FETCH brought it */
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
	uint16_t crypto_waits;          /* CRYPTO actions so far (bounded) */
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
	/* the current call only: */
	bool crypto_pending;            /* the step has a job that has not run */
	bool batch_full;                /* a job or key did not fit in the batch */
	uint8_t touched[VALIDATE_BATCH_MAX / 8]; /* batch jobs this call added or found */
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
 * validate_chain_restart - validate_chain_start for a new answer to the same question
 * after a bogus verdict, once the caller has asked other servers (see "Bogus data"):
 * the budgets of FETCH and CRYPTO actions are what the earlier tries left, so that
 * retries do not multiply the work one client query may cause.
 */
void validate_chain_restart(struct validate_chain *vc, const struct validate_chain_answer *answer,
			    uint32_t now);

/*
 * validate_chain_next - run until a DS or DNSKEY RRset is needed that env->lookup does
 * not have (FETCH, *fetch says which), until signatures wait in env->batch (CRYPTO),
 * or until the answer is judged (DONE; see vc->result). Runs no crypto itself.
 */
enum validate_chain_action validate_chain_next(struct validate_chain *vc,
					       const struct validate_chain_env *env,
					       struct validate_chain_fetch *fetch);

/*
 * validate_chain_run_batch - the caller's side of CRYPTO (step 2 of the protocol):
 * run env->batch; when it had nothing to run while chains wait (they all found it
 * full), reset it and release env->keys so that they find room.
 * Returns the number of jobs run (0 after such a reset), or the engine's negative
 * errno (the batch is reset then too: the chains add their jobs again).
 */
int validate_chain_run_batch(const struct validate_chain_env *env);

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

/* validate_chain_fetch_later - the fetch asked for could not be started now (no
 * resolution slot, too many waiting on it): forget that it was asked, so that the next
 * call asks for it again. */
void validate_chain_fetch_later(struct validate_chain *vc);

const char *validate_chain_status_name(enum validate_chain_status s);

#endif /* SEKISHO_VALIDATE_CHAIN_H */
