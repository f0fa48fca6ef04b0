/*
 * ta_dnskey.c - a DNSKEY answer read and its signatures verified again for RFC 5011.
 * See ta_dnskey.h. Control thread only: it allocates (keys, the batch).
 */
#include "ta_dnskey.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define TYPE_DS 43
#define TYPE_RRSIG 46
#define TYPE_DNSKEY 48
#define MSG_RRS_MAX 128   /* records of an answer looked at */

struct ta_dnskey_verifier {
	struct validate_batch *batch;
	struct validate_policy policy;
};

/* The RRset and its RRSIGs as found in the answer; pointers into the message. */
struct found {
	struct validate_rrset rs;
	const uint8_t *sig_rdata[TA_DNSKEY_SIGS_MAX];
	uint16_t sig_rdlen[TA_DNSKEY_SIGS_MAX];
	unsigned n_sigs;
};

/* Which key made which RRSIG: verified[sig] has bit k for key k of the set. */
struct proof {
	uint32_t verified[TA_DNSKEY_SIGS_MAX];
	struct validate_rrsig sig[TA_DNSKEY_SIGS_MAX];
};

struct ta_dnskey_verifier *ta_dnskey_verifier_create(const struct validate_policy *policy)
{
	/* a run per RRSIG: a job per key of the set at most */
	struct validate_batch_config bc = { .capacity = TA_DNSKEY_MAX, .arena_bytes = 1u << 20,
					    .policy = *policy };
	struct ta_dnskey_verifier *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->policy = *policy;
	v->batch = validate_batch_create(&bc);
	if (v->batch == NULL) {
		free(v);
		return NULL;
	}
	return v;
}

void ta_dnskey_verifier_destroy(struct ta_dnskey_verifier *v)
{
	if (v == NULL)
		return;
	validate_batch_destroy(v->batch);
	free(v);
}

const char *ta_dnskey_strerror(int rc)
{
	switch (rc) {
	case 0:
		return "ok";
	case -EBADMSG:
		return "not a NOERROR answer to the DNSKEY question";
	case -ENODATA:
		return "no DNSKEY in the answer";
	case -E2BIG:
		return "too many DNSKEY records";
	case -EPERM:
		return "no RRSIG over the DNSKEY set verifies with a trusted key";
	case -ENOMEM:
		return "out of memory";
	default:
		return "error";
	}
}

/* ---- The answer ---------------------------------------------------------------------- */

static bool dnskey_revoked(const uint8_t *rdata)
{
	return (wire_get_u16(rdata) & VALIDATE_DNSKEY_REVOKE) != 0;
}

/* The same key, REVOKE bit aside (RFC 5011 §2.1: revoking changes the RDATA). */
static bool same_key(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint16_t mask = (uint16_t)~VALIDATE_DNSKEY_REVOKE;

	return alen == blen && alen >= 4 &&
	       (wire_get_u16(a) & mask) == (wire_get_u16(b) & mask) &&
	       memcmp(a + 2, b + 2, alen - 2) == 0;
}

static bool question_ok(const struct wire_msg *m, const uint8_t *owner, size_t owner_len)
{
	uint16_t f = m->hdr.flags;

	return WIRE_QR(f) && WIRE_OPCODE(f) == 0 && WIRE_RCODE(f) == 0 && m->has_question &&
	       m->q.qtype == TYPE_DNSKEY && m->q.qclass == WIRE_CLASS_IN &&
	       wire_name_equal(m->q.name, m->q.name_len, owner, owner_len);
}

/* A DNSKEY record into @out's data (an exact duplicate is dropped). */
static int add_key(struct ta_dnskey_answer *out, size_t *used, const uint8_t *rdata,
		   uint16_t rdlen)
{
	unsigned n = out->n_records;

	for (unsigned i = 0; i < n; i++)
		if (out->rdlen[i] == rdlen && memcmp(out->data + out->rdoff[i], rdata, rdlen) == 0)
			return 0;
	if (n == TA_DNSKEY_MAX)
		return -E2BIG;
	if (rdlen < 4 || rdlen > VALIDATE_DNSKEY_RDATA_MAX)
		return -EBADMSG;
	memcpy(out->data + *used, rdata, rdlen);
	out->rdoff[n] = (uint16_t)*used;
	out->rdlen[n] = rdlen;
	*used += rdlen;
	out->n_records = n + 1;
	return 0;
}

/* One answer record at @owner: a DNSKEY, or an RRSIG that covers DNSKEY. */
static int take_record(const uint8_t *msg, const struct wire_rr_ref *rr,
		       struct ta_dnskey_answer *out, size_t *used, struct found *f)
{
	const uint8_t *rdata = msg + rr->rdata_off;

	if (rr->type == TYPE_DNSKEY)
		return add_key(out, used, rdata, rr->rdlen);
	out->n_sigs++;
	if (f->n_sigs < TA_DNSKEY_SIGS_MAX) {
		f->sig_rdata[f->n_sigs] = rdata;
		f->sig_rdlen[f->n_sigs++] = rr->rdlen;
	}
	return 0;
}

static bool rrsig_over_dnskey(const uint8_t *msg, const struct wire_rr_ref *rr)
{
	return rr->type == TYPE_RRSIG && rr->rdlen >= 18 &&
	       wire_get_u16(msg + rr->rdata_off) == TYPE_DNSKEY;
}

/* The DNSKEY RRset at @owner and the RRSIGs over it, from the answer section. */
static int collect(const uint8_t *msg, size_t len, const uint8_t *owner, size_t owner_len,
		   struct ta_dnskey_answer *out, struct found *f)
{
	struct wire_rr_ref rrs[MSG_RRS_MAX];
	struct wire_msg m = { .rr = rrs, .rr_cap = MSG_RRS_MAX };
	size_t used = 0;

	if (wire_parse_msg(msg, len, &m) != WIRE_OK || !question_ok(&m, owner, owner_len))
		return -EBADMSG;
	for (unsigned i = 0; i < m.rr_count; i++) {
		const struct wire_rr_ref *rr = &rrs[i];
		uint8_t name[WIRE_NAME_MAX];
		size_t nlen;
		int rc;

		if (rr->section != WIRE_SECTION_ANSWER || rr->class != WIRE_CLASS_IN ||
		    (rr->type != TYPE_DNSKEY && !rrsig_over_dnskey(msg, rr)))
			continue;
		if (wire_name_unpack(msg, len, rr->name_off, name, &nlen, NULL) != WIRE_OK)
			return -EBADMSG;
		if (!wire_name_equal(name, nlen, owner, owner_len))
			continue;
		rc = take_record(msg, rr, out, &used, f);
		if (rc != 0)
			return rc;
	}
	return out->n_records == 0 ? -ENODATA : 0;
}

/* ---- Signatures ---------------------------------------------------------------------- */

/* Verify RRSIG @s against every key of the set it may be by; bits of proof. */
static int verify_sig(struct ta_dnskey_verifier *v, const struct found *f,
		      const struct validate_key *keys, const struct validate_rrsig *sig,
		      uint64_t now, uint32_t skew, uint32_t *verified)
{
	int job[TA_DNSKEY_MAX];

	if (validate_rrsig_check(sig, &f->rs) != VALIDATE_OK ||
	    validate_rrsig_time(sig, (uint32_t)now, skew) != VALIDATE_OK)
		return 0;
	for (unsigned k = 0; k < f->rs.count; k++) {
		job[k] = -1;
		if (validate_rrsig_match_key(sig, f->rs.owner, f->rs.owner_len, &keys[k],
					     &v->policy, VALIDATE_MATCH_ALLOW_REVOKED) != VALIDATE_OK)
			continue;
		job[k] = validate_batch_add_sig(v->batch, &keys[k], sig, &f->rs,
						VALIDATE_MATCH_ALLOW_REVOKED);
		if (job[k] == -ENOMEM)
			return -ENOMEM;
	}
	if (validate_batch_run(v->batch) < 0) {
		validate_batch_reset(v->batch);
		return 0;
	}
	for (unsigned k = 0; k < f->rs.count; k++)
		if (job[k] >= 0 && validate_batch_status(v->batch, job[k]) == VALIDATE_OK)
			*verified |= 1u << k;
	validate_batch_reset(v->batch);
	return 0;
}

/* Every RRSIG against every key: @p says which key made which signature. */
static int verify_all(struct ta_dnskey_verifier *v, const struct found *f, struct proof *p,
		      uint64_t now, uint32_t skew)
{
	struct validate_key keys[TA_DNSKEY_MAX];
	int rc = 0;

	memset(keys, 0, sizeof(keys));
	for (unsigned k = 0; k < f->rs.count && rc == 0; k++)
		if (validate_key_parse(validate_rrset_rdata(&f->rs, k), f->rs.rdlen[k],
				       &keys[k]) == -ENOMEM)
			rc = -ENOMEM;
	for (unsigned s = 0; s < f->n_sigs && rc == 0; s++) {
		p->verified[s] = 0;
		if (validate_rrsig_parse(f->sig_rdata[s], f->sig_rdlen[s], &p->sig[s]) == 0)
			rc = verify_sig(v, f, keys, &p->sig[s], now, skew, &p->verified[s]);
	}
	for (unsigned k = 0; k < f->rs.count; k++)
		validate_key_clear(&keys[k]);
	return rc;
}

/* Is this key one the caller trusts now (a trusted key revoking itself included)? */
static bool trusted_key(const struct ta_dnskey_verifier *v, const uint8_t *rdata,
			size_t len, const uint8_t *owner, size_t owner_len,
			const struct validate_anchor *trusted, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct validate_anchor *a = &trusted[i];

		if (!wire_name_equal(a->owner, a->owner_len, owner, owner_len))
			continue;
		if (a->type == TYPE_DNSKEY && same_key(a->rdata, a->rdlen, rdata, len))
			return true;
		if (a->type == TYPE_DS && !dnskey_revoked(rdata) &&
		    validate_ds_match(a->rdata, a->rdlen, owner, owner_len, rdata, len,
				      &v->policy) == VALIDATE_OK)
			return true;
	}
	return false;
}

/* The RRSIG that ties the set to a trusted key (an unrevoked signer preferred). */
static const struct validate_rrsig *trusted_sig(const struct ta_dnskey_verifier *v,
						const struct found *f, const struct proof *p,
						const struct validate_anchor *trusted,
						unsigned n_trusted, uint16_t *tag)
{
	const struct validate_rrsig *best = NULL;

	for (unsigned s = 0; s < f->n_sigs; s++)
		for (unsigned k = 0; k < f->rs.count; k++) {
			const uint8_t *rd = validate_rrset_rdata(&f->rs, k);

			if ((p->verified[s] >> k & 1) == 0 ||
			    !trusted_key(v, rd, f->rs.rdlen[k], f->rs.owner, f->rs.owner_len,
					 trusted, n_trusted))
				continue;
			if (best == NULL || !dnskey_revoked(rd)) {
				best = &p->sig[s];
				*tag = validate_key_tag(rd, f->rs.rdlen[k]);
			}
			if (!dnskey_revoked(rd))
				return best;
		}
	return best;
}

/* seen[] for rfc5011: the keys of the set that can be anchors at all (protocol 3),
 * and whether each signed the set itself. */
static void fill_seen(struct ta_dnskey_answer *out, const struct found *f,
		      const struct proof *p)
{
	unsigned n = 0;

	for (unsigned k = 0; k < f->rs.count; k++) {
		struct rfc5011_seen_key *s = &out->seen[n];

		if (out->rdlen[k] < 5 || out->data[out->rdoff[k] + 2] != VALIDATE_DNSKEY_PROTOCOL)
			continue;
		s->rdata = out->data + out->rdoff[k];
		s->rdlen = out->rdlen[k];
		s->self_signed = false;
		for (unsigned i = 0; i < f->n_sigs; i++)
			if (p->verified[i] >> k & 1)
				s->self_signed = true;
		n++;
	}
	out->refresh.keys = out->seen;
	out->refresh.n_keys = n;
}

int ta_dnskey_read(struct ta_dnskey_verifier *v, const uint8_t *msg, size_t len,
		   const uint8_t *owner, size_t owner_len,
		   const struct validate_anchor *trusted, unsigned n_trusted, uint64_t now,
		   uint32_t skew, struct ta_dnskey_answer *out)
{
	struct found f = { .rs = { .owner = owner, .owner_len = owner_len,
				   .type = TYPE_DNSKEY, .rclass = WIRE_CLASS_IN } };
	const struct validate_rrsig *sig;
	struct proof p;
	int rc;

	memset(&out->refresh, 0, sizeof(out->refresh));
	out->n_records = out->n_sigs = out->n_verified = 0;
	out->signer_tag = 0;
	rc = collect(msg, len, owner, owner_len, out, &f);
	if (rc != 0)
		return rc;
	f.rs.count = (uint16_t)out->n_records;
	f.rs.data = out->data;
	f.rs.rdoff = out->rdoff;
	f.rs.rdlen = out->rdlen;
	rc = verify_all(v, &f, &p, now, skew);
	if (rc != 0)
		return rc;
	for (unsigned s = 0; s < f.n_sigs; s++)
		out->n_verified += p.verified[s] != 0;
	fill_seen(out, &f, &p);
	sig = trusted_sig(v, &f, &p, trusted, n_trusted, &out->signer_tag);
	if (sig == NULL)
		return -EPERM;
	out->refresh.orig_ttl = sig->orig_ttl;
	out->refresh.sig_expiration = sig->expiration;
	return 0;
}
