/*
 * test_validate_ds.c - DS digests and matching: RFC 4034 §5.4 (SHA-1, by policy only),
 * RFC 6605 §6 (SHA-256, SHA-384), RFC 8080 §6 (SHA-256 of EdDSA keys) and Unbound's
 * test_ds.sha1 / test_ds.sha384 ("yes" entries match, "no" entries, with one digest
 * nibble changed, do not).
 */
#include "validate_test.h"

static struct validate_policy pol;

/* Matches the DS line against the DNSKEY line under the current policy. */
static enum validate_status ds_vs_key(const char *ds_line, const char *key_line)
{
	static struct t_rr ds, key;

	t_parse(ds_line, &ds);
	t_parse(key_line, &key);
	return validate_ds_match(ds.rdata, ds.rdlen, key.owner, key.owner_len, key.rdata,
				 key.rdlen, &pol);
}

static const char KEY_4034[] = "dskey.example.com. 86400 IN DNSKEY 256 3 5 ( AQOeiiR0GOMYkDshWoSK"
	"z9Xz fwJr1AYtsmx3TGkJaNXVbfi/ 2pHm822aJ5iI9BMzNXxeYCmZ DRD99WYwYqUSdjMmmAphXdvx egXd/M5+X7Or"
	"zKBaMbCVdFLU Uh6DhweJBjEVv5f2wwjM9Xzc nOf+EPbtG9DMBmADjFDc2w/r ljwvFw== )";
static const char DS_4034[] = "dskey.example.com. 86400 IN DS 60485 5 1 ( 2BB183AF5F22588179A53B0A "
	"98631FAD1A292118 )";

static void test_rfc4034_sha1_digest_by_policy_only(void)
{
	static struct t_rr key;
	uint8_t want[20], got[VALIDATE_DIGEST_MAX];

	t_parse(KEY_4034, &key);
	CHECK_INT(t_hex("2BB183AF5F22588179A53B0A98631FAD1A292118", want, sizeof(want)), 20);
	CHECK_INT(validate_ds_digest(VALIDATE_DS_SHA1, key.owner, key.owner_len, key.rdata,
				     key.rdlen, got, sizeof(got)), 20);
	CHECK(memcmp(got, want, 20) == 0);
	validate_policy_default(&pol);
	CHECK_STATUS(ds_vs_key(DS_4034, KEY_4034), VALIDATE_UNSUPPORTED_DIGEST);
	CHECK_INT(validate_status_ede(VALIDATE_UNSUPPORTED_DIGEST), 2);
	pol.sha1_ds = true;
	CHECK_STATUS(ds_vs_key(DS_4034, KEY_4034), VALIDATE_OK);
}

static const char KEY_P256[] = "example.net. 3600 IN DNSKEY 257 3 13 ( GojIhhXUN/u4v54ZQqGSnyhWJwa"
	"ubCvTmeexv7bR6edb krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== )";
static const char KEY_P384[] = "example.net. 3600 IN DNSKEY 257 3 14 ( xKYaNhWdGOfJ+nPrL8/arkwf2EY"
	"3MDJ+SErKivBVSum1 w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8 /uX45NBwY8rp65F6Glur8I/mlVNgF6W"
	"/qTI37m40 )";

static void test_rfc6605_sha256_sha384_and_unbound_no_entries(void)
{
	validate_policy_default(&pol);
	CHECK_STATUS(ds_vs_key("example.net. 3600 IN DS 55648 13 2 ( b4c8c1fe2e7477127b27115656ad6256f"
			       "424625bf5c1 e2770ce6d6e37df61d17 )", KEY_P256), VALIDATE_OK);
	CHECK_STATUS(ds_vs_key("example.net. 3600 IN DS 10771 14 4 ( 72d7b62976ce06438e9c0bf319013cf80"
			       "1f09ecc84b8 d7e9495f27e305c6a9b0563a9b5f4d288405c3008a94 6df983d6 )",
			       KEY_P384), VALIDATE_OK);
	/* Unbound test_ds.sha384 "no" entries: one nibble of the digest changed. */
	CHECK_STATUS(ds_vs_key("example.net. 3600 IN DS 55648 13 2 ( b4c8c1fe2e7477126b27115656ad6256f"
			       "424625bf5c1 e2770ce6d6e37df61d17 )", KEY_P256), VALIDATE_KEY_MISMATCH);
	CHECK_STATUS(ds_vs_key("example.net. 3600 IN DS 10771 14 4 ( 72d7b62976ce06438e9c0cf319013cf80"
			       "1f09ecc84b8 d7e9495f27e305c6a9b0563a9b5f4d288405c3008a94 6df983d6 )",
			       KEY_P384), VALIDATE_KEY_MISMATCH);
	/* The owner is hashed in canonical (lowercase) form. */
	CHECK_STATUS(ds_vs_key("EXAMPLE.Net. 3600 IN DS 55648 13 2 ( b4c8c1fe2e7477127b27115656ad6256f"
			       "424625bf5c1 e2770ce6d6e37df61d17 )",
			       "Example.NET. 3600 IN DNSKEY 257 3 13 ( GojIhhXUN/u4v54ZQqGSnyhWJwaubCvT"
			       "meexv7bR6edb krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA== )"), VALIDATE_OK);
}

static void test_rfc8080_eddsa_ds(void)
{
	validate_policy_default(&pol);
	CHECK_STATUS(ds_vs_key("example.com. 3600 IN DS 3613 15 2 ( 3aa5ab37efce57f737fc1627013fee07bd"
			       "f241bd10f3b1964ab55c78e79a304b )", "example.com. 3600 IN DNSKEY 257 3 15"
			       " ( l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4= )"), VALIDATE_OK);
	CHECK_STATUS(ds_vs_key("example.com. 3600 IN DS 35217 15 2 ( 401781b934e392de492ec77ae2e15d70f"
			       "6575a1c0bc59c5275c04ebe80c6614c )", "example.com. 3600 IN DNSKEY 257 3 15"
			       " ( zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs= )"), VALIDATE_OK);
	CHECK_STATUS(ds_vs_key("example.com. 3600 IN DS 9713 16 2 ( 6ccf18d5bc5d7fc2fceb1d59d17321402f"
			       "2aa8d368048db93dd811f5cb2b19c7 )", "example.com. 3600 IN DNSKEY 257 3 16"
			       " ( 3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1M"
			       "DpJtIA )"), VALIDATE_OK);
	CHECK_STATUS(ds_vs_key("example.com. 3600 IN DS 38353 16 2 ( 645ff078b3568f5852b70cb60e8e696cc"
			       "77b75bfaaffc118cf79cbda1ba28af4 )", "example.com. 3600 IN DNSKEY 257 3 16"
			       " ( kkreGWoccSDmUBGAe7+zsbG6ZAFQp+syPmYUurBRQc3tDjeMCJcVMRDmgcNLp5HlHAMy12"
			       "VoISsA )"), VALIDATE_OK);
}

static void test_unbound_ds_sha1_yes_and_no(void)
{
	static const char key[] = "nlnetlabs.nl. 3600 IN DNSKEY 257 3 5 AQPzzTWMz8qSWIQlfRnPckx2BiV"
		"mkVN6LPupO3mbz7FhLSnm26n6iG9N Lby97Ji453aWZY3M5/xJBSOS2vWtco2t8C0+xeO1bc/d6ZTy32DHchpW "
		"6rDH1vp86Ll+ha0tmwyy9QP7y2bVw5zSbFCrefk8qCUBgfHm9bHzMG1U BYtEIQ==";
	static const char key2[] = "jelte.nlnetlabs.nl. 3600 IN DNSKEY 256 3 5 AQOraLfzarHAlFskVGwA"
		"GnX0LRjlcOiO6y5WM4Kz+QvZ9vX28h4lOvnf d5tkxnZm7ERLTAJoFq+1w/wl7VXs2Isz75BSZ7LQh3OT2xXnS6"
		"VT5ZxX ko/UCOdoGiKZZ63jHZ0jNSTCYy8+5rfvwRD8s3gGuErp5KcHg3V8VLUK SDNNEQ==";

	validate_policy_default(&pol);
	pol.sha1_ds = true;
	CHECK_STATUS(ds_vs_key("nlnetlabs.nl. 3600 IN DS 43791 RSASHA1 1 "
			       "81ee88356df3c3077549445ed2fb1c92adc80641", key), VALIDATE_OK);
	CHECK_STATUS(ds_vs_key("jelte.nlnetlabs.nl. 3600 IN DS 42860 5 1 "
			       "14D739EB566D2B1A5E216A0BA4D17FA9B038BE4A", key2), VALIDATE_OK);
	CHECK_STATUS(ds_vs_key("nlnetlabs.nl. 3600 IN DS 43791 RSASHA1 1 "
			       "14D739EB566D2B1A5E216A0BA4D17FA9B038BE4A", key), VALIDATE_KEY_MISMATCH);
}

/* What does not match before any hashing: other tag, other algorithm, not a zone key;
 * digest types not implemented; a digest of the wrong length. */
static void test_ds_mismatch_and_unsupported_digests(void)
{
	validate_policy_default(&pol);
	CHECK_STATUS(ds_vs_key("example.net. 3600 IN DS 55649 13 2 b4c8c1fe2e7477127b27115656ad6256f"
			       "424625bf5c1e2770ce6d6e37df61d17", KEY_P256), VALIDATE_KEY_MISMATCH);
	CHECK_STATUS(ds_vs_key("example.net. 3600 IN DS 55648 8 2 b4c8c1fe2e7477127b27115656ad6256f"
			       "424625bf5c1e2770ce6d6e37df61d17", KEY_P256), VALIDATE_KEY_MISMATCH);
	CHECK_STATUS(ds_vs_key("example.net. 3600 IN DS 55648 13 3 b4c8c1fe2e7477127b27115656ad6256f"
			       "424625bf5c1e2770ce6d6e37df61d17", KEY_P256), VALIDATE_UNSUPPORTED_DIGEST);
	CHECK_STATUS(ds_vs_key("example.net. 3600 IN DS 55648 13 99 b4c8", KEY_P256),
		     VALIDATE_UNSUPPORTED_DIGEST);
	CHECK_STATUS(ds_vs_key("example.net. 3600 IN DS 55648 13 2 b4c8c1fe2e7477127b27115656ad6256f"
			       "424625bf5c1e2770ce6d6e37df61d1", KEY_P256), VALIDATE_BAD_KEY);
	/* Flags 1 (SEP without ZONE): the key tag changes too, so use a DS with its tag. */
	static struct t_rr key;
	t_parse(KEY_P256, &key);
	key.rdata[0] = 0;
	key.rdata[1] = 1;
	uint8_t ds[4 + 32];
	wire_put_u16(ds, validate_key_tag(key.rdata, key.rdlen));
	ds[2] = 13;
	ds[3] = 2;
	CHECK_INT(validate_ds_digest(2, key.owner, key.owner_len, key.rdata, key.rdlen, ds + 4,
				     32), 32);
	CHECK_STATUS(validate_ds_match(ds, sizeof(ds), key.owner, key.owner_len, key.rdata,
				       key.rdlen, &pol), VALIDATE_KEY_MISMATCH);
	key.rdata[0] = 1; /* with ZONE (and so another tag): the DS no longer matches by tag */
	wire_put_u16(ds, validate_key_tag(key.rdata, key.rdlen));
	CHECK_INT(validate_ds_digest(2, key.owner, key.owner_len, key.rdata, key.rdlen, ds + 4,
				     32), 32);
	CHECK_STATUS(validate_ds_match(ds, sizeof(ds), key.owner, key.owner_len, key.rdata,
				       key.rdlen, &pol), VALIDATE_OK);
	CHECK_INT(validate_ds_digest(3, key.owner, key.owner_len, key.rdata, key.rdlen, ds + 4,
				     32), -EPROTONOSUPPORT);
	CHECK_INT(validate_ds_digest(4, key.owner, key.owner_len, key.rdata, key.rdlen, ds + 4,
				     32), -ENOSPC);
}

int main(void)
{
	RUN(test_rfc4034_sha1_digest_by_policy_only);
	RUN(test_rfc6605_sha256_sha384_and_unbound_no_entries);
	RUN(test_rfc8080_eddsa_ds);
	RUN(test_unbound_ds_sha1_yes_and_no);
	RUN(test_ds_mismatch_and_unsupported_digests);
	validate_thread_cleanup();
	return unit_check_exit();
}
