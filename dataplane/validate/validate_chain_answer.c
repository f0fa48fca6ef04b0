/*
 * validate_chain_answer.c - judging the answer itself once the zones it needs are
 * known (RFC 4035 §5.3, §5.4; RFC 5155 §8; RFC 6672 §5.3.1 for DNAME).
 *
 * Two passes over the records, both from scratch on every step:
 *   needs:    every name whose zone must be known is looked up in the zone table;
 *             the first one missing is pushed (its step runs before we come back).
 *             Signed RRsets need their signer; unsigned ones the zone the answer
 *             came from (answer->zone) or their own name; a negative answer the
 *             signer of its NSEC/NSEC3 records.
 *   evaluate: with every zone known, each RRset of the answer section is verified
 *             with its signer's trusted keys (a wildcard expansion also needs its
 *             NSEC/NSEC3 proof from the authority section), an unsigned RRset must
 *             lie in an insecure zone, and a negative answer's proof is verified
 *             and checked. The worst verdict wins: bogus, indeterminate, insecure,
 *             secure.
 * The crypto thus runs once, after the chain is built, with every signature of the
 * answer in the same batch run: a verification still waiting for it folds nothing in,
 * the pass goes on so that the others add their jobs too, and the step ends in
 * STEP_CRYPTO (the next call evaluates again from the start, with the results).
 * A wildcard proof is looked at once its RRset has verified: one run more.
 */
#include <string.h>

#include "validate_chain_priv.h"

/* The answer as the passes read it. */
struct answer_view {
	const struct validate_chain_answer *a;
	const struct validate_chain_rr *rr;
	unsigned n;
	const uint8_t *final;   /* the end of the CNAME chain: the name the rcode is about */
	size_t final_len;
	bool negative;          /* NXDOMAIN, or no RRset of qtype at the final name */
};

static bool is_answer_leader(const struct answer_view *av, unsigned i)
{
	return av->rr[i].section == WIRE_SECTION_ANSWER &&
	       validate_chain_is_leader(av->rr, av->n, i);
}

/* The CNAME at @name in the answer section, as a valid name in its RDATA; -1: none. */
static int cname_at(const struct answer_view *av, const uint8_t *name, size_t len)
{
	for (unsigned i = 0; i < av->n; i++) {
		const struct validate_chain_rr *r = &av->rr[i];
		if (r->section == WIRE_SECTION_ANSWER && r->type == WIRE_TYPE_CNAME &&
		    wire_name_equal(r->owner, r->owner_len, name, len) && r->rdlen > 0 &&
		    wire_name_length(r->rdata, r->rdlen) == (int)r->rdlen)
			return (int)i;
	}
	return -1;
}

static bool has_rrset_at(const struct answer_view *av, const uint8_t *name, size_t len,
			 uint16_t type)
{
	for (unsigned i = 0; i < av->n; i++) {
		const struct validate_chain_rr *r = &av->rr[i];
		if (r->section == WIRE_SECTION_ANSWER && r->type != WIRE_TYPE_RRSIG &&
		    (type == WIRE_TYPE_ANY || r->type == type) &&
		    wire_name_equal(r->owner, r->owner_len, name, len))
			return true;
	}
	return false;
}

static void view_init(const struct validate_chain *vc, struct answer_view *av)
{
	const struct validate_chain_answer *a = vc->answer;

	*av = (struct answer_view){ .a = a, .rr = a->rr, .n = a->n_rr, .final = a->qname,
		.final_len = a->qname_len };
	/* Follow the chain (a loop ends after n hops); a DNAME's synthesised CNAME is in
	 * the answer, so following CNAMEs covers DNAMEs too. */
	for (unsigned hop = 0; a->qtype != WIRE_TYPE_CNAME && hop < av->n; hop++) {
		int c = cname_at(av, av->final, av->final_len);
		if (c < 0)
			break;
		av->final = av->rr[c].rdata;
		av->final_len = av->rr[c].rdlen;
	}
	av->negative = a->rcode == WIRE_RCODE_NXDOMAIN ||
		       !has_rrset_at(av, av->final, av->final_len, a->qtype);
}

/* The zone whose status decides an unsigned record at @name. */
static void unsigned_zone(const struct answer_view *av, const uint8_t *name, size_t len,
			  const uint8_t **zone, size_t *zone_len)
{
	const struct validate_chain_answer *a = av->a;

	if (a->zone != NULL && a->zone_len > 0 &&
	    wire_name_is_subdomain(name, len, a->zone, a->zone_len)) {
		*zone = a->zone;
		*zone_len = a->zone_len;
	} else {
		*zone = name;
		*zone_len = len;
	}
}

/*
 * An unsigned CNAME synthesised from a signed DNAME of the answer (RFC 6672 §5.3.1:
 * signed DNAME, unsigned CNAME): its owner lies below the DNAME's and its target is
 * the owner with the DNAME's owner replaced by the DNAME's target.
 */
static bool dname_synthesised(const struct answer_view *av, unsigned i)
{
	const struct validate_chain_rr *c = &av->rr[i];
	uint8_t want[WIRE_NAME_MAX];
	struct chain_sigs sigs;

	if (c->type != WIRE_TYPE_CNAME)
		return false;
	for (unsigned j = 0; j < av->n; j++) {
		const struct validate_chain_rr *d = &av->rr[j];
		if (!is_answer_leader(av, j) || d->type != WIRE_TYPE_DNAME ||
		    !validate_name_is_below(c->owner, c->owner_len, d->owner, d->owner_len) ||
		    wire_name_length(d->rdata, d->rdlen) != (int)d->rdlen)
			continue;
		size_t prefix = (size_t)c->owner_len - d->owner_len;
		validate_chain_sigs_of_set(av->rr, av->n, j, &sigs);
		if (sigs.n == 0 || prefix + d->rdlen > sizeof(want))
			continue;
		memcpy(want, c->owner, prefix);
		memcpy(want + prefix, d->rdata, d->rdlen);
		if (wire_name_equal(want, prefix + d->rdlen, c->rdata, c->rdlen))
			return true;
	}
	return false;
}

/* ---- Needs ------------------------------------------------------------------------------- */

static bool rrset_need(struct validate_chain *vc, const struct answer_view *av, unsigned i,
		       struct chain_req *req)
{
	const struct validate_chain_rr *r = &av->rr[i];
	struct chain_sigs sigs;
	const uint8_t *name;
	size_t len;

	if (validate_chain_nta_covers(vc, r->owner, r->owner_len))
		return true;
	validate_chain_sigs_of_set(av->rr, av->n, i, &sigs);
	if (!validate_chain_pick_signer(&sigs, r->owner, r->owner_len, false, &name, &len)) {
		if (dname_synthesised(av, i))
			return true;
		unsigned_zone(av, r->owner, r->owner_len, &name, &len);
	}
	return validate_chain_need(vc, name, len, req) >= 0;
}

static bool negative_need(struct validate_chain *vc, const struct answer_view *av,
			  struct chain_req *req)
{
	const uint8_t *name;
	size_t len;

	if (validate_chain_nta_covers(vc, av->final, av->final_len))
		return true;
	if (!validate_chain_denial_signer(av->rr, av->n, WIRE_SECTION_AUTHORITY, av->final,
					  av->final_len, false, &name, &len))
		unsigned_zone(av, av->final, av->final_len, &name, &len);
	return validate_chain_need(vc, name, len, req) >= 0;
}

/* Every zone the answer needs is known; false with *req when one must be pushed. */
static bool needs_known(struct validate_chain *vc, const struct answer_view *av,
			struct chain_req *req)
{
	for (unsigned i = 0; i < av->n; i++) {
		if (is_answer_leader(av, i) && !rrset_need(vc, av, i, req))
			return false;
	}
	return !av->negative || negative_need(vc, av, req);
}

/* ---- Verdicts ---------------------------------------------------------------------------- */

static int rank(enum validate_chain_status s)
{
	switch (s) {
	case VALIDATE_CHAIN_SECURE:
		return 0;
	case VALIDATE_CHAIN_INSECURE:
		return 1;
	case VALIDATE_CHAIN_INDETERMINATE:
		return 2;
	case VALIDATE_CHAIN_BOGUS:
		return 3;
	}
	return 3;
}

/* Fold one part's verdict into the answer's: the worst wins, the first of a kind
 * keeps its reason. */
static void add(struct validate_chain *vc, enum validate_chain_status st, uint16_t ede,
		const char *why)
{
	if (rank(st) <= rank(vc->result.status))
		return;
	vc->result.status = st;
	vc->result.ede = ede;
	vc->result.why = why;
}

static void add_ttl(struct validate_chain *vc, uint32_t ttl)
{
	if (ttl < vc->result.ttl_cap)
		vc->result.ttl_cap = ttl;
}

static void add_zone(struct validate_chain *vc, const struct validate_chain_zone *z)
{
	static const enum validate_chain_status of_state[] = {
		[ZONE_UNKNOWN] = VALIDATE_CHAIN_BOGUS,
		[ZONE_SECURE] = VALIDATE_CHAIN_SECURE,
		[ZONE_INSIDE] = VALIDATE_CHAIN_SECURE,
		[ZONE_INSECURE] = VALIDATE_CHAIN_INSECURE,
		[ZONE_BOGUS] = VALIDATE_CHAIN_BOGUS,
		[ZONE_INDETERMINATE] = VALIDATE_CHAIN_INDETERMINATE,
	};
	add(vc, of_state[z->state], z->ede, z->why);
}

/* Something without RRSIG at a name of zone entry @z: fine only if @z is insecure. */
static void add_unsigned(struct validate_chain *vc, const struct validate_chain_zone *z,
			 uint16_t ede, const char *why)
{
	if (z->state == ZONE_SECURE || z->state == ZONE_INSIDE)
		add(vc, VALIDATE_CHAIN_BOGUS, ede, why);
	else
		add_zone(vc, z);
}

static void add_proof(struct validate_chain *vc, enum validate_denial r, uint32_t ttl)
{
	uint16_t ede;
	const char *why;
	enum validate_chain_status st = validate_chain_denial_status(r, &ede, &why);

	add(vc, st, ede, why);
	if (st == VALIDATE_CHAIN_SECURE)
		add_ttl(vc, ttl);
}

/* ---- Evaluate ---------------------------------------------------------------------------- */

/*
 * The name whose deepest trust anchor rules over data of @type at @owner: the owner,
 * but its parent for DS (RFC 4035 §3.1.4.1: the zone above serves DS, also at an
 * anchor's name).
 */
static const uint8_t *anchor_scope(const uint8_t *owner, size_t len, uint16_t type,
				   size_t *scope_len)
{
	if (type == WIRE_TYPE_DS && len > 1)
		return validate_chain_parent(owner, len, scope_len);
	*scope_len = len;
	return owner;
}

/*
 * The zone entry that signed something, when it can be trusted to: a secure zone at
 * or below the deepest trust anchor above @scope (scope_len 0: any). Otherwise its
 * verdict is folded in and -1 returned (-2 when *req asks for a push).
 */
static int signer_zone(struct validate_chain *vc, const uint8_t *scope, size_t scope_len,
		       const uint8_t *signer, size_t signer_len, struct chain_req *req)
{
	int zi = validate_chain_need(vc, signer, signer_len, req);

	if (zi < 0)
		return -2;
	/* A trust anchor below the signer is authoritative for its subtree. */
	if (scope_len > 0 && validate_chain_anchor_labels(vc, scope, scope_len) >
				     wire_name_label_count(signer, signer_len)) {
		add(vc, VALIDATE_CHAIN_BOGUS, WIRE_EDE_DNSSEC_BOGUS,
		    "RRSIG signer above a trust anchor");
		return -1;
	}
	const struct validate_chain_zone *z = &vc->zones[zi];
	if (z->state == ZONE_INSIDE) {
		add(vc, VALIDATE_CHAIN_BOGUS, WIRE_EDE_DNSSEC_BOGUS,
		    "RRSIG signer is no zone apex");
		return -1;
	}
	if (z->state != ZONE_SECURE) {
		add_zone(vc, z);
		return -1;
	}
	return zi;
}

/* An RRset verified with RRSIG labels @labels, fewer than its owner has: the
 * authority section must prove the expansion (RFC 4035 §5.3.4, RFC 5155 §8.8). */
static bool wildcard_proof(struct validate_chain *vc, const struct validate_chain_env *env,
			   const struct answer_view *av, unsigned i, unsigned zi, uint8_t labels,
			   struct chain_req *req)
{
	const struct validate_chain_rr *r = &av->rr[i];
	struct validate_nsec3_policy pol;
	struct chain_denial d;
	struct chain_verdict v;
	enum validate_denial res;

	switch (validate_chain_denial_collect(vc, env, av->rr, av->n, WIRE_SECTION_AUTHORITY, zi,
					      &d, &v, req)) {
	case COLLECT_PUSH:
		return false;
	case COLLECT_CRYPTO:
		return true;
	case COLLECT_FAILED:
		add(vc, VALIDATE_CHAIN_BOGUS, v.ede, v.why);
		return true;
	case COLLECT_READY:
		break;
	}
	validate_chain_nsec3_policy(vc, &pol);
	res = d.nsec3 ? validate_nsec3_prove_wildcard(&d.set, &pol, r->owner, r->owner_len,
						      labels, NULL)
		      : validate_nsec_prove_wildcard(&d.set, r->owner, r->owner_len, labels, NULL);
	add_proof(vc, res, v.ttl);
	return true;
}

static bool eval_signed(struct validate_chain *vc, const struct validate_chain_env *env,
			const struct answer_view *av, unsigned i, const uint8_t *signer,
			size_t signer_len, struct chain_req *req)
{
	const struct validate_chain_rr *r = &av->rr[i];
	struct validate_chain_rrset keys;
	struct chain_verdict v;
	size_t scope_len;
	const uint8_t *scope = anchor_scope(r->owner, r->owner_len, r->type, &scope_len);
	int zi = signer_zone(vc, scope, scope_len, signer, signer_len, req);

	if (zi < 0)
		return zi == -1;
	if (!validate_chain_zone_keys(vc, env, (unsigned)zi, 1, &keys, req))
		return false;
	const struct validate_chain_zone *z = &vc->zones[zi];
	struct chain_keyset ks = { .zone = z->name, .zone_len = z->name_len, .dnskey = &keys };
	validate_chain_verify_group(vc, env, av->rr, av->n, i, &ks, &v);
	if (v.kind == VERDICT_PENDING)
		return true;
	if (v.kind == VERDICT_UNSUPPORTED) {
		/* The zone's keys are trusted: its data signed only so was stripped. */
		add(vc, VALIDATE_CHAIN_BOGUS, v.ede,
		    "RRset signed only with unsupported algorithms");
		return true;
	}
	if (v.kind == VERDICT_BOGUS) {
		add(vc, VALIDATE_CHAIN_BOGUS, v.ede, v.why);
		return true;
	}
	add_ttl(vc, v.ttl);
	int labels = wire_name_label_count(r->owner, r->owner_len);
	if (labels > v.labels)
		return wildcard_proof(vc, env, av, i, (unsigned)zi, v.labels, req);
	return true;
}

/* Judge the RRset led by record @i of the answer section. False: *req (push). */
static bool eval_rrset(struct validate_chain *vc, const struct validate_chain_env *env,
		       const struct answer_view *av, unsigned i, struct chain_req *req)
{
	const struct validate_chain_rr *r = &av->rr[i];
	struct chain_sigs sigs;
	const uint8_t *name;
	size_t len;

	if (validate_chain_nta_covers(vc, r->owner, r->owner_len)) {
		add(vc, VALIDATE_CHAIN_INSECURE, 0, "negative trust anchor");
		return true;
	}
	validate_chain_sigs_of_set(av->rr, av->n, i, &sigs);
	if (validate_chain_pick_signer(&sigs, r->owner, r->owner_len, false, &name, &len))
		return eval_signed(vc, env, av, i, name, len, req);
	if (dname_synthesised(av, i))
		return true; /* stands or falls with its DNAME, judged on its own */
	unsigned_zone(av, r->owner, r->owner_len, &name, &len);
	int zi = validate_chain_need(vc, name, len, req);
	if (zi < 0)
		return false;
	add_unsigned(vc, &vc->zones[zi], WIRE_EDE_RRSIGS_MISSING,
		     "RRset without RRSIG in a signed zone");
	return true;
}

/* A negative answer without signed NSEC/NSEC3: only an insecure zone may send one. */
static bool eval_unsigned_negative(struct validate_chain *vc, const struct answer_view *av,
				   struct chain_req *req)
{
	const uint8_t *name;
	size_t len;

	unsigned_zone(av, av->final, av->final_len, &name, &len);
	int zi = validate_chain_need(vc, name, len, req);
	if (zi < 0)
		return false;
	if (validate_chain_has_denial_records(av->rr, av->n, WIRE_SECTION_AUTHORITY))
		add_unsigned(vc, &vc->zones[zi], WIRE_EDE_RRSIGS_MISSING,
			     "NSEC without RRSIG in a signed zone");
	else
		add_unsigned(vc, &vc->zones[zi], WIRE_EDE_NSEC_MISSING,
			     "negative answer without NSEC from a signed zone");
	return true;
}

/* What the verified NSEC/NSEC3 records @d prove for the final name and qtype. */
static enum validate_denial negative_proof(const struct validate_chain *vc,
					   const struct answer_view *av,
					   const struct chain_denial *d)
{
	const uint8_t *f = av->final;
	size_t flen = av->final_len;
	uint16_t qtype = av->a->qtype;
	bool nx = av->a->rcode == WIRE_RCODE_NXDOMAIN;
	struct validate_nsec3_policy pol;

	validate_chain_nsec3_policy(vc, &pol);
	if (d->nsec3)
		return nx ? validate_nsec3_prove_nxdomain(&d->set, &pol, f, flen, NULL)
			  : validate_nsec3_prove_nodata(&d->set, &pol, f, flen, qtype, NULL);
	return nx ? validate_nsec_prove_nxdomain(&d->set, f, flen, NULL)
		  : validate_nsec_prove_nodata(&d->set, f, flen, qtype, NULL);
}

static bool eval_negative(struct validate_chain *vc, const struct validate_chain_env *env,
			  const struct answer_view *av, struct chain_req *req)
{
	const uint8_t *signer;
	size_t slen;
	struct chain_denial d;
	struct chain_verdict v;

	if (validate_chain_nta_covers(vc, av->final, av->final_len)) {
		add(vc, VALIDATE_CHAIN_INSECURE, 0, "negative trust anchor");
		return true;
	}
	if (!validate_chain_denial_signer(av->rr, av->n, WIRE_SECTION_AUTHORITY, av->final,
					  av->final_len, false, &signer, &slen))
		return eval_unsigned_negative(vc, av, req);
	size_t scope_len;
	const uint8_t *scope = anchor_scope(av->final, av->final_len, av->a->qtype, &scope_len);
	/* A zone above an anchor may deny that the anchor's name exists (as Unbound
	 * takes it): judged with the signer's own standing, indeterminate when no anchor
	 * is above the signer. */
	if (av->a->rcode == WIRE_RCODE_NXDOMAIN)
		scope_len = 0;
	int zi = signer_zone(vc, scope, scope_len, signer, slen, req);
	if (zi < 0)
		return zi == -1;
	switch (validate_chain_denial_collect(vc, env, av->rr, av->n, WIRE_SECTION_AUTHORITY,
					      (unsigned)zi, &d, &v, req)) {
	case COLLECT_PUSH:
		return false;
	case COLLECT_CRYPTO:
		break;
	case COLLECT_FAILED:
		add(vc, VALIDATE_CHAIN_BOGUS, v.ede, v.why);
		break;
	case COLLECT_READY:
		add_proof(vc, negative_proof(vc, av, &d), v.ttl);
		break;
	}
	return true;
}

static bool evaluate(struct validate_chain *vc, const struct validate_chain_env *env,
		     const struct answer_view *av, struct chain_req *req)
{
	vc->result = (struct validate_chain_result){ .status = VALIDATE_CHAIN_SECURE,
		.why = "validated", .ttl_cap = UINT32_MAX };
	for (unsigned i = 0; i < av->n; i++) {
		if (is_answer_leader(av, i) && !eval_rrset(vc, env, av, i, req))
			return false;
	}
	return !av->negative || eval_negative(vc, env, av, req);
}

static enum chain_step not_validated(struct validate_chain *vc, const char *why)
{
	vc->result = (struct validate_chain_result){ .status = VALIDATE_CHAIN_INDETERMINATE,
		.why = why, .ttl_cap = UINT32_MAX };
	return STEP_DONE;
}

enum chain_step validate_chain_answer_step(struct validate_chain *vc,
					   const struct validate_chain_env *env,
					   struct chain_req *req)
{
	const struct validate_chain_answer *a = vc->answer;
	struct answer_view av;

	if (a->rcode != WIRE_RCODE_NOERROR && a->rcode != WIRE_RCODE_NXDOMAIN)
		return not_validated(vc, "rcode is not validated");
	if (a->qclass != WIRE_CLASS_IN)
		return not_validated(vc, "class is not validated");
	if (a->qname == NULL || a->qname_len == 0 || (a->n_rr > 0 && a->rr == NULL))
		return not_validated(vc, "no question");
	if (a->n_rr > VALIDATE_CHAIN_RR_MAX) {
		/* Records left unread would pass as validated: refuse the whole answer. */
		vc->result = (struct validate_chain_result){ .status = VALIDATE_CHAIN_BOGUS,
			.ede = WIRE_EDE_OTHER, .why = "answer has too many records to validate",
			.ttl_cap = UINT32_MAX };
		return STEP_DONE;
	}
	view_init(vc, &av);
	if (!needs_known(vc, &av, req) || !evaluate(vc, env, &av, req))
		return STEP_PUSH;
	/* What was folded in while some verification waited is thrown away: the next
	 * call evaluates the whole answer again. */
	return vc->crypto_pending ? STEP_CRYPTO : STEP_DONE;
}
