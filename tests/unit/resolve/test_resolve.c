/*
 * test_resolve.c - the resolver state machine driven with crafted upstream responses.
 *
 * Each test plays the authoritative side by hand: it asks the machine what to send
 * (step()), checks where and what (sent_is()), and answers with a message built by
 * the wire builder from zone-file lines (respond()). Time is a plain counter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"
#include "resolve_internal.h"
#include "wire_text.h"

static int failures;

#define CHECK(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed (state %s)\n",      \
				__FILE__, __LINE__, __func__, #cond,                    \
				resolve_state_name(resolve_query_state(&rq)));          \
			failures++;                                                     \
			return;                                                         \
		}                                                                       \
	} while (0)

#define CHECK_EQ(a, b)                                                                  \
	do {                                                                            \
		long long a_ = (long long)(a), b_ = (long long)(b);                     \
		if (a_ != b_) {                                                         \
			fprintf(stderr, "%s:%d: %s: %s == %lld, expected %lld\n",        \
				__FILE__, __LINE__, __func__, #a, a_, b_);              \
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

static const char HINTS[] =
	"; test hints\n"
	".                 3600000 NS a.root.\n"
	"a.root.           3600000 A  198.51.100.1\n"
	".                 3600000 NS b.root.\n"
	"b.root.           3600000 A  198.51.100.2\n";

#define ROOT1 "198.51.100.1"
#define TLD1 "198.51.100.10"
#define AUTH1 "203.0.113.10"
#define AUTH2 "203.0.113.11"

static struct resolve_ctx *ctx;
static struct resolve_query rq;
static struct resolve_action act;
static uint8_t qbuf[1024];
static uint8_t sent[1024];
static size_t sent_len;
static struct resolve_addr sent_to;
static uint8_t resp[8192];
static uint64_t now;
static struct wire_text_rr text_rr;

static void setup_cfg(const struct resolve_config *cfg)
{
	resolve_ctx_init(ctx, cfg, 42);
	int n = resolve_hints_load(ctx, HINTS, sizeof(HINTS) - 1, NULL);
	if (n != 2) {
		fprintf(stderr, "hints: %d\n", n);
		exit(1);
	}
	now = 1000;
}

static void setup(bool qmin)
{
	struct resolve_config cfg;
	resolve_config_default(&cfg);
	cfg.qname_minimisation = qmin;
	cfg.explore_percent = 0;
	cfg.ip6 = false;
	setup_cfg(&cfg);
}

static void name_from(const char *text, uint8_t *out, size_t *len)
{
	int n = wire_text_name(text, strlen(text), NULL, out, WIRE_NAME_MAX);
	*len = n > 0 ? (size_t)n : 0;
}

static int start(const char *name, uint16_t qtype)
{
	uint8_t n[WIRE_NAME_MAX];
	size_t len;
	name_from(name, n, &len);
	return resolve_start(&rq, n, len, qtype, WIRE_CLASS_IN, now);
}

static enum resolve_action_kind step(void)
{
	act.buf = qbuf;
	act.buf_cap = sizeof(qbuf);
	enum resolve_action_kind k = resolve_next(ctx, &rq, now, &act);
	if (k == RESOLVE_SEND) {
		memcpy(sent, qbuf, act.len);
		sent_len = act.len;
		sent_to = act.server;
	}
	return k;
}

static struct resolve_addr addr(const char *ip)
{
	struct resolve_addr a;
	resolve_addr_from_text(ip, &a);
	return a;
}

/* The last send went to @ip and asked @name (exact case) @type. */
static bool sent_is(const char *ip, const char *name, uint16_t type)
{
	struct resolve_addr a = addr(ip);
	struct wire_question q;
	uint8_t n[WIRE_NAME_MAX];
	size_t len;
	name_from(name, n, &len);
	if (act.kind != RESOLVE_SEND || !resolve_addr_equal(&a, &sent_to) ||
	    wire_parse_question(sent, sent_len, WIRE_HDR_LEN, &q) != WIRE_OK) {
		char t[64];
		resolve_addr_to_text(&sent_to, t, sizeof(t));
		fprintf(stderr, "  sent kind %d to %s\n", act.kind, t);
		return false;
	}
	if (q.qtype != type || q.name_len != len || memcmp(q.name, n, len) != 0) {
		char t[WIRE_NAME_TEXT_MAX];
		wire_name_to_text(q.name, q.name_len, t, sizeof(t));
		fprintf(stderr, "  sent %s type %u, expected %s type %u\n", t, q.qtype, name, type);
		return false;
	}
	return true;
}

static bool sent_has_edns(void)
{
	struct wire_msg m;
	m.rr = NULL;
	m.rr_cap = 0;
	return wire_parse_msg(sent, sent_len, &m) == WIRE_OK && m.edns.present;
}

static uint16_t sent_flags(void)
{
	return wire_get_u16(sent + 2);
}

/*
 * Build a response to the last query: @flags (QR is added), @rcode, and records,
 * one per line, each "AN|NS|AR <zone-file record>". @id_delta changes the ID.
 */
static size_t build(uint16_t flags, uint8_t rcode, const char *recs, int id_delta)
{
	struct wire_builder b;
	struct wire_question q;
	uint16_t id = (uint16_t)(wire_get_u16(sent) + id_delta);
	wire_build_init(&b, resp, sizeof(resp), sizeof(resp));
	wire_build_header(&b, id, (uint16_t)(WIRE_FLAG_QR | flags));
	wire_build_set_rcode(&b, rcode);
	if (wire_parse_question(sent, sent_len, WIRE_HDR_LEN, &q) == WIRE_OK)
		wire_build_question(&b, q.name, q.name_len, q.qtype, q.qclass);
	const char *p = recs ? recs : "";
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		uint8_t section = p[0] == 'A' && p[1] == 'N' ? WIRE_SECTION_ANSWER
				: p[0] == 'N' ? WIRE_SECTION_AUTHORITY : WIRE_SECTION_ADDITIONAL;
		if (n > 3) {
			int err = wire_text_rr(p + 3, n - 3, NULL, 300, &text_rr);
			if (err) {
				fprintf(stderr, "bad test record: %.*s\n", (int)n, p);
				exit(1);
			}
			wire_build_rr(&b, section, text_rr.owner, text_rr.owner_len, text_rr.type,
				      text_rr.rclass, text_rr.ttl, text_rr.rdata,
				      (uint16_t)text_rr.rdlen);
		}
		p += n + (nl ? 1 : 0);
	}
	return b.len;
}

static enum resolve_resp_result respond(uint16_t flags, uint8_t rcode, const char *recs)
{
	size_t len = build(flags, rcode, recs, 0);
	return resolve_response(ctx, &rq, resp, len, &sent_to, now);
}

#define AA WIRE_FLAG_AA

/* The priming exchange with the first hint. */
static bool prime(void)
{
	if (step() != RESOLVE_SEND)
		return false;
	struct resolve_addr r2 = addr("198.51.100.2");
	if (!sent_is(resolve_addr_equal(&sent_to, &r2) ? "198.51.100.2" : ROOT1, ".",
		     WIRE_TYPE_NS))
		return false;
	return respond(AA, 0,
		       "AN . 518400 NS a.root.\n"
		       "AN . 518400 NS b.root.\n"
		       "AR a.root. 518400 A 198.51.100.1\n"
		       "AR b.root. 518400 A 198.51.100.2\n") == RESOLVE_RESP_ACCEPTED;
}

static const char REF_TEST[] = "NS test. 86400 NS ns.test.\n"
			       "AR ns.test. 86400 A " TLD1 "\n";

static const char REF_RSA[] = "NS rsa.test. 3600 NS ns1.rsa.test.\n"
			      "NS rsa.test. 3600 NS ns2.rsa.test.\n"
			      "AR ns1.rsa.test. 3600 A " AUTH1 "\n"
			      "AR ns2.rsa.test. 3600 A " AUTH2 "\n";

/* ---- tests ----------------------------------------------------------------------------- */

static void test_priming_then_referrals_root_tld_zone_answer(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(ROOT1, "www.rsa.test.", WIRE_TYPE_A));
	CHECK(act.deadline > now);
	CHECK(sent_has_edns());
	CHECK((sent_flags() & WIRE_FLAG_RD) == 0);
	CHECK_EQ(resolve_query_state(&rq), RESOLVE_ST_QUERY_SENT);
	CHECK_EQ(step(), RESOLVE_WAIT);
	CHECK_EQ(respond(0, 0, REF_TEST), RESOLVE_RESP_ACCEPTED);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "www.rsa.test.", WIRE_TYPE_A));
	CHECK_EQ(respond(0, 0, REF_RSA), RESOLVE_RESP_ACCEPTED);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "www.rsa.test.", WIRE_TYPE_A));
	respond(AA, 0, "AN www.rsa.test. 300 A 192.0.2.80\n"
		       "NS rsa.test. 3600 NS ns1.rsa.test.\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(act.rcode, WIRE_RCODE_NOERROR);
	CHECK_EQ(rq.rr_count, 1);
	CHECK_EQ(rq.rr[0].type, WIRE_TYPE_A);
	CHECK(memcmp(resolve_rr_rdata(&rq, 0), "\xc0\x00\x02\x50", 4) == 0);
	CHECK_EQ(rq.sends, 4);
	/* a second question in the same zone goes straight to the zone's servers */
	CHECK_EQ(start("mail.rsa.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "mail.rsa.test.", WIRE_TYPE_A));
	/* and the result builds into a message */
	respond(AA, 0, "AN mail.rsa.test. 300 A 192.0.2.25\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	uint8_t out[512];
	struct wire_builder b;
	wire_build_init(&b, out, sizeof(out), sizeof(out));
	wire_build_header(&b, 1, WIRE_FLAG_QR);
	wire_build_question(&b, rq.qname, rq.qname_len, rq.qtype, rq.qclass);
	CHECK_EQ(resolve_result_build(&rq, &b), WIRE_OK);
	CHECK_EQ(b.count[WIRE_SECTION_ANSWER], 1);
}

static void test_qmin_asks_one_label_more_per_zone_and_keeps_case(void)
{
	setup(true);
	CHECK_EQ(start("WwW.RsA.TeSt.", WIRE_TYPE_AAAA), 0);
	CHECK(prime());
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(ROOT1, "TeSt.", WIRE_TYPE_A));
	respond(0, 0, REF_TEST);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "RsA.TeSt.", WIRE_TYPE_A));
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "WwW.RsA.TeSt.", WIRE_TYPE_AAAA));
	respond(AA, 0, "AN www.rsa.test. 300 AAAA 2001:db8::80\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(rq.rr_count, 1);
}

static void test_qmin_empty_non_terminal_adds_a_label(void)
{
	setup(true);
	CHECK_EQ(start("a.b.rsa.test.", WIRE_TYPE_TXT), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "b.rsa.test.", WIRE_TYPE_A));
	respond(AA, 0, "NS rsa.test. 300 SOA ns1.rsa.test. h.rsa.test. 1 2 3 4 5\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "a.b.rsa.test.", WIRE_TYPE_TXT));
}

static void test_qmin_nxdomain_falls_back_to_full_name(void)
{
	setup(true);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "rsa.test.", WIRE_TYPE_A));
	respond(AA, WIRE_RCODE_NXDOMAIN, NULL);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "www.rsa.test.", WIRE_TYPE_A));
	CHECK_EQ(ctx->stats.qmin_fallbacks, 1);
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "www.rsa.test.", WIRE_TYPE_A));
}

/* A minimised query answered AA=0 with nothing in it: the full name, not lameness. */
static void test_qmin_empty_non_aa_answer_falls_back_to_full_name(void)
{
	setup(true);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "rsa.test.", WIRE_TYPE_A));
	respond(0, 0, NULL);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "www.rsa.test.", WIRE_TYPE_A));
	CHECK_EQ(ctx->stats.qmin_fallbacks, 1);
	CHECK_EQ(ctx->stats.lame_marked, 0);
}

static void test_out_of_bailiwick_glue_is_ignored(void)
{
	setup(false);
	CHECK_EQ(start("www.ex.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	CHECK_EQ(step(), RESOLVE_SEND);
	/* ns.other.org's glue comes from test.'s servers: not theirs to give */
	respond(0, 0, "NS ex.test. 3600 NS ns.ex.test.\n"
		      "NS ex.test. 3600 NS ns.other.org.\n"
		      "AR ns.ex.test. 3600 A " AUTH1 "\n"
		      "AR ns.other.org. 3600 A 192.0.2.66\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "www.ex.test.", WIRE_TYPE_A));
	CHECK_EQ(rq.frame[0].dp.addr_count, 1);
	respond(AA, WIRE_RCODE_REFUSED, NULL);
	/* the only way to ns.other.org is to look it up, from the root */
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(ROOT1, "ns.other.org.", WIRE_TYPE_A));
	CHECK_EQ(rq.frame[0].state, RESOLVE_ST_RESOLVE_NS_ADDR);
}

static void test_glueless_delegation_resolves_the_ns_name(void)
{
	setup(false);
	CHECK_EQ(start("www.glueless.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, "NS glueless.test. 3600 NS ns-glueless.hosting.test.\n");
	/* sub-lookup: the NS name's address, starting from the cached test. cut */
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "ns-glueless.hosting.test.", WIRE_TYPE_A));
	CHECK_EQ(rq.depth, 1);
	CHECK_EQ(rq.frame[0].state, RESOLVE_ST_RESOLVE_NS_ADDR);
	CHECK_EQ(rq.frame[1].kind, RESOLVE_FRAME_NS_ADDR);
	respond(0, 0, "NS hosting.test. 3600 NS ns1.hosting.test.\n"
		      "AR ns1.hosting.test. 3600 A " AUTH2 "\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH2, "ns-glueless.hosting.test.", WIRE_TYPE_A));
	respond(AA, 0, "AN ns-glueless.hosting.test. 3600 A " AUTH1 "\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK_EQ(rq.depth, 0);
	CHECK(sent_is(AUTH1, "www.glueless.test.", WIRE_TYPE_A));
	respond(AA, 0, "AN www.glueless.test. 300 A 192.0.2.7\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(rq.rr_count, 1);
	/* the address went into the infra store: next time no sub-lookup */
	CHECK_EQ(start("ftp.glueless.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "ftp.glueless.test.", WIRE_TYPE_A));
}

static void test_cname_into_other_zone_is_followed_and_foreign_data_dropped(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	/* rsa.test. may not speak for ecdsa.test.: its A record must not be used */
	respond(AA, 0, "AN www.rsa.test. 300 CNAME www.ecdsa.test.\n"
		       "AN www.ecdsa.test. 300 A 6.6.6.6\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "www.ecdsa.test.", WIRE_TYPE_A));
	CHECK_EQ(rq.frame[0].state, RESOLVE_ST_QUERY_SENT);
	respond(0, 0, "NS ecdsa.test. 3600 NS ns1.ecdsa.test.\n"
		      "AR ns1.ecdsa.test. 3600 A " AUTH2 "\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH2, "www.ecdsa.test.", WIRE_TYPE_A));
	respond(AA, 0, "AN www.ecdsa.test. 300 A 192.0.2.13\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(rq.rr_count, 2);
	CHECK_EQ(rq.rr[0].type, WIRE_TYPE_CNAME);
	CHECK_EQ(rq.rr[1].type, WIRE_TYPE_A);
	CHECK(memcmp(resolve_rr_rdata(&rq, 1), "\xc0\x00\x02\x0d", 4) == 0);
	CHECK_EQ(rq.cname_count, 1);
}

static void test_dname_synthesises_a_cname_and_follows_it(void)
{
	setup(false);
	CHECK_EQ(start("www.alias.ed.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, "NS ed.test. 3600 NS ns1.ed.test.\nAR ns1.ed.test. 3600 A " AUTH2 "\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(AA, 0, "AN alias.ed.test. 300 DNAME rsa.test.\n"
		       "AN www.alias.ed.test. 300 CNAME www.rsa.test.\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "www.rsa.test.", WIRE_TYPE_A));
	respond(0, 0, REF_RSA);
	step();
	respond(AA, 0, "AN www.rsa.test. 300 A 192.0.2.80\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(rq.rr_count, 3);
	CHECK_EQ(rq.rr[0].type, WIRE_TYPE_DNAME);
	CHECK_EQ(rq.rr[1].type, WIRE_TYPE_CNAME); /* ours, not the server's copy */
	uint8_t want[WIRE_NAME_MAX];
	size_t wlen;
	name_from("www.rsa.test.", want, &wlen);
	CHECK_EQ(rq.rr[1].rdlen, wlen);
	CHECK(memcmp(resolve_rr_rdata(&rq, 1), want, wlen) == 0);
	CHECK_EQ(rq.rr[2].type, WIRE_TYPE_A);
}

/* The owner of result record @i is @name. */
static bool rr_owner_is(uint16_t i, const char *name)
{
	uint8_t n[WIRE_NAME_MAX];
	size_t len;
	name_from(name, n, &len);
	return i < rq.rr_count && rq.rr[i].owner_len == len &&
	       wire_name_equal(resolve_rr_owner(&rq, i), len, n, len);
}

/* A loop ends the chain when it comes back to a name (not at the CNAME limit): SERVFAIL,
 * and the result holds each link once, for the client's SERVFAIL. */
static void test_cname_loop_fails_with_each_link_once(void)
{
	setup(false);
	CHECK_EQ(start("x.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	step();
	respond(AA, 0, "AN x.rsa.test. 300 CNAME y.rsa.test.\n"
		       "AN y.rsa.test. 300 CNAME x.rsa.test.\n");
	CHECK_EQ(step(), RESOLVE_FAIL);
	CHECK_EQ(act.rcode, WIRE_RCODE_SERVFAIL);
	CHECK(act.ede_text != NULL && strcmp(act.ede_text, "CNAME loop") == 0);
	CHECK(rq.chain_cut);
	CHECK_EQ(rq.rr_count, 2);
	CHECK(rr_owner_is(0, "x.rsa.test.") && rr_owner_is(1, "y.rsa.test."));
	CHECK_EQ(ctx->stats.limit_hits, 0);
}

static void test_long_cname_chain_hits_the_limit(void)
{
	struct resolve_config cfg;
	resolve_config_default(&cfg);
	cfg.qname_minimisation = false;
	cfg.explore_percent = 0;
	cfg.ip6 = false;
	cfg.max_cname = 2;
	setup_cfg(&cfg);
	CHECK_EQ(start("a.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	step();
	respond(AA, 0, "AN a.rsa.test. 300 CNAME b.rsa.test.\n"
		       "AN b.rsa.test. 300 CNAME c.rsa.test.\n"
		       "AN c.rsa.test. 300 CNAME d.rsa.test.\n"
		       "AN d.rsa.test. 300 A 192.0.2.4\n");
	CHECK_EQ(step(), RESOLVE_FAIL);
	CHECK(act.ede_text != NULL && strcmp(act.ede_text, "CNAME chain too long") == 0);
	CHECK(rq.chain_cut);
	CHECK_EQ(rq.rr_count, 2);
	CHECK(rq.cname_count > ctx->cfg.max_cname);
	CHECK_EQ(ctx->stats.limit_hits, 1);
}

/* The delegation of ed.test. (@two: with a second server, AUTH1). */
static void refer_to_ed(bool two)
{
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, two ? "NS ed.test. 3600 NS ns1.ed.test.\n"
			    "NS ed.test. 3600 NS ns2.ed.test.\n"
			    "AR ns1.ed.test. 3600 A " AUTH2 "\n"
			    "AR ns2.ed.test. 3600 A " AUTH1 "\n"
			  : "NS ed.test. 3600 NS ns1.ed.test.\nAR ns1.ed.test. 3600 A " AUTH2 "\n");
}

/* Deckard iter_dname_insec: "ed.test. DNAME ed.test." maps cyc.ed.test. onto itself. */
static void test_dname_loop_fails_with_the_dname_and_its_cname_once(void)
{
	setup(false);
	CHECK_EQ(start("cyc.ed.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	refer_to_ed(false);
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(AA, 0, "AN ed.test. 300 DNAME ed.test.\n"
		       "AN cyc.ed.test. 300 CNAME cyc.ed.test.\n");
	CHECK_EQ(step(), RESOLVE_FAIL);
	CHECK(rq.chain_cut);
	CHECK_EQ(rq.rr_count, 2);
	CHECK_EQ(rq.rr[0].type, WIRE_TYPE_DNAME);
	CHECK_EQ(rq.rr[1].type, WIRE_TYPE_CNAME);
	CHECK(rr_owner_is(1, "cyc.ed.test."));
}

/* Deckard val_dname: a CNAME question under a DNAME is answered by the DNAME and the
 * CNAME synthesised from it (the validator judges that CNAME by the DNAME's RRSIG). */
static void test_dname_answers_a_cname_question_with_its_synthesis(void)
{
	setup(false);
	CHECK_EQ(start("www.alias.ed.test.", WIRE_TYPE_CNAME), 0);
	CHECK(prime());
	refer_to_ed(false);
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(AA, 0, "AN alias.ed.test. 300 DNAME rsa.test.\n"
		       "AN www.alias.ed.test. 300 CNAME www.rsa.test.\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(act.rcode, WIRE_RCODE_NOERROR);
	CHECK_EQ(rq.rr_count, 2);
	CHECK_EQ(rq.rr[0].type, WIRE_TYPE_DNAME);
	CHECK_EQ(rq.rr[1].type, WIRE_TYPE_CNAME);
	CHECK(rr_owner_is(1, "www.alias.ed.test."));
}

/* A chain that passes the same DNAME twice (x.ed.test. DNAME ed.test.: s.x.x.ed.test. ->
 * s.x.ed.test. -> s.ed.test.) holds it once, with both synthesised CNAMEs. */
static void test_dname_met_twice_is_kept_once(void)
{
	setup(false);
	CHECK_EQ(start("s.x.x.ed.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	refer_to_ed(false);
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(AA, 0, "AN x.ed.test. 300 DNAME ed.test.\n"
		       "AN s.x.x.ed.test. 300 CNAME s.x.ed.test.\n"
		       "AN s.x.ed.test. 300 CNAME s.ed.test.\n"
		       "AN s.ed.test. 300 A 192.0.2.5\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(rq.rr_count, 4);
	CHECK_EQ(rq.rr[0].type, WIRE_TYPE_DNAME);
	CHECK(rr_owner_is(1, "s.x.x.ed.test.") && rr_owner_is(2, "s.x.ed.test."));
	CHECK_EQ(rq.rr[3].type, WIRE_TYPE_A);
}

/* A server's YXDOMAIN (its DNAME makes the name too long, RFC 6672 §2.2) is the
 * answer, with the DNAME, once our own synthesis agrees. */
static void test_yxdomain_from_a_dname_is_an_answer(void)
{
	setup(false);
	CHECK_EQ(start("a23456789012345678901234567890.ed.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	refer_to_ed(false);
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(AA, WIRE_RCODE_YXDOMAIN,
		"AN ed.test. 300 DNAME "
		"b23456789012345678901234567890123456789012345678901234567890123."
		"c23456789012345678901234567890123456789012345678901234567890123."
		"d23456789012345678901234567890123456789012345678901234567890123."
		"e234567890123456789012345678901234567890123456.\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(act.rcode, WIRE_RCODE_YXDOMAIN);
	CHECK_EQ(rq.rr_count, 1);
	CHECK_EQ(rq.rr[0].type, WIRE_TYPE_DNAME);
	/* a YXDOMAIN our synthesis does not confirm is a lame server's */
	CHECK_EQ(start("short.ed.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(AA, WIRE_RCODE_YXDOMAIN, "AN ed.test. 300 DNAME rsa.test.\n");
	CHECK_EQ(step(), RESOLVE_FAIL);
	CHECK_EQ(act.ede, WIRE_EDE_NO_REACHABLE_AUTHORITY);
}

/* The NSEC records a server adds to a positive answer are kept only for a wildcard
 * expansion (RRSIG labels below the owner's), which they prove. */
static void test_answer_proofs_kept_only_for_a_wildcard_expansion(void)
{
	static const char NSEC[] =
		"NS rsa.test. 300 NSEC \\# 15 017a03727361047465737400000140\n"
		"NS rsa.test. 300 RRSIG \\# 29 002f08020000012c000000000000000000010372736104746573740000\n";
	char recs[512];
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	snprintf(recs, sizeof(recs), "%s%s",
		 "AN www.rsa.test. 300 A 192.0.2.1\n"
		 "AN www.rsa.test. 300 RRSIG \\# 29 000108030000012c000000000000000000010372736104746573740000\n",
		 NSEC);
	respond(AA, 0, recs);
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(rq.rr_count, 2);
	CHECK_EQ(start("wild.rsa.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	snprintf(recs, sizeof(recs), "%s%s",
		 "AN wild.rsa.test. 300 A 192.0.2.2\n"
		 "AN wild.rsa.test. 300 RRSIG \\# 29 000108020000012c000000000000000000010372736104746573740000\n",
		 NSEC);
	respond(AA, 0, recs);
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(rq.rr_count, 4);
	CHECK_EQ(rq.rr[2].type, WIRE_TYPE_NSEC);
	CHECK_EQ(rq.rr[2].section, WIRE_SECTION_AUTHORITY);
}

/* A referral's NSEC/NSEC3 records and their RRSIGs (the parent's proof that the child
 * has no DS) are kept for the validator, from inside the sender's zone only; they are
 * never built into the client's message and never make the result truncated. */
static void test_referral_proof_is_kept_for_the_validator_only(void)
{
	char recs[1024];
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	CHECK_EQ(step(), RESOLVE_SEND);
	/* authority first: the builder writes the sections in order */
	snprintf(recs, sizeof(recs), "%s%s",
		 "NS rsa.test. 3600 NSEC \\# 15 017a03727361047465737400000140\n"
		 "NS rsa.test. 3600 RRSIG \\# 25 002f080200000e100000000000000000000104746573740000"
		 "\n"
		 "NS elsewhere. 3600 NSEC \\# 15 017a03727361047465737400000140\n", REF_RSA);
	CHECK_EQ(respond(0, 0, recs), RESOLVE_RESP_ACCEPTED);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "www.rsa.test.", WIRE_TYPE_A));
	respond(AA, 0, "AN www.rsa.test. 300 A 192.0.2.1\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(rq.rr_count, 3);
	CHECK_EQ(rq.rr[0].section, RESOLVE_SECTION_REFERRAL);
	CHECK_EQ(rq.rr[0].type, WIRE_TYPE_NSEC);
	CHECK_EQ(rq.rr[1].section, RESOLVE_SECTION_REFERRAL);
	CHECK_EQ(rq.rr[1].type, WIRE_TYPE_RRSIG);
	CHECK_EQ(rq.rr[2].section, WIRE_SECTION_ANSWER);
	CHECK(!rq.truncated);
	uint8_t out[512];
	struct wire_builder b;
	wire_build_init(&b, out, sizeof(out), sizeof(out));
	wire_build_header(&b, 1, WIRE_FLAG_QR);
	wire_build_question(&b, rq.qname, rq.qname_len, rq.qtype, rq.qclass);
	CHECK_EQ(resolve_result_build(&rq, &b), WIRE_OK);
	CHECK_EQ(b.count[WIRE_SECTION_ANSWER], 1);
	CHECK_EQ(b.count[WIRE_SECTION_AUTHORITY], 0);
	CHECK_EQ(b.count[WIRE_SECTION_ADDITIONAL], 0);
}

/* A NODATA after an alias is not taken from the alias's response (its SOA and NSEC
 * may be about the name asked): the end of the chain is asked on its own. */
static void test_nodata_after_an_alias_asks_the_end_again(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_AAAA), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(AA, 0, "AN www.rsa.test. 300 CNAME host.rsa.test.\n"
		       "NS rsa.test. 300 SOA ns1.rsa.test. h.rsa.test. 1 2 3 4 300\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "host.rsa.test.", WIRE_TYPE_AAAA) ||
	      sent_is(AUTH2, "host.rsa.test.", WIRE_TYPE_AAAA));
	respond(AA, 0, "NS rsa.test. 300 SOA ns1.rsa.test. h.rsa.test. 1 2 3 4 300\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(act.rcode, WIRE_RCODE_NOERROR);
	CHECK_EQ(rq.rr_count, 2); /* the CNAME, the SOA of the second answer */
	CHECK_EQ(rq.rr[0].type, WIRE_TYPE_CNAME);
	CHECK_EQ(rq.rr[1].type, WIRE_TYPE_SOA);
}

static unsigned malformed_seen;
static void count_malformed(const struct resolve_lame_entry *e, void *arg)
{
	(void)arg;
	if (e->reason == RESOLVE_LAME_MALFORMED)
		malformed_seen++;
}

/* Deckard val_dname_bogus: the server's CNAME under a DNAME is not what the DNAME
 * synthesises. The response contradicts itself: not taken, the server is lame, the
 * zone's other server is asked. */
static void test_cname_contradicting_its_dname_makes_the_server_lame(void)
{
	setup(false);
	CHECK_EQ(start("www.alias.ed.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	refer_to_ed(true);
	CHECK_EQ(step(), RESOLVE_SEND);
	struct resolve_addr a1 = addr(AUTH1);
	const char *other = resolve_addr_equal(&sent_to, &a1) ? AUTH2 : AUTH1;
	respond(AA, 0, "AN alias.ed.test. 300 DNAME rsa.test.\n"
		       "AN www.alias.ed.test. 300 CNAME evil.test.\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(other, "www.alias.ed.test.", WIRE_TYPE_A));
	CHECK_EQ(rq.rr_count, 0);
	malformed_seen = 0;
	resolve_report_lame(ctx, count_malformed, NULL);
	CHECK_EQ(malformed_seen, 1);
	respond(AA, 0, "AN alias.ed.test. 300 DNAME rsa.test.\n"
		       "AN www.alias.ed.test. 300 CNAME www.rsa.test.\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "www.rsa.test.", WIRE_TYPE_A));
	CHECK_EQ(rq.rr_count, 2);
}

static void test_wrong_id_source_or_question_is_ignored(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(ROOT1, "www.rsa.test.", WIRE_TYPE_A));
	size_t len = build(AA, 0, NULL, 1);
	CHECK_EQ(resolve_response(ctx, &rq, resp, len, &sent_to, now), RESOLVE_RESP_IGNORED);
	len = build(AA, 0, NULL, 0);
	struct resolve_addr other = addr("192.0.2.99");
	CHECK_EQ(resolve_response(ctx, &rq, resp, len, &other, now), RESOLVE_RESP_IGNORED);
	other = sent_to;
	other.port = 5353;
	CHECK_EQ(resolve_response(ctx, &rq, resp, len, &other, now), RESOLVE_RESP_IGNORED);
	/* question changed: another name (a poisoning attempt) */
	uint8_t saved[sizeof(sent)];
	memcpy(saved, sent, sent_len);
	sent[13] = 'x'; /* first letter of the first label */
	len = build(AA, 0, NULL, 0);
	memcpy(sent, saved, sent_len);
	CHECK_EQ(resolve_response(ctx, &rq, resp, len, &sent_to, now), RESOLVE_RESP_IGNORED);
	/* not a response (QR=0) */
	len = build(AA, 0, NULL, 0);
	resp[2] &= 0x7F;
	CHECK_EQ(resolve_response(ctx, &rq, resp, len, &sent_to, now), RESOLVE_RESP_IGNORED);
	CHECK_EQ(ctx->stats.ignored, 5);
	CHECK_EQ(step(), RESOLVE_WAIT);
	/* the right one, with the name in another case, is taken */
	len = build(AA, 0, NULL, 0);
	resp[13] = (uint8_t)(resp[13] ^ 0x20);
	CHECK_EQ(resolve_response(ctx, &rq, resp, len, &sent_to, now), RESOLVE_RESP_ACCEPTED);
}

static void test_timeout_moves_to_the_next_server(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "www.rsa.test.", WIRE_TYPE_A));
	uint64_t deadline = act.deadline;
	resolve_timeout(ctx, &rq, deadline - 1); /* early: nothing happens */
	CHECK_EQ(step(), RESOLVE_WAIT);
	now = deadline;
	resolve_timeout(ctx, &rq, now);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH2, "www.rsa.test.", WIRE_TYPE_A));
	CHECK_EQ(ctx->stats.timeouts, 1);
	struct resolve_addr a1 = addr(AUTH1);
	CHECK(resolve_server_srtt(ctx, &a1) > (int)ctx->cfg.unknown_rtt_ms);
	respond(AA, 0, "AN www.rsa.test. 300 A 192.0.2.80\n");
	CHECK_EQ(step(), RESOLVE_DONE);
}

static void test_all_servers_timing_out_fails_with_ede23(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	enum resolve_action_kind k;
	while ((k = step()) == RESOLVE_SEND) {
		now = act.deadline;
		resolve_timeout(ctx, &rq, now);
	}
	CHECK_EQ(k, RESOLVE_FAIL);
	CHECK_EQ(act.ede, WIRE_EDE_NETWORK_ERROR);
	CHECK_EQ(rq.sends, 3 + 2 * ctx->cfg.tries_per_server);
}

/*
 * Timeouts mark a (zone, server) pair only when the server is silent: a burst of
 * queries some of which time out while the server answers others is congestion, and
 * marking it would fail the whole zone. Silence: no answer for timeout_max_ms, or
 * never one. A hold that ended long ago no longer lengthens the next.
 */
static void test_timeouts_mark_only_a_silent_server(void)
{
	static const uint8_t zone[] = "\3rsa\4test";
	struct resolve_addr a1 = addr(AUTH1), a2 = addr(AUTH2);
	uint64_t t = 100000;

	setup(false);
	resolve_infra_rtt(ctx, &a1, 5, t);                 /* AUTH1 answers */
	CHECK(!resolve_infra_silent(ctx, &a1, t + 1));
	CHECK(resolve_infra_silent(ctx, &a2, t + 1));       /* never heard from */
	CHECK(resolve_infra_silent(ctx, &a1, t + ctx->cfg.timeout_max_ms));

	/* two timeouts in a row of a server that answered 200 ms ago: not marked */
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	rq.pending = true;
	rq.pending_addr = a1;
	rq.deadline = t + 100;
	resolve_timeout(ctx, &rq, t + 100);
	rq.pending = true;
	rq.deadline = t + 200;
	rq.frame[0].dp.zone_len = sizeof(zone);
	memcpy(rq.frame[0].dp.zone, zone, sizeof(zone));
	resolve_timeout(ctx, &rq, t + 200);
	CHECK(!resolve_is_lame(ctx, zone, sizeof(zone), &a1, t + 200));
	/* ... and once it has said nothing for timeout_max_ms: marked (the back-off) */
	rq.pending = true;
	rq.deadline = t + ctx->cfg.timeout_max_ms;
	resolve_timeout(ctx, &rq, t + ctx->cfg.timeout_max_ms);
	CHECK(resolve_is_lame(ctx, zone, sizeof(zone), &a1, t + ctx->cfg.timeout_max_ms));
	CHECK(!resolve_is_lame(ctx, zone, sizeof(zone), &a1,
			       t + ctx->cfg.timeout_max_ms + 2001)); /* 2 s, the first hold */
}

static unsigned lame_seen;
static void count_lame(const struct resolve_lame_entry *e, void *arg)
{
	(void)arg;
	if (e->reason == RESOLVE_LAME_REFUSED)
		lame_seen++;
}

static void test_all_servers_refused_fails_with_ede22_and_is_remembered(void)
{
	setup(false);
	CHECK_EQ(start("www.lame.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, "NS lame.test. 3600 NS ns1.lame.test.\n"
		      "NS lame.test. 3600 NS ns2.lame.test.\n"
		      "AR ns1.lame.test. 3600 A 203.0.113.66\n"
		      "AR ns2.lame.test. 3600 A 203.0.113.67\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(0, WIRE_RCODE_REFUSED, NULL);
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(0, WIRE_RCODE_REFUSED, NULL);
	CHECK_EQ(step(), RESOLVE_FAIL);
	CHECK_EQ(act.ede, WIRE_EDE_NO_REACHABLE_AUTHORITY);
	CHECK(act.ede_text && act.ede_text[0]);
	lame_seen = 0;
	resolve_report_lame(ctx, count_lame, NULL);
	CHECK_EQ(lame_seen, 2);
	/* the next question for the zone sends nothing to the lame servers */
	uint16_t before = (uint16_t)ctx->stats.sends;
	CHECK_EQ(start("ftp.lame.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_FAIL);
	CHECK_EQ(act.ede, WIRE_EDE_NO_REACHABLE_AUTHORITY);
	CHECK_EQ(ctx->stats.sends, before);
}

static void test_partly_lame_zone_uses_the_good_server(void)
{
	setup(false);
	CHECK_EQ(start("www.partlame.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, "NS partlame.test. 3600 NS ns2.partlame.test.\n"
		      "NS partlame.test. 3600 NS ns1.partlame.test.\n"
		      "AR ns2.partlame.test. 3600 A 203.0.113.66\n"
		      "AR ns1.partlame.test. 3600 A " AUTH1 "\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is("203.0.113.66", "www.partlame.test.", WIRE_TYPE_A));
	respond(0, WIRE_RCODE_REFUSED, NULL);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "www.partlame.test.", WIRE_TYPE_A));
	respond(AA, 0, "AN www.partlame.test. 300 A 192.0.2.9\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	/* next time the lame one is skipped */
	CHECK_EQ(start("ftp.partlame.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "ftp.partlame.test.", WIRE_TYPE_A));
}

/* AA=0 but the data is there (a server answering from a cache): taken, counted. */
static void test_non_aa_answer_with_data_is_taken(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(0, 0, "AN www.rsa.test. 300 A 192.0.2.80\n"
		      "NS rsa.test. 3600 NS ns1.rsa.test.\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(act.rcode, WIRE_RCODE_NOERROR);
	CHECK_EQ(rq.rr_count, 1);
	CHECK_EQ(ctx->stats.non_aa_answers, 1);
	CHECK_EQ(ctx->stats.lame_marked, 0);
	/* a negative answer with the zone's SOA, AA=0: NXDOMAIN */
	CHECK_EQ(start("nx.rsa.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(0, WIRE_RCODE_NXDOMAIN,
		"NS rsa.test. 300 SOA ns1.rsa.test. h.rsa.test. 1 2 3 4 5\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(act.rcode, WIRE_RCODE_NXDOMAIN);
	CHECK_EQ(ctx->stats.non_aa_answers, 2);
}

/* AA=0 with nothing in it (no data, no SOA, no referral): lame, the next server. */
static void test_empty_non_aa_answer_is_lame(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	struct resolve_addr first = sent_to;
	respond(0, 0, NULL);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(!resolve_addr_equal(&sent_to, &first));
	CHECK_EQ(ctx->stats.lame_marked, 1);
	CHECK_EQ(ctx->stats.non_aa_answers, 0);
	respond(AA, 0, "AN www.rsa.test. 300 A 192.0.2.80\n");
	CHECK_EQ(step(), RESOLVE_DONE);
}

/* AA=1 on an empty NOERROR carrying a downward NS set: followed as the referral it is. */
static void test_referral_with_aa_is_followed(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(AA, 0, REF_TEST);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "www.rsa.test.", WIRE_TYPE_A));
	respond(AA, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "www.rsa.test.", WIRE_TYPE_A));
	CHECK_EQ(ctx->stats.referrals, 2);
}

/* AA=1, empty, no SOA, the root's NS set in authority: an upward referral, lame. */
static void test_aa_answer_pointing_upwards_is_lame(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_AAAA), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	struct resolve_addr first = sent_to;
	respond(AA, 0, "NS . 3600 NS a.root.\nAR a.root. 3600 A " ROOT1 "\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(!resolve_addr_equal(&sent_to, &first));
	uint8_t zone[WIRE_NAME_MAX];
	size_t zlen;
	name_from("rsa.test.", zone, &zlen);
	CHECK(resolve_is_lame(ctx, zone, zlen, &first, now));
	/* an empty AA NODATA without SOA and without NS stays a NODATA */
	respond(AA, 0, NULL);
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(act.rcode, WIRE_RCODE_NOERROR);
}

/* The NS name's own zone publishes an address for it that does not work; the glue
 * its parent gave is kept as well and the query gets through there. */
static void test_parent_side_glue_backs_up_the_child_address(void)
{
	setup(false);
	CHECK_EQ(start("www.glueless.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, "NS glueless.test. 3600 NS ns.hosting.test.\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "ns.hosting.test.", WIRE_TYPE_A));
	/* the parent (test.) says ns.hosting.test is AUTH2 */
	respond(0, 0, "NS hosting.test. 3600 NS ns.hosting.test.\n"
		      "AR ns.hosting.test. 3600 A " AUTH2 "\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH2, "ns.hosting.test.", WIRE_TYPE_A));
	/* the child says AUTH1 */
	respond(AA, 0, "AN ns.hosting.test. 3600 A " AUTH1 "\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK_EQ(rq.depth, 0);
	/* both addresses are there (which goes first is the SRTT's choice) */
	struct resolve_addr a1 = addr(AUTH1), a2 = addr(AUTH2);
	struct resolve_addr first = sent_to;
	CHECK(resolve_addr_equal(&first, &a1) || resolve_addr_equal(&first, &a2));
	respond(0, WIRE_RCODE_SERVFAIL, NULL);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(resolve_addr_equal(&first, &a1) ? AUTH2 : AUTH1, "www.glueless.test.",
		      WIRE_TYPE_A));
	respond(AA, 0, "AN www.glueless.test. 300 A 192.0.2.7\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(rq.rr_count, 1);
}

/* A priming answer without glue: the hints' addresses stand in for the same names,
 * and for names the hints do not know the hints' servers stay in use. */
static void test_priming_answer_without_glue_keeps_hint_addresses(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK_EQ(respond(AA, 0, "AN . 518400 NS b.root.\n"), RESOLVE_RESP_ACCEPTED);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is("198.51.100.2", "www.rsa.test.", WIRE_TYPE_A));

	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK_EQ(respond(AA, 0, "AN . 518400 NS k.root-servers.net.\n"), RESOLVE_RESP_ACCEPTED);
	CHECK_EQ(step(), RESOLVE_SEND);
	struct resolve_addr r1 = addr(ROOT1), r2 = addr("198.51.100.2");
	CHECK(resolve_addr_equal(&sent_to, &r1) || resolve_addr_equal(&sent_to, &r2));
	CHECK(sent_is(resolve_addr_equal(&sent_to, &r1) ? ROOT1 : "198.51.100.2",
		      "www.rsa.test.", WIRE_TYPE_A));
}

/* Every hint answers, but not the priming question: the hints serve as the root. */
static void test_failed_priming_falls_back_to_the_hints(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(0, WIRE_RCODE_SERVFAIL, NULL);
	CHECK_EQ(step(), RESOLVE_SEND);
	respond(0, WIRE_RCODE_SERVFAIL, NULL);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(ROOT1, "www.rsa.test.", WIRE_TYPE_A) ||
	      sent_is("198.51.100.2", "www.rsa.test.", WIRE_TYPE_A));
	CHECK_EQ(ctx->stats.prime_fallbacks, 1);
	respond(0, 0, REF_TEST);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "www.rsa.test.", WIRE_TYPE_A));
}

static void test_formerr_to_edns_retries_without_edns(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_has_edns());
	respond(0, WIRE_RCODE_FORMERR, NULL);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "www.rsa.test.", WIRE_TYPE_A));
	CHECK(!sent_has_edns());
	CHECK_EQ(ctx->stats.edns_fallbacks, 1);
	respond(AA, 0, "AN www.rsa.test. 300 A 192.0.2.80\n");
	CHECK_EQ(step(), RESOLVE_DONE);
}

static void test_edns_size_from_config(void)
{
	struct resolve_config cfg;
	resolve_config_default(&cfg);
	cfg.edns_size = 4096;
	cfg.do_bit = true;
	setup_cfg(&cfg);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	struct wire_msg m;
	m.rr = NULL;
	m.rr_cap = 0;
	CHECK_EQ(wire_parse_msg(sent, sent_len, &m), WIRE_OK);
	CHECK(m.edns.present);
	CHECK_EQ(m.edns.udp_size, 4096);
	CHECK(m.edns.do_bit);
	cfg.edns_size = 9000;
	resolve_ctx_init(ctx, &cfg, 1);
	CHECK_EQ(ctx->cfg.edns_size, 4096);
}

static void test_tc_retries_the_same_server_over_tcp(void)
{
	setup(false);
	CHECK_EQ(start("big.rsa.test.", WIRE_TYPE_TXT), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(!act.tcp);
	respond(AA | WIRE_FLAG_TC, 0, NULL);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(act.tcp);
	CHECK(sent_is(AUTH1, "big.rsa.test.", WIRE_TYPE_TXT));
	respond(AA, 0, "AN big.rsa.test. 300 TXT \"large\"\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(ctx->stats.sends_tcp, 1);
}

/* A hints server that answers ". NS" without AA (from its cache) still primes; one
 * that gives no root NS set does not. */
static void test_priming_answer_without_aa_is_used(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK_EQ(respond(0, 0, "AN . 518400 NS a.root.\n"
			       "AR a.root. 518400 A 198.51.100.1\n"), RESOLVE_RESP_ACCEPTED);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(ROOT1, "test.", WIRE_TYPE_NS) || sent_is(ROOT1, "www.rsa.test.", WIRE_TYPE_A));

	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	struct resolve_addr first = sent_to;
	CHECK_EQ(respond(0, 0, "AN . 518400 TXT \"no NS here\"\n"), RESOLVE_RESP_ACCEPTED);
	CHECK_EQ(step(), RESOLVE_SEND);       /* the other hint, for priming again */
	CHECK(!resolve_addr_equal(&sent_to, &first));
}

static void test_upward_referral_marks_the_server_lame(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	/* ns1 points back up at the root */
	respond(0, 0, "NS . 3600 NS a.root.\nAR a.root. 3600 A " ROOT1 "\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH2, "www.rsa.test.", WIRE_TYPE_A));
	struct resolve_addr a1 = addr(AUTH1);
	uint8_t zone[WIRE_NAME_MAX];
	size_t zlen;
	name_from("rsa.test.", zone, &zlen);
	CHECK(resolve_is_lame(ctx, zone, zlen, &a1, now));
	/* a non-authoritative answer with neither data nor a referral is lame too */
	respond(0, 0, NULL);
	CHECK_EQ(step(), RESOLVE_FAIL);
	CHECK_EQ(act.ede, WIRE_EDE_NO_REACHABLE_AUTHORITY);
}

static void test_nxns_referral_with_50_glueless_ns_names_is_capped(void)
{
	setup(false);
	CHECK_EQ(start("www.evil.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	static char ref[50 * 64];
	size_t off = 0;
	for (int i = 0; i < 50; i++)
		off += (size_t)snprintf(ref + off, sizeof(ref) - off,
					"NS evil.test. 300 NS n%d.victim.example.\n", i);
	respond(0, 0, ref);
	CHECK(rq.frame[0].dp.ns_count <= RESOLVE_NS_MAX);
	enum resolve_action_kind k;
	int lookups = 0;
	while ((k = step()) == RESOLVE_SEND) {
		if (rq.depth > 0)
			lookups++;
		respond(AA, WIRE_RCODE_NXDOMAIN, NULL);
	}
	CHECK_EQ(k, RESOLVE_FAIL);
	CHECK_EQ(ctx->stats.ns_lookups, ctx->cfg.max_ns_lookups);
	CHECK(lookups <= ctx->cfg.max_ns_lookups);
	CHECK_EQ(ctx->stats.ns_lookups_capped, 1);
	CHECK(rq.sends <= 3 + ctx->cfg.max_ns_lookups);
}

static void test_send_limit_stops_a_long_referral_walk(void)
{
	struct resolve_config cfg;
	resolve_config_default(&cfg);
	cfg.qname_minimisation = false;
	cfg.ip6 = false;
	cfg.max_sends = 5;
	setup_cfg(&cfg);
	CHECK_EQ(start("a.b.c.d.e.f.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	const char *cuts[] = {"f.test.", "e.f.test.", "d.e.f.test.", "c.d.e.f.test."};
	enum resolve_action_kind k = RESOLVE_SEND;
	for (int i = 0; i < 4 && (k = step()) == RESOLVE_SEND; i++) {
		char r[256];
		snprintf(r, sizeof(r), "NS %s 300 NS ns.%s\nAR ns.%s 300 A " AUTH1 "\n", cuts[i],
			 cuts[i], cuts[i]);
		respond(0, 0, r);
	}
	CHECK_EQ(step(), RESOLVE_FAIL);
	CHECK_EQ(rq.sends, 5);
	CHECK_EQ(ctx->stats.limit_hits, 1);
}

static void test_srtt_moves_selection_to_the_faster_server(void)
{
	setup(false);
	CHECK_EQ(start("q0.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH1, "q0.rsa.test.", WIRE_TYPE_A));
	now += 400; /* ns1 is slow */
	respond(AA, 0, "AN q0.rsa.test. 300 A 192.0.2.1\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(start("q1.rsa.test.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(AUTH2, "q1.rsa.test.", WIRE_TYPE_A)); /* unknown beats 400 ms */
	now += 10;
	respond(AA, 0, "AN q1.rsa.test. 300 A 192.0.2.1\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	for (int i = 0; i < 5; i++) {
		CHECK_EQ(start("q2.rsa.test.", WIRE_TYPE_A), 0);
		CHECK_EQ(step(), RESOLVE_SEND);
		CHECK(sent_is(AUTH2, "q2.rsa.test.", WIRE_TYPE_A));
		now += 10;
		respond(AA, 0, "AN q2.rsa.test. 300 A 192.0.2.1\n");
		CHECK_EQ(step(), RESOLVE_DONE);
	}
	struct resolve_addr a2 = addr(AUTH2);
	CHECK(resolve_server_srtt(ctx, &a2) <= 10);
}

static void test_exploration_sometimes_tries_the_slower_server(void)
{
	struct resolve_config cfg;
	resolve_config_default(&cfg);
	cfg.qname_minimisation = false;
	cfg.ip6 = false;
	cfg.explore_percent = 50;
	setup_cfg(&cfg);
	CHECK_EQ(start("q.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	step();
	respond(AA, 0, "AN q.rsa.test. 300 A 192.0.2.1\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	int slow = 0;
	for (int i = 0; i < 100; i++) {
		start("q.rsa.test.", WIRE_TYPE_A);
		CHECK_EQ(step(), RESOLVE_SEND);
		struct resolve_addr a1 = addr(AUTH1), a2 = addr(AUTH2);
		struct resolve_addr fast = resolve_server_srtt(ctx, &a1) <= resolve_server_srtt(ctx, &a2) ? a1 : a2;
		if (!resolve_addr_equal(&sent_to, &fast))
			slow++;
		now += 5;
		respond(AA, 0, "AN q.rsa.test. 300 A 192.0.2.1\n");
		step();
	}
	CHECK(slow > 5 && slow < 60);
}

static unsigned dangling_seen;
static void count_dangling(const struct resolve_dangling *d, void *arg)
{
	(void)d;
	(void)arg;
	dangling_seen++;
}

static void test_dangling_cname_gives_nxdomain_and_is_recorded(void)
{
	setup(false);
	CHECK_EQ(start("dangling.rsa.test.", WIRE_TYPE_A), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	step();
	/* the server of rsa.test. also claims the target does not exist: not its zone */
	respond(AA, WIRE_RCODE_NXDOMAIN, "AN dangling.rsa.test. 300 CNAME gone.nowhere.test.\n"
					 "NS nowhere.test. 300 SOA a.nowhere.test. h. 1 2 3 4 5\n");
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is(TLD1, "gone.nowhere.test.", WIRE_TYPE_A));
	respond(AA, WIRE_RCODE_NXDOMAIN,
		"NS test. 300 SOA ns.test. h.test. 1 2 3 4 300\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(act.rcode, WIRE_RCODE_NXDOMAIN);
	CHECK_EQ(rq.rr_count, 2); /* the CNAME and the SOA */
	CHECK_EQ(rq.rr[1].section, WIRE_SECTION_AUTHORITY);
	dangling_seen = 0;
	resolve_report_dangling(ctx, count_dangling, NULL);
	CHECK_EQ(dangling_seen, 1);
}

static void test_forward_zone_sends_rd_and_takes_the_answer(void)
{
	setup(true);
	uint8_t zone[WIRE_NAME_MAX];
	size_t zlen;
	name_from("corp.example.", zone, &zlen);
	struct resolve_addr fwd = addr("192.0.2.200#5300");
	CHECK_EQ(resolve_zone_add(ctx, zone, zlen, true, &fwd, 1), 0);
	CHECK_EQ(start("a.b.corp.example.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND); /* no priming needed, no minimising */
	CHECK(sent_is("192.0.2.200#5300", "a.b.corp.example.", WIRE_TYPE_A));
	CHECK(sent_flags() & WIRE_FLAG_RD);
	respond(WIRE_FLAG_RD | WIRE_FLAG_RA, 0, "AN a.b.corp.example. 60 A 10.0.0.1\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(rq.rr_count, 1);
}

static void test_stub_zone_iterates_from_the_configured_servers(void)
{
	setup(false);
	uint8_t zone[WIRE_NAME_MAX];
	size_t zlen;
	name_from("internal.", zone, &zlen);
	struct resolve_addr stub = addr("192.0.2.201");
	CHECK_EQ(resolve_zone_add(ctx, zone, zlen, false, &stub, 1), 0);
	CHECK_EQ(start("www.internal.", WIRE_TYPE_A), 0);
	CHECK_EQ(step(), RESOLVE_SEND);
	CHECK(sent_is("192.0.2.201", "www.internal.", WIRE_TYPE_A));
	CHECK(!(sent_flags() & WIRE_FLAG_RD));
	respond(AA, 0, "AN www.internal. 60 A 10.0.0.2\n");
	CHECK_EQ(step(), RESOLVE_DONE);
}

static void test_nodata_keeps_the_soa(void)
{
	setup(false);
	CHECK_EQ(start("www.rsa.test.", WIRE_TYPE_MX), 0);
	CHECK(prime());
	step();
	respond(0, 0, REF_TEST);
	step();
	respond(0, 0, REF_RSA);
	step();
	respond(AA, 0, "NS rsa.test. 300 SOA ns1.rsa.test. h.rsa.test. 1 2 3 4 300\n"
		       "NS evil.org. 300 SOA ns.evil.org. h.evil.org. 1 2 3 4 300\n");
	CHECK_EQ(step(), RESOLVE_DONE);
	CHECK_EQ(act.rcode, WIRE_RCODE_NOERROR);
	CHECK_EQ(rq.rr_count, 1);
	CHECK_EQ(rq.rr[0].type, WIRE_TYPE_SOA);
}

static void test_bad_input_is_refused(void)
{
	setup(false);
	CHECK_EQ(resolve_start(&rq, (const uint8_t *)"\3www", 4, WIRE_TYPE_A, WIRE_CLASS_IN, now),
		 WIRE_EINVAL);
	CHECK_EQ(resolve_hints_load(ctx, "; nothing\n", 10, NULL), WIRE_TEXT_EMISSING);
	int line = 0;
	CHECK(resolve_hints_load(ctx, ". NS a.root.\nbad line here\n", 27, &line) < 0);
	CHECK_EQ(line, 2);
}

int main(void)
{
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return 1;
	RUN(test_priming_then_referrals_root_tld_zone_answer);
	RUN(test_qmin_asks_one_label_more_per_zone_and_keeps_case);
	RUN(test_qmin_empty_non_terminal_adds_a_label);
	RUN(test_qmin_nxdomain_falls_back_to_full_name);
	RUN(test_qmin_empty_non_aa_answer_falls_back_to_full_name);
	RUN(test_out_of_bailiwick_glue_is_ignored);
	RUN(test_glueless_delegation_resolves_the_ns_name);
	RUN(test_cname_into_other_zone_is_followed_and_foreign_data_dropped);
	RUN(test_dname_synthesises_a_cname_and_follows_it);
	RUN(test_cname_loop_fails_with_each_link_once);
	RUN(test_long_cname_chain_hits_the_limit);
	RUN(test_dname_loop_fails_with_the_dname_and_its_cname_once);
	RUN(test_dname_answers_a_cname_question_with_its_synthesis);
	RUN(test_dname_met_twice_is_kept_once);
	RUN(test_cname_contradicting_its_dname_makes_the_server_lame);
	RUN(test_yxdomain_from_a_dname_is_an_answer);
	RUN(test_answer_proofs_kept_only_for_a_wildcard_expansion);
	RUN(test_referral_proof_is_kept_for_the_validator_only);
	RUN(test_nodata_after_an_alias_asks_the_end_again);
	RUN(test_wrong_id_source_or_question_is_ignored);
	RUN(test_timeout_moves_to_the_next_server);
	RUN(test_all_servers_timing_out_fails_with_ede23);
	RUN(test_timeouts_mark_only_a_silent_server);
	RUN(test_all_servers_refused_fails_with_ede22_and_is_remembered);
	RUN(test_partly_lame_zone_uses_the_good_server);
	RUN(test_priming_answer_without_aa_is_used);
	RUN(test_non_aa_answer_with_data_is_taken);
	RUN(test_empty_non_aa_answer_is_lame);
	RUN(test_referral_with_aa_is_followed);
	RUN(test_aa_answer_pointing_upwards_is_lame);
	RUN(test_parent_side_glue_backs_up_the_child_address);
	RUN(test_priming_answer_without_glue_keeps_hint_addresses);
	RUN(test_failed_priming_falls_back_to_the_hints);
	RUN(test_formerr_to_edns_retries_without_edns);
	RUN(test_edns_size_from_config);
	RUN(test_tc_retries_the_same_server_over_tcp);
	RUN(test_upward_referral_marks_the_server_lame);
	RUN(test_nxns_referral_with_50_glueless_ns_names_is_capped);
	RUN(test_send_limit_stops_a_long_referral_walk);
	RUN(test_srtt_moves_selection_to_the_faster_server);
	RUN(test_exploration_sometimes_tries_the_slower_server);
	RUN(test_dangling_cname_gives_nxdomain_and_is_recorded);
	RUN(test_forward_zone_sends_rd_and_takes_the_answer);
	RUN(test_stub_zone_iterates_from_the_configured_servers);
	RUN(test_nodata_keeps_the_soa);
	RUN(test_bad_input_is_refused);
	free(ctx);
	printf("%s\n", failures ? "FAILED" : "all passed");
	return failures ? 1 : 0;
}
