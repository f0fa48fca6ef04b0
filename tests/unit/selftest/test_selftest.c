/*
 * test_selftest.c - the self-test's judges (control/selftest.c): for each check, the
 * OK detail and every FAIL reason, from answers as a worker would give them.
 */
#include <errno.h>
#include <string.h>

#include "selftest.h"
#include "unit_check.h"

static char out[SELFTEST_DETAIL_MAX];

#define CHECK_HAS(text, part) do { \
	if (strstr((text), (part)) == NULL) { \
		unit_failures++; \
		fprintf(stderr, "%s:%d: %s: \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, \
			__func__, (text), (part)); \
	} \
} while (0)

static const struct config_selftest_name unset = { .name = "" };
static const struct config_selftest_name large = { .name = "big.ecdsa.test", .type = 16 };
static const struct config_selftest_name tcp = { .name = "www.tc.insecure.test", .type = 1 };
static const struct config_selftest_name good = { .name = "www.rsa.test", .type = 1 };
static const struct config_selftest_name bogus = { .name = "www.expired.test", .type = 6 };

/* An answer as ctlq gives it: NOERROR, no EDE, nothing about the path yet. */
static struct selftest_answer answer(uint8_t rcode)
{
	struct selftest_answer a = { .rcode = rcode, .ede = -1 };

	return a;
}

static struct selftest_answer failed(int err)
{
	struct selftest_answer a = { .err = err, .ede = -1 };

	return a;
}

static void test_anchor_needs_validation_and_a_root_anchor(void)
{
	static const uint8_t ds[] = { 0x4f, 0x66, 8, 2, 0xaa };      /* tag 20326 */
	/* flags 257, protocol 3, algorithm 8, key 01 02: tag 0x0101 + 0x0308 + 0x0102 */
	static const uint8_t key[] = { 0x01, 0x01, 3, 8, 0x01, 0x02 };
	static struct validate_chain_conf conf;

	CHECK(!selftest_judge_anchor(NULL, false, NULL, out, sizeof(out)));
	CHECK_HAS(out, "validation is off: set dnssec-validation: yes");
	CHECK(!selftest_judge_anchor(NULL, true, NULL, out, sizeof(out)));
	CHECK_HAS(out, "validation is off: no trust anchor was loaded");

	conf.n_anchors = 1;
	memcpy(conf.anchors[0].owner, "\3lab\0", 5);
	conf.anchors[0].owner_len = 5;
	conf.anchors[0].type = 43;
	conf.anchors[0].rdata = ds;
	conf.anchors[0].rdlen = sizeof(ds);
	CHECK(!selftest_judge_anchor(&conf, true, NULL, out, sizeof(out)));
	CHECK_STR(out, "no trust anchor for the root (1 for other zones): add the root's DS "
		  "records (conf/root.ds)");

	conf.anchors[0].owner[0] = 0;
	conf.anchors[0].owner_len = 1;
	conf.anchors[1] = conf.anchors[0];
	conf.anchors[1].type = 48;
	conf.anchors[1].rdata = key;
	conf.anchors[1].rdlen = sizeof(key);
	conf.n_anchors = 2;
	CHECK(selftest_judge_anchor(&conf, true, NULL, out, sizeof(out)));
	CHECK_STR(out, "validation on, 2 root anchors: DS 20326 DNSKEY 1291");
}

/* With RFC 5011 on, the anchors alone are not enough: a root key must be Valid. */
static void test_anchor_with_rfc5011_needs_a_valid_key(void)
{
	static const uint8_t ds[] = { 0x4f, 0x66, 8, 2, 0xaa };
	static struct validate_chain_conf conf;
	static struct rfc5011_point tp;

	conf.n_anchors = 1;
	conf.anchors[0].owner_len = 1;
	conf.anchors[0].type = 43;
	conf.anchors[0].rdata = ds;
	conf.anchors[0].rdlen = sizeof(ds);

	tp.n_ds = 2;
	CHECK(!selftest_judge_anchor(&conf, true, &tp, out, sizeof(out)));
	CHECK_HAS(out, "RFC 5011: no root key valid yet (2 initial DS, no validated refresh)");

	tp.n_keys = 2;
	tp.keys[0].tag = 38696;
	tp.keys[0].state = RFC5011_ADDPEND;
	tp.keys[1].tag = 20326;
	tp.keys[1].state = RFC5011_REVOKED;
	CHECK(!selftest_judge_anchor(&conf, true, &tp, out, sizeof(out)));
	CHECK_HAS(out, "RFC 5011: no root key valid: 38696 addpend 20326 revoked");

	tp.keys[0].state = RFC5011_VALID;
	CHECK(selftest_judge_anchor(&conf, true, &tp, out, sizeof(out)));
	CHECK_STR(out, "validation on, RFC 5011 root keys: 38696 valid 20326 revoked");

	/* Missing: absent from the last refresh, still trusted */
	tp.keys[0].state = RFC5011_MISSING;
	CHECK(selftest_judge_anchor(&conf, true, &tp, out, sizeof(out)));
	CHECK_HAS(out, "38696 missing");
}

static void test_large_ok_over_fragmented_udp(void)
{
	struct selftest_answer a = answer(0);

	a.fragmented = true;
	a.udp = true;       /* the referrals came in one piece */
	a.udp_max = 3989;
	a.size = 3989;
	CHECK(selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
	CHECK_STR(out, "big.ecdsa.test TXT: 3,989 bytes over fragmented UDP "
		  "(edns-buffer-size 4096)");
}

static void test_large_over_tcp_names_the_edns_size_or_the_path(void)
{
	struct selftest_answer a = answer(0);

	a.udp = true;
	a.tcp = true;
	a.udp_max = 1100;
	a.size = 4012;
	CHECK(!selftest_judge_large(&large, 1232, &a, out, sizeof(out)));
	CHECK_STR(out, "big.ecdsa.test TXT: the answer of 4,012 bytes came over TCP: "
		  "edns-buffer-size 1232 is below it (raise it to 4096)");
	CHECK(!selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
	CHECK_HAS(out, "came over TCP although edns-buffer-size is 4096: IP fragments are "
		  "dropped on the path");
	/* fragments seen and then TCP (a retry): still not the fragmented path */
	a.fragmented = true;
	CHECK(!selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
}

static void test_large_fails_without_a_large_fragmented_answer(void)
{
	struct selftest_answer a = answer(0);

	CHECK(!selftest_judge_large(&unset, 4096, &a, out, sizeof(out)));
	CHECK_HAS(out, "not configured: set selftest-large-name");

	CHECK(!selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
	CHECK_HAS(out, "answered without asking its servers (local data)");

	a.udp = true;
	a.udp_max = 1400;
	CHECK(!selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
	CHECK_HAS(out, "the UDP answer of 1,400 bytes is too small");

	a.fragmented = true;
	CHECK(!selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
	CHECK_HAS(out, "too small");

	a.fragmented = false;
	a.udp_max = 4000;
	CHECK(!selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
	CHECK_HAS(out, "came in one datagram (path MTU above it)");

	a = failed(-ETIMEDOUT);
	CHECK(!selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
	CHECK_STR(out, "big.ecdsa.test TXT: no answer within 8 s: IP fragments dropped on "
		  "the path, and TCP too?");

	/* no server answered: what dropped fragments look like */
	a = answer(2);
	a.ede = 23;
	CHECK(!selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
	CHECK_STR(out, "big.ecdsa.test TXT: SERVFAIL (EDE 23): its servers' answers never "
		  "arrived: are IP fragments dropped on the path? (let them through)");
	a.ede = 22;
	CHECK(!selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
	CHECK_HAS(out, "SERVFAIL (EDE 22): its servers' answers never arrived");

	a.ede = 6;
	CHECK(!selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
	CHECK_HAS(out, "big.ecdsa.test TXT: SERVFAIL (EDE 6): the name does not resolve");

	a = failed(-ENOTSUP);
	CHECK(!selftest_judge_large(&large, 4096, &a, out, sizeof(out)));
	CHECK_HAS(out, "cannot ask a worker: the self-test needs recursion");
}

static void test_tcp_needs_an_answer_over_tcp(void)
{
	struct selftest_answer a = answer(0);

	a.udp = true;
	a.tcp = true;
	a.size = 66;
	CHECK(selftest_judge_tcp(&tcp, &a, out, sizeof(out)));
	CHECK_STR(out, "www.tc.insecure.test A: NOERROR over TCP after TC=1 (66 bytes)");

	a.tcp = false;
	CHECK(!selftest_judge_tcp(&tcp, &a, out, sizeof(out)));
	CHECK_HAS(out, "answered over UDP (66 bytes), not TCP");

	a.rcode = 2;
	a.ede = 22;
	CHECK(!selftest_judge_tcp(&tcp, &a, out, sizeof(out)));
	CHECK_STR(out, "www.tc.insecure.test A: SERVFAIL (EDE 22) without an answer over "
		  "TCP: is TCP port 53 to its servers blocked?");

	a.tcp = true;
	CHECK(!selftest_judge_tcp(&tcp, &a, out, sizeof(out)));
	CHECK_HAS(out, "after an answer over TCP");

	a = failed(-ETIMEDOUT);
	CHECK(!selftest_judge_tcp(&tcp, &a, out, sizeof(out)));
	CHECK_HAS(out, "no answer within 8 s: is TCP port 53 to its servers blocked?");

	CHECK(!selftest_judge_tcp(&unset, &a, out, sizeof(out)));
	CHECK_HAS(out, "not configured: set selftest-tcp-name");
}

static void test_good_name_needs_ad(void)
{
	struct selftest_answer a = answer(0);

	a.udp = true;
	a.ad = true;
	CHECK(selftest_judge_good(&good, &a, out, sizeof(out)));
	CHECK_STR(out, "www.rsa.test A: NOERROR, AD=1 (validated)");

	a.ad = false;
	CHECK(!selftest_judge_good(&good, &a, out, sizeof(out)));
	CHECK_HAS(out, "NOERROR without AD: not validated");

	a.rcode = 2;
	a.ede = 7;
	CHECK(!selftest_judge_good(&good, &a, out, sizeof(out)));
	CHECK_HAS(out, "www.rsa.test A: SERVFAIL (EDE 7): a name that should validate does "
		  "not");

	a.rcode = 3;
	a.ede = -1;
	CHECK(!selftest_judge_good(&good, &a, out, sizeof(out)));
	CHECK_HAS(out, "NXDOMAIN: selftest-good-name must be a name that exists");

	a = failed(-ETIMEDOUT);
	CHECK(!selftest_judge_good(&good, &a, out, sizeof(out)));
	CHECK_STR(out, "www.rsa.test A: no answer within 8 s");
}

static void test_bogus_name_needs_servfail_and_data_with_cd(void)
{
	struct selftest_answer a = answer(2), cd = answer(0);

	a.ede = 7;
	cd.ancount = 1;
	CHECK(selftest_judge_bogus(&bogus, &a, &cd, out, sizeof(out)));
	CHECK_STR(out, "www.expired.test SOA: SERVFAIL (EDE 7) with CD=0, data with CD=1: "
		  "rejected by validation");

	cd.ancount = 0;
	CHECK(!selftest_judge_bogus(&bogus, &a, &cd, out, sizeof(out)));
	CHECK_HAS(out, "SERVFAIL, and no data with CD=1 either (NOERROR)");

	cd = answer(2);
	cd.ede = 22;
	CHECK(!selftest_judge_bogus(&bogus, &a, &cd, out, sizeof(out)));
	CHECK_HAS(out, "(SERVFAIL (EDE 22)): unreachable, so the SERVFAIL proves nothing");

	cd = failed(-ETIMEDOUT);
	CHECK(!selftest_judge_bogus(&bogus, &a, &cd, out, sizeof(out)));
	CHECK_HAS(out, "(no answer)");

	a = answer(0);
	CHECK(!selftest_judge_bogus(&bogus, &a, &cd, out, sizeof(out)));
	CHECK_STR(out, "www.expired.test SOA: NOERROR (AD=0) with CD=0: a known-bogus name "
		  "was accepted (validation off, or a negative trust anchor above it?)");

	CHECK(!selftest_judge_bogus(&unset, &a, &cd, out, sizeof(out)));
	CHECK_HAS(out, "not configured: set selftest-bogus-name");
}

static void test_lines_and_summary(void)
{
	struct selftest_tally t = { 0 };
	char line[256];

	CHECK(selftest_line(&t, SELFTEST_ANCHOR, true, "fine", line, sizeof(line)));
	CHECK_STR(line, "OK trust-anchor: fine");
	selftest_summary(&t, line, sizeof(line));
	CHECK_STR(line, "selftest: all 1 checks OK");
	CHECK(!selftest_line(&t, SELFTEST_LARGE, false, "why", line, sizeof(line)));
	CHECK_STR(line, "FAIL fragmented-udp: why");
	CHECK(!selftest_line(&t, SELFTEST_BOGUS, false, "why", line, sizeof(line)));
	CHECK(selftest_line(&t, SELFTEST_GOOD, true, "ok", line, sizeof(line)));
	selftest_summary(&t, line, sizeof(line));
	CHECK_STR(line, "selftest: 2 of 4 checks FAILED: fragmented-udp bogus-name");
	CHECK_STR(selftest_check_name(SELFTEST_TCP), "tcp-fallback");
	/* a cut line stays a C string */
	CHECK(!selftest_line(&t, SELFTEST_TCP, false, "a long reason", line, 10));
	CHECK_STR(line, "FAIL tcp-");
}

int main(void)
{
	RUN(test_anchor_needs_validation_and_a_root_anchor);
	RUN(test_anchor_with_rfc5011_needs_a_valid_key);
	RUN(test_large_ok_over_fragmented_udp);
	RUN(test_large_over_tcp_names_the_edns_size_or_the_path);
	RUN(test_large_fails_without_a_large_fragmented_answer);
	RUN(test_tcp_needs_an_answer_over_tcp);
	RUN(test_good_name_needs_ad);
	RUN(test_bogus_name_needs_servfail_and_data_with_cd);
	RUN(test_lines_and_summary);
	return unit_check_exit() || unit_failures != 0;
}
