/*
 * validate_chain_verify.c - verifying one RRset with a zone's keys for the chain of
 * trust: pick the RRSIGs by that zone whose time is good, pair each with the DNSKEYs
 * that may have made it, add the pairs to the worker's batch, and say secure (with
 * the TTL cap), bogus (with the EDE that fits best), "only unsupported algorithms"
 * (which makes a zone insecure, not bogus), or pending while a job has not run.
 *
 * Nothing here runs crypto or allocates: keys come from the worker's key cache,
 * signed data goes into the batch's arena, and the caller runs the batch. A job
 * already in the batch (this chain's from an earlier call, or another chain's) comes
 * back with its status. When the batch or the key cache is full the verdict is
 * pending too, unless the batch holds nothing but this call's jobs: then waiting
 * would never make room, and what does not fit counts as failed (validate_chain.h,
 * "the protocol").
 */
#include <errno.h>
#include <string.h>

#include "validate_chain_priv.h"

#define FP_SEED 0x5eb15e0c4a17ull

uint64_t validate_chain_rrset_fp(const struct validate_rrset *rs)
{
	uint64_t fp = rs->count;

	/* A sum, so that the store may hand the records over in any order. */
	for (unsigned i = 0; i < rs->count; i++)
		fp += validate_hash64(FP_SEED, validate_rrset_rdata(rs, i), rs->rdlen[i]);
	return fp;
}

void validate_chain_sigs_of_rrset(const struct validate_chain_rrset *s, struct chain_sigs *sigs)
{
	sigs->n = 0;
	for (unsigned k = 0; k < s->sig_count && sigs->n < CHAIN_SIGS_MAX; k++) {
		unsigned i = s->rs.count + k;
		sigs->rd[sigs->n] = validate_rrset_rdata(&s->rs, i);
		sigs->len[sigs->n] = s->rs.rdlen[i];
		sigs->n++;
	}
}

bool validate_chain_pick_signer(const struct chain_sigs *sigs, const uint8_t *owner,
				size_t owner_len, bool proper, const uint8_t **signer,
				size_t *signer_len)
{
	int best = -1;

	for (unsigned i = 0; i < sigs->n; i++) {
		struct validate_rrsig sig;
		if (validate_rrsig_parse(sigs->rd[i], sigs->len[i], &sig) != 0 ||
		    !wire_name_is_subdomain(owner, owner_len, sig.signer, sig.signer_len))
			continue;
		if (proper && wire_name_equal(owner, owner_len, sig.signer, sig.signer_len))
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

bool validate_chain_lookup(const struct validate_chain_env *env, unsigned slot,
			   const struct validate_chain_zone *z, uint16_t type,
			   struct validate_chain_rrset *out)
{
	/* A store that fills only what it keeps leaves the rest (ede) zero, not junk. */
	memset(out, 0, sizeof(*out));
	return env->lookup(env->arg, slot, z->name, z->name_len, type, out);
}

void validate_chain_mark(const struct validate_chain_env *env, const struct validate_chain_zone *z,
			 uint16_t type, enum validate_chain_status st, uint16_t ede, uint32_t ttl)
{
	if (env->mark != NULL)
		env->mark(env->arg, z->name, z->name_len, type, st, ede, ttl);
}

bool validate_chain_zone_keys(struct validate_chain *vc, const struct validate_chain_env *env,
			      unsigned zi, unsigned slot, struct validate_chain_rrset *out,
			      struct chain_req *req)
{
	struct validate_chain_zone *z = &vc->zones[zi];

	if (validate_chain_lookup(env, slot, z, WIRE_TYPE_DNSKEY, out) &&
	    (out->status == VALIDATE_CHAIN_SECURE ||
	     validate_chain_rrset_fp(&out->rs) == z->key_fp))
		return true;
	/* Evicted or replaced since it was proven: prove it again. */
	z->state = ZONE_UNKNOWN;
	*req = (struct chain_req){ .name = z->name, .len = z->name_len };
	return false;
}

/* ---- Jobs of one verification ------------------------------------------------------------ */

struct chain_jobs {
	unsigned n;
	enum validate_status st[CHAIN_JOBS_MAX]; /* as the batch has it now */
	uint8_t sig[CHAIN_JOBS_MAX];             /* index into the chain_sigs */
};

/* What the RRSIGs that did not make it into a job showed: the reason when none holds;
 * and whether a job waits for the run (pending) or could not be added (too_many). */
struct chain_tally {
	bool expired, not_yet, unsupported, malformed, by_zone, pending, too_many;
};

/* Remember job @h as one of this call's. */
static void touch(struct validate_chain *vc, int h)
{
	if (h >= 0 && h < VALIDATE_BATCH_MAX)
		vc->touched[h / 8] |= (uint8_t)(1u << (h % 8));
}

/* The batch holds nothing but jobs this call added or found. */
static bool batch_is_ours(const struct validate_chain *vc, const struct validate_batch *b)
{
	unsigned ours = 0;

	for (unsigned i = 0; i < sizeof(vc->touched); i++)
		ours += (unsigned)__builtin_popcount(vc->touched[i]);
	return ours >= validate_batch_jobs(b);
}

/*
 * No room for a job or a key. With other chains' jobs in the batch, wait for the
 * reset that follows their runs (true: the verdict is pending). With only ours, no
 * reset would help: false, and the caller counts the job as failed.
 */
static bool chain_batch_full(struct validate_chain *vc, const struct validate_chain_env *env,
			     struct chain_tally *t)
{
	if (batch_is_ours(vc, env->batch)) {
		t->too_many = true;
		return false;
	}
	vc->batch_full = true;
	t->pending = true;
	return true;
}

static int key_get(struct validate_chain *vc, const struct validate_chain_env *env,
		   struct chain_tally *t, const uint8_t *rdata, size_t len,
		   const struct validate_key **key)
{
	int rc = validate_key_cache_get(env->keys, rdata, len, key);

	if (rc == -EBUSY)
		chain_batch_full(vc, env, t);
	return rc;
}

/* Count what the add found, for the caller's counters. */
static void job_count(const struct validate_chain_env *env, unsigned before, int h,
		      enum validate_status st)
{
	struct validate_chain_stats *cs = env->stats;

	if (cs == NULL || h < 0)
		return;
	if (validate_batch_jobs(env->batch) > before)
		cs->jobs_added++;
	else if (st == VALIDATE_PENDING)
		cs->jobs_shared++;
	else
		cs->jobs_reused++;
}

static void job_add(struct validate_chain *vc, const struct validate_chain_env *env,
		    struct chain_jobs *j, struct chain_tally *t, const struct validate_key *key,
		    const struct validate_rrsig *sig, const struct validate_rrset *rs,
		    unsigned sig_index)
{
	unsigned before = validate_batch_jobs(env->batch);

	if (j->n == CHAIN_JOBS_MAX)
		return;
	int h = validate_batch_add_sig(env->batch, key, sig, rs, 0);
	if (h == -ENOSPC && chain_batch_full(vc, env, t))
		return;
	/* Malformed, too large for the arena, or no room ever: a job that failed. */
	enum validate_status st = h < 0 ? VALIDATE_BAD_RRSIG : validate_batch_status(env->batch, h);
	touch(vc, h);
	job_count(env, before, h, st);
	t->pending |= st == VALIDATE_PENDING;
	j->st[j->n] = st;
	j->sig[j->n] = (uint8_t)sig_index;
	j->n++;
}

/* May key record @k of @keys have made @sig? Cheap fields first, then the parsed key. */
static void try_key(struct validate_chain *vc, const struct validate_chain_env *env,
		    const struct chain_keyset *keys, unsigned k, const struct validate_rrsig *sig,
		    const struct validate_rrset *rs, unsigned sig_index, struct chain_jobs *j,
		    struct chain_tally *t)
{
	const struct validate_rrset *ks = &keys->dnskey->rs;
	const uint8_t *rd = validate_rrset_rdata(ks, k);
	size_t len = ks->rdlen[k];
	const struct validate_key *key;

	if ((keys->allowed != NULL && !keys->allowed[k]) || len < 4 ||
	    rd[3] != sig->algorithm || validate_key_tag(rd, len) != sig->key_tag)
		return;
	int rc = key_get(vc, env, t, rd, len, &key);
	if (rc == -E2BIG) {
		t->unsupported = true; /* longer than any key we can use */
		return;
	}
	if (rc < 0)
		return;
	enum validate_status m = validate_rrsig_match_key(sig, keys->zone, keys->zone_len, key,
							  &vc->conf->policy, 0);
	if (validate_status_is_unsupported(m))
		t->unsupported = true;
	else if (m == VALIDATE_OK)
		job_add(vc, env, j, t, key, sig, rs, sig_index);
}

/* RRSIG @i: by the zone, fitting the RRset, in its time window; then its key pairs. */
static void try_sig(struct validate_chain *vc, const struct validate_chain_env *env,
		    const struct validate_rrset *rs, const struct chain_sigs *sigs, unsigned i,
		    const struct chain_keyset *keys, struct chain_jobs *j, struct chain_tally *t)
{
	struct validate_rrsig sig;

	if (validate_rrsig_parse(sigs->rd[i], sigs->len[i], &sig) != 0) {
		t->malformed = true;
		return;
	}
	if (!wire_name_equal(sig.signer, sig.signer_len, keys->zone, keys->zone_len))
		return;
	t->by_zone = true;
	if (validate_rrsig_check(&sig, rs) != VALIDATE_OK) {
		t->malformed = true;
		return;
	}
	enum validate_status ts = validate_rrsig_time(&sig, vc->now, vc->conf->skew);
	t->expired |= ts == VALIDATE_SIG_EXPIRED;
	t->not_yet |= ts == VALIDATE_SIG_NOT_YET_VALID;
	t->malformed |= ts == VALIDATE_BAD_RRSIG;
	if (ts != VALIDATE_OK)
		return;
	unsigned nkeys = keys->dnskey->rs.count;
	for (unsigned k = 0; k < nkeys && k < CHAIN_KEYS_MAX; k++)
		try_key(vc, env, keys, k, &sig, rs, i, j, t);
}

static void verdict_bogus(struct chain_verdict *v, uint16_t ede, const char *why)
{
	*v = (struct chain_verdict){ .kind = VERDICT_BOGUS, .ede = ede, .why = why };
}

/* No job held: the most telling reason, crypto failures first. */
static void verdict_failed(const struct chain_jobs *j, const struct chain_tally *t,
			   struct chain_verdict *v)
{
	bool crypto = false;

	for (unsigned i = 0; i < j->n; i++)
		crypto |= j->st[i] == VALIDATE_BOGUS_SIGNATURE;
	if (crypto)
		verdict_bogus(v, WIRE_EDE_DNSSEC_BOGUS, "RRSIG does not verify");
	else if (t->expired)
		verdict_bogus(v, WIRE_EDE_SIGNATURE_EXPIRED, "RRSIG expired");
	else if (t->not_yet)
		verdict_bogus(v, WIRE_EDE_SIGNATURE_NOT_YET_VALID, "RRSIG not yet valid");
	else if (t->too_many)
		verdict_bogus(v, WIRE_EDE_OTHER, "too many signatures to verify at once");
	else if (j->n > 0 || t->malformed)
		verdict_bogus(v, WIRE_EDE_DNSSEC_BOGUS, "RRSIG or DNSKEY malformed");
	else if (t->unsupported)
		*v = (struct chain_verdict){ .kind = VERDICT_UNSUPPORTED,
			.ede = WIRE_EDE_UNSUPPORTED_DNSKEY_ALG,
			.why = "only unsupported algorithms or keys" };
	else if (t->by_zone)
		verdict_bogus(v, WIRE_EDE_DNSKEY_MISSING, "no DNSKEY matches the RRSIG");
	else
		verdict_bogus(v, WIRE_EDE_RRSIGS_MISSING, "no RRSIG by the zone");
}

static void verdict_of_jobs(const struct validate_chain *vc, uint32_t ttl,
			    const struct chain_sigs *sigs, const struct chain_jobs *j,
			    const struct chain_tally *t, struct chain_verdict *v)
{
	*v = (struct chain_verdict){ .kind = VERDICT_BOGUS, .ttl = UINT32_MAX };
	for (unsigned i = 0; i < j->n; i++) {
		struct validate_rrsig sig;
		if (j->st[i] != VALIDATE_OK ||
		    validate_rrsig_parse(sigs->rd[j->sig[i]], sigs->len[j->sig[i]], &sig) != 0)
			continue;
		uint32_t cap = validate_rrsig_ttl(&sig, ttl, vc->now);
		v->kind = VERDICT_SECURE;
		v->ttl = cap < v->ttl ? cap : v->ttl;
		v->labels = sig.labels > v->labels ? sig.labels : v->labels;
	}
	if (v->kind != VERDICT_SECURE)
		verdict_failed(j, t, v);
	else
		v->why = "verified";
}

void validate_chain_verify(struct validate_chain *vc, const struct validate_chain_env *env,
			   const struct validate_rrset *rs, uint32_t ttl,
			   const struct chain_sigs *sigs, const struct chain_keyset *keys,
			   struct chain_verdict *v)
{
	struct chain_jobs j = { .n = 0 };
	struct chain_tally t = { 0 };

	for (unsigned i = 0; i < sigs->n; i++)
		try_sig(vc, env, rs, sigs, i, keys, &j, &t);
	if (t.pending) {
		/* Decided after the run, from all the jobs: the TTL cap needs every one. */
		*v = (struct chain_verdict){ .kind = VERDICT_PENDING, .why = "waiting for the batch" };
		vc->crypto_pending = true;
		return;
	}
	verdict_of_jobs(vc, ttl, sigs, &j, &t, v);
}
