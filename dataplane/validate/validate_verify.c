/*
 * validate_verify.c - the public-key operations, with OpenSSL, for any engine:
 * RSA (PKCS#1 v1.5, RFC 3110 / 5702) and ECDSA (RFC 6605) verify a digest computed
 * beforehand (by ipsec-mb, in batches); EdDSA (RFC 8080) verifies the whole message
 * in one shot, as Ed25519/Ed448 hash it themselves.
 *
 * Uses the verify context made with the key; never allocates (OpenSSL's error queue
 * aside, which is cleared after each refusal so that it cannot grow).
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "validate_priv.h"

/* ECDSA signature field: r | s, each as long as the curve's field (RFC 6605 §4). */
static size_t ecdsa_half(uint8_t alg)
{
	return alg == VALIDATE_ALG_ECDSAP256SHA256 ? 32 : 48;
}

/* One DER INTEGER (unsigned big-endian @v of @n bytes): leading zeros dropped, one
 * zero put back when the high bit is set. Returns the bytes written (<= 3 + n). */
static size_t der_integer(uint8_t *out, const uint8_t *v, size_t n)
{
	size_t pad;

	while (n > 1 && v[0] == 0) {
		v++;
		n--;
	}
	pad = (v[0] & 0x80) ? 1 : 0;
	out[0] = 0x02;
	out[1] = (uint8_t)(n + pad);
	out[2] = 0;
	memcpy(out + 2 + pad, v, n);
	return 2 + pad + n;
}

/* r | s as OpenSSL wants it: SEQUENCE { INTEGER r, INTEGER s } (at most 104 bytes for
 * P-384, so the lengths fit in one byte). Returns the DER length. */
static size_t ecdsa_to_der(const uint8_t *sig, size_t half, uint8_t *der)
{
	size_t len = 2;

	len += der_integer(der + len, sig, half);
	len += der_integer(der + len, sig + half, half);
	der[0] = 0x30;
	der[1] = (uint8_t)(len - 2);
	return len;
}

static enum validate_status verdict(int rc)
{
	if (rc == 1)
		return VALIDATE_OK;
	ERR_clear_error();
	return VALIDATE_BOGUS_SIGNATURE;
}

enum validate_status validate_verify_digest(const struct validate_key *key,
					    const uint8_t *digest, size_t dlen,
					    const uint8_t *sig, size_t sig_len)
{
	uint8_t der[2 + 2 * (3 + 48)];

	if (key->vctx == NULL)
		return VALIDATE_BAD_KEY;
	if (key->algorithm == VALIDATE_ALG_ECDSAP256SHA256 ||
	    key->algorithm == VALIDATE_ALG_ECDSAP384SHA384) {
		size_t half = ecdsa_half(key->algorithm);
		if (sig_len != 2 * half)
			return VALIDATE_BOGUS_SIGNATURE;
		size_t der_len = ecdsa_to_der(sig, half, der);
		return verdict(EVP_PKEY_verify(key->vctx, der, der_len, digest, dlen));
	}
	return verdict(EVP_PKEY_verify(key->vctx, sig, sig_len, digest, dlen));
}

enum validate_status validate_verify_message(const struct validate_key *key,
					     const uint8_t *msg, size_t len,
					     const uint8_t *sig, size_t sig_len)
{
	if (key->mctx == NULL)
		return VALIDATE_BAD_KEY;
	return verdict(EVP_DigestVerify(key->mctx, sig, sig_len, msg, len));
}
