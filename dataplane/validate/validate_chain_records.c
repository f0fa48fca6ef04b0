/*
 * validate_chain_records.c - the records of an answer (or of a supplied negative
 * answer) as the chain of trust reads them: RRsets found among loose records (owner
 * without regard to case, type, class, section), the RRSIGs that cover each, one
 * RRset gathered into a buffer the validator can hash, and the NSEC/NSEC3 RRsets of
 * a denial verified and handed to the proofs of validate_denial.h.
 *
 * Answers are small (VALIDATE_CHAIN_RR_MAX records), so RRsets are found by scanning
 * rather than by building an index: nothing is kept between calls.
 */
#include <errno.h>
#include <string.h>

#include "validate_chain_priv.h"

static bool same_set(const struct validate_chain_rr *a, const struct validate_chain_rr *b)
{
	return a->section == b->section && a->type == b->type && a->rclass == b->rclass &&
	       wire_name_equal(a->owner, a->owner_len, b->owner, b->owner_len);
}

/* @sig is an RRSIG over the RRset of @set (RFC 4035 §2.2: same owner, class, section). */
static bool covers(const struct validate_chain_rr *sig, const struct validate_chain_rr *set)
{
	return sig->type == WIRE_TYPE_RRSIG && sig->section == set->section &&
	       sig->rclass == set->rclass && sig->rdlen >= 2 &&
	       wire_get_u16(sig->rdata) == set->type &&
	       wire_name_equal(sig->owner, sig->owner_len, set->owner, set->owner_len);
}

bool validate_chain_is_leader(const struct validate_chain_rr *rr, unsigned n, unsigned i)
{
	if (rr[i].type == WIRE_TYPE_RRSIG)
		return false;
	for (unsigned j = 0; j < i && j < n; j++) {
		if (same_set(&rr[j], &rr[i]))
			return false;
	}
	return true;
}

void validate_chain_sigs_of_set(const struct validate_chain_rr *rr, unsigned n, unsigned lead,
				struct chain_sigs *sigs)
{
	sigs->n = 0;
	for (unsigned i = 0; i < n && sigs->n < CHAIN_SIGS_MAX; i++) {
		if (!covers(&rr[i], &rr[lead]))
			continue;
		sigs->rd[sigs->n] = rr[i].rdata;
		sigs->len[sigs->n] = rr[i].rdlen;
		sigs->n++;
	}
}

int validate_chain_gather_set(const struct validate_chain_rr *rr, unsigned n, unsigned lead,
			      struct chain_set *set)
{
	size_t used = 0;
	uint16_t count = 0;

	set->ttl = UINT32_MAX;
	for (unsigned i = lead; i < n; i++) {
		if (!same_set(&rr[i], &rr[lead]))
			continue;
		if (count == VALIDATE_CHAIN_RR_MAX || rr[i].rdlen > sizeof(set->data) - used)
			return -ENOSPC;
		if (rr[i].rdlen > 0)
			memcpy(set->data + used, rr[i].rdata, rr[i].rdlen);
		set->rdoff[count] = (uint16_t)used;
		set->rdlen[count] = rr[i].rdlen;
		used += rr[i].rdlen;
		count++;
		set->ttl = rr[i].ttl < set->ttl ? rr[i].ttl : set->ttl;
	}
	set->rs = (struct validate_rrset){ .owner = rr[lead].owner,
		.owner_len = rr[lead].owner_len, .type = rr[lead].type,
		.rclass = rr[lead].rclass, .count = count, .data = set->data,
		.rdoff = set->rdoff, .rdlen = set->rdlen };
	return 0;
}

void validate_chain_verify_group(struct validate_chain *vc, const struct validate_chain_env *env,
				 const struct validate_chain_rr *rr, unsigned n, unsigned lead,
				 const struct chain_keyset *keys, struct chain_verdict *v)
{
	struct chain_set set; /* one at a time on the stack: callers do not nest this */
	struct chain_sigs sigs;

	if (validate_chain_gather_set(rr, n, lead, &set) < 0) {
		*v = (struct chain_verdict){ .kind = VERDICT_BOGUS, .ede = WIRE_EDE_OTHER,
			.why = "RRset too large to validate" };
		return;
	}
	validate_chain_sigs_of_set(rr, n, lead, &sigs);
	validate_chain_verify(vc, env, &set.rs, set.ttl, &sigs, keys, v);
}

/* ---- Denial of existence ----------------------------------------------------------------- */

static bool is_denial(uint16_t type)
{
	return type == WIRE_TYPE_NSEC || type == WIRE_TYPE_NSEC3;
}

static bool in_section(const struct validate_chain_rr *r, uint8_t section)
{
	return section == 0 || r->section == section;
}

bool validate_chain_has_denial_records(const struct validate_chain_rr *rr, unsigned n,
				       uint8_t section)
{
	for (unsigned i = 0; i < n; i++) {
		if (in_section(&rr[i], section) && is_denial(rr[i].type))
			return true;
	}
	return false;
}

bool validate_chain_denial_signer(const struct validate_chain_rr *rr, unsigned n, uint8_t section,
				  const uint8_t *name, size_t len, bool proper,
				  const uint8_t **signer, size_t *signer_len)
{
	int best = -1;

	for (unsigned i = 0; i < n; i++) {
		struct validate_rrsig sig;
		if (!in_section(&rr[i], section) || rr[i].type != WIRE_TYPE_RRSIG ||
		    validate_rrsig_parse(rr[i].rdata, rr[i].rdlen, &sig) != 0 ||
		    !is_denial(sig.type_covered))
			continue;
		/* The record must lie in the signer's zone, and the name asked about too. */
		if (!wire_name_is_subdomain(rr[i].owner, rr[i].owner_len, sig.signer,
					    sig.signer_len) ||
		    !wire_name_is_subdomain(name, len, sig.signer, sig.signer_len) ||
		    (proper && wire_name_equal(name, len, sig.signer, sig.signer_len)))
			continue;
		int labels = wire_name_label_count(sig.signer, sig.signer_len);
		if (labels > best) {
			best = labels;
			*signer = sig.signer;
			*signer_len = sig.signer_len;
		}
	}
	return best >= 0;
}

enum validate_chain_status validate_chain_denial_status(enum validate_denial r, uint16_t *ede,
							const char **why)
{
	*ede = 0;
	switch (r) {
	case VALIDATE_DENIAL_PROVEN:
		*why = "denial proven";
		return VALIDATE_CHAIN_SECURE;
	case VALIDATE_DENIAL_INSECURE_OPTOUT:
		*why = "NSEC3 opt-out span";
		return VALIDATE_CHAIN_INSECURE;
	case VALIDATE_DENIAL_INSECURE_ITERATIONS:
		*ede = VALIDATE_EDE_NSEC3_ITERATIONS;
		*why = "NSEC3 iterations over the limit";
		return VALIDATE_CHAIN_INSECURE;
	case VALIDATE_DENIAL_BOGUS_ITERATIONS:
		*ede = VALIDATE_EDE_NSEC3_ITERATIONS;
		*why = "NSEC3 iterations over the hard limit";
		return VALIDATE_CHAIN_BOGUS;
	case VALIDATE_DENIAL_MISSING:
		*ede = WIRE_EDE_NSEC_MISSING;
		*why = "no usable NSEC or NSEC3";
		return VALIDATE_CHAIN_BOGUS;
	case VALIDATE_DENIAL_BOGUS:
		*ede = WIRE_EDE_DNSSEC_BOGUS;
		*why = "NSEC/NSEC3 records do not prove the denial";
		return VALIDATE_CHAIN_BOGUS;
	case VALIDATE_DENIAL_EINVAL:
		break;
	}
	*ede = WIRE_EDE_OTHER;
	*why = "denial proof could not be checked";
	return VALIDATE_CHAIN_BOGUS;
}

void validate_chain_nsec3_policy(const struct validate_chain *vc, struct validate_nsec3_policy *p)
{
	validate_nsec3_policy_default(p);
	p->insecure_above = vc->conf->nsec3_insecure_above;
	p->bogus_above = vc->conf->nsec3_bogus_above;
}

/* The RRset led by @lead is signed (among others) by @zone. */
static bool signed_by(const struct validate_chain_rr *rr, unsigned n, unsigned lead,
		      const uint8_t *zone, size_t zone_len)
{
	struct chain_sigs sigs;

	validate_chain_sigs_of_set(rr, n, lead, &sigs);
	for (unsigned i = 0; i < sigs.n; i++) {
		struct validate_rrsig sig;
		if (validate_rrsig_parse(sigs.rd[i], sigs.len[i], &sig) == 0 &&
		    wire_name_equal(sig.signer, sig.signer_len, zone, zone_len))
			return true;
	}
	return false;
}

/* Which kind of denial the zone gave: NSEC when it gave any, else NSEC3. */
static bool zone_uses_nsec3(const struct validate_chain_rr *rr, unsigned n, uint8_t section,
			    const uint8_t *zone, size_t zone_len)
{
	for (unsigned i = 0; i < n; i++) {
		if (in_section(&rr[i], section) && rr[i].type == WIRE_TYPE_NSEC &&
		    validate_chain_is_leader(rr, n, i) && signed_by(rr, n, i, zone, zone_len))
			return false;
	}
	return true;
}

/* Keep the records of the RRset led by @lead for the proof. */
static void keep_records(const struct validate_chain_rr *rr, unsigned n, unsigned lead,
			 struct chain_denial *d)
{
	for (unsigned i = lead; i < n && d->n < CHAIN_DENIAL_MAX; i++) {
		if (!same_set(&rr[i], &rr[lead]))
			continue;
		d->rr[d->n++] = (struct validate_denial_rr){ .owner = rr[i].owner,
			.owner_len = rr[i].owner_len, .rdata = rr[i].rdata, .rdlen = rr[i].rdlen };
	}
}

/* Does RRset @lead take part: the denial type chosen, or the SOA at the apex. */
static bool denial_part(const struct validate_chain_rr *rr, unsigned n, unsigned i, uint8_t section,
			uint16_t type, const struct validate_chain_zone *z)
{
	if (!in_section(&rr[i], section) || !validate_chain_is_leader(rr, n, i))
		return false;
	if (rr[i].type == WIRE_TYPE_SOA)
		return wire_name_equal(rr[i].owner, rr[i].owner_len, z->name, z->name_len);
	return rr[i].type == type && signed_by(rr, n, i, z->name, z->name_len);
}

/* Verify one part; false (and *v) when it does not hold. A part that waits for the
 * batch holds for now: *pending says so, and the other parts add their jobs too. */
static bool denial_verify_part(struct validate_chain *vc, const struct validate_chain_env *env,
			       const struct validate_chain_rr *rr, unsigned n, unsigned i,
			       const struct chain_keyset *keys, struct chain_verdict *v,
			       bool *pending)
{
	struct chain_verdict pv;

	validate_chain_verify_group(vc, env, rr, n, i, keys, &pv);
	if (pv.kind == VERDICT_PENDING) {
		*pending = true;
		return true;
	}
	if (pv.kind == VERDICT_SECURE) {
		v->ttl = pv.ttl < v->ttl ? pv.ttl : v->ttl;
		return true;
	}
	*v = pv;
	/* The zone's keys are trusted: a record it signed only with algorithms we
	 * cannot check is a stripped signature, not an insecure zone. */
	v->kind = VERDICT_BOGUS;
	return false;
}

/* @lenient: a part that does not verify is left out rather than failing the lot. */
static enum chain_collect denial_collect(struct validate_chain *vc,
					 const struct validate_chain_env *env,
					 const struct validate_chain_rr *rr, unsigned n, uint8_t section,
					 unsigned zi, bool lenient, struct chain_denial *d,
					 struct chain_verdict *v, struct chain_req *req)
{
	const struct validate_chain_zone *z = &vc->zones[zi];
	struct validate_chain_rrset dnskey;
	struct chain_verdict failed = { .kind = VERDICT_SECURE };
	bool pending = false;

	if (!validate_chain_zone_keys(vc, env, zi, 1, &dnskey, req))
		return COLLECT_PUSH;
	struct chain_keyset keys = { .zone = z->name, .zone_len = z->name_len, .dnskey = &dnskey };
	d->any = validate_chain_has_denial_records(rr, n, section);
	d->nsec3 = zone_uses_nsec3(rr, n, section, z->name, z->name_len);
	d->n = 0;
	*v = (struct chain_verdict){ .kind = VERDICT_SECURE, .ttl = UINT32_MAX, .why = "verified" };
	uint16_t type = d->nsec3 ? WIRE_TYPE_NSEC3 : WIRE_TYPE_NSEC;
	for (unsigned i = 0; i < n; i++) {
		if (!denial_part(rr, n, i, section, type, z))
			continue;
		uint32_t ttl = v->ttl;
		if (!denial_verify_part(vc, env, rr, n, i, &keys, v, &pending)) {
			if (!lenient)
				return COLLECT_FAILED;
			if (failed.kind == VERDICT_SECURE)
				failed = *v;
			*v = (struct chain_verdict){ .kind = VERDICT_SECURE, .ttl = ttl,
				.why = "verified" };
			continue;
		}
		if (rr[i].type == type)
			keep_records(rr, n, i, d);
	}
	if (d->n == 0 && failed.kind != VERDICT_SECURE) {
		*v = failed;
		return COLLECT_FAILED;
	}
	if (d->n == 0) {
		*v = (struct chain_verdict){ .kind = VERDICT_BOGUS, .ede = WIRE_EDE_NSEC_MISSING,
			.why = "no NSEC or NSEC3 signed by the zone" };
		return COLLECT_FAILED;
	}
	if (pending)
		return COLLECT_CRYPTO;
	d->set = (struct validate_denial_set){ .zone = z->name, .zone_len = z->name_len,
		.rr = d->rr, .count = d->n };
	return COLLECT_READY;
}

enum chain_collect validate_chain_denial_collect(struct validate_chain *vc,
						 const struct validate_chain_env *env,
						 const struct validate_chain_rr *rr, unsigned n,
						 uint8_t section, unsigned zi, struct chain_denial *d,
						 struct chain_verdict *v, struct chain_req *req)
{
	return denial_collect(vc, env, rr, n, section, zi, false, d, v, req);
}

enum chain_collect validate_chain_denial_collect_verified(struct validate_chain *vc,
							  const struct validate_chain_env *env,
							  const struct validate_chain_rr *rr,
							  unsigned n, unsigned zi,
							  struct chain_denial *d,
							  struct chain_verdict *v,
							  struct chain_req *req)
{
	return denial_collect(vc, env, rr, n, 0, zi, true, d, v, req);
}
