/*
 * test_tsig.c - control/tsig: HMAC vectors (RFC 4231) through ipsec-mb, signing and
 * verifying messages (RFC 8945) with every failure path, response chaining, key files
 * and key generation.
 *
 * With arguments "verify KEYFILE MSGFILE NOW" it verifies a message from a file
 * instead, and with "respond KEYFILE QUERYFILE RESPONSEFILE NOW" it answers a signed
 * query with a signed empty response (used by dig_interop.sh with BIND's dig).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tsig.h"
#include "unit_check.h"
#include "wire.h"

#define T0 1700000000ull

/* ---- Helpers ----------------------------------------------------------------------- */

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = 0;

	for (; hex[0] != '\0' && hex[1] != '\0'; hex += 2) {
		unsigned v;

		sscanf(hex, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* A query for www.example. A with ID 0x1234 and RD. */
static size_t make_query(uint8_t *buf, size_t cap)
{
	struct wire_builder b;

	wire_build_init(&b, buf, cap, cap);
	wire_build_header(&b, 0x1234, WIRE_FLAG_RD);
	wire_build_question(&b, (const uint8_t *)"\3www\7example", 13, WIRE_TYPE_A,
			    WIRE_CLASS_IN);
	return b.len;
}

static void make_key(struct tsig_key *k, const char *name, enum tsig_alg alg, uint8_t fill)
{
	char err[128];
	char text[512];
	struct tsig_keyring kr;

	memset(k, 0, sizeof(*k));
	snprintf(text, sizeof(text), "key \"%s\" { algorithm %s; secret \"AAAA\"; };",
		 name, tsig_alg_name(alg));
	if (tsig_keys_parse(text, strlen(text), "t", &kr, err, sizeof(err)) == TSIG_OK)
		*k = kr.keys[0];
	k->secret_len = (uint8_t)tsig_alg_mac_len(alg);
	memset(k->secret, fill, k->secret_len);
}

/* The keyring every test verifies against: one key per algorithm. */
static struct tsig_keyring ring(void)
{
	struct tsig_keyring kr = { .count = 3 };

	make_key(&kr.keys[0], "ctl.sekisho.", TSIG_ALG_HMAC_SHA256, 0x11);
	make_key(&kr.keys[1], "ctl384.sekisho.", TSIG_ALG_HMAC_SHA384, 0x22);
	make_key(&kr.keys[2], "ctl512.sekisho.", TSIG_ALG_HMAC_SHA512, 0x33);
	return kr;
}

static struct tsig_sign_params params_at(uint64_t now)
{
	return (struct tsig_sign_params){ .now = now, .fudge = TSIG_FUDGE_DEFAULT };
}

/* Signs a fresh query with @key at T0; returns the signed length. */
static size_t signed_query(uint8_t *buf, size_t cap, const struct tsig_key *key,
			   struct tsig_info *info)
{
	struct tsig_sign_params p = params_at(T0);
	size_t len = make_query(buf, cap), out = 0;

	CHECK_INT(tsig_sign(buf, len, cap, key, &p, &out, info), TSIG_OK);
	return out;
}

/* ---- HMAC (RFC 4231 §4) ------------------------------------------------------------ */

struct hmac_case {
	const char *key_hex;
	const char *data_hex; /* NULL: data_text */
	const char *data_text;
	const char *mac[3];   /* SHA-256, SHA-384, SHA-512; case 5 compares 16 bytes */
};

static const struct hmac_case rfc4231[] = {
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", NULL, "Hi There", {
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	  "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6",
	  "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" } },
	{ "4a656665", NULL, "what do ya want for nothing?", {
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	  "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	  "8e2240ca5e69e2c78b3239ecfab21649",
	  "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" } },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	  "dddddddddddddddddddddddddddddddddddd", NULL, {
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	  "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	  "2a5ab39dc13814b94e3ab6e101a34f27",
	  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	  "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" } },
	{ "0102030405060708090a0b0c0d0e0f10111213141516171819",
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd", NULL, {
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	  "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
	  "6801dd23c4a7d679ccf8a386c674cffb",
	  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	  "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" } },
	{ "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", NULL, "Test With Truncation", {
	  "a3b6167473100ee06e0c796c2955552b",
	  "3abf34c3503b2a23a46efc619baef897",
	  "415fad6271580a531d4179bc891d87a6" } },
	{ NULL, NULL, "Test Using Larger Than Block-Size Key - Hash Key First", {
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952",
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" } },
	{ NULL, NULL, "This is a test using a larger than block-size key and a larger "
	  "than block-size data. The key needs to be hashed before being used by the HMAC "
	  "algorithm.", {
	  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	  "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
	  "a678cc31e799176d3860e6110c46523e",
	  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	  "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" } },
};

static void check_rfc4231(enum tsig_alg alg)
{
	for (size_t i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
		const struct hmac_case *c = &rfc4231[i];
		uint8_t key[131], data[256], want[64], got[64];
		size_t klen, dlen, wlen;

		if (c->key_hex != NULL) {
			klen = unhex(c->key_hex, key);
		} else {
			klen = 131; /* cases 6 and 7: 131 bytes of 0xaa */
			memset(key, 0xaa, klen);
		}
		if (c->data_hex != NULL) {
			dlen = unhex(c->data_hex, data);
		} else {
			dlen = strlen(c->data_text);
			memcpy(data, c->data_text, dlen);
		}
		wlen = unhex(c->mac[alg], want);
		CHECK_INT(tsig_hmac(alg, key, klen, data, dlen, got), tsig_alg_mac_len(alg));
		if (memcmp(got, want, wlen) != 0)
			fprintf(stderr, "  RFC 4231 case %zu, %s\n", i + 1, tsig_alg_name(alg));
		CHECK(memcmp(got, want, wlen) == 0);
	}
}

static void test_hmac_sha256_rfc4231_vectors(void)
{
	check_rfc4231(TSIG_ALG_HMAC_SHA256);
}

static void test_hmac_sha384_rfc4231_vectors(void)
{
	check_rfc4231(TSIG_ALG_HMAC_SHA384);
}

static void test_hmac_sha512_rfc4231_vectors(void)
{
	check_rfc4231(TSIG_ALG_HMAC_SHA512);
}

/* ---- Sign and verify --------------------------------------------------------------- */

static void test_sign_verify_round_trip_gives_plain_message(void)
{
	struct tsig_keyring kr = ring();

	for (unsigned i = 0; i < kr.count; i++) {
		uint8_t buf[1024], plain[1024];
		struct tsig_info si, vi;
		size_t plain_len = make_query(plain, sizeof(plain));
		size_t len = signed_query(buf, sizeof(buf), &kr.keys[i], &si), out = 0;

		CHECK_INT(wire_get_u16(buf + 10), 1); /* ARCOUNT counts the TSIG */
		CHECK_INT(len, plain_len + kr.keys[i].name_len + 10 + 13 + 10 +
			  tsig_alg_mac_len(kr.keys[i].alg) + 6);
		CHECK_INT(tsig_verify(buf, len, &kr, T0 + 10, NULL, 0, &out, &vi), TSIG_OK);
		CHECK_INT(out, plain_len);
		CHECK(memcmp(buf, plain, plain_len) == 0);
		CHECK(vi.key == &kr.keys[i]);
		CHECK_INT(vi.time_signed, T0);
		CHECK_INT(vi.fudge, TSIG_FUDGE_DEFAULT);
		CHECK_INT(vi.orig_id, 0x1234);
		CHECK_INT(vi.mac_len, si.mac_len);
		CHECK(memcmp(vi.mac, si.mac, si.mac_len) == 0);
	}
}

/* The original ID field lets a forwarder change the ID; the caller gets it back. */
static void test_rewritten_id_verifies_and_is_restored(void)
{
	struct tsig_keyring kr = ring();
	uint8_t buf[1024];
	size_t len = signed_query(buf, sizeof(buf), &kr.keys[0], NULL), out = 0;

	wire_put_u16(buf, 0xbeef);
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_OK);
	CHECK_INT(wire_get_u16(buf), 0x1234);
}

static void test_unknown_key_name_gives_badkey(void)
{
	struct tsig_keyring kr = ring();
	struct tsig_key other;
	struct tsig_info vi;
	uint8_t buf[1024], copy[1024];
	size_t len, out = 0;

	make_key(&other, "other.sekisho.", TSIG_ALG_HMAC_SHA256, 0x11);
	len = signed_query(buf, sizeof(buf), &other, NULL);
	memcpy(copy, buf, len);
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, &vi), TSIG_EBADKEY);
	CHECK(vi.key == NULL);
	CHECK(memcmp(buf, copy, len) == 0); /* untouched */
	CHECK_INT(tsig_err_rcode(TSIG_EBADKEY), WIRE_RCODE_BADKEY);
}

static void test_known_name_with_other_algorithm_gives_badkey(void)
{
	struct tsig_keyring kr = ring();
	struct tsig_key k = kr.keys[0];
	uint8_t buf[1024];
	size_t len, out = 0;

	k.alg = TSIG_ALG_HMAC_SHA512;
	len = signed_query(buf, sizeof(buf), &k, NULL);
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_EBADKEY);
}

static void test_key_name_matches_ignoring_case(void)
{
	struct tsig_keyring kr = ring();
	uint8_t buf[1024];
	size_t len = signed_query(buf, sizeof(buf), &kr.keys[0], NULL), plain, out = 0;

	/* Owner of the TSIG starts right after the question. */
	plain = make_query((uint8_t[512]){ 0 }, 512);
	buf[plain + 1] = 'C'; /* "ctl" -> "Ctl" */
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_OK);
}

static void test_flipped_mac_byte_gives_badsig(void)
{
	struct tsig_keyring kr = ring();

	for (unsigned i = 0; i < kr.count; i++) {
		uint8_t buf[1024];
		size_t len = signed_query(buf, sizeof(buf), &kr.keys[i], NULL), out = 0;
		size_t mac_len = tsig_alg_mac_len(kr.keys[i].alg);

		/* first, middle and last MAC bytes; the MAC ends 6 bytes before the end */
		size_t at[3] = { len - 6 - mac_len, len - 6 - mac_len / 2, len - 7 };

		for (int j = 0; j < 3; j++) {
			buf[at[j]] ^= 0x01;
			CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL),
				  TSIG_EBADSIG);
			buf[at[j]] ^= 0x01;
		}
		CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_OK);
	}
	CHECK_INT(tsig_err_rcode(TSIG_EBADSIG), 16);
}

static void test_message_changed_after_signing_gives_badsig(void)
{
	struct tsig_keyring kr = ring();
	uint8_t buf[1024];
	size_t len = signed_query(buf, sizeof(buf), &kr.keys[0], NULL), out = 0;

	buf[13] = 'W'; /* www -> Www */
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_EBADSIG);
	buf[13] = 'w';
	buf[2] ^= 0x01; /* RD -> RD plus another flag bit */
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_EBADSIG);
	buf[2] ^= 0x01;
	/* the fudge is covered by the MAC too */
	buf[len - 6 - 32 - 4] ^= 0x01;
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_EBADSIG);
}

static void test_truncated_mac_gives_badsig(void)
{
	struct tsig_keyring kr = ring();
	uint8_t buf[1024];
	size_t len = signed_query(buf, sizeof(buf), &kr.keys[0], NULL), out = 0;
	size_t mac_off = len - 6 - 32, rdlen_off = make_query((uint8_t[512]){ 0 }, 512) +
			 kr.keys[0].name_len + 8;

	/* MAC size 16 with RDLENGTH 16 shorter: consistent, but truncated */
	wire_put_u16(buf + mac_off - 2, 16);
	memmove(buf + mac_off + 16, buf + mac_off + 32, 6);
	wire_put_u16(buf + rdlen_off, (uint16_t)(wire_get_u16(buf + rdlen_off) - 16));
	CHECK_INT(tsig_verify(buf, len - 16, &kr, T0, NULL, 0, &out, NULL), TSIG_EBADSIG);
}

static void test_time_outside_fudge_gives_badtime(void)
{
	struct tsig_keyring kr = ring();
	uint8_t buf[1024], plain[1024];
	struct tsig_info si, vi;
	size_t plain_len = make_query(plain, sizeof(plain));
	size_t len = signed_query(buf, sizeof(buf), &kr.keys[0], &si), out = 0;
	uint8_t copy[1024];

	memcpy(copy, buf, len);
	CHECK_INT(tsig_verify(buf, len, &kr, T0 + 300, NULL, 0, &out, NULL), TSIG_OK);
	memcpy(buf, copy, len);
	CHECK_INT(tsig_verify(buf, len, &kr, T0 - 300, NULL, 0, &out, NULL), TSIG_OK);
	memcpy(buf, copy, len);
	CHECK_INT(tsig_verify(buf, len, &kr, T0 + 301, NULL, 0, &out, &vi), TSIG_EBADTIME);
	/* the MAC was good: plain message handed back, MAC kept for the BADTIME answer */
	CHECK_INT(out, plain_len);
	CHECK(memcmp(buf, plain, plain_len) == 0);
	CHECK(memcmp(vi.mac, si.mac, si.mac_len) == 0);
	memcpy(buf, copy, len);
	CHECK_INT(tsig_verify(buf, len, &kr, T0 - 301, NULL, 0, &out, NULL), TSIG_EBADTIME);
	CHECK_INT(tsig_err_rcode(TSIG_EBADTIME), WIRE_RCODE_BADTIME);
}

static void test_truncated_message_gives_formerr(void)
{
	struct tsig_keyring kr = ring();
	uint8_t buf[1024];
	size_t len = signed_query(buf, sizeof(buf), &kr.keys[0], NULL), out = 0;
	size_t plain_len = make_query((uint8_t[512]){ 0 }, 512);

	for (size_t cut = plain_len; cut < len; cut++)
		CHECK_INT(tsig_verify(buf, cut, &kr, T0, NULL, 0, &out, NULL), TSIG_EFORMERR);
	CHECK_INT(tsig_err_rcode(TSIG_EFORMERR), WIRE_RCODE_FORMERR);
}

static void test_garbled_tsig_gives_formerr(void)
{
	struct tsig_keyring kr = ring();
	uint8_t buf[1024], copy[1024];
	size_t len = signed_query(buf, sizeof(buf), &kr.keys[0], NULL), out = 0;
	size_t tsig = make_query((uint8_t[512]){ 0 }, 512);
	size_t fixed = tsig + kr.keys[0].name_len; /* TYPE CLASS TTL RDLENGTH */
	size_t alg = fixed + 10, mac_size = alg + 13 + 8;

	memcpy(copy, buf, len);
	/* class IN instead of ANY */
	wire_put_u16(buf + fixed + 2, WIRE_CLASS_IN);
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_EFORMERR);
	memcpy(buf, copy, len);
	/* MAC size larger than what is left */
	wire_put_u16(buf + mac_size, 200);
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_EFORMERR);
	memcpy(buf, copy, len);
	/* MAC size one short: the fields after it no longer line up */
	wire_put_u16(buf + mac_size, 31);
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_EFORMERR);
	memcpy(buf, copy, len);
	/* algorithm name as a compression pointer */
	buf[alg] = 0xc0;
	buf[alg + 1] = 12;
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_EFORMERR);
	memcpy(buf, copy, len);
	/* other len says 1 but there is nothing */
	wire_put_u16(buf + len - 2, 1);
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_EFORMERR);
	memcpy(buf, copy, len);
	/* a byte after the TSIG record */
	buf[len] = 0;
	CHECK_INT(tsig_verify(buf, len + 1, &kr, T0, NULL, 0, &out, NULL), TSIG_EFORMERR);
	/* everything untouched on these errors */
	CHECK(memcmp(buf, copy, len) == 0);
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_OK);
}

static void test_tsig_not_last_gives_formerr(void)
{
	struct tsig_keyring kr = ring();
	uint8_t buf[1024];
	size_t len = signed_query(buf, sizeof(buf), &kr.keys[0], NULL), out = 0;
	/* an A record for the root after the TSIG */
	static const uint8_t a_rr[] = { 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1 };

	memcpy(buf + len, a_rr, sizeof(a_rr));
	wire_put_u16(buf + 10, 2);
	CHECK_INT(tsig_verify(buf, len + sizeof(a_rr), &kr, T0, NULL, 0, &out, NULL),
		  TSIG_EFORMERR);
}

static void test_unsigned_message_gives_nosig(void)
{
	struct tsig_keyring kr = ring();
	uint8_t buf[512];
	size_t len = make_query(buf, sizeof(buf)), out = 0;

	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_ENOSIG);
	CHECK_INT(tsig_verify(buf, 5, &kr, T0, NULL, 0, &out, NULL), TSIG_EFORMERR);
}

static void test_response_mac_chained_to_request_mac(void)
{
	struct tsig_keyring kr = ring();
	uint8_t buf[1024], req_mac[TSIG_MAC_MAX];
	struct tsig_info client, server, reply;
	size_t len = signed_query(buf, sizeof(buf), &kr.keys[1], &client), out = 0;
	struct tsig_sign_params p = params_at(T0 + 1);
	uint8_t copy[1024];

	/* server: verify the request, answer it, sign chained to the request's MAC */
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, &server), TSIG_OK);
	wire_put_u16(buf + 2, WIRE_FLAG_QR | WIRE_FLAG_RD | WIRE_FLAG_RA);
	p.req_mac = server.mac;
	p.req_mac_len = server.mac_len;
	CHECK_INT(tsig_sign(buf, out, sizeof(buf), server.key, &p, &len, &reply), TSIG_OK);
	memcpy(copy, buf, len);
	/* client: only the request's MAC makes the response verify */
	CHECK_INT(tsig_verify(buf, len, &kr, T0, NULL, 0, &out, NULL), TSIG_EBADSIG);
	memcpy(req_mac, client.mac, client.mac_len);
	req_mac[0] ^= 0x80;
	CHECK_INT(tsig_verify(buf, len, &kr, T0, req_mac, client.mac_len, &out, NULL),
		  TSIG_EBADSIG);
	CHECK_INT(tsig_verify(buf, len, &kr, T0, client.mac, client.mac_len, &out, NULL),
		  TSIG_OK);
	CHECK_INT(wire_get_u16(buf + 2), WIRE_FLAG_QR | WIRE_FLAG_RD | WIRE_FLAG_RA);
}

static void test_sign_without_room_gives_enospc(void)
{
	struct tsig_keyring kr = ring();
	struct tsig_sign_params p = params_at(T0);
	uint8_t buf[1024], copy[1024];
	size_t len = make_query(buf, sizeof(buf)), out = 0;

	memcpy(copy, buf, len);
	CHECK_INT(tsig_sign(buf, len, len + 40, &kr.keys[0], &p, &out, NULL), TSIG_ENOSPC);
	CHECK(memcmp(buf, copy, len) == 0);
	CHECK_INT(tsig_sign(buf, len, len + TSIG_RR_MAX, &kr.keys[2], &p, &out, NULL), TSIG_OK);
	/* signing twice is refused */
	CHECK_INT(tsig_sign(buf, out, sizeof(buf), &kr.keys[0], &p, &len, NULL), TSIG_EFORMERR);
}

static void test_badtime_answer_carries_other_data(void)
{
	struct tsig_keyring kr = ring();
	uint8_t buf[1024], other[6] = { 0, 0, 0x65, 0x53, 0xf1, 0x00 };
	struct tsig_sign_params p = params_at(T0);
	struct tsig_info vi;
	size_t len = make_query(buf, sizeof(buf)), out = 0;

	p.error = WIRE_RCODE_BADTIME;
	p.other = other;
	p.other_len = sizeof(other);
	CHECK_INT(tsig_sign(buf, len, sizeof(buf), &kr.keys[0], &p, &out, NULL), TSIG_OK);
	CHECK(memcmp(buf + out - 6, other, 6) == 0);
	CHECK_INT(tsig_verify(buf, out, &kr, T0, NULL, 0, &len, &vi), TSIG_OK);
	CHECK_INT(vi.error, WIRE_RCODE_BADTIME);
}

/* ---- Key files --------------------------------------------------------------------- */

static void test_key_file_with_two_keys_and_comments(void)
{
	static const char text[] =
		"# sekisho control keys\n"
		"key \"ctl.sekisho.\" {\n"
		"\talgorithm hmac-sha256;   // the default\n"
		"\tsecret \"AQIDBA==\";\n"
		"};\n"
		"/* a second key,\n"
		"   over two lines */\n"
		"key Backup.Sekisho { algorithm \"HMAC-SHA512\"; secret \"AQIDBAU=\"; };\n";
	struct tsig_keyring kr;
	char err[256] = "";

	CHECK_INT(tsig_keys_parse(text, strlen(text), "ctl.key", &kr, err, sizeof(err)), TSIG_OK);
	CHECK_STR(err, "");
	CHECK_INT(kr.count, 2);
	CHECK_NAME(kr.keys[0].name, kr.keys[0].name_len, "\3ctl\7sekisho");
	CHECK_INT(kr.keys[0].alg, TSIG_ALG_HMAC_SHA256);
	CHECK_BYTES(kr.keys[0].secret, kr.keys[0].secret_len, 1, 2, 3, 4);
	CHECK_NAME(kr.keys[1].name, kr.keys[1].name_len, "\6backup\7sekisho");
	CHECK_INT(kr.keys[1].alg, TSIG_ALG_HMAC_SHA512);
	CHECK_BYTES(kr.keys[1].secret, kr.keys[1].secret_len, 1, 2, 3, 4, 5);
	CHECK(tsig_key_find(&kr, (const uint8_t *)"\6BACKUP\7sekisho", 16,
			    TSIG_ALG_HMAC_SHA512) == &kr.keys[1]);
	CHECK(tsig_key_find(&kr, (const uint8_t *)"\6backup\7sekisho", 16,
			    TSIG_ALG_HMAC_SHA256) == NULL);
}

static void test_key_file_errors_name_their_line(void)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "key \"a.\" {\n algorithm hmac-md5;\n secret \"AAAA\";\n};\n",
		  "t.key:2: unknown algorithm \"hmac-md5\"" },
		{ "key \"a.\" {\n algorithm hmac-sha256;\n secret \"AA!A\";\n};\n",
		  "t.key:3: secret is not base64" },
		{ "key \"a.\" {\n algorithm hmac-sha256;\n secret \"AAAAA\";\n};\n",
		  "t.key:3: secret is not base64" },
		{ "\nkey \"a.\" {\n algorithm hmac-sha256;\n};\n", "t.key:2: key has no secret" },
		{ "key a. { secret \"AAAA\"; };\n", "t.key:1: key has no algorithm" },
		{ "key \"a.\" {\n secret \"AAAA;\n};\n", "t.key:2: unterminated string" },
		{ "# x\n/* never\n closed\n", "t.key:2: unterminated comment" },
		{ "key a. { algorithm hmac-sha256; secret \"AAAA\"; };\n\n"
		  "key A. { algorithm hmac-sha384; secret \"AAAA\"; };\n",
		  "t.key:3: duplicate key name" },
		{ "key a. { algorithm hmac-sha256; secret \"AAAA\"; }\nkey b. {};\n",
		  "t.key:2: expected ';' after '}'" },
		{ "key a. {\n algorithm hmac-sha256;\n\n secrets \"AAAA\";\n};\n",
		  "t.key:4: unknown key clause \"secrets\"" },
		{ "\n\noptions { };\n", "t.key:3: expected a key statement" },
		{ "key a. { algorithm hmac-sha256;\n algorithm hmac-sha256; };\n",
		  "t.key:2: algorithm given twice" },
		{ "key a. { algorithm hmac-sha256\n secret \"AAAA\"; };\n",
		  "t.key:2: expected ';' after the value" },
		{ "key \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.\" {};",
		  "t.key:1: bad key name" },
		{ "key a. { algorithm hmac-sha256; secret \"\"; };", "t.key:1: empty secret" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tsig_keyring kr;
		char err[256] = "";

		CHECK_INT(tsig_keys_parse(cases[i].text, strlen(cases[i].text), "t.key", &kr,
					  err, sizeof(err)), TSIG_EPARSE);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0) {
			fprintf(stderr, "  case %zu: got \"%s\", want \"%s...\"\n", i, err,
				cases[i].want);
			CHECK(0);
		}
		CHECK_INT(kr.count, 0);
	}
}

static void test_secret_longer_than_128_bytes_is_refused(void)
{
	char text[512];
	char b64[200];
	struct tsig_keyring kr;
	char err[256] = "";

	memset(b64, 'A', 176); /* 132 bytes */
	b64[176] = '\0';
	snprintf(text, sizeof(text), "key a. {\n algorithm hmac-sha256;\n secret \"%s\"; };", b64);
	CHECK_INT(tsig_keys_parse(text, strlen(text), "t", &kr, err, sizeof(err)), TSIG_EPARSE);
	CHECK(strncmp(err, "t:3: secret is not base64 or longer than 128", 44) == 0);
	b64[172] = '\0'; /* 129 bytes */
	snprintf(text, sizeof(text), "key a. { algorithm hmac-sha256; secret \"%s\"; };", b64);
	CHECK_INT(tsig_keys_parse(text, strlen(text), "t", &kr, err, sizeof(err)), TSIG_EPARSE);
	b64[171] = '='; /* 128 bytes */
	snprintf(text, sizeof(text), "key a. { algorithm hmac-sha256; secret \"%s\"; };", b64);
	CHECK_INT(tsig_keys_parse(text, strlen(text), "t", &kr, err, sizeof(err)), TSIG_OK);
	CHECK_INT(kr.keys[0].secret_len, 128);
}

static void test_keygen_output_parses_back_to_same_key(void)
{
	for (int a = TSIG_ALG_HMAC_SHA256; a <= TSIG_ALG_HMAC_SHA512; a++) {
		struct tsig_key k1, k2;
		struct tsig_keyring kr;
		char text[1024], err[256] = "";
		int n;

		CHECK_INT(tsig_key_generate("Ctl.Sekisho", (enum tsig_alg)a, &k1), TSIG_OK);
		CHECK_INT(tsig_key_generate("ctl.sekisho.", (enum tsig_alg)a, &k2), TSIG_OK);
		CHECK_INT(k1.secret_len, tsig_alg_mac_len((enum tsig_alg)a));
		CHECK(memcmp(k1.secret, k2.secret, k1.secret_len) != 0);
		n = tsig_key_format(&k1, text, sizeof(text));
		CHECK(n > 0);
		CHECK(strncmp(text, "key \"ctl.sekisho.\" {\n\talgorithm hmac-sha", 40) == 0);
		CHECK_INT(tsig_keys_parse(text, (size_t)n, "gen", &kr, err, sizeof(err)), TSIG_OK);
		CHECK_INT(kr.count, 1);
		CHECK(memcmp(&kr.keys[0], &k1, sizeof(k1)) == 0);
		CHECK_INT(tsig_key_format(&k1, text, 20), TSIG_ENOSPC);
	}
	CHECK_INT(tsig_key_generate("a..b", TSIG_ALG_HMAC_SHA256, &(struct tsig_key){ 0 }),
		  TSIG_EINVAL);
}

static void test_key_file_load_from_disk(void)
{
	char path[] = "/tmp/test_tsig_XXXXXX";
	static const char text[] = "key k. { algorithm hmac-sha384; secret \"AAECAw==\"; };\n";
	struct tsig_keyring kr;
	char err[256] = "";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	CHECK_INT(tsig_keys_load(path, &kr, err, sizeof(err)), TSIG_OK);
	CHECK_INT(kr.count, 1);
	CHECK_INT(kr.keys[0].alg, TSIG_ALG_HMAC_SHA384);
	unlink(path);
	CHECK_INT(tsig_keys_load(path, &kr, err, sizeof(err)), TSIG_EIO);
	CHECK(strstr(err, "No such file") != NULL);
}

/* ---- dig interop helper ------------------------------------------------------------ */

static int verify_file(const char *keyfile, const char *msgfile, const char *now)
{
	struct tsig_keyring kr;
	struct tsig_info vi;
	char err[256];
	uint8_t msg[WIRE_MSG_MAX];
	size_t len, out = 0;
	FILE *f = fopen(msgfile, "rb");
	int rc;

	if (tsig_keys_load(keyfile, &kr, err, sizeof(err)) != TSIG_OK || f == NULL) {
		fprintf(stderr, "%s\n", f == NULL ? msgfile : err);
		return 2;
	}
	len = fread(msg, 1, sizeof(msg), f);
	fclose(f);
	rc = tsig_verify(msg, len, &kr, strtoull(now, NULL, 10), NULL, 0, &out, &vi);
	printf("%s (%d), %zu -> %zu bytes\n", tsig_strerror(rc), rc, len, out);
	return rc == TSIG_OK ? 0 : 1;
}

/* Verifies the query, answers it (QR, RA, no records) signed chained to its MAC. */
static int respond_file(const char *keyfile, const char *qfile, const char *rfile,
			const char *now)
{
	struct tsig_keyring kr;
	struct tsig_info vi;
	struct tsig_sign_params p = { .fudge = TSIG_FUDGE_DEFAULT };
	struct wire_question q;
	char err[256];
	uint8_t msg[WIRE_MSG_MAX];
	size_t len, out = 0;
	FILE *f = fopen(qfile, "rb");
	int rc;

	if (tsig_keys_load(keyfile, &kr, err, sizeof(err)) != TSIG_OK || f == NULL)
		return 2;
	len = fread(msg, 1, sizeof(msg), f);
	fclose(f);
	p.now = strtoull(now, NULL, 10);
	rc = tsig_verify(msg, len, &kr, p.now, NULL, 0, &out, &vi);
	if (rc != TSIG_OK)
		return 1;
	p.req_mac = vi.mac;
	p.req_mac_len = vi.mac_len;
	wire_put_u16(msg + 2, (uint16_t)(wire_get_u16(msg + 2) | WIRE_FLAG_QR | WIRE_FLAG_RA));
	wire_put_u16(msg + 10, 0); /* drop dig's OPT: the question and header are enough */
	if (wire_get_u16(msg + 4) != 1 || wire_parse_question(msg, out, WIRE_HDR_LEN, &q) != 0)
		return 1;
	if (tsig_sign(msg, q.end_off, sizeof(msg), vi.key, &p, &out, NULL) != TSIG_OK)
		return 1;
	f = fopen(rfile, "wb");
	if (f == NULL || fwrite(msg, 1, out, f) != out)
		return 2;
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "verify") == 0)
		return verify_file(argv[2], argv[3], argv[4]);
	if (argc == 6 && strcmp(argv[1], "respond") == 0)
		return respond_file(argv[2], argv[3], argv[4], argv[5]);
	RUN(test_hmac_sha256_rfc4231_vectors);
	RUN(test_hmac_sha384_rfc4231_vectors);
	RUN(test_hmac_sha512_rfc4231_vectors);
	RUN(test_sign_verify_round_trip_gives_plain_message);
	RUN(test_rewritten_id_verifies_and_is_restored);
	RUN(test_unknown_key_name_gives_badkey);
	RUN(test_known_name_with_other_algorithm_gives_badkey);
	RUN(test_key_name_matches_ignoring_case);
	RUN(test_flipped_mac_byte_gives_badsig);
	RUN(test_message_changed_after_signing_gives_badsig);
	RUN(test_truncated_mac_gives_badsig);
	RUN(test_time_outside_fudge_gives_badtime);
	RUN(test_truncated_message_gives_formerr);
	RUN(test_garbled_tsig_gives_formerr);
	RUN(test_tsig_not_last_gives_formerr);
	RUN(test_unsigned_message_gives_nosig);
	RUN(test_response_mac_chained_to_request_mac);
	RUN(test_sign_without_room_gives_enospc);
	RUN(test_badtime_answer_carries_other_data);
	RUN(test_key_file_with_two_keys_and_comments);
	RUN(test_key_file_errors_name_their_line);
	RUN(test_secret_longer_than_128_bytes_is_refused);
	RUN(test_keygen_output_parses_back_to_same_key);
	RUN(test_key_file_load_from_disk);
	tsig_thread_cleanup();
	return unit_check_exit();
}
