/*
 * validate.h - the DNSSEC crypto core: canonical form, DNSKEY parsing and key cache,
 * DS digests, RRSIG checks, NSEC3 hashing and the batch verification engine.
 *
 * Plain C over byte buffers (RFC 4034, 4035, 5155, 5702, 6605, 6840, 8080): no DPDK,
 * no I/O, no clock of its own (the caller passes "now"). Hashing goes through Intel
 * ipsec-mb, public-key operations through OpenSSL 3. NSEC/NSEC3 denial proofs live
 * beside this file (validate_denial.h); the chain of trust is built on top of this.
 *
 * How the chain-of-trust code uses it for one burst:
 *
 *   at start-up, per worker:  kc = validate_key_cache_create(1024);
 *                             b = validate_batch_create(&cfg);   (cfg.capacity 64)
 *   per RRset and RRSIG:      validate_rrsig_parse(rdata, len, &sig);
 *                             validate_rrsig_time(&sig, now, skew)     -> EXPIRED? skip
 *                             validate_key_cache_get(kc, dnskey_rdata, len, &key);
 *                             validate_rrsig_match_key(&sig, zone, zlen, key, &pol, 0)
 *                             job = validate_batch_add_sig(b, key, &sig, &rrset, 0);
 *   at the end of the burst:  validate_batch_run(b);
 *                             validate_batch_status(b, job) for each job kept
 *                             validate_batch_reset(b); validate_key_cache_release(kc);
 *
 * Everything here is per thread: a key cache, a batch and the OpenSSL contexts inside
 * keys belong to the thread that made them. Nothing allocates per verification: a
 * batch keeps its signed data in an arena sized at creation; OpenSSL contexts are made
 * once per key (when the key is parsed) and reused.
 *
 * Return conventions: functions that judge data return enum validate_status
 * (VALIDATE_OK = it holds); functions that can fail for reasons of the caller's making
 * return 0 or a length on success and a negative errno value otherwise (-EINVAL
 * malformed input, -ENOSPC a buffer or batch is full, -E2BIG input over a limit below,
 * -ENOMEM, -EBUSY).
 */
#ifndef SEKISHO_VALIDATE_H
#define SEKISHO_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- Limits ------------------------------------------------------------------------ */

#define VALIDATE_RRSET_MAX 256          /* records in one RRset handed to the validator */
#define VALIDATE_DNSKEY_RDATA_MAX 1024  /* longest DNSKEY RDATA we parse (RSA ~8000 bits) */
#define VALIDATE_DIGEST_MAX 64          /* SHA-512 */
#define VALIDATE_SIG_MAX 1024           /* longest signature field we accept */
#define VALIDATE_NSEC3_HASH_LEN 20      /* SHA-1 */
#define VALIDATE_NSEC3_SALT_MAX 255
#define VALIDATE_NSEC3_ITER_MAX 65535   /* the field is 16 bits; RFC 9276 limits are the caller's */
#define VALIDATE_BATCH_MAX 256          /* most jobs one batch may be created with */

/* ---- Protocol numbers -------------------------------------------------------------- */

/* DNSSEC algorithm numbers (IANA "DNS Security Algorithm Numbers"). */
enum validate_alg {
	VALIDATE_ALG_RSAMD5 = 1,
	VALIDATE_ALG_DSA = 3,
	VALIDATE_ALG_RSASHA1 = 5,
	VALIDATE_ALG_DSA_NSEC3_SHA1 = 6,
	VALIDATE_ALG_RSASHA1_NSEC3_SHA1 = 7,
	VALIDATE_ALG_RSASHA256 = 8,
	VALIDATE_ALG_RSASHA512 = 10,
	VALIDATE_ALG_ECC_GOST = 12,
	VALIDATE_ALG_ECDSAP256SHA256 = 13,
	VALIDATE_ALG_ECDSAP384SHA384 = 14,
	VALIDATE_ALG_ED25519 = 15,
	VALIDATE_ALG_ED448 = 16,
};

/* DS digest types. */
enum validate_ds_digest {
	VALIDATE_DS_SHA1 = 1,
	VALIDATE_DS_SHA256 = 2,
	VALIDATE_DS_GOST = 3,
	VALIDATE_DS_SHA384 = 4,
};

/* DNSKEY flags (RFC 4034 §2.1.1, RFC 5011 §3). */
#define VALIDATE_DNSKEY_ZONE 0x0100   /* may verify RRSIGs */
#define VALIDATE_DNSKEY_REVOKE 0x0080 /* revoked: only its own DNSKEY self-signature counts */
#define VALIDATE_DNSKEY_SEP 0x0001    /* secure entry point (a hint, never enforced) */
#define VALIDATE_DNSKEY_PROTOCOL 3

/* ---- Outcomes ---------------------------------------------------------------------- */

/*
 * What a check or a verification found. VALIDATE_OK means "it holds" (the signature
 * verified, the DS matched, the time is inside the window). The UNSUPPORTED ones make
 * a zone insecure, not bogus, when nothing else usable is left (RFC 4035 §5.2, RFC 6840
 * §5.2); the rest are bogus. validate_status_ede() gives the EDE code (RFC 8914).
 */
enum validate_status {
	VALIDATE_OK = 0,
	VALIDATE_PENDING,               /* a batch job that has not run yet */
	VALIDATE_BOGUS_SIGNATURE,       /* the crypto said no */
	VALIDATE_SIG_EXPIRED,           /* now is after the expiration (plus skew) */
	VALIDATE_SIG_NOT_YET_VALID,     /* now is before the inception (minus skew) */
	VALIDATE_KEY_MISMATCH,          /* this key cannot have made this RRSIG (signer, tag,
	                                 * algorithm, no ZONE bit, revoked); DS: not this key */
	VALIDATE_BAD_RRSIG,             /* RRSIG malformed or inconsistent with its RRset
	                                 * (type covered, labels > owner labels, owner outside
	                                 * the signer's zone, expiration before inception) */
	VALIDATE_BAD_KEY,               /* DNSKEY malformed (bad exponent length, EC point
	                                 * not on the curve, wrong key length, protocol != 3) */
	VALIDATE_UNSUPPORTED_ALGORITHM, /* algorithm not implemented or off by policy (EDE 1) */
	VALIDATE_UNSUPPORTED_KEY,       /* RSA key under the policy minimum, or an exponent
	                                 * over 64 bits (EDE 1) */
	VALIDATE_UNSUPPORTED_DIGEST,    /* DS digest type not implemented or off (EDE 2) */
	VALIDATE_STATUS_COUNT
};

/* Short constant name for logs and counters ("ok", "bogus-signature", ...). */
const char *validate_status_name(enum validate_status s);

/* The RFC 8914 EDE code for a status (0 for OK and PENDING). */
uint16_t validate_status_ede(enum validate_status s);

/* True for the UNSUPPORTED_* statuses: data signed only so is insecure, not bogus. */
static inline bool validate_status_is_unsupported(enum validate_status s)
{
	return s == VALIDATE_UNSUPPORTED_ALGORITHM || s == VALIDATE_UNSUPPORTED_KEY ||
	       s == VALIDATE_UNSUPPORTED_DIGEST;
}

/* ---- Policy ------------------------------------------------------------------------ */

#define VALIDATE_RSA_MIN_BITS 1024 /* the default floor for RSA moduli */

/* A zeroed policy is the safe one: SHA-1 off, RSA floor VALIDATE_RSA_MIN_BITS. */
struct validate_policy {
	bool sha1_algorithms;  /* accept algorithms 5 and 7 (RSA/SHA-1) */
	bool sha1_ds;          /* accept DS digest type 1 */
	uint16_t rsa_min_bits; /* RSA keys with a shorter modulus are refused as
	                        * VALIDATE_UNSUPPORTED_KEY; 0: VALIDATE_RSA_MIN_BITS */
};

/* validate_policy_default - SHA-1 off (algorithms and DS), RSA at least 1024 bits. */
void validate_policy_default(struct validate_policy *p);

/* True when @alg is implemented here and allowed by @p. */
bool validate_alg_supported(const struct validate_policy *p, uint8_t alg);

/* True when DS digest type @type is implemented here and allowed by @p. */
bool validate_ds_digest_supported(const struct validate_policy *p, uint8_t type);

/* ---- RRsets and canonical form (RFC 4034 §6) ---------------------------------------- */

/*
 * One RRset as the validator reads it: record i's RDATA is data[rdoff[i] ..
 * rdoff[i] + rdlen[i]), uncompressed wire form, letter case as received. The layout is
 * that of struct cache_rrset, so a view of a cached RRset is
 *
 *   struct validate_rrset v = { .owner = key.name, .owner_len = key.name_len,
 *           .type = key.type, .rclass = key.rclass, .count = rs.rr_count,
 *           .data = rs.data, .rdoff = rs.rdoff, .rdlen = rs.rdlen };
 *
 * and the RRSIGs are records rr_count.. of the same arrays. @owner: uncompressed wire
 * name, any case.
 */
struct validate_rrset {
	const uint8_t *owner;
	size_t owner_len;
	uint16_t type;
	uint16_t rclass;
	uint16_t count;
	const uint8_t *data;
	const uint16_t *rdoff;
	const uint16_t *rdlen;
};

/* RDATA of record @i of @rs. */
static inline const uint8_t *validate_rrset_rdata(const struct validate_rrset *rs, unsigned i)
{
	return rs->data + rs->rdoff[i];
}

/*
 * validate_rdata_canonical - RDATA in canonical form (RFC 4034 §6.2 as corrected by
 * RFC 6840 §5.1): the domain names embedded in the RDATA of NS, MD, MF, CNAME, SOA, MB,
 * MG, MR, PTR, MINFO, MX, RP, AFSDB, RT, SIG, PX, NXT, NAPTR, KX, SRV, DNAME, A6 and
 * RRSIG lowercased; everything else (NSEC included) unchanged. Same length as the input.
 * @out, @cap: destination (may not overlap @rdata).
 * Returns the length, -EINVAL (a name runs past the RDATA, or is compressed), -ENOSPC.
 */
int validate_rdata_canonical(uint16_t type, const uint8_t *rdata, size_t len,
			     uint8_t *out, size_t cap);

/*
 * validate_rdata_canonical_cmp - compare two RDATAs of @type in canonical form, as
 * left-justified octet strings (RFC 4034 §6.3), without copying them.
 * Returns <0, 0, >0; malformed RDATA compares as it stands (names not lowercased).
 */
int validate_rdata_canonical_cmp(uint16_t type, const uint8_t *a, size_t alen,
				 const uint8_t *b, size_t blen);

/*
 * validate_rrset_canonical_order - the canonical order of @rs's records (RFC 4034 §6.3)
 * with duplicates (equal canonical RDATA) dropped: @order[0..n) receives record indices.
 * @cap: room in @order. Returns n, -EINVAL (count over VALIDATE_RRSET_MAX), -ENOSPC.
 */
int validate_rrset_canonical_order(const struct validate_rrset *rs, uint16_t *order,
				   size_t cap);

/* ---- RRSIG (RFC 4034 §3) ---------------------------------------------------------- */

/* A parsed RRSIG RDATA; the pointers point into the RDATA it was parsed from. */
struct validate_rrsig {
	uint16_t type_covered;
	uint8_t algorithm;
	uint8_t labels;
	uint32_t orig_ttl;
	uint32_t expiration;
	uint32_t inception;
	uint16_t key_tag;
	uint8_t signer_len;
	uint16_t sig_len;
	uint16_t prefix_len;     /* RDATA bytes before the signature (18 + signer_len) */
	const uint8_t *signer;   /* uncompressed wire name */
	const uint8_t *sig;      /* the signature field */
	const uint8_t *rdata;    /* the whole RDATA */
};

/*
 * validate_rrsig_parse - read RRSIG RDATA (@len bytes, signer uncompressed).
 * Returns 0, or -EINVAL (too short, bad signer name, empty signature or longer than
 * VALIDATE_SIG_MAX).
 */
int validate_rrsig_parse(const uint8_t *rdata, size_t len, struct validate_rrsig *sig);

/*
 * validate_rrsig_check - does @sig fit @rs at all (RFC 4035 §5.3.1): type covered is
 * rs->type, labels <= the owner's label count (not counting a leading "*"), and the
 * owner is the signer's name or below it.
 * Returns VALIDATE_OK or VALIDATE_BAD_RRSIG.
 */
enum validate_status validate_rrsig_check(const struct validate_rrsig *sig,
					  const struct validate_rrset *rs);

/*
 * validate_rrsig_time - is @now inside [inception - @skew, expiration + @skew], in
 * serial number arithmetic (RFC 4034 §3.1.5, RFC 1982)? @now: Unix seconds modulo 2^32.
 * Returns VALIDATE_OK, VALIDATE_SIG_EXPIRED, VALIDATE_SIG_NOT_YET_VALID, or
 * VALIDATE_BAD_RRSIG when the expiration is not after the inception.
 */
enum validate_status validate_rrsig_time(const struct validate_rrsig *sig, uint32_t now,
					 uint32_t skew);

/*
 * validate_rrsig_ttl - the TTL a validated RRset may be cached with (RFC 4035 §5.3.3):
 * the smallest of @ttl, the RRSIG's original TTL, and the seconds until its expiration
 * (0 once expired).
 */
uint32_t validate_rrsig_ttl(const struct validate_rrsig *sig, uint32_t ttl, uint32_t now);

/*
 * validate_signed_data - the octets an RRSIG signs (RFC 4034 §3.1.8.1): the RRSIG RDATA
 * without the signature (signer lowercased), then every record of @rs in canonical
 * order, duplicates dropped, each as owner | type | class | original TTL | RDLENGTH |
 * canonical RDATA. The owner is lowercased, and replaced by "*." plus its rightmost
 * sig->labels labels when the RRSIG's labels field is smaller than the owner's label
 * count (a wildcard expansion, RFC 4035 §5.3.2).
 * Returns the length written to @out, -EINVAL (validate_rrsig_check() fails, malformed
 * RDATA, too many records), -ENOSPC (@cap too small).
 */
int validate_signed_data(const struct validate_rrsig *sig, const struct validate_rrset *rs,
			 uint8_t *out, size_t cap);

/* ---- DNSKEY (RFC 4034 §2) --------------------------------------------------------- */

struct evp_pkey_st;
struct evp_pkey_ctx_st;
struct evp_md_ctx_st;

/*
 * A parsed DNSKEY. @status is VALIDATE_OK when @pkey is usable; otherwise
 * VALIDATE_BAD_KEY, VALIDATE_UNSUPPORTED_ALGORITHM or VALIDATE_UNSUPPORTED_KEY, and
 * the OpenSSL pointers are NULL. Whether the policy allows the algorithm and the key
 * size is decided when it is used, so a parsed key does not depend on the policy.
 */
struct validate_key {
	uint64_t id;                /* hash of the RDATA (the cache's key, dedupe in a batch) */
	uint16_t flags;
	uint16_t tag;               /* RFC 4034 appendix B (B.1 for algorithm 1) */
	uint8_t protocol;
	uint8_t algorithm;
	uint16_t bits;              /* RSA modulus bits; curve bits for EC and EdDSA */
	enum validate_status status;
	struct evp_pkey_st *pkey;
	struct evp_pkey_ctx_st *vctx; /* RSA, ECDSA: verify context, padding and md set */
	struct evp_md_ctx_st *mctx;   /* EdDSA: DigestVerify context */
};

/*
 * validate_key_tag - the key tag of DNSKEY RDATA (RFC 4034 appendix B; B.1 for
 * algorithm 1). @len >= 4 (else 0).
 */
uint16_t validate_key_tag(const uint8_t *rdata, size_t len);

/*
 * validate_key_parse - parse DNSKEY RDATA into @key (RSA 5/7/8/10 with the RFC 3110
 * exponent encoding, ECDSA P-256/P-384 13/14, Ed25519 15, Ed448 16), making its OpenSSL
 * key and verify context. Unknown algorithms and malformed keys are not errors: they
 * give a key whose status says so (flags, tag and algorithm are still filled).
 * Returns 0; -EINVAL (shorter than 4 bytes); -E2BIG (over VALIDATE_DNSKEY_RDATA_MAX);
 * -ENOMEM (OpenSSL could not allocate).
 */
int validate_key_parse(const uint8_t *rdata, size_t len, struct validate_key *key);

/* validate_key_clear - free what validate_key_parse() made; @key may be zeroed. */
void validate_key_clear(struct validate_key *key);

/*
 * validate_key_usable - can @key verify signatures of algorithm @alg under @p: parsed
 * OK, same algorithm, algorithm allowed, RSA modulus >= p->rsa_min_bits.
 * Returns VALIDATE_OK, VALIDATE_KEY_MISMATCH (other algorithm), the key's own status,
 * VALIDATE_UNSUPPORTED_ALGORITHM (off by policy) or VALIDATE_UNSUPPORTED_KEY (short).
 */
enum validate_status validate_key_usable(const struct validate_key *key, uint8_t alg,
					 const struct validate_policy *p);

/* Flags of validate_rrsig_match_key() and validate_batch_add_sig(). */
#define VALIDATE_MATCH_ALLOW_REVOKED 0x1 /* RFC 5011 §2.1: a revoked key's signature over
                                          * its own DNSKEY RRset (only that) counts */

/*
 * validate_rrsig_match_key - may @key, the DNSKEY at @key_owner (@key_owner_len bytes,
 * any case), have made @sig (RFC 4035 §5.3.1): signer name == key owner, algorithm and
 * key tag equal, ZONE flag set, protocol 3, not revoked (unless @flags has
 * VALIDATE_MATCH_ALLOW_REVOKED and @sig covers DNSKEY), and the key usable under @p.
 * Returns VALIDATE_OK, VALIDATE_KEY_MISMATCH, or a status of validate_key_usable().
 */
enum validate_status validate_rrsig_match_key(const struct validate_rrsig *sig,
					      const uint8_t *key_owner, size_t key_owner_len,
					      const struct validate_key *key,
					      const struct validate_policy *p, unsigned flags);

/* ---- Key cache -------------------------------------------------------------------- */

/*
 * A bounded per-thread cache of parsed keys, so a DNSKEY is parsed (and its OpenSSL
 * key and contexts made) once. Keyed by the DNSKEY RDATA (the parsed key depends on
 * nothing else, so one key published under many names is parsed once), looked up by a
 * seeded 64-bit hash and confirmed by comparing the RDATA. Set-associative (8 ways),
 * least recently used way evicted, EVP objects freed on eviction. Keys that failed to
 * parse are cached too, so junk keys cost one parse.
 *
 * A pointer handed out stays valid until the next validate_key_cache_release(): keys
 * used since then are never evicted (call release once per burst, after the batch ran).
 */
struct validate_key_cache;

struct validate_key_cache_stats {
	uint64_t hits, misses, evictions, busy;
	unsigned entries, used;
};

/* validate_key_cache_create - room for @entries keys (rounded up to a multiple of 8,
 * at least 8). Allocates; call at start-up. NULL when out of memory. */
struct validate_key_cache *validate_key_cache_create(unsigned entries);

/* validate_key_cache_destroy - free the cache and every key in it (NULL is fine). */
void validate_key_cache_destroy(struct validate_key_cache *kc);

/*
 * validate_key_cache_get - the parsed key for DNSKEY RDATA @rdata (@len bytes).
 * *@key points into the cache until the next validate_key_cache_release().
 * Returns 0 (found), 1 (parsed now), -EINVAL (shorter than 4), -E2BIG (over
 * VALIDATE_DNSKEY_RDATA_MAX: treat the key as unsupported), -EBUSY (every way of its
 * set is in use since the last release: run the batch, release, try again), -ENOMEM.
 */
int validate_key_cache_get(struct validate_key_cache *kc, const uint8_t *rdata, size_t len,
			   const struct validate_key **key);

/* validate_key_cache_release - keys handed out so far may be evicted from now on. */
void validate_key_cache_release(struct validate_key_cache *kc);

void validate_key_cache_get_stats(const struct validate_key_cache *kc,
				  struct validate_key_cache_stats *st);

/* ---- DS (RFC 4034 §5, RFC 4509, RFC 6605) ------------------------------------------ */

/*
 * validate_ds_digest - digest of a DNSKEY for a DS: hash(lowercased @owner | @rdata)
 * with digest type @type (1 SHA-1, 2 SHA-256, 4 SHA-384), through ipsec-mb.
 * @out: VALIDATE_DIGEST_MAX bytes always suffice.
 * Returns the digest length, -EPROTONOSUPPORT (digest type not implemented), -EINVAL
 * (bad owner name), -E2BIG (@len over VALIDATE_DNSKEY_RDATA_MAX), -ENOSPC, -ENOMEM.
 * (This computes; policy is validate_ds_match()'s business.)
 */
int validate_ds_digest(uint8_t type, const uint8_t *owner, size_t owner_len,
		       const uint8_t *rdata, size_t len, uint8_t *out, size_t cap);

/*
 * validate_ds_match - does DS RDATA @ds (@ds_len bytes) name the DNSKEY @rdata at
 * @owner: key tag, algorithm, and digest all equal (the digest compared in constant
 * time). Returns VALIDATE_OK, VALIDATE_KEY_MISMATCH, VALIDATE_UNSUPPORTED_DIGEST
 * (digest type unknown or off by @p: EDE 2 when no other DS is usable), or
 * VALIDATE_BAD_KEY (DS or DNSKEY RDATA malformed, digest of the wrong length).
 */
enum validate_status validate_ds_match(const uint8_t *ds, size_t ds_len,
				       const uint8_t *owner, size_t owner_len,
				       const uint8_t *rdata, size_t len,
				       const struct validate_policy *p);

/* ---- NSEC3 hashing (RFC 5155 §5) --------------------------------------------------- */

/*
 * validate_nsec3_hash - IH(salt, name, iterations) with SHA-1, the NSEC3 hash of @name
 * (uncompressed wire name, any case: lowercased here), through ipsec-mb.
 * @iterations: additional iterations as in the NSEC3 RDATA (0 = one hash).
 * Returns 0, -EINVAL (bad name, salt over 255, iterations over 65535), -ENOMEM.
 */
int validate_nsec3_hash(const uint8_t *name, size_t len, const uint8_t *salt,
			size_t salt_len, unsigned iterations,
			uint8_t out[VALIDATE_NSEC3_HASH_LEN]);

/* One request of validate_nsec3_hash_batch(). */
struct validate_nsec3_req {
	const uint8_t *name;      /* in: uncompressed wire name, any case */
	size_t name_len;
	const uint8_t *salt;
	size_t salt_len;
	unsigned iterations;
	uint8_t hash[VALIDATE_NSEC3_HASH_LEN]; /* out */
	int rc;                   /* out: as validate_nsec3_hash() returns */
};

/*
 * validate_nsec3_hash_batch - @n hashes at once, their iterations run side by side
 * through ipsec-mb's multi-buffer SHA-1 (the closest encloser proof needs several
 * names hashed with the same parameters). Each request gets its own rc.
 * Returns the number of requests with rc 0, or -ENOMEM.
 */
int validate_nsec3_hash_batch(struct validate_nsec3_req *reqs, unsigned n);

/* ---- The batch engine ------------------------------------------------------------- */

/*
 * Verification jobs of one RX burst are collected in a batch and run together at the
 * end of the burst:
 *   add:  each (key, RRSIG, RRset) becomes a job; its signed data (canonical form) and
 *         signature are copied into the batch's arena, so the job owns its bytes and
 *         the caller's buffers may go. Identical jobs (same key, same signature, same
 *         signed data) are one job: the same handle comes back. Jobs that need no
 *         crypto (unsupported algorithm, key unusable, RRSIG inconsistent) get their
 *         status at once.
 *   run:  the engine hashes every job's signed data with ipsec-mb's multi-buffer SHA
 *         (lanes filled across jobs), verifies RSA and ECDSA from the digest and EdDSA
 *         one-shot with OpenSSL, and sets each job's status.
 * The engine sits behind struct validate_engine_ops (validate_engine.h), so a later
 * engine (crypto lcores fed by rings, DPDK cryptodev asymmetric ops) serves the same
 * jobs; the inline CPU engine is the only one today.
 */
struct validate_batch;
struct validate_engine_ops;

struct validate_batch_config {
	unsigned capacity;       /* distinct jobs per batch (1..VALIDATE_BATCH_MAX); 0: 64 */
	size_t arena_bytes;      /* signed data + signatures; 0: 256 KiB */
	struct validate_policy policy;
	const struct validate_engine_ops *engine; /* NULL: the inline CPU engine */
};

struct validate_batch_stats {
	uint64_t added;          /* validate_batch_add_sig() calls that gave a handle */
	uint64_t deduped;        /* of those, handles of a job already in the batch */
	uint64_t immediate;      /* jobs decided without crypto */
	uint64_t verified;       /* jobs the engine ran */
	uint64_t runs;
};

/* validate_batch_create - allocate a batch (start-up only). NULL: bad config or no memory. */
struct validate_batch *validate_batch_create(const struct validate_batch_config *cfg);

/* validate_batch_destroy - free it (NULL is fine). */
void validate_batch_destroy(struct validate_batch *b);

/*
 * validate_batch_add_sig - queue the verification of @sig over @rs with @key.
 * The caller has matched the key to the RRSIG (validate_rrsig_match_key(): signer
 * name) and checked the time; this checks again what decides whether crypto is worth
 * running (validate_rrsig_check(), key tag, algorithm, ZONE and REVOKE flags under
 * @flags, validate_key_usable() under the batch's policy) and sets the status at once
 * when not. @key must stay valid until the batch is reset (a key cache pointer does,
 * until validate_key_cache_release()).
 * Returns a job handle (>= 0; the same one for an identical job, even when the batch
 * is full: adding a job again reads its status), -ENOSPC (the batch or its arena is
 * full: run it, read the results, reset, add again), -EINVAL (malformed RRSIG or
 * RDATA, more than VALIDATE_RRSET_MAX records), -E2BIG (the signed data and signature
 * alone take more than half the arena: a job is kept only with room left to build
 * the largest job held once more, for that lookup).
 */
int validate_batch_add_sig(struct validate_batch *b, const struct validate_key *key,
			   const struct validate_rrsig *sig, const struct validate_rrset *rs,
			   unsigned flags);

/*
 * validate_batch_run - run every job not run yet through the engine and wait for it.
 * Returns the number of jobs the engine ran, or a negative errno from the engine.
 */
int validate_batch_run(struct validate_batch *b);

/* validate_batch_status - the status of job @job (VALIDATE_PENDING before the run;
 * VALIDATE_BAD_RRSIG for a handle that is not a job of this batch). */
enum validate_status validate_batch_status(const struct validate_batch *b, int job);

/* validate_batch_jobs - distinct jobs in the batch. */
unsigned validate_batch_jobs(const struct validate_batch *b);

/* validate_batch_reset - forget every job and its handle; the arena is empty again. */
void validate_batch_reset(struct validate_batch *b);

void validate_batch_get_stats(const struct validate_batch *b, struct validate_batch_stats *st);

/* ---- Thread state ----------------------------------------------------------------- */

/*
 * validate_thread_cleanup - free this thread's ipsec-mb manager (made on first use by
 * the hashing functions). Call when a thread that validated ends; harmless otherwise.
 */
void validate_thread_cleanup(void);

/*
 * validate_imb_mgr - this thread's ipsec-mb manager (made on first use with the best
 * code path for this CPU; NULL when it cannot be made). For other users of ipsec-mb
 * in the same process (control/tsig's HMAC), so that a thread has one manager.
 */
struct IMB_MGR *validate_imb_mgr(void);

#endif /* SEKISHO_VALIDATE_H */
