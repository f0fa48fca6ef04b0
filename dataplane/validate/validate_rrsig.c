/*
 * validate_rrsig.c - RRSIG RDATA (RFC 4034 §3) and the checks RFC 4035 §5.3.1 asks for
 * before any crypto: does the RRSIG fit its RRset, is it inside its validity window,
 * may this key have made it, and how long may the result be cached.
 *
 * Cheap, pure functions: the chain-of-trust code runs them on every candidate RRSIG so
 * that only plausible (key, RRSIG) pairs reach the batch engine.
 */
#include <errno.h>

#include "validate_priv.h"
#include "wire.h"

/* Type covered, algorithm, labels, original TTL, expiration, inception, key tag. */
#define RRSIG_FIXED 18

int validate_rrsig_parse(const uint8_t *rdata, size_t len, struct validate_rrsig *sig)
{
	int signer_len;

	if (len <= RRSIG_FIXED)
		return -EINVAL;
	signer_len = wire_name_length(rdata + RRSIG_FIXED, len - RRSIG_FIXED);
	if (signer_len < 0 || len - RRSIG_FIXED - (size_t)signer_len == 0 ||
	    len - RRSIG_FIXED - (size_t)signer_len > VALIDATE_SIG_MAX)
		return -EINVAL;
	sig->type_covered = wire_get_u16(rdata);
	sig->algorithm = rdata[2];
	sig->labels = rdata[3];
	sig->orig_ttl = wire_get_u32(rdata + 4);
	sig->expiration = wire_get_u32(rdata + 8);
	sig->inception = wire_get_u32(rdata + 12);
	sig->key_tag = wire_get_u16(rdata + 16);
	sig->signer = rdata + RRSIG_FIXED;
	sig->signer_len = (uint8_t)signer_len;
	sig->prefix_len = (uint16_t)(RRSIG_FIXED + signer_len);
	sig->sig = rdata + sig->prefix_len;
	sig->sig_len = (uint16_t)(len - sig->prefix_len);
	sig->rdata = rdata;
	return 0;
}

enum validate_status validate_rrsig_check(const struct validate_rrsig *sig,
					  const struct validate_rrset *rs)
{
	int labels;

	if (sig->type_covered != rs->type)
		return VALIDATE_BAD_RRSIG;
	if (rs->owner_len == 0 || wire_name_length(rs->owner, rs->owner_len) !=
	    (int)rs->owner_len)
		return VALIDATE_BAD_RRSIG;
	labels = wire_name_label_count(rs->owner, rs->owner_len);
	if (labels < 0 || sig->labels > labels)
		return VALIDATE_BAD_RRSIG;
	if (!wire_name_is_subdomain(rs->owner, rs->owner_len, sig->signer, sig->signer_len))
		return VALIDATE_BAD_RRSIG;
	return VALIDATE_OK;
}

/* Serial number arithmetic (RFC 1982) on 32-bit times: how far @b is after @a. */
static inline int64_t serial_diff(uint32_t b, uint32_t a)
{
	return (int32_t)(b - a);
}

enum validate_status validate_rrsig_time(const struct validate_rrsig *sig, uint32_t now,
					 uint32_t skew)
{
	if (serial_diff(sig->expiration, sig->inception) < 0)
		return VALIDATE_BAD_RRSIG;
	if (serial_diff(now, sig->inception) + (int64_t)skew < 0)
		return VALIDATE_SIG_NOT_YET_VALID;
	if (serial_diff(sig->expiration, now) + (int64_t)skew < 0)
		return VALIDATE_SIG_EXPIRED;
	return VALIDATE_OK;
}

uint32_t validate_rrsig_ttl(const struct validate_rrsig *sig, uint32_t ttl, uint32_t now)
{
	int64_t left = serial_diff(sig->expiration, now);

	if (left <= 0)
		return 0;
	if (ttl > sig->orig_ttl)
		ttl = sig->orig_ttl;
	return (uint64_t)left < ttl ? (uint32_t)left : ttl;
}

/* Everything but the signer name: what validate_batch_add_sig() rechecks. */
enum validate_status validate_key_fits_sig(const struct validate_rrsig *sig,
					   const struct validate_key *key,
					   const struct validate_policy *p, unsigned flags)
{
	if (sig->algorithm != key->algorithm || sig->key_tag != key->tag)
		return VALIDATE_KEY_MISMATCH;
	if (key->protocol != VALIDATE_DNSKEY_PROTOCOL)
		return VALIDATE_BAD_KEY;
	if (!(key->flags & VALIDATE_DNSKEY_ZONE))
		return VALIDATE_KEY_MISMATCH;
	if ((key->flags & VALIDATE_DNSKEY_REVOKE) &&
	    !((flags & VALIDATE_MATCH_ALLOW_REVOKED) && sig->type_covered == WIRE_TYPE_DNSKEY))
		return VALIDATE_KEY_MISMATCH;
	return validate_key_usable(key, sig->algorithm, p);
}

enum validate_status validate_rrsig_match_key(const struct validate_rrsig *sig,
					      const uint8_t *key_owner, size_t key_owner_len,
					      const struct validate_key *key,
					      const struct validate_policy *p, unsigned flags)
{
	if (!wire_name_equal(sig->signer, sig->signer_len, key_owner, key_owner_len))
		return VALIDATE_KEY_MISMATCH;
	return validate_key_fits_sig(sig, key, p, flags);
}
