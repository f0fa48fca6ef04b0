/*
 * Unit tests of dataplane/query: rcode and flag rules, EDNS echo, truncation and
 * the local-data answers, through the real wire codec and local db.
 */
#include <stdlib.h>

#include "local.h"
#include "query.h"
#include "wire_build.h"
#include "wire_test.h"
#include "wire_text.h"

static struct local_db *db;
static struct query_env env;
static struct query_stats st;
static uint8_t resp[4096];

static void add_rr(struct local_conf *lc, const char *line)
{
	struct wire_text_rr rr;

	if (wire_text_rr(line, strlen(line), NULL, 3600, &rr) != 0 ||
	    local_conf_add_rr(lc, rr.owner, rr.owner_len, rr.type, rr.rclass, rr.ttl,
			      rr.rdata, rr.rdlen, 1) != 0) {
		fprintf(stderr, "bad test record: %s\n", line);
		exit(2);
	}
}

static void setup(void)
{
	struct local_conf lc;
	uint8_t zone[256];
	char big[1200];
	unsigned bad;
	size_t n;

	local_conf_init(&lc);
	n = text_name("local.test.", zone);
	local_conf_add_zone(&lc, zone, n, WIRE_CLASS_IN, LOCAL_ZONE_STATIC, 1);
	add_rr(&lc, "local.test. 3600 IN SOA ns.local.test. host.local.test. 1 3600 600 86400 300");
	add_rr(&lc, "www.local.test. 300 IN A 192.0.2.80");
	add_rr(&lc, "www.local.test. 300 IN AAAA 2001:db8:53::80");
	/* Four 255-byte strings: over 512 bytes, so truncated without EDNS. */
	strcpy(big, "big.local.test. 300 IN TXT");
	for (int s = 0; s < 4; s++) {
		size_t at;

		strcat(big, " \"");
		at = strlen(big);
		memset(big + at, 'x', 255);
		big[at + 255] = '\0';
		strcat(big, "\"");
	}
	add_rr(&lc, big);
	if (local_conf_finish(&lc, &bad) != 0 || local_db_build(&lc, &db) != 0) {
		fprintf(stderr, "cannot build the test db\n");
		exit(2);
	}
	local_conf_free(&lc);
	env.local = db;
	env.edns_buffer_size = 1232;
}

static size_t ask(const struct pk *q)
{
	return query_respond(&env, q->b, q->len, resp, sizeof(resp), &st);
}

static uint16_t rflags(void) { return wire_get_u16(resp + 2); }
static uint16_t rcount(int i) { return wire_get_u16(resp + 4 + 2 * i); }

/* Parse the response and return its EDNS view (present=false without OPT). */
static struct wire_edns resp_edns(size_t len)
{
	struct wire_msg m;

	memset(&m, 0, sizeof(m));
	if (wire_parse_msg(resp, len, &m) != WIRE_OK)
		m.edns.version = 0xff; /* flags a broken response */
	return m.edns;
}

static void test_local_a_answer_is_authoritative_with_question_case_kept(void)
{
	struct pk q;
	size_t len;

	pk_query(&q, "wWw.LoCaL.tEsT.", WIRE_TYPE_A);
	len = ask(&q);
	CHECK(len > WIRE_HDR_LEN);
	CHECK_EQ(wire_get_u16(resp), 0x1234);
	CHECK(WIRE_QR(rflags()) && WIRE_AA(rflags()) && WIRE_RD(rflags()));
	CHECK(!WIRE_RA(rflags()) && !WIRE_TC(rflags()));
	CHECK_EQ(WIRE_RCODE(rflags()), WIRE_RCODE_NOERROR);
	CHECK_EQ(rcount(0), 1);
	CHECK_EQ(rcount(1), 1);
	CHECK_MEM(resp + 12, q.b + 12, q.len - 12); /* the question, case and all */
	CHECK_MEM(resp + len - 4, "\xc0\x00\x02\x50", 4);
}

static void test_edns_is_echoed_with_our_size_and_do_bit(void)
{
	struct pk q;
	struct wire_edns e;
	size_t len;

	pk_query(&q, "www.local.test.", WIRE_TYPE_AAAA);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 4096, 0, 0, WIRE_EDNS_FLAG_DO, NULL, 0);
	len = ask(&q);
	e = resp_edns(len);
	CHECK(e.present);
	CHECK_EQ(e.udp_size, 1232);
	CHECK(e.do_bit);
	CHECK_EQ(e.version, 0);
	CHECK_EQ(rcount(1), 1);
}

static void test_no_edns_in_query_means_no_opt_in_answer(void)
{
	struct pk q;

	pk_query(&q, "www.local.test.", WIRE_TYPE_A);
	CHECK(!resp_edns(ask(&q)).present);
	CHECK_EQ(rcount(3), 0);
}

static void test_big_answer_without_edns_is_truncated_to_512(void)
{
	struct pk q;
	size_t len;

	pk_query(&q, "big.local.test.", WIRE_TYPE_TXT);
	len = ask(&q);
	CHECK(len <= 512);
	CHECK(WIRE_TC(rflags()));
	CHECK_EQ(rcount(1), 0);
}

static void test_big_answer_fits_with_edns_and_keeps_opt_when_truncated(void)
{
	struct pk q;
	size_t len;

	pk_query(&q, "big.local.test.", WIRE_TYPE_TXT);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 4096, 0, 0, 0, NULL, 0);
	len = ask(&q);
	CHECK(len > 1000 && len <= 1232);
	CHECK(!WIRE_TC(rflags()));
	CHECK_EQ(rcount(1), 1);
	/* A client that can take only 600 bytes gets TC=1 and still an OPT. */
	wire_put_u16(q.b + q.len - 8, 600); /* the OPT's CLASS field */
	len = ask(&q);
	CHECK(len <= 600);
	CHECK(WIRE_TC(rflags()));
	CHECK(resp_edns(len).present);
}

static void test_response_with_qr_set_is_dropped(void)
{
	struct pk q;
	uint64_t before = st.drop_response;

	pk_query(&q, "www.local.test.", WIRE_TYPE_A);
	wire_put_u16(q.b + 2, WIRE_FLAG_QR);
	CHECK_EQ(ask(&q), 0);
	CHECK_EQ(st.drop_response, before + 1);
}

static void test_short_message_is_dropped_and_counted(void)
{
	uint8_t b[11] = { 0 };
	uint64_t before = st.drop_short;

	CHECK_EQ(query_respond(&env, b, sizeof(b), resp, sizeof(resp), &st), 0);
	CHECK_EQ(st.drop_short, before + 1);
}

static void test_qdcount_zero_and_two_give_formerr(void)
{
	struct pk q;

	pk_header(&q, 7, 0, 0, 0, 0, 0);
	CHECK(ask(&q) >= WIRE_HDR_LEN);
	CHECK_EQ(WIRE_RCODE(rflags()), WIRE_RCODE_FORMERR);
	pk_query(&q, "www.local.test.", WIRE_TYPE_A);
	pk_name(&q, "www.local.test.");
	pk_u16(&q, WIRE_TYPE_A);
	pk_u16(&q, WIRE_CLASS_IN);
	wire_put_u16(q.b + 4, 2);
	CHECK(ask(&q) >= WIRE_HDR_LEN);
	CHECK_EQ(WIRE_RCODE(rflags()), WIRE_RCODE_FORMERR);
	CHECK_EQ(rcount(0), 0);
}

static void test_compression_loop_in_question_gives_formerr(void)
{
	struct pk q;
	uint64_t before = st.rcode_formerr;

	pk_header(&q, 9, 0, 1, 0, 0, 0);
	pk_u8(&q, 0xc0);
	pk_u8(&q, 12); /* points at itself */
	pk_u16(&q, WIRE_TYPE_A);
	pk_u16(&q, WIRE_CLASS_IN);
	CHECK(ask(&q) == WIRE_HDR_LEN);
	CHECK_EQ(WIRE_RCODE(rflags()), WIRE_RCODE_FORMERR);
	CHECK_EQ(st.rcode_formerr, before + 1);
}

static void test_notify_opcode_gives_notimp(void)
{
	struct pk q;

	pk_query(&q, "www.local.test.", WIRE_TYPE_SOA);
	wire_put_u16(q.b + 2, wire_flags_set_opcode(0, WIRE_OPCODE_NOTIFY));
	CHECK(ask(&q) > WIRE_HDR_LEN);
	CHECK_EQ(WIRE_RCODE(rflags()), WIRE_RCODE_NOTIMP);
	CHECK_EQ(WIRE_OPCODE(rflags()), WIRE_OPCODE_NOTIFY);
}

static void test_edns_version_1_gives_badvers(void)
{
	struct pk q;
	struct wire_edns e;
	size_t len;

	pk_query(&q, "www.local.test.", WIRE_TYPE_A);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 1232, 0, 1, 0, NULL, 0);
	len = ask(&q);
	e = resp_edns(len);
	CHECK(e.present);
	CHECK_EQ(WIRE_RCODE(rflags()), 0);
	CHECK_EQ(e.ext_rcode, 1); /* 16 = BADVERS */
	CHECK_EQ(e.version, 0);
	CHECK_EQ(rcount(1), 0);
}

static void test_name_outside_local_data_is_refused(void)
{
	struct pk q;

	pk_query(&q, "www.example.", WIRE_TYPE_A);
	CHECK(ask(&q) > WIRE_HDR_LEN);
	CHECK_EQ(WIRE_RCODE(rflags()), WIRE_RCODE_REFUSED);
	CHECK(!WIRE_AA(rflags()));
}

static void test_nxdomain_and_nodata_carry_the_soa_with_negative_ttl(void)
{
	struct pk q;
	size_t len;

	pk_query(&q, "nope.local.test.", WIRE_TYPE_A);
	len = ask(&q);
	CHECK_EQ(WIRE_RCODE(rflags()), WIRE_RCODE_NXDOMAIN);
	CHECK(WIRE_AA(rflags()));
	CHECK_EQ(rcount(1), 0);
	CHECK_EQ(rcount(2), 1);
	(void)len;
	pk_query(&q, "www.local.test.", WIRE_TYPE_MX);
	ask(&q);
	CHECK_EQ(WIRE_RCODE(rflags()), WIRE_RCODE_NOERROR);
	CHECK_EQ(rcount(1), 0);
	CHECK_EQ(rcount(2), 1);
}

static void test_counters_count_queries_and_rcodes(void)
{
	struct pk q;
	struct query_stats before = st;

	pk_query(&q, "www.local.test.", WIRE_TYPE_A);
	ask(&q);
	CHECK_EQ(st.queries, before.queries + 1);
	CHECK_EQ(st.responses, before.responses + 1);
	CHECK_EQ(st.rcode_noerror, before.rcode_noerror + 1);
	CHECK(strcmp(query_counter_names[0], "queries") == 0);
}

static void test_recursion_on_sends_unknown_names_to_the_resolver(void)
{
	struct query_env renv = env;
	struct query_info qi;
	struct pk q;
	size_t len = 99;

	renv.recursion = true;
	pk_query(&q, "WwW.Example.", WIRE_TYPE_AAAA);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 4096, 0, 0, WIRE_EDNS_FLAG_DO, NULL, 0);
	CHECK_EQ(query_process(&renv, q.b, q.len, resp, sizeof(resp), &st, &len, &qi),
		 QUERY_RESOLVE);
	CHECK_EQ(len, 0);
	CHECK_EQ(qi.id, 0x1234);
	CHECK_EQ(qi.qtype, WIRE_TYPE_AAAA);
	CHECK_EQ(qi.q_off, 12);
	CHECK_EQ(qi.q_len, 13 + 4);
	CHECK_MEM(qi.qname, "\x03" "WwW" "\x07" "Example" "\x00", 13);
	CHECK(qi.edns && qi.do_bit);
	CHECK_EQ(qi.limit, 1232);
	/* Local data still answers first, now with RA=1. */
	pk_query(&q, "www.local.test.", WIRE_TYPE_A);
	CHECK_EQ(query_process(&renv, q.b, q.len, resp, sizeof(resp), &st, &len, &qi),
		 QUERY_REPLY);
	CHECK(WIRE_RA(rflags()) && WIRE_AA(rflags()));
}

/* A receive buffer smaller than the client's size: a local answer that does not fit
 * asks for a larger buffer (QUERY_GROW, nothing counted) instead of TC=1. */
static void test_small_buffer_grows_instead_of_truncating(void)
{
	struct query_stats before;
	struct query_info qi;
	struct pk q;
	size_t len = 99;

	pk_query(&q, "big.local.test.", WIRE_TYPE_TXT);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 4096, 0, 0, 0, NULL, 0);
	before = st;
	CHECK_EQ(query_process(&env, q.b, q.len, resp, 600, &st, &len, &qi), QUERY_GROW);
	CHECK_EQ(len, 0);
	CHECK(memcmp(&before, &st, sizeof(st)) == 0);
	CHECK_EQ(query_process(&env, q.b, q.len, resp, sizeof(resp), &st, &len, &qi),
		 QUERY_REPLY);
	CHECK(len > 1000 && !WIRE_TC(rflags()));
	CHECK_EQ(st.queries, before.queries + 1);
	CHECK_EQ(st.edns, before.edns + 1);
	/* A small answer fits the small buffer: no growing. */
	pk_query(&q, "www.local.test.", WIRE_TYPE_A);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 4096, 0, 0, 0, NULL, 0);
	CHECK_EQ(query_process(&env, q.b, q.len, resp, 600, &st, &len, &qi), QUERY_REPLY);
	/* The buffer holds all the client takes (512 without EDNS): truncated as always. */
	pk_query(&q, "big.local.test.", WIRE_TYPE_TXT);
	CHECK_EQ(query_process(&env, q.b, q.len, resp, 600, &st, &len, &qi), QUERY_REPLY);
	CHECK(WIRE_TC(rflags()));
	/* query_respond has no larger buffer to ask for: it truncates. */
	pk_query(&q, "big.local.test.", WIRE_TYPE_TXT);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 4096, 0, 0, 0, NULL, 0);
	len = query_respond(&env, q.b, q.len, resp, 600, &st);
	CHECK(len > 0 && len <= 600 && WIRE_TC(rflags()));
}

/* What the worker hands query_fast: the question's name lowercased (cache_name_lower
 * does it there; the unit tests do not link the cache). -1: not a plain name. */
static int lower_name(const struct pk *q, uint8_t *out)
{
	size_t off = WIRE_HDR_LEN;

	while (off < q->len && q->b[off] != 0) {
		if (q->b[off] > 63 || off + 1 + q->b[off] >= q->len)
			return -1;
		off += 1 + (size_t)q->b[off];
	}
	if (off >= q->len)
		return -1;
	for (size_t i = WIRE_HDR_LEN; i <= off; i++) {
		uint8_t c = q->b[i];

		out[i - WIRE_HDR_LEN] = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
	}
	return (int)(off + 1 - WIRE_HDR_LEN);
}

/* One query through query_fast and query_process from the same counters: taken by
 * the fast path or not as @want; when taken, the general path resolves it with the
 * same info and counts; when not, nothing was counted. */
static void fast_check(const struct query_env *e, const struct pk *q, bool want)
{
	struct query_stats s_fast = st, s_slow = st;
	struct query_info qf, qs;
	uint8_t lname[255];
	size_t len;
	int n = lower_name(q, lname);
	bool fast = n > 0 && query_fast(e, q->b, q->len, lname, (size_t)n, &s_fast, &qf);
	enum query_verdict v = query_process(e, q->b, q->len, resp, sizeof(resp), &s_slow,
					     &len, &qs);

	CHECK_EQ(fast, want);
	if (!fast) {
		CHECK(memcmp(&s_fast, &st, sizeof(st)) == 0);
		return;
	}
	CHECK_EQ(v, QUERY_RESOLVE);
	CHECK(memcmp(&s_fast, &s_slow, sizeof(st)) == 0);
	CHECK(qf.id == qs.id && qf.flags == qs.flags && qf.q_off == qs.q_off &&
	      qf.q_len == qs.q_len && qf.qtype == qs.qtype && qf.qclass == qs.qclass);
	CHECK(qf.qname_len == qs.qname_len && memcmp(qf.qname, qs.qname, qs.qname_len) == 0);
	CHECK(qf.edns == qs.edns && qf.do_bit == qs.do_bit && qf.limit == qs.limit);
}

static void test_fast_path_takes_common_queries_as_query_process_would(void)
{
	static const uint8_t cookie[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct query_env renv = env, norec = env;
	struct pk q;

	renv.recursion = true;
	/* taken: plain, EDNS with and without DO, CD, RD=0, a size below 512 */
	pk_query(&q, "WwW.Example.", WIRE_TYPE_A);
	fast_check(&renv, &q, true);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 4096, 0, 0, WIRE_EDNS_FLAG_DO, NULL, 0);
	fast_check(&renv, &q, true);
	pk_header(&q, 7, WIRE_FLAG_RD | WIRE_FLAG_CD, 1, 0, 0, 1);
	pk_name(&q, "a.b.c.example.");
	pk_u16(&q, WIRE_TYPE_AAAA);
	pk_u16(&q, WIRE_CLASS_IN);
	pk_opt(&q, 100, 0, 0, 0, NULL, 0);
	fast_check(&renv, &q, true);
	pk_query(&q, "example.", WIRE_TYPE_MX);
	wire_put_u16(q.b + 2, 0);
	fast_check(&renv, &q, true);
	/* declined: an option, EDNS version 1, AXFR, class CH, NOTIFY, a response,
	 * two additional records, a trailing byte, an answer record, local data
	 * (a name and a missing name in its zone), recursion off */
	pk_query(&q, "www.example.", WIRE_TYPE_A);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 1232, 0, 0, 0, cookie, sizeof(cookie));
	fast_check(&renv, &q, false);
	pk_query(&q, "www.example.", WIRE_TYPE_A);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 1232, 0, 1, 0, NULL, 0);
	fast_check(&renv, &q, false);
	pk_query(&q, "example.", WIRE_TYPE_AXFR);
	fast_check(&renv, &q, false);
	pk_query(&q, "www.example.", WIRE_TYPE_A);
	wire_put_u16(q.b + q.len - 2, 3);
	fast_check(&renv, &q, false);
	pk_query(&q, "www.example.", WIRE_TYPE_A);
	wire_put_u16(q.b + 2, 0x2000);
	fast_check(&renv, &q, false);
	pk_query(&q, "www.example.", WIRE_TYPE_A);
	wire_put_u16(q.b + 2, WIRE_FLAG_QR);
	fast_check(&renv, &q, false);
	pk_query(&q, "www.example.", WIRE_TYPE_A);
	wire_put_u16(q.b + 10, 2);
	pk_opt(&q, 1232, 0, 0, 0, NULL, 0);
	pk_opt(&q, 1232, 0, 0, 0, NULL, 0);
	fast_check(&renv, &q, false);
	pk_query(&q, "www.example.", WIRE_TYPE_A);
	pk_u8(&q, 0);
	fast_check(&renv, &q, false);
	pk_query(&q, "www.example.", WIRE_TYPE_A);
	wire_put_u16(q.b + 6, 1);
	fast_check(&renv, &q, false);
	pk_query(&q, "WWW.local.test.", WIRE_TYPE_A);
	fast_check(&renv, &q, false);
	pk_query(&q, "nope.local.test.", WIRE_TYPE_A);
	fast_check(&renv, &q, false);
	pk_query(&q, "www.example.", WIRE_TYPE_A);
	fast_check(&norec, &q, false);
}

static void test_cached_image_gets_client_flags_opt_or_tc(void)
{
	struct query_env renv = env;
	struct query_info qi;
	struct pk q;
	size_t len, n;

	renv.recursion = true;
	pk_query(&q, "big.example.", WIRE_TYPE_TXT);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 600, 0, 0, 0, NULL, 0);
	query_process(&renv, q.b, q.len, resp, sizeof(resp), &st, &len, &qi);
	/* An image: header (ID set, QR|RA), the question, one 700-byte TXT. */
	memset(resp, 0, 12);
	wire_put_u16(resp, qi.id);
	wire_put_u16(resp + 2, WIRE_FLAG_QR | WIRE_FLAG_RA);
	wire_put_u16(resp + 4, 1);
	wire_put_u16(resp + 6, 1);
	memcpy(resp + 12, q.b + qi.q_off, qi.q_len);
	n = 12 + qi.q_len;
	memcpy(resp + n, "\xc0\x0c\x00\x10\x00\x01\x00\x00\x01\x2c\x02\xbc", 12);
	n += 12;
	memset(resp + n, 'x', 700);
	n += 700;
	len = query_answer_image(&renv, &qi, resp, n, sizeof(resp), WIRE_EDE_NONE, NULL, &st);
	CHECK(len > 0 && len <= 600);
	CHECK(WIRE_TC(rflags()) && WIRE_RD(rflags()) && WIRE_RA(rflags()));
	CHECK_EQ(rcount(1), 0);
	CHECK(resp_edns(len).present);
	/* The same image for a client that takes 4096 bytes: whole, with OPT. */
	qi.limit = 1232;
	wire_put_u16(resp + 2, WIRE_FLAG_QR | WIRE_FLAG_RA);
	wire_put_u16(resp + 6, 1);
	wire_put_u16(resp + 10, 0);
	memcpy(resp + 12 + qi.q_len, "\xc0\x0c\x00\x10\x00\x01\x00\x00\x01\x2c\x02\xbc", 12);
	len = query_answer_image(&renv, &qi, resp, n, sizeof(resp), WIRE_EDE_NONE, NULL, &st);
	CHECK_EQ(len, n + 11);
	CHECK(!WIRE_TC(rflags()));
	CHECK_EQ(rcount(1), 1);
	CHECK_EQ(rcount(3), 1);
	CHECK(resp_edns(len).present && resp_edns(len).udp_size == 1232 &&
	      !resp_edns(len).do_bit);
	/* The DO bit echoed in the OPT written without the builder. */
	qi.do_bit = true;
	wire_put_u16(resp + 10, 0);
	len = query_answer_image(&renv, &qi, resp, n, sizeof(resp), WIRE_EDE_NONE, NULL, &st);
	CHECK(len == n + 11 && resp_edns(len).do_bit);
	/* Without EDNS, truncated: no record left behind any count (ARCOUNT too). */
	qi.edns = false;
	qi.do_bit = false;
	qi.limit = 512;
	wire_put_u16(resp + 2, WIRE_FLAG_QR | WIRE_FLAG_RA);
	wire_put_u16(resp + 6, 1);
	wire_put_u16(resp + 10, 1);
	len = query_answer_image(&renv, &qi, resp, n, sizeof(resp), WIRE_EDE_NONE, NULL, &st);
	CHECK(len == 12 + (size_t)qi.q_len && WIRE_TC(rflags()));
	CHECK(rcount(1) == 0 && rcount(2) == 0 && rcount(3) == 0);
}

/* RFC 6840 §5.7/5.8: a secure image's AD reaches clients that sent DO or AD only. */
static void test_ad_only_for_clients_that_ask(void)
{
	struct query_env renv = env;
	struct query_info qi;
	struct pk q;
	size_t len, n;

	renv.recursion = true;
	for (int kind = 0; kind < 3; kind++) {
		pk_query(&q, "sec.example.", WIRE_TYPE_A);
		if (kind == 1) {
			wire_put_u16(q.b + 10, 1);
			pk_opt(&q, 1232, 0, 0, WIRE_EDNS_FLAG_DO, NULL, 0);
		}
		if (kind == 2)
			wire_put_u16(q.b + 2, wire_get_u16(q.b + 2) | WIRE_FLAG_AD);
		query_process(&renv, q.b, q.len, resp, sizeof(resp), &st, &len, &qi);
		memset(resp, 0, 12);
		wire_put_u16(resp, qi.id);
		wire_put_u16(resp + 2, WIRE_FLAG_QR | WIRE_FLAG_RA | WIRE_FLAG_AD);
		wire_put_u16(resp + 4, 1);
		memcpy(resp + 12, q.b + qi.q_off, qi.q_len);
		n = 12 + qi.q_len;
		len = query_answer_image(&renv, &qi, resp, n, sizeof(resp), WIRE_EDE_NONE, NULL,
					 &st);
		CHECK(len >= n);
		CHECK_EQ(WIRE_AD(rflags()), kind != 0);
	}
}

static void test_servfail_carries_the_question_and_ede(void)
{
	struct query_env renv = env;
	struct query_info qi;
	struct wire_edns e;
	struct pk q;
	size_t len;

	renv.recursion = true;
	pk_query(&q, "Lame.Example.", WIRE_TYPE_A);
	wire_put_u16(q.b + 10, 1);
	pk_opt(&q, 1232, 0, 0, 0, NULL, 0);
	query_process(&renv, q.b, q.len, resp, sizeof(resp), &st, &len, &qi);
	len = query_answer_error(&renv, &qi, WIRE_RCODE_SERVFAIL, resp, sizeof(resp),
				 WIRE_EDE_NO_REACHABLE_AUTHORITY, "no server answered", &st);
	CHECK(len > 0);
	CHECK_EQ(WIRE_RCODE(rflags()), WIRE_RCODE_SERVFAIL);
	CHECK_MEM(resp + 12, q.b + 12, qi.q_len);
	e = resp_edns(len);
	CHECK(e.present && e.has_ede);
	CHECK_EQ(e.ede_code, WIRE_EDE_NO_REACHABLE_AUTHORITY);
	CHECK_EQ(e.ede_text_len, 18);
}

static void test_tcp_query_is_not_truncated_to_the_udp_size(void)
{
	struct query_info qi;
	struct pk q;
	size_t len;

	pk_query(&q, "big.local.test.", WIRE_TYPE_TXT);
	CHECK_EQ(query_process_stream(&env, q.b, q.len, resp, sizeof(resp), &st, &len, &qi),
		 QUERY_REPLY);
	CHECK(len > 1000);
	CHECK(!WIRE_TC(rflags()));
	CHECK_EQ(rcount(1), 1);
}

int main(void)
{
	setup();
	RUN(test_local_a_answer_is_authoritative_with_question_case_kept);
	RUN(test_edns_is_echoed_with_our_size_and_do_bit);
	RUN(test_no_edns_in_query_means_no_opt_in_answer);
	RUN(test_big_answer_without_edns_is_truncated_to_512);
	RUN(test_big_answer_fits_with_edns_and_keeps_opt_when_truncated);
	RUN(test_response_with_qr_set_is_dropped);
	RUN(test_short_message_is_dropped_and_counted);
	RUN(test_qdcount_zero_and_two_give_formerr);
	RUN(test_compression_loop_in_question_gives_formerr);
	RUN(test_notify_opcode_gives_notimp);
	RUN(test_edns_version_1_gives_badvers);
	RUN(test_name_outside_local_data_is_refused);
	RUN(test_nxdomain_and_nodata_carry_the_soa_with_negative_ttl);
	RUN(test_counters_count_queries_and_rcodes);
	RUN(test_recursion_on_sends_unknown_names_to_the_resolver);
	RUN(test_small_buffer_grows_instead_of_truncating);
	RUN(test_fast_path_takes_common_queries_as_query_process_would);
	RUN(test_cached_image_gets_client_flags_opt_or_tc);
	RUN(test_servfail_carries_the_question_and_ede);
	RUN(test_ad_only_for_clients_that_ask);
	RUN(test_tcp_query_is_not_truncated_to_the_udp_size);
	local_db_free(db);
	TEST_EXIT();
}
