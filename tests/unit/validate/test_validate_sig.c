/*
 * test_validate_sig.c - signature verification against published vectors: RFC 4034
 * key tags, RFC 5702 (RSA/SHA-256, RSA/SHA-512), RFC 6605 (ECDSA P-256, P-384),
 * RFC 8080 with erratum 4935 (Ed25519, Ed448), and Unbound's test_sigs files
 * (shared/scenarios). Each goes through the batch engine as the chain of trust will.
 * A corrupted copy of each vector must fail, so a verifier that says yes to anything
 * fails here.
 */
#include "validate_test.h"

/* ---- RFC 4034 §2.3 / §5.4 key tags ---------------------------------------------------- */

static uint16_t tag_of(const char *line)
{
	static struct t_rr rr;

	t_parse(line, &rr);
	return validate_key_tag(rr.rdata, rr.rdlen);
}

static void test_key_tags_rfc4034_5702_6605_8080(void)
{
	CHECK_INT(tag_of("example.com. 86400 IN DNSKEY 256 3 5 ( AQPSKmynfzW4kyBv015MUG2DeIQ3 "
			 "Cbl+BBZH4b/0PY1kxkmvHjcZc8no kfzj31GajIQKY+5CptLr3buXA10h "
			 "WqTkF7H6RfoRqXQeogmMHfpftf6z Mv1LyBUgia7za6ZEzOJBOztyvhjL "
			 "742iU/TpPSEDhm2SNKLijfUppn1U aNvv4w== )"), 2642);
	CHECK_INT(tag_of("dskey.example.com. 86400 IN DNSKEY 256 3 5 ( AQOeiiR0GOMYkDshWoSKz9Xz "
			 "fwJr1AYtsmx3TGkJaNXVbfi/ 2pHm822aJ5iI9BMzNXxeYCmZ DRD99WYwYqUSdjMmmAphXdvx "
			 "egXd/M5+X7OrzKBaMbCVdFLU Uh6DhweJBjEVv5f2wwjM9Xzc nOf+EPbtG9DMBmADjFDc2w/r "
			 "ljwvFw== )"), 60485);
	CHECK_INT(tag_of("example.net. 3600 IN DNSKEY 256 3 8 AwEAAcFcGsaxxdgiuuGmCkVImy4h99CqT7jwY3"
			 "pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8PkxUdp6p/DlUmObdk="), 9033);
	CHECK_INT(tag_of("example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7"
			 "bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="), 55648);
	CHECK_INT(tag_of("example.com. 3600 IN DNSKEY 257 3 15 "
			 "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="), 3613);
	CHECK_INT(tag_of("example.com. 3600 IN DNSKEY 257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+"
			 "G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA"), 9713);
}

static void test_key_flags_and_parse(void)
{
	static struct t_rr rr;
	struct validate_key key;

	t_parse("example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7"
		"bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==", &rr);
	CHECK_INT(validate_key_parse(rr.rdata, rr.rdlen, &key), 0);
	CHECK_STATUS(key.status, VALIDATE_OK);
	CHECK_INT(key.flags & VALIDATE_DNSKEY_ZONE, VALIDATE_DNSKEY_ZONE);
	CHECK_INT(key.flags & VALIDATE_DNSKEY_SEP, VALIDATE_DNSKEY_SEP);
	CHECK_INT(key.flags & VALIDATE_DNSKEY_REVOKE, 0);
	CHECK_INT(key.bits, 256);
	CHECK(key.pkey != NULL && key.vctx != NULL);
	validate_key_clear(&key);

	/* The same point with Y changed is not on the curve: a bad key, not a crash. */
	rr.rdata[rr.rdlen - 1] ^= 0x01;
	CHECK_INT(validate_key_parse(rr.rdata, rr.rdlen, &key), 0);
	CHECK_STATUS(key.status, VALIDATE_BAD_KEY);
	CHECK(key.pkey == NULL);
	/* Truncated ECDSA key, protocol not 3, too short. */
	CHECK_INT(validate_key_parse(rr.rdata, rr.rdlen - 1, &key), 0);
	CHECK_STATUS(key.status, VALIDATE_BAD_KEY);
	rr.rdata[2] = 2;
	CHECK_INT(validate_key_parse(rr.rdata, rr.rdlen, &key), 0);
	CHECK_STATUS(key.status, VALIDATE_BAD_KEY);
	CHECK_INT(validate_key_parse(rr.rdata, 3, &key), -EINVAL);
}

/* RFC 3110: exponent length 0 means a 2-byte length follows. Same key both ways. */
static void test_rsa_long_exponent_form(void)
{
	static struct t_rr rr;
	static uint8_t alt[2048];
	struct validate_key a, b;

	t_parse("example.net. 3600 IN DNSKEY 256 3 10 AwEAAdHoNTOW+et86KuJOWRDp1pndvwb6Y83nSVXXyLA3D"
		"LroROUkN6X0O6pnWnjJQujX/AyhqFDxj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPsgVsMu1J2Q8g"
		"pMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL", &rr);
	CHECK_INT(rr.rdata[4], 3); /* one-byte exponent length */
	memcpy(alt, rr.rdata, 4);
	alt[4] = 0;
	alt[5] = 0;
	alt[6] = 3;
	memcpy(alt + 7, rr.rdata + 5, rr.rdlen - 5);
	CHECK_INT(validate_key_parse(rr.rdata, rr.rdlen, &a), 0);
	CHECK_INT(validate_key_parse(alt, rr.rdlen + 2, &b), 0);
	CHECK_STATUS(a.status, VALIDATE_OK);
	CHECK_STATUS(b.status, VALIDATE_OK);
	CHECK_INT(a.bits, 1024);
	CHECK_INT(b.bits, 1024);
	validate_key_clear(&a);
	validate_key_clear(&b);
	/* Exponent length past the end. */
	alt[6] = 200;
	CHECK_INT(validate_key_parse(alt, 10, &b), 0);
	CHECK_STATUS(b.status, VALIDATE_BAD_KEY);
}

/* ---- RFC 5702 §6 ---------------------------------------------------------------------- */

static const char *const A_5702[] = { "www.example.net. 3600 IN A 192.0.2.91" };
static const char KEY_5702_8[] = "example.net. 3600 IN DNSKEY 256 3 8 ( AwEAAcFcGsaxxdgiuuGmCkVI"
	"my4h99CqT7jwY3pexPGcnUFtR2Fh36BponcwtkZ4cAgtvd4Qs8P kxUdp6p/DlUmObdk= )";
static const char SIG_5702_8[] = "www.example.net. 3600 IN RRSIG ( A 8 3 3600 20300101000000 "
	"20000101000000 9033 example.net. kRCOH6u7l0QGy9qpC9 l1sLncJcOKFLJ7GhiUOibu4teYp5VE9Rncr"
	"iShZNz85mwlMgNEa cFYK/lPtPiVYP4bwg== )";
static const char KEY_5702_10[] = "example.net. 3600 IN DNSKEY 256 3 10 ( AwEAAdHoNTOW+et86KuJOWRD "
	"p1pndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFD xj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7QNPs"
	"gVsMu1J2Q8g pMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL )";
static const char SIG_5702_10[] = "www.example.net. 3600 IN RRSIG ( A 10 3 3600 20300101000000 "
	"20000101000000 3740 example.net. tsb4wnjRUDnB1BUi+t 6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0CbxrVDYd"
	"0xDtsuJRa eUw1ep94PzEWzr0iGYgZBWm/zpq+9fOuagYJRfDqfReKBzMweOL DiNa8iP5g9vMhpuv6OPlvpXwm9Sa9ZXI"
	"bNl1MBGk0fthPgxdDLw= )";

static void test_rfc5702_rsasha512_verifies(void)
{
	static const char *const other[] = { "www.example.net. 3600 IN A 192.0.2.92" };

	CHECK_STATUS(t_verify(KEY_5702_10, SIG_5702_10, A_5702, 1), VALIDATE_OK);
	CHECK_STATUS(t_verify(KEY_5702_10, SIG_5702_10, other, 1), VALIDATE_BOGUS_SIGNATURE);
}

/* The 6.1 key has 512 bits: refused by default (unsupported, so insecure, not bogus),
 * and the signature verifies once the policy allows 512-bit keys. */
static void test_rfc5702_rsasha256_512bit_key_refused_by_default(void)
{
	static const char *const other[] = { "www.example.net. 3600 IN A 192.0.2.92" };
	struct validate_policy pol;

	CHECK_STATUS(t_verify(KEY_5702_8, SIG_5702_8, A_5702, 1), VALIDATE_UNSUPPORTED_KEY);
	memset(&pol, 0, sizeof(pol)); /* a zeroed policy keeps the 1024-bit floor */
	CHECK_STATUS(t_verify_with(KEY_5702_8, SIG_5702_8, A_5702, 1, &pol),
		     VALIDATE_UNSUPPORTED_KEY);
	validate_policy_default(&pol);
	pol.rsa_min_bits = 512;
	CHECK_STATUS(t_verify_with(KEY_5702_8, SIG_5702_8, A_5702, 1, &pol), VALIDATE_OK);
	CHECK_STATUS(t_verify_with(KEY_5702_8, SIG_5702_8, other, 1, &pol),
		     VALIDATE_BOGUS_SIGNATURE);
}

/* ---- RFC 6605 §6 ---------------------------------------------------------------------- */

static const char *const A_6605[] = { "www.example.net. 3600 IN A 192.0.2.1" };
static const char *const A_6605_BAD[] = { "www.example.net. 3600 IN A 192.0.2.2" };

static void test_rfc6605_ecdsa_p256(void)
{
	static const char key[] = "example.net. 3600 IN DNSKEY 257 3 13 ( GojIhhXUN/u4v54ZQqGSnyhW"
		"JwaubCvTmeexv7bR6edb krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== )";
	static const char sig[] = "www.example.net. 3600 IN RRSIG A 13 3 3600 ( 20100909100439 "
		"20100812100439 55648 example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXA "
		"yGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw== )";
	static const char bad_sig[] = "www.example.net. 3600 IN RRSIG A 13 3 3600 ( 20100909100439 "
		"20100812100439 55648 example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXA "
		"yGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCA== )";

	CHECK_STATUS(t_verify(key, sig, A_6605, 1), VALIDATE_OK);
	CHECK_STATUS(t_verify(key, sig, A_6605_BAD, 1), VALIDATE_BOGUS_SIGNATURE);
	CHECK_STATUS(t_verify(key, bad_sig, A_6605, 1), VALIDATE_BOGUS_SIGNATURE);
}

static void test_rfc6605_ecdsa_p384(void)
{
	static const char key[] = "example.net. 3600 IN DNSKEY 257 3 14 ( xKYaNhWdGOfJ+nPrL8/arkwf"
		"2EY3MDJ+SErKivBVSum1 w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8 /uX45NBwY8rp65F6Gl"
		"ur8I/mlVNgF6W/qTI37m40 )";
	static const char sig[] = "www.example.net. 3600 IN RRSIG A 14 3 3600 ( 20100909102025 "
		"20100812102025 10771 example.net. /L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP "
		"95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuz WTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm )";

	CHECK_STATUS(t_verify(key, sig, A_6605, 1), VALIDATE_OK);
	CHECK_STATUS(t_verify(key, sig, A_6605_BAD, 1), VALIDATE_BOGUS_SIGNATURE);
}

/* ---- RFC 8080 §6 with erratum 4935 ---------------------------------------------------- */

static const char *const MX_8080[] = { "example.com. 3600 IN MX 10 mail.example.com." };
static const char *const MX_8080_BAD[] = { "example.com. 3600 IN MX 20 mail.example.com." };
static const char KEY_ED25519_1[] =
	"example.com. 3600 IN DNSKEY 257 3 15 ( l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= )";

static void test_rfc8080_ed25519_examples(void)
{
	static const char sig1[] = "example.com. 3600 IN RRSIG MX 15 2 3600 ( 1440021600 1438207200 "
		"3613 example.com. oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e"
		"23mRZ9VrbpMngwcrqNAg== )";
	static const char key2[] = "example.com. 3600 IN DNSKEY 257 3 15 ( zPnZ/QwEe7S8C5SPz2OfS5RR"
		"40ATk2/rYnE9xHIEijs= )";
	static const char sig2[] = "example.com. 3600 IN RRSIG MX 15 2 3600 ( 1440021600 1438207200 "
		"35217 example.com. zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT410QPRITQSqJSnzQoSm5poJ"
		"7gD7AQR0O7KuI5k2pcBg== )";

	CHECK_STATUS(t_verify(KEY_ED25519_1, sig1, MX_8080, 1), VALIDATE_OK);
	CHECK_STATUS(t_verify(key2, sig2, MX_8080, 1), VALIDATE_OK);
	CHECK_STATUS(t_verify(KEY_ED25519_1, sig1, MX_8080_BAD, 1), VALIDATE_BOGUS_SIGNATURE);
	/* Example 2's signature is not example 1's key's (tags differ: no match). */
	CHECK_STATUS(t_verify(KEY_ED25519_1, sig2, MX_8080, 1), VALIDATE_KEY_MISMATCH);
}

static void test_rfc8080_ed448_examples(void)
{
	static const char key1[] = "example.com. 3600 IN DNSKEY 257 3 16 ( 3kgROaDjrh0H2iuixWBrc8g2"
		"EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA )";
	static const char sig1[] = "example.com. 3600 IN RRSIG MX 16 2 3600 ( 1440021600 1438207200 "
		"9713 example.com. 3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmn"
		"BZ6SKiwZSAxGILn/NBtOXft0+Gj7FSvOKxE/07+4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA )";
	static const char key2[] = "example.com. 3600 IN DNSKEY 257 3 16 ( kkreGWoccSDmUBGAe7+zsbG6"
		"ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcNLp5HlHAMy12VoISsA )";
	static const char sig2[] = "example.com. 3600 IN RRSIG MX 16 2 3600 ( 1440021600 1438207200 "
		"38353 example.com. E1/oLjSGIbmLny/4fcgM1z4oL6aqo+izT3urCyHyvEp4Sp8Syg1eI+lJ57CSnZqjJP"
		"41O/9l4m0AsQ4f7qI1gVnML8vWWiyW2KXhT9kuAICUSxv5OWbf81Rq7Yu60npabODB0QFPb/rkW3kUZmQ0YQUA )";

	CHECK_STATUS(t_verify(key1, sig1, MX_8080, 1), VALIDATE_OK);
	CHECK_STATUS(t_verify(key2, sig2, MX_8080, 1), VALIDATE_OK);
	CHECK_STATUS(t_verify(key1, sig1, MX_8080_BAD, 1), VALIDATE_BOGUS_SIGNATURE);
}

/* The RFC's original text signed with labels 3 over a 2-label owner: that signature is
 * genuine, but such an RRSIG must be rejected before any crypto (RFC 4035 §5.3.1). */
static void test_rfc8080_original_erratum_signature_is_rejected(void)
{
	static const char sig[] = "example.com. 3600 IN RRSIG MX 15 3 3600 ( 1440021600 1438207200 "
		"3613 example.com. Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+eysqcUOMIjWoevFkjH5GaMWeG96"
		"GUVZu6ECKOQmemHDg== )";

	CHECK_STATUS(t_verify(KEY_ED25519_1, sig, MX_8080, 1), VALIDATE_BAD_RRSIG);
}

/* ---- Unbound test_sigs.* ---------------------------------------------------------------- */

static void test_unbound_rsasha256_1024(void)
{
	static const char key[] = "example.com. 3600 IN DNSKEY 256 3 8 AwEAAbd9WqjzE2Pynz21OG5doSf9hF"
		"zMr5dhzz2waZ3vTa+0o5r7AjTAqmA1yH/B3+aAMihUm5ucZSfVqo7+kOaRE8yFj9aivOmA1n1+JLevJq/oyvQy"
		"jxQN2Qb89LyaNUT5oKZIiL+uyyhNW3KDR3SSbQ/GBwQNDHVcZi+JDR3RC0r7";
	static const char sig[] = "www.example.com. 3600 IN RRSIG A 8 3 3600 20070926134150 "
		"20070829134150 1443 example.com. sX+BZ6Qdq0Td/THR1HgOnWh9URNP03KMEgjpnRGbS74NqlmlqLU3H"
		"cimOT/lUD7xsZTeOIWw5kAcQePxU3UrjS5gsIttIXAfrHFmOtTsyb0O4w0/RpR0QYxRl1hk4zQRPzHeEkgxNTe"
		"+y9V9gYe7iv9OddXsfwEnmqQiXk+tdsU=";
	static const char *const a[] = { "www.example.com. 3600 IN A 192.0.2.66" };
	/* Unbound's "bogus" entry: the same data under another owner. */
	static const char bogus_sig[] = "bogus.example.com. 3600 IN RRSIG A 8 3 3600 20070926134150 "
		"20070829134150 1443 example.com. sX+BZ6Qdq0Td/THR1HgOnWh9URNP03KMEgjpnRGbS74NqlmlqLU3H"
		"cimOT/lUD7xsZTeOIWw5kAcQePxU3UrjS5gsIttIXAfrHFmOtTsyb0O4w0/RpR0QYxRl1hk4zQRPzHeEkgxNTe"
		"+y9V9gYe7iv9OddXsfwEnmqQiXk+tdsU=";
	static const char *const bogus_a[] = { "bogus.example.com. 3600 IN A 192.0.2.66" };

	CHECK_STATUS(t_verify(key, sig, a, 1), VALIDATE_OK);
	CHECK_STATUS(t_verify(key, bogus_sig, bogus_a, 1), VALIDATE_BOGUS_SIGNATURE);
}

static void test_unbound_ed25519(void)
{
	static const char key[] = "example.com. 3600 IN DNSKEY 256 3 15 "
		"+sZnc8HII6xxA9Ili5bboiKH0Ipv/Ap1aucIt/CVF2M=";
	static const char sig[] = "www.example.com. 3600 IN RRSIG A 15 3 3600 20170627103620 "
		"20170530103620 57147 example.com. daYG6zZJ3BJwGOS4PC0tDnxssVNYoenOHocoIfx0GeXNkKHSyXF+"
		"XHgD5LKbG3ZN0dZJ/4To5eni9QXOXiR4CA==";
	static const char *const a[] = { "www.example.com. 3600 IN A 10.0.0.1" };

	CHECK_STATUS(t_verify(key, sig, a, 1), VALIDATE_OK);
}

/* RSA/SHA-1 (algorithm 5) only with the policy flag; the key is unusable otherwise. */
static const char KEY_SHA1_30899[] = "example.com. 3600 IN DNSKEY 256 3 5 AQPQ41chR9DEHt/aIzIFAqan"
	"bDlRflJoRs5yz1jFsoRIT7dWf0r+PeDuewdxkszNH6wnU4QL8pfKFRh5PIYVBLK3";

static void test_unbound_sha1_only_by_policy(void)
{
	static const char sig[] = "www.example.com. 3600 IN RRSIG A 5 3 3600 20070926134150 "
		"20070829134150 30899 example.com. Ip2xOAgSq3HdeGEMyQ0jafKNOOJO7Ca+huBgBPSj7B3txTlP9hBzl"
		"V0rb0XULymEiQLSpIPm4EY7xzom7z6aKA==";
	/* test_sigs.sha1_and_256: the same signature over bogus.example.com is wrong; this
	 * one is that name's genuine SHA-1 signature. */
	static const char wrong[] = "bogus.example.com. 3600 IN RRSIG A 5 3 3600 20070926134150 "
		"20070829134150 30899 example.com. Ip2xOAgSq3HdeGEMyQ0jafKNOOJO7Ca+huBgBPSj7B3txTlP9hBzl"
		"V0rb0XULymEiQLSpIPm4EY7xzom7z6aKA==";
	static const char right[] = "bogus.example.com. 3600 IN RRSIG A 5 3 3600 20070926134150 "
		"20070829134150 30899 example.com. EetlYQbmdt8deu6LIOYTxwHsMnivWBaxClTlLTPooUjgE+upQfCbG"
		"25mdY/wx+lM8fthKry+z65YACR8opA0Sw==";
	static const char *const a[] = { "www.example.com. 3600 IN A 192.0.2.66" };
	static const char *const bogus_a[] = { "bogus.example.com. 3600 IN A 192.0.2.66" };
	struct validate_policy pol;

	CHECK_STATUS(t_verify(KEY_SHA1_30899, sig, a, 1), VALIDATE_UNSUPPORTED_ALGORITHM);
	validate_policy_default(&pol);
	pol.sha1_algorithms = true;
	CHECK_STATUS(t_verify_with(KEY_SHA1_30899, sig, a, 1, &pol), VALIDATE_UNSUPPORTED_KEY);
	pol.rsa_min_bits = 512;
	CHECK_STATUS(t_verify_with(KEY_SHA1_30899, sig, a, 1, &pol), VALIDATE_OK);
	CHECK_STATUS(t_verify_with(KEY_SHA1_30899, right, bogus_a, 1, &pol), VALIDATE_OK);
	CHECK_STATUS(t_verify_with(KEY_SHA1_30899, wrong, bogus_a, 1, &pol),
		     VALIDATE_BOGUS_SIGNATURE);
}

/* test_sigs.hinfo: HINFO holds no names, so its RDATA is not lowercased (RFC 6840
 * §5.1 corrects RFC 4034's list): "Jelte" signed as "Jelte" verifies, and the
 * signature over "jelte" does not cover "Jelte". */
static void test_unbound_hinfo_not_lowercased(void)
{
	static const char key[] = "jelte.nlnetlabs.nl. 3600 IN DNSKEY 256 3 5 AwEAAawmHBgxeOiaYE4Jp"
		"NU+CBqEj7xGB1o6ThEsUmtjsbmTnsJ89uWv 2PudzhQKCR1hJtuxVxG0Aw4mwHlAy+SoWHp8NXW1JYVA5qbvY"
		"hUUUM3l +ZFImaMhShhlviJJDLla5nmB5pyNYbC4wxqkCs51mzJY1abbCmZepmQL IlprTjUL";
	static const char sig_upper[] = "jelte.nlnetlabs.nl. 3600 IN RRSIG HINFO 5 3 3600 "
		"20090203100022 20090106100022 48885 jelte.nlnetlabs.nl. eRig3NjIIgBTmQiN7AREmplgiY6OOt"
		"VwCNZgF5UAoYFAE1K1tl5WLqe9 FmTcVtaNUzFdgYv+TD93NNYdV0uxJkr+rS2sSykGf9OIlxevFm+rW2ya 4/"
		"Y+5GIN77eN9q9/6ULQRdsX3p8w1fhloiDXk+tgCaw+cJJElMEE1Avw 2dY=";
	static const char sig_lower[] = "jelte.nlnetlabs.nl. 3600 IN RRSIG HINFO 5 3 3600 "
		"20090203105558 20090106105558 48885 jelte.nlnetlabs.nl. UwFKSqH9oau3nCdJ4i6iYamo2izgMC"
		"Ky1K8ec0IkhniUONKaIGiRNz8/ QrLAeBHhMnLQYNV/GBprNjvnPyYLG/6bWYUBxvP6pCG4oDEmNY7QF9di "
		"I6So5Ycv0ZWaYoT/NYStUj1fLNZ4xCdNXVLA7Oi5PRMeOvPQIvMG3hHK Ja0=";
	/* HINFO in RFC 3597 form: wire_text has no HINFO parser. */
	static const char *const upper[] = {
		"jelte.nlnetlabs.nl. 3600 IN TYPE13 \\# 18 054a656c74650b4d616368696e652076616e" };
	static const char *const lower[] = {
		"jelte.nlnetlabs.nl. 3600 IN TYPE13 \\# 18 056a656c74650b6d616368696e652076616e" };
	struct validate_policy pol;

	validate_policy_default(&pol);
	pol.sha1_algorithms = true;
	CHECK_STATUS(t_verify_with(key, sig_upper, upper, 1, &pol), VALIDATE_OK);
	CHECK_STATUS(t_verify_with(key, sig_lower, lower, 1, &pol), VALIDATE_OK);
	CHECK_STATUS(t_verify_with(key, sig_lower, upper, 1, &pol), VALIDATE_BOGUS_SIGNATURE);
}

/* test_sigs.hinfo's NS RRset: two records, names in RDATA, canonical order. */
static void test_unbound_ns_rrset_two_records(void)
{
	static const char key[] = "jelte.nlnetlabs.nl. 3600 IN DNSKEY 256 3 5 AwEAAawmHBgxeOiaYE4Jp"
		"NU+CBqEj7xGB1o6ThEsUmtjsbmTnsJ89uWv 2PudzhQKCR1hJtuxVxG0Aw4mwHlAy+SoWHp8NXW1JYVA5qbvY"
		"hUUUM3l +ZFImaMhShhlviJJDLla5nmB5pyNYbC4wxqkCs51mzJY1abbCmZepmQL IlprTjUL";
	static const char sig[] = "jelte.nlnetlabs.nl. 3600 IN RRSIG NS 5 3 3600 20090203100022 "
		"20090106100022 48885 jelte.nlnetlabs.nl. E3G8ZsCvUw56EKxYA4JzjYaB3ojLpdmQdUHOPSxlWK43ha"
		"SuxpFERGRc P7AhiMjcYcoJcR+LWQr0uOFVnW8VcFFdy8u7Gs9MNAIWs5+jOaI3WDRC reee7K/NEBiubQCdm7U"
		"PA894VNM5oiLCa1waMoMD+LfEeijuN4N09HqY 6eo=";
	/* Received in the other order and in upper case: canonical form undoes both. */
	static const char *const ns[] = {
		"JELTE.nlnetlabs.nl. 3600 IN NS NS2.jelte.nlnetlabs.nl.",
		"jelte.nlnetlabs.nl. 3600 IN NS ns1.Jelte.NLnetlabs.nl." };
	struct validate_policy pol;

	validate_policy_default(&pol);
	pol.sha1_algorithms = true;
	CHECK_STATUS(t_verify_with(key, sig, ns, 2, &pol), VALIDATE_OK);
	CHECK_STATUS(t_verify_with(key, sig, ns, 1, &pol), VALIDATE_BOGUS_SIGNATURE);
}

/* test_sigs.revoked: a key with the REVOKE bit may sign its own DNSKEY RRset (RFC 5011
 * §2.1, for the RFC 5011 code) but matches nothing else. */
static void test_unbound_revoked_key_not_matched(void)
{
	static const char key[] = "example.com. 3600 IN DNSKEY 384 3 5 AQPQ41chR9DEHt/aIzIFAqanbDlR"
		"flJoRs5yz1jFsoRIT7dWf0r+PeDuewdxkszNH6wnU4QL8pfKFRh5PIYVBLK3";
	static const char soa_sig[] = "example.com. 43200 IN RRSIG SOA 5 2 43200 20081010000000 "
		"20080410122550 31027 example.com. af7nqRak6cEeQLytqLHMIUKPsOECA4Cu/Zpm7vdnKSh2q2+/8ZwI"
		"xwHLyCEGdiu/mTYffZEHTZytJyzxnB0oxA==";
	static const char key_sig[] = "example.com. 3600 IN RRSIG DNSKEY 5 2 3600 20081010000000 "
		"20080410122550 31027 example.com. NEEY7W2F0XGUo9pVhiLALoz1ToM1gIS4TwUvVBPlIQMF+ZRGtB7P"
		"MthV0BN+aR+AEurxYsMfVmXEH2vKUVepgw==";
	static const char *const soa[] = { "example.com. 43200 IN SOA home.kuroiwa.eng.br. "
		"hostmaster.cesar.sec3.br. 2008040903 86400 86400 8640000 600" };
	static const char *const keys[] = { key };
	static struct t_rr key_rr, sig_rr;
	static struct t_set set;
	struct validate_policy pol;
	struct validate_key k;
	struct validate_rrsig s;

	validate_policy_default(&pol);
	pol.sha1_algorithms = true;
	pol.rsa_min_bits = 512;
	CHECK_INT(tag_of(key), 31027);
	CHECK_STATUS(t_verify_with(key, soa_sig, soa, 1, &pol), VALIDATE_KEY_MISMATCH);
	CHECK_STATUS(t_verify_with(key, key_sig, keys, 1, &pol), VALIDATE_KEY_MISMATCH);

	/* With VALIDATE_MATCH_ALLOW_REVOKED, only the self-signature goes through. */
	t_parse(key, &key_rr);
	t_parse(key_sig, &sig_rr);
	t_set_lines(&set, keys, 1);
	CHECK_INT(validate_key_parse(key_rr.rdata, key_rr.rdlen, &k), 0);
	CHECK_INT(validate_rrsig_parse(sig_rr.rdata, sig_rr.rdlen, &s), 0);
	CHECK_STATUS(validate_rrsig_match_key(&s, key_rr.owner, key_rr.owner_len, &k, &pol,
					      VALIDATE_MATCH_ALLOW_REVOKED), VALIDATE_OK);
	struct validate_batch_config cfg = { .capacity = 2, .policy = pol };
	struct validate_batch *b = validate_batch_create(&cfg);
	int job = validate_batch_add_sig(b, &k, &s, &set.view, VALIDATE_MATCH_ALLOW_REVOKED);
	CHECK(job >= 0);
	CHECK_INT(validate_batch_run(b), 1);
	CHECK_STATUS(validate_batch_status(b, job), VALIDATE_OK);
	validate_batch_destroy(b);
	t_parse(soa_sig, &sig_rr);
	CHECK_INT(validate_rrsig_parse(sig_rr.rdata, sig_rr.rdlen, &s), 0);
	CHECK_STATUS(validate_rrsig_match_key(&s, key_rr.owner, key_rr.owner_len, &k, &pol,
					      VALIDATE_MATCH_ALLOW_REVOKED), VALIDATE_KEY_MISMATCH);
	validate_key_clear(&k);
}

/* ---- Algorithms and keys the validator will not use ------------------------------------ */

static void test_unsupported_algorithm_result(void)
{
	/* DSA (3) from Unbound's Kexample.com.+003+02854 key: never validated (RFC 8624). */
	static const char key[] = "example.com. 3600 IN DNSKEY 256 3 3 ( CMKzsCaT2Jy1w/sPdpigEE+nbeJ"
		"h48Cl1J8B1ZAGIfB8lmkxZgGdK6X0 )";
	static const char sig[] = "www.example.com. 3600 IN RRSIG A 3 3 3600 20300101000000 "
		"20000101000000 %u example.com. AAAA";
	static const char *const a[] = { "www.example.com. 3600 IN A 192.0.2.1" };
	static char line[512];
	static struct t_rr rr;
	struct validate_key k;
	struct validate_policy pol;

	t_parse(key, &rr);
	CHECK_INT(validate_key_parse(rr.rdata, rr.rdlen, &k), 0);
	CHECK_STATUS(k.status, VALIDATE_UNSUPPORTED_ALGORITHM);
	CHECK(k.pkey == NULL);
	snprintf(line, sizeof(line), sig, validate_key_tag(rr.rdata, rr.rdlen));
	CHECK_STATUS(t_verify(key, line, a, 1), VALIDATE_UNSUPPORTED_ALGORITHM);
	CHECK_INT(validate_status_ede(VALIDATE_UNSUPPORTED_ALGORITHM), 1);
	CHECK(validate_status_is_unsupported(VALIDATE_UNSUPPORTED_ALGORITHM));
	validate_policy_default(&pol);
	CHECK(!validate_alg_supported(&pol, 3));
	CHECK(!validate_alg_supported(&pol, 5));
	CHECK(!validate_alg_supported(&pol, 7));
	CHECK(!validate_alg_supported(&pol, 12));
	CHECK(validate_alg_supported(&pol, 8) && validate_alg_supported(&pol, 10) &&
	      validate_alg_supported(&pol, 13) && validate_alg_supported(&pol, 14) &&
	      validate_alg_supported(&pol, 15) && validate_alg_supported(&pol, 16));
}

int main(void)
{
	RUN(test_key_tags_rfc4034_5702_6605_8080);
	RUN(test_key_flags_and_parse);
	RUN(test_rsa_long_exponent_form);
	RUN(test_rfc5702_rsasha512_verifies);
	RUN(test_rfc5702_rsasha256_512bit_key_refused_by_default);
	RUN(test_rfc6605_ecdsa_p256);
	RUN(test_rfc6605_ecdsa_p384);
	RUN(test_rfc8080_ed25519_examples);
	RUN(test_rfc8080_ed448_examples);
	RUN(test_rfc8080_original_erratum_signature_is_rejected);
	RUN(test_unbound_rsasha256_1024);
	RUN(test_unbound_ed25519);
	RUN(test_unbound_sha1_only_by_policy);
	RUN(test_unbound_hinfo_not_lowercased);
	RUN(test_unbound_ns_rrset_two_records);
	RUN(test_unbound_revoked_key_not_matched);
	RUN(test_unsupported_algorithm_result);
	validate_thread_cleanup();
	return unit_check_exit();
}
