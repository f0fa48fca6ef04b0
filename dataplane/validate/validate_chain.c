/*
 * validate_chain.c - the chain of trust's driver (validate_chain.h): start, the step
 * loop behind validate_chain_next(), what the caller hands back after a FETCH, and the
 * zone table, trust anchors and negative trust anchors the steps consult.
 *
 * Pure C: no DPDK, no I/O, no clock, no allocation, no crypto of its own (the caller
 * runs the batch: validate_chain.h tells the protocol). How the steps fit together is
 * told in validate_chain_priv.h; the zone steps live in validate_chain_zone.c, the
 * answer's in validate_chain_answer.c.
 */
#include <errno.h>
#include <string.h>

#include "validate_chain_priv.h"

void validate_chain_conf_init(struct validate_chain_conf *c)
{
	memset(c, 0, sizeof(*c));
	validate_policy_default(&c->policy);
	c->skew = 300;
	c->nsec3_insecure_above = 150;
	c->nsec3_bogus_above = 500;
}

const char *validate_chain_status_name(enum validate_chain_status s)
{
	switch (s) {
	case VALIDATE_CHAIN_INDETERMINATE:
		return "indeterminate";
	case VALIDATE_CHAIN_SECURE:
		return "secure";
	case VALIDATE_CHAIN_INSECURE:
		return "insecure";
	case VALIDATE_CHAIN_BOGUS:
		return "bogus";
	}
	return "unknown";
}

void validate_chain_start(struct validate_chain *vc, const struct validate_chain_conf *conf,
			  const struct validate_chain_answer *answer, uint32_t now)
{
	/* Only the header fields: the table and the negative buffer are read only up to
	 * their counts, and clearing 16 KiB per validation would be wasted work. */
	vc->result = (struct validate_chain_result){ .status = VALIDATE_CHAIN_INDETERMINATE,
		.why = "not validated yet", .ttl_cap = UINT32_MAX };
	vc->conf = conf;
	vc->answer = answer;
	vc->now = now;
	vc->fetches = 0;
	vc->crypto_waits = 0;
	vc->state = CHAIN_RUNNING;
	vc->depth = 0;
	vc->n_zones = 0;
	vc->fetched = false;
	vc->neg_present = false;
	vc->fetch_failed = false;
	vc->neg_count = 0;
}

void validate_chain_restart(struct validate_chain *vc, const struct validate_chain_answer *answer,
			    uint32_t now)
{
	uint16_t fetches = vc->fetches, crypto_waits = vc->crypto_waits;

	validate_chain_start(vc, vc->conf, answer, now);
	vc->fetches = fetches;
	vc->crypto_waits = crypto_waits;
}

/* ---- Results after a FETCH ------------------------------------------------------------ */

int validate_chain_supply_negative(struct validate_chain *vc, uint8_t rcode,
				   const struct validate_chain_rr *rr, unsigned n)
{
	size_t used = 0;

	vc->neg_present = false;
	vc->neg_count = 0;
	if (n > VALIDATE_CHAIN_NEG_RR_MAX)
		goto full;
	for (unsigned i = 0; i < n; i++) {
		if ((size_t)rr[i].owner_len + rr[i].rdlen > sizeof(vc->neg) - used)
			goto full;
		struct validate_chain_neg_rr *d = &vc->neg_rr[i];
		*d = (struct validate_chain_neg_rr){ .owner_off = (uint16_t)used,
			.owner_len = rr[i].owner_len, .section = rr[i].section,
			.type = rr[i].type, .rclass = rr[i].rclass, .ttl = rr[i].ttl };
		memcpy(vc->neg + used, rr[i].owner, rr[i].owner_len);
		used += rr[i].owner_len;
		d->rdoff = (uint16_t)used;
		d->rdlen = rr[i].rdlen;
		if (rr[i].rdlen > 0)
			memcpy(vc->neg + used, rr[i].rdata, rr[i].rdlen);
		used += rr[i].rdlen;
	}
	vc->neg_count = (uint16_t)n;
	vc->neg_rcode = rcode;
	vc->neg_present = true;
	return 0;
full:
	vc->fetch_failed = true;
	return -ENOSPC;
}

void validate_chain_fetch_failed(struct validate_chain *vc)
{
	vc->fetch_failed = true;
}

unsigned validate_chain_neg_records(const struct validate_chain *vc, struct validate_chain_rr *out)
{
	for (unsigned i = 0; i < vc->neg_count; i++) {
		const struct validate_chain_neg_rr *d = &vc->neg_rr[i];
		out[i] = (struct validate_chain_rr){ .owner = vc->neg + d->owner_off,
			.owner_len = d->owner_len, .section = d->section, .type = d->type,
			.rclass = d->rclass, .ttl = d->ttl, .rdata = vc->neg + d->rdoff,
			.rdlen = d->rdlen };
	}
	return vc->neg_count;
}

enum chain_outcome validate_chain_fetch_outcome(const struct validate_chain *vc,
						const uint8_t *name, size_t len, uint16_t type)
{
	if (!vc->fetched || vc->last.type != type ||
	    !wire_name_equal(vc->last.name, vc->last.name_len, name, len))
		return OUTCOME_NONE;
	if (vc->neg_present && !vc->fetch_failed)
		return OUTCOME_NEGATIVE;
	/* Fetched, yet the store does not have it and nothing was said: asking again
	 * would loop, so it counts as failed (an RRset too large for the store). */
	return OUTCOME_FAILED;
}

/* ---- The zone table --------------------------------------------------------------------- */

int validate_chain_zone_find(const struct validate_chain *vc, const uint8_t *name, size_t len)
{
	for (unsigned i = 0; i < vc->n_zones; i++) {
		if (wire_name_equal(vc->zones[i].name, vc->zones[i].name_len, name, len))
			return (int)i;
	}
	return -1;
}

int validate_chain_need(struct validate_chain *vc, const uint8_t *name, size_t len,
			struct chain_req *req)
{
	int zi = validate_chain_zone_find(vc, name, len);

	if (zi >= 0 && vc->zones[zi].state != ZONE_UNKNOWN)
		return zi;
	*req = (struct chain_req){ .name = name, .len = len };
	return -1;
}

enum chain_step validate_chain_want_fetch(struct chain_req *req, const uint8_t *name, size_t len,
					  uint16_t type)
{
	*req = (struct chain_req){ .name = name, .len = len, .type = type };
	return STEP_FETCH;
}

/* ---- Anchors and negative trust anchors ------------------------------------------------- */

bool validate_chain_nta_covers(const struct validate_chain *vc, const uint8_t *name, size_t len)
{
	const struct validate_chain_conf *c = vc->conf;

	for (unsigned i = 0; i < c->n_ntas && i < VALIDATE_CHAIN_NTAS_MAX; i++) {
		const struct validate_nta *t = &c->ntas[i];
		if (t->expires != 0 && t->expires <= vc->now)
			continue;
		if (wire_name_is_subdomain(name, len, t->name, t->name_len))
			return true;
	}
	return false;
}

bool validate_chain_has_anchor(const struct validate_chain *vc, const uint8_t *name, size_t len)
{
	const struct validate_chain_conf *c = vc->conf;

	for (unsigned i = 0; i < c->n_anchors && i < VALIDATE_CHAIN_ANCHORS_MAX; i++) {
		if (wire_name_equal(c->anchors[i].owner, c->anchors[i].owner_len, name, len))
			return true;
	}
	return false;
}

int validate_chain_anchor_labels(const struct validate_chain *vc, const uint8_t *name, size_t len)
{
	const struct validate_chain_conf *c = vc->conf;
	int best = -1;

	for (unsigned i = 0; i < c->n_anchors && i < VALIDATE_CHAIN_ANCHORS_MAX; i++) {
		const struct validate_anchor *a = &c->anchors[i];
		if (!wire_name_is_subdomain(name, len, a->owner, a->owner_len))
			continue;
		int labels = wire_name_label_count(a->owner, a->owner_len);
		if (labels > best)
			best = labels;
	}
	return best;
}

/* ---- The step loop ------------------------------------------------------------------------ */

/* A limit ended the validation: no other server would mend it (no origin). */
static enum validate_chain_action chain_finish(struct validate_chain *vc,
					       enum validate_chain_status st, uint16_t ede,
					       const char *why)
{
	vc->result.status = st;
	vc->result.ede = ede;
	vc->result.why = why;
	vc->result.origin_kind = VALIDATE_ORIGIN_NONE;
	vc->result.origin_len = 0;
	vc->result.origin_above = false;
	vc->state = CHAIN_DONE;
	return VALIDATE_CHAIN_DONE;
}

/* The zone entry whose verdict a bogus answer took (validate_chain_answer.c folds a
 * zone's ede and why in as they are), or NULL: the answer's own data failed. */
static const struct validate_chain_zone *chain_blamed_zone(const struct validate_chain *vc)
{
	for (unsigned i = 0; i < vc->n_zones; i++) {
		const struct validate_chain_zone *z = &vc->zones[i];
		if (z->state == ZONE_BOGUS && z->why == vc->result.why &&
		    z->ede == vc->result.ede)
			return z;
	}
	return NULL;
}

/* A bogus answer: where its bad data came from (validate_chain.h, "Bogus data"). EDE
 * 0 (Other) is what the limits say, EDE 27 the NSEC3 iteration policy: asking
 * elsewhere would not help. */
static void chain_blame(struct validate_chain *vc)
{
	struct validate_chain_result *r = &vc->result;
	const struct validate_chain_zone *z = chain_blamed_zone(vc);
	const uint8_t *name = vc->answer->zone;
	size_t len = vc->answer->zone_len;
	uint8_t kind = VALIDATE_ORIGIN_ANSWER;

	r->origin_kind = VALIDATE_ORIGIN_NONE;
	r->origin_len = 0;
	r->origin_above = false;
	if (r->status != VALIDATE_CHAIN_BOGUS || r->ede == WIRE_EDE_OTHER ||
	    r->ede == VALIDATE_EDE_NSEC3_ITERATIONS)
		return;
	if (z != NULL) {
		if (z->bad == 0 || z->bad > vc->n_zones)
			return;
		const struct validate_chain_zone *b = &vc->zones[z->bad - 1];
		name = b->name;
		len = b->name_len;
		r->origin_above = b->bad_ds;
		kind = b->bad_fetched ? VALIDATE_ORIGIN_FETCH : VALIDATE_ORIGIN_STORE;
	}
	if (name == NULL || len == 0 || len > sizeof(r->origin))
		return;
	memcpy(r->origin, name, len);
	r->origin_len = (uint8_t)len;
	r->origin_kind = kind;
}

/* Put the entry for req->name on the stack (made when new). */
static int chain_push(struct validate_chain *vc, const struct chain_req *req)
{
	if (req->len == 0 || req->len > WIRE_NAME_MAX)
		return -EINVAL;
	int zi = validate_chain_zone_find(vc, req->name, req->len);
	if (zi < 0) {
		if (vc->n_zones == VALIDATE_CHAIN_DEPTH_MAX)
			return -ENOSPC;
		zi = vc->n_zones++;
		struct validate_chain_zone *z = &vc->zones[zi];
		memset(z, 0, sizeof(*z));
		memcpy(z->name, req->name, req->len);
		z->name_len = (uint8_t)req->len;
	}
	for (unsigned i = 0; i < vc->depth; i++) {
		if (vc->stack[i] == zi)
			return -ELOOP; /* cannot happen: steps push proper ancestors only */
	}
	if (vc->depth == VALIDATE_CHAIN_DEPTH_MAX)
		return -ENOSPC;
	vc->stack[vc->depth++] = (uint8_t)zi;
	return 0;
}

void validate_chain_fetch_later(struct validate_chain *vc)
{
	vc->fetched = false;
	if (vc->fetches > 0)
		vc->fetches--;
}

/* Hand the FETCH to the caller, forgetting what came back for the previous one. */
static enum validate_chain_action chain_ask(struct validate_chain *vc, const struct chain_req *req,
					    struct validate_chain_fetch *fetch)
{
	if (vc->fetches >= VALIDATE_CHAIN_FETCH_MAX)
		return chain_finish(vc, VALIDATE_CHAIN_BOGUS, WIRE_EDE_OTHER,
				    "too many DS/DNSKEY fetches for one answer");
	vc->fetches++;
	memcpy(vc->last.name, req->name, req->len);
	vc->last.name_len = (uint8_t)req->len;
	vc->last.type = req->type;
	vc->fetched = true;
	vc->neg_present = false;
	vc->fetch_failed = false;
	vc->neg_count = 0;
	*fetch = vc->last;
	return VALIDATE_CHAIN_FETCH;
}

/* The step's jobs wait for the batch run. Bounded: a store that changes under every
 * run, or an engine that keeps failing, must not hold the validation for ever. */
static enum validate_chain_action chain_wait(struct validate_chain *vc,
					     const struct validate_chain_env *env)
{
	if (vc->batch_full && env->stats != NULL)
		env->stats->batch_full++;
	if (vc->crypto_waits >= VALIDATE_CHAIN_CRYPTO_MAX)
		return chain_finish(vc, VALIDATE_CHAIN_BOGUS, WIRE_EDE_OTHER,
				    "signature checks did not settle");
	vc->crypto_waits++;
	return VALIDATE_CHAIN_CRYPTO;
}

/* One step on the top of the stack, or on the answer when the stack is empty. */
static enum chain_step chain_step(struct validate_chain *vc, const struct validate_chain_env *env,
				  struct chain_req *req)
{
	vc->crypto_pending = false;
	if (vc->depth == 0)
		return validate_chain_answer_step(vc, env, req);
	enum chain_step s = validate_chain_zone_step(vc, env, vc->stack[vc->depth - 1], req);
	if (s == STEP_DONE)
		vc->depth--;
	return s;
}

enum validate_chain_action validate_chain_next(struct validate_chain *vc,
					       const struct validate_chain_env *env,
					       struct validate_chain_fetch *fetch)
{
	if (vc->state == CHAIN_DONE)
		return VALIDATE_CHAIN_DONE;
	/* What the batch holds for this call is counted afresh: see chain_batch_full(). */
	vc->batch_full = false;
	memset(vc->touched, 0, sizeof(vc->touched));
	for (unsigned steps = 0; steps < CHAIN_STEPS_MAX; steps++) {
		bool answer = vc->depth == 0;
		struct chain_req req = { 0 };
		enum chain_step s = chain_step(vc, env, &req);

		if (s == STEP_DONE && answer) {
			vc->state = CHAIN_DONE;
			chain_blame(vc);
			return VALIDATE_CHAIN_DONE;
		}
		if (s == STEP_CRYPTO)
			return chain_wait(vc, env);
		if (s == STEP_FETCH)
			return chain_ask(vc, &req, fetch);
		if (s == STEP_PUSH && chain_push(vc, &req) < 0)
			return chain_finish(vc, VALIDATE_CHAIN_BOGUS, WIRE_EDE_OTHER,
					    "too many zones between trust anchor and answer");
	}
	return chain_finish(vc, VALIDATE_CHAIN_BOGUS, WIRE_EDE_OTHER,
			    "chain of trust did not settle");
}

int validate_chain_run_batch(const struct validate_chain_env *env)
{
	int ran = validate_batch_run(env->batch);

	/* Nothing to run while chains wait: each of them found no room (a chain with a
	 * job of its own would have given the run something), and every result in the
	 * batch was read in the round before. Emptying it now lets them in; what a chain
	 * read before it found no room it reads again later. */
	if (ran <= 0) {
		validate_batch_reset(env->batch);
		validate_key_cache_release(env->keys);
	}
	return ran;
}
