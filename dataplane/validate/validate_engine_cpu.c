/*
 * validate_engine_cpu.c - the inline engine: runs a batch's jobs on the calling thread.
 *
 * Two passes, so the hashing of all jobs shares SIMD lanes: first every job's signed
 * data is hashed through ipsec-mb's multi-buffer job API (SHA-1/256/384/512 by
 * algorithm; EdDSA jobs skip this), then each job is verified with OpenSSL from its
 * digest (RSA, ECDSA) or over its data (EdDSA). Allocates only at create().
 */
#include <errno.h>
#include <stdlib.h>

#include "validate_engine.h"
#include "validate_priv.h"

struct cpu_engine {
	struct validate_hash_req reqs[VALIDATE_BATCH_MAX];
	struct validate_job *hashed[VALIDATE_BATCH_MAX];
};

static int cpu_create(void **ctx)
{
	*ctx = calloc(1, sizeof(struct cpu_engine));
	return *ctx == NULL ? -ENOMEM : 0;
}

static void cpu_destroy(void *ctx)
{
	free(ctx);
}

/* Pass 1: the digests. Jobs whose hash ipsec-mb refused are marked bogus. */
static int hash_jobs(struct cpu_engine *e, struct validate_job *const *jobs, unsigned n)
{
	unsigned k = 0;
	int rc;

	for (unsigned i = 0; i < n; i++) {
		enum validate_hash_alg alg = validate_alg_hash(jobs[i]->algorithm);
		if (alg == VALIDATE_HASH_NONE)
			continue;
		e->reqs[k] = (struct validate_hash_req){ .data = jobs[i]->data,
			.len = jobs[i]->data_len, .alg = alg, .out = jobs[i]->digest };
		e->hashed[k++] = jobs[i];
	}
	rc = validate_hash_many(e->reqs, k);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < k; i++)
		if (e->reqs[i].rc != 0)
			e->hashed[i]->status = VALIDATE_BOGUS_SIGNATURE;
	return 0;
}

/* Pass 2: the public-key operation of one job. */
static void verify_job(struct validate_job *j)
{
	enum validate_hash_alg alg = validate_alg_hash(j->algorithm);

	if (j->status != VALIDATE_PENDING)
		return;
	if (alg == VALIDATE_HASH_NONE)
		j->status = validate_verify_message(j->key, j->data, j->data_len, j->sig,
						    j->sig_len);
	else
		j->status = validate_verify_digest(j->key, j->digest, validate_hash_len(alg),
						   j->sig, j->sig_len);
}

static int cpu_submit(void *ctx, struct validate_job *const *jobs, unsigned n)
{
	int rc;

	if (n > VALIDATE_BATCH_MAX)
		return -EINVAL;
	rc = hash_jobs(ctx, jobs, n);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < n; i++)
		verify_job(jobs[i]);
	return 0;
}

static int cpu_poll(void *ctx)
{
	(void)ctx;
	return 0; /* submit() did everything */
}

const struct validate_engine_ops validate_engine_cpu = {
	.name = "cpu",
	.create = cpu_create,
	.destroy = cpu_destroy,
	.submit = cpu_submit,
	.poll = cpu_poll,
};
