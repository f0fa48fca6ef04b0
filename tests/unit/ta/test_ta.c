/*
 * test_ta.c - RFC 5011 management of the root's anchors from DNS answers
 * (control/ta_dnskey.h, control/ta_refresh.h): real DNSKEY answers, signed here with
 * fresh ECDSA P-256 keys, read and verified again (a REVOKE bit counts only with the
 * key's own signature; only a trusted key's RRSIG moves anything), and a whole KSK
 * rollover driven through ta_refresh on a fake clock: publish, hold-down, switch,
 * revoke, remove, a restart from the state file in the middle, a rollover that fails
 * half-way, answers that are not validated, and a corrupt state file.
 * The signer is test code only (EVP_DigestSign over validate_signed_data()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "ta_refresh.h"
#include "unit_check.h"
#include "wire.h"

#define DAY 86400ull
#define T0 1700000000ull
#define TTL 172800u

static const uint8_t root[] = { 0 };

/* ---- Keys and signatures (test code) ----------------------------------------------------- */

/* A KSK: an ECDSA P-256 key pair and its DNSKEY RDATA (flags 257, or 385 revoked). */
struct tkey {
	EVP_PKEY *pkey;
	uint8_t rdata[4 + 64];
	uint16_t len;
};

static struct tkey key_new(void)
{
	struct tkey k = { .len = sizeof(k.rdata) };
	uint8_t pub[65];
	size_t plen = 0;

	k.pkey = EVP_EC_gen("P-256");
	if (k.pkey == NULL ||
	    EVP_PKEY_get_octet_string_param(k.pkey, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
					    &plen) != 1 || plen != 65) {
		fprintf(stderr, "test: EC key generation failed\n");
		exit(2);
	}
	k.rdata[0] = 1;   /* flags 257: ZONE, SEP */
	k.rdata[1] = 1;
	k.rdata[2] = 3;
	k.rdata[3] = 13;  /* ECDSAP256SHA256 */
	memcpy(k.rdata + 4, pub + 1, 64);
	return k;
}

/* The same key published with the REVOKE bit (RFC 5011 §2.1). */
static struct tkey key_revoked(const struct tkey *k)
{
	struct tkey r = *k;

	r.rdata[1] |= VALIDATE_DNSKEY_REVOKE;
	return r;
}

static uint16_t tag(const struct tkey *k)
{
	return validate_key_tag(k->rdata, k->len);
}

/* An RRset of DNSKEY records in the layout the validator reads. */
struct tset {
	uint16_t n;
	uint16_t rdoff[8], rdlen[8];
	uint8_t data[8 * 68];
};

static void set_of(struct tset *s, const struct tkey *const *keys, unsigned n)
{
	size_t used = 0;

	s->n = (uint16_t)n;
	for (unsigned i = 0; i < n; i++) {
		memcpy(s->data + used, keys[i]->rdata, keys[i]->len);
		s->rdoff[i] = (uint16_t)used;
		s->rdlen[i] = keys[i]->len;
		used += keys[i]->len;
	}
}

/* DER ECDSA signature -> the 64-byte r|s of RFC 6605. */
static void der_to_raw(const uint8_t *der, size_t dlen, uint8_t *out)
{
	const uint8_t *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	const BIGNUM *r, *s;

	if (es == NULL) {
		fprintf(stderr, "test: bad DER signature\n");
		exit(2);
	}
	ECDSA_SIG_get0(es, &r, &s);
	BN_bn2binpad(r, out, 32);
	BN_bn2binpad(s, out + 32, 32);
	ECDSA_SIG_free(es);
}

/* RRSIG RDATA over @s by @signer (tag and key of @signer as published), valid from
 * now - 1 h to now + 10 days; @with: the private key that really signs. */
static uint16_t rrsig(const struct tset *s, const struct tkey *signer, const struct tkey *with,
		      uint64_t now, uint32_t expire_in, uint8_t *out)
{
	struct validate_rrset rs = { .owner = root, .owner_len = 1, .type = 48, .rclass = 1,
				     .count = s->n, .data = s->data, .rdoff = s->rdoff,
				     .rdlen = s->rdlen };
	struct validate_rrsig sig;
	static uint8_t tbs[8192];
	uint8_t der[80];
	size_t dlen = sizeof(der);
	int tlen;

	wire_put_u16(out, 48);
	out[2] = 13;
	out[3] = 0;
	wire_put_u32(out + 4, TTL);
	wire_put_u32(out + 8, (uint32_t)(now + expire_in));
	wire_put_u32(out + 12, (uint32_t)(now - 3600));
	wire_put_u16(out + 16, tag(signer));
	out[18] = 0; /* signer: the root */
	memset(out + 19, 0xaa, 64);
	if (validate_rrsig_parse(out, 19 + 64, &sig) != 0 ||
	    (tlen = validate_signed_data(&sig, &rs, tbs, sizeof(tbs))) < 0) {
		fprintf(stderr, "test: signed data\n");
		exit(2);
	}
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, with->pkey) != 1 ||
	    EVP_DigestSign(ctx, der, &dlen, tbs, (size_t)tlen) != 1) {
		fprintf(stderr, "test: EVP_DigestSign\n");
		exit(2);
	}
	EVP_MD_CTX_free(ctx);
	der_to_raw(der, dlen, out + 19);
	return 19 + 64;
}

/* ---- Messages --------------------------------------------------------------------------- */

struct tmsg {
	uint8_t buf[4096];
	size_t len;
};

static void msg_start(struct tmsg *m, uint16_t qtype, uint8_t rcode, bool ad)
{
	memset(m, 0, sizeof(*m));
	wire_put_u16(m->buf, 0x1234);
	wire_put_u16(m->buf + 2, (uint16_t)(WIRE_FLAG_QR | WIRE_FLAG_RD | WIRE_FLAG_RA |
					    (ad ? WIRE_FLAG_AD : 0) | rcode));
	wire_put_u16(m->buf + 4, 1);
	m->buf[12] = 0; /* "." */
	wire_put_u16(m->buf + 13, qtype);
	wire_put_u16(m->buf + 15, 1);
	m->len = 17;
}

static void msg_rr(struct tmsg *m, uint16_t type, const uint8_t *rdata, uint16_t rdlen)
{
	uint8_t *p = m->buf + m->len;

	p[0] = 0;
	wire_put_u16(p + 1, type);
	wire_put_u16(p + 3, 1);
	wire_put_u32(p + 5, TTL);
	wire_put_u16(p + 9, rdlen);
	memcpy(p + 11, rdata, rdlen);
	m->len += 11u + rdlen;
	wire_put_u16(m->buf + 6, (uint16_t)(wire_get_u16(m->buf + 6) + 1));
}

/*
 * The answer to ". DNSKEY" at @now: @keys (NULL-terminated) and an RRSIG by each key of
 * @signers (NULL-terminated), AD=@ad.
 */
static void answer(struct tmsg *m, uint64_t now, bool ad, const struct tkey *const *keys,
		   const struct tkey *const *signers)
{
	struct tset s;
	unsigned n = 0;
	uint8_t sig[128];

	while (keys[n] != NULL)
		n++;
	set_of(&s, keys, n);
	msg_start(m, 48, 0, ad);
	for (unsigned i = 0; i < n; i++)
		msg_rr(m, 48, keys[i]->rdata, keys[i]->len);
	for (unsigned i = 0; signers[i] != NULL; i++)
		msg_rr(m, 46, sig, rrsig(&s, signers[i], signers[i], now, 10 * DAY, sig));
}

/* ---- ta_dnskey ---------------------------------------------------------------------------- */

static struct tkey k1, k2, k3, k1r, k2r;
static struct ta_dnskey_verifier *ver;
static struct ta_dnskey_answer ans;
static struct validate_policy policy;

static struct validate_anchor anchor_key(const struct tkey *k)
{
	struct validate_anchor a = { .owner = { 0 }, .owner_len = 1, .type = 48,
				     .rdlen = k->len, .rdata = k->rdata };
	return a;
}

static int read_msg(const struct tmsg *m, const struct validate_anchor *tr, unsigned n,
		    uint64_t now)
{
	return ta_dnskey_read(ver, m->buf, m->len, root, 1, tr, n, now, 60, &ans);
}

static const struct rfc5011_seen_key *seen_of(const struct tkey *k)
{
	for (unsigned i = 0; i < ans.refresh.n_keys; i++)
		if (ans.seen[i].rdlen == k->len &&
		    memcmp(ans.seen[i].rdata, k->rdata, k->len) == 0)
			return &ans.seen[i];
	return NULL;
}

static void test_dnskey_answer_read_with_its_signer(void)
{
	struct tmsg m;
	struct validate_anchor tr = anchor_key(&k1);

	answer(&m, T0, true, (const struct tkey *[]){ &k1, &k2, NULL },
	       (const struct tkey *[]){ &k1, NULL });
	CHECK_INT(read_msg(&m, &tr, 1, T0), 0);
	CHECK_INT(ans.refresh.n_keys, 2);
	CHECK_INT(ans.n_sigs, 1);
	CHECK_INT(ans.n_verified, 1);
	CHECK_INT(ans.signer_tag, tag(&k1));
	CHECK_INT(ans.refresh.orig_ttl, TTL);
	CHECK_INT(ans.refresh.sig_expiration, (uint32_t)(T0 + 10 * DAY));
	CHECK(seen_of(&k1) != NULL && seen_of(&k1)->self_signed);
	CHECK(seen_of(&k2) != NULL && !seen_of(&k2)->self_signed);
	/* the same answer with the other key trusted: the set is not tied to it */
	tr = anchor_key(&k2);
	CHECK_INT(read_msg(&m, &tr, 1, T0), -EPERM);
	/* a DS anchor trusts the key it names */
	uint8_t ds[4 + VALIDATE_DIGEST_MAX];
	int dl = validate_ds_digest(2, root, 1, k1.rdata, k1.len, ds + 4, sizeof(ds) - 4);
	CHECK_INT(dl, 32);
	wire_put_u16(ds, tag(&k1));
	ds[2] = 13;
	ds[3] = 2;
	struct validate_anchor dsa = { .owner = { 0 }, .owner_len = 1, .type = 43,
				       .rdlen = (uint16_t)(dl + 4), .rdata = ds };
	CHECK_INT(read_msg(&m, &dsa, 1, T0), 0);
	CHECK_INT(ans.signer_tag, tag(&k1));
}

static void test_revoke_bit_counts_only_with_the_keys_own_signature(void)
{
	struct tmsg m;
	struct validate_anchor tr[2] = { anchor_key(&k1), anchor_key(&k2) };
	struct tset s;
	uint8_t sig[128];

	/* K1 published revoked, only K2 signs: the bit is not proven */
	answer(&m, T0, true, (const struct tkey *[]){ &k1r, &k2, NULL },
	       (const struct tkey *[]){ &k2, NULL });
	CHECK_INT(read_msg(&m, tr, 2, T0), 0);
	CHECK(seen_of(&k1r) != NULL && !seen_of(&k1r)->self_signed);
	CHECK(seen_of(&k2)->self_signed);
	/* K1 revoked signs the set itself: proven */
	answer(&m, T0, true, (const struct tkey *[]){ &k1r, &k2, NULL },
	       (const struct tkey *[]){ &k2, &k1r, NULL });
	CHECK_INT(read_msg(&m, tr, 2, T0), 0);
	CHECK(seen_of(&k1r)->self_signed);
	CHECK_INT(ans.n_verified, 2);
	CHECK_INT(ans.signer_tag, tag(&k2)); /* an unrevoked signer is preferred */
	/* an RRSIG in K1r's name made with another private key proves nothing */
	const struct tkey *set[] = { &k1r, &k2 };
	set_of(&s, set, 2);
	msg_start(&m, 48, 0, true);
	msg_rr(&m, 48, k1r.rdata, k1r.len);
	msg_rr(&m, 48, k2.rdata, k2.len);
	msg_rr(&m, 46, sig, rrsig(&s, &k2, &k2, T0, 10 * DAY, sig));
	msg_rr(&m, 46, sig, rrsig(&s, &k1r, &k3, T0, 10 * DAY, sig));
	CHECK_INT(read_msg(&m, tr, 2, T0), 0);
	CHECK(!seen_of(&k1r)->self_signed);
	CHECK_INT(ans.n_verified, 1);
	/* the revoked key's own signature is the only tie to trust: still taken (RFC 5011
	 * §2.1: that signature is what it may be used for), and it is the signer */
	answer(&m, T0, true, (const struct tkey *[]){ &k1r, &k3, NULL },
	       (const struct tkey *[]){ &k1r, &k3, NULL });
	CHECK_INT(read_msg(&m, tr, 1, T0), 0);
	CHECK_INT(ans.signer_tag, tag(&k1r));
}

static void test_unverifiable_answers_are_refused(void)
{
	struct tmsg m;
	struct validate_anchor tr = anchor_key(&k1);
	struct tset s;
	uint8_t sig[128];
	const struct tkey *set[] = { &k1, &k2 };

	/* signed by a key nobody trusts */
	answer(&m, T0, true, (const struct tkey *[]){ &k1, &k3, NULL },
	       (const struct tkey *[]){ &k3, NULL });
	CHECK_INT(read_msg(&m, &tr, 1, T0), -EPERM);
	/* the trusted key's signature has expired */
	set_of(&s, set, 2);
	msg_start(&m, 48, 0, true);
	msg_rr(&m, 48, k1.rdata, k1.len);
	msg_rr(&m, 48, k2.rdata, k2.len);
	msg_rr(&m, 46, sig, rrsig(&s, &k1, &k1, T0 - 20 * DAY, 10 * DAY, sig));
	CHECK_INT(read_msg(&m, &tr, 1, T0), -EPERM);
	/* a set changed after signing: the signature does not verify */
	msg_start(&m, 48, 0, true);
	msg_rr(&m, 48, k1.rdata, k1.len);
	msg_rr(&m, 46, sig, rrsig(&s, &k1, &k1, T0, 10 * DAY, sig));
	CHECK_INT(read_msg(&m, &tr, 1, T0), -EPERM);
	CHECK_INT(ans.n_verified, 0);
	/* not an answer to ". DNSKEY", not NOERROR, nothing in it, cut short */
	answer(&m, T0, true, (const struct tkey *[]){ &k1, NULL }, (const struct tkey *[]){ &k1, NULL });
	m.buf[14] = 2; /* QTYPE NS */
	CHECK_INT(read_msg(&m, &tr, 1, T0), -EBADMSG);
	msg_start(&m, 48, 2, false);
	CHECK_INT(read_msg(&m, &tr, 1, T0), -EBADMSG);
	msg_start(&m, 48, 0, true);
	CHECK_INT(read_msg(&m, &tr, 1, T0), -ENODATA);
	answer(&m, T0, true, (const struct tkey *[]){ &k1, NULL }, (const struct tkey *[]){ &k1, NULL });
	CHECK_INT(ta_dnskey_read(ver, m.buf, m.len - 10, root, 1, &tr, 1, T0, 60, &ans),
		  -EBADMSG);
	CHECK_STR(ta_dnskey_strerror(-EPERM),
		  "no RRSIG over the DNSKEY set verifies with a trusted key");
}

/* ---- ta_refresh: a whole rollover --------------------------------------------------------- */

static char dir[64], path[128];
static struct ta_refresh ta;
static struct rfc5011_config cfg;

static enum ta_refresh_result refresh(uint64_t now, bool ad, const struct tkey *const *keys,
				      const struct tkey *const *signers)
{
	static struct tmsg m;
	enum ta_refresh_result r;

	answer(&m, now, ad, keys, signers);
	r = ta_refresh_answer(&ta, m.buf, m.len, ad, now);
	if (ta.log[0] != '\0')
		printf("  %llu: %s\n", (unsigned long long)(now - T0), ta.log);
	return r;
}

/* The state of @k in the trust point, whatever its REVOKE bit; -1 when unknown. */
static int state(const struct tkey *k)
{
	for (unsigned i = 0; i < ta.tp.n_keys; i++)
		if (ta.tp.keys[i].rdlen == k->len &&
		    memcmp(ta.tp.keys[i].rdata + 2, k->rdata + 2, k->len - 2) == 0)
			return (int)ta.tp.keys[i].state;
	return -1;
}

static bool anchored(const struct tkey *k)
{
	for (unsigned i = 0; i < ta.n_anchors; i++)
		if (ta.anchors[i].type == 48 && ta.anchors[i].rdlen == k->len &&
		    memcmp(ta.anchors[i].rdata, k->rdata, k->len) == 0)
			return true;
	return false;
}

static void start(const struct tkey *initial)
{
	struct validate_anchor a = anchor_key(initial);
	char err[512];

	ta_refresh_free(&ta);
	CHECK_INT(ta_refresh_init(&ta, path, &cfg, 60), 0);
	CHECK_INT(ta_refresh_start(&ta, &a, 1, T0, err, sizeof(err)), 0);
}

static char report[4096];

static void report_line(void *arg, const char *text)
{
	size_t used = strlen(report);

	(void)arg;
	snprintf(report + used, sizeof(report) - used, "%s\n", text);
}

/* The report line of the key with tag @t ("" when there is none). */
static const char *report_key(uint16_t t)
{
	static char line[512];
	char want[32];
	const char *p, *nl;

	report[0] = '\0';
	ta_refresh_report(&ta, report_line, NULL);
	snprintf(want, sizeof(want), "key %u ", t);
	p = strstr(report, want);
	if (p == NULL)
		return "";
	nl = strchr(p, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
	return line;
}

static void test_rollover_publish_holddown_switch_revoke_remove_with_restart(void)
{
	const struct tkey *old_only[] = { &k1, NULL }, *both[] = { &k1, &k2, NULL };
	const struct tkey *revoking[] = { &k1r, &k2, NULL }, *new_only[] = { &k2, NULL };
	const struct tkey *by_old[] = { &k1, NULL }, *by_new[] = { &k2, NULL };
	const struct tkey *by_new_and_revoked[] = { &k2, &k1r, NULL };
	uint64_t t = T0;
	char want[512], ts[32];

	start(&k1);
	CHECK(anchored(&k1) && ta.n_anchors == 1);
	CHECK(ta_refresh_due(&ta, t));
	CHECK_INT(refresh(t, true, old_only, by_old), TA_REFRESH_UNCHANGED);
	CHECK(!ta_refresh_due(&ta, t + 1));
	CHECK_INT(ta.tp.next_refresh, t + DAY); /* MIN(TTL/2, expiration/2) */

	t += DAY; /* the new KSK is published, signed by the old one */
	CHECK_INT(refresh(t, true, both, by_old), TA_REFRESH_KEYS_CHANGED);
	CHECK_INT(state(&k2), RFC5011_ADDPEND);
	CHECK(!anchored(&k2));
	CHECK(strstr(ta.log, "-> addpend") != NULL);
	snprintf(want, sizeof(want), "key %u 13 addpend first-seen=%s hold-down-end=", tag(&k2),
		 ta_refresh_time(t, ts, sizeof(ts)));
	CHECK(strncmp(report_key(tag(&k2)), want, strlen(want)) == 0);
	CHECK(strstr(report_key(tag(&k2)),
		     ta_refresh_time(t + 30 * DAY, ts, sizeof(ts))) != NULL);

	/* an answer that is not validated moves nothing, even one that looks fine */
	CHECK_INT(refresh(t + 10 * DAY, false, new_only, by_new), TA_REFRESH_FAILED);
	CHECK_INT(state(&k2), RFC5011_ADDPEND);
	CHECK_INT(state(&k1), RFC5011_VALID);

	/* restart in the hold-down: the state file carries it over */
	start(&k3); /* the config's anchor is ignored once a state file exists */
	CHECK_INT(state(&k3), -1);
	CHECK_INT(state(&k2), RFC5011_ADDPEND);
	CHECK(anchored(&k1) && !anchored(&k2));
	CHECK_INT(ta.tp.failures, 1);

	CHECK_INT(refresh(t + 29 * DAY, true, both, by_old), TA_REFRESH_UNCHANGED);
	CHECK_INT(refresh(t + 30 * DAY, true, both, by_old), TA_REFRESH_ANCHORS_CHANGED);
	CHECK_INT(state(&k2), RFC5011_VALID);
	CHECK(anchored(&k1) && anchored(&k2));

	t += 40 * DAY; /* signing switches to the new key; the old one stays published */
	CHECK_INT(refresh(t, true, both, by_new), TA_REFRESH_UNCHANGED);
	CHECK(anchored(&k1) && anchored(&k2));

	t += DAY; /* the old key revokes itself */
	CHECK_INT(refresh(t, true, revoking, by_new_and_revoked), TA_REFRESH_ANCHORS_CHANGED);
	CHECK_INT(state(&k1), RFC5011_REVOKED);
	CHECK(!anchored(&k1) && !anchored(&k1r) && anchored(&k2) && ta.n_anchors == 1);
	snprintf(want, sizeof(want), "key %u 13 revoked ", tag(&k1r));
	CHECK(strncmp(report_key(tag(&k1r)), want, strlen(want)) == 0);

	/* restart: revoked stays revoked */
	start(&k1);
	CHECK_INT(state(&k1), RFC5011_REVOKED);
	CHECK(!anchored(&k1) && anchored(&k2));

	t += DAY; /* removed from the zone; Removed once the remove hold-down has passed */
	CHECK_INT(refresh(t, true, new_only, by_new), TA_REFRESH_UNCHANGED);
	CHECK_INT(state(&k1), RFC5011_REVOKED);
	CHECK_INT(refresh(t + 30 * DAY, true, new_only, by_new), TA_REFRESH_KEYS_CHANGED);
	CHECK_INT(state(&k1), RFC5011_REMOVED);
	CHECK_INT(state(&k2), RFC5011_VALID);
	CHECK(anchored(&k2) && ta.n_anchors == 1);
	/* the old key's signature alone no longer proves anything */
	CHECK_INT(refresh(t + 31 * DAY, true, both, by_old), TA_REFRESH_FAILED);
	CHECK(strstr(ta.log, "verifies with a trusted key") != NULL);
	unlink(path);
}

static void test_rollover_failing_half_way_keeps_the_old_key(void)
{
	const struct tkey *old_only[] = { &k1, NULL }, *both[] = { &k1, &k2, NULL };
	const struct tkey *by_old[] = { &k1, NULL }, *by_new[] = { &k2, NULL };
	const struct tkey *attacker[] = { &k1, &k3, NULL }, *by_attacker[] = { &k3, NULL };

	start(&k1);
	CHECK_INT(refresh(T0, true, both, by_old), TA_REFRESH_KEYS_CHANGED);
	CHECK_INT(state(&k2), RFC5011_ADDPEND);
	/* the rollover is abandoned: the new key goes before its hold-down ends */
	CHECK_INT(refresh(T0 + 5 * DAY, true, old_only, by_old), TA_REFRESH_KEYS_CHANGED);
	CHECK_INT(state(&k2), RFC5011_START);
	CHECK_INT(refresh(T0 + 40 * DAY, true, old_only, by_old), TA_REFRESH_UNCHANGED);
	CHECK(anchored(&k1) && !anchored(&k2) && ta.n_anchors == 1);
	/* and a zone signed only by the never-trusted new key fails, whatever AD says */
	CHECK_INT(refresh(T0 + 41 * DAY, true, both, by_new), TA_REFRESH_FAILED);
	/* an attacker's key signing a set that holds ours too proves nothing */
	CHECK_INT(refresh(T0 + 42 * DAY, true, attacker, by_attacker), TA_REFRESH_FAILED);
	CHECK_INT(state(&k3), -1);
	CHECK_INT(ta.tp.failures, 2);
	CHECK(ta.tp.next_refresh > T0 + 42 * DAY);
	unlink(path);
}

static void test_unproven_revoke_bit_leaves_the_key_trusted(void)
{
	const struct tkey *both[] = { &k1, &k2, NULL }, *by_both[] = { &k1, &k2, NULL };
	const struct tkey *fake_revoke[] = { &k1r, &k2, NULL }, *by_new[] = { &k2, NULL };
	struct validate_anchor a[2] = { anchor_key(&k1), anchor_key(&k2) };
	char err[512];

	ta_refresh_free(&ta);
	CHECK_INT(ta_refresh_init(&ta, path, &cfg, 60), 0);
	CHECK_INT(ta_refresh_start(&ta, a, 2, T0, err, sizeof(err)), 0);
	CHECK_INT(refresh(T0, true, both, by_both), TA_REFRESH_UNCHANGED);
	/* K1 shown with the REVOKE bit, but only K2 signs: as if K1 were absent */
	CHECK_INT(refresh(T0 + DAY, true, fake_revoke, by_new), TA_REFRESH_KEYS_CHANGED);
	CHECK_INT(state(&k1), RFC5011_MISSING);
	CHECK(anchored(&k1) && anchored(&k2));
	(void)k2r;
	unlink(path);
}

/* The DS of @k (SHA-256) as an anchor; @buf holds its RDATA. */
static struct validate_anchor anchor_ds(const struct tkey *k, uint8_t *buf)
{
	int dl = validate_ds_digest(2, root, 1, k->rdata, k->len, buf + 4, VALIDATE_DIGEST_MAX);
	struct validate_anchor a = { .owner = { 0 }, .owner_len = 1, .type = 43,
				     .rdlen = (uint16_t)(dl + 4), .rdata = buf };

	wire_put_u16(buf, tag(k));
	buf[2] = 13;
	buf[3] = 2;
	return a;
}

static void test_start_from_two_ds_like_iana_then_keys(void)
{
	const struct tkey *both[] = { &k1, &k2, NULL }, *by_old[] = { &k1, NULL };
	uint8_t ds1[4 + VALIDATE_DIGEST_MAX], ds2[4 + VALIDATE_DIGEST_MAX];
	struct validate_anchor a[2] = { anchor_ds(&k1, ds1), anchor_ds(&k2, ds2) };
	char err[512];

	ta_refresh_free(&ta);
	CHECK_INT(ta_refresh_init(&ta, path, &cfg, 60), 0);
	CHECK_INT(ta_refresh_start(&ta, a, 2, T0, err, sizeof(err)), 0);
	CHECK_INT(ta.n_anchors, 2);
	CHECK_INT(ta.anchors[0].type, 43);
	report[0] = '\0';
	ta_refresh_report(&ta, report_line, NULL);
	CHECK(strstr(report, "ds ") != NULL);
	/* the first validated refresh: both keys the DS name are Valid, the DS gone */
	CHECK_INT(refresh(T0, true, both, by_old), TA_REFRESH_ANCHORS_CHANGED);
	CHECK_INT(state(&k1), RFC5011_VALID);
	CHECK_INT(state(&k2), RFC5011_VALID);
	CHECK(anchored(&k1) && anchored(&k2) && ta.n_anchors == 2);
	CHECK_INT(ta.tp.n_ds, 0);
	unlink(path);
}

static void test_corrupt_state_file_stops_the_start(void)
{
	struct validate_anchor a = anchor_key(&k1);
	char err[512], want[256];
	FILE *f;

	start(&k1);
	f = fopen(path, "a");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs("key . valid 1 2 3 4 5 0101030D\n", f);
		fclose(f);
	}
	ta_refresh_free(&ta);
	CHECK_INT(ta_refresh_init(&ta, path, &cfg, 60), 0);
	CHECK_INT(ta_refresh_start(&ta, &a, 1, T0, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:", path);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK(strstr(err, ": data after the end line") != NULL);
	unlink(path);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_ta.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/root.state", dir);
	k1 = key_new();
	k2 = key_new();
	k3 = key_new();
	k1r = key_revoked(&k1);
	k2r = key_revoked(&k2);
	validate_policy_default(&policy);
	rfc5011_config_default(&cfg);
	ver = ta_dnskey_verifier_create(&policy);
	CHECK(ver != NULL);
	RUN(test_dnskey_answer_read_with_its_signer);
	RUN(test_revoke_bit_counts_only_with_the_keys_own_signature);
	RUN(test_unverifiable_answers_are_refused);
	RUN(test_rollover_publish_holddown_switch_revoke_remove_with_restart);
	RUN(test_rollover_failing_half_way_keeps_the_old_key);
	RUN(test_unproven_revoke_bit_leaves_the_key_trusted);
	RUN(test_start_from_two_ds_like_iana_then_keys);
	RUN(test_corrupt_state_file_stops_the_start);
	ta_refresh_free(&ta);
	ta_dnskey_verifier_destroy(ver);
	EVP_PKEY_free(k1.pkey);
	EVP_PKEY_free(k2.pkey);
	EVP_PKEY_free(k3.pkey);
	rmdir(dir);
	validate_thread_cleanup();
	return unit_check_exit();
}
