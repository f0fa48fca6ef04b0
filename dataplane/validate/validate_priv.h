/*
 * validate_priv.h - shared between dataplane/validate's own .c files; not for other
 * modules. The hashing layer (validate_hash.c, the only file that includes ipsec-mb's
 * header: it defines macros such as SHA1 that collide with OpenSSL's functions) and
 * small helpers.
 */
#ifndef SEKISHO_VALIDATE_PRIV_H
#define SEKISHO_VALIDATE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "validate.h"

enum validate_hash_alg {
	VALIDATE_HASH_NONE = 0, /* EdDSA: the signature covers the message itself */
	VALIDATE_HASH_SHA1,
	VALIDATE_HASH_SHA256,
	VALIDATE_HASH_SHA384,
	VALIDATE_HASH_SHA512,
};

/* Digest length of @alg (0 for NONE). */
size_t validate_hash_len(enum validate_hash_alg alg);

/* The hash an RRSIG of DNSSEC algorithm @alg is computed with (NONE for EdDSA and
 * for algorithms not implemented). */
enum validate_hash_alg validate_alg_hash(uint8_t alg);

/* One message to hash in validate_hash_many(). */
struct validate_hash_req {
	const uint8_t *data;
	size_t len;
	enum validate_hash_alg alg;
	uint8_t *out;            /* validate_hash_len(alg) bytes */
	int rc;                  /* out: 0, or -EINVAL when ipsec-mb refused the job */
};

/*
 * validate_hash_one - hash one message with this thread's ipsec-mb manager.
 * Returns the digest length, -EINVAL (alg NONE), -ENOMEM (no manager).
 */
int validate_hash_one(enum validate_hash_alg alg, const uint8_t *data, size_t len,
		      uint8_t *out);

/*
 * validate_hash_many - hash @n messages through ipsec-mb's multi-buffer job API: all
 * are submitted, then flushed, so messages of the same algorithm share SIMD lanes.
 * Returns the number of requests hashed (rc 0), or -ENOMEM (no manager).
 */
int validate_hash_many(struct validate_hash_req *reqs, unsigned n);

/* A fast seeded 64-bit hash (not cryptographic: the key cache confirms by comparing
 * bytes, the batch by comparing jobs). */
uint64_t validate_hash64(uint64_t seed, const uint8_t *data, size_t len);

/* ASCII lowercase of one byte (label length bytes, 0..63, are never changed). */
static inline uint8_t validate_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* validate_rrsig_match_key() without the signer name check (the batch has no key
 * owner): algorithm, key tag, protocol, ZONE and REVOKE flags, validate_key_usable(). */
enum validate_status validate_key_fits_sig(const struct validate_rrsig *sig,
					   const struct validate_key *key,
					   const struct validate_policy *p, unsigned flags);

/* Verification primitives (validate_verify.c), for engines. */

/* RSA or ECDSA signature over a digest already computed with validate_alg_hash(). */
enum validate_status validate_verify_digest(const struct validate_key *key,
					    const uint8_t *digest, size_t dlen,
					    const uint8_t *sig, size_t sig_len);

/* EdDSA signature over the whole message. */
enum validate_status validate_verify_message(const struct validate_key *key,
					     const uint8_t *msg, size_t len,
					     const uint8_t *sig, size_t sig_len);

#endif /* SEKISHO_VALIDATE_PRIV_H */
