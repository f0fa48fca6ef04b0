/*
 * tsig.h - TSIG (RFC 8945) for the control channel: keys, key files, signing and
 * verifying DNS messages with HMAC-SHA256/384/512 (RFC 4635 algorithm names).
 * tsig.c: HMAC, sign, verify. tsig_keyfile.c: key files, key generation.
 *
 * The HMAC is computed by Intel ipsec-mb (tsig.c is the only file here that includes
 * its header). Each thread has one ipsec-mb manager, the validator's (validate_imb_mgr,
 * made on first use: the only allocation; tsig_thread_cleanup() frees it), and a
 * thread-local scratch buffer where
 * the digest input is laid out: [request MAC] message TSIG-variables (§4.3.3).
 * Signing and verifying never allocate and never block.
 *
 * Key files use BIND's syntax (several keys per file; comments #, // and C style):
 *     key "ctl.sekisho." { algorithm hmac-sha256; secret "base64=="; };
 * Errors are reported as "FILE:LINE: reason", like config.c.
 *
 * Only full-length MACs are produced and accepted (no truncation, no BADTRUNC).
 */
#ifndef SEKISHO_TSIG_H
#define SEKISHO_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define TSIG_SECRET_MAX     128 /* bytes of one key's secret */
#define TSIG_MAC_MAX        64  /* HMAC-SHA512 */
#define TSIG_KEYS_MAX       16  /* keys in one keyring (key file) */
#define TSIG_FUDGE_DEFAULT  300 /* seconds */
/* Bytes a TSIG record may add to a message: owner and algorithm names, fixed fields,
 * the longest MAC and 6 bytes of other data (the server time of a BADTIME answer). */
#define TSIG_RR_MAX (WIRE_NAME_MAX + 10 + WIRE_NAME_MAX + 16 + TSIG_MAC_MAX + 6)

enum tsig_alg {
	TSIG_ALG_HMAC_SHA256 = 0,
	TSIG_ALG_HMAC_SHA384 = 1,
	TSIG_ALG_HMAC_SHA512 = 2,
};

/* Errors: negative values; 0 is success. tsig_err_rcode() maps them to what goes on
 * the wire. */
enum tsig_err {
	TSIG_OK = 0,
	TSIG_EFORMERR = -1, /* malformed message or TSIG record: answer FORMERR */
	TSIG_ENOSIG = -2,   /* well-formed message without a TSIG record */
	TSIG_EBADKEY = -3,  /* key name or algorithm not known */
	TSIG_EBADSIG = -4,  /* MAC does not match (or is truncated) */
	TSIG_EBADTIME = -5, /* MAC good, time signed outside fudge of now */
	TSIG_ENOSPC = -6,   /* the signed message does not fit in the buffer */
	TSIG_EINVAL = -7,   /* bad argument */
	TSIG_ENOMEM = -8,   /* no ipsec-mb manager for this thread */
	TSIG_EIO = -9,      /* key file cannot be read or written */
	TSIG_EPARSE = -10,  /* key file syntax or value error; see the message */
};

/* One shared secret. name: uncompressed wire form, lowercased (canonical). */
struct tsig_key {
	uint8_t name[WIRE_NAME_MAX];
	uint8_t name_len;
	enum tsig_alg alg;
	uint8_t secret_len;
	uint8_t secret[TSIG_SECRET_MAX];
};

/* The keys of one key file. */
struct tsig_keyring {
	unsigned count;
	struct tsig_key keys[TSIG_KEYS_MAX];
};

/* What a signature carried: filled by tsig_sign() and tsig_verify(). A server signs
 * its response with req_mac = the request's mac. */
struct tsig_info {
	const struct tsig_key *key; /* the key that signed (NULL when none matched) */
	uint64_t time_signed;       /* seconds since the epoch, 48 bits */
	uint16_t fudge;
	uint16_t orig_id;           /* the message ID before any rewrite */
	uint16_t error;             /* TSIG error field (0, or WIRE_RCODE_BADTIME, ...) */
	uint8_t mac_len;
	uint8_t mac[TSIG_MAC_MAX];
};

/* Short constant text for logs; never NULL. */
const char *tsig_strerror(int err);

/* RFC 8945 rcode for a verify failure: FORMERR for malformed, else the TSIG error
 * field value (WIRE_RCODE_BADSIG=16, BADKEY=17, BADTIME=18); 0 for anything else. */
uint16_t tsig_err_rcode(int err);

/* ---- Algorithms and HMAC ----------------------------------------------------------- */

/* Digest (= MAC) length of @alg: 32, 48 or 64; 0 for an unknown value. */
size_t tsig_alg_mac_len(enum tsig_alg alg);

/* Presentation name ("hmac-sha256"); NULL for an unknown value. */
const char *tsig_alg_name(enum tsig_alg alg);

/*
 * tsig_alg_from_name - algorithm from its presentation name (case-insensitive,
 * @len bytes, trailing dot allowed). Returns 0 and sets *alg, or TSIG_EINVAL.
 */
int tsig_alg_from_name(const char *text, size_t len, enum tsig_alg *alg);

/*
 * tsig_hmac - HMAC (RFC 2104) of @data with @key of any length, through ipsec-mb.
 * @out: receives tsig_alg_mac_len(alg) bytes.
 * Returns the MAC length, TSIG_EINVAL (unknown alg) or TSIG_ENOMEM.
 */
int tsig_hmac(enum tsig_alg alg, const uint8_t *key, size_t key_len,
	      const uint8_t *data, size_t len, uint8_t *out);

/* Frees this thread's ipsec-mb manager (made again on next use). */
void tsig_thread_cleanup(void);

/* ---- Signing and verifying ------------------------------------------------------- */

/* Parameters of one signature. */
struct tsig_sign_params {
	uint64_t now;            /* time signed: seconds since the epoch (< 2^48) */
	uint16_t fudge;          /* usually TSIG_FUDGE_DEFAULT */
	uint16_t error;          /* TSIG error field: 0 except in error responses */
	const uint8_t *other;    /* other data (BADTIME: our time, 6 bytes), or NULL */
	uint16_t other_len;      /* at most 6 */
	const uint8_t *req_mac;  /* response: the request's MAC; NULL for a request */
	size_t req_mac_len;
};

/*
 * tsig_sign - append a TSIG record to the message in @msg and count it in ARCOUNT.
 *
 * @msg, @len: a complete message; @cap: bytes the buffer holds (len + TSIG_RR_MAX
 * always suffices). @out_len: the signed message's length. @info: if not NULL,
 * receives the MAC (to chain a response to) and the fields written.
 * The MAC covers [request MAC], the message as given, and the TSIG variables.
 * Returns TSIG_OK, TSIG_EFORMERR (@msg is not a message, or is already signed),
 * TSIG_ENOSPC, TSIG_EINVAL or TSIG_ENOMEM. On error @msg is unchanged.
 */
int tsig_sign(uint8_t *msg, size_t len, size_t cap, const struct tsig_key *key,
	      const struct tsig_sign_params *p, size_t *out_len, struct tsig_info *info);

/*
 * tsig_verify - check the TSIG record at the end of a message and strip it.
 *
 * The TSIG must be the last additional record (and only one). The steps follow
 * RFC 8945 §5.2: key name and algorithm must match a key in @keys (BADKEY); the MAC
 * over [@req_mac], the message with its original ID and ARCOUNT less one, and the
 * TSIG variables must equal the one sent, compared in constant time (BADSIG); the
 * time signed must be within its fudge of @now (BADTIME).
 *
 * @msg, @len: the message as received; it is rewritten in place when the MAC is
 * good (TSIG_OK and TSIG_EBADTIME): *out_len then excludes the TSIG record, ARCOUNT
 * is one less and the ID is the original ID, so the caller sees the plain message.
 * On other errors @msg is unchanged.
 * @req_mac, @req_mac_len: when verifying a response, the request's MAC; else NULL.
 * @info: if not NULL, receives the record's fields (key NULL on BADKEY; mac set
 * whenever the record could be read, for a BADTIME answer to chain to).
 * Returns TSIG_OK, TSIG_EFORMERR, TSIG_ENOSIG, TSIG_EBADKEY, TSIG_EBADSIG,
 * TSIG_EBADTIME, TSIG_EINVAL or TSIG_ENOMEM.
 */
int tsig_verify(uint8_t *msg, size_t len, const struct tsig_keyring *keys, uint64_t now,
		const uint8_t *req_mac, size_t req_mac_len, size_t *out_len,
		struct tsig_info *info);

/* ---- Keys and key files ------------------------------------------------------------ */

/*
 * tsig_keys_parse - parse key statements from @text (@len bytes) into @keys.
 * @source: file name for messages. @err, @errlen: "SOURCE:LINE: reason" on error.
 * Key names must be distinct; each key needs exactly one algorithm and one secret.
 * Returns TSIG_OK or TSIG_EPARSE.
 */
int tsig_keys_parse(const char *text, size_t len, const char *source,
		    struct tsig_keyring *keys, char *err, size_t errlen);

/* tsig_keys_load - tsig_keys_parse() on the file at @path. Also TSIG_EIO. */
int tsig_keys_load(const char *path, struct tsig_keyring *keys, char *err, size_t errlen);

/*
 * tsig_key_find - the key with this name (case-insensitive) and algorithm, or NULL.
 */
const struct tsig_key *tsig_key_find(const struct tsig_keyring *keys, const uint8_t *name,
				     size_t name_len, enum tsig_alg alg);

/*
 * tsig_key_generate - a new key named @name (presentation form) with a secret from
 * getrandom() as long as the algorithm's MAC. Returns TSIG_OK, TSIG_EINVAL (bad
 * name) or TSIG_EIO (no randomness).
 */
int tsig_key_generate(const char *name, enum tsig_alg alg, struct tsig_key *key);

/*
 * tsig_key_format - write @key as one key statement in BIND's form, with a newline.
 * Returns the length written (without the NUL) or TSIG_ENOSPC.
 */
int tsig_key_format(const struct tsig_key *key, char *out, size_t cap);

#endif /* SEKISHO_TSIG_H */
