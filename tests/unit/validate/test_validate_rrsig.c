/*
 * test_validate_rrsig.c - the checks before any crypto (RFC 4035 §5.3.1): RRSIG RDATA
 * parsing, fit with the RRset, the validity window in serial arithmetic with clock
 * skew (RFC 4034 §3.1.5), the TTL cap (RFC 4035 §5.3.3), and key matching (signer,
 * algorithm, tag, ZONE and REVOKE flags, protocol).
 */
#include "validate_test.h"

static struct validate_rrsig sig_with_times(uint32_t inception, uint32_t expiration)
{
	struct validate_rrsig s = { .type_covered = WIRE_TYPE_A, .orig_ttl = 3600,
				    .inception = inception, .expiration = expiration };
	return s;
}

static void test_time_window_with_skew(void)
{
	struct validate_rrsig s = sig_with_times(1000, 2000);

	CHECK_STATUS(validate_rrsig_time(&s, 1500, 0), VALIDATE_OK);
	CHECK_STATUS(validate_rrsig_time(&s, 1000, 0), VALIDATE_OK);
	CHECK_STATUS(validate_rrsig_time(&s, 2000, 0), VALIDATE_OK);
	CHECK_STATUS(validate_rrsig_time(&s, 999, 0), VALIDATE_SIG_NOT_YET_VALID);
	CHECK_STATUS(validate_rrsig_time(&s, 2001, 0), VALIDATE_SIG_EXPIRED);
	CHECK_STATUS(validate_rrsig_time(&s, 900, 100), VALIDATE_OK);
	CHECK_STATUS(validate_rrsig_time(&s, 899, 100), VALIDATE_SIG_NOT_YET_VALID);
	CHECK_STATUS(validate_rrsig_time(&s, 2100, 100), VALIDATE_OK);
	CHECK_STATUS(validate_rrsig_time(&s, 2101, 100), VALIDATE_SIG_EXPIRED);
	CHECK_INT(validate_status_ede(VALIDATE_SIG_EXPIRED), 7);
	CHECK_INT(validate_status_ede(VALIDATE_SIG_NOT_YET_VALID), 8);
}

/* RFC 1982 arithmetic: a window across 2^32 (2106) works; one whose expiration is
 * before its inception is refused whatever the time. */
static void test_time_serial_wraparound(void)
{
	struct validate_rrsig s = sig_with_times(0xffffff00u, 0x00000100u);

	CHECK_STATUS(validate_rrsig_time(&s, 0xffffffffu, 0), VALIDATE_OK);
	CHECK_STATUS(validate_rrsig_time(&s, 0x10, 0), VALIDATE_OK);
	CHECK_STATUS(validate_rrsig_time(&s, 0x101, 0), VALIDATE_SIG_EXPIRED);
	CHECK_STATUS(validate_rrsig_time(&s, 0xfffffe00u, 0), VALIDATE_SIG_NOT_YET_VALID);
	s = sig_with_times(2000, 1000);
	CHECK_STATUS(validate_rrsig_time(&s, 1500, 0), VALIDATE_BAD_RRSIG);
	CHECK_STATUS(validate_rrsig_time(&s, 1500, 5000), VALIDATE_BAD_RRSIG);
}

static void test_ttl_capped_by_original_ttl_and_expiry(void)
{
	struct validate_rrsig s = sig_with_times(1000, 10000);

	CHECK_INT(validate_rrsig_ttl(&s, 300, 2000), 300);
	CHECK_INT(validate_rrsig_ttl(&s, 86400, 2000), 3600);   /* original TTL */
	CHECK_INT(validate_rrsig_ttl(&s, 86400, 9000), 1000);   /* until expiration */
	CHECK_INT(validate_rrsig_ttl(&s, 86400, 10000), 0);
	CHECK_INT(validate_rrsig_ttl(&s, 86400, 10001), 0);
}

static void test_rrsig_parse_rejects_malformed(void)
{
	static struct t_rr rr;
	struct validate_rrsig s;

	t_parse("x. 1 IN RRSIG A 13 2 3600 20300101000000 20000101000000 4660 example. QUJD", &rr);
	CHECK_INT(validate_rrsig_parse(rr.rdata, rr.rdlen, &s), 0);
	CHECK_INT(s.type_covered, WIRE_TYPE_A);
	CHECK_INT(s.algorithm, 13);
	CHECK_INT(s.labels, 2);
	CHECK_INT(s.orig_ttl, 3600);
	CHECK_INT(s.expiration, 1893456000);
	CHECK_INT(s.inception, 946684800);
	CHECK_INT(s.key_tag, 4660);
	CHECK_INT(s.signer_len, 9);
	CHECK_INT(s.sig_len, 3);
	CHECK_INT(s.prefix_len, 27);
	CHECK_INT(validate_rrsig_parse(rr.rdata, 27, &s), -EINVAL);  /* no signature */
	CHECK_INT(validate_rrsig_parse(rr.rdata, 18, &s), -EINVAL);
	rr.rdata[18] = 0xc0;                                          /* compressed signer */
	CHECK_INT(validate_rrsig_parse(rr.rdata, rr.rdlen, &s), -EINVAL);
}

static void test_rrsig_check_type_labels_and_zone(void)
{
	static struct t_rr rr;
	static struct t_set s;
	static const char *const a[] = { "www.example. 1 IN A 192.0.2.1" };
	static const char *const other[] = { "www.other. 1 IN A 192.0.2.1" };
	struct validate_rrsig sig;

	t_parse("x. 1 IN RRSIG A 13 2 3600 20300101000000 20000101000000 4660 Example. QUJD", &rr);
	CHECK_INT(validate_rrsig_parse(rr.rdata, rr.rdlen, &sig), 0);
	t_set_lines(&s, a, 1);
	CHECK_STATUS(validate_rrsig_check(&sig, &s.view), VALIDATE_OK);
	s.view.type = WIRE_TYPE_AAAA;
	CHECK_STATUS(validate_rrsig_check(&sig, &s.view), VALIDATE_BAD_RRSIG);
	t_set_lines(&s, other, 1);
	CHECK_STATUS(validate_rrsig_check(&sig, &s.view), VALIDATE_BAD_RRSIG);
	t_set_lines(&s, a, 1);
	sig.labels = 3;
	CHECK_STATUS(validate_rrsig_check(&sig, &s.view), VALIDATE_BAD_RRSIG);
}

/* ---- Key matching ---------------------------------------------------------------------- */

static const char KEY[] = "example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTm"
	"eexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==";

static enum validate_status match(const char *key_line, const char *sig_line, unsigned flags)
{
	static struct t_rr key_rr, sig_rr;
	struct validate_key key;
	struct validate_rrsig sig;
	struct validate_policy pol;
	enum validate_status st;

	validate_policy_default(&pol);
	t_parse(key_line, &key_rr);
	t_parse(sig_line, &sig_rr);
	if (validate_key_parse(key_rr.rdata, key_rr.rdlen, &key) != 0 ||
	    validate_rrsig_parse(sig_rr.rdata, sig_rr.rdlen, &sig) != 0)
		t_die("match", sig_line);
	st = validate_rrsig_match_key(&sig, key_rr.owner, key_rr.owner_len, &key, &pol, flags);
	validate_key_clear(&key);
	return st;
}

static void test_match_signer_algorithm_tag(void)
{
	CHECK_STATUS(match(KEY, "www.example.net. 1 IN RRSIG A 13 3 3600 20300101000000 "
			   "20000101000000 55648 EXAMPLE.net. QUJD", 0), VALIDATE_OK);
	CHECK_STATUS(match(KEY, "www.example.net. 1 IN RRSIG A 13 3 3600 20300101000000 "
			   "20000101000000 55648 other.net. QUJD", 0), VALIDATE_KEY_MISMATCH);
	CHECK_STATUS(match(KEY, "www.example.net. 1 IN RRSIG A 13 3 3600 20300101000000 "
			   "20000101000000 55649 example.net. QUJD", 0), VALIDATE_KEY_MISMATCH);
	CHECK_STATUS(match(KEY, "www.example.net. 1 IN RRSIG A 14 3 3600 20300101000000 "
			   "20000101000000 55648 example.net. QUJD", 0), VALIDATE_KEY_MISMATCH);
}

/* A key without the ZONE flag never verifies RRSIGs; a revoked key only its own DNSKEY
 * self-signature, and only when the caller (RFC 5011) asks for it; protocol must be 3.
 * Each variant has its own key tag, so the RRSIG carries that tag. */
static void test_match_flags_zone_revoke_protocol(void)
{
	static const char *flags_line = "example.net. 3600 IN DNSKEY %u %u 13 GojIhhXUN/u4v54ZQq"
		"GSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==";
	static char key[256], sig[256];
	static struct t_rr rr;
	const struct { unsigned flags, proto; const char *covered; unsigned match_flags;
		       enum validate_status want; } cases[] = {
		{ 256, 3, "A", 0, VALIDATE_OK },
		{ 1, 3, "A", 0, VALIDATE_KEY_MISMATCH },            /* no ZONE */
		{ 385, 3, "A", 0, VALIDATE_KEY_MISMATCH },          /* REVOKE */
		{ 385, 3, "DNSKEY", 0, VALIDATE_KEY_MISMATCH },
		{ 385, 3, "A", VALIDATE_MATCH_ALLOW_REVOKED, VALIDATE_KEY_MISMATCH },
		{ 385, 3, "DNSKEY", VALIDATE_MATCH_ALLOW_REVOKED, VALIDATE_OK },
		{ 257, 2, "A", 0, VALIDATE_BAD_KEY },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(key, sizeof(key), flags_line, cases[i].flags, cases[i].proto);
		t_parse(key, &rr);
		snprintf(sig, sizeof(sig), "example.net. 1 IN RRSIG %s 13 2 3600 20300101000000 "
			 "20000101000000 %u example.net. QUJD", cases[i].covered,
			 validate_key_tag(rr.rdata, rr.rdlen));
		CHECK_STATUS(match(key, sig, cases[i].match_flags), cases[i].want);
	}
}

static void test_status_table_complete(void)
{
	for (int s = 0; s < VALIDATE_STATUS_COUNT; s++) {
		CHECK(strcmp(validate_status_name((enum validate_status)s), "invalid") != 0);
		CHECK((validate_status_ede((enum validate_status)s) == 0) ==
		      (s == VALIDATE_OK || s == VALIDATE_PENDING));
	}
	CHECK_STR(validate_status_name(VALIDATE_STATUS_COUNT), "invalid");
	CHECK_INT(validate_status_ede(VALIDATE_BOGUS_SIGNATURE), 6);
}

int main(void)
{
	RUN(test_time_window_with_skew);
	RUN(test_time_serial_wraparound);
	RUN(test_ttl_capped_by_original_ttl_and_expiry);
	RUN(test_rrsig_parse_rejects_malformed);
	RUN(test_rrsig_check_type_labels_and_zone);
	RUN(test_match_signer_algorithm_tag);
	RUN(test_match_flags_zone_revoke_protocol);
	RUN(test_status_table_complete);
	validate_thread_cleanup();
	return unit_check_exit();
}
