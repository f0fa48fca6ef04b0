/*
 * validate_batch.c - the verification jobs of one burst, collected, deduplicated and
 * handed to an engine together (see validate.h, "The batch engine").
 *
 * Memory: everything is allocated by validate_batch_create(); adding a job writes its
 * signed data and signature into the arena (a bump allocator emptied by reset), so a
 * job costs no allocation and owns its bytes.
 *
 * Dedupe: two jobs are the same when the key, the signature and the signed data are
 * the same. A signature is as good as unique, so the lookup key is a hash of the key
 * id and the signature; the signed data is compared only on a hash match. The signed
 * data is built first (it is cheap next to a verification) and given back to the
 * arena when the job turns out to be a duplicate.
 *
 * A full batch still finds its jobs: callers add a job again to read its status (the
 * chain of trust keeps no handle between calls), so the capacity is checked after the
 * dedupe lookup, and a job is kept only when the arena keeps room to build the
 * largest job held once more.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "validate_engine.h"
#include "validate_priv.h"

#define BATCH_DEFAULT_JOBS 64
#define BATCH_DEFAULT_ARENA (256u * 1024)

struct validate_batch {
	struct validate_policy policy;
	const struct validate_engine_ops *ops;
	void *engine;
	unsigned capacity;
	unsigned count;             /* jobs in the batch */
	unsigned run_from;          /* jobs before this one went through a run */
	size_t arena_cap;
	size_t arena_used;
	size_t largest;             /* bytes of the largest job held (data + signature) */
	struct validate_batch_stats st;
	uint64_t *dedupe;           /* per job: hash of key id and signature; 0: none */
	struct validate_job *jobs;
	struct validate_job **pending;
	uint8_t *arena;
};

void validate_batch_destroy(struct validate_batch *b)
{
	if (b == NULL)
		return;
	if (b->engine != NULL)
		b->ops->destroy(b->engine);
	free(b->dedupe);
	free(b->jobs);
	free(b->pending);
	free(b->arena);
	free(b);
}

struct validate_batch *validate_batch_create(const struct validate_batch_config *cfg)
{
	struct validate_batch *b;

	if (cfg->capacity > VALIDATE_BATCH_MAX)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->policy = cfg->policy;
	b->ops = cfg->engine != NULL ? cfg->engine : &validate_engine_cpu;
	b->capacity = cfg->capacity != 0 ? cfg->capacity : BATCH_DEFAULT_JOBS;
	b->arena_cap = cfg->arena_bytes != 0 ? cfg->arena_bytes : BATCH_DEFAULT_ARENA;
	b->dedupe = calloc(b->capacity, sizeof(b->dedupe[0]));
	b->jobs = calloc(b->capacity, sizeof(b->jobs[0]));
	b->pending = calloc(b->capacity, sizeof(b->pending[0]));
	b->arena = malloc(b->arena_cap);
	if (b->dedupe == NULL || b->jobs == NULL || b->pending == NULL || b->arena == NULL ||
	    b->ops->create(&b->engine) != 0) {
		validate_batch_destroy(b);
		return NULL;
	}
	return b;
}

/* A job that needs no crypto: its status is known now. */
static int add_decided(struct validate_batch *b, const struct validate_key *key,
		       const struct validate_rrsig *sig, enum validate_status st)
{
	unsigned j = b->count++;

	b->jobs[j] = (struct validate_job){ .key = key, .algorithm = sig->algorithm,
					    .status = st };
	b->dedupe[j] = 0;
	b->st.added++;
	b->st.immediate++;
	return (int)j;
}

/* Same key: the same object, or the same RDATA id and an equal OpenSSL key. */
static bool same_key(const struct validate_key *a, const struct validate_key *b)
{
	return a == b || (a->id == b->id && EVP_PKEY_eq(a->pkey, b->pkey) == 1);
}

/* An earlier job equal to the one at @data (signed data) and @sig; -1 when none. */
static int find_same(const struct validate_batch *b, uint64_t h,
		     const struct validate_key *key, const uint8_t *data, size_t data_len,
		     const struct validate_rrsig *sig)
{
	for (unsigned j = 0; j < b->count; j++) {
		const struct validate_job *o = &b->jobs[j];
		if (b->dedupe[j] != h || o->data_len != data_len || o->sig_len != sig->sig_len)
			continue;
		if (memcmp(o->sig, sig->sig, sig->sig_len) == 0 &&
		    memcmp(o->data, data, data_len) == 0 && same_key(o->key, key))
			return (int)j;
	}
	return -1;
}

/* The lookup key of a job: never 0, which marks "not deduplicable". */
static uint64_t dedupe_hash(const struct validate_key *key, const struct validate_rrsig *sig)
{
	uint64_t h = validate_hash64(key->id, sig->sig, sig->sig_len);

	return h != 0 ? h : 1;
}

/* Writes the signed data and the signature at the arena's free end; returns the signed
 * data length or a negative errno. Nothing is committed yet. */
static int build_job_data(struct validate_batch *b, const struct validate_rrsig *sig,
			  const struct validate_rrset *rs)
{
	size_t room = b->arena_cap - b->arena_used;
	int n;

	if (room < sig->sig_len)
		n = -ENOSPC;
	else
		n = validate_signed_data(sig, rs, b->arena + b->arena_used, room - sig->sig_len);
	if (n == -ENOSPC)
		return b->arena_used == 0 ? -E2BIG : -ENOSPC;
	if (n < 0)
		return n;
	memcpy(b->arena + b->arena_used + n, sig->sig, sig->sig_len);
	return n;
}

/* May a new job of @size bytes stay? Only with room left to build any job held once
 * more, so that adding an identical job always finds it. */
static bool arena_keeps_room(const struct validate_batch *b, size_t size)
{
	size_t largest = size > b->largest ? size : b->largest;

	return b->arena_cap - b->arena_used >= size + largest;
}

int validate_batch_add_sig(struct validate_batch *b, const struct validate_key *key,
			   const struct validate_rrsig *sig, const struct validate_rrset *rs,
			   unsigned flags)
{
	enum validate_status st;
	uint8_t *data = b->arena + b->arena_used;
	uint64_t h;
	int n, same;

	if (rs->count > VALIDATE_RRSET_MAX)
		return -EINVAL;
	st = validate_rrsig_check(sig, rs);
	if (st == VALIDATE_OK)
		st = validate_key_fits_sig(sig, key, &b->policy, flags);
	if (st != VALIDATE_OK)
		return b->count == b->capacity ? -ENOSPC : add_decided(b, key, sig, st);
	n = build_job_data(b, sig, rs);
	if (n < 0)
		return n;
	h = dedupe_hash(key, sig);
	same = find_same(b, h, key, data, (size_t)n, sig);
	if (same >= 0) {
		b->st.added++;
		b->st.deduped++;
		return same;
	}
	size_t size = (size_t)n + sig->sig_len;
	if (b->count == b->capacity || !arena_keeps_room(b, size))
		return b->count == 0 ? -E2BIG : -ENOSPC;
	b->st.added++;
	b->largest = size > b->largest ? size : b->largest;
	unsigned j = b->count++;
	b->jobs[j] = (struct validate_job){ .key = key, .data = data, .sig = data + n,
		.data_len = (uint32_t)n, .sig_len = sig->sig_len, .algorithm = sig->algorithm,
		.status = VALIDATE_PENDING };
	b->dedupe[j] = h;
	b->arena_used += (size_t)n + sig->sig_len;
	return (int)j;
}

int validate_batch_run(struct validate_batch *b)
{
	unsigned n = 0;
	int rc;

	for (unsigned j = b->run_from; j < b->count; j++)
		if (b->jobs[j].status == VALIDATE_PENDING)
			b->pending[n++] = &b->jobs[j];
	b->run_from = b->count;
	if (n == 0)
		return 0;
	rc = b->ops->submit(b->engine, b->pending, n);
	while (rc == 0 && (rc = b->ops->poll(b->engine)) > 0)
		rc = 0; /* an asynchronous engine: wait for the rest */
	if (rc < 0)
		return rc;
	b->st.verified += n;
	b->st.runs++;
	return (int)n;
}

enum validate_status validate_batch_status(const struct validate_batch *b, int job)
{
	if (job < 0 || (unsigned)job >= b->count)
		return VALIDATE_BAD_RRSIG;
	return b->jobs[job].status;
}

unsigned validate_batch_jobs(const struct validate_batch *b)
{
	return b->count;
}

void validate_batch_reset(struct validate_batch *b)
{
	b->count = 0;
	b->run_from = 0;
	b->arena_used = 0;
	b->largest = 0;
}

void validate_batch_get_stats(const struct validate_batch *b, struct validate_batch_stats *st)
{
	*st = b->st;
}
