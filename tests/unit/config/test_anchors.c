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

int main(void)
{
	RUN(test_rsa_min_bits_reaches_the_key_policy);
	RUN(test_dnssec_options_reach_the_chain_conf);
	validate_thread_cleanup();
	return unit_check_exit() || unit_failures != 0;
}
