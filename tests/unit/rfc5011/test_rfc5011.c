/*
 * test_rfc5011.c - the RFC 5011 trust-anchor state machine (control/rfc5011.h) driven
 * on a fake clock through every transition, its refresh timers, and its state file
 * (round trip, corrupt files rejected with file:line, crash-safe replacement).
 * The keys are made-up DNSKEY RDATA: the machine trusts the caller's validation, so
 * no signature is needed; DS matching is real (validate_ds_digest).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rfc5011.h"
#include "unit_check.h"

#define DAY 86400ull
#define T0 1700000000ull

static const uint8_t root[] = { 0 };
static struct rfc5011_config cfg;
static struct rfc5011_point tp;
static char err[512];
static char dir[64];

/* A KSK-like DNSKEY (flags 257, protocol 3, RSA/SHA-256) told apart by @id. */
struct tkey {
	uint8_t rdata[40];
	uint16_t len;
};

static struct tkey key(uint8_t id, uint16_t flags)
{
	struct tkey k = { .len = sizeof(k.rdata) };

	k.rdata[0] = (uint8_t)(flags >> 8);
	k.rdata[1] = (uint8_t)flags;
	k.rdata[2] = 3;
	k.rdata[3] = 8;
	k.rdata[4] = 3; /* exponent length */
	for (size_t i = 5; i < sizeof(k.rdata); i++)
		k.rdata[i] = (uint8_t)(id * 31 + i);
	return k;
}

#define K(id) key(id, 257)
#define K_REVOKED(id) key(id, 257 | VALIDATE_DNSKEY_REVOKE)

/* A validated DNSKEY RRset of up to 4 keys; @self: which of them signed it themselves. */
static int refresh(uint64_t now, const struct tkey *keys, unsigned n, unsigned self_mask)
{
	struct rfc5011_seen_key s[4];
	struct rfc5011_refresh r = { .keys = s, .n_keys = n, .orig_ttl = 172800,
				     .sig_expiration = (uint32_t)(now + 10 * DAY) };

	for (unsigned i = 0; i < n; i++) {
		s[i].rdata = keys[i].rdata;
		s[i].rdlen = keys[i].len;
		s[i].self_signed = (self_mask >> i & 1) != 0;
	}
	return rfc5011_refresh_ok(&tp, &cfg, &r, now);
}

static const struct rfc5011_key *state_of(const struct tkey *k)
{
	for (unsigned i = 0; i < tp.n_keys; i++)
		if (tp.keys[i].rdlen == k->len &&
		    memcmp(tp.keys[i].rdata + 2, k->rdata + 2, k->len - 2) == 0)
			return &tp.keys[i];
	return NULL;
}

static int st(const struct tkey *k)
{
	const struct rfc5011_key *e = state_of(k);

	return e != NULL ? (int)e->state : -1;
}

static unsigned anchors(struct validate_anchor *out)
{
	return rfc5011_anchors(&tp, out, VALIDATE_CHAIN_ANCHORS_MAX);
}

static bool anchored(const struct tkey *k)
{
	struct validate_anchor a[VALIDATE_CHAIN_ANCHORS_MAX];
	unsigned n = anchors(a);

	for (unsigned i = 0; i < n; i++)
		if (a[i].type == 48 && a[i].rdlen == k->len &&
		    memcmp(a[i].rdata, k->rdata, k->len) == 0)
			return true;
	return false;
}

/* A trust point at the root configured with DNSKEY anchors @a (and @b if non-NULL). */
static void start_with(const struct tkey *a, const struct tkey *b)
{
	rfc5011_config_default(&cfg);
	CHECK_INT(rfc5011_point_init(&tp, root, 1, T0), 0);
	CHECK_INT(rfc5011_add_initial(&tp, 48, a->rdata, a->len, T0), 0);
	if (b != NULL)
		CHECK_INT(rfc5011_add_initial(&tp, 48, b->rdata, b->len, T0), 0);
}

/* ---- Transitions --------------------------------------------------------------------- */

static void test_normal_rollover_addpend_valid_revoked_removed(void)
{
	struct tkey k1 = K(1), k2 = K(2), k1r = K_REVOKED(1);
	struct tkey both[] = { k1, k2 }, revoking[] = { k1r, k2 }, new_only[] = { k2 };
	uint64_t t = T0;

	start_with(&k1, NULL);
	CHECK_INT(refresh(t, &k1, 1, 0), 0);
	CHECK_INT(st(&k1), RFC5011_VALID);

	t += DAY; /* the new KSK is published */
	CHECK_INT(refresh(t, both, 2, 0), 1);
	CHECK_INT(st(&k2), RFC5011_ADDPEND);
	CHECK_INT(state_of(&k2)->hold_down_end, t + 30 * DAY);
	CHECK(!anchored(&k2));

	CHECK_INT(refresh(t + 29 * DAY, both, 2, 0), 0); /* still holding down */
	CHECK_INT(st(&k2), RFC5011_ADDPEND);
	CHECK_INT(refresh(t + 30 * DAY, both, 2, 0), 1);
	CHECK_INT(st(&k2), RFC5011_VALID);
	CHECK(anchored(&k1) && anchored(&k2));

	t += 40 * DAY; /* the old KSK revokes itself and signs the RRset with itself */
	CHECK_INT(refresh(t, revoking, 2, 0x1), 1);
	CHECK_INT(st(&k1r), RFC5011_REVOKED);
	CHECK(!anchored(&k1) && !anchored(&k1r) && anchored(&k2));
	/* its tag is the one of the RDATA with the REVOKE bit set */
	CHECK_INT(state_of(&k1r)->tag, validate_key_tag(k1r.rdata, k1r.len));
	CHECK(state_of(&k1r)->tag != validate_key_tag(k1.rdata, k1.len));
	CHECK_INT(state_of(&k1r)->hold_down_end, t + 30 * DAY);

	CHECK_INT(refresh(t + 10 * DAY, new_only, 1, 0), 0); /* gone, hold-down not over */
	CHECK_INT(st(&k1r), RFC5011_REVOKED);
	CHECK_INT(refresh(t + 30 * DAY, revoking, 2, 0x1), 0); /* still published */
	CHECK_INT(st(&k1r), RFC5011_REVOKED);
	CHECK_INT(refresh(t + 31 * DAY, new_only, 1, 0), 1);
	CHECK_INT(st(&k1r), RFC5011_REMOVED);
	/* a removed key that comes back, even unrevoked, is not trusted again */
	CHECK_INT(refresh(t + 32 * DAY, both, 2, 0), 0);
	CHECK_INT(st(&k1), RFC5011_REMOVED);
	CHECK(!anchored(&k1) && anchored(&k2));
}

static void test_new_key_gone_during_hold_down_goes_back_to_start(void)
{
	struct tkey k1 = K(1), k2 = K(2), both[] = { K(1), K(2) };

	start_with(&k1, NULL);
	CHECK_INT(refresh(T0, both, 2, 0), 1);
	CHECK_INT(st(&k2), RFC5011_ADDPEND);
	CHECK_INT(refresh(T0 + 10 * DAY, &k1, 1, 0), 1);
	CHECK_INT(st(&k2), RFC5011_START);
	/* it comes back: the hold-down starts again from now, not from its first sight */
	CHECK_INT(refresh(T0 + 20 * DAY, both, 2, 0), 1);
	CHECK_INT(st(&k2), RFC5011_ADDPEND);
	CHECK_INT(state_of(&k2)->hold_down_end, T0 + 50 * DAY);
	CHECK_INT(refresh(T0 + 30 * DAY, both, 2, 0), 0);
	CHECK_INT(st(&k2), RFC5011_ADDPEND);
	CHECK(!anchored(&k2));
	CHECK_INT(refresh(T0 + 50 * DAY, both, 2, 0), 1);
	CHECK_INT(st(&k2), RFC5011_VALID);
}

static void test_valid_key_missing_then_back_stays_trusted(void)
{
	struct tkey k1 = K(1), k2 = K(2), both[] = { K(1), K(2) };

	start_with(&k1, &k2);
	CHECK_INT(refresh(T0, &k1, 1, 0), 1);
	CHECK_INT(st(&k2), RFC5011_MISSING);
	CHECK(anchored(&k2)); /* Missing is still a trust anchor (RFC 5011 §4) */
	CHECK_INT(refresh(T0 + DAY, both, 2, 0), 1);
	CHECK_INT(st(&k2), RFC5011_VALID);
}

static void test_rollover_failing_half_way_keeps_the_old_key(void)
{
	struct tkey k1 = K(1), k2 = K(2), both[] = { K(1), K(2) };

	start_with(&k1, NULL);
	CHECK_INT(refresh(T0, both, 2, 0), 1);
	CHECK_INT(refresh(T0 + 5 * DAY, &k1, 1, 0), 1); /* the new key is withdrawn */
	CHECK_INT(refresh(T0 + 60 * DAY, &k1, 1, 0), 0);
	CHECK_INT(st(&k1), RFC5011_VALID);
	CHECK_INT(st(&k2), RFC5011_START);
	CHECK(anchored(&k1) && !anchored(&k2));
}

static void test_revoked_key_not_trusted_and_revoke_needs_self_signature(void)
{
	struct tkey k1 = K(1), k2 = K(2), k2r = K_REVOKED(2);
	struct tkey unproven[] = { K(1), K_REVOKED(2) };
	struct validate_anchor a[VALIDATE_CHAIN_ANCHORS_MAX];

	start_with(&k1, &k2);
	/* a REVOKE bit without the key's own signature proves nothing */
	CHECK_INT(refresh(T0, unproven, 2, 0), 1);
	CHECK_INT(st(&k2), RFC5011_MISSING);
	CHECK(anchored(&k2));
	CHECK_INT(refresh(T0 + DAY, unproven, 2, 0x2), 1);
	CHECK_INT(st(&k2r), RFC5011_REVOKED);
	CHECK(!anchored(&k2) && !anchored(&k2r) && anchored(&k1));
	/* the last key revoking itself leaves no anchor: the trust point is gone */
	struct tkey k1r = K_REVOKED(1);
	CHECK_INT(refresh(T0 + 2 * DAY, &k1r, 1, 0x1), 1);
	CHECK_INT(st(&k1r), RFC5011_REVOKED);
	CHECK_INT(anchors(a), 0);
}

static void test_refresh_without_trusted_key_changes_nothing(void)
{
	struct tkey k1 = K(1), k3 = K(3), k4 = K(4), strangers[] = { K(3), K(4) };

	start_with(&k1, NULL);
	CHECK_INT(refresh(T0, strangers, 2, 0), -EPERM);
	CHECK_INT(st(&k1), RFC5011_VALID);
	CHECK_INT(st(&k3), -1);
	CHECK_INT(st(&k4), -1);
	CHECK(anchored(&k1));
	CHECK_INT(tp.failures, 1);
	/* a non-SEP (ZSK) key is never a trust anchor candidate */
	struct tkey zsk = key(5, 256), with_zsk[] = { K(1), key(5, 256) };
	CHECK_INT(refresh(T0 + DAY, with_zsk, 2, 0), 0);
	CHECK_INT(st(&zsk), -1);
	CHECK_INT(tp.failures, 0);
}

static void test_ds_initial_anchor_makes_its_key_valid_when_seen(void)
{
	struct tkey k1 = K(1), k2 = K(2), both[] = { K(1), K(2) }, other = K(3);
	struct validate_anchor a[VALIDATE_CHAIN_ANCHORS_MAX];
	uint8_t ds[4 + VALIDATE_DIGEST_MAX];
	uint16_t tag = validate_key_tag(k1.rdata, k1.len);
	int dlen = validate_ds_digest(2, root, 1, k1.rdata, k1.len, ds + 4, sizeof(ds) - 4);

	CHECK_INT(dlen, 32);
	ds[0] = (uint8_t)(tag >> 8);
	ds[1] = (uint8_t)tag;
	ds[2] = 8;
	ds[3] = 2;
	rfc5011_config_default(&cfg);
	CHECK_INT(rfc5011_point_init(&tp, root, 1, T0), 0);
	CHECK_INT(rfc5011_add_initial(&tp, 43, ds, (size_t)dlen + 4, T0), 0);
	CHECK_INT(anchors(a), 1);
	CHECK_INT(a[0].type, 43);

	CHECK_INT(refresh(T0, &other, 1, 0), -EPERM); /* not the key the DS names */
	CHECK_INT(tp.n_keys, 0);
	CHECK_INT(refresh(T0 + 3600, both, 2, 0), 2);
	CHECK_INT(st(&k1), RFC5011_VALID);
	CHECK_INT(st(&k2), RFC5011_ADDPEND);
	CHECK_INT(tp.n_ds, 0);
	CHECK_INT(anchors(a), 1);
	CHECK_INT(a[0].type, 48);
	CHECK(anchored(&k1));

	/* DS and DNSKEY of the same key configured (the lab's anchor file): the DS goes at
	 * the first validated refresh, so that once the key is revoked nothing trusts it */
	struct tkey k1r = K_REVOKED(1), revoking[] = { K_REVOKED(1), K(2) };
	CHECK_INT(rfc5011_point_init(&tp, root, 1, T0), 0);
	CHECK_INT(rfc5011_add_initial(&tp, 43, ds, (size_t)dlen + 4, T0), 0);
	CHECK_INT(rfc5011_add_initial(&tp, 48, k1.rdata, k1.len, T0), 0);
	CHECK_INT(refresh(T0, &k1, 1, 0), 0);
	CHECK_INT(tp.n_ds, 0);
	CHECK_INT(refresh(T0 + DAY, revoking, 2, 0x1), 2); /* k1 revoked, k2 AddPend */
	CHECK_INT(st(&k1r), RFC5011_REVOKED);
	CHECK_INT(anchors(a), 0);
}

/* ---- Timers ------------------------------------------------------------------------- */

static void test_refresh_timers_follow_rfc5011_section_2_3(void)
{
	struct tkey k1 = K(1), k3 = K(3);
	uint32_t exp10 = (uint32_t)(T0 + 10 * DAY);

	rfc5011_config_default(&cfg);
	/* TTL 2 days: queryInterval = MIN(15 d, 1 d, 5 d); retry = MIN(1 d, 4.8 h, 1 d) */
	CHECK_INT(rfc5011_query_interval(&cfg, 172800, exp10, T0), DAY);
	CHECK_INT(rfc5011_retry_time(&cfg, 172800, exp10, T0), 17280);
	/* a signature expiring in 2 hours: both at their floor of 1 hour */
	CHECK_INT(rfc5011_query_interval(&cfg, 172800, (uint32_t)(T0 + 7200), T0), 3600);
	CHECK_INT(rfc5011_retry_time(&cfg, 172800, (uint32_t)(T0 + 7200), T0), 3600);
	/* long TTL and signature: capped at 15 days and 1 day */
	CHECK_INT(rfc5011_query_interval(&cfg, 90 * DAY, (uint32_t)(T0 + 90 * DAY), T0),
		  15 * DAY);
	CHECK_INT(rfc5011_retry_time(&cfg, 90 * DAY, (uint32_t)(T0 + 90 * DAY), T0), DAY);
	/* an expired signature counts as 0 */
	CHECK_INT(rfc5011_query_interval(&cfg, 172800, (uint32_t)(T0 - 1), T0), 3600);
	/* the lab drill lowers the floors */
	cfg.query_min = 10;
	cfg.retry_min = 5;
	CHECK_INT(rfc5011_query_interval(&cfg, 600, exp10, T0), 300);
	CHECK_INT(rfc5011_retry_time(&cfg, 600, exp10, T0), 60);
	CHECK_INT(rfc5011_retry_time(&cfg, 30, exp10, T0), 5);

	start_with(&k1, NULL);
	CHECK_INT(tp.next_refresh, T0);
	CHECK_INT(refresh(T0, &k1, 1, 0), 0);
	CHECK_INT(tp.next_refresh, T0 + DAY);
	rfc5011_refresh_failed(&tp, &cfg, T0 + DAY);
	CHECK_INT(tp.next_refresh, T0 + DAY + 17280);
	CHECK_INT(tp.failures, 1);
	CHECK_INT(refresh(T0 + 2 * DAY, &k3, 1, 0), -EPERM); /* proves nothing: a retry */
	CHECK_INT(tp.next_refresh, T0 + 2 * DAY + 17280);
	CHECK_INT(tp.failures, 2);
	CHECK_INT(refresh(T0 + 3 * DAY, &k1, 1, 0), 0);
	CHECK_INT(tp.next_refresh, T0 + 4 * DAY);
	CHECK_INT(tp.failures, 0);
}

/* ---- State file ---------------------------------------------------------------------- */

/* rfc5011_load(), its error printed when it fails. */
static int load(const char *path)
{
	int rc = rfc5011_load(&tp, path, err, sizeof(err));

	if (rc != 0)
		fprintf(stderr, "load: %s\n", err);
	return rc;
}

static void path_in_dir(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void make_rich_state(void)
{
	struct tkey k1 = K(1), k2 = K(2), k3 = K(3);
	struct tkey r1[] = { K(1), K(2), K(3) }, r2[] = { K_REVOKED(1), K(2) };
	uint8_t ds[] = { 0x4f, 0x66, 8, 2, 1, 2, 3, 4, 5, 6, 7, 8 };

	start_with(&k1, &k2);
	CHECK_INT(refresh(T0, r1, 3, 0), 1);   /* k3 AddPend */
	CHECK_INT(refresh(T0 + DAY, r2, 2, 0x1), 2); /* k1 revoked, k3 start, k2 valid */
	/* a DS line too (a refresh with a trusted key drops them: added after) */
	CHECK_INT(rfc5011_add_initial(&tp, 43, ds, sizeof(ds), T0), 0);
	(void)k3;
}

static void test_state_file_round_trip(void)
{
	static struct rfc5011_point saved;
	static char a[RFC5011_FILE_MAX], b[RFC5011_FILE_MAX];
	char path[128];

	make_rich_state();
	saved = tp;
	path_in_dir(path, sizeof(path), "root.state");
	CHECK_INT(rfc5011_save(&tp, path, err, sizeof(err)), 0);
	memset(&tp, 0xa5, sizeof(tp));
	CHECK_INT(load(path), 0);
	CHECK_INT(tp.n_keys, saved.n_keys);
	CHECK_INT(tp.n_ds, saved.n_ds);
	CHECK_INT(tp.next_refresh, saved.next_refresh);
	CHECK_INT(tp.last_refresh, saved.last_refresh);
	CHECK_INT(tp.sig_expiration, saved.sig_expiration);
	for (unsigned i = 0; i < tp.n_keys && i < saved.n_keys; i++) {
		CHECK_INT(tp.keys[i].state, saved.keys[i].state);
		CHECK_INT(tp.keys[i].tag, saved.keys[i].tag);
		CHECK_INT(tp.keys[i].hold_down_end, saved.keys[i].hold_down_end);
		CHECK_INT(tp.keys[i].first_seen, saved.keys[i].first_seen);
		CHECK_INT(tp.keys[i].last_seen, saved.keys[i].last_seen);
		CHECK_INT(tp.keys[i].last_change, saved.keys[i].last_change);
		CHECK(tp.keys[i].rdlen == saved.keys[i].rdlen &&
		      memcmp(tp.keys[i].rdata, saved.keys[i].rdata, tp.keys[i].rdlen) == 0);
	}
	CHECK(rfc5011_format(&tp, a, sizeof(a)) > 0);
	CHECK(rfc5011_format(&saved, b, sizeof(b)) > 0);
	CHECK_STR(a, b);
	CHECK(strstr(a, "key . revoked ") != NULL);
	CHECK(strstr(a, "key . start ") != NULL);
	CHECK_INT(rfc5011_format(&tp, a, 100), -ENOSPC);
	unlink(path);
}

/* The state file text of make_rich_state() with line @lineno replaced by @repl (or
 * removed when @repl is NULL), parsed; the error must name t.state:@want_line. */
static void expect_rejected(unsigned lineno, const char *repl, unsigned want_line,
			    const char *reason)
{
	static char text[RFC5011_FILE_MAX], out[RFC5011_FILE_MAX];
	char want[128];
	size_t o = 0;
	unsigned n = 0;

	make_rich_state();
	CHECK(rfc5011_format(&tp, text, sizeof(text)) > 0);
	for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		const char *l = ++n == lineno ? repl : line;

		if (l != NULL)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s\n", l);
	}
	CHECK_INT(rfc5011_parse(&tp, out, o, "t.state", err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "t.state:%u: %s", want_line, reason);
	CHECK_STR(err, want);
}

static void test_corrupt_state_file_rejected_with_file_and_line(void)
{
	/* lines: 1 header, 2-4 comments, 5 point, 6 ds, 7-9 keys, 10 end */
	expect_rejected(1, "sekisho-rfc5011 2", 1, "unsupported state file version");
	expect_rejected(1, "garbage", 1, "not a sekisho RFC 5011 state file");
	expect_rejected(5, "point . 1 2 3", 5, "point wants 6 fields");
	expect_rejected(5, "point . 1 2 3 x 0 0", 5, "point wants 6 fields");
	expect_rejected(5, "point . 1 2 3 -4 0", 5, "bad number");
	expect_rejected(6, "ds . 4F6608ZZ01", 6, "bad DS RDATA (hex)");
	expect_rejected(7, "key . bogus 1 2 3 4 5 0101030801", 7, "unknown state");
	expect_rejected(7, "key . valid 1 2 3 4 5 0101030801", 7,
			"key tag does not match the RDATA");
	expect_rejected(7, "key . valid 1 2 3 4 5 010103", 7, "bad DNSKEY RDATA");
	expect_rejected(7, "key example. valid 1 2 3 4 5 0101030801", 7,
			"owner differs from the point's");
	expect_rejected(7, "frob", 7, "unknown record");
	expect_rejected(10, NULL, 9, "truncated: no end line");
	expect_rejected(10, "end 2 1", 10, "end counts differ from the records read");
	static const char empty[] = "sekisho-rfc5011 1\npoint . 0 0 0 0 0\nend 0 0\n";
	CHECK_INT(rfc5011_parse(&tp, empty, strlen(empty), "t.state", err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(err, "t.state:3: no key and no DS: nothing to start from");
	/* a state file cut in the middle of a key line */
	static char text[RFC5011_FILE_MAX];
	make_rich_state();
	int len = rfc5011_format(&tp, text, sizeof(text));
	char *cut = strstr(text, "key . revoked ");
	CHECK(len > 0 && cut != NULL);
	if (cut != NULL) {
		CHECK_INT(rfc5011_parse(&tp, text, (size_t)(cut - text) + 40, "t.state", err,
					sizeof(err)), -EINVAL);
		CHECK(strncmp(err, "t.state:7: ", 11) == 0);
	}
	/* a duplicate key line */
	make_rich_state();
	len = rfc5011_format(&tp, text, sizeof(text));
	char *k7 = strstr(text, "\nkey ");
	CHECK(k7 != NULL);
	if (k7 != NULL) {
		static char dup[RFC5011_FILE_MAX];
		size_t head = (size_t)(k7 + 1 - text);
		size_t klen = (size_t)(strchr(k7 + 1, '\n') - k7);

		memcpy(dup, text, head);
		memcpy(dup + head, k7 + 1, klen);
		memcpy(dup + head + klen, k7 + 1, (size_t)len - head);
		CHECK_INT(rfc5011_parse(&tp, dup, (size_t)len + klen, "t.state", err,
					sizeof(err)), -EINVAL);
		CHECK_STR(err, "t.state:8: duplicate key");
	}
}

static void test_crash_before_rename_leaves_previous_state(void)
{
	struct tkey k1 = K(1), k2 = K(2), both[] = { K(1), K(2) };
	char path[128], tmp[160];
	FILE *f;

	path_in_dir(path, sizeof(path), "crash.state");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	start_with(&k1, NULL);
	CHECK_INT(rfc5011_save(&tp, path, err, sizeof(err)), 0);
	CHECK(access(tmp, F_OK) != 0); /* no temp file left behind */

	/* a crash after writing half of the next state, before the rename */
	f = fopen(tmp, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs("sekisho-rfc5011 1\npoint . 1 2 3 4 0\nkey . valid 12", f);
		fclose(f);
	}
	CHECK_INT(load(path), 0);
	CHECK_INT(tp.n_keys, 1);
	CHECK_INT(st(&k1), RFC5011_VALID);

	/* the next save replaces both */
	CHECK_INT(refresh(T0, both, 2, 0), 1);
	CHECK_INT(rfc5011_save(&tp, path, err, sizeof(err)), 0);
	CHECK(access(tmp, F_OK) != 0);
	CHECK_INT(load(path), 0);
	CHECK_INT(st(&k2), RFC5011_ADDPEND);
	unlink(path);
}

static void test_start_from_initial_anchor_then_from_state_file(void)
{
	struct tkey k1 = K(1), k2 = K(2), both[] = { K(1), K(2) };
	struct validate_anchor init = { .owner = { 0 }, .owner_len = 1, .type = 48,
					.rdlen = k1.len, .rdata = k1.rdata };
	char path[128];

	rfc5011_config_default(&cfg);
	path_in_dir(path, sizeof(path), "start.state");
	CHECK_INT(rfc5011_start(&tp, path, root, 1, NULL, 0, T0, err, sizeof(err)), -ENOENT);
	CHECK_INT(rfc5011_start(&tp, path, root, 1, &init, 1, T0, err, sizeof(err)), 0);
	CHECK_INT(st(&k1), RFC5011_VALID);
	CHECK(access(path, F_OK) == 0);
	CHECK_INT(refresh(T0, both, 2, 0), 1);
	CHECK_INT(rfc5011_save(&tp, path, err, sizeof(err)), 0);
	/* the state file wins over the config's anchors at the next start */
	CHECK_INT(rfc5011_start(&tp, path, root, 1, &init, 1, T0 + DAY, err, sizeof(err)), 0);
	CHECK_INT(st(&k2), RFC5011_ADDPEND);
	/* a corrupt state file stops the start (no silent fallback to the config) */
	FILE *f = fopen(path, "w");
	if (f != NULL) {
		fputs("sekisho-rfc5011 1\n", f);
		fclose(f);
	}
	CHECK_INT(rfc5011_start(&tp, path, root, 1, &init, 1, T0, err, sizeof(err)), -EINVAL);
	CHECK(strstr(err, "start.state:1: truncated") != NULL);
	unlink(path);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_rfc5011.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	RUN(test_normal_rollover_addpend_valid_revoked_removed);
	RUN(test_new_key_gone_during_hold_down_goes_back_to_start);
	RUN(test_valid_key_missing_then_back_stays_trusted);
	RUN(test_rollover_failing_half_way_keeps_the_old_key);
	RUN(test_revoked_key_not_trusted_and_revoke_needs_self_signature);
	RUN(test_refresh_without_trusted_key_changes_nothing);
	RUN(test_ds_initial_anchor_makes_its_key_valid_when_seen);
	RUN(test_refresh_timers_follow_rfc5011_section_2_3);
	RUN(test_state_file_round_trip);
	RUN(test_corrupt_state_file_rejected_with_file_and_line);
	RUN(test_crash_before_rename_leaves_previous_state);
	RUN(test_start_from_initial_anchor_then_from_state_file);
	rmdir(dir);
	validate_thread_cleanup();
	return unit_check_exit();
}
