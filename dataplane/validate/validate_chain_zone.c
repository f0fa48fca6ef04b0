/*
 * validate_chain_zone.c - one step on a name of the zone table: is it a secure zone
 * (and which DNSKEYs are its trusted keys), a name inside a secure zone, insecure,
 * bogus, or beyond every trust anchor (RFC 4035 §5, RFC 6840 §5, RFC 7646)?
 *
 * In order, for name Z:
 *   NTA at or above Z                  insecure (RFC 7646: before any anchor)
 *   trust anchor at Z                  DNSKEY(Z) must hold a key the anchor names,
 *                                      and that key's RRSIG over DNSKEY(Z) must verify
 *   no anchor at or above Z            indeterminate
 *   DS(Z) in the store                 signed by P (a proper ancestor): P's keys
 *                                      first, then DS(Z) with them, then DNSKEY(Z)
 *                                      against the DS as for an anchor
 *   DS(Z) denied (negative supplied)   the denial signed by P, verified with P's
 *                                      keys: an insecure delegation (or opt-out)
 *                                      makes Z insecure; no zone cut at all puts Z
 *                                      inside P
 *   unsigned DS or denial              only an insecure parent may send one
 *   nothing yet                        the parent first (top down, so nothing below
 *                                      an insecure delegation is fetched), then
 *                                      a referral's proof of no DS (its NSEC/NSEC3
 *                                      kept with the answer, or the parent's NSEC
 *                                      at Z in the store), verified as a supplied
 *                                      denial; else FETCH DS(Z)
 * A bogus verdict on Z's DNSKEY or DS data says so (bogus_data: which RRset, so that
 * the caller may ask other servers, validate_chain.h "Bogus data").
 * Store verdicts (SECURE, BOGUS) are taken as they are; every DS and DNSKEY RRset
 * judged here is told to the store (env->mark) so the next answer finds it ready.
 * A verification still waiting for the batch ends the step with STEP_CRYPTO before
 * anything is decided or marked; a DS verified in an earlier call is found marked
 * (or by its fingerprint), so the step goes straight on to the DNSKEY RRset.
 */
#include <string.h>

#include "validate_chain_priv.h"

/* Set the entry's verdict; returns STEP_DONE for the caller to return. */
static enum chain_step decide(struct validate_chain_zone *z, enum chain_zone_state st, uint16_t ede,
			      const char *why)
{
	z->state = (uint8_t)st;
	z->ede = ede;
	z->why = why;
	z->bad = 0;
	z->bad_ds = false;
	z->bad_fetched = false;
	return STEP_DONE;
}

/* What became of a FETCH of (Z, @type), if that was the last one. */
static enum chain_outcome outcome(const struct validate_chain *vc,
				  const struct validate_chain_zone *z, uint16_t type)
{
	return validate_chain_fetch_outcome(vc, z->name, z->name_len, type);
}

/* Z is bogus for data some server sent: Z's DNSKEY RRset, or (@ds) the parent side's
 * DS RRset or proof of no DS. Other servers might send better (validate_chain.h,
 * "Bogus data"). */
static enum chain_step bogus_data(struct validate_chain *vc, struct validate_chain_zone *z,
				  bool ds, uint16_t ede, const char *why)
{
	decide(z, ZONE_BOGUS, ede, why);
	z->bad = (uint8_t)(z - vc->zones + 1);
	z->bad_ds = ds;
	z->bad_fetched = outcome(vc, z, ds ? WIRE_TYPE_DS : WIRE_TYPE_DNSKEY) != OUTCOME_NONE;
	return STEP_DONE;
}

static uint16_t ede_or_bogus(uint16_t ede)
{
	return ede != 0 ? ede : WIRE_EDE_DNSSEC_BOGUS;
}

/* Z's verdict follows from a zone above it that is not secure. False: it is secure. */
static bool inherit(struct validate_chain_zone *z, const struct validate_chain_zone *p)
{
	switch ((enum chain_zone_state)p->state) {
	case ZONE_INSECURE:
	case ZONE_BOGUS:
	case ZONE_INDETERMINATE:
		decide(z, (enum chain_zone_state)p->state, p->ede, p->why);
		z->bad = p->bad;
		return true;
	case ZONE_SECURE:
	case ZONE_INSIDE:
	case ZONE_UNKNOWN:
		break;
	}
	return false;
}

/* Z's verdict when the zone @p that signed something about it is not a secure apex. */
static enum chain_step signer_not_secure(struct validate_chain *vc, struct validate_chain_zone *z,
					 const struct validate_chain_zone *p, const char *why)
{
	if (inherit(z, p))
		return STEP_DONE;
	return bogus_data(vc, z, true, WIRE_EDE_DNSSEC_BOGUS, why);
}

/* Records about Z came without RRSIG: only an insecure parent may send such. */
static enum chain_step unsigned_from_parent(struct validate_chain *vc, unsigned zi,
					    struct chain_req *req, uint16_t ede, const char *why)
{
	struct validate_chain_zone *z = &vc->zones[zi];
	size_t plen;
	const uint8_t *parent = validate_chain_parent(z->name, z->name_len, &plen);
	int pi = validate_chain_need(vc, parent, plen, req);

	if (pi < 0)
		return STEP_PUSH;
	if (inherit(z, &vc->zones[pi]))
		return STEP_DONE;
	return bogus_data(vc, z, true, ede, why);
}

/* ---- Which DS records and anchors count ------------------------------------------------ */

/*
 * usable[i]: DS RDATA @rd of supported algorithm and digest type. SHA-1 digests are
 * dropped when a stronger one is usable (RFC 4509 §3). Returns how many count; *ede:
 * EDE 1 or 2 for when none does.
 */
static unsigned usable_ds_records(const struct validate_chain *vc, const uint8_t *const *rd,
				  const uint16_t *len, unsigned n, bool *usable, uint16_t *ede)
{
	const struct validate_policy *pol = &vc->conf->policy;
	bool strong = false, bad_alg = false;
	unsigned count = 0;

	for (unsigned i = 0; i < n; i++) {
		bool dig = len[i] >= 4 && validate_ds_digest_supported(pol, rd[i][3]);
		bool alg = len[i] >= 4 && validate_alg_supported(pol, rd[i][2]);
		usable[i] = dig && alg;
		bad_alg |= dig && !alg;
		strong |= usable[i] && rd[i][3] != VALIDATE_DS_SHA1;
	}
	for (unsigned i = 0; i < n; i++) {
		if (strong && usable[i] && rd[i][3] == VALIDATE_DS_SHA1)
			usable[i] = false;
		count += usable[i];
	}
	*ede = bad_alg ? WIRE_EDE_UNSUPPORTED_DNSKEY_ALG : WIRE_EDE_UNSUPPORTED_DS_DIGEST;
	return count;
}

/* A DS-form view of the DS RRset @ds (at most CHAIN_KEYS_MAX records). */
struct ds_list {
	unsigned n;
	const uint8_t *rd[CHAIN_KEYS_MAX];
	uint16_t len[CHAIN_KEYS_MAX];
	bool usable[CHAIN_KEYS_MAX];
	bool is_key[CHAIN_KEYS_MAX]; /* a DNSKEY trust anchor, compared as RDATA */
};

static unsigned ds_list_of_rrset(const struct validate_chain *vc,
				 const struct validate_chain_rrset *ds, struct ds_list *l,
				 uint16_t *ede)
{
	l->n = 0;
	for (unsigned i = 0; i < ds->rs.count && l->n < CHAIN_KEYS_MAX; i++, l->n++) {
		l->rd[l->n] = validate_rrset_rdata(&ds->rs, i);
		l->len[l->n] = ds->rs.rdlen[i];
		l->is_key[l->n] = false;
	}
	return usable_ds_records(vc, l->rd, l->len, l->n, l->usable, ede);
}

/* The anchors at Z: DS anchors go through the DS rules, DNSKEY anchors need a
 * supported algorithm. */
static unsigned ds_list_of_anchors(const struct validate_chain *vc,
				   const struct validate_chain_zone *z, struct ds_list *l,
				   uint16_t *ede)
{
	const struct validate_chain_conf *c = vc->conf;
	unsigned count;

	l->n = 0;
	for (unsigned i = 0; i < c->n_anchors && i < VALIDATE_CHAIN_ANCHORS_MAX; i++) {
		const struct validate_anchor *a = &c->anchors[i];
		if (!wire_name_equal(a->owner, a->owner_len, z->name, z->name_len) ||
		    a->rdata == NULL || a->rdlen < 4)
			continue;
		l->rd[l->n] = a->rdata;
		l->len[l->n] = a->rdlen;
		l->is_key[l->n] = a->type == WIRE_TYPE_DNSKEY;
		l->n++;
	}
	count = usable_ds_records(vc, l->rd, l->len, l->n, l->usable, ede);
	/* usable_ds_records() read DS fields; DNSKEY anchors have the algorithm at 3. */
	for (unsigned i = 0; i < l->n; i++) {
		if (!l->is_key[i])
			continue;
		count -= l->usable[i];
		l->usable[i] = validate_alg_supported(&c->policy, l->rd[i][3]);
		count += l->usable[i];
		if (!l->usable[i])
			*ede = WIRE_EDE_UNSUPPORTED_DNSKEY_ALG;
	}
	return count;
}

/* allowed[k]: DNSKEY record k is named by a usable entry of @l. Returns how many. */
static unsigned keys_named(const struct validate_chain *vc, const struct validate_chain_zone *z,
			   const struct ds_list *l, const struct validate_chain_rrset *keys,
			   bool *allowed)
{
	unsigned count = 0;

	for (unsigned k = 0; k < keys->rs.count && k < CHAIN_KEYS_MAX; k++) {
		const uint8_t *rd = validate_rrset_rdata(&keys->rs, k);
		size_t len = keys->rs.rdlen[k];
		allowed[k] = false;
		for (unsigned i = 0; i < l->n && !allowed[k]; i++) {
			if (!l->usable[i])
				continue;
			if (l->is_key[i])
				allowed[k] = len == l->len[i] && memcmp(rd, l->rd[i], len) == 0;
			else
				allowed[k] = validate_ds_match(l->rd[i], l->len[i], z->name,
							       z->name_len, rd, len,
							       &vc->conf->policy) == VALIDATE_OK;
		}
		count += allowed[k];
	}
	return count;
}

/* ---- DNSKEY(Z) --------------------------------------------------------------------------- */

static enum chain_step dnskey_absent(struct validate_chain *vc, struct validate_chain_zone *z,
				     struct chain_req *req)
{
	switch (outcome(vc, z, WIRE_TYPE_DNSKEY)) {
	case OUTCOME_NEGATIVE: /* a server of the zone says it has no keys */
		return bogus_data(vc, z, false, WIRE_EDE_DNSKEY_MISSING, "DNSKEY RRset missing");
	case OUTCOME_FAILED:
		return decide(z, ZONE_BOGUS, WIRE_EDE_DNSKEY_MISSING, "DNSKEY RRset missing");
	case OUTCOME_NONE:
		break;
	}
	return validate_chain_want_fetch(req, z->name, z->name_len, WIRE_TYPE_DNSKEY);
}

static enum chain_step keys_secure(struct validate_chain_zone *z,
				   const struct validate_chain_rrset *keys, uint32_t ttl)
{
	z->key_fp = validate_chain_rrset_fp(&keys->rs);
	z->ttl = ttl;
	return decide(z, ZONE_SECURE, 0, "secure");
}

/* DNSKEY(Z) is trusted when a key the DS (or anchor) names signed it. */
static enum chain_step keyset_step(struct validate_chain *vc, const struct validate_chain_env *env,
				   struct validate_chain_zone *z, const struct ds_list *l,
				   const struct validate_chain_rrset *keys, const char *no_match)
{
	bool allowed[CHAIN_KEYS_MAX];
	struct chain_sigs sigs;
	struct chain_verdict v;

	if (keys->status == VALIDATE_CHAIN_BOGUS)
		return bogus_data(vc, z, false, ede_or_bogus(keys->ede),
				  "DNSKEY RRset judged bogus before");
	if (keys->status == VALIDATE_CHAIN_SECURE)
		return keys_secure(z, keys, keys->ttl);
	if (keys_named(vc, z, l, keys, allowed) == 0) {
		validate_chain_mark(env, z, WIRE_TYPE_DNSKEY, VALIDATE_CHAIN_BOGUS,
				    WIRE_EDE_DNSKEY_MISSING, 0);
		return bogus_data(vc, z, false, WIRE_EDE_DNSKEY_MISSING, no_match);
	}
	validate_chain_sigs_of_rrset(keys, &sigs);
	struct chain_keyset ks = { .zone = z->name, .zone_len = z->name_len, .dnskey = keys,
				   .allowed = allowed };
	validate_chain_verify(vc, env, &keys->rs, keys->ttl, &sigs, &ks, &v);
	if (v.kind == VERDICT_PENDING)
		return STEP_CRYPTO;
	if (v.kind == VERDICT_UNSUPPORTED)
		return decide(z, ZONE_INSECURE, WIRE_EDE_UNSUPPORTED_DNSKEY_ALG,
			      "DNSKEY algorithm or key size unsupported");
	if (v.kind == VERDICT_BOGUS) {
		validate_chain_mark(env, z, WIRE_TYPE_DNSKEY, VALIDATE_CHAIN_BOGUS, v.ede, 0);
		return bogus_data(vc, z, false, v.ede, v.why);
	}
	validate_chain_mark(env, z, WIRE_TYPE_DNSKEY, VALIDATE_CHAIN_SECURE, 0, v.ttl);
	return keys_secure(z, keys, v.ttl);
}

static enum chain_step anchor_step(struct validate_chain *vc, const struct validate_chain_env *env,
				   unsigned zi, struct chain_req *req)
{
	struct validate_chain_zone *z = &vc->zones[zi];
	struct validate_chain_rrset keys;
	struct ds_list l;
	uint16_t ede;

	if (ds_list_of_anchors(vc, z, &l, &ede) == 0)
		return decide(z, ZONE_INSECURE, ede, "trust anchor algorithms unsupported");
	if (!validate_chain_lookup(env, 1, z, WIRE_TYPE_DNSKEY, &keys))
		return dnskey_absent(vc, z, req);
	return keyset_step(vc, env, z, &l, &keys, "no DNSKEY matches the trust anchor");
}

static enum chain_step dnskey_step(struct validate_chain *vc, const struct validate_chain_env *env,
				   unsigned zi, const struct validate_chain_rrset *ds,
				   struct chain_req *req)
{
	struct validate_chain_zone *z = &vc->zones[zi];
	struct validate_chain_rrset keys;
	struct ds_list l;
	uint16_t ede;

	if (ds_list_of_rrset(vc, ds, &l, &ede) == 0) {
		bool digest = ede == WIRE_EDE_UNSUPPORTED_DS_DIGEST;
		return decide(z, ZONE_INSECURE, ede, digest ? "DS digest types unsupported"
							    : "DS algorithms unsupported");
	}
	if (!validate_chain_lookup(env, 1, z, WIRE_TYPE_DNSKEY, &keys))
		return dnskey_absent(vc, z, req);
	return keyset_step(vc, env, z, &l, &keys, "no DNSKEY matches the DS");
}

/* ---- DS(Z) present ------------------------------------------------------------------------ */

/* DS(Z) verified with its signer's keys: tell the store, whichever way it went. True
 * when it holds; otherwise Z is decided bogus. */
static bool ds_verdict(struct validate_chain *vc, const struct validate_chain_env *env,
		       struct validate_chain_zone *z, const struct validate_chain_rrset *ds,
		       const struct chain_verdict *v)
{
	if (v->kind == VERDICT_SECURE) {
		validate_chain_mark(env, z, WIRE_TYPE_DS, VALIDATE_CHAIN_SECURE, 0, v->ttl);
		z->ds_fp = validate_chain_rrset_fp(&ds->rs);
		return true;
	}
	/* The parent is secure: a DS it signed only with algorithms we lack was stripped. */
	uint16_t ede = v->kind == VERDICT_UNSUPPORTED ? WIRE_EDE_UNSUPPORTED_DNSKEY_ALG : v->ede;
	validate_chain_mark(env, z, WIRE_TYPE_DS, VALIDATE_CHAIN_BOGUS, ede, 0);
	bogus_data(vc, z, true, ede, v->why);
	return false;
}

/* Verify DS(Z) with its signer's keys. True: verified; false: *s says what next. */
static bool ds_verify(struct validate_chain *vc, const struct validate_chain_env *env, unsigned zi,
		      const struct validate_chain_rrset *ds, struct chain_req *req,
		      enum chain_step *s)
{
	struct validate_chain_zone *z = &vc->zones[zi];
	struct validate_chain_rrset keys;
	struct chain_sigs sigs;
	struct chain_verdict v;
	const uint8_t *signer;
	size_t slen;

	validate_chain_sigs_of_rrset(ds, &sigs);
	if (!validate_chain_pick_signer(&sigs, z->name, z->name_len, true, &signer, &slen)) {
		*s = unsigned_from_parent(vc, zi, req, WIRE_EDE_RRSIGS_MISSING,
					  "DS without RRSIG in a signed zone");
		return false;
	}
	int si = validate_chain_need(vc, signer, slen, req);
	if (si < 0 || vc->zones[si].state != ZONE_SECURE) {
		*s = si < 0 ? STEP_PUSH
			    : signer_not_secure(vc, z, &vc->zones[si], "DS signer is no zone");
		return false;
	}
	*s = STEP_PUSH;
	if (!validate_chain_zone_keys(vc, env, (unsigned)si, 1, &keys, req))
		return false;
	struct chain_keyset ks = { .zone = vc->zones[si].name, .zone_len = vc->zones[si].name_len,
				   .dnskey = &keys };
	validate_chain_verify(vc, env, &ds->rs, ds->ttl, &sigs, &ks, &v);
	if (v.kind == VERDICT_PENDING) {
		*s = STEP_CRYPTO;
		return false;
	}
	*s = STEP_DONE;
	return ds_verdict(vc, env, z, ds, &v);
}

static enum chain_step ds_step(struct validate_chain *vc, const struct validate_chain_env *env,
			       unsigned zi, const struct validate_chain_rrset *ds,
			       struct chain_req *req)
{
	struct validate_chain_zone *z = &vc->zones[zi];
	enum chain_step s;

	if (ds->status == VALIDATE_CHAIN_BOGUS)
		return bogus_data(vc, z, true, ede_or_bogus(ds->ede),
				  "DS RRset judged bogus before");
	if (ds->status != VALIDATE_CHAIN_SECURE && validate_chain_rrset_fp(&ds->rs) != z->ds_fp &&
	    !ds_verify(vc, env, zi, ds, req, &s))
		return s;
	return dnskey_step(vc, env, zi, ds, req);
}

/* ---- DS(Z) denied ------------------------------------------------------------------------- */

/* Z's state from a proof result (insecure, or bogus); false when it proved nothing. */
static bool proof_decides(struct validate_chain_zone *z, enum validate_denial r)
{
	uint16_t ede;
	const char *why;
	enum validate_chain_status st = validate_chain_denial_status(r, &ede, &why);

	if (st == VALIDATE_CHAIN_INSECURE)
		decide(z, ZONE_INSECURE, ede, why);
	else if (r == VALIDATE_DENIAL_BOGUS_ITERATIONS)
		decide(z, ZONE_BOGUS, ede, why);
	else
		return false;
	return true;
}

/*
 * What the verified denial @d of DS(Z) proves (@nx: it came as NXDOMAIN): Z insecure
 * (an unsigned delegation, opt-out, NSEC3 iterations over the soft limit), no zone
 * cut at Z at all, or Z bogus (iterations over the hard limit). False when it proves
 * none of these (*r: what the last proof found).
 */
static bool ds_denial_decides(struct validate_chain *vc, unsigned zi,
			      const struct chain_denial *d, bool nx, enum validate_denial *r)
{
	struct validate_chain_zone *z = &vc->zones[zi];
	struct validate_nsec3_policy pol;

	validate_chain_nsec3_policy(vc, &pol);
	*r = d->nsec3 ? validate_nsec3_prove_insecure_delegation(&d->set, &pol, z->name,
								  z->name_len, NULL)
		      : validate_nsec_prove_insecure_delegation(&d->set, z->name, z->name_len,
								NULL);
	if (*r == VALIDATE_DENIAL_PROVEN) {
		decide(z, ZONE_INSECURE, 0, "DS absent: insecure delegation");
		return true;
	}
	if (proof_decides(z, *r))
		return true;
	/* Not an unsigned delegation: then no zone cut here at all, or bogus. */
	if (d->nsec3)
		*r = nx ? validate_nsec3_prove_nxdomain(&d->set, &pol, z->name, z->name_len, NULL)
			: validate_nsec3_prove_nodata(&d->set, &pol, z->name, z->name_len,
						      WIRE_TYPE_DS, NULL);
	else
		*r = nx ? validate_nsec_prove_nxdomain(&d->set, z->name, z->name_len, NULL)
			: validate_nsec_prove_nodata(&d->set, z->name, z->name_len, WIRE_TYPE_DS,
						     NULL);
	if (*r == VALIDATE_DENIAL_PROVEN) {
		decide(z, ZONE_INSIDE, 0, "no zone cut at the name");
		return true;
	}
	return proof_decides(z, *r);
}

/* The verified denial of DS(Z) that a fetch brought: what does it prove about Z? */
static enum chain_step ds_denial_proof(struct validate_chain *vc, unsigned zi,
				       const struct chain_denial *d)
{
	enum validate_denial r;
	uint16_t ede;
	const char *why;

	if (ds_denial_decides(vc, zi, d, vc->neg_rcode == WIRE_RCODE_NXDOMAIN, &r))
		return STEP_DONE;
	validate_chain_denial_status(r, &ede, &why);
	return bogus_data(vc, &vc->zones[zi], true, ede, "DS denial proves nothing");
}

static enum chain_step ds_absent_step(struct validate_chain *vc,
				      const struct validate_chain_env *env, unsigned zi,
				      struct chain_req *req)
{
	struct validate_chain_zone *z = &vc->zones[zi];
	struct validate_chain_rr neg[VALIDATE_CHAIN_NEG_RR_MAX];
	unsigned n = validate_chain_neg_records(vc, neg);
	struct chain_denial d;
	struct chain_verdict v;
	const uint8_t *signer;
	size_t slen;

	/* DS lives in the parent: only a proper ancestor's denial speaks about it. */
	if (!validate_chain_denial_signer(neg, n, 0, z->name, z->name_len, true, &signer, &slen)) {
		bool any = validate_chain_has_denial_records(neg, n, 0);
		if (any)
			return unsigned_from_parent(vc, zi, req, WIRE_EDE_RRSIGS_MISSING,
						    "DS denial without RRSIG");
		return unsigned_from_parent(vc, zi, req, WIRE_EDE_NSEC_MISSING,
					    "DS denial without NSEC or NSEC3");
	}
	int si = validate_chain_need(vc, signer, slen, req);
	if (si < 0)
		return STEP_PUSH;
	if (vc->zones[si].state != ZONE_SECURE)
		return signer_not_secure(vc, z, &vc->zones[si], "DS denial signer is no zone");
	switch (validate_chain_denial_collect_verified(vc, env, neg, n, (unsigned)si, &d, &v, req)) {
	case COLLECT_PUSH:
		return STEP_PUSH;
	case COLLECT_CRYPTO:
		return STEP_CRYPTO;
	case COLLECT_FAILED:
		return bogus_data(vc, z, true, v.ede, v.why);
	case COLLECT_READY:
		break;
	}
	return ds_denial_proof(vc, zi, &d);
}

/* A store RRset and its RRSIGs as loose records (@out: VALIDATE_CHAIN_NEG_RR_MAX). */
static unsigned records_of_rrset(const struct validate_chain_rrset *s, struct validate_chain_rr *out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s->rs.count + s->sig_count && n < VALIDATE_CHAIN_NEG_RR_MAX; i++)
		out[n++] = (struct validate_chain_rr){ .owner = s->rs.owner,
			.owner_len = (uint8_t)s->rs.owner_len, .section = WIRE_SECTION_AUTHORITY,
			.type = i < s->rs.count ? s->rs.type : WIRE_TYPE_RRSIG,
			.rclass = s->rs.rclass, .ttl = s->ttl,
			.rdata = validate_rrset_rdata(&s->rs, i), .rdlen = s->rs.rdlen[i] };
	return n;
}

/*
 * A proof that DS(Z) does not exist, made of the loose records @rr[0..n) (NSEC/NSEC3
 * RRsets and their RRSIGs): signed by a proper ancestor of Z that is a secure zone,
 * verified with its trusted keys, it settles Z as a fetched denial would. True when
 * *s is the step's result; false: fetch DS(Z) as usual (the records are not signed
 * by such a zone, do not verify, or prove nothing about Z: the fetch will tell).
 */
static bool ds_denied_by(struct validate_chain *vc, const struct validate_chain_env *env,
			 unsigned zi, const struct validate_chain_rr *rr, unsigned n,
			 struct chain_req *req, enum chain_step *s)
{
	struct validate_chain_zone *z = &vc->zones[zi];
	struct chain_denial d;
	struct chain_verdict v;
	enum validate_denial r;
	const uint8_t *signer;
	size_t slen;

	if (!validate_chain_denial_signer(rr, n, 0, z->name, z->name_len, true, &signer, &slen))
		return false;
	int si = validate_chain_need(vc, signer, slen, req);
	*s = STEP_PUSH;
	if (si < 0)
		return true;
	if (vc->zones[si].state != ZONE_SECURE)
		return false;
	switch (validate_chain_denial_collect_verified(vc, env, rr, n, (unsigned)si, &d, &v, req)) {
	case COLLECT_PUSH:
		return true;
	case COLLECT_CRYPTO:
		*s = STEP_CRYPTO;
		return true;
	case COLLECT_FAILED:
		return false;
	case COLLECT_READY:
		break;
	}
	*s = STEP_DONE;
	return ds_denial_decides(vc, zi, &d, false, &r);
}

/* The parent's NSEC RRset at Z may be in the store already: a referral to an unsigned
 * child carries it (RFC 4035 §3.1.4.1), and so does an earlier "no DS" answer. */
static bool ds_denied_in_store(struct validate_chain *vc, const struct validate_chain_env *env,
			       unsigned zi, struct chain_req *req, enum chain_step *s)
{
	struct validate_chain_rr rr[VALIDATE_CHAIN_NEG_RR_MAX];
	struct validate_chain_rrset nsec;

	if (!validate_chain_lookup(env, 0, &vc->zones[zi], WIRE_TYPE_NSEC, &nsec) ||
	    nsec.status == VALIDATE_CHAIN_BOGUS)
		return false;
	return ds_denied_by(vc, env, zi, rr, records_of_rrset(&nsec, rr), req, s);
}

/*
 * The referrals the resolver followed for this answer, their NSEC/NSEC3 records kept
 * with it (VALIDATE_CHAIN_SECTION_REFERRAL): an NSEC3 proof of no DS names hashes the
 * store cannot be searched by, so it comes with the answer. The records are only
 * material: what they prove is about Z's own name (another child's proof proves
 * nothing here), and only once verified with the keys of the secure zone that signed
 * them, a proper ancestor of Z (the sender's zone as the resolver saw it counts for
 * nothing).
 */
static bool ds_denied_by_referral(struct validate_chain *vc, const struct validate_chain_env *env,
				  unsigned zi, struct chain_req *req, enum chain_step *s)
{
	const struct validate_chain_answer *a = vc->answer;
	struct validate_chain_rr rr[VALIDATE_CHAIN_NEG_RR_MAX];
	unsigned n = 0;

	for (unsigned i = 0; i < a->n_rr && n < VALIDATE_CHAIN_NEG_RR_MAX; i++) {
		if (a->rr[i].section == VALIDATE_CHAIN_SECTION_REFERRAL)
			rr[n++] = a->rr[i];
	}
	return n > 0 && ds_denied_by(vc, env, zi, rr, n, req, s);
}

/* ---- The step ------------------------------------------------------------------------------ */

/* DS(Z) is not known: the parent's standing decides whether to fetch it. */
static enum chain_step ds_unknown_step(struct validate_chain *vc,
				       const struct validate_chain_env *env, unsigned zi,
				       struct chain_req *req)
{
	struct validate_chain_zone *z = &vc->zones[zi];
	size_t plen;
	const uint8_t *parent = validate_chain_parent(z->name, z->name_len, &plen);
	enum chain_step s;

	switch (outcome(vc, z, WIRE_TYPE_DS)) {
	case OUTCOME_FAILED:
		return decide(z, ZONE_BOGUS, WIRE_EDE_RRSIGS_MISSING,
			      "DS RRset could not be fetched");
	case OUTCOME_NEGATIVE: /* handled by the caller */
	case OUTCOME_NONE:
		break;
	}
	int pi = validate_chain_need(vc, parent, plen, req);
	if (pi < 0)
		return STEP_PUSH;
	if (inherit(z, &vc->zones[pi]))
		return STEP_DONE;
	if (ds_denied_by_referral(vc, env, zi, req, &s) ||
	    ds_denied_in_store(vc, env, zi, req, &s))
		return s;
	return validate_chain_want_fetch(req, z->name, z->name_len, WIRE_TYPE_DS);
}

enum chain_step validate_chain_zone_step(struct validate_chain *vc,
					 const struct validate_chain_env *env, unsigned zi,
					 struct chain_req *req)
{
	struct validate_chain_zone *z = &vc->zones[zi];
	struct validate_chain_rrset ds;

	if (validate_chain_nta_covers(vc, z->name, z->name_len))
		return decide(z, ZONE_INSECURE, 0, "negative trust anchor");
	if (validate_chain_has_anchor(vc, z->name, z->name_len))
		return anchor_step(vc, env, zi, req);
	if (validate_chain_anchor_labels(vc, z->name, z->name_len) < 0 || z->name_len <= 1)
		return decide(z, ZONE_INDETERMINATE, 0, "no trust anchor above the name");
	if (validate_chain_lookup(env, 0, z, WIRE_TYPE_DS, &ds))
		return ds_step(vc, env, zi, &ds, req);
	if (outcome(vc, z, WIRE_TYPE_DS) == OUTCOME_NEGATIVE)
		return ds_absent_step(vc, env, zi, req);
	return ds_unknown_step(vc, env, zi, req);
}
