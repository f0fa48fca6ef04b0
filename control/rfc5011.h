/*
 * rfc5011.h - automated updates of DNSSEC trust anchors (RFC 5011): the per-key state
 * machine of one trust point (the root for now), its refresh timers, and its state
 * file. Slow path (control thread).
 *
 * The machine is pure: it never queries, never validates and reads no clock. The
 * caller fetches the trust point's DNSKEY RRset, validates it with the keys this
 * module says to trust (rfc5011_anchors()), and hands the result in:
 *
 *   at start:       rfc5011_start(&tp, path, ".", 1, initial, n, now, err, errlen)
 *                   rfc5011_anchors(&tp, conf.anchors, 16)   -> the validator's anchors
 *   at next_refresh: fetch DNSKEY; validated ->
 *                       rfc5011_refresh_ok(&tp, &cfg, &seen, now)
 *                   otherwise ->
 *                       rfc5011_refresh_failed(&tp, &cfg, now)
 *                   when either changed a key: rfc5011_save(), rebuild the anchors
 *
 * Keys (RFC 5011 §4): Start -> AddPend (a new SEP key, hold-down starts) -> Valid
 * (still there when the hold-down ends; gone from a refresh meanwhile: back to Start)
 * -> Missing (absent from a refresh; still trusted) -> Valid (back) ... -> Revoked
 * (published with the REVOKE bit and signing the RRset itself; never trusted again)
 * -> Removed (absent once the remove hold-down has passed). A key is one key whatever
 * its REVOKE bit: identity is its RDATA with that bit masked, so a revoked key that
 * comes back unrevoked stays revoked. Its key tag is computed on the RDATA as last
 * seen, REVOKE bit included.
 *
 * Trusted (rfc5011_anchors): Valid and Missing keys, or, while a trust point started
 * from DS records has no such key yet, the DS records themselves. The first validated
 * refresh makes the keys a DS names Valid and puts other new SEP keys in AddPend;
 * the DS records are dropped by the first validated refresh after which a key is
 * trusted.
 *
 * Times are UNIX seconds (uint64_t); RRSIG expirations are 32-bit serial numbers.
 */
#ifndef SEKISHO_CONTROL_RFC5011_H
#define SEKISHO_CONTROL_RFC5011_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "validate.h"
#include "validate_chain.h"

#define RFC5011_KEYS_MAX 16        /* keys remembered per trust point */
#define RFC5011_DS_MAX 8           /* initial DS anchors */
#define RFC5011_DS_RDATA_MAX (4 + VALIDATE_DIGEST_MAX)
#define RFC5011_FILE_MAX (64 * 1024) /* a state file is never longer */
#define RFC5011_FILE_VERSION 1

#define RFC5011_DAY (24u * 3600u)
#define RFC5011_HOLD_DOWN_DEFAULT (30u * RFC5011_DAY)  /* RFC 5011 §2.4.1, §2.4.2 */
#define RFC5011_MIN_DEFAULT 3600u                     /* §2.3: MAX(1 hr, ...) */
#define RFC5011_QUERY_MAX (15u * RFC5011_DAY)         /* §2.3: MIN(15 days, ...) */
#define RFC5011_RETRY_MAX RFC5011_DAY                 /* §2.3: MIN(1 day, ...) */

enum rfc5011_state {
	RFC5011_START = 0, /* seen once, then gone during its hold-down; not trusted */
	RFC5011_ADDPEND,   /* new key waiting out the add hold-down; not trusted */
	RFC5011_VALID,     /* trusted */
	RFC5011_MISSING,   /* trusted, but absent from the last refresh */
	RFC5011_REVOKED,   /* revoked by its owner; never trusted again */
	RFC5011_REMOVED,   /* revoked and gone after the remove hold-down */
	RFC5011_STATE_COUNT
};

/* Settings; rfc5011_config_default() gives the RFC's. The lab drill lowers them. */
struct rfc5011_config {
	uint64_t add_hold_down;    /* seconds; the hold-down is MAX(this, the RRset's TTL) */
	uint64_t remove_hold_down; /* seconds a revoked key is kept before Removed */
	uint32_t query_min;        /* floor of the query interval (RFC: 1 hour) */
	uint32_t retry_min;        /* floor of the retry time (RFC: 1 hour) */
	struct validate_policy policy; /* which DS digests may match an initial DS */
};

/* One key of a trust point. @rdata as last seen (REVOKE bit as published). */
struct rfc5011_key {
	enum rfc5011_state state;
	uint16_t tag;              /* of @rdata, REVOKE bit included */
	uint16_t rdlen;
	uint64_t first_seen;       /* first validated refresh that had it (this time round) */
	uint64_t hold_down_end;    /* AddPend: may become Valid; Revoked: may be Removed */
	uint64_t last_seen;        /* last validated refresh that had it */
	uint64_t last_change;      /* when it entered @state */
	uint8_t rdata[VALIDATE_DNSKEY_RDATA_MAX];
};

/* An initial DS anchor, kept until a validated refresh leaves a key trusted (then
 * dropped, so that the DS of a key revoked later never becomes an anchor again). */
struct rfc5011_ds {
	uint16_t rdlen;
	uint8_t rdata[RFC5011_DS_RDATA_MAX];
};

struct rfc5011_point {
	uint8_t owner[255];
	uint8_t owner_len;
	unsigned n_keys;
	unsigned n_ds;
	uint64_t last_refresh;     /* last validated refresh (0: none yet) */
	uint64_t next_refresh;     /* when to query the DNSKEY RRset next */
	uint32_t orig_ttl;         /* of the last validated RRset (for retry times) */
	uint32_t sig_expiration;   /* its RRSIG expiration (serial number) */
	unsigned failures;         /* refreshes failed in a row */
	struct rfc5011_key keys[RFC5011_KEYS_MAX];
	struct rfc5011_ds ds[RFC5011_DS_MAX];
};

/* One record of a validated DNSKEY RRset. */
struct rfc5011_seen_key {
	const uint8_t *rdata;
	uint16_t rdlen;
	bool self_signed; /* an RRSIG over the RRset by this very key verified (the
	                   * REVOKE bit allowed, VALIDATE_MATCH_ALLOW_REVOKED): what
	                   * makes a published REVOKE bit count */
};

/* A DNSKEY RRset that validated with a key this trust point trusts now. */
struct rfc5011_refresh {
	const struct rfc5011_seen_key *keys;
	unsigned n_keys;
	uint32_t orig_ttl;       /* the RRSIG's original TTL (or the RRset's TTL) */
	uint32_t sig_expiration; /* the validating RRSIG's expiration (serial number) */
};

/* rfc5011_config_default - 30-day hold-downs, 1-hour floors, default DS policy. */
void rfc5011_config_default(struct rfc5011_config *cfg);

/* Lower-case name of a state ("addpend"), for the state file, logs and sekishoctl. */
const char *rfc5011_state_name(enum rfc5011_state s);

/*
 * rfc5011_point_init - an empty trust point at @owner (@owner_len bytes, wire form),
 * due for a refresh at @now. Returns 0 or -EINVAL (bad name).
 */
int rfc5011_point_init(struct rfc5011_point *tp, const uint8_t *owner, size_t owner_len,
		       uint64_t now);

/*
 * rfc5011_add_initial - an initial anchor from the config (conf/root.ds): a DNSKEY
 * (@type 48: Valid at once, as configured) or a DS (@type 43: its key becomes Valid
 * when first seen in a validated refresh). Returns 0, -EINVAL (bad RDATA or type),
 * -ENOSPC (too many), -EEXIST (already there).
 */
int rfc5011_add_initial(struct rfc5011_point *tp, uint16_t type, const uint8_t *rdata,
			size_t rdlen, uint64_t now);

/*
 * rfc5011_refresh_ok - one step on a validated DNSKEY RRset @r at @now: the key
 * transitions above, then next_refresh = now + rfc5011_query_interval().
 * The set must hold a key trusted now (unrevoked, or revoking itself with its own
 * signature) or one an initial DS names; one
 * that does not is no proof of anything and is handled as a failed refresh.
 * Returns the number of keys whose state changed (>= 0), -EPERM (no trusted key in
 * the set: rfc5011_refresh_failed() was applied), -EINVAL (malformed RDATA in @r).
 */
int rfc5011_refresh_ok(struct rfc5011_point *tp, const struct rfc5011_config *cfg,
		       const struct rfc5011_refresh *r, uint64_t now);

/*
 * rfc5011_refresh_failed - the refresh at @now failed (no answer, bogus): no key
 * changes; next_refresh = now + rfc5011_retry_time() from the last good RRset.
 */
void rfc5011_refresh_failed(struct rfc5011_point *tp, const struct rfc5011_config *cfg,
			    uint64_t now);

/*
 * rfc5011_query_interval, rfc5011_retry_time - RFC 5011 §2.3 for an RRset of
 * original TTL @ttl whose RRSIG expires at @sig_expiration (serial), at @now:
 *   queryInterval = MAX(query_min, MIN(15 days, TTL/2, (expiration - now)/2))
 *   retryTime     = MAX(retry_min, MIN(1 day, TTL/10, (expiration - now)/10))
 * An expiration already past counts as 0.
 */
uint64_t rfc5011_query_interval(const struct rfc5011_config *cfg, uint32_t ttl,
				uint32_t sig_expiration, uint64_t now);
uint64_t rfc5011_retry_time(const struct rfc5011_config *cfg, uint32_t ttl,
			    uint32_t sig_expiration, uint64_t now);

/*
 * rfc5011_anchors - what the validator should trust now, as trust anchors pointing
 * into @tp (valid while @tp is unchanged): Valid and Missing keys as DNSKEY anchors,
 * or the initial DS records while no key is trusted yet. Revoked keys never.
 * Returns the number written to @out (at most @cap; 0 when every key was revoked:
 * the trust point is no longer secure, RFC 5011 §2.1).
 */
unsigned rfc5011_anchors(const struct rfc5011_point *tp, struct validate_anchor *out,
			 unsigned cap);

/* ---- State file ------------------------------------------------------------------- */

/*
 * The state file, one trust point, text, one record a line, fields separated by
 * blanks; ";" lines are comments:
 *
 *   sekisho-rfc5011 1
 *   point OWNER LAST_REFRESH NEXT_REFRESH ORIG_TTL SIG_EXPIRATION FAILURES
 *   ds OWNER HEX-RDATA                                  (initial DS, 0 or more)
 *   key OWNER STATE TAG FIRST_SEEN HOLD_DOWN_END LAST_SEEN LAST_CHANGE HEX-RDATA
 *   end N_KEYS N_DS
 *
 * The "end" line makes a truncated file detectable. It is replaced atomically: the
 * text goes to PATH.tmp in the same directory, is fsync'ed and renamed over PATH,
 * then the directory is fsync'ed; a crash leaves PATH old or new, never partial, and
 * a stale PATH.tmp is never read.
 */

/* rfc5011_format - the state file text of @tp. Returns its length, or -ENOSPC. */
int rfc5011_format(const struct rfc5011_point *tp, char *buf, size_t cap);

/*
 * rfc5011_parse - read state file text (@name for messages) into @tp; every line is
 * checked (fields, numbers, state names, RDATA, key tag, one owner, the end line).
 * Returns 0, or -EINVAL with "NAME:LINE: reason" in @err (and @tp unspecified).
 */
int rfc5011_parse(struct rfc5011_point *tp, const char *text, size_t len,
		  const char *name, char *err, size_t errlen);

/*
 * rfc5011_save - write @tp to @path atomically (see above).
 * Returns 0, or a negative errno with "PATH: reason" in @err.
 */
int rfc5011_save(const struct rfc5011_point *tp, const char *path, char *err, size_t errlen);

/*
 * rfc5011_load - read @path into @tp. Returns 0, -ENOENT (no file; @err set),
 * -EINVAL (bad content: "PATH:LINE: reason"), or another negative errno.
 */
int rfc5011_load(struct rfc5011_point *tp, const char *path, char *err, size_t errlen);

/*
 * rfc5011_start - the trust point at start-up: the state file at @path when there is
 * one (it wins over the config: it holds what was learnt), else a fresh trust point
 * at @owner with the @n @initial anchors (DS or DNSKEY, from trust-anchor-file),
 * saved at once. Anchors at other owners are skipped.
 * Returns 0, or a negative errno with the reason in @err.
 */
int rfc5011_start(struct rfc5011_point *tp, const char *path, const uint8_t *owner,
		  size_t owner_len, const struct validate_anchor *initial, unsigned n,
		  uint64_t now, char *err, size_t errlen);

#endif /* SEKISHO_CONTROL_RFC5011_H */
