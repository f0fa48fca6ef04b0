/*
 * validate_ds.c - DS records (RFC 4034 §5; SHA-256 RFC 4509, SHA-384 RFC 6605): the
 * digest of a DNSKEY, computed through ipsec-mb (validate_hash.c), and whether a DS
 * names a given DNSKEY.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "validate_priv.h"
#include "wire.h"

#define DS_FIXED 4 /* key tag, algorithm, digest type */

static enum validate_hash_alg ds_hash(uint8_t type)
{
	switch (type) {
	case VALIDATE_DS_SHA1:
		return VALIDATE_HASH_SHA1;
	case VALIDATE_DS_SHA256:
		return VALIDATE_HASH_SHA256;
	case VALIDATE_DS_SHA384:
		return VALIDATE_HASH_SHA384;
	default:
		return VALIDATE_HASH_NONE;
	}
}

int validate_ds_digest(uint8_t type, const uint8_t *owner, size_t owner_len,
		       const uint8_t *rdata, size_t len, uint8_t *out, size_t cap)
{
	enum validate_hash_alg alg = ds_hash(type);
	uint8_t buf[WIRE_NAME_MAX + VALIDATE_DNSKEY_RDATA_MAX];
	int nlen = wire_name_length(owner, owner_len);

	if (alg == VALIDATE_HASH_NONE)
		return -EPROTONOSUPPORT;
	if (nlen < 0 || (size_t)nlen != owner_len)
		return -EINVAL;
	if (len > VALIDATE_DNSKEY_RDATA_MAX)
		return -E2BIG;
	if (cap < validate_hash_len(alg))
		return -ENOSPC;
	/* digest = hash(canonical owner | DNSKEY RDATA) */
	for (size_t i = 0; i < owner_len; i++)
		buf[i] = validate_lower(owner[i]);
	memcpy(buf + owner_len, rdata, len);
	return validate_hash_one(alg, buf, owner_len + len, out);
}

enum validate_status validate_ds_match(const uint8_t *ds, size_t ds_len,
				       const uint8_t *owner, size_t owner_len,
				       const uint8_t *rdata, size_t len,
				       const struct validate_policy *p)
{
	uint8_t digest[VALIDATE_DIGEST_MAX];
	int dlen;

	if (ds_len < DS_FIXED || len < 4)
		return VALIDATE_BAD_KEY;
	if (!validate_ds_digest_supported(p, ds[3]))
		return VALIDATE_UNSUPPORTED_DIGEST;
	/* The key a DS names must be a zone key (RFC 4034 §5.2). */
	if (wire_get_u16(ds) != validate_key_tag(rdata, len) || ds[2] != rdata[3] ||
	    !(wire_get_u16(rdata) & VALIDATE_DNSKEY_ZONE) ||
	    rdata[2] != VALIDATE_DNSKEY_PROTOCOL)
		return VALIDATE_KEY_MISMATCH;
	dlen = validate_ds_digest(ds[3], owner, owner_len, rdata, len, digest, sizeof(digest));
	if (dlen == -E2BIG)
		return VALIDATE_KEY_MISMATCH; /* longer than any key we could use */
	if (dlen < 0 || (size_t)dlen != ds_len - DS_FIXED)
		return VALIDATE_BAD_KEY;
	return CRYPTO_memcmp(digest, ds + DS_FIXED, (size_t)dlen) == 0 ? VALIDATE_OK
								     : VALIDATE_KEY_MISMATCH;
}
