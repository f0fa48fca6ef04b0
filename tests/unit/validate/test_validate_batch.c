/*
 * test_validate_batch.c - the batch engine and the key cache: identical jobs become
 * one, jobs of every algorithm run together in one pass (multi-buffer hashing of mixed
 * SHA variants), jobs that need no crypto are decided at once, the batch and its arena
 * refuse what they cannot hold, the engine ops table drives an asynchronous engine,
 * and the key cache parses a key once, pins what it handed out and frees what it
 * evicts (LeakSanitizer in build-san catches a key not freed).
 */
#include "validate_engine.h"
#include "validate_test.h"

/* A verification the batch can take: its key, RRSIG and RRset. */
struct t_job {
	struct t_rr key_rr, sig_rr;
	struct t_set set;
	struct validate_key key;
	struct validate_rrsig sig;
};

static void job_init(struct t_job *j, const char *key, const char *sig,
		     const char *const *rrs, int n)
{
	t_parse(key, &j->key_rr);
	t_parse(sig, &j->sig_rr);
	t_set_lines(&j->set, rrs, n);
	if (validate_key_parse(j->key_rr.rdata, j->key_rr.rdlen, &j->key) != 0 ||
	    validate_rrsig_parse(j->sig_rr.rdata, j->sig_rr.rdlen, &j->sig) != 0)
		t_die("job", sig);
}

static int job_add(struct validate_batch *b, struct t_job *j)
{
	return validate_batch_add_sig(b, &j->key, &j->sig, &j->set.view, 0);
}

static struct validate_batch *batch_new(unsigned capacity, size_t arena)
{
	struct validate_batch_config cfg = { .capacity = capacity, .arena_bytes = arena };

	validate_policy_default(&cfg.policy);
	return validate_batch_create(&cfg);
}

static const char *const A_P256[] = { "www.example.net. 3600 IN A 192.0.2.1" };
static const char KEY_P256[] = "example.net. 3600 IN DNSKEY 257 3 13 GojIhhXUN/u4v54ZQqGSnyhWJwa"
	"ubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==";
static const char SIG_P256[] = "www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 "
	"20100812100439 55648 example.net. qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruP"
	"FKG7tZoLBLlUzGGus7ZwmwWep666VCw==";

static struct t_job jobs[12];

static void test_identical_jobs_deduped_to_one_handle(void)
{
	static const char *const a_upper[] = { "WWW.Example.NET. 3600 IN A 192.0.2.1" };
	struct validate_batch *b = batch_new(8, 0);
	struct validate_batch_stats st;
	int h1, h2, h3;

	job_init(&jobs[0], KEY_P256, SIG_P256, A_P256, 1);
	/* The same RRset received in another letter case: same canonical data. */
	job_init(&jobs[1], KEY_P256, SIG_P256, a_upper, 1);
	h1 = job_add(b, &jobs[0]);
	h2 = job_add(b, &jobs[0]);
	h3 = job_add(b, &jobs[1]); /* another key object, same key: still the same job */
	CHECK(h1 >= 0);
	CHECK_INT(h2, h1);
	CHECK_INT(h3, h1);
	CHECK_INT(validate_batch_jobs(b), 1);
	CHECK_STATUS(validate_batch_status(b, h1), VALIDATE_PENDING);
	CHECK_INT(validate_batch_run(b), 1);
	CHECK_STATUS(validate_batch_status(b, h1), VALIDATE_OK);
	/* Added again after the run: the known result, no new work. */
	CHECK_INT(job_add(b, &jobs[0]), h1);
	CHECK_INT(validate_batch_run(b), 0);
	validate_batch_get_stats(b, &st);
	CHECK_INT(st.added, 4);
	CHECK_INT(st.deduped, 3);
	CHECK_INT(st.verified, 1);
	validate_batch_destroy(b);
	validate_key_clear(&jobs[0].key);
	validate_key_clear(&jobs[1].key);
}

/* Every algorithm in one run, good and corrupted side by side: the multi-buffer pass
 * hashes SHA-256, SHA-384 and SHA-512 jobs together and each digest must land in its
 * own job. */
static void test_mixed_algorithms_in_one_run(void)
{
	static const char *const a_5702[] = { "www.example.net. 3600 IN A 192.0.2.91" };
	static const char *const a_5702_bad[] = { "www.example.net. 3600 IN A 192.0.2.92" };
	static const char *const a_6605_bad[] = { "www.example.net. 3600 IN A 192.0.2.2" };
	static const char *const mx[] = { "example.com. 3600 IN MX 10 mail.example.com." };
	static const char *const mx_bad[] = { "example.com. 3600 IN MX 11 mail.example.com." };
	static const char key10[] = "example.net. 3600 IN DNSKEY 256 3 10 AwEAAdHoNTOW+et86KuJOWRDp1p"
		"ndvwb6Y83nSVXXyLA3DLroROUkN6X0O6pnWnjJQujX/AyhqFDxj13tOnD9u/1kTg7cV6rklMrZDtJCQ5PCl/D7"
		"QNPsgVsMu1J2Q8gpMpztNFLpPBz1bWXjDtaR7ZQBlZ3PFY12ZTSncorffcGmhOL";
	static const char sig10[] = "www.example.net. 3600 IN RRSIG A 10 3 3600 20300101000000 "
		"20000101000000 3740 example.net. tsb4wnjRUDnB1BUi+t6TMTXThjVnG+eCkWqjvvjhzQL1d0YRoOe0Cbx"
		"rVDYd0xDtsuJRaeUw1ep94PzEWzr0iGYgZBWm/zpq+9fOuagYJRfDqfReKBzMweOLDiNa8iP5g9vMhpuv6OPlv"
		"pXwm9Sa9ZXIbNl1MBGk0fthPgxdDLw=";
	static const char key14[] = "example.net. 3600 IN DNSKEY 257 3 14 xKYaNhWdGOfJ+nPrL8/arkwf2EY3"
		"MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlV"
		"NgF6W/qTI37m40";
	static const char sig14[] = "www.example.net. 3600 IN RRSIG A 14 3 3600 20100909102025 "
		"20100812102025 10771 example.net. /L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouur"
		"oGCeZOvzFaxsT8Glr74hbavRKayJNuydCuzWTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm";
	static const char key15[] = "example.com. 3600 IN DNSKEY 257 3 15 "
		"l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=";
	static const char sig15[] = "example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 "
		"3613 example.com. oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M3e23m"
		"RZ9VrbpMngwcrqNAg==";
	static const char key16[] = "example.com. 3600 IN DNSKEY 257 3 16 3kgROaDjrh0H2iuixWBrc8g2EpB"
		"BLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYUcJKm1MDpJtIA";
	static const char sig16[] = "example.com. 3600 IN RRSIG MX 16 2 3600 1440021600 1438207200 "
		"9713 example.com. 3cPAHkmlnxcDHMyg7vFC34l0blBhuG1qpwLmjInI8w1CMB29FkEAIJUA0amxWndkmnBZ"
		"6SKiwZSAxGILn/NBtOXft0+Gj7FSvOKxE/07+4RQvE581N3Aj/JtIyaiYVdnYtyMWbSNyGEY2213WKsJlwEA";
	const struct { const char *key, *sig; const char *const *rrs; enum validate_status want; }
	cases[] = {
		{ key10, sig10, a_5702, VALIDATE_OK },
		{ KEY_P256, SIG_P256, A_P256, VALIDATE_OK },
		{ key14, sig14, A_P256, VALIDATE_OK },
		{ key15, sig15, mx, VALIDATE_OK },
		{ key16, sig16, mx, VALIDATE_OK },
		{ key10, sig10, a_5702_bad, VALIDATE_BOGUS_SIGNATURE },
		{ KEY_P256, SIG_P256, a_6605_bad, VALIDATE_BOGUS_SIGNATURE },
		{ key14, sig14, a_6605_bad, VALIDATE_BOGUS_SIGNATURE },
		{ key15, sig15, mx_bad, VALIDATE_BOGUS_SIGNATURE },
		{ key16, sig16, mx_bad, VALIDATE_BOGUS_SIGNATURE },
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	struct validate_batch *b = batch_new(N, 0);
	int h[N];

	for (int i = 0; i < N; i++) {
		job_init(&jobs[i], cases[i].key, cases[i].sig, cases[i].rrs, 1);
		h[i] = job_add(b, &jobs[i]);
		CHECK_INT(h[i], i);
	}
	CHECK_INT(validate_batch_run(b), N);
	for (int i = 0; i < N; i++) {
		CHECK_STATUS(validate_batch_status(b, h[i]), cases[i].want);
		validate_key_clear(&jobs[i].key);
	}
	validate_batch_destroy(b);
}

/* Jobs that cannot verify get their status when added and never reach the engine. */
static void test_decided_jobs_need_no_crypto(void)
{
	static const char key_dsa[] = "example.net. 3600 IN DNSKEY 257 3 3 AAAA";
	struct validate_batch *b = batch_new(8, 0);
	int ok, unsup, tag, type;

	job_init(&jobs[0], KEY_P256, SIG_P256, A_P256, 1);
	job_init(&jobs[1], key_dsa, SIG_P256, A_P256, 1);
	ok = job_add(b, &jobs[0]);
	jobs[1].sig.algorithm = 3;
	jobs[1].sig.key_tag = jobs[1].key.tag;
	unsup = job_add(b, &jobs[1]);
	jobs[0].sig.key_tag++;
	tag = job_add(b, &jobs[0]);
	jobs[0].sig.key_tag--;
	jobs[0].set.view.type = WIRE_TYPE_AAAA;
	type = job_add(b, &jobs[0]);
	CHECK_STATUS(validate_batch_status(b, unsup), VALIDATE_UNSUPPORTED_ALGORITHM);
	CHECK_STATUS(validate_batch_status(b, tag), VALIDATE_KEY_MISMATCH);
	CHECK_STATUS(validate_batch_status(b, type), VALIDATE_BAD_RRSIG);
	CHECK_INT(validate_batch_run(b), 1);
	CHECK_STATUS(validate_batch_status(b, ok), VALIDATE_OK);
	CHECK_STATUS(validate_batch_status(b, -1), VALIDATE_BAD_RRSIG);
	CHECK_STATUS(validate_batch_status(b, 4), VALIDATE_BAD_RRSIG);
	validate_batch_destroy(b);
	validate_key_clear(&jobs[0].key);
	validate_key_clear(&jobs[1].key);
}

static void test_full_batch_and_arena(void)
{
	static const char *const other[] = { "www.example.net. 3600 IN A 192.0.2.7" };
	static const char *const third[] = { "www.example.net. 3600 IN A 192.0.2.8" };
	struct validate_batch *b = batch_new(2, 0);

	job_init(&jobs[0], KEY_P256, SIG_P256, A_P256, 1);
	job_init(&jobs[1], KEY_P256, SIG_P256, other, 1);
	job_init(&jobs[2], KEY_P256, SIG_P256, third, 1);
	CHECK_INT(job_add(b, &jobs[0]), 0);
	CHECK_INT(job_add(b, &jobs[1]), 1);
	CHECK_INT(job_add(b, &jobs[2]), -ENOSPC);
	CHECK_INT(job_add(b, &jobs[1]), 1); /* full, yet an identical job is found */
	CHECK_INT(validate_batch_run(b), 2);
	CHECK_STATUS(validate_batch_status(b, 1), VALIDATE_BOGUS_SIGNATURE);
	validate_batch_reset(b);
	CHECK_INT(validate_batch_jobs(b), 0);
	CHECK_INT(job_add(b, &jobs[2]), 0);
	validate_batch_destroy(b);

	/* Signed data 31 + 31 bytes and a 64-byte signature (126): an arena of 300 holds
	 * one job and the room to build it again, for the lookup that reads its status. */
	b = batch_new(4, 300);
	CHECK_INT(job_add(b, &jobs[0]), 0);
	CHECK_INT(job_add(b, &jobs[1]), -ENOSPC);
	CHECK_INT(job_add(b, &jobs[0]), 0);
	validate_batch_reset(b);
	CHECK_INT(job_add(b, &jobs[1]), 0);
	validate_batch_destroy(b);
	b = batch_new(4, 200); /* room for the job, not for finding it again */
	CHECK_INT(job_add(b, &jobs[0]), -E2BIG);
	validate_batch_destroy(b);
	for (int i = 0; i < 3; i++)
		validate_key_clear(&jobs[i].key);
}

/* ---- The engine interface ------------------------------------------------------------- */

/* An asynchronous engine: submit() only queues, each poll() completes one job with
 * the inline engine, as a ring-fed crypto lcore would hand results back. */
static struct validate_job *fake_queue[16];
static unsigned fake_queued, fake_done, fake_submits, fake_polls;

static int fake_create(void **ctx)
{
	*ctx = &fake_queued;
	return 0;
}

static void fake_destroy(void *ctx)
{
	(void)ctx;
}

static int fake_submit(void *ctx, struct validate_job *const *j, unsigned n)
{
	(void)ctx;
	fake_submits++;
	for (unsigned i = 0; i < n; i++)
		fake_queue[fake_queued++] = j[i];
	return 0;
}

static int fake_poll(void *ctx)
{
	void *cpu;

	(void)ctx;
	fake_polls++;
	if (fake_done < fake_queued) {
		validate_engine_cpu.create(&cpu);
		validate_engine_cpu.submit(cpu, &fake_queue[fake_done++], 1);
		validate_engine_cpu.destroy(cpu);
	}
	return (int)(fake_queued - fake_done);
}

static const struct validate_engine_ops fake_engine = {
	.name = "fake", .create = fake_create, .destroy = fake_destroy,
	.submit = fake_submit, .poll = fake_poll,
};

static void test_engine_ops_drive_an_async_engine(void)
{
	static const char *const other[] = { "www.example.net. 3600 IN A 192.0.2.7" };
	struct validate_batch_config cfg = { .capacity = 4, .engine = &fake_engine };
	struct validate_batch *b;

	validate_policy_default(&cfg.policy);
	b = validate_batch_create(&cfg);
	job_init(&jobs[0], KEY_P256, SIG_P256, A_P256, 1);
	job_init(&jobs[1], KEY_P256, SIG_P256, other, 1);
	CHECK_INT(job_add(b, &jobs[0]), 0);
	CHECK_INT(job_add(b, &jobs[1]), 1);
	CHECK_INT(validate_batch_run(b), 2);
	CHECK_INT(fake_submits, 1);
	CHECK_INT(fake_polls, 2);
	CHECK_STATUS(validate_batch_status(b, 0), VALIDATE_OK);
	CHECK_STATUS(validate_batch_status(b, 1), VALIDATE_BOGUS_SIGNATURE);
	validate_batch_destroy(b);
	validate_key_clear(&jobs[0].key);
	validate_key_clear(&jobs[1].key);
}

/* ---- Key cache -------------------------------------------------------------------------- */

/* The P-256 example key with other flags: another RDATA, another cache entry. */
static size_t key_variant(uint16_t flags, uint8_t *rd)
{
	static struct t_rr rr;

	t_parse(KEY_P256, &rr);
	memcpy(rd, rr.rdata, rr.rdlen);
	wire_put_u16(rd, flags);
	return rr.rdlen;
}

static void test_key_cache_parses_once(void)
{
	struct validate_key_cache *kc = validate_key_cache_create(64);
	struct validate_key_cache_stats st;
	const struct validate_key *k1, *k2;
	uint8_t rd[128], junk[8] = { 1, 0, 3, 13, 1, 2, 3, 4 };
	size_t len = key_variant(257, rd);

	CHECK_INT(validate_key_cache_get(kc, rd, len, &k1), 1);
	CHECK_INT(validate_key_cache_get(kc, rd, len, &k2), 0);
	CHECK(k1 == k2);
	CHECK_INT(k1->tag, 55648);
	CHECK_STATUS(k1->status, VALIDATE_OK);
	/* A junk key is parsed once too, and stays junk. */
	CHECK_INT(validate_key_cache_get(kc, junk, sizeof(junk), &k1), 1);
	CHECK_STATUS(k1->status, VALIDATE_BAD_KEY);
	CHECK_INT(validate_key_cache_get(kc, junk, sizeof(junk), &k2), 0);
	CHECK(k1 == k2);
	CHECK_INT(validate_key_cache_get(kc, junk, 3, &k1), -EINVAL);
	CHECK_INT(validate_key_cache_get(kc, rd, VALIDATE_DNSKEY_RDATA_MAX + 1, &k1), -E2BIG);
	validate_key_cache_get_stats(kc, &st);
	CHECK_INT(st.hits, 2);
	CHECK_INT(st.misses, 2);
	CHECK_INT(st.used, 2);
	CHECK_INT(st.entries, 64);
	validate_key_cache_destroy(kc);
}

/* One set of 8 ways: 8 keys fill it; a 9th in the same burst would evict a key still
 * in use (-EBUSY); after release the least recently used one goes (and its OpenSSL
 * objects are freed: LeakSanitizer checks). */
static void test_key_cache_pins_until_release_then_evicts_lru(void)
{
	struct validate_key_cache *kc = validate_key_cache_create(8);
	struct validate_key_cache_stats st;
	const struct validate_key *k[9];
	uint8_t rd[128];
	size_t len = 0;

	for (unsigned i = 0; i < 8; i++) {
		len = key_variant((uint16_t)(256 + 2 * i), rd);
		CHECK_INT(validate_key_cache_get(kc, rd, len, &k[i]), 1);
	}
	len = key_variant(256 + 2 * 8, rd);
	CHECK_INT(validate_key_cache_get(kc, rd, len, &k[8]), -EBUSY);
	validate_key_cache_release(kc);
	/* Use keys 1..7 again in this burst; key 0 is now the least recently used. */
	for (unsigned i = 1; i < 8; i++) {
		len = key_variant((uint16_t)(256 + 2 * i), rd);
		CHECK_INT(validate_key_cache_get(kc, rd, len, &k[i]), 0);
	}
	len = key_variant(256 + 2 * 8, rd);
	CHECK_INT(validate_key_cache_get(kc, rd, len, &k[8]), 1);
	CHECK_INT(k[8]->flags, 256 + 16);
	for (unsigned i = 1; i < 8; i++)
		CHECK_INT(k[i]->flags, 256 + 2 * i); /* pinned ones untouched */
	len = key_variant(256, rd);
	CHECK_INT(validate_key_cache_get(kc, rd, len, &k[0]), -EBUSY);
	validate_key_cache_get_stats(kc, &st);
	CHECK_INT(st.evictions, 1);
	CHECK_INT(st.busy, 2);
	CHECK_INT(st.used, 8);
	validate_key_cache_destroy(kc);
}

/* The chain-of-trust flow with cached keys: cache, batch, run, reset, release. */
static void test_batch_with_cached_keys(void)
{
	struct validate_key_cache *kc = validate_key_cache_create(16);
	struct validate_batch *b = batch_new(4, 0);
	const struct validate_key *key;
	int h;

	job_init(&jobs[0], KEY_P256, SIG_P256, A_P256, 1);
	for (int round = 0; round < 3; round++) {
		CHECK_INT(validate_key_cache_get(kc, jobs[0].key_rr.rdata, jobs[0].key_rr.rdlen,
						 &key), round == 0 ? 1 : 0);
		h = validate_batch_add_sig(b, key, &jobs[0].sig, &jobs[0].set.view, 0);
		CHECK_INT(validate_batch_run(b), 1);
		CHECK_STATUS(validate_batch_status(b, h), VALIDATE_OK);
		validate_batch_reset(b);
		validate_key_cache_release(kc);
	}
	validate_batch_destroy(b);
	validate_key_cache_destroy(kc);
	validate_key_clear(&jobs[0].key);
}

int main(void)
{
	RUN(test_identical_jobs_deduped_to_one_handle);
	RUN(test_mixed_algorithms_in_one_run);
	RUN(test_decided_jobs_need_no_crypto);
	RUN(test_full_batch_and_arena);
	RUN(test_engine_ops_drive_an_async_engine);
	RUN(test_key_cache_parses_once);
	RUN(test_key_cache_pins_until_release_then_evicts_lru);
	RUN(test_batch_with_cached_keys);
	validate_thread_cleanup();
	return unit_check_exit();
}
