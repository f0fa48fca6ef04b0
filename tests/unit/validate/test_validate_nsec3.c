/*
 * test_validate_nsec3.c - NSEC3 hashing (RFC 5155 §5) through ipsec-mb: the RFC 5155
 * appendix A hashes (salt aabbccdd, 12 iterations; the same list Unbound's
 * test_nsec3_hash.1 checks, upper-case names included), one at a time and batched,
 * and the plain definition checked against OpenSSL's SHA-1.
 */
#include <openssl/sha.h>

#include "validate_test.h"

/* RFC 4648 base32hex, lower case, no padding (20 bytes -> 32 characters). */
static void base32hex(const uint8_t h[VALIDATE_NSEC3_HASH_LEN], char out[33])
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";
	unsigned bits = 0, acc = 0, n = 0;

	for (size_t i = 0; i < VALIDATE_NSEC3_HASH_LEN; i++) {
		acc = (acc << 8) | h[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = digits[(acc >> bits) & 31];
		}
	}
	out[n] = '\0';
}

static const struct {
	const char *name;
	const char *hash;
} appendix_a[] = {
	{ "example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" },
	{ "a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl" },
	{ "ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi" },
	{ "ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr" },
	{ "ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r" },
	{ "w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h" },
	{ "*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en" },
	{ "x.w.example.", "b4um86eghhds6nea196smvmlo4ors995" },
	{ "y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc" },
	{ "x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s" },
	{ "xx.example.", "t644ebqk9bibcna874givr6joj62mlhv" },
	{ "a.c.x.w.example.", "06pjpo0bna507odhmdh856ignbmhtjf3" },
	{ "c.x.w.example.", "0va5bpr2ou0vk0lbqeeljri88laipsfh" },
	{ "*.x.w.example.", "92pqneegtaue7pjatc3l3qnk738c6v5m" },
	{ "c.example.", "4g6p9u5gvfshp30pqecj98b3maqbn1ck" },
	{ "mc.c.example.", "s71cesjmm4u9h8cafacfnsdr9ug81dne" },
	{ "ns1.a.example.", "ebgt17br6arldpp8u49p39iqfjqre32i" },
	{ "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.", "kohar7mbb8dc2ce8a9qvl8hon4k53uhi" },
	/* test_nsec3_hash.1: letter case does not change the hash. */
	{ "xX.example.", "t644ebqk9bibcna874givr6joj62mlhv" },
	{ "AI.example.", "gjeqe526plbf1g8mklp59enfd789njgi" },
};
#define N_APPENDIX_A (sizeof(appendix_a) / sizeof(appendix_a[0]))

static const uint8_t salt[] = { 0xaa, 0xbb, 0xcc, 0xdd };

static void test_rfc5155_appendix_a_hashes(void)
{
	uint8_t name[WIRE_NAME_MAX], h[VALIDATE_NSEC3_HASH_LEN];
	char text[33];

	for (size_t i = 0; i < N_APPENDIX_A; i++) {
		size_t len = t_name(appendix_a[i].name, name);
		CHECK_INT(validate_nsec3_hash(name, len, salt, sizeof(salt), 12, h), 0);
		base32hex(h, text);
		CHECK_STR(text, appendix_a[i].hash);
	}
}

/* All of appendix A in one call (more names than one round's 16 lanes), with one bad
 * request in the middle that must not spoil the others. */
static void test_batch_matches_appendix_a(void)
{
	static uint8_t names[N_APPENDIX_A + 1][WIRE_NAME_MAX];
	struct validate_nsec3_req reqs[N_APPENDIX_A + 1];
	static const uint8_t bad_name[] = { 5, 'a', 0 };
	char text[33];
	unsigned bad = 7;

	for (size_t i = 0, k = 0; i < N_APPENDIX_A + 1; i++) {
		if (i == bad) {
			reqs[i] = (struct validate_nsec3_req){ .name = bad_name, .name_len = 3,
				.salt = salt, .salt_len = 4, .iterations = 12 };
			continue;
		}
		size_t len = t_name(appendix_a[k].name, names[i]);
		reqs[i] = (struct validate_nsec3_req){ .name = names[i], .name_len = len,
			.salt = salt, .salt_len = sizeof(salt), .iterations = 12 };
		k++;
	}
	CHECK_INT(validate_nsec3_hash_batch(reqs, N_APPENDIX_A + 1), (int)N_APPENDIX_A);
	CHECK_INT(reqs[bad].rc, -EINVAL);
	for (size_t i = 0, k = 0; i < N_APPENDIX_A + 1; i++) {
		if (i == bad)
			continue;
		CHECK_INT(reqs[i].rc, 0);
		base32hex(reqs[i].hash, text);
		CHECK_STR(text, appendix_a[k].hash);
		k++;
	}
}

/* The definition, against OpenSSL: IH(salt, x, 0) = H(x | salt), then k more rounds of
 * H(previous | salt); different iteration counts side by side in one batch. */
static void test_iterations_and_salt_match_definition(void)
{
	static const uint8_t name[] = { 3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	static const uint8_t lower[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	uint8_t buf[64], want[20], got[20];
	unsigned iters[] = { 0, 1, 2, 150 };
	struct validate_nsec3_req reqs[4];

	for (unsigned t = 0; t < 4; t++)
		reqs[t] = (struct validate_nsec3_req){ .name = name, .name_len = sizeof(name),
			.salt = t == 1 ? NULL : salt, .salt_len = t == 1 ? 0 : sizeof(salt),
			.iterations = iters[t] };
	CHECK_INT(validate_nsec3_hash_batch(reqs, 4), 4);
	for (unsigned t = 0; t < 4; t++) {
		size_t slen = reqs[t].salt_len;
		memcpy(buf, lower, sizeof(lower));
		memcpy(buf + sizeof(lower), salt, slen);
		SHA1(buf, sizeof(lower) + slen, want);
		for (unsigned k = 0; k < iters[t]; k++) {
			memcpy(buf, want, 20);
			memcpy(buf + 20, salt, slen);
			SHA1(buf, 20 + slen, want);
		}
		CHECK(memcmp(reqs[t].hash, want, 20) == 0);
		CHECK_INT(validate_nsec3_hash(name, sizeof(name), reqs[t].salt, slen, iters[t], got), 0);
		CHECK(memcmp(got, want, 20) == 0);
	}
}

static void test_bad_arguments(void)
{
	static const uint8_t name[] = { 1, 'a', 0 };
	static const uint8_t big_salt[256];
	uint8_t h[20];

	CHECK_INT(validate_nsec3_hash(name, 2, salt, 4, 1, h), -EINVAL);
	CHECK_INT(validate_nsec3_hash(name, 3, big_salt, 256, 1, h), -EINVAL);
	CHECK_INT(validate_nsec3_hash(name, 3, salt, 4, 65536, h), -EINVAL);
	CHECK_INT(validate_nsec3_hash(name, 3, big_salt, 255, 65535, h), 0);
}

int main(void)
{
	RUN(test_rfc5155_appendix_a_hashes);
	RUN(test_batch_matches_appendix_a);
	RUN(test_iterations_and_salt_match_definition);
	RUN(test_bad_arguments);
	validate_thread_cleanup();
	return unit_check_exit();
}
