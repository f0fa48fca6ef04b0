/*
 * rfc5011.c - the RFC 5011 trust-anchor state machine and its state file.
 * See rfc5011.h. Control thread only; never called from a worker. Allocation-free
 * except rfc5011_save()/rfc5011_load(), which do file I/O and use a heap buffer.
 */
#include "rfc5011.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wire_name.h"
#include "wire_text.h"

#define TYPE_DS 43
#define TYPE_DNSKEY 48

static const char *const state_names[RFC5011_STATE_COUNT] = {
	[RFC5011_START] = "start",     [RFC5011_ADDPEND] = "addpend",
	[RFC5011_VALID] = "valid",     [RFC5011_MISSING] = "missing",
	[RFC5011_REVOKED] = "revoked", [RFC5011_REMOVED] = "removed",
};

void rfc5011_config_default(struct rfc5011_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->add_hold_down = RFC5011_HOLD_DOWN_DEFAULT;
	cfg->remove_hold_down = RFC5011_HOLD_DOWN_DEFAULT;
	cfg->query_min = RFC5011_MIN_DEFAULT;
	cfg->retry_min = RFC5011_MIN_DEFAULT;
	validate_policy_default(&cfg->policy);
}

const char *rfc5011_state_name(enum rfc5011_state s)
{
	return (unsigned)s < RFC5011_STATE_COUNT ? state_names[s] : "?";
}

/* ---- Keys ------------------------------------------------------------------------- */

static uint16_t dnskey_flags(const uint8_t *rdata)
{
	return (uint16_t)(rdata[0] << 8 | rdata[1]);
}

static bool dnskey_revoked(const uint8_t *rdata)
{
	return (dnskey_flags(rdata) & VALIDATE_DNSKEY_REVOKE) != 0;
}

static bool dnskey_rdata_ok(const uint8_t *rdata, size_t len)
{
	return len >= 5 && len <= VALIDATE_DNSKEY_RDATA_MAX && rdata[2] == VALIDATE_DNSKEY_PROTOCOL;
}

/* The same key, whatever its REVOKE bit (RFC 5011 §2.1: revoking changes the tag). */
static bool same_key(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return alen == blen && a[0] == b[0] &&
	       (a[1] & ~VALIDATE_DNSKEY_REVOKE) == (b[1] & ~VALIDATE_DNSKEY_REVOKE) &&
	       memcmp(a + 2, b + 2, alen - 2) == 0;
}

static struct rfc5011_key *find_key(struct rfc5011_point *tp, const uint8_t *rdata,
				    size_t len)
{
	for (unsigned i = 0; i < tp->n_keys; i++)
		if (same_key(tp->keys[i].rdata, tp->keys[i].rdlen, rdata, len))
			return &tp->keys[i];
	return NULL;
}

static void key_set_rdata(struct rfc5011_key *k, const uint8_t *rdata, size_t len)
{
	memcpy(k->rdata, rdata, len);
	k->rdlen = (uint16_t)len;
	k->tag = validate_key_tag(rdata, len);
}

static void key_enter(struct rfc5011_key *k, enum rfc5011_state s, uint64_t now)
{
	k->state = s;
	k->last_change = now;
}

/* A slot for a new key: a free one, else the oldest Start or Removed entry (those
 * carry nothing that trust depends on). NULL when every slot holds a live key. */
static struct rfc5011_key *new_key_slot(struct rfc5011_point *tp)
{
	struct rfc5011_key *victim = NULL;

	if (tp->n_keys < RFC5011_KEYS_MAX)
		return &tp->keys[tp->n_keys++];
	for (unsigned i = 0; i < tp->n_keys; i++) {
		struct rfc5011_key *k = &tp->keys[i];

		if ((k->state == RFC5011_START || k->state == RFC5011_REMOVED) &&
		    (victim == NULL || k->last_change < victim->last_change))
			victim = k;
	}
	return victim;
}

static bool key_trusted(const struct rfc5011_key *k)
{
	return k->state == RFC5011_VALID || k->state == RFC5011_MISSING;
}

static unsigned trusted_keys(const struct rfc5011_point *tp)
{
	unsigned n = 0;

	for (unsigned i = 0; i < tp->n_keys; i++)
		n += key_trusted(&tp->keys[i]);
	return n;
}

/* ---- Setup ------------------------------------------------------------------------ */

int rfc5011_point_init(struct rfc5011_point *tp, const uint8_t *owner, size_t owner_len,
		       uint64_t now)
{
	memset(tp, 0, sizeof(*tp));
	if (owner_len == 0 || owner_len > sizeof(tp->owner) ||
	    wire_name_length(owner, owner_len) != (int)owner_len)
		return -EINVAL;
	memcpy(tp->owner, owner, owner_len);
	tp->owner_len = (uint8_t)owner_len;
	tp->next_refresh = now;
	return 0;
}

static int add_ds(struct rfc5011_point *tp, const uint8_t *rdata, size_t rdlen)
{
	if (rdlen < 5 || rdlen > RFC5011_DS_RDATA_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < tp->n_ds; i++)
		if (tp->ds[i].rdlen == rdlen && memcmp(tp->ds[i].rdata, rdata, rdlen) == 0)
			return -EEXIST;
	if (tp->n_ds == RFC5011_DS_MAX)
		return -ENOSPC;
	memcpy(tp->ds[tp->n_ds].rdata, rdata, rdlen);
	tp->ds[tp->n_ds++].rdlen = (uint16_t)rdlen;
	return 0;
}

int rfc5011_add_initial(struct rfc5011_point *tp, uint16_t type, const uint8_t *rdata,
			size_t rdlen, uint64_t now)
{
	struct rfc5011_key *k;

	if (type == TYPE_DS)
		return add_ds(tp, rdata, rdlen);
	if (type != TYPE_DNSKEY || !dnskey_rdata_ok(rdata, rdlen) || dnskey_revoked(rdata))
		return -EINVAL;
	if (find_key(tp, rdata, rdlen) != NULL)
		return -EEXIST;
	if (tp->n_keys == RFC5011_KEYS_MAX)
		return -ENOSPC;
	k = &tp->keys[tp->n_keys++];
	memset(k, 0, sizeof(*k));
	key_set_rdata(k, rdata, rdlen);
	k->first_seen = now;
	key_enter(k, RFC5011_VALID, now);
	return 0;
}

/* ---- Timers (RFC 5011 §2.3) -------------------------------------------------------- */

/* Seconds from @now until @sig_expiration, in serial number arithmetic; 0 if past. */
static uint64_t until_expiration(uint32_t sig_expiration, uint64_t now)
{
	int32_t d = (int32_t)(sig_expiration - (uint32_t)now);

	return d > 0 ? (uint64_t)d : 0;
}

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;

	return m < c ? m : c;
}

uint64_t rfc5011_query_interval(const struct rfc5011_config *cfg, uint32_t ttl,
				uint32_t sig_expiration, uint64_t now)
{
	uint64_t v = min3(RFC5011_QUERY_MAX, ttl / 2,
			  until_expiration(sig_expiration, now) / 2);

	return v > cfg->query_min ? v : cfg->query_min;
}

uint64_t rfc5011_retry_time(const struct rfc5011_config *cfg, uint32_t ttl,
			    uint32_t sig_expiration, uint64_t now)
{
	uint64_t v = min3(RFC5011_RETRY_MAX, ttl / 10,
			  until_expiration(sig_expiration, now) / 10);

	return v > cfg->retry_min ? v : cfg->retry_min;
}

void rfc5011_refresh_failed(struct rfc5011_point *tp, const struct rfc5011_config *cfg,
			    uint64_t now)
{
	tp->failures++;
	tp->next_refresh = now + rfc5011_retry_time(cfg, tp->orig_ttl, tp->sig_expiration, now);
}

/* ---- One validated refresh (RFC 5011 §4) ------------------------------------------ */

/* Does an initial DS name this (unrevoked) key? */
static bool ds_names_key(const struct rfc5011_point *tp, const struct rfc5011_config *cfg,
			 const uint8_t *rdata, size_t len)
{
	for (unsigned i = 0; i < tp->n_ds; i++)
		if (validate_ds_match(tp->ds[i].rdata, tp->ds[i].rdlen, tp->owner,
				      tp->owner_len, rdata, len, &cfg->policy) == VALIDATE_OK)
			return true;
	return false;
}

/* Is one key of @r trusted now (what the caller validated the RRset with)? */
static bool refresh_has_trusted_key(struct rfc5011_point *tp,
				    const struct rfc5011_config *cfg,
				    const struct rfc5011_refresh *r)
{
	bool ds_mode = trusted_keys(tp) == 0;

	for (unsigned i = 0; i < r->n_keys; i++) {
		const struct rfc5011_seen_key *s = &r->keys[i];
		struct rfc5011_key *k;

		k = find_key(tp, s->rdata, s->rdlen);
		/* a trusted key revoking itself signed the set with itself (§2.1) */
		if (k != NULL && key_trusted(k) && (!dnskey_revoked(s->rdata) || s->self_signed))
			return true;
		if (dnskey_revoked(s->rdata))
			continue;
		if (ds_mode && ds_names_key(tp, cfg, s->rdata, s->rdlen))
			return true;
	}
	return false;
}

static const struct rfc5011_seen_key *seen(const struct rfc5011_refresh *r,
					   const struct rfc5011_key *k)
{
	for (unsigned i = 0; i < r->n_keys; i++)
		if (same_key(r->keys[i].rdata, r->keys[i].rdlen, k->rdata, k->rdlen))
			return &r->keys[i];
	return NULL;
}

/* A revocation counts when the key publishes the bit and signs the RRset itself. */
static bool revocation(const struct rfc5011_seen_key *s)
{
	return s != NULL && dnskey_revoked(s->rdata) && s->self_signed;
}

/* A key we know, present or not in this refresh. Returns 1 if its state changed. */
static int step_known(struct rfc5011_key *k, const struct rfc5011_seen_key *s,
		      const struct rfc5011_config *cfg, uint32_t ttl, uint64_t now)
{
	enum rfc5011_state was = k->state;

	if (s != NULL && dnskey_revoked(s->rdata) && !s->self_signed)
		s = NULL; /* an unproven REVOKE bit: as if the key were not there */
	if (s != NULL)
		k->last_seen = now;
	if (revocation(s) && was != RFC5011_REVOKED && was != RFC5011_REMOVED) {
		key_set_rdata(k, s->rdata, s->rdlen);
		k->hold_down_end = now + cfg->remove_hold_down;
		key_enter(k, RFC5011_REVOKED, now);
		return 1;
	}
	switch (was) {
	case RFC5011_START:
		if (s == NULL || dnskey_revoked(s->rdata))
			return 0;
		k->first_seen = now;
		k->hold_down_end = now + (cfg->add_hold_down > ttl ? cfg->add_hold_down : ttl);
		key_enter(k, RFC5011_ADDPEND, now);
		return 1;
	case RFC5011_ADDPEND:
		if (s == NULL)
			key_enter(k, RFC5011_START, now);
		else if (now >= k->hold_down_end)
			key_enter(k, RFC5011_VALID, now);
		return k->state != was;
	case RFC5011_VALID:
		if (s == NULL)
			key_enter(k, RFC5011_MISSING, now);
		return k->state != was;
	case RFC5011_MISSING:
		if (s != NULL)
			key_enter(k, RFC5011_VALID, now);
		return k->state != was;
	case RFC5011_REVOKED:
		if (s == NULL && now >= k->hold_down_end)
			key_enter(k, RFC5011_REMOVED, now);
		return k->state != was;
	default:
		return 0;
	}
}

/* A key of @r we did not know: a new SEP key starts its hold-down; a key an initial
 * DS names is Valid at once (the DS was the configured trust in it). */
static int step_new(struct rfc5011_point *tp, const struct rfc5011_config *cfg,
		    const struct rfc5011_seen_key *s, bool ds_mode, uint32_t ttl, uint64_t now)
{
	uint16_t flags = dnskey_flags(s->rdata);
	bool ds_named = ds_mode && !dnskey_revoked(s->rdata) &&
			ds_names_key(tp, cfg, s->rdata, s->rdlen);
	struct rfc5011_key *k;

	if ((flags & VALIDATE_DNSKEY_ZONE) == 0 ||
	    ((flags & VALIDATE_DNSKEY_SEP) == 0 && !ds_named))
		return 0;
	if (dnskey_revoked(s->rdata) && !s->self_signed)
		return 0;
	k = new_key_slot(tp);
	if (k == NULL)
		return 0; /* every slot holds a live key; it will be seen again next time */
	memset(k, 0, sizeof(*k));
	key_set_rdata(k, s->rdata, s->rdlen);
	k->first_seen = now;
	k->last_seen = now;
	if (revocation(s)) {
		k->hold_down_end = now + cfg->remove_hold_down;
		key_enter(k, RFC5011_REVOKED, now);
	} else if (ds_named) {
		key_enter(k, RFC5011_VALID, now);
	} else {
		k->hold_down_end = now + (cfg->add_hold_down > ttl ? cfg->add_hold_down : ttl);
		key_enter(k, RFC5011_ADDPEND, now);
	}
	return 1;
}

int rfc5011_refresh_ok(struct rfc5011_point *tp, const struct rfc5011_config *cfg,
		       const struct rfc5011_refresh *r, uint64_t now)
{
	bool ds_mode = trusted_keys(tp) == 0 && tp->n_ds > 0;
	unsigned known = tp->n_keys;
	int changed = 0;

	for (unsigned i = 0; i < r->n_keys; i++)
		if (!dnskey_rdata_ok(r->keys[i].rdata, r->keys[i].rdlen))
			return -EINVAL;
	if (!refresh_has_trusted_key(tp, cfg, r)) {
		rfc5011_refresh_failed(tp, cfg, now);
		return -EPERM;
	}
	for (unsigned i = 0; i < known; i++)
		changed += step_known(&tp->keys[i], seen(r, &tp->keys[i]), cfg, r->orig_ttl, now);
	for (unsigned i = 0; i < r->n_keys; i++)
		if (find_key(tp, r->keys[i].rdata, r->keys[i].rdlen) == NULL)
			changed += step_new(tp, cfg, &r->keys[i], ds_mode, r->orig_ttl, now);
	/* the DS did its work (or a configured DNSKEY did it): the keys are the anchors
	 * now, and a DS of a key revoked later must never become one again */
	if (trusted_keys(tp) > 0)
		tp->n_ds = 0;
	tp->last_refresh = now;
	tp->failures = 0;
	tp->orig_ttl = r->orig_ttl;
	tp->sig_expiration = r->sig_expiration;
	tp->next_refresh = now + rfc5011_query_interval(cfg, r->orig_ttl, r->sig_expiration, now);
	return changed;
}

unsigned rfc5011_anchors(const struct rfc5011_point *tp, struct validate_anchor *out,
			 unsigned cap)
{
	unsigned n = 0;

	for (unsigned i = 0; i < tp->n_keys && n < cap; i++) {
		const struct rfc5011_key *k = &tp->keys[i];

		if (!key_trusted(k) || dnskey_revoked(k->rdata))
			continue;
		memcpy(out[n].owner, tp->owner, tp->owner_len);
		out[n].owner_len = tp->owner_len;
		out[n].type = TYPE_DNSKEY;
		out[n].rdlen = k->rdlen;
		out[n++].rdata = k->rdata;
	}
	if (n > 0 || trusted_keys(tp) > 0)
		return n;
	for (unsigned i = 0; i < tp->n_ds && n < cap; i++) {
		memcpy(out[n].owner, tp->owner, tp->owner_len);
		out[n].owner_len = tp->owner_len;
		out[n].type = TYPE_DS;
		out[n].rdlen = tp->ds[i].rdlen;
		out[n++].rdata = tp->ds[i].rdata;
	}
	return n;
}

/* ---- State file: writing ------------------------------------------------------------ */

struct out {
	char *buf;
	size_t cap, len;
	bool full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = true;
	else
		o->len += (size_t)n;
}

static void put_hex(struct out *o, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put(o, "%02X", p[i]);
}

int rfc5011_format(const struct rfc5011_point *tp, char *buf, size_t cap)
{
	struct out o = { .buf = buf, .cap = cap };
	char owner[WIRE_NAME_TEXT_MAX];

	if (cap == 0 || wire_name_to_text(tp->owner, tp->owner_len, owner, sizeof(owner)) < 0)
		return -ENOSPC;
	put(&o, "sekisho-rfc5011 %d\n", RFC5011_FILE_VERSION);
	put(&o, "; RFC 5011 trust point state, written by sekishod; times in UNIX seconds\n"
		"; point OWNER LAST_REFRESH NEXT_REFRESH ORIG_TTL SIG_EXPIRATION FAILURES\n"
		"; key OWNER STATE TAG FIRST_SEEN HOLD_DOWN_END LAST_SEEN LAST_CHANGE RDATA\n");
	put(&o, "point %s %llu %llu %u %u %u\n", owner, (unsigned long long)tp->last_refresh,
	    (unsigned long long)tp->next_refresh, tp->orig_ttl, tp->sig_expiration,
	    tp->failures);
	for (unsigned i = 0; i < tp->n_ds; i++) {
		put(&o, "ds %s ", owner);
		put_hex(&o, tp->ds[i].rdata, tp->ds[i].rdlen);
		put(&o, "\n");
	}
	for (unsigned i = 0; i < tp->n_keys; i++) {
		const struct rfc5011_key *k = &tp->keys[i];

		put(&o, "key %s %s %u %llu %llu %llu %llu ", owner, rfc5011_state_name(k->state),
		    k->tag, (unsigned long long)k->first_seen,
		    (unsigned long long)k->hold_down_end, (unsigned long long)k->last_seen,
		    (unsigned long long)k->last_change);
		put_hex(&o, k->rdata, k->rdlen);
		put(&o, "\n");
	}
	put(&o, "end %u %u\n", tp->n_keys, tp->n_ds);
	return o.full ? -ENOSPC : (int)o.len;
}

/* ---- State file: reading ------------------------------------------------------------ */

#define FIELDS_MAX 10

struct line {
	char *f[FIELDS_MAX];
	unsigned n;
};

/* Split @s (NUL-terminated, modified) at blanks. False when it has too many fields. */
static bool split(char *s, struct line *l)
{
	l->n = 0;
	for (char *tok = strtok(s, " \t\r"); tok != NULL; tok = strtok(NULL, " \t\r")) {
		if (l->n == FIELDS_MAX)
			return false;
		l->f[l->n++] = tok;
	}
	return true;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return false;
	*v = x;
	return true;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex text to bytes. Returns the length, or -1. */
static int parse_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t len = strlen(s);

	if (len == 0 || len % 2 != 0 || len / 2 > cap)
		return -1;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(len / 2);
}

static bool parse_state(const char *s, enum rfc5011_state *st)
{
	for (unsigned i = 0; i < RFC5011_STATE_COUNT; i++)
		if (strcmp(s, state_names[i]) == 0) {
			*st = (enum rfc5011_state)i;
			return true;
		}
	return false;
}

struct reader {
	struct rfc5011_point *tp;
	unsigned lineno;
	bool header, point, end;
};

static const char *owner_check(struct reader *rd, const char *text)
{
	uint8_t name[WIRE_NAME_MAX];
	int len = wire_text_name(text, strlen(text), NULL, name, sizeof(name));

	if (len < 0)
		return "bad owner name";
	if (!rd->point) {
		memcpy(rd->tp->owner, name, (size_t)len);
		rd->tp->owner_len = (uint8_t)len;
		return NULL;
	}
	if (!wire_name_equal(name, (size_t)len, rd->tp->owner, rd->tp->owner_len))
		return "owner differs from the point's";
	return NULL;
}

static const char *read_point(struct reader *rd, const struct line *l)
{
	struct rfc5011_point *tp = rd->tp;
	uint64_t ttl, exp, failures;
	const char *why;

	if (rd->point)
		return "a second point line";
	if (l->n != 7)
		return "point wants 6 fields";
	if ((why = owner_check(rd, l->f[1])) != NULL)
		return why;
	if (!parse_u64(l->f[2], UINT64_MAX, &tp->last_refresh) ||
	    !parse_u64(l->f[3], UINT64_MAX, &tp->next_refresh) ||
	    !parse_u64(l->f[4], UINT32_MAX, &ttl) || !parse_u64(l->f[5], UINT32_MAX, &exp) ||
	    !parse_u64(l->f[6], UINT32_MAX, &failures))
		return "bad number";
	tp->orig_ttl = (uint32_t)ttl;
	tp->sig_expiration = (uint32_t)exp;
	tp->failures = (unsigned)failures;
	rd->point = true;
	return NULL;
}

static const char *read_ds(struct reader *rd, const struct line *l)
{
	struct rfc5011_point *tp = rd->tp;
	uint8_t rdata[RFC5011_DS_RDATA_MAX];
	const char *why;
	int len;

	if (l->n != 3)
		return "ds wants 2 fields";
	if ((why = owner_check(rd, l->f[1])) != NULL)
		return why;
	len = parse_hex(l->f[2], rdata, sizeof(rdata));
	if (len < 0)
		return "bad DS RDATA (hex)";
	switch (add_ds(tp, rdata, (size_t)len)) {
	case 0:
		return NULL;
	case -EEXIST:
		return "duplicate DS";
	case -ENOSPC:
		return "too many DS records";
	default:
		return "DS RDATA too short or too long";
	}
}

static const char *read_key(struct reader *rd, const struct line *l)
{
	struct rfc5011_point *tp = rd->tp;
	struct rfc5011_key *k;
	uint64_t tag;
	const char *why;
	int len;

	if (l->n != 9)
		return "key wants 8 fields";
	if ((why = owner_check(rd, l->f[1])) != NULL)
		return why;
	if (tp->n_keys == RFC5011_KEYS_MAX)
		return "too many keys";
	k = &tp->keys[tp->n_keys];
	memset(k, 0, sizeof(*k));
	if (!parse_state(l->f[2], &k->state))
		return "unknown state";
	if (!parse_u64(l->f[3], UINT16_MAX, &tag) || !parse_u64(l->f[4], UINT64_MAX, &k->first_seen) ||
	    !parse_u64(l->f[5], UINT64_MAX, &k->hold_down_end) ||
	    !parse_u64(l->f[6], UINT64_MAX, &k->last_seen) ||
	    !parse_u64(l->f[7], UINT64_MAX, &k->last_change))
		return "bad number";
	len = parse_hex(l->f[8], k->rdata, sizeof(k->rdata));
	if (len < 0 || !dnskey_rdata_ok(k->rdata, (size_t)len))
		return "bad DNSKEY RDATA";
	k->rdlen = (uint16_t)len;
	k->tag = validate_key_tag(k->rdata, k->rdlen);
	if (k->tag != tag)
		return "key tag does not match the RDATA";
	if (find_key(tp, k->rdata, k->rdlen) != NULL)
		return "duplicate key";
	if (dnskey_revoked(k->rdata) && k->state != RFC5011_REVOKED &&
	    k->state != RFC5011_REMOVED)
		return "a key with the REVOKE bit in a trusted or pending state";
	tp->n_keys++;
	return NULL;
}

static const char *read_end(struct reader *rd, const struct line *l)
{
	uint64_t nk, nd;

	if (l->n != 3 || !parse_u64(l->f[1], UINT32_MAX, &nk) ||
	    !parse_u64(l->f[2], UINT32_MAX, &nd))
		return "end wants 2 numbers";
	if (nk != rd->tp->n_keys || nd != rd->tp->n_ds)
		return "end counts differ from the records read";
	if (nk == 0 && nd == 0)
		return "no key and no DS: nothing to start from";
	rd->end = true;
	return NULL;
}

static const char *read_line(struct reader *rd, char *text)
{
	struct line l;

	text += strspn(text, " \t\r");
	if (*text == ';')
		return NULL;
	if (!split(text, &l))
		return "too many fields";
	if (l.n == 0)
		return NULL;
	if (rd->end)
		return "data after the end line";
	if (!rd->header) {
		uint64_t v;

		if (l.n != 2 || strcmp(l.f[0], "sekisho-rfc5011") != 0)
			return "not a sekisho RFC 5011 state file";
		if (!parse_u64(l.f[1], UINT32_MAX, &v) || v != RFC5011_FILE_VERSION)
			return "unsupported state file version";
		rd->header = true;
		return NULL;
	}
	if (strcmp(l.f[0], "point") == 0)
		return read_point(rd, &l);
	if (!rd->point)
		return "a record before the point line";
	if (strcmp(l.f[0], "ds") == 0)
		return read_ds(rd, &l);
	if (strcmp(l.f[0], "key") == 0)
		return read_key(rd, &l);
	if (strcmp(l.f[0], "end") == 0)
		return read_end(rd, &l);
	return "unknown record";
}

int rfc5011_parse(struct rfc5011_point *tp, const char *text, size_t len,
		  const char *name, char *err, size_t errlen)
{
	struct reader rd = { .tp = tp };
	const char *s = text, *end = text + len;
	char buf[2 * VALIDATE_DNSKEY_RDATA_MAX + 512];

	memset(tp, 0, sizeof(*tp));
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl != NULL ? nl : end;
		size_t n = (size_t)(eol - s);
		const char *why;

		rd.lineno++;
		if (n >= sizeof(buf))
			why = "line too long";
		else if (memchr(s, '\0', n) != NULL)
			why = "NUL byte";
		else {
			memcpy(buf, s, n);
			buf[n] = '\0';
			why = read_line(&rd, buf);
		}
		if (why != NULL) {
			snprintf(err, errlen, "%s:%u: %s", name, rd.lineno, why);
			return -EINVAL;
		}
		s = eol + 1;
	}
	if (!rd.end) {
		snprintf(err, errlen, "%s:%u: truncated: no end line", name, rd.lineno);
		return -EINVAL;
	}
	return 0;
}

/* ---- State file: atomic replacement ------------------------------------------------- */

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The directory of @path, so that the rename itself reaches the disk. */
static int fsync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 1 : (slash == path ? 1 : (size_t)(slash - path));
	int fd, rc = 0;

	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, slash == NULL ? "." : path, n);
	dir[n] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int write_temp(const char *tmp, const char *text, size_t len)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int rc;

	if (fd < 0)
		return -errno;
	rc = write_all(fd, text, len);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

int rfc5011_save(const struct rfc5011_point *tp, const char *path, char *err, size_t errlen)
{
	char tmp[4096];
	char *text = malloc(RFC5011_FILE_MAX);
	const char *what = "format";
	bool tmp_made = false;
	int len, rc;

	if (text == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	len = rfc5011_format(tp, text, RFC5011_FILE_MAX);
	rc = len < 0 ? len : 0;
	if (rc == 0) {
		what = "write";
		tmp_made = true;
		rc = write_temp(tmp, text, (size_t)len);
	}
	if (rc == 0) {
		what = "rename";
		rc = rename(tmp, path) == 0 ? 0 : -errno;
		tmp_made = rc != 0;
	}
	if (rc == 0) {
		what = "fsync directory";
		rc = fsync_dir(path);
	}
	if (tmp_made)
		unlink(tmp);
out:
	if (rc != 0)
		snprintf(err, errlen, "%s: %s: %s", path, what, strerror(-rc));
	free(text);
	return rc;
}

int rfc5011_load(struct rfc5011_point *tp, const char *path, char *err, size_t errlen)
{
	char *text;
	FILE *f = fopen(path, "rb");
	size_t len;
	int rc;

	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	text = malloc(RFC5011_FILE_MAX + 1);
	if (text == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	len = fread(text, 1, RFC5011_FILE_MAX + 1, f);
	if (ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "%s: read error", path);
	} else if (len > RFC5011_FILE_MAX) {
		rc = -EFBIG;
		snprintf(err, errlen, "%s: longer than %d bytes", path, RFC5011_FILE_MAX);
	} else {
		rc = rfc5011_parse(tp, text, len, path, err, errlen);
	}
	fclose(f);
	free(text);
	return rc;
}

int rfc5011_start(struct rfc5011_point *tp, const char *path, const uint8_t *owner,
		  size_t owner_len, const struct validate_anchor *initial, unsigned n,
		  uint64_t now, char *err, size_t errlen)
{
	int rc = rfc5011_load(tp, path, err, errlen);

	if (rc != -ENOENT)
		return rc;
	if (rfc5011_point_init(tp, owner, owner_len, now) != 0) {
		snprintf(err, errlen, "%s: bad trust point name", path);
		return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct validate_anchor *a = &initial[i];

		if (!wire_name_equal(a->owner, a->owner_len, owner, owner_len))
			continue;
		rc = rfc5011_add_initial(tp, a->type, a->rdata, a->rdlen, now);
		if (rc != 0 && rc != -EEXIST) {
			snprintf(err, errlen, "%s: initial anchor %u: %s", path, i + 1,
				 strerror(-rc));
			return rc;
		}
	}
	if (tp->n_keys == 0 && tp->n_ds == 0) {
		snprintf(err, errlen, "%s: no state file and no initial anchor", path);
		return -ENOENT;
	}
	return rfc5011_save(tp, path, err, errlen);
}
