/*
 * selftest.c - the self-test's judges (selftest.h): answers in, one OK/FAIL line out.
 *
 * Pure C: no DPDK, no daemon. A FAIL line names the question and what to fix, so an
 * operator can act on the line alone; the unit tests (tests/unit/selftest) go through
 * every reason.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "selftest.h"
#include "validate.h"
#include "wire.h"
#include "wire_edns.h"
#include "wire_text.h"

static const char *const check_names[SELFTEST_N_CHECKS] = {
	[SELFTEST_ANCHOR] = "trust-anchor",
	[SELFTEST_LARGE] = "fragmented-udp",
	[SELFTEST_TCP] = "tcp-fallback",
	[SELFTEST_GOOD] = "good-name",
	[SELFTEST_BOGUS] = "bogus-name",
};

const char *selftest_check_name(enum selftest_check c)
{
	return (unsigned)c < SELFTEST_N_CHECKS ? check_names[c] : "?";
}

/* ---- text helpers ----------------------------------------------------------------- */

/* Write a line's detail (OK) or reason (FAIL) into @out and return @ok, so that a
 * judge ends with `return verdict(...)`. */
static bool verdict(bool ok, char *out, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool verdict(bool ok, char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (cap == 0)
		return ok;
	va_start(ap, fmt);
	vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	return ok;
}

/* 4012 -> "4,012": sizes as operators read them. */
static const char *thousands(unsigned v, char *buf, size_t cap)
{
	if (v >= 1000)
		snprintf(buf, cap, "%u,%03u", v / 1000, v % 1000);
	else
		snprintf(buf, cap, "%u", v);
	return buf;
}

static const char *rcode_text(unsigned rcode)
{
	const char *n = wire_text_rcode_name(rcode);

	return n != NULL ? n : "an unusual rcode";
}

/* "SERVFAIL (EDE 7)" or "NXDOMAIN". */
static const char *outcome(const struct selftest_answer *a, char *buf, size_t cap)
{
	if (a->ede >= 0)
		snprintf(buf, cap, "%s (EDE %d)", rcode_text(a->rcode), a->ede);
	else
		snprintf(buf, cap, "%s", rcode_text(a->rcode));
	return buf;
}

/* "big.ecdsa.test TXT": the question a line is about. */
static const char *subject(const struct config_selftest_name *n, char *buf, size_t cap)
{
	const char *t = wire_text_type_name(n->type);

	if (t != NULL)
		snprintf(buf, cap, "%.100s %s", n->name, t);
	else
		snprintf(buf, cap, "%.100s TYPE%u", n->name, n->type);
	return buf;
}

/* Why no answer came (a->err != 0); @hint follows a timeout. */
static bool no_answer(const char *who, const struct selftest_answer *a, const char *hint,
		      char *out, size_t cap)
{
	if (a->err == -ETIMEDOUT)
		return verdict(false, out, cap, "%s: no answer within %u s%s%s", who,
			       SELFTEST_TIMEOUT_MS / 1000, hint[0] ? ": " : "", hint);
	if (a->err == -ENOTSUP)
		return verdict(false, out, cap, "%s: cannot ask a worker: the self-test needs "
			       "recursion (root-hints) and the exception path", who);
	if (a->err == -ENOMEM)
		return verdict(false, out, cap, "%s: cannot ask a worker: no message object "
			       "free", who);
	return verdict(false, out, cap, "%s: cannot ask a worker (error %d)", who, a->err);
}

static bool not_configured(const char *option, const char *what, char *out, size_t cap)
{
	return verdict(false, out, cap, "not configured: set %s to %s", option, what);
}

/* Answered by no server at all (local data; cache is ruled out by CTLQ_NOCACHE). */
static bool no_upstream(const struct selftest_answer *a)
{
	return !a->udp && !a->fragmented && !a->tcp;
}

/* SERVFAIL because no server answered (EDE 22 No Reachable Authority, 23 Network
 * Error): for a large answer, what lost fragments look like. */
static bool unreachable(const struct selftest_answer *a)
{
	return a->ede == WIRE_EDE_NO_REACHABLE_AUTHORITY || a->ede == WIRE_EDE_NETWORK_ERROR;
}

/* ---- trust anchor ----------------------------------------------------------------- */

/* " DS 20326": one root anchor as operators know it, by key tag. */
static int anchor_text(const struct validate_anchor *an, char *buf, size_t cap)
{
	uint16_t tag;

	if (an->type == WIRE_TYPE_DS && an->rdlen >= 2)
		tag = (uint16_t)(an->rdata[0] << 8 | an->rdata[1]);
	else
		tag = validate_key_tag(an->rdata, an->rdlen);
	return snprintf(buf, cap, " %s %u", an->type == WIRE_TYPE_DS ? "DS" : "DNSKEY", tag);
}

/* " 38696 valid": each key of the RFC 5011 trust point with its state, into @buf. */
static unsigned rfc5011_keys(const struct rfc5011_point *tp, char *buf, size_t cap)
{
	size_t used = 0;
	unsigned trusted = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < tp->n_keys && i < RFC5011_KEYS_MAX; i++) {
		const struct rfc5011_key *k = &tp->keys[i];

		if (k->state == RFC5011_VALID || k->state == RFC5011_MISSING)
			trusted++;
		if (used + 24 < cap)
			used += (size_t)snprintf(buf + used, cap - used, " %u %s", k->tag,
						 rfc5011_state_name(k->state));
	}
	return trusted;
}

/* RFC 5011 on: trust must rest on a root key that a validated refresh made Valid. */
static bool judge_rfc5011(const struct rfc5011_point *tp, char *out, size_t cap)
{
	char keys[SELFTEST_DETAIL_MAX - 64];
	unsigned trusted = rfc5011_keys(tp, keys, sizeof(keys));

	if (trusted > 0)
		return verdict(true, out, cap, "validation on, RFC 5011 root keys:%s", keys);
	if (tp->n_keys == 0)
		return verdict(false, out, cap, "RFC 5011: no root key valid yet (%u initial DS, "
			       "no validated refresh): check that \". DNSKEY\" resolves and "
			       "validates (sekishoctl trust-anchors)", tp->n_ds);
	return verdict(false, out, cap, "RFC 5011: no root key valid:%s (sekishoctl "
		       "trust-anchors; an addpend key becomes valid after its hold-down)",
		       keys);
}

bool selftest_judge_anchor(const struct validate_chain_conf *conf, bool configured,
			   const struct rfc5011_point *tp, char *out, size_t cap)
{
	char list[SELFTEST_DETAIL_MAX] = "";
	size_t used = 0;
	unsigned n_root = 0;

	if (conf == NULL && !configured)
		return verdict(false, out, cap, "validation is off: set dnssec-validation: yes "
			       "with the root's trust anchor (trust-anchor-file: root.ds)");
	if (conf == NULL)
		return verdict(false, out, cap, "validation is off: no trust anchor was loaded "
			       "(needs root-hints and a trust-anchor-file or trust-anchor)");
	for (unsigned i = 0; i < conf->n_anchors; i++) {
		const struct validate_anchor *an = &conf->anchors[i];

		if (an->owner_len != 1) /* the root's wire name is one zero octet */
			continue;
		n_root++;
		if (used + 16 < sizeof(list))
			used += (size_t)anchor_text(an, list + used, sizeof(list) - used);
	}
	if (n_root == 0)
		return verdict(false, out, cap, "no trust anchor for the root (%u for other "
			       "zones): add the root's DS records (conf/root.ds)", conf->n_anchors);
	if (tp != NULL)
		return judge_rfc5011(tp, out, cap);
	return verdict(true, out, cap, "validation on, %u root anchor%s:%s", n_root,
		       n_root == 1 ? "" : "s", list);
}

/* ---- a ~4,000-byte answer over fragmented UDP ------------------------------------- */

/* It came over TCP: was our EDNS size too small, or did the path lose the fragments? */
static bool large_over_tcp(const char *who, uint32_t edns_size,
			   const struct selftest_answer *a, char *out, size_t cap)
{
	char sz[16];

	thousands(a->size, sz, sizeof(sz));
	if (edns_size < a->size)
		return verdict(false, out, cap, "%s: the answer of %s bytes came over TCP: "
			       "edns-buffer-size %u is below it (raise it to 4096)", who, sz,
			       edns_size);
	return verdict(false, out, cap, "%s: the answer of %s bytes came over TCP although "
		       "edns-buffer-size is %u: IP fragments are dropped on the path (let them "
		       "through) or its servers cap UDP answers", who, sz, edns_size);
}

bool selftest_judge_large(const struct config_selftest_name *n, uint32_t edns_size,
			  const struct selftest_answer *a, char *out, size_t cap)
{
	char who[128], sz[16], res[48];

	if (n->name[0] == '\0')
		return not_configured("selftest-large-name", "a name with a ~4,000-byte answer "
				      "(NAME TXT)", out, cap);
	subject(n, who, sizeof(who));
	if (a->err != 0)
		return no_answer(who, a, "IP fragments dropped on the path, and TCP too?", out,
				 cap);
	if (a->rcode == WIRE_RCODE_SERVFAIL && !a->tcp && unreachable(a))
		return verdict(false, out, cap, "%s: %s: its servers' answers never arrived: are "
			       "IP fragments dropped on the path? (let them through)", who,
			       outcome(a, res, sizeof(res)));
	if (a->rcode != WIRE_RCODE_NOERROR)
		return verdict(false, out, cap, "%s: %s: the name does not resolve, so the path "
			       "cannot be checked", who, outcome(a, res, sizeof(res)));
	if (a->tcp)
		return large_over_tcp(who, edns_size, a, out, cap);
	if (no_upstream(a))
		return verdict(false, out, cap, "%s: answered without asking its servers (local "
			       "data): choose a name served elsewhere", who);
	thousands(a->udp_max, sz, sizeof(sz));
	if (a->udp_max < SELFTEST_LARGE_MIN)
		return verdict(false, out, cap, "%s: the UDP answer of %s bytes is too small to "
			       "prove that 4,096-byte answers arrive: choose a name with a "
			       "~4,000-byte answer", who, sz);
	if (!a->fragmented)
		return verdict(false, out, cap, "%s: the answer of %s bytes came in one datagram "
			       "(path MTU above it): fragment reassembly was not exercised", who,
			       sz);
	return verdict(true, out, cap, "%s: %s bytes over fragmented UDP (edns-buffer-size "
		       "%u)", who, sz, edns_size);
}

/* ---- TCP fallback ----------------------------------------------------------------- */

bool selftest_judge_tcp(const struct config_selftest_name *n,
			const struct selftest_answer *a, char *out, size_t cap)
{
	char who[128], sz[16], res[48];

	if (n->name[0] == '\0')
		return not_configured("selftest-tcp-name", "a name whose servers answer TC=1 "
				      "over UDP (or whose answer passes 4,096 bytes)", out, cap);
	subject(n, who, sizeof(who));
	if (a->err != 0)
		return no_answer(who, a, "is TCP port 53 to its servers blocked?", out, cap);
	if (a->rcode != WIRE_RCODE_NOERROR && !a->tcp)
		return verdict(false, out, cap, "%s: %s without an answer over TCP: is TCP port "
			       "53 to its servers blocked?", who, outcome(a, res, sizeof(res)));
	if (a->rcode != WIRE_RCODE_NOERROR)
		return verdict(false, out, cap, "%s: %s after an answer over TCP: the name does "
			       "not resolve", who, outcome(a, res, sizeof(res)));
	if (no_upstream(a))
		return verdict(false, out, cap, "%s: answered without asking its servers (local "
			       "data): choose a name served elsewhere", who);
	thousands(a->size, sz, sizeof(sz));
	if (!a->tcp)
		return verdict(false, out, cap, "%s: answered over UDP (%s bytes), not TCP: "
			       "choose a name whose servers answer TC=1 over UDP", who, sz);
	return verdict(true, out, cap, "%s: NOERROR over TCP after TC=1 (%s bytes)", who, sz);
}

/* ---- a known-good name validates -------------------------------------------------- */

bool selftest_judge_good(const struct config_selftest_name *n,
			 const struct selftest_answer *a, char *out, size_t cap)
{
	char who[128], res[48];

	if (n->name[0] == '\0')
		return not_configured("selftest-good-name", "a name in a signed zone", out, cap);
	subject(n, who, sizeof(who));
	if (a->err != 0)
		return no_answer(who, a, "", out, cap);
	if (a->rcode == WIRE_RCODE_SERVFAIL)
		return verdict(false, out, cap, "%s: %s: a name that should validate does not: "
			       "check the clock, the trust anchor and that the name is signed",
			       who, outcome(a, res, sizeof(res)));
	if (a->rcode != WIRE_RCODE_NOERROR)
		return verdict(false, out, cap, "%s: %s: selftest-good-name must be a name that "
			       "exists", who, outcome(a, res, sizeof(res)));
	if (!a->ad)
		return verdict(false, out, cap, "%s: NOERROR without AD: not validated "
			       "(validation off, an unsigned name, or a negative trust anchor "
			       "above it)", who);
	return verdict(true, out, cap, "%s: NOERROR, AD=1 (validated)", who);
}

/* ---- a known-bogus name is rejected ----------------------------------------------- */

bool selftest_judge_bogus(const struct config_selftest_name *n,
			  const struct selftest_answer *checked,
			  const struct selftest_answer *cd, char *out, size_t cap)
{
	char who[128], res[48];

	if (n->name[0] == '\0')
		return not_configured("selftest-bogus-name", "a name whose signatures are "
				      "broken (dnssec-failed.org.)", out, cap);
	subject(n, who, sizeof(who));
	if (checked->err != 0)
		return no_answer(who, checked, "", out, cap);
	if (checked->rcode != WIRE_RCODE_SERVFAIL)
		return verdict(false, out, cap, "%s: %s (AD=%d) with CD=0: a known-bogus name "
			       "was accepted (validation off, or a negative trust anchor above "
			       "it?)", who, outcome(checked, res, sizeof(res)),
			       checked->ad ? 1 : 0);
	if (cd->err != 0 || cd->rcode != WIRE_RCODE_NOERROR || cd->ancount == 0)
		return verdict(false, out, cap, "%s: SERVFAIL, and no data with CD=1 either "
			       "(%s): unreachable, so the SERVFAIL proves nothing: choose a "
			       "reachable bogus name", who,
			       cd->err != 0 ? "no answer" : outcome(cd, res, sizeof(res)));
	return verdict(true, out, cap, "%s: %s with CD=0, data with CD=1: rejected by "
		       "validation", who, outcome(checked, res, sizeof(res)));
}

/* ---- lines -------------------------------------------------------------------------- */

bool selftest_line(struct selftest_tally *t, enum selftest_check c, bool ok,
		   const char *detail, char *out, size_t cap)
{
	t->run++;
	if (!ok && (unsigned)c < SELFTEST_N_CHECKS && !t->fail[c]) {
		t->fail[c] = true;
		t->failed++;
	}
	return verdict(ok, out, cap, "%s %s: %s", ok ? "OK" : "FAIL", selftest_check_name(c),
		       detail);
}

void selftest_summary(const struct selftest_tally *t, char *out, size_t cap)
{
	size_t n;

	if (t->failed == 0) {
		verdict(true, out, cap, "selftest: all %u checks OK", t->run);
		return;
	}
	verdict(false, out, cap, "selftest: %u of %u checks FAILED:", t->failed, t->run);
	for (unsigned c = 0; c < SELFTEST_N_CHECKS; c++) {
		n = strlen(out);
		if (t->fail[c] && n + 1 < cap)
			verdict(false, out + n, cap - n, " %s", check_names[c]);
	}
}
