/*
 * bench/crypto_bench: DNSSEC verifications per second on one core through the batch
 * engine (dataplane/validate), side by side with `openssl speed` for the same
 * algorithms, and the same engine with batches of 1, 32 and 64 jobs.
 *
 *   sekisho-bench-crypto [--seconds N] [--rounds N] [--openssl PROGRAM] [--json FILE]
 *                        [--rrsets N]
 *
 * The reference: `PROGRAM speed -mr -elapsed -seconds N <alg>` (rsa2048, ecdsap256,
 * ecdsap384, ed25519; PROGRAM defaults to "openssl", "none" skips it), run by this
 * program right before the engine measures the same algorithm, on the same CPU (it
 * inherits the affinity bench/run sets). Each figure is the best of --rounds (default
 * 3) rounds; within a round openssl speed and every engine column take turns, so a busy
 * machine (other processes on the core) skews every column alike.
 *
 * Set-up (not timed): one fresh key per algorithm (8 RSA-2048/SHA-256, 13 P-256,
 * 14 P-384, 15 Ed25519), --rrsets distinct RRsets (default 256: two A records under
 * w<i>.bench.example.) each signed with it. Timed loop, per algorithm and batch size:
 * take the next B RRsets, get the key from the key cache (a hit, as in steady state),
 * validate_batch_add_sig() (canonical form + signed data into the arena),
 * validate_batch_run() (multi-buffer hashing through ipsec-mb, OpenSSL verification),
 * check every status, reset, release. Everything a worker would do per verification
 * except parsing the message, so the figure is what one core can validate.
 *
 * Reports figures, never fails on speed. Exit 1 when set-up fails or a signature that
 * must verify does not.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "validate.h"
#include "wire.h"

#define RRSETS_MAX 4096
#define RRSIG_MAX 1024
#define NOW 1700000000u

static const unsigned batch_sizes[] = { 1, 32, 64 };
/* The dedupe case: each distinct job added this many times to a batch of 64. */
#define DUP_COPIES 4
#define N_SIZES (sizeof(batch_sizes) / sizeof(batch_sizes[0]))

struct alg_case {
	uint8_t alg;
	const char *name;         /* for the table */
	const char *speed_id;     /* `openssl speed` algorithm */
	const char *speed_key;    /* how its -mr line says it: "F2:..:2048", "F6:..:Ed25519" */
	double openssl_verify;    /* verifications/s from openssl speed, 0 if unknown */
	double engine[N_SIZES];   /* verifications/s through the batch engine */
	double engine_dup;        /* results/s, batches of 64 holding DUP_COPIES copies */
};

static struct alg_case cases[] = {
	{ 8, "RSASHA256 (2048)", "rsa2048", "+F2:%*d:2048:%*f:%lf", 0, { 0 } },
	{ 13, "ECDSAP256SHA256", "ecdsap256", "+F4:%*d:256:%*f:%lf", 0, { 0 } },
	{ 14, "ECDSAP384SHA384", "ecdsap384", "+F4:%*d:384:%*f:%lf", 0, { 0 } },
	{ 15, "ED25519", "ed25519", "+F6:%*d:%*d:Ed25519:%*f:%lf", 0, { 0 } },
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

struct bench_opts {
	double seconds;
	unsigned rrsets;
	unsigned rounds;
	const char *openssl;
	const char *json;
};

/* One signed RRset of the pool. */
struct signed_rrset {
	uint8_t owner[WIRE_NAME_MAX];
	size_t owner_len;
	uint8_t data[8];
	uint16_t rdoff[2], rdlen[2];
	struct validate_rrset view;
	uint8_t rrsig[RRSIG_MAX];
	size_t rrsig_len;
	struct validate_rrsig sig;
};

static struct signed_rrset pool[RRSETS_MAX];
static uint8_t dnskey[2048];
static size_t dnskey_len;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	fprintf(stderr, "crypto bench: %s\n", what);
	exit(1);
}

/* ---- Keys ------------------------------------------------------------------------------ */

static EVP_PKEY *make_key(uint8_t alg)
{
	switch (alg) {
	case 8:
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	case 13:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	case 14:
		return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	default:
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	}
}

/* RFC 3110 public key field: exponent length, exponent, modulus. */
static size_t rsa_public(EVP_PKEY *k, uint8_t *out)
{
	BIGNUM *n = NULL, *e = NULL;
	size_t len;

	if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e))
		die("RSA parameters");
	out[0] = (uint8_t)BN_num_bytes(e);
	BN_bn2bin(e, out + 1);
	len = 1 + out[0];
	len += (size_t)BN_bn2bin(n, out + len);
	BN_free(n);
	BN_free(e);
	return len;
}

/* The DNSKEY RDATA (flags 257) of @k for @alg. */
static size_t dnskey_rdata(EVP_PKEY *k, uint8_t alg, uint8_t *rd)
{
	uint8_t point[1 + 96];
	size_t len = sizeof(point);

	wire_put_u16(rd, 257);
	rd[2] = 3;
	rd[3] = alg;
	if (alg == 8)
		return 4 + rsa_public(k, rd + 4);
	if (alg == 15) {
		len = 32;
		if (!EVP_PKEY_get_raw_public_key(k, rd + 4, &len))
			die("Ed25519 key");
		return 4 + len;
	}
	if (!EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, point, len, &len))
		die("EC key");
	memcpy(rd + 4, point + 1, len - 1); /* without the 0x04 */
	return 4 + len - 1;
}

/* ---- Signing the pool --------------------------------------------------------------------- */

/* "w<i>.bench.example." A 192.0.2.<i> and 198.51.100.<i>. */
static void make_rrset(struct signed_rrset *s, unsigned i)
{
	char text[64];

	snprintf(text, sizeof(text), "w%u.bench.example.", i);
	s->owner_len = 0;
	for (char *p = text, *dot; *p != '\0'; p = dot + 1) {
		dot = strchr(p, '.');
		s->owner[s->owner_len++] = (uint8_t)(dot - p);
		memcpy(s->owner + s->owner_len, p, (size_t)(dot - p));
		s->owner_len += (size_t)(dot - p);
	}
	s->owner[s->owner_len++] = 0;
	memcpy(s->data, (const uint8_t[]){ 192, 0, 2, (uint8_t)i, 198, 51, 100, (uint8_t)i }, 8);
	s->rdoff[0] = 0;
	s->rdoff[1] = 4;
	s->rdlen[0] = s->rdlen[1] = 4;
	s->view = (struct validate_rrset){ .owner = s->owner, .owner_len = s->owner_len,
		.type = WIRE_TYPE_A, .rclass = WIRE_CLASS_IN, .count = 2, .data = s->data,
		.rdoff = s->rdoff, .rdlen = s->rdlen };
}

/* RRSIG RDATA up to the signature: A, alg, 3 labels, TTL 3600, a window around NOW. */
static size_t rrsig_prefix(uint8_t *rd, uint8_t alg, uint16_t tag)
{
	static const uint8_t signer[] = "\5bench\7example";

	wire_put_u16(rd, WIRE_TYPE_A);
	rd[2] = alg;
	rd[3] = 3;
	wire_put_u32(rd + 4, 3600);
	wire_put_u32(rd + 8, NOW + 86400);
	wire_put_u32(rd + 12, NOW - 86400);
	wire_put_u16(rd + 16, tag);
	memcpy(rd + 18, signer, sizeof(signer));
	return 18 + sizeof(signer);
}

/* DER ECDSA signature to DNSSEC r | s (RFC 6605 §4). */
static size_t ecdsa_raw(const uint8_t *der, size_t der_len, size_t half, uint8_t *out)
{
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &der, (long)der_len);

	if (es == NULL)
		die("ECDSA signature");
	BN_bn2binpad(ECDSA_SIG_get0_r(es), out, (int)half);
	BN_bn2binpad(ECDSA_SIG_get0_s(es), out + half, (int)half);
	ECDSA_SIG_free(es);
	return 2 * half;
}

static size_t sign(EVP_PKEY *k, uint8_t alg, const uint8_t *msg, size_t len, uint8_t *out)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const EVP_MD *h = alg == 8 || alg == 13 ? EVP_sha256() : alg == 14 ? EVP_sha384() : NULL;
	uint8_t der[128];
	size_t sig_len = alg == 13 || alg == 14 ? sizeof(der) : 512;

	if (md == NULL || EVP_DigestSignInit(md, NULL, h, NULL, k) != 1 ||
	    EVP_DigestSign(md, alg == 13 || alg == 14 ? der : out, &sig_len, msg, len) != 1)
		die("signing");
	EVP_MD_CTX_free(md);
	if (alg == 13 || alg == 14)
		return ecdsa_raw(der, sig_len, alg == 13 ? 32 : 48, out);
	return sig_len;
}

/* Signs every RRset of the pool with @k (the signed data made by the validator's
 * own canonical form, so it must verify). */
static void sign_pool(EVP_PKEY *k, uint8_t alg, uint16_t tag, unsigned n)
{
	static uint8_t msg[4096];

	for (unsigned i = 0; i < n; i++) {
		struct signed_rrset *s = &pool[i];
		size_t pre = rrsig_prefix(s->rrsig, alg, tag);
		/* A placeholder signature byte lets the prefix parse; it is not signed. */
		if (validate_rrsig_parse(s->rrsig, pre + 1, &s->sig) != 0)
			die("RRSIG prefix");
		int m = validate_signed_data(&s->sig, &s->view, msg, sizeof(msg));
		if (m < 0)
			die("signed data");
		s->rrsig_len = pre + sign(k, alg, msg, (size_t)m, s->rrsig + pre);
		if (validate_rrsig_parse(s->rrsig, s->rrsig_len, &s->sig) != 0)
			die("RRSIG");
	}
}

/* ---- Timed loop ---------------------------------------------------------------------- */

/* One batch of @b_size jobs from pool position *@next, @distinct of them different
 * (the rest repeats, as when many clients ask for the same new name in one burst);
 * returns how many results came back OK. */
static unsigned one_batch(struct validate_batch *b, struct validate_key_cache *kc,
			  unsigned b_size, unsigned distinct, unsigned n, unsigned *next)
{
	const struct validate_key *key;
	int handles[64];
	unsigned ok = 0;

	for (unsigned j = 0; j < b_size; j++) {
		struct signed_rrset *s = &pool[(*next + j % distinct) % n];
		if (validate_key_cache_get(kc, dnskey, dnskey_len, &key) < 0)
			die("key cache");
		handles[j] = validate_batch_add_sig(b, key, &s->sig, &s->view, 0);
		if (handles[j] < 0)
			die("batch add");
	}
	*next = (*next + distinct) % n;
	if (validate_batch_run(b) < 0)
		die("batch run");
	for (unsigned j = 0; j < b_size; j++)
		ok += validate_batch_status(b, handles[j]) == VALIDATE_OK;
	validate_batch_reset(b);
	validate_key_cache_release(kc);
	if (ok != b_size)
		die("a signature that must verify did not");
	return ok;
}

/* Results per second with batches of @b_size (@distinct different jobs) for @seconds. */
static double measure(unsigned b_size, unsigned distinct, unsigned n, double seconds)
{
	struct validate_batch_config cfg = { .capacity = b_size };
	struct validate_batch *b;
	struct validate_key_cache *kc = validate_key_cache_create(64);
	unsigned next = 0;
	uint64_t done = 0;
	double t0, t;

	validate_policy_default(&cfg.policy);
	b = validate_batch_create(&cfg);
	if (b == NULL || kc == NULL)
		die("batch or key cache");
	one_batch(b, kc, b_size, distinct, n, &next); /* warm: key parsed, ipsec-mb made */
	t0 = now_s();
	do {
		done += one_batch(b, kc, b_size, distinct, n, &next);
		t = now_s();
	} while (t - t0 < seconds);
	validate_batch_destroy(b);
	validate_key_cache_destroy(kc);
	return (double)done / (t - t0);
}

static void keep_best(double *best, double v)
{
	if (v > *best)
		*best = v;
}

/* The verify rate `openssl speed` reports for @c now; 0 when it cannot be run. */
static double openssl_verify_rate(const struct alg_case *c, const struct bench_opts *o)
{
	char cmd[512], line[256];
	double v = 0;
	int secs = o->seconds >= 1.5 ? (int)(o->seconds + 0.5) : 1;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s speed -mr -elapsed -seconds %d %s 2>/dev/null",
		 o->openssl, secs, c->speed_id);
	p = popen(cmd, "r");
	if (p == NULL)
		return 0;
	while (fgets(line, sizeof(line), p) != NULL)
		if (sscanf(line, c->speed_key, &v) == 1)
			break;
	while (fgets(line, sizeof(line), p) != NULL)
		;
	pclose(p);
	return v;
}

static void run_case(struct alg_case *c, const struct bench_opts *o)
{
	EVP_PKEY *k = make_key(c->alg);

	if (k == NULL)
		die("key generation");
	dnskey_len = dnskey_rdata(k, c->alg, dnskey);
	sign_pool(k, c->alg, validate_key_tag(dnskey, dnskey_len), o->rrsets);
	EVP_PKEY_free(k);
	for (unsigned r = 0; r < o->rounds; r++) {
		if (strcmp(o->openssl, "none") != 0)
			keep_best(&c->openssl_verify, openssl_verify_rate(c, o));
		for (size_t i = 0; i < N_SIZES; i++)
			keep_best(&c->engine[i], measure(batch_sizes[i], batch_sizes[i], o->rrsets,
							 o->seconds));
		keep_best(&c->engine_dup, measure(64, 64 / DUP_COPIES, o->rrsets, o->seconds));
	}
}

/* ---- openssl speed and reporting ----------------------------------------------------------- */

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void print_table(void)
{
	printf("| algorithm | openssl speed verify/s | engine B=1 | B=32 | B=64 | "
	       "B=1 / openssl | B=64 / openssl | B=64 / B=1 | B=64, each job x%d: results/s "
	       "| (x%d) / B=1 |\n", DUP_COPIES, DUP_COPIES);
	printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < N_CASES; i++) {
		const struct alg_case *c = &cases[i];
		printf("| %u %s | %.0f | %.0f | %.0f | %.0f | %.3f | %.3f | %.3f | %.0f | %.2f |\n",
		       c->alg, c->name, c->openssl_verify, c->engine[0], c->engine[1],
		       c->engine[2], ratio(c->engine[0], c->openssl_verify),
		       ratio(c->engine[2], c->openssl_verify), ratio(c->engine[2], c->engine[0]),
		       c->engine_dup, ratio(c->engine_dup, c->engine[0]));
	}
}

static void json_case(FILE *f, const struct alg_case *c)
{
	fprintf(f, "{\"algorithm\": %u, \"name\": \"%s\", \"openssl_speed\": \"%s\", "
		"\"openssl_verify_per_s\": %.1f, ", c->alg, c->name, c->speed_id, c->openssl_verify);
	fprintf(f, "\"engine_verify_per_s\": {\"1\": %.1f, \"32\": %.1f, \"64\": %.1f}, ",
		c->engine[0], c->engine[1], c->engine[2]);
	fprintf(f, "\"ratio_vs_openssl\": {\"1\": %.4f, \"32\": %.4f, \"64\": %.4f}, ",
		ratio(c->engine[0], c->openssl_verify), ratio(c->engine[1], c->openssl_verify),
		ratio(c->engine[2], c->openssl_verify));
	fprintf(f, "\"batch_gain_64_vs_1\": %.4f, ", ratio(c->engine[2], c->engine[0]));
	fprintf(f, "\"dedupe\": {\"batch\": 64, \"copies\": %d, \"results_per_s\": %.1f, "
		"\"gain_vs_batch_1\": %.4f}}", DUP_COPIES, c->engine_dup,
		ratio(c->engine_dup, c->engine[0]));
}

static void write_json(const char *path, const struct bench_opts *o)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		die("cannot write the JSON file");
	fprintf(f, "{\"seconds\": %.1f, \"rounds\": %u, \"rrsets\": %u, \"best_of_rounds\": true, "
		"\"algorithms\": [", o->seconds, o->rounds, o->rrsets);
	for (size_t i = 0; i < N_CASES; i++) {
		fprintf(f, "%s\n ", i ? "," : "");
		json_case(f, &cases[i]);
	}
	fprintf(f, "\n]}\n");
	fclose(f);
}

static void usage(void)
{
	fprintf(stderr, "usage: sekisho-bench-crypto [--seconds N] [--rounds N] [--rrsets N] "
		"[--openssl PROGRAM|none] [--json FILE]\n");
	exit(2);
}

static void parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "rrsets", required_argument, NULL, 'r' },
		{ "rounds", required_argument, NULL, 'n' },
		{ "openssl", required_argument, NULL, 'o' },
		{ "json", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct bench_opts){ .seconds = 1.0, .rounds = 3, .rrsets = 256,
				  .openssl = "openssl" };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->seconds = atof(optarg); break;
		case 'r': o->rrsets = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': o->rounds = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'o': o->openssl = optarg; break;
		case 'j': o->json = optarg; break;
		default: usage();
		}
	}
	if (o->seconds <= 0 || o->rounds < 1 || o->rounds > 100 || o->rrsets < 64 || o->rrsets > RRSETS_MAX || optind != argc)
		usage();
}

int main(int argc, char **argv)
{
	struct bench_opts o;

	parse_args(argc, argv, &o);
	for (unsigned i = 0; i < o.rrsets; i++)
		make_rrset(&pool[i], i);
	for (size_t i = 0; i < N_CASES; i++) {
		fprintf(stderr, "crypto bench: algorithm %u (%s), best of %u x %.1f s per column\n",
			cases[i].alg, cases[i].name, o.rounds, o.seconds);
		run_case(&cases[i], &o);
	}
	print_table();
	if (o.json != NULL)
		write_json(o.json, &o);
	validate_thread_cleanup();
	return 0;
}
