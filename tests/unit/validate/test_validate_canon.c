/*
 * test_validate_canon.c - canonical form (RFC 4034 §6, RFC 6840 §5.1) and the signed
 * data of an RRSIG (RFC 4034 §3.1.8.1), wildcards included (RFC 4035 §5.3.2).
 * Expected bytes are written out by hand here, and the wildcard case is also signed
 * with RFC 8080's Ed25519 example key over those hand-written bytes and verified
 * through the batch with the expanded owner.
 */
#include <openssl/evp.h>

#include "validate_test.h"

static uint8_t out[4096];

static int canon_of(const char *line, struct t_rr *rr)
{
	t_parse(line, rr);
	return validate_rdata_canonical(rr->type, rr->rdata, rr->rdlen, out, sizeof(out));
}

static void test_names_in_rdata_are_lowercased(void)
{
	static struct t_rr rr;

	CHECK_INT(canon_of("x. 1 IN MX 10 MAIL.Example.COM.", &rr), 20);
	CHECK_BYTES(out, 20, 0, 10, 4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		    3, 'c', 'o', 'm', 0);
	CHECK_INT(canon_of("x. 1 IN NS NS1.X.", &rr), 7);
	CHECK_BYTES(out, 7, 3, 'n', 's', '1', 1, 'x', 0);
	CHECK_INT(canon_of("x. 1 IN CNAME A.B.", &rr), 5);
	CHECK_BYTES(out, 5, 1, 'a', 1, 'b', 0);
	CHECK_INT(canon_of("x. 1 IN DNAME A.B.", &rr), 5);
	CHECK_BYTES(out, 5, 1, 'a', 1, 'b', 0);
	CHECK_INT(canon_of("x. 1 IN PTR A.B.", &rr), 5);
	CHECK_BYTES(out, 5, 1, 'a', 1, 'b', 0);
	CHECK_INT(canon_of("x. 1 IN SRV 1 2 3 T.X.", &rr), 11);
	CHECK_BYTES(out, 11, 0, 1, 0, 2, 0, 3, 1, 't', 1, 'x', 0);
}

/* SOA: both names lowercased, the counters after them left alone even when their
 * bytes look like capital letters (serial 0x41424344 is "ABCD"). */
static void test_soa_counters_untouched(void)
{
	static struct t_rr rr;

	CHECK_INT(canon_of("x. 1 IN SOA NS.X. H.X. 1094861636 2 3 4 5", &rr), 31);
	CHECK_BYTES(out, 31, 2, 'n', 's', 1, 'x', 0, 1, 'h', 1, 'x', 0, 'A', 'B', 'C', 'D',
		    0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5);
}

/* RRSIG: the signer name is lowercased, the signature bytes are not. */
static void test_rrsig_signer_lowercased_signature_kept(void)
{
	static struct t_rr rr;

	t_parse("x. 1 IN RRSIG A 13 2 3600 20300101000000 20000101000000 1 EXAMPLE. QUJD", &rr);
	CHECK_INT(validate_rdata_canonical(rr.type, rr.rdata, rr.rdlen, out, sizeof(out)),
		  (int)rr.rdlen);
	CHECK_BYTES(out + 18, rr.rdlen - 18, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
		    'A', 'B', 'C');
}

/* NAPTR: flags, services and regexp are character-strings (kept); the replacement
 * name after them is lowercased. */
static void test_naptr_replacement_lowercased(void)
{
	static struct t_rr rr;

	t_parse("x. 1 IN TYPE35 \\# 14 000a0014 0155 0145 00 0141015800", &rr);
	CHECK_INT(validate_rdata_canonical(rr.type, rr.rdata, rr.rdlen, out, sizeof(out)), 14);
	CHECK_BYTES(out, 14, 0, 10, 0, 20, 1, 'U', 1, 'E', 0, 1, 'a', 1, 'x', 0);
}

/* Types whose RDATA holds no names, and NSEC (removed from the list by RFC 6840 §5.1),
 * are not changed. */
static void test_nsec_txt_hinfo_not_lowercased(void)
{
	static struct t_rr rr;

	t_parse("x. 1 IN TYPE47 \\# 8 0141014200 000140", &rr);
	CHECK_INT(validate_rdata_canonical(rr.type, rr.rdata, rr.rdlen, out, sizeof(out)), 8);
	CHECK_BYTES(out, 8, 1, 'A', 1, 'B', 0, 0, 1, 0x40);
	CHECK_INT(canon_of("x. 1 IN TXT \"ABC\"", &rr), 4);
	CHECK_BYTES(out, 4, 3, 'A', 'B', 'C');
	t_parse("x. 1 IN TYPE13 \\# 4 01410142", &rr);
	CHECK_INT(validate_rdata_canonical(rr.type, rr.rdata, rr.rdlen, out, sizeof(out)), 4);
	CHECK_BYTES(out, 4, 1, 'A', 1, 'B');
}

static void test_malformed_rdata_refused(void)
{
	static const uint8_t mx_cut[] = { 0, 10, 4, 'm', 'a', 'i' };
	static const uint8_t mx_ptr[] = { 0, 10, 0xc0, 12 };
	static const uint8_t soa_short[] = { 1, 'a' };

	CHECK_INT(validate_rdata_canonical(WIRE_TYPE_MX, mx_cut, sizeof(mx_cut), out, 64), -EINVAL);
	CHECK_INT(validate_rdata_canonical(WIRE_TYPE_MX, mx_ptr, sizeof(mx_ptr), out, 64), -EINVAL);
	CHECK_INT(validate_rdata_canonical(WIRE_TYPE_SOA, soa_short, 2, out, 64), -EINVAL);
	CHECK_INT(validate_rdata_canonical(WIRE_TYPE_MX, mx_cut, 1, out, 64), -EINVAL);
	CHECK_INT(validate_rdata_canonical(WIRE_TYPE_A, mx_cut, 4, out, 3), -ENOSPC);
}

/* ---- Ordering (RFC 4034 §6.3) -------------------------------------------------------- */

static void test_canonical_order_octets_and_duplicates(void)
{
	static struct t_set s;
	static const char *const a[] = {
		"x. 1 IN A 10.0.0.10", "x. 1 IN A 10.0.0.2", "x. 1 IN A 10.0.0.10",
		"x. 1 IN A 9.255.255.255" };
	uint16_t order[8];

	t_set_lines(&s, a, 4);
	CHECK_INT(validate_rrset_canonical_order(&s.view, order, 8), 3);
	CHECK_INT(order[0], 3); /* 9.255.255.255 */
	CHECK_INT(order[1], 1); /* 10.0.0.2 */
	CHECK_INT(order[2], 0); /* 10.0.0.10, its duplicate (2) dropped */
	CHECK_INT(validate_rrset_canonical_order(&s.view, order, 2), -ENOSPC);
}

/* A shorter RDATA that is a prefix of a longer one sorts first ("absence of an octet
 * sorts before a zero octet"). */
static void test_canonical_order_prefix_sorts_first(void)
{
	static struct t_set s;
	static const char *const txt[] = {
		"x. 1 IN TYPE16 \\# 2 0261", "x. 1 IN TYPE16 \\# 3 0261ff" };
	uint16_t order[4];

	t_set_lines(&s, txt, 2);
	t_set_add(&s, (const uint8_t *)"\x02\x61\x00", 3);
	CHECK_INT(validate_rrset_canonical_order(&s.view, order, 4), 3);
	CHECK_INT(order[0], 0); /* 02 61 */
	CHECK_INT(order[1], 2); /* 02 61 00 */
	CHECK_INT(order[2], 1); /* 02 61 ff */
}

/* Names compare lowercased: MX records that differ only in case are duplicates, and
 * the order follows the lowercased bytes ('B' 0x42 sorts after 'a' 0x61 once lowered). */
static void test_canonical_order_uses_lowercased_names(void)
{
	static struct t_set s;
	static const char *const mx[] = {
		"x. 1 IN MX 10 B.x.", "x. 1 IN MX 10 a.x.", "x. 1 IN MX 10 b.X." };
	uint16_t order[4];

	t_set_lines(&s, mx, 3);
	CHECK_INT(validate_rrset_canonical_order(&s.view, order, 4), 2);
	CHECK_INT(order[0], 1);
	CHECK_INT(order[1], 0);
	CHECK_INT(validate_rdata_canonical_cmp(WIRE_TYPE_MX, s.data + s.rdoff[0], s.rdlen[0],
					       s.data + s.rdoff[2], s.rdlen[2]), 0);
	CHECK(validate_rdata_canonical_cmp(WIRE_TYPE_TXT, s.data + s.rdoff[0], s.rdlen[0],
					   s.data + s.rdoff[2], s.rdlen[2]) != 0);
}

/* ---- Signed data ---------------------------------------------------------------------- */

static void test_signed_data_layout(void)
{
	static struct t_rr sig_rr;
	static struct t_set s;
	static const char *const a[] = { "WWW.Example. 300 IN A 192.0.2.2",
					 "www.example. 300 IN A 192.0.2.1" };
	struct validate_rrsig sig;

	t_parse("www.example. 300 IN RRSIG A 13 2 3600 20300101000000 20000101000000 4660 "
		"Example. QUJD", &sig_rr);
	CHECK_INT(validate_rrsig_parse(sig_rr.rdata, sig_rr.rdlen, &sig), 0);
	t_set_lines(&s, a, 2);
	/* prefix (18 + 9) + 2 * (owner 13 + 10 + 4) */
	CHECK_INT(validate_signed_data(&sig, &s.view, out, sizeof(out)), 27 + 54);
	CHECK_BYTES(out, 18, 0, 1, 13, 2, 0, 0, 0x0e, 0x10, 0x70, 0xdb, 0xd8, 0x80,
		    0x38, 0x6d, 0x43, 0x80, 0x12, 0x34);
	CHECK_NAME(out + 18, 9, "\7example");
	CHECK_BYTES(out + 27, 27, 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
		    0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1);
	CHECK_BYTES(out + 54, 27, 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
		    0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 2);
	CHECK_INT(validate_signed_data(&sig, &s.view, out, 27 + 53), -ENOSPC);
}

/* The expanded owner a.b.example. under an RRSIG with labels 1 signs as *.example. */
static void test_signed_data_wildcard_owner(void)
{
	static struct t_rr sig_rr;
	static struct t_set s;
	static const char *const a[] = { "A.b.example. 300 IN A 192.0.2.1" };
	struct validate_rrsig sig;
	int n;

	t_parse("a.b.example. 300 IN RRSIG A 13 1 3600 20300101000000 20000101000000 4660 "
		"example. QUJD", &sig_rr);
	CHECK_INT(validate_rrsig_parse(sig_rr.rdata, sig_rr.rdlen, &sig), 0);
	t_set_lines(&s, a, 1);
	n = validate_signed_data(&sig, &s.view, out, sizeof(out));
	CHECK_INT(n, 27 + 11 + 10 + 4);
	CHECK_BYTES(out + 27, 25, 1, '*', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
		    0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1);
	/* labels 2: one label replaced, *.b.example. */
	sig_rr.rdata[3] = 2;
	CHECK_INT(validate_rrsig_parse(sig_rr.rdata, sig_rr.rdlen, &sig), 0);
	CHECK_INT(validate_signed_data(&sig, &s.view, out, sizeof(out)), 27 + 13 + 10 + 4);
	CHECK_NAME(out + 27, 13, "\1*\1b\7example");
	/* labels 3 = the owner's own count: the owner as it is. */
	sig_rr.rdata[3] = 3;
	CHECK_INT(validate_rrsig_parse(sig_rr.rdata, sig_rr.rdlen, &sig), 0);
	CHECK_INT(validate_signed_data(&sig, &s.view, out, sizeof(out)), 27 + 13 + 10 + 4);
	CHECK_NAME(out + 27, 13, "\1a\1b\7example");
	/* labels 4 > 3: refused (RFC 4035 §5.3.1). */
	sig_rr.rdata[3] = 4;
	CHECK_INT(validate_rrsig_parse(sig_rr.rdata, sig_rr.rdlen, &sig), 0);
	CHECK_STATUS(validate_rrsig_check(&sig, &s.view), VALIDATE_BAD_RRSIG);
	CHECK_INT(validate_signed_data(&sig, &s.view, out, sizeof(out)), -EINVAL);
}

/* A wildcard answer end to end: sign the hand-made signed data of "*.example.com. MX"
 * with RFC 8080's Ed25519 example key, then verify the RRset at the expanded owner
 * x.y.example.com. through the batch. */
static void test_wildcard_expansion_verifies_end_to_end(void)
{
	static const uint8_t seed[32] = "82260384628080122645190204142262"; /* RFC 8080 6.1 */
	static const uint8_t signed_data[] = {
		0, 15, 15, 2, 0, 0, 0x0e, 0x10, 0x55, 0xd4, 0xfc, 0x60, 0x55, 0xb9, 0x80, 0x20,
		0x0e, 0x1d, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		1, '*', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		0, 15, 0, 1, 0, 0, 0x0e, 0x10, 0, 20,
		0, 10, 4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	static struct t_rr key_rr;
	static struct t_set s;
	static const char *const mx[] = { "X.y.example.com. 3600 IN MX 10 MAIL.example.com." };
	static uint8_t rrsig[512];
	EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t sig_len = 64;
	struct validate_key key;
	struct validate_rrsig sig;
	struct validate_policy pol;

	CHECK(priv != NULL && md != NULL);
	memcpy(rrsig, signed_data, 31);
	CHECK(EVP_DigestSignInit(md, NULL, NULL, NULL, priv) == 1);
	CHECK(EVP_DigestSign(md, rrsig + 31, &sig_len, signed_data, sizeof(signed_data)) == 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(priv);

	t_parse("example.com. 3600 IN DNSKEY 257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
		&key_rr);
	CHECK_INT(validate_key_parse(key_rr.rdata, key_rr.rdlen, &key), 0);
	CHECK_INT(key.tag, 3613);
	CHECK_INT(validate_rrsig_parse(rrsig, 31 + sig_len, &sig), 0);
	t_set_lines(&s, mx, 1);
	validate_policy_default(&pol);
	CHECK_STATUS(validate_rrsig_match_key(&sig, key_rr.owner, key_rr.owner_len, &key, &pol, 0),
		     VALIDATE_OK);
	struct validate_batch_config cfg = { .capacity = 4, .policy = pol };
	struct validate_batch *b = validate_batch_create(&cfg);
	int ok_job = validate_batch_add_sig(b, &key, &sig, &s.view, 0);
	rrsig[3] = 3; /* the same signature read as "not a wildcard" must fail */
	CHECK_INT(validate_rrsig_parse(rrsig, 31 + sig_len, &sig), 0);
	int bad_job = validate_batch_add_sig(b, &key, &sig, &s.view, 0);
	CHECK(ok_job >= 0 && bad_job >= 0 && ok_job != bad_job);
	CHECK_INT(validate_batch_run(b), 2);
	CHECK_STATUS(validate_batch_status(b, ok_job), VALIDATE_OK);
	CHECK_STATUS(validate_batch_status(b, bad_job), VALIDATE_BOGUS_SIGNATURE);
	validate_batch_destroy(b);
	validate_key_clear(&key);
}

int main(void)
{
	RUN(test_names_in_rdata_are_lowercased);
	RUN(test_soa_counters_untouched);
	RUN(test_rrsig_signer_lowercased_signature_kept);
	RUN(test_naptr_replacement_lowercased);
	RUN(test_nsec_txt_hinfo_not_lowercased);
	RUN(test_malformed_rdata_refused);
	RUN(test_canonical_order_octets_and_duplicates);
	RUN(test_canonical_order_prefix_sorts_first);
	RUN(test_canonical_order_uses_lowercased_names);
	RUN(test_signed_data_layout);
	RUN(test_signed_data_wildcard_owner);
	RUN(test_wildcard_expansion_verifies_end_to_end);
	validate_thread_cleanup();
	return unit_check_exit();
}
