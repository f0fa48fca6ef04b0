/*
 * validate_status.c - the module's tables: status names, their EDE codes (RFC 8914),
 * and the algorithm / digest support policy (RFC 8624 as DESIGN.md chooses it).
 * Adding a status or an algorithm is one line here.
 */
#include "validate_priv.h"

/* EDE codes used here (RFC 8914 §4). */
enum {
	EDE_UNSUPPORTED_DNSKEY_ALG = 1,
	EDE_UNSUPPORTED_DS_DIGEST = 2,
	EDE_DNSSEC_BOGUS = 6,
	EDE_SIG_EXPIRED = 7,
	EDE_SIG_NOT_YET_VALID = 8,
};

static const struct {
	const char *name;
	uint16_t ede;
} status_table[VALIDATE_STATUS_COUNT] = {
	[VALIDATE_OK] = { "ok", 0 },
	[VALIDATE_PENDING] = { "pending", 0 },
	[VALIDATE_BOGUS_SIGNATURE] = { "bogus-signature", EDE_DNSSEC_BOGUS },
	[VALIDATE_SIG_EXPIRED] = { "signature-expired", EDE_SIG_EXPIRED },
	[VALIDATE_SIG_NOT_YET_VALID] = { "signature-not-yet-valid", EDE_SIG_NOT_YET_VALID },
	[VALIDATE_KEY_MISMATCH] = { "key-mismatch", EDE_DNSSEC_BOGUS },
	[VALIDATE_BAD_RRSIG] = { "bad-rrsig", EDE_DNSSEC_BOGUS },
	[VALIDATE_BAD_KEY] = { "bad-key", EDE_DNSSEC_BOGUS },
	[VALIDATE_UNSUPPORTED_ALGORITHM] = { "unsupported-algorithm", EDE_UNSUPPORTED_DNSKEY_ALG },
	[VALIDATE_UNSUPPORTED_KEY] = { "unsupported-key", EDE_UNSUPPORTED_DNSKEY_ALG },
	[VALIDATE_UNSUPPORTED_DIGEST] = { "unsupported-digest", EDE_UNSUPPORTED_DS_DIGEST },
};

const char *validate_status_name(enum validate_status s)
{
	if ((unsigned)s >= VALIDATE_STATUS_COUNT)
		return "invalid";
	return status_table[s].name;
}

uint16_t validate_status_ede(enum validate_status s)
{
	if ((unsigned)s >= VALIDATE_STATUS_COUNT)
		return EDE_DNSSEC_BOGUS;
	return status_table[s].ede;
}

void validate_policy_default(struct validate_policy *p)
{
	*p = (struct validate_policy){
		.sha1_algorithms = false,
		.sha1_ds = false,
		.rsa_min_bits = VALIDATE_RSA_MIN_BITS,
	};
}

enum validate_hash_alg validate_alg_hash(uint8_t alg)
{
	switch (alg) {
	case VALIDATE_ALG_RSASHA1:
	case VALIDATE_ALG_RSASHA1_NSEC3_SHA1:
		return VALIDATE_HASH_SHA1;
	case VALIDATE_ALG_RSASHA256:
	case VALIDATE_ALG_ECDSAP256SHA256:
		return VALIDATE_HASH_SHA256;
	case VALIDATE_ALG_ECDSAP384SHA384:
		return VALIDATE_HASH_SHA384;
	case VALIDATE_ALG_RSASHA512:
		return VALIDATE_HASH_SHA512;
	default:
		return VALIDATE_HASH_NONE;
	}
}

bool validate_alg_supported(const struct validate_policy *p, uint8_t alg)
{
	switch (alg) {
	case VALIDATE_ALG_RSASHA1:
	case VALIDATE_ALG_RSASHA1_NSEC3_SHA1:
		return p->sha1_algorithms;
	case VALIDATE_ALG_RSASHA256:
	case VALIDATE_ALG_RSASHA512:
	case VALIDATE_ALG_ECDSAP256SHA256:
	case VALIDATE_ALG_ECDSAP384SHA384:
	case VALIDATE_ALG_ED25519:
	case VALIDATE_ALG_ED448:
		return true;
	default:
		return false;
	}
}

bool validate_ds_digest_supported(const struct validate_policy *p, uint8_t type)
{
	switch (type) {
	case VALIDATE_DS_SHA1:
		return p->sha1_ds;
	case VALIDATE_DS_SHA256:
	case VALIDATE_DS_SHA384:
		return true;
	default:
		return false;
	}
}
