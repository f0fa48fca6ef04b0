/*
 * ta_dnskey.h - a trust point's DNSKEY answer read for RFC 5011 (control thread only).
 *
 * The refresh asks a worker for "OWNER DNSKEY" with DO set; the worker validates the
 * answer with the anchors it holds. What RFC 5011 needs from that answer goes beyond
 * "secure": which keys the RRset holds, which of them signed it themselves (a REVOKE
 * bit counts only with the key's own signature, §2.1, and a revoked key never
 * validates anything else), and the original TTL and expiration of the signature that
 * ties the set to a key trusted now (they drive the timers of §2.3). So the answer's
 * RRSIGs over the DNSKEY RRset are verified once more here, every one against every
 * key of the set whose tag and algorithm it names, with the validator's crypto core
 * (dataplane/validate: the batch engine, VALIDATE_MATCH_ALLOW_REVOKED), and the set
 * is only handed on when a key the caller trusts now made one of them.
 *
 *   v = ta_dnskey_verifier_create(&policy);                  at start-up
 *   ta_dnskey_read(v, msg, len, owner, olen, trusted, n, now, skew, &ans)
 *       0 -> rfc5011_refresh_ok(&tp, &cfg, &ans.refresh, now)
 *       <0 -> rfc5011_refresh_failed(&tp, &cfg, now)
 *   ta_dnskey_verifier_destroy(v);
 *
 * Allocates (OpenSSL keys, the batch); never called from a worker.
 */
#ifndef SEKISHO_CONTROL_TA_DNSKEY_H
#define SEKISHO_CONTROL_TA_DNSKEY_H

#include <stddef.h>
#include <stdint.h>

#include "rfc5011.h"
#include "validate.h"
#include "validate_chain.h"

#define TA_DNSKEY_MAX 16    /* keys in one DNSKEY RRset (the root has 2 to 4) */
#define TA_DNSKEY_SIGS_MAX 16 /* RRSIGs over it that are looked at */

/* What one DNSKEY answer says. @refresh points into this struct (@seen, @data). */
struct ta_dnskey_answer {
	struct rfc5011_refresh refresh;   /* for rfc5011_refresh_ok() */
	struct rfc5011_seen_key seen[TA_DNSKEY_MAX]; /* the keys that can be anchors */
	unsigned n_records;               /* DNSKEY records in the set */
	unsigned n_sigs;                  /* RRSIGs over the set in the answer */
	unsigned n_verified;              /* of those, verified with a key of the set */
	uint16_t signer_tag;              /* the trusted key whose RRSIG was taken */
	uint16_t rdoff[TA_DNSKEY_MAX];
	uint16_t rdlen[TA_DNSKEY_MAX];
	uint8_t data[TA_DNSKEY_MAX * VALIDATE_DNSKEY_RDATA_MAX];
};

struct ta_dnskey_verifier;

/* ta_dnskey_verifier_create - a verifier with its own batch, under @policy (which
 * algorithms and DS digests count). NULL when out of memory. */
struct ta_dnskey_verifier *ta_dnskey_verifier_create(const struct validate_policy *policy);

/* ta_dnskey_verifier_destroy - free it (NULL is fine). */
void ta_dnskey_verifier_destroy(struct ta_dnskey_verifier *v);

/*
 * ta_dnskey_read - read the DNS response @msg (@len bytes) to "@owner DNSKEY IN" into
 * @out: the DNSKEY RRset of its answer section (duplicates dropped), for each key
 * whether an RRSIG it made over the set verifies (seen[i].self_signed), and the
 * original TTL and expiration of an RRSIG that verifies with a trusted key: a key of
 * @trusted (@n_trusted anchors, DNSKEY or DS, at @owner; the REVOKE bit of a trusted
 * key revoking itself is allowed) - one by an unrevoked key preferred.
 * RRSIGs are checked at @now (UNIX seconds) with @skew seconds either side.
 * Returns 0; -EBADMSG (malformed, not a NOERROR response, another question);
 * -ENODATA (no DNSKEY record at @owner); -E2BIG (more than TA_DNSKEY_MAX keys);
 * -EPERM (no RRSIG over the set verifies with a trusted key); -ENOMEM.
 */
int ta_dnskey_read(struct ta_dnskey_verifier *v, const uint8_t *msg, size_t len,
		   const uint8_t *owner, size_t owner_len,
		   const struct validate_anchor *trusted, unsigned n_trusted, uint64_t now,
		   uint32_t skew, struct ta_dnskey_answer *out);

/* ta_dnskey_strerror - a short reason for a return value of ta_dnskey_read(). */
const char *ta_dnskey_strerror(int rc);

#endif /* SEKISHO_CONTROL_TA_DNSKEY_H */
