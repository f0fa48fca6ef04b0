/*
 * validate_chain_priv.h - shared between the validate_chain*.c files only: the zone
 * table and its stack, the step protocol, and the helpers that verify an RRset with a
 * zone's trusted keys through the batch.
 *
 * How the chain runs (validate_chain.c drives it):
 *   - zones[] is a small table of names the validation needs to know about: a zone
 *     whose keys sign something, or a name whose zone must be shown secure or
 *     insecure. Each entry ends in one state (secure with its DNSKEY fingerprint,
 *     "no zone cut here, inside a secure zone", insecure, bogus, indeterminate).
 *   - stack[] holds the entries being worked on; the top one is stepped
 *     (validate_chain_zone.c). A step either decides its entry (it is popped), asks
 *     for another name to be decided first (pushed: always a proper ancestor, so the
 *     stack cannot loop), or asks the caller to FETCH a DS or DNSKEY RRset.
 *   - With an empty stack the answer is stepped (validate_chain_answer.c): first every
 *     name it needs is decided, then its RRsets and proofs are verified in one go.
 * A step starts over from the store each time (env->lookup is cheap, and what was
 * proven is in the table or marked in the store), so no half-done step is kept.
 *
 * That is also how a step waits for crypto (validate_chain.h, "the protocol"): its
 * verifications add their jobs and read each job's status at once; one that has not
 * run makes the verdict VERDICT_PENDING and the step STEP_CRYPTO, with nothing decided
 * and nothing marked. After the run the step starts over, adds the same jobs, finds
 * their statuses, and decides. Independent verifications of one step (the RRsets of
 * an answer, the parts of a denial) all add their jobs before it waits, so they share
 * a run; a verification that needs another's verdict first (DNSKEY after DS, the
 * wildcard proof after its RRset) waits for one run more.
 */
#ifndef SEKISHO_VALIDATE_CHAIN_PRIV_H
#define SEKISHO_VALIDATE_CHAIN_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "validate_chain.h"
#include "validate_denial.h"
#include "validate_priv.h"
#include "wire.h"

#define CHAIN_STEPS_MAX 512   /* steps in one validate_chain_next() call */
#define CHAIN_SIGS_MAX 16     /* RRSIGs looked at per RRset */
#define CHAIN_JOBS_MAX 32     /* (key, RRSIG) pairs verified per RRset */
#define CHAIN_KEYS_MAX 64     /* DNSKEYs looked at per set (a store entry holds <= 64) */
#define CHAIN_SET_BYTES 16384 /* RDATA of one answer RRset gathered for hashing */
#define CHAIN_DENIAL_MAX 32   /* NSEC/NSEC3 records in one proof */

enum chain_state {
	CHAIN_RUNNING = 0,
	CHAIN_DONE,
};

/* What a zone table entry was found to be. */
enum chain_zone_state {
	ZONE_UNKNOWN = 0,
	ZONE_SECURE,          /* a zone apex whose DNSKEY RRset is trusted */
	ZONE_INSIDE,          /* no zone cut at the name: it lies in a secure zone above */
	ZONE_INSECURE,
	ZONE_BOGUS,
	ZONE_INDETERMINATE,   /* no trust anchor above it */
};

/* What a step asks for. */
enum chain_step {
	STEP_DONE = 0,        /* the entry (or the answer) is decided */
	STEP_PUSH,            /* decide req.name first */
	STEP_FETCH,           /* the caller must fetch (req.name, req.type) */
	STEP_CRYPTO,          /* jobs of the step wait for the batch run */
};

struct chain_req {
	const uint8_t *name;
	size_t len;
	uint16_t type;
};

/* What became of the last FETCH, for the name and type asked about. */
enum chain_outcome {
	OUTCOME_NONE = 0,     /* not fetched yet */
	OUTCOME_NEGATIVE,     /* a negative answer is held in vc->neg */
	OUTCOME_FAILED,       /* could not be had (or the store did not keep it) */
};

/* ---- validate_chain.c: table, names, anchors ---------------------------------------- */

/* The table entry for @name, or -1. */
int validate_chain_zone_find(const struct validate_chain *vc, const uint8_t *name, size_t len);

/* The decided entry for @name; -1 after setting *req to push it (unknown yet). */
int validate_chain_need(struct validate_chain *vc, const uint8_t *name, size_t len,
			struct chain_req *req);

/* STEP_FETCH for (@name, @type) in *req. */
enum chain_step validate_chain_want_fetch(struct chain_req *req, const uint8_t *name, size_t len,
					  uint16_t type);

enum chain_outcome validate_chain_fetch_outcome(const struct validate_chain *vc,
						const uint8_t *name, size_t len, uint16_t type);

/* The parent of a name that is not the root (its suffix without the first label). */
static inline const uint8_t *validate_chain_parent(const uint8_t *name, size_t len, size_t *plen)
{
	*plen = len - 1 - name[0];
	return name + 1 + name[0];
}

bool validate_chain_nta_covers(const struct validate_chain *vc, const uint8_t *name, size_t len);
bool validate_chain_has_anchor(const struct validate_chain *vc, const uint8_t *name, size_t len);
/* Labels of the deepest trust anchor at or above @name; -1 when there is none. */
int validate_chain_anchor_labels(const struct validate_chain *vc, const uint8_t *name, size_t len);

/* The records of the held negative answer, as views (@out: VALIDATE_CHAIN_NEG_RR_MAX). */
unsigned validate_chain_neg_records(const struct validate_chain *vc, struct validate_chain_rr *out);

/* ---- validate_chain_verify.c: RRsets and signatures --------------------------------- */

/* The RRSIG RDATAs to try over one RRset. */
struct chain_sigs {
	unsigned n;
	const uint8_t *rd[CHAIN_SIGS_MAX];
	uint16_t len[CHAIN_SIGS_MAX];
};

enum chain_verdict_kind {
	VERDICT_SECURE = 0,
	VERDICT_BOGUS,
	VERDICT_UNSUPPORTED,  /* only unsupported algorithms or keys could have signed it */
	VERDICT_PENDING,      /* a job has not run (or did not fit): decide nothing yet */
};

struct chain_verdict {
	enum chain_verdict_kind kind;
	uint16_t ede;
	const char *why;
	uint32_t ttl;         /* secure: least validate_rrsig_ttl() of the RRSIGs that held */
	uint8_t labels;       /* secure: most RRSIG labels among those (wildcard test) */
};

/* The keys a signature must come from: @zone's DNSKEY RRset, @allowed[i] says which
 * records may sign (NULL: all). */
struct chain_keyset {
	const uint8_t *zone;
	size_t zone_len;
	const struct validate_chain_rrset *dnskey;
	const bool *allowed;
};

/* An order-independent fingerprint of an RRset's records (not its RRSIGs). */
uint64_t validate_chain_rrset_fp(const struct validate_rrset *rs);

/* The RRSIGs kept with a store RRset. */
void validate_chain_sigs_of_rrset(const struct validate_chain_rrset *s, struct chain_sigs *sigs);

/*
 * The deepest signer among @sigs that is @owner or an ancestor of it (a proper
 * ancestor when @proper). Points into the RRSIG RDATA. False when there is none.
 */
bool validate_chain_pick_signer(const struct chain_sigs *sigs, const uint8_t *owner,
				size_t owner_len, bool proper, const uint8_t **signer,
				size_t *signer_len);

/* Verify @rs (TTL @ttl) with @keys: RRSIGs by keys->zone whose time is good, each with
 * the keys that match it, through env->batch. VERDICT_PENDING (and vc->crypto_pending)
 * while a job has not run. */
void validate_chain_verify(struct validate_chain *vc, const struct validate_chain_env *env,
			   const struct validate_rrset *rs, uint32_t ttl,
			   const struct chain_sigs *sigs, const struct chain_keyset *keys,
			   struct chain_verdict *v);

/*
 * The trusted DNSKEY RRset of secure entry @zi, looked up in @slot: it must still be
 * the one proven (store status SECURE, or the fingerprint kept). If the store lost or
 * changed it, the entry is forgotten and *req asks to push it again: returns false.
 */
bool validate_chain_zone_keys(struct validate_chain *vc, const struct validate_chain_env *env,
			      unsigned zi, unsigned slot, struct validate_chain_rrset *out,
			      struct chain_req *req);

/* The store's RRset (@z's name, @type) into @slot (0 or 1); @out zeroed first. */
bool validate_chain_lookup(const struct validate_chain_env *env, unsigned slot,
			   const struct validate_chain_zone *z, uint16_t type,
			   struct validate_chain_rrset *out);

/* Tell the store what the DS or DNSKEY RRset of zone entry @z was found to be. */
void validate_chain_mark(const struct validate_chain_env *env, const struct validate_chain_zone *z,
			 uint16_t type, enum validate_chain_status st, uint16_t ede, uint32_t ttl);

/* ---- Records of an answer (validate_chain_records.c) --------------------------------- */

/* Record @i starts an RRset: not an RRSIG, and no earlier record of the same RRset. */
bool validate_chain_is_leader(const struct validate_chain_rr *rr, unsigned n, unsigned i);

/* The RRSIGs covering the RRset led by record @lead. */
void validate_chain_sigs_of_set(const struct validate_chain_rr *rr, unsigned n, unsigned lead,
				struct chain_sigs *sigs);

/* The RRset led by record @lead gathered into one buffer for validate_rrset. */
struct chain_set {
	struct validate_rrset rs;
	uint32_t ttl;             /* the least TTL of its records */
	uint16_t rdoff[VALIDATE_CHAIN_RR_MAX];
	uint16_t rdlen[VALIDATE_CHAIN_RR_MAX];
	uint8_t data[CHAIN_SET_BYTES];
};
/* Returns 0, or -ENOSPC when the RRset's RDATA does not fit. */
int validate_chain_gather_set(const struct validate_chain_rr *rr, unsigned n, unsigned lead,
			      struct chain_set *set);

/* validate_chain_verify() on the RRset led by record @lead and the RRSIGs that cover it. Uses a
 * chain_set (16 KiB) on the stack: never called with another one live. */
void validate_chain_verify_group(struct validate_chain *vc, const struct validate_chain_env *env,
				 const struct validate_chain_rr *rr, unsigned n, unsigned lead,
				 const struct chain_keyset *keys, struct chain_verdict *v);

/*
 * NSEC or NSEC3 RRsets (NSEC when both are there) of section @section (0: any) signed
 * by zone entry @zi, each verified with its keys, and the SOA at the zone's apex with
 * them; their records in @d for a proof.
 */
enum chain_collect {
	COLLECT_READY = 0,    /* d->set ready, *v secure */
	COLLECT_FAILED,       /* *v says why not */
	COLLECT_PUSH,         /* *req: push */
	COLLECT_CRYPTO,       /* a part waits for the batch run (every part's jobs added) */
};
struct chain_denial {
	bool nsec3;
	bool any;                 /* NSEC or NSEC3 records were there, signed or not */
	size_t n;
	struct validate_denial_rr rr[CHAIN_DENIAL_MAX];
	struct validate_denial_set set;
};
enum chain_collect validate_chain_denial_collect(struct validate_chain *vc,
						 const struct validate_chain_env *env,
						 const struct validate_chain_rr *rr, unsigned n,
						 uint8_t section, unsigned zi, struct chain_denial *d,
						 struct chain_verdict *v, struct chain_req *req);

/*
 * The same for a DS reply's denial (any section): an NSEC/NSEC3 RRset (or SOA) that
 * does not verify is left out of the proof rather than failing it. The proof is made
 * of verified records only; a stray record with a bad signature next to a good proof
 * does not make the delegation bogus (as Unbound reads DS replies). COLLECT_FAILED
 * only when nothing verified.
 */
enum chain_collect validate_chain_denial_collect_verified(struct validate_chain *vc,
							  const struct validate_chain_env *env,
							  const struct validate_chain_rr *rr,
							  unsigned n, unsigned zi,
							  struct chain_denial *d,
							  struct chain_verdict *v,
							  struct chain_req *req);

/* Any NSEC or NSEC3 record in section @section (0: any). */
bool validate_chain_has_denial_records(const struct validate_chain_rr *rr, unsigned n,
				       uint8_t section);

/* The deepest signer of the NSEC/NSEC3 RRsets of @section that is @name or an ancestor
 * of it (a proper ancestor when @proper). */
bool validate_chain_denial_signer(const struct validate_chain_rr *rr, unsigned n, uint8_t section,
				  const uint8_t *name, size_t len, bool proper,
				  const uint8_t **signer, size_t *signer_len);

/* What a proof's result makes of the data: SECURE (proven), INSECURE (opt-out, NSEC3
 * iterations over the soft limit) or BOGUS, with the EDE and a why-text. */
enum validate_chain_status validate_chain_denial_status(enum validate_denial r, uint16_t *ede,
							const char **why);

/* NSEC3 limits from the conf. */
void validate_chain_nsec3_policy(const struct validate_chain *vc, struct validate_nsec3_policy *p);

/* ---- Steps ------------------------------------------------------------------------- */

/* validate_chain_zone.c: one step on the entry at the top of the stack. */
enum chain_step validate_chain_zone_step(struct validate_chain *vc,
					 const struct validate_chain_env *env, unsigned zi,
					 struct chain_req *req);

/* validate_chain_answer.c: one step on the answer (empty stack). STEP_DONE: result set. */
enum chain_step validate_chain_answer_step(struct validate_chain *vc,
					   const struct validate_chain_env *env,
					   struct chain_req *req);

#endif /* SEKISHO_VALIDATE_CHAIN_PRIV_H */
