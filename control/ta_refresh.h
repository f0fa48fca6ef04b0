/*
 * ta_refresh.h - RFC 5011 management of the root's trust anchors: the state file at
 * start-up, what one refresh answer does to the keys, the anchors the validator must
 * trust afterwards, and the report `sekishoctl trust-anchors` prints. Control thread
 * only; no DPDK and no clock of its own (the caller passes "now"), so unit tests drive
 * a whole rollover through it with DNS messages on a fake clock.
 *
 * The daemon's side (control/ta_daemon.c) does the I/O around it:
 *
 *   start:   ta_refresh_init(); ta_refresh_start(initial root anchors from the config)
 *            -> ta->anchors go to the validator
 *   loop:    if (ta_refresh_due(ta, now)) ask a worker for ". DNSKEY" (DO, no cache);
 *            answer -> ta_refresh_answer(); none -> ta_refresh_no_answer()
 *            TA_REFRESH_ANCHORS_CHANGED -> publish ta->anchors to the workers
 *
 * Every refresh, good or failed, is written to the state file at once (atomically:
 * rfc5011_save()), so that a restart resumes the timers and key states where they were.
 */
#ifndef SEKISHO_CONTROL_TA_REFRESH_H
#define SEKISHO_CONTROL_TA_REFRESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfc5011.h"
#include "ta_dnskey.h"

#define TA_REFRESH_PATH_MAX 4096
#define TA_REFRESH_LOG_MAX 1024

/* What a refresh did (ta_refresh_answer, ta_refresh_no_answer). */
enum ta_refresh_result {
	TA_REFRESH_FAILED = 0,       /* no validated answer: retry at next_refresh */
	TA_REFRESH_UNCHANGED,        /* validated; no key changed state */
	TA_REFRESH_KEYS_CHANGED,     /* validated; a key changed state, trust did not */
	TA_REFRESH_ANCHORS_CHANGED,  /* the set of trusted keys changed: publish ta->anchors */
};

struct ta_refresh {
	char path[TA_REFRESH_PATH_MAX];     /* the state file */
	struct rfc5011_config cfg;
	uint32_t skew;                      /* RRSIG time window, seconds either side */
	struct rfc5011_point tp;
	struct ta_dnskey_verifier *verifier;
	/* what the validator trusts now (copies: they outlive changes to @tp) */
	unsigned n_anchors;
	struct validate_anchor anchors[VALIDATE_CHAIN_ANCHORS_MAX];
	uint8_t anchor_rdata[VALIDATE_CHAIN_ANCHORS_MAX][VALIDATE_DNSKEY_RDATA_MAX];
	/* counters, and what the last refresh did (one line per event) */
	uint64_t refreshes, failures, save_errors;
	char log[TA_REFRESH_LOG_MAX];
	struct ta_dnskey_answer answer;     /* scratch for one answer */
};

/*
 * ta_refresh_init - settings of @ta: state file @path, RFC 5011 timers @cfg (with the
 * DS digest and algorithm policy), @skew for RRSIG times. Makes the verifier.
 * Returns 0, -ENAMETOOLONG or -ENOMEM.
 */
int ta_refresh_init(struct ta_refresh *ta, const char *path, const struct rfc5011_config *cfg,
		    uint32_t skew);

/* ta_refresh_free - what ta_refresh_init() made (a zeroed @ta is fine). */
void ta_refresh_free(struct ta_refresh *ta);

/*
 * ta_refresh_start - the root's trust point: the state file when there is one (what
 * was learnt wins over the config), else the @n @initial anchors at the root (DS or
 * DNSKEY; anchors at other names are not managed), written to the state file at once.
 * Fills ta->anchors. A corrupt state file is an error ("PATH:LINE: reason" in @err),
 * never a silent start from the config. Returns 0 or a negative errno.
 */
int ta_refresh_start(struct ta_refresh *ta, const struct validate_anchor *initial,
		     unsigned n, uint64_t now, char *err, size_t errlen);

/* ta_refresh_due - is the next refresh due at @now? */
bool ta_refresh_due(const struct ta_refresh *ta, uint64_t now);

/*
 * ta_refresh_answer - one refresh answered at @now by the DNS response @msg (@len
 * bytes) with AD bit @ad. Only a validated answer (AD=1) whose DNSKEY RRset carries an
 * RRSIG by a key trusted now (ta_dnskey_read) moves any key; anything else is a failed
 * refresh (rfc5011_refresh_failed). The state file is written; ta->log says what
 * happened. Returns what the refresh did.
 */
enum ta_refresh_result ta_refresh_answer(struct ta_refresh *ta, const uint8_t *msg,
					 size_t len, bool ad, uint64_t now);

/* ta_refresh_no_answer - the refresh at @now got no answer (@why for the log). */
enum ta_refresh_result ta_refresh_no_answer(struct ta_refresh *ta, const char *why,
					    uint64_t now);

/*
 * ta_refresh_report - the trust point for `sekishoctl trust-anchors`, one line per call
 * of @line: the state file, the point's last and next refresh, then one line per key:
 *   key TAG ALG STATE first-seen=T hold-down-end=T last-refresh=T next-refresh=T
 * and one per initial DS anchor kept (trusted only while no key is):
 *   ds TAG ALG DIGEST-TYPE initial
 * Times are ISO 8601 UTC (2026-01-02T03:04:05Z), "-" for none.
 */
void ta_refresh_report(const struct ta_refresh *ta,
		       void (*line)(void *arg, const char *text), void *arg);

/* ta_refresh_time - @t as ISO 8601 UTC into @out ("-" for 0). Returns @out. */
const char *ta_refresh_time(uint64_t t, char *out, size_t cap);

#endif /* SEKISHO_CONTROL_TA_REFRESH_H */
