/*
 * ta_refresh.c - RFC 5011 management of the root's anchors: start, refresh, report.
 * See ta_refresh.h. Control thread only.
 */
#include "ta_refresh.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>


static const uint8_t root_name[] = { 0 };

int ta_refresh_init(struct ta_refresh *ta, const char *path, const struct rfc5011_config *cfg,
		    uint32_t skew)
{
	memset(ta, 0, sizeof(*ta));
	if (strlen(path) >= sizeof(ta->path))
		return -ENAMETOOLONG;
	memcpy(ta->path, path, strlen(path) + 1);
	ta->cfg = *cfg;
	ta->skew = skew;
	ta->verifier = ta_dnskey_verifier_create(&cfg->policy);
	return ta->verifier == NULL ? -ENOMEM : 0;
}

void ta_refresh_free(struct ta_refresh *ta)
{
	ta_dnskey_verifier_destroy(ta->verifier);
	ta->verifier = NULL;
}

/* ---- The log of one step ------------------------------------------------------------ */

static void log_line(struct ta_refresh *ta, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void log_line(struct ta_refresh *ta, const char *fmt, ...)
{
	size_t used = strlen(ta->log);
	va_list ap;
	int n;

	if (used + 2 >= sizeof(ta->log))
		return;
	if (used > 0)
		ta->log[used++] = '\n';
	va_start(ap, fmt);
	n = vsnprintf(ta->log + used, sizeof(ta->log) - used, fmt, ap);
	va_end(ap);
	if (n < 0)
		ta->log[used] = '\0';
}

const char *ta_refresh_time(uint64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, cap, "-");
	return out;
}

/* ---- Anchors --------------------------------------------------------------------------- */

static bool anchor_equal(const struct validate_anchor *a, const struct validate_anchor *b)
{
	return a->type == b->type && a->rdlen == b->rdlen &&
	       memcmp(a->rdata, b->rdata, a->rdlen) == 0;
}

/* What the point trusts now, into ta->anchors. Returns true when that changed. */
static bool take_anchors(struct ta_refresh *ta)
{
	struct validate_anchor now[VALIDATE_CHAIN_ANCHORS_MAX];
	unsigned n = rfc5011_anchors(&ta->tp, now, VALIDATE_CHAIN_ANCHORS_MAX);
	bool same = n == ta->n_anchors;

	for (unsigned i = 0; i < n && same; i++)
		same = anchor_equal(&now[i], &ta->anchors[i]);
	if (same)
		return false;
	for (unsigned i = 0; i < n; i++) {
		memcpy(ta->anchor_rdata[i], now[i].rdata, now[i].rdlen);
		ta->anchors[i] = now[i];
		ta->anchors[i].rdata = ta->anchor_rdata[i];
	}
	ta->n_anchors = n;
	return true;
}

/* ---- Start ------------------------------------------------------------------------------ */

int ta_refresh_start(struct ta_refresh *ta, const struct validate_anchor *initial,
		     unsigned n, uint64_t now, char *err, size_t errlen)
{
	int rc = rfc5011_start(&ta->tp, ta->path, root_name, sizeof(root_name), initial, n, now,
			       err, errlen);

	if (rc != 0)
		return rc;
	ta->n_anchors = 0;
	take_anchors(ta);
	if (ta->n_anchors == 0) {
		snprintf(err, errlen, "%s: every key of the root is revoked: nothing to trust",
			 ta->path);
		return -ENOKEY;
	}
	return 0;
}

bool ta_refresh_due(const struct ta_refresh *ta, uint64_t now)
{
	return now >= ta->tp.next_refresh;
}

/* ---- One refresh -------------------------------------------------------------------------- */

/* Each key's state before a refresh, by slot (slots only move for Start/Removed keys). */
struct snapshot {
	unsigned n;
	enum rfc5011_state state[RFC5011_KEYS_MAX];
	uint16_t tag[RFC5011_KEYS_MAX];
};

static void snapshot_take(const struct rfc5011_point *tp, struct snapshot *s)
{
	s->n = tp->n_keys;
	for (unsigned i = 0; i < tp->n_keys; i++) {
		s->state[i] = tp->keys[i].state;
		s->tag[i] = tp->keys[i].tag;
	}
}

static void log_transitions(struct ta_refresh *ta, const struct snapshot *before)
{
	for (unsigned i = 0; i < ta->tp.n_keys; i++) {
		const struct rfc5011_key *k = &ta->tp.keys[i];
		bool known = i < before->n;

		if (known && before->state[i] == k->state && before->tag[i] == k->tag)
			continue;
		log_line(ta, "key %u alg %u: %s -> %s", k->tag, k->rdata[3],
			 known ? rfc5011_state_name(before->state[i]) : "new",
			 rfc5011_state_name(k->state));
	}
}

static void save(struct ta_refresh *ta)
{
	char err[512];

	if (rfc5011_save(&ta->tp, ta->path, err, sizeof(err)) != 0) {
		ta->save_errors++;
		log_line(ta, "cannot save the state: %s", err);
	}
}

static enum ta_refresh_result failed(struct ta_refresh *ta, const char *why, uint64_t now)
{
	rfc5011_refresh_failed(&ta->tp, &ta->cfg, now);
	ta->failures++;
	log_line(ta, "refresh failed (%s); retry in %llu s", why,
		 (unsigned long long)(ta->tp.next_refresh - now));
	save(ta);
	return TA_REFRESH_FAILED;
}

enum ta_refresh_result ta_refresh_no_answer(struct ta_refresh *ta, const char *why,
					    uint64_t now)
{
	ta->log[0] = '\0';
	ta->refreshes++;
	return failed(ta, why, now);
}

enum ta_refresh_result ta_refresh_answer(struct ta_refresh *ta, const uint8_t *msg,
					 size_t len, bool ad, uint64_t now)
{
	struct ta_dnskey_answer *a = &ta->answer;
	struct snapshot before;
	int rc;

	ta->log[0] = '\0';
	ta->refreshes++;
	if (!ad)
		return failed(ta, "answer not validated: AD=0", now);
	rc = ta_dnskey_read(ta->verifier, msg, len, ta->tp.owner, ta->tp.owner_len,
			    ta->anchors, ta->n_anchors, now, ta->skew, a);
	if (rc != 0)
		return failed(ta, ta_dnskey_strerror(rc), now);
	snapshot_take(&ta->tp, &before);
	rc = rfc5011_refresh_ok(&ta->tp, &ta->cfg, &a->refresh, now);
	if (rc < 0) {
		/* -EPERM: rfc5011 has counted the failure itself */
		if (rc != -EPERM)
			return failed(ta, "malformed DNSKEY", now);
		ta->failures++;
		log_line(ta, "refresh failed (no key trusted now in the set)");
		save(ta);
		return TA_REFRESH_FAILED;
	}
	log_transitions(ta, &before);
	log_line(ta, "refresh ok: %u key(s), signed by %u; next in %llu s", a->refresh.n_keys,
		 a->signer_tag, (unsigned long long)(ta->tp.next_refresh - now));
	save(ta);
	if (take_anchors(ta))
		return TA_REFRESH_ANCHORS_CHANGED;
	return rc > 0 ? TA_REFRESH_KEYS_CHANGED : TA_REFRESH_UNCHANGED;
}

/* ---- Report --------------------------------------------------------------------------- */

static void report_key(const struct ta_refresh *ta, const struct rfc5011_key *k,
		       void (*line)(void *, const char *), void *arg)
{
	char t1[32], t2[32], t3[32], t4[32], text[256];
	bool holding = k->state == RFC5011_ADDPEND || k->state == RFC5011_REVOKED;

	snprintf(text, sizeof(text),
		 "key %u %u %s first-seen=%s hold-down-end=%s last-refresh=%s next-refresh=%s",
		 k->tag, k->rdata[3], rfc5011_state_name(k->state),
		 ta_refresh_time(k->first_seen, t1, sizeof(t1)),
		 ta_refresh_time(holding ? k->hold_down_end : 0, t2, sizeof(t2)),
		 ta_refresh_time(ta->tp.last_refresh, t3, sizeof(t3)),
		 ta_refresh_time(ta->tp.next_refresh, t4, sizeof(t4)));
	line(arg, text);
}

void ta_refresh_report(const struct ta_refresh *ta,
		       void (*line)(void *arg, const char *text), void *arg)
{
	const struct rfc5011_point *tp = &ta->tp;
	char t1[32], t2[32], text[TA_REFRESH_PATH_MAX + 64];

	snprintf(text, sizeof(text), "state-file %s", ta->path);
	line(arg, text);
	snprintf(text, sizeof(text), "point . last-refresh=%s next-refresh=%s failures=%u",
		 ta_refresh_time(tp->last_refresh, t1, sizeof(t1)),
		 ta_refresh_time(tp->next_refresh, t2, sizeof(t2)), tp->failures);
	line(arg, text);
	for (unsigned i = 0; i < tp->n_keys; i++)
		report_key(ta, &tp->keys[i], line, arg);
	for (unsigned i = 0; i < tp->n_ds; i++) {
		const uint8_t *ds = tp->ds[i].rdata;

		snprintf(text, sizeof(text), "ds %u %u %u initial", (unsigned)(ds[0] << 8 | ds[1]),
			 ds[2], ds[3]);
		line(arg, text);
	}
}
