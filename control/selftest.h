/*
 * selftest.h - `sekishoctl selftest`: what the 2017 root KSK rollover notice told
 * operators to check, one line each, in this order:
 *
 *   trust-anchor     validation is on with at least one trust anchor for the root
 *                    (with RFC 5011: a root key in state Valid)
 *   fragmented-udp   a ~4,000-byte answer arrives over UDP as IP fragments (not TCP)
 *   tcp-fallback     a name whose servers answer TC=1 over UDP resolves over TCP
 *   good-name        a known-good signed name validates: NOERROR, AD=1
 *   bogus-name       a known-bogus name is rejected: SERVFAIL with CD=0, data with CD=1
 *                    (so the SERVFAIL comes from validation, not from reachability)
 *
 * Each line is "OK <check>: <detail>" or "FAIL <check>: <reason>", the reason saying
 * what to fix; a summary line follows. The names come from the config
 * (selftest-*-name); every resolution is fresh (CTLQ_NOCACHE), so the test measures
 * the path to the authoritative servers, not the cache.
 *
 * Two halves. selftest.c judges (pure C over the config's names, the validator's
 * anchors and the answers a worker gave; no DPDK), unit-tested in tests/unit/selftest.
 * selftest_run.c asks worker 0 through ctlq.h and writes the lines (control thread).
 */
#ifndef SEKISHO_CONTROL_SELFTEST_H
#define SEKISHO_CONTROL_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "rfc5011.h"
#include "validate_chain.h"

#define SELFTEST_LARGE_MIN   3500   /* bytes: an answer this large proves that ~4 KB
                                     * rollover answers get through */
#define SELFTEST_TIMEOUT_MS  8000   /* per question; six questions at most, well
                                     * inside sekishoctl's 60 s wait */
#define SELFTEST_DETAIL_MAX  224    /* a line is at most 255 bytes (CTL_LINE_MAX) */

enum selftest_check {
	SELFTEST_ANCHOR,
	SELFTEST_LARGE,
	SELFTEST_TCP,
	SELFTEST_GOOD,
	SELFTEST_BOGUS,
	SELFTEST_N_CHECKS,
};

/* What one question gave: filled from ctlq_resolve()'s result by selftest_run.c. */
struct selftest_answer {
	int err;                /* 0, or ctlq_resolve()'s negative errno (-ETIMEDOUT...);
	                         * -ENOENT: not asked (the name is not configured) */
	uint8_t rcode;
	bool ad;
	int ede;                /* -1: none */
	bool udp;               /* upstream answers taken: UDP in one datagram, */
	bool fragmented;        /* UDP reassembled from IP fragments, */
	bool tcp;               /* TCP; none of them: cache or local data */
	uint16_t udp_max;       /* largest upstream UDP answer (bytes) */
	uint16_t size;          /* the answer message (bytes) */
	uint16_t ancount;
};

/* The checks run so far, for the summary line. */
struct selftest_tally {
	unsigned run;
	unsigned failed;
	bool fail[SELFTEST_N_CHECKS];
};

/* The check's name as printed ("fragmented-udp"). */
const char *selftest_check_name(enum selftest_check c);

/*
 * The judges: each writes the detail (OK) or the reason (FAIL) into @out (@cap bytes,
 * SELFTEST_DETAIL_MAX is enough; cut when longer) and returns true for OK.
 *
 * selftest_judge_anchor - @conf: the validator's anchors, NULL when validation is off;
 * @configured: dnssec-validation is yes in the config; @tp: the root's RFC 5011 trust
 * point, NULL when RFC 5011 is off (then the configured anchors are enough). With RFC
 * 5011 a root key must be Valid (or Missing: absent but still trusted).
 */
bool selftest_judge_anchor(const struct validate_chain_conf *conf, bool configured,
			   const struct rfc5011_point *tp, char *out, size_t cap);

/* selftest_judge_large - @n: selftest-large-name; @edns_size: edns-buffer-size;
 * @a: the answer with DO. */
bool selftest_judge_large(const struct config_selftest_name *n, uint32_t edns_size,
			  const struct selftest_answer *a, char *out, size_t cap);

/* selftest_judge_tcp - @n: selftest-tcp-name; @a: its answer. */
bool selftest_judge_tcp(const struct config_selftest_name *n,
			const struct selftest_answer *a, char *out, size_t cap);

/* selftest_judge_good - @n: selftest-good-name; @a: its answer with DO. */
bool selftest_judge_good(const struct config_selftest_name *n,
			 const struct selftest_answer *a, char *out, size_t cap);

/* selftest_judge_bogus - @n: selftest-bogus-name; @checked: its answer with DO;
 * @cd: with DO and CD (ignored unless @checked is a SERVFAIL). */
bool selftest_judge_bogus(const struct config_selftest_name *n,
			  const struct selftest_answer *checked,
			  const struct selftest_answer *cd, char *out, size_t cap);

/*
 * selftest_line - "OK <check>: <detail>" or "FAIL <check>: <detail>" into @out, and
 * count it in @t. Returns @ok.
 */
bool selftest_line(struct selftest_tally *t, enum selftest_check c, bool ok,
		   const char *detail, char *out, size_t cap);

/* selftest_summary - "selftest: all 5 checks OK" or "selftest: 2 of 5 checks FAILED:
 * fragmented-udp tcp-fallback" into @out. */
void selftest_summary(const struct selftest_tally *t, char *out, size_t cap);

struct daemon;
struct ctl_reply;

/*
 * selftest_command - the `selftest` control command (commands.c): runs every check
 * through worker 0 (ctlq.h; blocks the control thread for up to six times
 * SELFTEST_TIMEOUT_MS) and replies one line per check and the summary.
 * Returns 0 when every check is OK, -EIO when one failed (sekishoctl exits 1).
 */
int selftest_command(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r);

#endif
