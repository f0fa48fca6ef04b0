/*
 * validate_key.c - DNSKEY RDATA (RFC 4034 §2) into OpenSSL keys: RSA (RFC 3110 public
 * key encoding; algorithms 5, 7, 8, 10 per RFC 3110 and RFC 5702), ECDSA P-256 and
 * P-384 (RFC 6605: X | Y, no point-format byte), Ed25519 and Ed448 (RFC 8080: the raw
 * public key). Each parsed key also gets its verify context, set up once (padding and
 * digest for RSA), because OpenSSL 3 makes a context slowly (provider lookups, heap)
 * and verifying with one again is allowed.
 *
 * Runs when a key is first seen (the key cache keeps the result), never per
 * verification. A key that cannot be used is not an error: it gets a status.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "validate_priv.h"
#include "wire.h"

/* Seed of key->id: any constant will do, the id only says "same RDATA, probably". */
#define KEY_ID_SEED 0x5eb15e0d0dcafe01ull
/* RSA exponents longer than this are refused (OpenSSL also caps them for big moduli,
 * and a huge exponent makes every verification slow). */
#define RSA_EXP_MAX_BITS 64

#define DNSKEY_FIXED 4 /* flags, protocol, algorithm */

uint16_t validate_key_tag(const uint8_t *rdata, size_t len)
{
	uint32_t ac = 0;

	if (len < DNSKEY_FIXED)
		return 0;
	/* Appendix B.1: for RSA/MD5 the tag is the modulus' 2nd and 3rd lowest bytes. */
	if (rdata[3] == VALIDATE_ALG_RSAMD5)
		return len < 7 ? 0 : (uint16_t)((rdata[len - 3] << 8) | rdata[len - 2]);
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += (ac >> 16) & 0xFFFF;
	return (uint16_t)(ac & 0xFFFF);
}

static bool alg_is_rsa(uint8_t alg)
{
	return alg == VALIDATE_ALG_RSASHA1 || alg == VALIDATE_ALG_RSASHA1_NSEC3_SHA1 ||
	       alg == VALIDATE_ALG_RSASHA256 || alg == VALIDATE_ALG_RSASHA512;
}

static const EVP_MD *rsa_md(uint8_t alg)
{
	switch (validate_alg_hash(alg)) {
	case VALIDATE_HASH_SHA1:
		return EVP_sha1();
	case VALIDATE_HASH_SHA256:
		return EVP_sha256();
	default:
		return EVP_sha512();
	}
}

/* A public key from OSSL_PARAMs; NULL when OpenSSL refuses it. */
static EVP_PKEY *pkey_fromdata(const char *type, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	EVP_PKEY *pkey = NULL;

	if (ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

/* ---- RSA --------------------------------------------------------------------------- */

struct rsa_parts {
	const uint8_t *e, *n;
	size_t elen, nlen;
};

/* RFC 3110 §2: exponent length in one byte, or 0 and then two bytes; exponent;
 * modulus (the rest). */
static enum validate_status rsa_split(const uint8_t *pk, size_t len, struct rsa_parts *r)
{
	size_t off = 1;

	if (len < 1)
		return VALIDATE_BAD_KEY;
	r->elen = pk[0];
	if (r->elen == 0) {
		if (len < 3)
			return VALIDATE_BAD_KEY;
		r->elen = wire_get_u16(pk + 1);
		off = 3;
	}
	if (r->elen == 0 || len - off <= r->elen)
		return VALIDATE_BAD_KEY;
	r->e = pk + off;
	r->n = pk + off + r->elen;
	r->nlen = len - off - r->elen;
	return VALIDATE_OK;
}

/* The EVP key of @r, or a status saying why not; -ENOMEM through *@rc. */
static EVP_PKEY *rsa_pkey(const struct rsa_parts *r, enum validate_status *st, int *rc)
{
	BIGNUM *n = BN_bin2bn(r->n, (int)r->nlen, NULL);
	BIGNUM *e = BN_bin2bn(r->e, (int)r->elen, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	*rc = -ENOMEM;
	if (n == NULL || e == NULL || bld == NULL)
		goto out;
	*rc = 0;
	*st = VALIDATE_BAD_KEY;
	if (BN_is_zero(e) || BN_is_zero(n) || !BN_is_odd(n))
		goto out;
	*st = VALIDATE_UNSUPPORTED_KEY;
	if (BN_num_bits(e) > RSA_EXP_MAX_BITS)
		goto out;
	*rc = -ENOMEM;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL)
		goto out;
	*rc = 0;
	pkey = pkey_fromdata("RSA", params);
	*st = pkey != NULL ? VALIDATE_OK : VALIDATE_BAD_KEY;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/* Verify context for PKCS#1 v1.5 over a digest of the algorithm's hash. */
static EVP_PKEY_CTX *rsa_ctx(EVP_PKEY *pkey, uint8_t alg)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);

	if (ctx == NULL || EVP_PKEY_verify_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, rsa_md(alg)) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int rsa_parse(const uint8_t *pk, size_t len, struct validate_key *key)
{
	struct rsa_parts r;
	int rc = 0;

	key->status = rsa_split(pk, len, &r);
	if (key->status != VALIDATE_OK)
		return 0;
	key->pkey = rsa_pkey(&r, &key->status, &rc);
	if (key->pkey == NULL)
		return rc;
	key->vctx = rsa_ctx(key->pkey, key->algorithm);
	return key->vctx == NULL ? -ENOMEM : 0;
}

/* ---- ECDSA ------------------------------------------------------------------------- */

#define EC_POINT_MAX 96 /* P-384: X | Y */

static int ec_parse(const uint8_t *pk, size_t len, struct validate_key *key)
{
	bool p256 = key->algorithm == VALIDATE_ALG_ECDSAP256SHA256;
	size_t want = p256 ? 64 : 96;
	uint8_t point[1 + EC_POINT_MAX];
	char group[8];

	key->status = VALIDATE_BAD_KEY;
	if (len != want)
		return 0;
	/* OpenSSL wants the SEC 1 uncompressed form: 0x04 | X | Y. */
	point[0] = 0x04;
	memcpy(point + 1, pk, len);
	strcpy(group, p256 ? "P-256" : "P-384");
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
		OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, 1 + len),
		OSSL_PARAM_construct_end(),
	};
	/* Refused when the point is not on the curve. */
	key->pkey = pkey_fromdata("EC", params);
	if (key->pkey == NULL)
		return 0;
	key->status = VALIDATE_OK;
	key->vctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
	if (key->vctx == NULL || EVP_PKEY_verify_init(key->vctx) != 1)
		return -ENOMEM;
	return 0;
}

/* ---- EdDSA ------------------------------------------------------------------------- */

static int eddsa_parse(const uint8_t *pk, size_t len, struct validate_key *key)
{
	bool ed25519 = key->algorithm == VALIDATE_ALG_ED25519;

	key->status = VALIDATE_BAD_KEY;
	if (len != (ed25519 ? 32u : 57u))
		return 0;
	key->pkey = EVP_PKEY_new_raw_public_key_ex(NULL, ed25519 ? "ED25519" : "ED448", NULL,
						   pk, len);
	if (key->pkey == NULL)
		return 0;
	key->status = VALIDATE_OK;
	/* EdDSA hashes the message itself: a DigestVerify context, reused per message. */
	key->mctx = EVP_MD_CTX_new();
	if (key->mctx == NULL ||
	    EVP_DigestVerifyInit_ex(key->mctx, NULL, NULL, NULL, NULL, key->pkey, NULL) != 1)
		return -ENOMEM;
	return 0;
}

/* ---- Public ------------------------------------------------------------------------ */

/* Parses the public key field by algorithm. Returns 0 or -ENOMEM. */
static int parse_public(const uint8_t *pk, size_t len, struct validate_key *key)
{
	switch (key->algorithm) {
	case VALIDATE_ALG_RSASHA1:
	case VALIDATE_ALG_RSASHA1_NSEC3_SHA1:
	case VALIDATE_ALG_RSASHA256:
	case VALIDATE_ALG_RSASHA512:
		return rsa_parse(pk, len, key);
	case VALIDATE_ALG_ECDSAP256SHA256:
	case VALIDATE_ALG_ECDSAP384SHA384:
		return ec_parse(pk, len, key);
	case VALIDATE_ALG_ED25519:
	case VALIDATE_ALG_ED448:
		return eddsa_parse(pk, len, key);
	default:
		key->status = VALIDATE_UNSUPPORTED_ALGORITHM;
		return 0;
	}
}

int validate_key_parse(const uint8_t *rdata, size_t len, struct validate_key *key)
{
	int rc;

	memset(key, 0, sizeof(*key));
	if (len < DNSKEY_FIXED)
		return -EINVAL;
	if (len > VALIDATE_DNSKEY_RDATA_MAX)
		return -E2BIG;
	key->flags = wire_get_u16(rdata);
	key->protocol = rdata[2];
	key->algorithm = rdata[3];
	key->tag = validate_key_tag(rdata, len);
	key->id = validate_hash64(KEY_ID_SEED, rdata, len);
	if (key->protocol != VALIDATE_DNSKEY_PROTOCOL) {
		key->status = VALIDATE_BAD_KEY;
		return 0;
	}
	rc = parse_public(rdata + DNSKEY_FIXED, len - DNSKEY_FIXED, key);
	/* A refused key leaves reasons on OpenSSL's per-thread error queue: drop them, or
	 * the queue grows with every junk key. */
	ERR_clear_error();
	if (rc < 0 || key->status != VALIDATE_OK) {
		enum validate_status st = key->status;
		validate_key_clear(key);
		key->status = rc < 0 ? VALIDATE_BAD_KEY : st;
		return rc;
	}
	key->bits = (uint16_t)EVP_PKEY_get_bits(key->pkey);
	return 0;
}

void validate_key_clear(struct validate_key *key)
{
	EVP_MD_CTX_free(key->mctx);
	EVP_PKEY_CTX_free(key->vctx);
	EVP_PKEY_free(key->pkey);
	key->mctx = NULL;
	key->vctx = NULL;
	key->pkey = NULL;
}

enum validate_status validate_key_usable(const struct validate_key *key, uint8_t alg,
					 const struct validate_policy *p)
{
	if (key->algorithm != alg)
		return VALIDATE_KEY_MISMATCH;
	if (!validate_alg_supported(p, alg))
		return VALIDATE_UNSUPPORTED_ALGORITHM;
	if (key->status != VALIDATE_OK)
		return key->status;
	if (alg_is_rsa(alg) && key->bits < (p->rsa_min_bits != 0 ? p->rsa_min_bits
								   : VALIDATE_RSA_MIN_BITS))
		return VALIDATE_UNSUPPORTED_KEY;
	return VALIDATE_OK;
}
