/*
 * test_anchors.c - the validator's settings as anchors_build() hands them to the chain
 * of trust: the config's DNSSEC options must reach the policy that judges keys, or an
 * option is read and has no effect.
 */
#include <stdio.h>
#include <string.h>

#include "anchors.h"
#include "config.h"
#include "unit_check.h"
#include "validate.h"

static struct config cfg;
static struct anchors anchors;
static char err[512];

#define PORT_OK "port:\n name: wire\n device: net_null0\n"

/* The RFC 5155 appendix A zone's KSK: RSA/SHA-1-NSEC3 (7), a 512-bit modulus. */
#define KSK_5155 "example. DNSKEY 257 3 7 AwEAAcUlFV1vhmqx6NSOUOq2R/dsR7Xm3upJ " \
		 "j7IommWSpJABVfW8Q0rOvXdM6kzt+TAu92L9 AbsUdblMFin8CVF3n4s="

static int build(const char *text)
{
	if (config_load_string(text, strlen(text), "t.conf", &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "config: %s\n", err);
		return -1;
	}
	return anchors_build(&anchors, &cfg, NULL, 0, NULL, 0, err, sizeof(err));
}

/* Whether the first trust anchor's key may verify under the policy built. */
static enum validate_status anchor_key_usable(void)
{
	const struct validate_anchor *a = &anchors.conf.anchors[0];
	struct validate_key k;

	memset(&k, 0, sizeof(k));
	if (anchors.conf.n_anchors == 0 ||
	    validate_key_parse(a->rdata, a->rdlen, &k) != 0)
		return VALIDATE_BAD_KEY;
	enum validate_status st = validate_key_usable(&k, a->rdata[3], &anchors.conf.policy);
	validate_key_clear(&k);
	return st;
}

/* The Deckard NSEC3 scenarios sign with this 512-bit key: under the default floor
 * it is unsupported (their answers were insecure, so incomplete proofs passed
 * unchecked), and dnssec-rsa-min-bits: 512 makes it a key that validates. */
static void test_rsa_min_bits_reaches_the_key_policy(void)
{
	CHECK_INT(build("server:\n    dnssec-sha1: yes\n    trust-anchor: \"" KSK_5155 "\"\n"
			PORT_OK), 0);
	CHECK_INT(anchors.conf.policy.rsa_min_bits, 1024);
	CHECK_INT(anchor_key_usable(), VALIDATE_UNSUPPORTED_KEY);
	config_free(&cfg);

	CHECK_INT(build("server:\n    dnssec-sha1: yes\n    dnssec-rsa-min-bits: 512\n"
			"    trust-anchor: \"" KSK_5155 "\"\n" PORT_OK), 0);
	CHECK_INT(anchors.conf.policy.rsa_min_bits, 512);
	CHECK_INT(anchor_key_usable(), VALIDATE_OK);
	config_free(&cfg);

	/* The floor does not lift the SHA-1 policy. */
	CHECK_INT(build("server:\n    dnssec-rsa-min-bits: 512\n"
			"    trust-anchor: \"" KSK_5155 "\"\n" PORT_OK), 0);
	CHECK_INT(anchor_key_usable(), VALIDATE_UNSUPPORTED_ALGORITHM);
	config_free(&cfg);
}

static void test_dnssec_options_reach_the_chain_conf(void)
{
	CHECK_INT(build("server:\n    dnssec-sha1: yes\n    val-clock-skew: 60\n"
			"    nsec3-iterations: 50\n    nsec3-iterations-cap: 100\n" PORT_OK), 0);
	CHECK(anchors.conf.policy.sha1_algorithms);
	CHECK(anchors.conf.policy.sha1_ds);
	CHECK_INT(anchors.conf.skew, 60);
	CHECK_INT(anchors.conf.nsec3_insecure_above, 50);
	CHECK_INT(anchors.conf.nsec3_bogus_above, 100);
	config_free(&cfg);
}

#define DS_ROOT_A ". DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"
#define DS_ROOT_B ". DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16"
#define DS_OTHER "example. DS 1234 13 2 0000000000000000000000000000000000000000000000000000000000000000"

/* A copy owns its RDATA (the config and the source may go), and replacing one zone's
 * anchors keeps every other anchor, NTA and setting: what the workers get from a
 * reload or from RFC 5011 must be the whole conf, not a part of it. */
static void test_copy_and_set_zone_keep_the_rest(void)
{
	static struct anchors copy, next;
	struct validate_anchor repl;
	static const uint8_t root[1] = { 0 };

	CHECK_INT(build("server:\n    trust-anchor: \"" DS_ROOT_A "\"\n"
			"    trust-anchor: \"" DS_OTHER "\"\n"
			"    negative-trust-anchor: bad.example 600\n"
			"    val-clock-skew: 77\n" PORT_OK), 0);
	anchors_copy(&copy, &anchors);
	config_free(&cfg);
	memset(&anchors, 0xA5, sizeof(anchors)); /* the source is gone */
	CHECK_INT(copy.conf.n_anchors, 2);
	CHECK(copy.conf.anchors[0].rdata >= copy.rdata &&
	      copy.conf.anchors[1].rdata < copy.rdata + sizeof(copy.rdata));
	CHECK_INT(copy.conf.anchors[0].rdata[0] * 256 + copy.conf.anchors[0].rdata[1], 20326);
	CHECK_INT(copy.conf.n_ntas, 1);
	CHECK_INT(copy.conf.skew, 77);

	CHECK_INT(build("server:\n    trust-anchor: \"" DS_ROOT_B "\"\n" PORT_OK), 0);
	repl = anchors.conf.anchors[0];
	CHECK_INT(anchors_set_zone(&next, &copy, root, 1, &repl, 1), 0);
	config_free(&cfg);
	CHECK_INT(next.conf.n_anchors, 2);
	for (unsigned i = 0; i < next.conf.n_anchors; i++) {
		const struct validate_anchor *a = &next.conf.anchors[i];
		unsigned tag = a->rdata[0] * 256u + a->rdata[1];

		CHECK(a->rdata >= next.rdata && a->rdata < next.rdata + sizeof(next.rdata));
		CHECK(a->owner_len == 1 ? tag == 38696 : tag == 1234);
	}
	CHECK_INT(next.conf.n_ntas, 1);
	CHECK_INT(next.conf.skew, 77);
}

/* Run-time NTAs: add renews in place, del removes only the one named (any case). */
static void test_nta_add_renew_del(void)
{
	static const uint8_t a[] = "\3bad\7example", b[] = "\5other\4test", A[] = "\3BAD\7EXAMPLE";

	CHECK_INT(build("server:\n" PORT_OK), 0);
	config_free(&cfg);
	CHECK_INT(anchors_nta_add(&anchors, a, sizeof(a), 100), 0);
	CHECK_INT(anchors_nta_add(&anchors, b, sizeof(b), 0), 0);
	CHECK_INT(anchors_nta_add(&anchors, A, sizeof(A), 200), 0);  /* renewed, not added */
	CHECK_INT(anchors.conf.n_ntas, 2);
	CHECK_INT(anchors.conf.ntas[anchors_nta_find(&anchors, a, sizeof(a))].expires, 200);
	CHECK_INT(anchors_nta_del(&anchors, A, sizeof(A)), 0);
	CHECK_INT(anchors_nta_find(&anchors, a, sizeof(a)), -1);
	CHECK_INT(anchors_nta_find(&anchors, b, sizeof(b)), 0);
	CHECK_INT(anchors_nta_del(&anchors, a, sizeof(a)), -1);
	for (unsigned i = 1; i < VALIDATE_CHAIN_NTAS_MAX; i++) {
		uint8_t n[8] = { 2, 'n', (uint8_t)('a' + i % 26), 2, 'x', (uint8_t)('a' + i / 26), 0 };

		CHECK_INT(anchors_nta_add(&anchors, n, 7, 0), 0);
	}
	CHECK_INT(anchors_nta_add(&anchors, a, sizeof(a), 0), -1);   /* full */
}

int main(void)
{
	RUN(test_rsa_min_bits_reaches_the_key_policy);
	RUN(test_dnssec_options_reach_the_chain_conf);
	RUN(test_copy_and_set_zone_keep_the_rest);
	RUN(test_nta_add_renew_del);
	validate_thread_cleanup();
	return unit_check_exit() || unit_failures != 0;
}
