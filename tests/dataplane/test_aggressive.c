/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_aggressive.c: RFC 8198 on one lcore under EAL (--no-huge, no PCI). A negative
 * answer the chain judged secure (built here as the resolver hands it over: SOA, NSEC
 * and RRSIGs in the authority section) teaches the denial store; questions for other
 * names are then answered NXDOMAIN or NODATA from it, with the SOA, and for DO=1 the
 * NSEC records that prove it with their RRSIGs from the RRset store; what the records
 * do not prove is left to the resolver. Signatures are not checked here: that is the
 * chain's job before aggressive_learn() is called.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "aggressive.h"
#include "cache.h"
#include "cache_rrset.h"
#include "validate.h"
#include "validate_chain.h"
#include "wire.h"
#include "wire_text.h"

#include "dp_check.h"

#define T0 1000000u          /* fake cache clock (seconds) */
#define UNIX_NOW 1700000000u /* fake UNIX clock, for negative trust anchors */

static unsigned int me;

static size_t
name(const char *text, uint8_t *out)
{
	int n = wire_text_name(text, strlen(text), NULL, out, WIRE_NAME_MAX);

	CHECK(n > 0);
	return n > 0 ? (size_t)n : 0;
}

/* ---- the zone "example." and one secure NXDOMAIN from it ---- */

/* Storage for the records of one answer, as the resolver would hand them over. */
struct answer {
	struct validate_chain_answer a;
	struct validate_chain_rr rr[16];
	uint8_t qname[WIRE_NAME_MAX];
	uint8_t bytes[4096];
	size_t used;
};

static uint8_t *
keep(struct answer *an, const uint8_t *p, size_t len)
{
	uint8_t *at = an->bytes + an->used;

	memcpy(at, p, len);
	an->used += len;
	return at;
}

static void
add_rr(struct answer *an, uint8_t section, const char *owner, uint16_t type, uint32_t ttl,
       const uint8_t *rdata, size_t rdlen)
{
	uint8_t o[WIRE_NAME_MAX];
	size_t olen = name(owner, o);
	struct validate_chain_rr *r = &an->rr[an->a.n_rr++];

	*r = (struct validate_chain_rr){ .owner = keep(an, o, olen), .owner_len = (uint8_t)olen,
		.section = section, .type = type, .rclass = WIRE_CLASS_IN, .ttl = ttl,
		.rdata = keep(an, rdata, rdlen), .rdlen = (uint16_t)rdlen };
}

static size_t
soa_rdata(uint8_t *rd)
{
	static const uint32_t v[5] = { 1, 3600, 600, 86400, 300 };  /* MINIMUM 300 */
	size_t n = name("ns.example.", rd);

	n += name("hostmaster.example.", rd + n);
	for (int i = 0; i < 5; i++)
		wire_put_u32(rd + n + 4 * (size_t)i, v[i]);
	return n + 20;
}

/* NSEC RDATA: @next and a window-0 bitmap of the @n types. */
static size_t
nsec_rdata(uint8_t *rd, const char *next, const uint16_t *types, unsigned int n)
{
	size_t len = name(next, rd);
	uint8_t *bm = rd + len + 2;
	unsigned int octets = 0;

	memset(bm, 0, 32);
	for (unsigned int i = 0; i < n; i++) {
		bm[types[i] / 8] |= (uint8_t)(0x80 >> (types[i] % 8));
		if (types[i] / 8 + 1u > octets)
			octets = types[i] / 8 + 1u;
	}
	rd[len] = 0;
	rd[len + 1] = (uint8_t)octets;
	return len + 2 + octets;
}

/* RRSIG RDATA over @type by @signer, with a fake signature. */
static size_t
rrsig_rdata(uint8_t *rd, uint16_t type, uint8_t labels, const char *signer)
{
	wire_put_u16(rd, type);
	rd[2] = 13;
	rd[3] = labels;
	wire_put_u32(rd + 4, 3600);
	wire_put_u32(rd + 8, UNIX_NOW + 86400);
	wire_put_u32(rd + 12, UNIX_NOW - 86400);
	wire_put_u16(rd + 16, 4711);
	size_t n = 18 + name(signer, rd + 18);

	memset(rd + n, 0x5a, 64);
	return n + 64;
}

static const uint16_t apex_types[] = { WIRE_TYPE_NS, WIRE_TYPE_SOA, WIRE_TYPE_RRSIG,
				       WIRE_TYPE_NSEC, 48 };
static const uint16_t a_types[] = { WIRE_TYPE_A, WIRE_TYPE_RRSIG, WIRE_TYPE_NSEC };

/* A record and its RRSIG into the answer's authority section. */
static void
add_signed(struct answer *an, const char *owner, uint16_t type, uint32_t ttl,
	   const uint8_t *rd, size_t len, uint8_t labels)
{
	uint8_t sig[300];

	add_rr(an, WIRE_SECTION_AUTHORITY, owner, type, ttl, rd, len);
	add_rr(an, WIRE_SECTION_AUTHORITY, owner, WIRE_TYPE_RRSIG, ttl, sig,
	       rrsig_rdata(sig, type, labels, "example."));
}

/* NXDOMAIN for b.example.: the SOA, NSEC a.example. -> m.example. covers b, NSEC
 * example. -> a.example. covers the wildcard *.example. */
static void
nxdomain_answer(struct answer *an)
{
	uint8_t rd[300];
	size_t qlen = name("b.example.", an->qname);

	memset(&an->a, 0, sizeof(an->a));
	an->used = 0;
	an->a = (struct validate_chain_answer){ .qname = an->qname, .qname_len = (uint8_t)qlen,
		.qtype = WIRE_TYPE_A, .qclass = WIRE_CLASS_IN, .rcode = WIRE_RCODE_NXDOMAIN,
		.rr = an->rr };
	add_signed(an, "example.", WIRE_TYPE_SOA, 3600, rd, soa_rdata(rd), 1);
	add_signed(an, "a.example.", WIRE_TYPE_NSEC, 3600, rd,
		   nsec_rdata(rd, "m.example.", a_types, 3), 2);
	add_signed(an, "example.", WIRE_TYPE_NSEC, 3600, rd,
		   nsec_rdata(rd, "a.example.", apex_types, 5), 1);
}

/* The same records in the RRset store, as the resolver's responses would leave them. */
static void
store_rrset(struct cache *c, const struct answer *an, unsigned int i)
{
	struct cache_rrset rs;
	struct cache_rrset_key k;
	const struct validate_chain_rr *r = &an->rr[i], *s = &an->rr[i + 1];

	cache_rrset_init(&rs, r->ttl, CACHE_RANK_AUTHORITY_AA, CACHE_RRSET_INDETERMINATE);
	CHECK_EQ(cache_rrset_add_rr(&rs, r->rdata, r->rdlen), 0);
	CHECK_EQ(cache_rrset_add_sig(&rs, s->rdata, s->rdlen), 0);
	CHECK_EQ(cache_rrset_key_init(c, &k, r->owner, r->owner_len, r->type, WIRE_CLASS_IN), 0);
	CHECK(cache_rrset_insert(c, me, &k, &rs, T0) >= 0);
}

/* ---- a worker's view ---- */

struct world {
	struct cache *c;
	struct validate_chain_conf conf;
	struct aggressive *ag;
	struct answer an;
	struct wire_builder b;
	uint8_t img[CACHE_IMAGE_MAX];
	uint8_t q[WIRE_NAME_MAX + 4];
	struct cache_key k;
};

static void
world_up(struct world *w)
{
	struct cache_config cfg;

	cache_config_default(&cfg);
	cfg.memory_limit = 4u << 20;
	cfg.shards = 4;
	cfg.seed = 7;
	w->c = cache_create(&cfg);
	CHECK(w->c != NULL);
	CHECK_EQ(cache_reader_register(w->c, me), 0);
	validate_chain_conf_init(&w->conf);
	w->ag = malloc(sizeof(*w->ag));
	CHECK(w->ag != NULL);
	aggressive_init(w->ag, w->c, me, &w->conf);
	nxdomain_answer(&w->an);
}

static void
world_down(struct world *w)
{
	free(w->ag);
	cache_reader_unregister(w->c, me);
	cache_free(w->c);
}

static enum aggressive_result
ask(struct world *w, const char *qname, uint16_t qtype, bool dnssec)
{
	size_t len = name(qname, w->q);

	wire_put_u16(w->q + len, qtype);
	wire_put_u16(w->q + len + 2, WIRE_CLASS_IN);
	CHECK_EQ(cache_key_init(w->c, &w->k, w->q, len + 4, dnssec ? CACHE_KEY_DO : 0), 0);
	return aggressive_answer(w->ag, &w->k, T0 + 10, UNIX_NOW, &w->b, w->img, sizeof(w->img));
}

static uint16_t
hdr(const struct world *w, unsigned int field)
{
	return wire_get_u16(w->img + 2 * field);
}

/* ---- tests ---- */

static void
test_secure_nxdomain_answers_another_covered_name_nxdomain_with_the_soa(void)
{
	struct world w;

	world_up(&w);
	CHECK(aggressive_learn(w.ag, &w.an.a, UINT32_MAX, T0));
	CHECK_EQ(ask(&w, "c.example.", WIRE_TYPE_A, false), AGGRESSIVE_NXDOMAIN);
	CHECK_EQ(hdr(&w, 1) & 0x000f, WIRE_RCODE_NXDOMAIN);
	CHECK(hdr(&w, 1) & WIRE_FLAG_QR);
	CHECK(hdr(&w, 1) & WIRE_FLAG_AD);   /* query_answer_image keeps it for DO/AD only */
	CHECK_EQ(hdr(&w, 2), 1);            /* question */
	CHECK_EQ(hdr(&w, 3), 0);
	CHECK_EQ(hdr(&w, 4), 1);            /* the SOA only: DO=0 gets no NSEC */
	CHECK_EQ(w.b.ttl_count, 1);
	/* RFC 8198 §5.4: min(SOA TTL, SOA MINIMUM), less the 10 s that passed */
	CHECK_EQ(wire_get_u32(w.img + w.b.ttl_off[0]), 290);
	/* the image goes into the response cache as upstream.c puts it there */
	{
		struct cache_response r = { .msg = w.img, .len = w.b.len, .ttl_off = w.b.ttl_off,
			.ttl_count = w.b.ttl_count, .ttl_if_none = 60, .negative = true };
		uint8_t out[512];
		size_t len = 0;

		CHECK_EQ(cache_insert(w.c, me, &w.k, &r, T0 + 10), 0);
		CHECK(cache_lookup(w.c, me, &w.k, 77, T0 + 20, 0, out, sizeof(out), &len) ==
		      CACHE_HIT);
		CHECK_EQ(wire_get_u16(out + 2) & 0x000f, WIRE_RCODE_NXDOMAIN);
		CHECK_EQ(wire_get_u32(out + w.b.ttl_off[0]), 280);
	}
	/* a name past m.example. is not covered by what was learnt */
	CHECK_EQ(ask(&w, "x.m.example.", WIRE_TYPE_A, false), AGGRESSIVE_UNPROVEN);
	CHECK_EQ(ask(&w, "www.other.", WIRE_TYPE_A, false), AGGRESSIVE_NONE);
	world_down(&w);
}

static void
test_nodata_from_a_matching_nsec_and_ds_asked_of_the_parent(void)
{
	struct world w;

	world_up(&w);
	CHECK(aggressive_learn(w.ag, &w.an.a, UINT32_MAX, T0));
	CHECK_EQ(ask(&w, "a.example.", WIRE_TYPE_TXT, false), AGGRESSIVE_NODATA);
	CHECK_EQ(hdr(&w, 1) & 0x000f, WIRE_RCODE_NOERROR);
	CHECK_EQ(hdr(&w, 3), 0);
	CHECK_EQ(hdr(&w, 4), 1);
	CHECK_EQ(ask(&w, "A.Example.", WIRE_TYPE_A, false), AGGRESSIVE_UNPROVEN); /* it has A */
	/* DS of a.example. is the parent's to deny: its NSEC at a.example. has no DS */
	CHECK_EQ(ask(&w, "a.example.", WIRE_TYPE_DS, false), AGGRESSIVE_NODATA);
	/* DS of the apex lives in the root zone, of which nothing is known */
	CHECK_EQ(ask(&w, "example.", WIRE_TYPE_DS, false), AGGRESSIVE_NONE);
	world_down(&w);
}

static void
test_do_answers_carry_the_proving_nsec_and_rrsigs_from_the_rrset_store(void)
{
	struct world w;

	world_up(&w);
	CHECK(aggressive_learn(w.ag, &w.an.a, UINT32_MAX, T0));
	/* without the RRSIGs in the RRset store a DO=1 client cannot be answered */
	CHECK_EQ(ask(&w, "c.example.", WIRE_TYPE_A, true), AGGRESSIVE_UNPROVEN);
	for (unsigned int i = 0; i < w.an.a.n_rr; i += 2)
		store_rrset(w.c, &w.an, i);
	CHECK_EQ(ask(&w, "c.example.", WIRE_TYPE_A, true), AGGRESSIVE_NXDOMAIN);
	/* SOA, NSEC covering c.example., NSEC covering *.example., each with its RRSIG */
	CHECK_EQ(hdr(&w, 4), 6);
	CHECK_EQ(w.b.ttl_count, 6);
	CHECK_EQ(ask(&w, "a.example.", WIRE_TYPE_TXT, true), AGGRESSIVE_NODATA);
	CHECK_EQ(hdr(&w, 4), 4);            /* SOA and the matching NSEC, signed */
	world_down(&w);
}

static void
test_rrset_store_holding_other_rdata_gives_no_do_answer(void)
{
	struct world w;
	struct cache_rrset rs;
	struct cache_rrset_key k;
	uint8_t rd[300], sig[300];
	uint8_t o[WIRE_NAME_MAX];
	size_t olen = name("a.example.", o);

	world_up(&w);
	CHECK(aggressive_learn(w.ag, &w.an.a, UINT32_MAX, T0));
	for (unsigned int i = 0; i < w.an.a.n_rr; i += 2)
		store_rrset(w.c, &w.an, i);
	/* the zone changed since: the store's NSEC at a.example. is not the validated one */
	cache_rrset_init(&rs, 3600, CACHE_RANK_ANSWER_AA, CACHE_RRSET_INDETERMINATE);
	CHECK_EQ(cache_rrset_add_rr(&rs, rd, nsec_rdata(rd, "k.example.", a_types, 3)), 0);
	CHECK_EQ(cache_rrset_add_sig(&rs, sig, rrsig_rdata(sig, WIRE_TYPE_NSEC, 2, "example.")), 0);
	CHECK_EQ(cache_rrset_key_init(w.c, &k, o, olen, WIRE_TYPE_NSEC, WIRE_CLASS_IN), 0);
	CHECK(cache_rrset_insert(w.c, me, &k, &rs, T0) >= 0);
	CHECK_EQ(ask(&w, "c.example.", WIRE_TYPE_A, true), AGGRESSIVE_UNPROVEN);
	CHECK_EQ(ask(&w, "c.example.", WIRE_TYPE_A, false), AGGRESSIVE_NXDOMAIN);
	world_down(&w);
}

static void
test_ttl_is_capped_by_the_rrsigs_and_the_records_expire(void)
{
	struct world w;

	world_up(&w);
	CHECK(aggressive_learn(w.ag, &w.an.a, 100, T0));
	CHECK_EQ(ask(&w, "c.example.", WIRE_TYPE_A, false), AGGRESSIVE_NXDOMAIN);
	CHECK_EQ(wire_get_u32(w.img + w.b.ttl_off[0]), 90);
	CHECK_EQ(aggressive_answer(w.ag, &w.k, T0 + 100, UNIX_NOW, &w.b, w.img, sizeof(w.img)),
		 AGGRESSIVE_NONE);
	world_down(&w);
}

static void
test_negative_trust_anchor_stops_synthesis(void)
{
	struct world w;

	world_up(&w);
	CHECK(aggressive_learn(w.ag, &w.an.a, UINT32_MAX, T0));
	w.conf.ntas[0].name_len = (uint8_t)name("example.", w.conf.ntas[0].name);
	w.conf.ntas[0].expires = UNIX_NOW + 60;
	w.conf.n_ntas = 1;
	CHECK_EQ(ask(&w, "c.example.", WIRE_TYPE_A, false), AGGRESSIVE_UNPROVEN);
	w.conf.ntas[0].expires = UNIX_NOW - 1;   /* ended */
	CHECK_EQ(ask(&w, "c.example.", WIRE_TYPE_A, false), AGGRESSIVE_NXDOMAIN);
	world_down(&w);
}

static void
test_only_plain_signed_negative_answers_with_a_soa_teach(void)
{
	struct world w;
	uint8_t rd[16] = { 192, 0, 2, 1 };

	world_up(&w);
	/* an answer record (the end of a CNAME chain, say): the proof is not about qname */
	add_rr(&w.an, WIRE_SECTION_ANSWER, "b.example.", WIRE_TYPE_CNAME, 60, rd, 4);
	CHECK(!aggressive_learn(w.ag, &w.an.a, UINT32_MAX, T0));
	/* no SOA: nothing to answer with */
	nxdomain_answer(&w.an);
	w.an.a.rr = &w.an.rr[2];
	w.an.a.n_rr -= 2;
	CHECK(!aggressive_learn(w.ag, &w.an.a, UINT32_MAX, T0));
	/* RRSIGs of another zone: not what the chain checked for this question */
	nxdomain_answer(&w.an);
	w.an.a.qname_len = (uint8_t)name("b.other.", w.an.qname);
	CHECK(!aggressive_learn(w.ag, &w.an.a, UINT32_MAX, T0));
	CHECK_EQ(ask(&w, "c.example.", WIRE_TYPE_A, false), AGGRESSIVE_NONE);
	world_down(&w);
}

/* A zone's whole NSEC chain straight into the denial store: the apex, a..z, and
 * sub.example., a delegation (NS, no SOA), between s. and t. */
static void
store_chain(struct world *w)
{
	static const uint16_t deleg_types[] = { WIRE_TYPE_NS, WIRE_TYPE_RRSIG, WIRE_TYPE_NSEC };
	static const char *const owners[] = {
		"example.", "a.example.", "b.example.", "c.example.", "d.example.", "e.example.",
		"f.example.", "g.example.", "h.example.", "i.example.", "j.example.", "k.example.",
		"l.example.", "m.example.", "n.example.", "o.example.", "p.example.", "q.example.",
		"r.example.", "s.example.", "sub.example.", "t.example.", "u.example.",
		"v.example.", "w.example.", "x.example.", "y.example.", "z.example.",
	};
	const unsigned int n = sizeof(owners) / sizeof(owners[0]);
	struct cache_denial *d = malloc(sizeof(*d));
	struct cache_denial_key k;
	uint8_t o[WIRE_NAME_MAX], rd[300];

	CHECK(d != NULL);
	CHECK_EQ(cache_denial_init(d, WIRE_TYPE_NSEC, rd, soa_rdata(rd), 300), 0);
	for (unsigned int i = 0; i < n; i++) {
		const char *next = owners[(i + 1) % n];
		size_t len = i == 0 ? nsec_rdata(rd, next, apex_types, 5) :
			     strcmp(owners[i], "sub.example.") == 0 ?
			     nsec_rdata(rd, next, deleg_types, 3) : nsec_rdata(rd, next, a_types, 3);

		CHECK_EQ(cache_denial_add(d, o, name(owners[i], o), rd, len, 300), 0);
	}
	CHECK_EQ(cache_denial_key_init(w->c, &k, o, name("example.", o)), 0);
	CHECK(cache_denial_insert(w->c, me, &k, d, T0) >= 0);
	free(d);
}

static void
test_a_long_chain_proves_from_the_records_around_the_name(void)
{
	struct world w;

	world_up(&w);
	store_chain(&w);
	CHECK_EQ(ask(&w, "cc.example.", WIRE_TYPE_A, false), AGGRESSIVE_NXDOMAIN);
	CHECK_EQ(ask(&w, "zz.example.", WIRE_TYPE_A, false), AGGRESSIVE_NXDOMAIN); /* wraps */
	CHECK_EQ(ask(&w, "www.q.example.", WIRE_TYPE_A, false), AGGRESSIVE_NXDOMAIN);
	CHECK_EQ(ask(&w, "q.example.", WIRE_TYPE_MX, false), AGGRESSIVE_NODATA);
	CHECK_EQ(ask(&w, "sua.example.", WIRE_TYPE_A, false), AGGRESSIVE_NXDOMAIN);
	/* below the delegation the child zone speaks, not example. */
	CHECK_EQ(ask(&w, "www.sub.example.", WIRE_TYPE_A, false), AGGRESSIVE_UNPROVEN);
	CHECK_EQ(ask(&w, "sub.example.", WIRE_TYPE_A, false), AGGRESSIVE_UNPROVEN);
	/* but the delegation's missing DS is the parent's to prove */
	CHECK_EQ(ask(&w, "sub.example.", WIRE_TYPE_DS, false), AGGRESSIVE_NODATA);
	world_down(&w);
}

/* base32hex of @n bytes, lowercase, bit by bit (independent of the code under test). */
static size_t
b32hex(const uint8_t *h, size_t n, char *out)
{
	size_t bits = n * 8, o = 0;

	for (size_t b = 0; b < bits; b += 5) {
		unsigned int v = 0;

		for (size_t j = b; j < b + 5; j++)
			v = v << 1 | (j < bits ? (h[j / 8] >> (7 - j % 8)) & 1u : 0u);
		out[o++] = "0123456789abcdefghijklmnopqrstuv"[v];
	}
	out[o] = 0;
	return o;
}

/* The NSEC3 chain (SHA-1, 0 iterations, no salt, as the lab's nsec3.test) of the zone
 * example. with a.example. and m.example., straight into the denial store. */
static void
store_nsec3_chain(struct world *w)
{
	static const char *const names[] = { "example.", "a.example.", "m.example." };
	uint8_t h[3][VALIDATE_NSEC3_HASH_LEN], o[WIRE_NAME_MAX], rd[64];
	struct cache_denial *d = malloc(sizeof(*d));
	struct cache_denial_key k;
	char label[40], owner[80];

	CHECK(d != NULL);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(validate_nsec3_hash(o, name(names[i], o), NULL, 0, 0, h[i]), 0);
	CHECK_EQ(cache_denial_init(d, WIRE_TYPE_NSEC3, rd, soa_rdata(rd), 300), 0);
	int order[3] = { 0, 1, 2 };

	for (int i = 0; i < 3; i++)     /* the chain runs in hash order */
		for (int j = i + 1; j < 3; j++)
			if (memcmp(h[order[j]], h[order[i]], 20) < 0) {
				int t = order[i];

				order[i] = order[j];
				order[j] = t;
			}
	for (int pos = 0; pos < 3; pos++) {
		int i = order[pos], next = order[(pos + 1) % 3];

		rd[0] = 1;
		rd[1] = 0;
		wire_put_u16(rd + 2, 0);
		rd[4] = 0;
		rd[5] = 20;
		memcpy(rd + 6, h[next], 20);
		/* the apex has SOA, NS; the others A */
		rd[26] = 0;
		rd[27] = 1;
		rd[28] = i == 0 ? 0x22 : 0x40;
		b32hex(h[i], 20, label);
		snprintf(owner, sizeof(owner), "%s.example.", label);
		CHECK_EQ(cache_denial_add(d, o, name(owner, o), rd, 29, 300), 0);
	}
	CHECK_EQ(cache_denial_key_init(w->c, &k, o, name("example.", o)), 0);
	CHECK(cache_denial_insert(w->c, me, &k, d, T0) >= 0);
	free(d);
}

static void
test_nsec3_chain_proves_nxdomain_and_nodata_by_hash(void)
{
	struct world w;
	char qname[64];
	int nx = 0;

	world_up(&w);
	store_nsec3_chain(&w);
	for (int i = 0; i < 20; i++) {
		snprintf(qname, sizeof(qname), "nx%d.example.", i);
		nx += ask(&w, qname, WIRE_TYPE_A, false) == AGGRESSIVE_NXDOMAIN;
	}
	CHECK_EQ(nx, 20);      /* a whole chain covers every hash */
	CHECK_EQ(ask(&w, "www.nx1.example.", WIRE_TYPE_A, false), AGGRESSIVE_NXDOMAIN);
	CHECK_EQ(ask(&w, "a.example.", WIRE_TYPE_TXT, false), AGGRESSIVE_NODATA);
	CHECK_EQ(ask(&w, "a.example.", WIRE_TYPE_A, false), AGGRESSIVE_UNPROVEN);
	world_down(&w);
}

int
main(int argc, char **argv)
{
	char *eal[] = {
		argv[0], "--no-huge", "-m", "512", "--no-shconf", "--no-pci", "-l", "0",
		"--log-level=error",
	};

	RTE_SET_USED(argc);
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	me = rte_lcore_id();
#define RUN(t) do { printf("%s\n", #t); t(); } while (0)
	RUN(test_secure_nxdomain_answers_another_covered_name_nxdomain_with_the_soa);
	RUN(test_nodata_from_a_matching_nsec_and_ds_asked_of_the_parent);
	RUN(test_do_answers_carry_the_proving_nsec_and_rrsigs_from_the_rrset_store);
	RUN(test_rrset_store_holding_other_rdata_gives_no_do_answer);
	RUN(test_ttl_is_capped_by_the_rrsigs_and_the_records_expire);
	RUN(test_negative_trust_anchor_stops_synthesis);
	RUN(test_only_plain_signed_negative_answers_with_a_soa_teach);
	RUN(test_a_long_chain_proves_from_the_records_around_the_name);
	RUN(test_nsec3_chain_proves_nxdomain_and_nodata_by_hash);
	printf("%d checks, %d failures\n", checks, failures);
	rte_eal_cleanup();
	return failures ? 1 : 0;
}
