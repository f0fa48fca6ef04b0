/*
 * validate_engine.h - the interface between a verification batch and whatever runs
 * its jobs (an engine). Callers of the validator do not need this file: they pick an
 * engine in struct validate_batch_config and use validate.h.
 *
 * A batch hands an engine jobs that are complete in themselves: the key (with its
 * parsed OpenSSL key), the signed data and signature (in the batch's arena, stable
 * until the batch is reset), and the algorithm. The engine fills in each job's status.
 * submit() may finish the work at once (the inline CPU engine) or only start it
 * (crypto lcores fed by a ring, DPDK cryptodev asymmetric ops); poll() then says how
 * many submitted jobs are still in flight. The batch calls submit() once per run and
 * poll() until it returns 0.
 */
#ifndef SEKISHO_VALIDATE_ENGINE_H
#define SEKISHO_VALIDATE_ENGINE_H

#include <stdint.h>

#include "validate.h"

struct validate_job {
	const struct validate_key *key;  /* in: parsed, usable for @algorithm */
	const uint8_t *data;             /* in: the signed data (RFC 4034 §3.1.8.1) */
	const uint8_t *sig;              /* in: the signature field of the RRSIG */
	uint32_t data_len;
	uint16_t sig_len;
	uint8_t algorithm;               /* in: DNSSEC algorithm number */
	enum validate_status status;     /* in: VALIDATE_PENDING; out: the verdict */
	uint8_t digest[VALIDATE_DIGEST_MAX]; /* the engine's scratch for the hash */
};

struct validate_engine_ops {
	const char *name;
	/* Make the engine's state (start-up; may allocate). 0 or a negative errno. */
	int (*create)(void **ctx);
	void (*destroy)(void *ctx);
	/* Take @n jobs (status VALIDATE_PENDING). 0 or a negative errno. */
	int (*submit)(void *ctx, struct validate_job *const *jobs, unsigned n);
	/* Jobs still in flight (0: every submitted job has its status), or a negative
	 * errno. */
	int (*poll)(void *ctx);
};

/* Hashes every job with ipsec-mb's multi-buffer SHA, then verifies each with OpenSSL,
 * inline, on the calling thread. */
extern const struct validate_engine_ops validate_engine_cpu;

#endif /* SEKISHO_VALIDATE_ENGINE_H */
