/*
 * test_denial.c - denial-of-existence proofs (dataplane/validate/validate_denial.h).
 *
 * Records are built from zone-file-like text: names through wire_text_name(),
 * type lists through wire_text_type(), NSEC3 hashes as their base32hex text.
 * The zones are the RFC examples: RFC 4035 appendix A for NSEC and RFC 5155
 * appendix A (with erratum 4993: salt aabbccdd, 12 iterations, opt-out set on
 * every NSEC3) for NSEC3; the appendix B responses are replayed as record sets.
 * The hashes were recomputed (shared/scenarios/rfc-vectors) and the NSEC3
 * proofs hash the names for real with validate_nsec3_hash().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate_denial.h"
#include "wire_text.h"

static int failures;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__,     \
				__LINE__, __func__, #cond);                             \
			failures++;                                                     \
			return;                                                         \
		}                                                                       \
	} while (0)

#define CHECK_EQ(a, b)                                                                  \
	do {                                                                            \
		long long a_ = (long long)(a), b_ = (long long)(b);                     \
		if (a_ != b_) {                                                         \
			fprintf(stderr, "%s:%d: %s: %s == %lld, expected %s == %lld\n",  \
				__FILE__, __LINE__, __func__, #a, a_, #b, b_);          \
			failures++;                                                     \
			return;                                                         \
		}                                                                       \
	} while (0)

#define RUN(t)                                                                          \
	do {                                                                            \
		int before_ = failures;                                                 \
		t();                                                                    \
		printf("%s - %s\n", failures == before_ ? "ok" : "FAIL", #t);           \
	} while (0)

/* ---- Building records ------------------------------------------------------------------ */

#define REC_MAX 24

struct trr {
	uint8_t owner[WIRE_NAME_MAX];
	size_t owner_len;
	uint8_t rdata[1024];
	size_t rdlen;
};

static struct trr recs[REC_MAX];
static struct validate_denial_rr views[REC_MAX];
static size_t nrec;
static uint8_t zone[WIRE_NAME_MAX];
static size_t zone_len;
static uint8_t qn[WIRE_NAME_MAX];
static size_t qlen;
static struct validate_denial_info info;

static void die(const char *what, const char *text)
{
	fprintf(stderr, "test setup: %s: %s\n", what, text);
	exit(2);
}

static size_t name(const char *text, uint8_t *out)
{
	int n = wire_text_name(text, strlen(text), NULL, out, WIRE_NAME_MAX);
	if (n < 0)
		die("bad name", text);
	return (size_t)n;
}

/* The qname of the next proof. */
static void q(const char *text)
{
	qlen = name(text, qn);
}

static bool ce_is(const char *text)
{
	uint8_t want[WIRE_NAME_MAX];
	size_t wlen = name(text, want);

	return info.closest_encloser != NULL &&
	       wire_name_equal(info.closest_encloser, info.closest_encloser_len, want, wlen) &&
	       info.closest_encloser >= qn && info.closest_encloser + info.closest_encloser_len == qn + qlen;
}

/* A type bitmap from "A NS SOA RRSIG" (RFC 4034 §4.1.2). */
static size_t bitmap(const char *types, uint8_t *out)
{
	static uint8_t bits[256][32];
	uint8_t used[256] = { 0 };
	size_t w = 0;

	memset(bits, 0, sizeof(bits));
	for (const char *s = types; *s != '\0';) {
		size_t n = strcspn(s, " ");
		uint16_t t;
		if (n > 0) {
			if (wire_text_type(s, n, &t) != 0)
				die("bad type", s);
			uint8_t win = (uint8_t)(t >> 8), oct = (uint8_t)((t & 0xFF) >> 3);
			bits[win][oct] |= (uint8_t)(0x80 >> (t & 7));
			if (oct + 1 > used[win])
				used[win] = (uint8_t)(oct + 1);
		}
		s += n;
		s += *s == ' ';
	}
	for (int win = 0; win < 256; win++) {
		if (used[win] == 0)
			continue;
		out[w++] = (uint8_t)win;
		out[w++] = used[win];
		memcpy(out + w, bits[win], used[win]);
		w += used[win];
	}
	return w;
}

static struct trr *next_rec(void)
{
	if (nrec == REC_MAX)
		die("too many records", "");
	struct trr *r = &recs[nrec];
	views[nrec] = (struct validate_denial_rr){ r->owner, 0, r->rdata, 0 };
	nrec++;
	return r;
}

static void seal(struct trr *r)
{
	size_t i = (size_t)(r - recs);
	views[i].owner_len = r->owner_len;
	views[i].rdlen = r->rdlen;
}

static void reset(const char *zone_text)
{
	nrec = 0;
	zone_len = name(zone_text, zone);
}

static struct validate_denial_set set(void)
{
	return (struct validate_denial_set){ zone, zone_len, views, nrec };
}

static void add_nsec(const char *owner, const char *next, const char *types)
{
	struct trr *r = next_rec();
	r->owner_len = name(owner, r->owner);
	r->rdlen = name(next, r->rdata);
	r->rdlen += bitmap(types, r->rdata + r->rdlen);
	seal(r);
}

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;
	for (; hex[0] != '\0' && hex[1] != '\0'; hex += 2) {
		unsigned v;
		if (sscanf(hex, "%2x", &v) != 1)
			die("bad hex", hex);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* One NSEC3: owner "<hash>.<zone>", next hash as base32hex. */
static void add_nsec3_full(const char *owner, uint8_t alg, uint8_t flags, uint16_t iterations,
			   const char *salt_hex, const char *next_b32, const char *types)
{
	struct trr *r = next_rec();
	uint8_t *p = r->rdata;

	r->owner_len = name(owner, r->owner);
	p[0] = alg;
	p[1] = flags;
	wire_put_u16(p + 2, iterations);
	p[4] = (uint8_t)unhex(salt_hex, p + 5);
	size_t pos = 5 + p[4];
	int hl = validate_base32hex_decode((const uint8_t *)next_b32, strlen(next_b32),
					   p + pos + 1, 64);
	if (hl <= 0)
		die("bad base32hex", next_b32);
	p[pos] = (uint8_t)hl;
	pos += 1 + (size_t)hl;
	r->rdlen = pos + bitmap(types, p + pos);
	seal(r);
}

/* The NSEC3 chain of RFC 5155 appendix A (zone "example."). */
struct n3def {
	const char *hash, *next, *types;
};

static const struct n3def rfc5155[] = {
	{ "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "2t7b4g4vsa5smi47k61mv5bv1a22bojr",
	  "MX DNSKEY NS SOA NSEC3PARAM RRSIG" },                        /* example */
	{ "2t7b4g4vsa5smi47k61mv5bv1a22bojr", "2vptu5timamqttgl4luu9kg21e0aor3s",
	  "A RRSIG" },                                                   /* ns1 */
	{ "2vptu5timamqttgl4luu9kg21e0aor3s", "35mthgpgcu1qg68fab165klnsnk3dpvl",
	  "MX RRSIG" },                                                  /* x.y.w */
	{ "35mthgpgcu1qg68fab165klnsnk3dpvl", "b4um86eghhds6nea196smvmlo4ors995",
	  "NS DS RRSIG" },                                               /* a */
	{ "b4um86eghhds6nea196smvmlo4ors995", "gjeqe526plbf1g8mklp59enfd789njgi",
	  "MX RRSIG" },                                                  /* x.w */
	{ "gjeqe526plbf1g8mklp59enfd789njgi", "ji6neoaepv8b5o6k4ev33abha8ht9fgc",
	  "A HINFO AAAA RRSIG" },                                        /* ai */
	{ "ji6neoaepv8b5o6k4ev33abha8ht9fgc", "k8udemvp1j2f7eg6jebps17vp3n8i58h", "" }, /* y.w */
	{ "k8udemvp1j2f7eg6jebps17vp3n8i58h", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi", "" }, /* w */
	{ "kohar7mbb8dc2ce8a9qvl8hon4k53uhi", "q04jkcevqvmu85r014c7dkba38o0ji5r",
	  "A RRSIG" },                                                   /* 2t7b….example */
	{ "q04jkcevqvmu85r014c7dkba38o0ji5r", "r53bq7cc2uvmubfu5ocmm6pers9tk9en",
	  "A RRSIG" },                                                   /* ns2 */
	{ "r53bq7cc2uvmubfu5ocmm6pers9tk9en", "t644ebqk9bibcna874givr6joj62mlhv",
	  "MX RRSIG" },                                                  /* *.w */
	{ "t644ebqk9bibcna874givr6joj62mlhv", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom",
	  "A HINFO AAAA RRSIG" },                                        /* xx */
};

#define N_5155 (sizeof(rfc5155) / sizeof(rfc5155[0]))

/* Adds the appendix A NSEC3 whose hash starts with @prefix, with @flags. */
static void add_5155(const char *prefix, uint8_t flags)
{
	for (size_t i = 0; i < N_5155; i++) {
		if (strncmp(rfc5155[i].hash, prefix, strlen(prefix)) == 0) {
			char owner[80];
			snprintf(owner, sizeof(owner), "%s.example.", rfc5155[i].hash);
			add_nsec3_full(owner, VALIDATE_NSEC3_ALG_SHA1, flags, 12, "aabbccdd",
				       rfc5155[i].next, rfc5155[i].types);
			return;
		}
	}
	die("no such appendix A hash", prefix);
}

static void add_5155_all(uint8_t flags)
{
	for (size_t i = 0; i < N_5155; i++)
		add_5155(rfc5155[i].hash, flags);
}

/* The NSEC chain of RFC 4035 appendix A (zone "example."); w.example and
 * y.w.example are empty non-terminals, a.example a signed and b.example an
 * unsigned delegation. */
static void add_4035_all(void)
{
	add_nsec("example.", "a.example.", "NS SOA MX RRSIG NSEC DNSKEY");
	add_nsec("a.example.", "ai.example.", "NS DS RRSIG NSEC");
	add_nsec("ai.example.", "b.example.", "A HINFO AAAA RRSIG NSEC");
	add_nsec("b.example.", "ns1.example.", "NS RRSIG NSEC");
	add_nsec("ns1.example.", "ns2.example.", "A RRSIG NSEC");
	add_nsec("ns2.example.", "*.w.example.", "A RRSIG NSEC");
	add_nsec("*.w.example.", "x.w.example.", "MX RRSIG NSEC");
	add_nsec("x.w.example.", "x.y.w.example.", "MX RRSIG NSEC");
	add_nsec("x.y.w.example.", "xx.example.", "MX RRSIG NSEC");
	add_nsec("xx.example.", "example.", "A HINFO AAAA RRSIG NSEC");
}

/* ---- Canonical order and names ----------------------------------------------------------- */

static void test_canonical_order_matches_rfc4034_section_6_1_example(void)
{
	static const char *const sorted[] = {
		"example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.",
		"zABC.a.EXAMPLE.", "z.example.", "\\001.z.example.", "*.z.example.",
		"\\200.z.example.",
	};
	uint8_t a[WIRE_NAME_MAX], b[WIRE_NAME_MAX];

	for (size_t i = 0; i + 1 < sizeof(sorted) / sizeof(sorted[0]); i++) {
		size_t al = name(sorted[i], a), bl = name(sorted[i + 1], b);
		CHECK(validate_name_canonical_cmp(a, al, b, bl) < 0);
		CHECK(validate_name_canonical_cmp(b, bl, a, al) > 0);
	}
	size_t al = name("Z.A.example.", a), bl = name("z.a.EXAMPLE.", b);
	CHECK_EQ(validate_name_canonical_cmp(a, al, b, bl), 0);
}

static void test_name_helpers_count_and_cut_labels(void)
{
	uint8_t a[WIRE_NAME_MAX], b[WIRE_NAME_MAX], w[WIRE_NAME_MAX];
	size_t al = name("a.c.x.w.example.", a);
	size_t bl = name("X.y.W.example.", b);

	CHECK_EQ(validate_name_labels(a, al), 5);
	CHECK_EQ(validate_name_labels((const uint8_t *)"", 1), 0);
	CHECK_EQ(validate_name_common_labels(a, al, b, bl), 2);
	int off = validate_name_ancestor(a, al, 3);
	CHECK_EQ(off, 4); /* "x.w.example." */
	CHECK_EQ(validate_name_ancestor(a, al, 6), WIRE_EINVAL);
	CHECK_EQ(validate_name_ancestor(a, al, 0), (int)al - 1);

	int wl = validate_name_wildcard(a + off, al - (size_t)off, w, sizeof(w));
	CHECK_EQ(wl, (int)(al - (size_t)off + 2));
	CHECK(validate_name_is_wildcard(w, (size_t)wl));
	CHECK_EQ(validate_name_labels(w, (size_t)wl), 4);
	CHECK(!validate_name_is_wildcard(a, al));
	CHECK(validate_name_is_below(a, al, b + 4, bl - 4)); /* below w.example */
	CHECK(!validate_name_is_below(b + 2, bl - 2, b + 2, bl - 2));
}

static void test_wildcard_of_a_255_byte_name_is_refused(void)
{
	uint8_t big[WIRE_NAME_MAX], w[WIRE_NAME_MAX + 8];
	size_t pos = 0;

	/* Three 63-byte labels and one of 61: 254 bytes, 255 with the root. */
	for (int i = 0; i < 4; i++) {
		uint8_t n = i < 3 ? 63 : 61;
		big[pos] = n;
		memset(big + pos + 1, 'a', n);
		pos += 1 + (size_t)n;
	}
	big[pos++] = 0;
	CHECK_EQ(pos, WIRE_NAME_MAX);
	CHECK_EQ(validate_name_wildcard(big, pos, w, sizeof(w)), WIRE_ENAME);
	CHECK_EQ(validate_name_wildcard(big, 3, w, 2), WIRE_ESHORT);
}

/* ---- Type bitmaps --------------------------------------------------------------------- */

static void test_bitmap_finds_types_in_several_windows(void)
{
	uint8_t bm[128];
	size_t n = bitmap("A MX RRSIG NSEC CAA TYPE65534", bm);

	CHECK_EQ(validate_bitmap_check(bm, n), VALIDATE_DENIAL_OK);
	CHECK(validate_bitmap_has(bm, n, WIRE_TYPE_A));
	CHECK(validate_bitmap_has(bm, n, WIRE_TYPE_MX));
	CHECK(validate_bitmap_has(bm, n, WIRE_TYPE_RRSIG));
	CHECK(validate_bitmap_has(bm, n, WIRE_TYPE_NSEC));
	CHECK(validate_bitmap_has(bm, n, WIRE_TYPE_CAA));
	CHECK(validate_bitmap_has(bm, n, 65534));
	CHECK(!validate_bitmap_has(bm, n, WIRE_TYPE_NS));
	CHECK(!validate_bitmap_has(bm, n, WIRE_TYPE_AAAA));
	CHECK(!validate_bitmap_has(bm, n, WIRE_TYPE_DNSKEY)); /* past window 0's last octet */
	CHECK(!validate_bitmap_has(bm, n, 258));
	CHECK(!validate_bitmap_has(bm, n, 1024));
	CHECK_EQ(validate_bitmap_check(bm, 0), VALIDATE_DENIAL_OK);
	CHECK(!validate_bitmap_has(bm, 0, WIRE_TYPE_A));
}

static void test_malformed_bitmaps_are_rejected(void)
{
	static const struct {
		uint8_t b[40];
		size_t len;
	} bad[] = {
		{ { 0x00 }, 1 },                               /* window without length */
		{ { 0x00, 0x00 }, 2 },                         /* zero length */
		{ { 0x00, 0x21 }, 35 },                        /* 33 octets */
		{ { 0x00, 0x03, 0x40, 0x01 }, 4 },             /* runs past the end */
		{ { 0x01, 0x01, 0x40, 0x00, 0x01, 0x40 }, 6 }, /* window 0 after window 1 */
		{ { 0x00, 0x01, 0x40, 0x00, 0x01, 0x20 }, 6 }, /* window 0 twice */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(validate_bitmap_check(bad[i].b, bad[i].len), VALIDATE_DENIAL_EBITMAP);
		CHECK(!validate_bitmap_has(bad[i].b, bad[i].len, WIRE_TYPE_NS));
	}
	/* A record carrying one is unusable: the NODATA proof it would give fails. */
	reset("example.");
	add_nsec("ns1.example.", "ns2.example.", "A RRSIG NSEC");
	/* "A RRSIG NSEC" is window 0 with 6 octets: make the length 7, one past the end. */
	recs[0].rdata[recs[0].rdlen - 7] = 0x07;
	q("ns1.example.");
	struct validate_denial_set s = set();
	struct validate_nsec n;
	CHECK_EQ(validate_nsec_parse(&views[0], &n), VALIDATE_DENIAL_EBITMAP);
	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_MISSING);
}

/* ---- NSEC records ---------------------------------------------------------------------- */

static void test_nsec_parse_rejects_compressed_or_short_next_name(void)
{
	uint8_t owner[WIRE_NAME_MAX];
	size_t olen = name("a.example.", owner);
	static const uint8_t ptr[] = { 0x01, 'b', 0xC0, 0x0C, 0x00, 0x01, 0x40 };
	static const uint8_t cut[] = { 0x07, 'e', 'x', 'a' };
	struct validate_denial_rr rr = { owner, olen, ptr, sizeof(ptr) };
	struct validate_nsec n;

	CHECK_EQ(validate_nsec_parse(&rr, &n), VALIDATE_DENIAL_ENAME);
	rr.rdata = cut;
	rr.rdlen = sizeof(cut);
	CHECK_EQ(validate_nsec_parse(&rr, &n), VALIDATE_DENIAL_ERDATA);
	rr.rdlen = 0;
	CHECK_EQ(validate_nsec_parse(&rr, &n), VALIDATE_DENIAL_ERDATA);
}

static void test_nsec_covers_between_owner_and_next_and_wraps_at_the_apex(void)
{
	struct validate_nsec n;
	uint8_t x[WIRE_NAME_MAX];

	reset("example.");
	add_nsec("b.example.", "ns1.example.", "NS RRSIG NSEC");
	add_nsec("xx.example.", "example.", "A HINFO AAAA RRSIG NSEC");
	CHECK_EQ(validate_nsec_parse(&views[0], &n), VALIDATE_DENIAL_OK);
	CHECK(validate_nsec_covers(&n, x, name("ml.example.", x)));
	CHECK(validate_nsec_covers(&n, x, name("B.EXAMPLE.", x)) == false); /* the owner */
	CHECK(validate_nsec_matches(&n, x, name("B.EXAMPLE.", x)));
	CHECK(!validate_nsec_covers(&n, x, name("ns1.example.", x)));
	CHECK(!validate_nsec_covers(&n, x, name("a.example.", x)));
	CHECK(validate_nsec_has_type(&n, WIRE_TYPE_NS));
	CHECK(!validate_nsec_has_type(&n, WIRE_TYPE_DS));

	CHECK_EQ(validate_nsec_parse(&views[1], &n), VALIDATE_DENIAL_OK);
	CHECK(validate_nsec_covers(&n, x, name("zz.example.", x)));
	CHECK(validate_nsec_covers(&n, x, name("a.xx.example.", x)));
	CHECK(!validate_nsec_covers(&n, x, name("ai.example.", x)));
	CHECK(!validate_nsec_covers(&n, x, name("example.", x)));
	/* After the owner in canonical order but outside the zone. */
	CHECK(!validate_nsec_covers(&n, x, name("zz.org.", x)));
}

/* RFC 4035 B.2: ml.example does not exist, nor does *.example. */
static void test_nsec_nxdomain_rfc4035_b2_proven_with_closest_encloser(void)
{
	reset("example.");
	add_nsec("b.example.", "ns1.example.", "NS RRSIG NSEC");
	add_nsec("example.", "a.example.", "NS SOA MX RRSIG NSEC DNSKEY");
	q("ml.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_PROVEN);
	CHECK(ce_is("example."));
	CHECK_EQ(validate_denial_ede(VALIDATE_DENIAL_PROVEN), WIRE_EDE_NONE);
}

static void test_nsec_nxdomain_without_wildcard_denial_is_bogus(void)
{
	reset("example.");
	add_nsec("b.example.", "ns1.example.", "NS RRSIG NSEC");
	q("ml.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
	CHECK_EQ(validate_denial_ede(VALIDATE_DENIAL_BOGUS), WIRE_EDE_DNSSEC_BOGUS);
}

static void test_nsec_nxdomain_when_the_wildcard_exists_is_bogus(void)
{
	reset("example.");
	add_nsec("x.y.w.example.", "xx.example.", "MX RRSIG NSEC");
	add_nsec("*.w.example.", "x.w.example.", "MX RRSIG NSEC");
	q("a.z.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
	/* The whole chain changes nothing: *.w.example is still there. */
	reset("example.");
	add_4035_all();
	s = set();
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
}

static void test_nsec_nxdomain_for_an_existing_name_or_ent_is_bogus(void)
{
	reset("example.");
	add_4035_all();
	struct validate_denial_set s = set();

	q("ns1.example.");
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
	/* w.example is covered by ns2.example -> *.w.example but has names below. */
	q("w.example.");
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
	q("y.w.example.");
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
}

static void test_nsec_nxdomain_through_the_last_nsec_wraps(void)
{
	reset("example.");
	add_nsec("xx.example.", "example.", "A HINFO AAAA RRSIG NSEC");
	add_nsec("example.", "a.example.", "NS SOA MX RRSIG NSEC DNSKEY");
	q("zz.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_PROVEN);
	CHECK(ce_is("example."));
	q("a.zz.example.");
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_PROVEN);
	CHECK(ce_is("example."));
	/* A qname outside the signer's zone proves nothing. */
	q("zz.org.");
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
}

static void test_nsec_nxdomain_closest_encloser_is_the_deepest_ancestor(void)
{
	reset("example.");
	add_4035_all();
	struct validate_denial_set s = set();

	/* Covered by x.w.example -> x.y.w.example, whose next name shares the
	 * empty non-terminal y.w.example with it; *.y.w.example is covered by the
	 * same NSEC. */
	q("a.y.w.example.");
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_PROVEN);
	CHECK(ce_is("y.w.example."));
}

/* RFC 6840 §4.1: the parent's NSEC at b.example (NS, no SOA) covers
 * mc.b.example in canonical order but must not deny it. */
static void test_nsec_from_parent_side_of_delegation_denies_nothing_below(void)
{
	reset("example.");
	add_nsec("b.example.", "ns1.example.", "NS RRSIG NSEC");
	add_nsec("example.", "a.example.", "NS SOA MX RRSIG NSEC DNSKEY");
	q("mc.b.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_BOGUS);
	/* Nor can it deny the child's data at the delegation point itself. */
	q("b.example.");
	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_BOGUS);
	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_DS, &info),
		 VALIDATE_DENIAL_PROVEN);

	/* The same with a zone apex NSEC (SOA set) is the child's own and fine. */
	reset("example.");
	add_nsec("b.example.", "ns1.example.", "NS SOA RRSIG NSEC");
	add_nsec("example.", "a.example.", "NS SOA MX RRSIG NSEC DNSKEY");
	s = set();
	q("mc.b.example.");
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_PROVEN);
}

static void test_nsec_with_dname_denies_nothing_below(void)
{
	reset("example.");
	add_nsec("b.example.", "ns1.example.", "DNAME RRSIG NSEC");
	add_nsec("example.", "a.example.", "NS SOA MX RRSIG NSEC DNSKEY");
	q("mc.b.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
}

/* RFC 4035 B.3. */
static void test_nsec_nodata_exact_match_without_the_type(void)
{
	reset("example.");
	add_nsec("ns1.example.", "ns2.example.", "A RRSIG NSEC");
	q("ns1.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_PROVEN);
	CHECK(!info.wildcard);
	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_BOGUS);
	q("ns2.example.");
	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_BOGUS);
}

static void test_nsec_nodata_with_cname_bit_is_bogus(void)
{
	reset("example.");
	add_nsec("www.example.", "xx.example.", "CNAME RRSIG NSEC");
	q("www.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_BOGUS);
}

static void test_nsec_nodata_for_an_empty_non_terminal(void)
{
	reset("example.");
	add_nsec("x.w.example.", "x.y.w.example.", "MX RRSIG NSEC");
	q("y.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_PROVEN);
	/* An NSEC that only covers the name (next not below it) is no ENT proof. */
	reset("example.");
	add_nsec("ns1.example.", "ns2.example.", "A RRSIG NSEC");
	s = set();
	q("ns1a.example.");
	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_BOGUS);
}

/* RFC 4035 B.7: a.z.w.example AAAA from the wildcard *.w.example (MX only). */
static void test_nsec_wildcard_nodata(void)
{
	reset("example.");
	add_nsec("x.y.w.example.", "xx.example.", "MX RRSIG NSEC");
	add_nsec("*.w.example.", "x.w.example.", "MX RRSIG NSEC");
	q("a.z.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_AAAA, &info),
		 VALIDATE_DENIAL_PROVEN);
	CHECK(info.wildcard);
	CHECK(ce_is("w.example."));
	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_BOGUS);
	/* Without the wildcard's NSEC there is nothing to stand on. */
	reset("example.");
	add_nsec("x.y.w.example.", "xx.example.", "MX RRSIG NSEC");
	s = set();
	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_AAAA, &info),
		 VALIDATE_DENIAL_BOGUS);
}

/* RFC 4035 B.6: a.z.w.example MX expanded from *.w.example (RRSIG labels 2). */
static void test_nsec_wildcard_answer_needs_qname_covered(void)
{
	reset("example.");
	add_nsec("x.y.w.example.", "xx.example.", "MX RRSIG NSEC");
	q("a.z.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_wildcard(&s, qn, qlen, 2, &info), VALIDATE_DENIAL_PROVEN);
	CHECK(ce_is("w.example."));
	/* Labels 3 claims *.z.w.example, but the NSEC shows z.w.example absent. */
	CHECK_EQ(validate_nsec_prove_wildcard(&s, qn, qlen, 3, &info), VALIDATE_DENIAL_BOGUS);
	/* As many labels as the qname: no expansion at all. */
	CHECK_EQ(validate_nsec_prove_wildcard(&s, qn, qlen, 4, &info), VALIDATE_DENIAL_EINVAL);
	CHECK_EQ(validate_nsec_prove_wildcard(&s, qn, qlen, 7, &info), VALIDATE_DENIAL_EINVAL);
	/* Nothing covering the qname: bogus. */
	reset("example.");
	add_nsec("ns1.example.", "ns2.example.", "A RRSIG NSEC");
	s = set();
	CHECK_EQ(validate_nsec_prove_wildcard(&s, qn, qlen, 2, &info), VALIDATE_DENIAL_BOGUS);
}

static void test_nsec_wildcard_answer_with_a_closer_name_is_bogus(void)
{
	/* x.y.w.example exists, so an answer for a.x.y.w.example synthesised from
	 * *.w.example (labels 2) skipped a closer encloser. */
	reset("example.");
	add_nsec("x.y.w.example.", "xx.example.", "MX RRSIG NSEC");
	q("a.x.y.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_wildcard(&s, qn, qlen, 2, &info), VALIDATE_DENIAL_BOGUS);
	CHECK_EQ(validate_nsec_prove_wildcard(&s, qn, qlen, 4, &info), VALIDATE_DENIAL_PROVEN);
	/* A qname that exists was not expanded from anything. */
	q("x.y.w.example.");
	CHECK_EQ(validate_nsec_prove_wildcard(&s, qn, qlen, 2, &info), VALIDATE_DENIAL_BOGUS);
}

/* RFC 4035 B.5: referral to the unsigned b.example. */
static void test_nsec_insecure_delegation(void)
{
	reset("example.");
	add_4035_all();
	struct validate_denial_set s = set();

	q("b.example.");
	CHECK_EQ(validate_nsec_prove_insecure_delegation(&s, qn, qlen, &info),
		 VALIDATE_DENIAL_PROVEN);
	q("a.example."); /* has DS */
	CHECK_EQ(validate_nsec_prove_insecure_delegation(&s, qn, qlen, &info),
		 VALIDATE_DENIAL_BOGUS);
	q("ai.example."); /* no NS: not a delegation */
	CHECK_EQ(validate_nsec_prove_insecure_delegation(&s, qn, qlen, &info),
		 VALIDATE_DENIAL_BOGUS);
	q("example."); /* the apex itself */
	CHECK_EQ(validate_nsec_prove_insecure_delegation(&s, qn, qlen, &info),
		 VALIDATE_DENIAL_BOGUS);
	/* The child's apex NSEC (SOA set) cannot stand in for the parent's. */
	reset("b.example.");
	add_nsec("b.example.", "ns1.b.example.", "NS SOA RRSIG NSEC DNSKEY");
	s = set();
	q("b.example.");
	CHECK_EQ(validate_nsec_prove_insecure_delegation(&s, qn, qlen, &info),
		 VALIDATE_DENIAL_BOGUS);
	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_DS, &info),
		 VALIDATE_DENIAL_BOGUS);
}

static void test_nsec_records_from_another_zone_are_ignored(void)
{
	reset("org.");
	add_nsec("b.example.", "ns1.example.", "NS RRSIG NSEC");
	q("ml.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_MISSING);
	CHECK_EQ(validate_denial_ede(VALIDATE_DENIAL_MISSING), WIRE_EDE_NSEC_MISSING);
	reset("example.");
	s = set();
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_MISSING);
	/* Invalid qname (cut short, or followed by stray bytes): EINVAL. */
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen - 1, &info), VALIDATE_DENIAL_EINVAL);
	qn[qlen] = 0;
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen + 1, &info), VALIDATE_DENIAL_EINVAL);
	reset("example.");
	add_5155("2t7b", 0);
	s = set();
	q("ns1.example.");
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_PROVEN);
	qn[qlen] = 0;
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen + 1, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_EINVAL);
}

static void test_nsec_aggressive_use_rfc8198(void)
{
	reset("example.");
	add_4035_all();
	struct validate_denial_set s = set();

	q("ml.example.");
	CHECK_EQ(validate_nsec_aggressive(&s, qn, qlen, WIRE_TYPE_A, &info), VALIDATE_AGGR_NXDOMAIN);
	CHECK(ce_is("example."));
	q("ns1.example.");
	CHECK_EQ(validate_nsec_aggressive(&s, qn, qlen, WIRE_TYPE_MX, &info), VALIDATE_AGGR_NODATA);
	CHECK_EQ(validate_nsec_aggressive(&s, qn, qlen, WIRE_TYPE_A, &info), VALIDATE_AGGR_NONE);
	q("a.z.w.example.");
	CHECK_EQ(validate_nsec_aggressive(&s, qn, qlen, WIRE_TYPE_AAAA, &info), VALIDATE_AGGR_NODATA);
	CHECK(info.wildcard);
	CHECK_EQ(validate_nsec_aggressive(&s, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_AGGR_WILDCARD);
	CHECK(ce_is("w.example."));
	/* DS is never answered from a wildcard, not even one holding a CNAME. */
	reset("example.");
	add_nsec("x.y.w.example.", "xx.example.", "MX RRSIG NSEC");
	add_nsec("*.w.example.", "x.w.example.", "CNAME RRSIG NSEC");
	s = set();
	q("a.z.w.example.");
	CHECK_EQ(validate_nsec_aggressive(&s, qn, qlen, WIRE_TYPE_A, &info), VALIDATE_AGGR_WILDCARD);
	CHECK_EQ(validate_nsec_aggressive(&s, qn, qlen, WIRE_TYPE_DS, &info), VALIDATE_AGGR_NONE);
	reset("example.");
	add_4035_all();
	s = set();
	q("mc.b.example."); /* below an unsigned delegation: the child's business */
	CHECK_EQ(validate_nsec_aggressive(&s, qn, qlen, WIRE_TYPE_A, &info), VALIDATE_AGGR_NONE);
	CHECK(info.closest_encloser == NULL);
	/* One cached NSEC alone: covers ml.example but not *.example. */
	reset("example.");
	add_nsec("b.example.", "ns1.example.", "NS RRSIG NSEC");
	s = set();
	q("ml.example.");
	CHECK_EQ(validate_nsec_aggressive(&s, qn, qlen, WIRE_TYPE_A, &info), VALIDATE_AGGR_NONE);
}

/* ---- NSEC3 records --------------------------------------------------------------------- */

static void test_base32hex_decodes_rfc4648_vectors(void)
{
	uint8_t out[16];

	CHECK_EQ(validate_base32hex_decode((const uint8_t *)"CO", 2, out, sizeof(out)), 1);
	CHECK(out[0] == 'f');
	CHECK_EQ(validate_base32hex_decode((const uint8_t *)"cpnmuoj1", 8, out, sizeof(out)), 5);
	CHECK(memcmp(out, "fooba", 5) == 0);
	CHECK_EQ(validate_base32hex_decode((const uint8_t *)"CPNMUOJ1E8", 10, out, sizeof(out)), 6);
	CHECK(memcmp(out, "foobar", 6) == 0);
	CHECK_EQ(validate_base32hex_decode((const uint8_t *)"CPNMUOJ1E8", 10, out, 5),
		 VALIDATE_DENIAL_ERDATA);
	CHECK_EQ(validate_base32hex_decode((const uint8_t *)"CW", 2, out, sizeof(out)),
		 VALIDATE_DENIAL_EOWNER); /* 'w' is past the alphabet */
	CHECK_EQ(validate_base32hex_decode((const uint8_t *)"CP", 2, out, sizeof(out)),
		 VALIDATE_DENIAL_EOWNER); /* non-zero leftover bits */
}

static void test_nsec3_parse_and_cover_with_wrap_around(void)
{
	struct validate_nsec3 n;
	uint8_t h[VALIDATE_NSEC3_SHA1_LEN];

	reset("example.");
	add_5155("t644", 1);
	add_5155("0p9m", 1);
	CHECK_EQ(validate_nsec3_parse(&views[0], &n), VALIDATE_DENIAL_OK);
	CHECK(validate_nsec3_usable(&n, zone, zone_len));
	CHECK_EQ(n.iterations, 12);
	CHECK_EQ(n.salt_len, 4);
	CHECK_EQ(n.owner_hash_len, 20);
	CHECK(validate_nsec3_has_type(&n, WIRE_TYPE_HINFO));
	CHECK(!validate_nsec3_has_type(&n, WIRE_TYPE_MX));
	/* H(a.c.x.w.example) = 06pj... sorts before 0p9m...: covered by the last NSEC3. */
	CHECK_EQ(validate_base32hex_decode((const uint8_t *)"06pjpo0bna507odhmdh856ignbmhtjf3", 32,
					   h, sizeof(h)), 20);
	CHECK(validate_nsec3_covers(&n, h, sizeof(h)));
	/* H(zz.example) = bpac... lies in the middle: not covered by the last one. */
	uint8_t m[VALIDATE_NSEC3_SHA1_LEN];
	CHECK_EQ(validate_base32hex_decode((const uint8_t *)"bpach64k8io9pthbqq9m719mr9e18su2", 32,
					   m, sizeof(m)), 20);
	CHECK(!validate_nsec3_covers(&n, m, sizeof(m)));
	CHECK(!validate_nsec3_covers(&n, n.owner_hash, 20));
	CHECK(validate_nsec3_matches(&n, n.owner_hash, 20));

	CHECK_EQ(validate_nsec3_parse(&views[1], &n), VALIDATE_DENIAL_OK);
	CHECK(!validate_nsec3_covers(&n, h, sizeof(h)));
	CHECK(!validate_nsec3_covers(&n, m, sizeof(m)));
	CHECK(!validate_nsec3_covers(&n, n.next, n.next_len)); /* 2t7b: the next owner */

	/* A chain of one record points at itself and covers every other hash. */
	reset("example.");
	add_nsec3_full("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.", 1, 0, 12, "aabbccdd",
		       "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "NS SOA RRSIG NSEC3PARAM");
	CHECK_EQ(validate_nsec3_parse(&views[0], &n), VALIDATE_DENIAL_OK);
	CHECK(validate_nsec3_covers(&n, h, sizeof(h)));
	CHECK(validate_nsec3_covers(&n, m, sizeof(m)));
	CHECK(!validate_nsec3_covers(&n, n.owner_hash, 20));
}

static void test_nsec3_parse_rejects_short_rdata_and_bad_owner(void)
{
	struct validate_nsec3 n;

	reset("example.");
	add_5155("b4um", 1);
	struct validate_denial_rr rr = views[0];
	for (size_t len = 0; len < 5 + 4 + 1 + 20; len++) {
		rr.rdlen = len;
		CHECK_EQ(validate_nsec3_parse(&rr, &n), VALIDATE_DENIAL_ERDATA);
	}
	rr = views[0];
	recs[0].owner[5] = 'z'; /* not base32hex */
	CHECK_EQ(validate_nsec3_parse(&rr, &n), VALIDATE_DENIAL_EOWNER);
	recs[0].owner[5] = 'M'; /* upper case is fine */
	CHECK_EQ(validate_nsec3_parse(&rr, &n), VALIDATE_DENIAL_OK);
	/* One character decodes to no byte at all: not a hash. */
	uint8_t owner[WIRE_NAME_MAX];
	rr.owner = owner;
	rr.owner_len = name("0.example.", owner);
	CHECK_EQ(validate_nsec3_parse(&rr, &n), VALIDATE_DENIAL_EOWNER);
}

/* RFC 5155 B.1: a.c.x.w.example does not exist. Closest encloser x.w.example
 * (b4um), next closer c.x.w.example covered by 0p9m, wildcard *.x.w.example
 * covered by 35mt. Every NSEC3 of the example zone has opt-out set. */
static void test_nsec3_b1_name_error(void)
{
	reset("example.");
	add_5155("0p9m", 1);
	add_5155("b4um", 1);
	add_5155("35mt", 1);
	q("a.c.x.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nxdomain(&s, NULL, qn, qlen, &info),
		 VALIDATE_DENIAL_INSECURE_OPTOUT);
	CHECK(ce_is("x.w.example."));
	CHECK(info.opt_out);
	CHECK_EQ(info.iterations, 12);
	CHECK(validate_denial_is_insecure(VALIDATE_DENIAL_INSECURE_OPTOUT));

	/* The same chain without opt-out proves it securely. */
	reset("example.");
	add_5155("0p9m", 0);
	add_5155("b4um", 0);
	add_5155("35mt", 0);
	s = set();
	CHECK_EQ(validate_nsec3_prove_nxdomain(&s, NULL, qn, qlen, &info), VALIDATE_DENIAL_PROVEN);
	CHECK(ce_is("x.w.example."));
	CHECK(!info.opt_out);
}

static void test_nsec3_b1_without_each_part_is_bogus(void)
{
	static const char *const parts[] = { "0p9m", "b4um", "35mt" };
	struct validate_denial_set s;

	q("a.c.x.w.example.");
	for (size_t skip = 0; skip < 3; skip++) {
		reset("example.");
		for (size_t i = 0; i < 3; i++) {
			if (i != skip)
				add_5155(parts[i], 0);
		}
		s = set();
		CHECK_EQ(validate_nsec3_prove_nxdomain(&s, NULL, qn, qlen, &info),
			 VALIDATE_DENIAL_BOGUS);
	}
	/* A matching NSEC3 for the qname: it exists. */
	reset("example.");
	add_5155_all(0);
	s = set();
	q("ns1.example.");
	CHECK_EQ(validate_nsec3_prove_nxdomain(&s, NULL, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
}

/* RFC 5155 B.2: ns1.example MX, NSEC3 2t7b matches with A RRSIG. */
static void test_nsec3_b2_no_data(void)
{
	reset("example.");
	add_5155("2t7b", 1);
	q("ns1.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_PROVEN);
	CHECK(!info.wildcard);
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_BOGUS);
	/* Without the matching NSEC3 (and no opt-out proof): bogus. */
	q("ns2.example.");
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_BOGUS);
}

/* RFC 5155 B.2.1: y.w.example is an empty non-terminal (ji6n, empty bitmap). */
static void test_nsec3_b21_no_data_empty_non_terminal(void)
{
	reset("example.");
	add_5155("ji6n", 1);
	q("y.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_PROVEN);
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_DS, &info),
		 VALIDATE_DENIAL_PROVEN);
}

/* RFC 5155 B.3: referral to the unsigned c.example inside an opt-out span:
 * closest encloser example (0p9m), next closer c.example covered by 35mt. */
static void test_nsec3_b3_referral_to_opt_out_unsigned_zone(void)
{
	reset("example.");
	add_5155("35mt", 1);
	add_5155("0p9m", 1);
	q("c.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_insecure_delegation(&s, NULL, qn, qlen, &info),
		 VALIDATE_DENIAL_INSECURE_OPTOUT);
	CHECK(ce_is("example."));
	CHECK(info.opt_out);
	CHECK_EQ(validate_denial_ede(VALIDATE_DENIAL_INSECURE_OPTOUT), WIRE_EDE_NONE);
	/* A DS query for c.example gets the same records: insecure too (§8.6). */
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_DS, &info),
		 VALIDATE_DENIAL_INSECURE_OPTOUT);

	/* Without opt-out the covering NSEC3 says c.example does not exist. */
	reset("example.");
	add_5155("35mt", 0);
	add_5155("0p9m", 0);
	s = set();
	CHECK_EQ(validate_nsec3_prove_insecure_delegation(&s, NULL, qn, qlen, &info),
		 VALIDATE_DENIAL_BOGUS);
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_DS, &info),
		 VALIDATE_DENIAL_BOGUS);
}

static void test_nsec3_insecure_delegation_by_matching_nsec3(void)
{
	/* An NSEC3 at a delegation with NS, without DS and SOA: unsigned child.
	 * Build one for a.example (35mt) with its DS bit cleared. */
	reset("example.");
	add_nsec3_full("35mthgpgcu1qg68fab165klnsnk3dpvl.example.", 1, 0, 12, "aabbccdd",
		       "b4um86eghhds6nea196smvmlo4ors995", "NS RRSIG");
	q("a.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_insecure_delegation(&s, NULL, qn, qlen, &info),
		 VALIDATE_DENIAL_PROVEN);
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_DS, &info),
		 VALIDATE_DENIAL_PROVEN);
	/* The parent's NSEC3 cannot deny the child's A records. */
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_BOGUS);
	/* The real record has DS: a secure delegation, no insecurity proof. */
	reset("example.");
	add_5155("35mt", 0);
	s = set();
	CHECK_EQ(validate_nsec3_prove_insecure_delegation(&s, NULL, qn, qlen, &info),
		 VALIDATE_DENIAL_BOGUS);
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_DS, &info),
		 VALIDATE_DENIAL_BOGUS);
}

/* RFC 5155 B.4: a.z.w.example MX from *.w.example (RRSIG labels 2); the next
 * closer z.w.example is covered by q04j. */
static void test_nsec3_b4_wildcard_expansion(void)
{
	reset("example.");
	add_5155("q04j", 1);
	q("a.z.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_wildcard(&s, NULL, qn, qlen, 2, &info),
		 VALIDATE_DENIAL_INSECURE_OPTOUT);
	CHECK(ce_is("w.example."));

	reset("example.");
	add_5155("q04j", 0);
	s = set();
	CHECK_EQ(validate_nsec3_prove_wildcard(&s, NULL, qn, qlen, 2, &info),
		 VALIDATE_DENIAL_PROVEN);
	CHECK(ce_is("w.example."));
	/* Other label counts put the next closer where q04j does not cover it:
	 * w.example for labels 1, a.z.w.example for labels 3. */
	CHECK_EQ(validate_nsec3_prove_wildcard(&s, NULL, qn, qlen, 1, &info),
		 VALIDATE_DENIAL_BOGUS);
	CHECK_EQ(validate_nsec3_prove_wildcard(&s, NULL, qn, qlen, 3, &info),
		 VALIDATE_DENIAL_BOGUS);
	CHECK_EQ(validate_nsec3_prove_wildcard(&s, NULL, qn, qlen, 4, &info),
		 VALIDATE_DENIAL_EINVAL);
	/* Wrong covering record. */
	reset("example.");
	add_5155("0p9m", 0);
	s = set();
	CHECK_EQ(validate_nsec3_prove_wildcard(&s, NULL, qn, qlen, 2, &info),
		 VALIDATE_DENIAL_BOGUS);
}

/* RFC 5155 B.5: a.z.w.example AAAA: closest encloser w.example (k8ud), next
 * closer z.w.example covered (q04j), wildcard *.w.example matched (r53b, MX). */
static void test_nsec3_b5_wildcard_no_data(void)
{
	reset("example.");
	add_5155("k8ud", 1);
	add_5155("q04j", 1);
	add_5155("r53b", 1);
	q("a.z.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_AAAA, &info),
		 VALIDATE_DENIAL_INSECURE_OPTOUT);
	CHECK(info.wildcard);
	CHECK(ce_is("w.example."));

	reset("example.");
	add_5155("k8ud", 0);
	add_5155("q04j", 0);
	add_5155("r53b", 0);
	s = set();
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_AAAA, &info),
		 VALIDATE_DENIAL_PROVEN);
	CHECK(info.wildcard);
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_BOGUS);
	/* Without the wildcard's NSEC3 (B.5 "nowc"): bogus. */
	reset("example.");
	add_5155("k8ud", 0);
	add_5155("q04j", 0);
	s = set();
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_AAAA, &info),
		 VALIDATE_DENIAL_BOGUS);
}

/*
 * The incomplete proofs of the Deckard val_nsec3_b* scenarios, record for record (the
 * appendix A chain with opt-out set, as the scenarios sign it). Each must fail: the
 * scenarios expect SERVFAIL. (They once answered without it because the zone's 512-bit
 * RSA keys were under the key floor, so nothing was checked; these pin the proofs.)
 */

/* val_nsec3_b2_nodata_nons: ns1.example MX with the SOA and no NSEC3 at all. */
static void test_nsec3_b2_nodata_without_nsec3_is_missing(void)
{
	reset("example.");
	q("ns1.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_MISSING);
	CHECK_EQ(validate_denial_ede(VALIDATE_DENIAL_MISSING), WIRE_EDE_NSEC_MISSING);
}

/* val_nsec3_b21_nodataent_wr: y.w.example A answered with a.example's NSEC3 (35mt)
 * instead of the empty non-terminal's own (ji6n). */
static void test_nsec3_b21_ent_nodata_with_the_wrong_nsec3_is_bogus(void)
{
	reset("example.");
	add_5155("35mt", 1);
	q("y.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_BOGUS);
}

/* val_nsec3_b3_optout_noce / _nonc: the referral to the unsigned c.example with only
 * the opt-out NSEC3 covering the next closer (35mt), or only the closest encloser's
 * (0p9m). Neither proves an insecure delegation, nor the DS absent. */
static void test_nsec3_b3_opt_out_referral_without_ce_or_nc_is_bogus(void)
{
	static const char *const parts[] = { "35mt", "0p9m" };

	q("c.example.");
	for (size_t i = 0; i < 2; i++) {
		reset("example.");
		add_5155(parts[i], 1);
		struct validate_denial_set s = set();
		CHECK_EQ(validate_nsec3_prove_insecure_delegation(&s, NULL, qn, qlen, &info),
			 VALIDATE_DENIAL_BOGUS);
		CHECK(!info.opt_out);
		CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_DS, &info),
			 VALIDATE_DENIAL_BOGUS);
	}
}

/* val_nsec3_b5_wcnodata_noce / _nonc: a.z.w.example AAAA with the next closer's cover
 * (q04j) and the wildcard's NSEC3 (r53b) but not the closest encloser's (k8ud), or
 * with k8ud and r53b but no cover for the next closer z.w.example. */
static void test_nsec3_b5_wildcard_nodata_without_ce_or_nc_is_bogus(void)
{
	static const char *const proofs[][2] = { { "q04j", "r53b" }, { "k8ud", "r53b" } };

	q("a.z.w.example.");
	for (size_t i = 0; i < 2; i++) {
		reset("example.");
		add_5155(proofs[i][0], 1);
		add_5155(proofs[i][1], 1);
		struct validate_denial_set s = set();
		CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_AAAA, &info),
			 VALIDATE_DENIAL_BOGUS);
		CHECK(!info.wildcard);
	}
}

static void test_nsec3_closest_encloser_at_a_delegation_is_bogus(void)
{
	/* x.a.example: a.example (35mt: NS DS, no SOA) matches, x.a.example is
	 * covered by 35mt too. The parent's NSEC3 cannot deny the child's names. */
	reset("example.");
	add_5155_all(0);
	q("x.a.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nxdomain(&s, NULL, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
	/* While a name at the apex level is denied by the same chain. */
	q("zz.example.");
	CHECK_EQ(validate_nsec3_prove_nxdomain(&s, NULL, qn, qlen, &info), VALIDATE_DENIAL_PROVEN);
	CHECK(ce_is("example."));
}

static void test_nsec3_unknown_algorithm_flags_and_foreign_zone_are_ignored(void)
{
	q("ns1.example.");
	struct validate_denial_set s;

	reset("example.");
	add_nsec3_full("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", 2, 0, 12, "aabbccdd",
		       "2vptu5timamqttgl4luu9kg21e0aor3s", "A RRSIG");
	s = set();
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_MISSING);

	reset("example.");
	add_nsec3_full("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", 1, 0x02, 12, "aabbccdd",
		       "2vptu5timamqttgl4luu9kg21e0aor3s", "A RRSIG");
	s = set();
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_MISSING);

	/* Two labels below the zone, and a record of another zone. */
	reset("example.");
	add_nsec3_full("2t7b4g4vsa5smi47k61mv5bv1a22bojr.w.example.", 1, 0, 12, "aabbccdd",
		       "2vptu5timamqttgl4luu9kg21e0aor3s", "A RRSIG");
	add_nsec3_full("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.org.", 1, 0, 12, "aabbccdd",
		       "2vptu5timamqttgl4luu9kg21e0aor3s", "A RRSIG");
	s = set();
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_MISSING);

	/* Ignored records next to a good one do not disturb it. */
	add_5155("2t7b", 0);
	s = set();
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_PROVEN);
}

static void test_nsec3_records_with_other_parameters_are_ignored(void)
{
	/* First usable record sets the parameters: one with another salt is
	 * skipped, so the proof built on it fails. */
	reset("example.");
	add_nsec3_full("0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.", 1, 0, 12, "aabbccdd",
		       "2t7b4g4vsa5smi47k61mv5bv1a22bojr", "MX DNSKEY NS SOA NSEC3PARAM RRSIG");
	add_nsec3_full("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", 1, 0, 12, "aabbcc",
		       "2vptu5timamqttgl4luu9kg21e0aor3s", "A RRSIG");
	q("ns1.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_BOGUS);
}

static void test_nsec3_iterations_over_the_limits(void)
{
	struct validate_nsec3_policy p;

	validate_nsec3_policy_default(&p);
	CHECK_EQ(p.insecure_above, 150);
	reset("example.");
	add_5155("2t7b", 0);
	q("ns1.example.");
	struct validate_denial_set s = set();

	p.insecure_above = 11;
	CHECK_EQ(validate_nsec3_prove_nodata(&s, &p, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_INSECURE_ITERATIONS);
	CHECK_EQ(info.iterations, 12);
	CHECK_EQ(validate_denial_ede(VALIDATE_DENIAL_INSECURE_ITERATIONS), 27);
	CHECK(validate_denial_is_insecure(VALIDATE_DENIAL_INSECURE_ITERATIONS));
	/* Even a contradicting proof is only insecure: nothing was hashed. */
	CHECK_EQ(validate_nsec3_prove_nodata(&s, &p, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_INSECURE_ITERATIONS);
	p.bogus_above = 11;
	CHECK_EQ(validate_nsec3_prove_nodata(&s, &p, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_BOGUS_ITERATIONS);
	CHECK_EQ(validate_denial_ede(VALIDATE_DENIAL_BOGUS_ITERATIONS), 27);
	CHECK(!validate_denial_is_insecure(VALIDATE_DENIAL_BOGUS_ITERATIONS));
	p.insecure_above = 12;
	p.bogus_above = 12;
	CHECK_EQ(validate_nsec3_prove_nodata(&s, &p, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_PROVEN);

	/* Default policy: 151 iterations is insecure, 65535 too (no hard cap). */
	reset("example.");
	add_nsec3_full("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", 1, 0, 151, "aabbccdd",
		       "2vptu5timamqttgl4luu9kg21e0aor3s", "A RRSIG");
	s = set();
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_INSECURE_ITERATIONS);
	reset("example.");
	add_nsec3_full("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", 1, 0, 65535, "aabbccdd",
		       "2vptu5timamqttgl4luu9kg21e0aor3s", "A RRSIG");
	s = set();
	CHECK_EQ(validate_nsec3_prove_nxdomain(&s, NULL, qn, qlen, &info),
		 VALIDATE_DENIAL_INSECURE_ITERATIONS);
}

static void test_nsec3_hash_budget_stops_a_deep_walk(void)
{
	struct validate_nsec3_policy p;

	validate_nsec3_policy_default(&p);
	reset("example.");
	add_5155("0p9m", 0);
	add_5155("b4um", 0);
	add_5155("35mt", 0);
	q("a.c.x.w.example.");
	struct validate_denial_set s = set();

	p.max_hashes = 4; /* a.c.x.w, c.x.w, x.w, *.x.w */
	CHECK_EQ(validate_nsec3_prove_nxdomain(&s, &p, qn, qlen, &info), VALIDATE_DENIAL_PROVEN);
	CHECK(!info.hash_budget_spent);
	p.max_hashes = 3;
	CHECK_EQ(validate_nsec3_prove_nxdomain(&s, &p, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
	CHECK(info.hash_budget_spent);

	/* B.5 hashes a.z.w, z.w, w and *.w once each: NODATA looks the qname up
	 * first, and the closest encloser walk reuses that hash. */
	reset("example.");
	add_5155("k8ud", 0);
	add_5155("q04j", 0);
	add_5155("r53b", 0);
	s = set();
	q("a.z.w.example.");
	p.max_hashes = 4;
	CHECK_EQ(validate_nsec3_prove_nodata(&s, &p, qn, qlen, WIRE_TYPE_AAAA, &info),
		 VALIDATE_DENIAL_PROVEN);
}

static void test_nsec3_aggressive_use_rfc8198(void)
{
	reset("example.");
	add_5155_all(0);
	struct validate_denial_set s = set();

	q("a.c.x.w.example.");
	CHECK_EQ(validate_nsec3_aggressive(&s, NULL, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_AGGR_NXDOMAIN);
	CHECK(ce_is("x.w.example."));
	q("ns1.example.");
	CHECK_EQ(validate_nsec3_aggressive(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_AGGR_NODATA);
	CHECK_EQ(validate_nsec3_aggressive(&s, NULL, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_AGGR_NONE);
	q("a.z.w.example.");
	CHECK_EQ(validate_nsec3_aggressive(&s, NULL, qn, qlen, WIRE_TYPE_AAAA, &info),
		 VALIDATE_AGGR_NODATA);
	CHECK(info.wildcard);
	CHECK_EQ(validate_nsec3_aggressive(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_AGGR_WILDCARD);
	CHECK(ce_is("w.example."));
	CHECK_EQ(validate_nsec3_aggressive(&s, NULL, qn, qlen, WIRE_TYPE_DS, &info),
		 VALIDATE_AGGR_NONE);

	/* The real zone is opt-out everywhere: nothing may be synthesised from it. */
	reset("example.");
	add_5155_all(1);
	s = set();
	q("a.c.x.w.example.");
	CHECK_EQ(validate_nsec3_aggressive(&s, NULL, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_AGGR_NONE);
	CHECK(info.closest_encloser == NULL);
	q("ns1.example."); /* an exact match needs no span: still usable */
	CHECK_EQ(validate_nsec3_aggressive(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_AGGR_NODATA);

	/* Closest encloser proven, but nothing says whether *.x.w.example exists. */
	reset("example.");
	add_5155("0p9m", 0);
	add_5155("b4um", 0);
	s = set();
	q("a.c.x.w.example.");
	CHECK_EQ(validate_nsec3_aggressive(&s, NULL, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_AGGR_NONE);
	CHECK(info.closest_encloser == NULL);
}

static void test_nsec3_ent_nodata_in_opt_out_span_is_insecure(void)
{
	/* An empty non-terminal above only unsigned delegations has no NSEC3 in an
	 * opt-out zone (RFC 5155 erratum 3441): closest encloser example, next
	 * closer ml.example covered by an opt-out record. */
	reset("example.");
	add_5155("0p9m", 1);
	add_5155("b4um", 1); /* b4um..gjeq covers H(ml.example) = e5le... */
	q("ml.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_INSECURE_OPTOUT);
	CHECK(ce_is("example."));
	reset("example.");
	add_5155("0p9m", 0);
	add_5155("b4um", 0);
	s = set();
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_BOGUS);
}

static void test_bitmap_never_reads_past_a_window_block(void)
{
	/* Window 0 holds one octet (A); the next block starts right after it and
	 * its bytes (window 1, length 1) must not be read as window 0's octet 1,
	 * where MX (15) would be bit 7 of the length byte 0x01. */
	uint8_t bm[16];
	size_t n = bitmap("A CAA", bm);

	CHECK_EQ(n, 6);
	CHECK(validate_bitmap_has(bm, n, WIRE_TYPE_A));
	CHECK(validate_bitmap_has(bm, n, WIRE_TYPE_CAA));
	CHECK(!validate_bitmap_has(bm, n, WIRE_TYPE_MX));
	CHECK(!validate_bitmap_has(bm, n, 8));
}

/* Records from two versions of a zone: a stale NSEC still covers *.w.example,
 * the current one says it exists. A wildcard that exists cannot be denied. */
static void test_nsec_nxdomain_with_wildcard_both_covered_and_matched_is_bogus(void)
{
	reset("example.");
	add_nsec("x.y.w.example.", "xx.example.", "MX RRSIG NSEC");
	add_nsec("ns2.example.", "x.w.example.", "A RRSIG NSEC");
	add_nsec("*.w.example.", "x.w.example.", "MX RRSIG NSEC");
	q("a.z.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
	/* Without the matching one the stale record alone would do. */
	nrec = 2;
	s = set();
	CHECK_EQ(validate_nsec_prove_nxdomain(&s, qn, qlen, &info), VALIDATE_DENIAL_PROVEN);
}

static void test_nsec_wildcard_nodata_with_cname_or_for_ds_is_bogus(void)
{
	reset("example.");
	add_nsec("x.y.w.example.", "xx.example.", "MX RRSIG NSEC");
	add_nsec("*.w.example.", "x.w.example.", "CNAME RRSIG NSEC");
	q("a.z.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_AAAA, &info),
		 VALIDATE_DENIAL_BOGUS);
	/* DS is never synthesised from a wildcard. */
	reset("example.");
	add_nsec("x.y.w.example.", "xx.example.", "MX RRSIG NSEC");
	add_nsec("*.w.example.", "x.w.example.", "MX RRSIG NSEC");
	s = set();
	CHECK_EQ(validate_nsec_prove_nodata(&s, qn, qlen, WIRE_TYPE_DS, &info),
		 VALIDATE_DENIAL_BOGUS);
}

static void test_nsec_insecure_delegation_refuses_an_nsec_with_soa(void)
{
	/* Signed by example. but with SOA set: a zone apex, not a delegation. */
	reset("example.");
	add_nsec("b.example.", "ns1.example.", "NS SOA RRSIG NSEC");
	q("b.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec_prove_insecure_delegation(&s, qn, qlen, &info),
		 VALIDATE_DENIAL_BOGUS);
}

static void test_nsec3_closest_encloser_with_dname_is_bogus(void)
{
	reset("example.");
	add_5155("0p9m", 0);
	add_nsec3_full("b4um86eghhds6nea196smvmlo4ors995.example.", 1, 0, 12, "aabbccdd",
		       "gjeqe526plbf1g8mklp59enfd789njgi", "DNAME RRSIG");
	add_5155("35mt", 0);
	q("a.c.x.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nxdomain(&s, NULL, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
}

static void test_nsec3_nxdomain_with_wildcard_both_covered_and_matched_is_bogus(void)
{
	/* H(*.x.w.example) = 92pq...: covered by 35mt, and matched by a record of
	 * a newer zone version. */
	reset("example.");
	add_5155("0p9m", 0);
	add_5155("b4um", 0);
	add_5155("35mt", 0);
	add_nsec3_full("92pqneegtaue7pjatc3l3qnk738c6v5m.example.", 1, 0, 12, "aabbccdd",
		       "b4um86eghhds6nea196smvmlo4ors995", "MX RRSIG");
	q("a.c.x.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nxdomain(&s, NULL, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
}

static void test_nsec3_nodata_with_cname_and_ds_at_an_apex_are_bogus(void)
{
	reset("example.");
	add_nsec3_full("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", 1, 0, 12, "aabbccdd",
		       "2vptu5timamqttgl4luu9kg21e0aor3s", "CNAME RRSIG");
	q("ns1.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_BOGUS);
	/* The apex NSEC3 (SOA set) denies A at the apex but not DS. */
	reset("example.");
	add_5155("0p9m", 0);
	s = set();
	q("example.");
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_A, &info),
		 VALIDATE_DENIAL_PROVEN);
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_DS, &info),
		 VALIDATE_DENIAL_BOGUS);
}

static void test_nsec3_wildcard_nodata_with_cname_or_for_ds_is_bogus(void)
{
	reset("example.");
	add_5155("k8ud", 0);
	add_5155("q04j", 0);
	add_nsec3_full("r53bq7cc2uvmubfu5ocmm6pers9tk9en.example.", 1, 0, 12, "aabbccdd",
		       "t644ebqk9bibcna874givr6joj62mlhv", "CNAME RRSIG");
	q("a.z.w.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_AAAA, &info),
		 VALIDATE_DENIAL_BOGUS);
	reset("example.");
	add_5155("k8ud", 0);
	add_5155("q04j", 0);
	add_5155("r53b", 0);
	s = set();
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_DS, &info),
		 VALIDATE_DENIAL_BOGUS);
}

static void test_nsec3_insecure_delegation_needs_ns_without_soa(void)
{
	reset("example.");
	add_5155("2t7b", 0); /* ns1.example: A RRSIG, no NS */
	q("ns1.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_insecure_delegation(&s, NULL, qn, qlen, &info),
		 VALIDATE_DENIAL_BOGUS);
	reset("example.");
	add_nsec3_full("35mthgpgcu1qg68fab165klnsnk3dpvl.example.", 1, 0, 12, "aabbccdd",
		       "b4um86eghhds6nea196smvmlo4ors995", "NS SOA RRSIG");
	s = set();
	q("a.example.");
	CHECK_EQ(validate_nsec3_prove_insecure_delegation(&s, NULL, qn, qlen, &info),
		 VALIDATE_DENIAL_BOGUS);
}

static void test_nsec3_with_a_short_hash_is_ignored(void)
{
	/* 31 base32hex characters: a 19-byte next hash, not SHA-1's 20. */
	reset("example.");
	add_nsec3_full("2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", 1, 0, 12, "aabbccdd",
		       "2vptu5timamqttgl4luu9kg21e0aor0", "A RRSIG");
	q("ns1.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(recs[0].rdata[5 + 4], 19);
	CHECK_EQ(validate_nsec3_prove_nodata(&s, NULL, qn, qlen, WIRE_TYPE_MX, &info),
		 VALIDATE_DENIAL_MISSING);
}

static void test_nsec3_wildcard_source_above_the_zone_is_bogus(void)
{
	/* A record covering the apex's own hash (no real chain has one) would
	 * "cover" the next closer of a claimed wildcard at the root. */
	reset("example.");
	add_nsec3_full("00000000000000000000000000000000.example.", 1, 0, 12, "aabbccdd",
		       "10000000000000000000000000000000", "A RRSIG");
	q("a.example.");
	struct validate_denial_set s = set();

	CHECK_EQ(validate_nsec3_prove_wildcard(&s, NULL, qn, qlen, 0, &info),
		 VALIDATE_DENIAL_BOGUS);
	/* Outside the zone altogether: nothing proven, and nothing hashed (a
	 * budget of none is not even touched). */
	struct validate_nsec3_policy p;
	validate_nsec3_policy_default(&p);
	p.max_hashes = 0;
	q("a.example.org.");
	CHECK_EQ(validate_nsec3_prove_nxdomain(&s, &p, qn, qlen, &info), VALIDATE_DENIAL_BOGUS);
	CHECK(info.closest_encloser == NULL);
	CHECK(!info.hash_budget_spent);
}

int main(void)
{
	RUN(test_canonical_order_matches_rfc4034_section_6_1_example);
	RUN(test_name_helpers_count_and_cut_labels);
	RUN(test_wildcard_of_a_255_byte_name_is_refused);
	RUN(test_bitmap_finds_types_in_several_windows);
	RUN(test_malformed_bitmaps_are_rejected);
	RUN(test_nsec_parse_rejects_compressed_or_short_next_name);
	RUN(test_nsec_covers_between_owner_and_next_and_wraps_at_the_apex);
	RUN(test_nsec_nxdomain_rfc4035_b2_proven_with_closest_encloser);
	RUN(test_nsec_nxdomain_without_wildcard_denial_is_bogus);
	RUN(test_nsec_nxdomain_when_the_wildcard_exists_is_bogus);
	RUN(test_nsec_nxdomain_for_an_existing_name_or_ent_is_bogus);
	RUN(test_nsec_nxdomain_through_the_last_nsec_wraps);
	RUN(test_nsec_nxdomain_closest_encloser_is_the_deepest_ancestor);
	RUN(test_nsec_from_parent_side_of_delegation_denies_nothing_below);
	RUN(test_nsec_with_dname_denies_nothing_below);
	RUN(test_nsec_nodata_exact_match_without_the_type);
	RUN(test_nsec_nodata_with_cname_bit_is_bogus);
	RUN(test_nsec_nodata_for_an_empty_non_terminal);
	RUN(test_nsec_wildcard_nodata);
	RUN(test_nsec_wildcard_answer_needs_qname_covered);
	RUN(test_nsec_wildcard_answer_with_a_closer_name_is_bogus);
	RUN(test_nsec_insecure_delegation);
	RUN(test_nsec_records_from_another_zone_are_ignored);
	RUN(test_nsec_aggressive_use_rfc8198);
	RUN(test_base32hex_decodes_rfc4648_vectors);
	RUN(test_nsec3_parse_and_cover_with_wrap_around);
	RUN(test_nsec3_parse_rejects_short_rdata_and_bad_owner);
	RUN(test_nsec3_b1_name_error);
	RUN(test_nsec3_b1_without_each_part_is_bogus);
	RUN(test_nsec3_b2_no_data);
	RUN(test_nsec3_b21_no_data_empty_non_terminal);
	RUN(test_nsec3_b3_referral_to_opt_out_unsigned_zone);
	RUN(test_nsec3_insecure_delegation_by_matching_nsec3);
	RUN(test_nsec3_b4_wildcard_expansion);
	RUN(test_nsec3_b5_wildcard_no_data);
	RUN(test_nsec3_b2_nodata_without_nsec3_is_missing);
	RUN(test_nsec3_b21_ent_nodata_with_the_wrong_nsec3_is_bogus);
	RUN(test_nsec3_b3_opt_out_referral_without_ce_or_nc_is_bogus);
	RUN(test_nsec3_b5_wildcard_nodata_without_ce_or_nc_is_bogus);
	RUN(test_nsec3_closest_encloser_at_a_delegation_is_bogus);
	RUN(test_nsec3_unknown_algorithm_flags_and_foreign_zone_are_ignored);
	RUN(test_nsec3_records_with_other_parameters_are_ignored);
	RUN(test_nsec3_iterations_over_the_limits);
	RUN(test_nsec3_hash_budget_stops_a_deep_walk);
	RUN(test_nsec3_aggressive_use_rfc8198);
	RUN(test_nsec3_ent_nodata_in_opt_out_span_is_insecure);
	RUN(test_bitmap_never_reads_past_a_window_block);
	RUN(test_nsec_nxdomain_with_wildcard_both_covered_and_matched_is_bogus);
	RUN(test_nsec_wildcard_nodata_with_cname_or_for_ds_is_bogus);
	RUN(test_nsec_insecure_delegation_refuses_an_nsec_with_soa);
	RUN(test_nsec3_closest_encloser_with_dname_is_bogus);
	RUN(test_nsec3_nxdomain_with_wildcard_both_covered_and_matched_is_bogus);
	RUN(test_nsec3_nodata_with_cname_and_ds_at_an_apex_are_bogus);
	RUN(test_nsec3_wildcard_nodata_with_cname_or_for_ds_is_bogus);
	RUN(test_nsec3_insecure_delegation_needs_ns_without_soa);
	RUN(test_nsec3_with_a_short_hash_is_ignored);
	RUN(test_nsec3_wildcard_source_above_the_zone_is_bogus);
	printf("%s\n", failures ? "FAILED" : "all passed");
	return failures ? 1 : 0;
}
