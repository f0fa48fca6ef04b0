/*
 * bench/cache_bench: the shared cache's two hot paths, measured in one process.
 *
 *   sekisho-bench-cache [EAL options --] [--seconds N] [--entries N] [--json FILE]
 *
 * 1. Miss storm: 1, 2 and 4 lcores insert distinct keys at once (a random-subdomain
 *    flood turns every query into an insert) into a cache that fills and then evicts
 *    on every insert, once with one shard (one writer lock: rte_hash's own
 *    arrangement) and once with the default shards. Each writer calls
 *    cache_quiescent() every 32 inserts, like a worker between bursts.
 * 2. Hits: one lcore looks up random names of a cache holding --entries entries
 *    (default 1,000,000): cache_key_init (lowercase + hash) + cache_lookup (copy,
 *    ID, question, TTL patch) per name. Beside it, the bare table: rte_hash lookups
 *    of the same number of 8-byte keys with the lock-free flag and without (plain).
 *
 * Reports figures, never fails on speed. Exit 1 when set-up fails or a lookup that
 * must hit misses.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "cache.h"

#define QMAX 32
#define BURST 32
#define NOW 1000000u

struct bench_opts {
	double seconds;
	uint32_t entries;
	const char *json;
};

/* ---- synthetic answers: "\x08<8 hex digits>\x05bench\x00" A IN, one A record ---- */

static size_t
make_question(uint8_t *q, uint64_t n)
{
	char label[17];

	snprintf(label, sizeof(label), "%08" PRIx64, (uint64_t)(n & 0xffffffffffull));
	size_t l = strlen(label);

	q[0] = (uint8_t)l;
	memcpy(q + 1, label, l);
	memcpy(q + 1 + l, "\5bench", 7);  /* with the root label */
	size_t nlen = 1 + l + 7;

	memcpy(q + nlen, "\0\1\0\1", 4);
	return nlen + 4;
}

/* A 12 + qlen + 16 byte answer with one A record; its TTL offset in *ttl_off. */
static size_t
make_answer(uint8_t *m, const uint8_t *q, size_t qlen, uint16_t *ttl_off)
{
	static const uint8_t hdr[12] = { 0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0 };
	static const uint8_t rr[16] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4,
					192, 0, 2, 1 };

	memcpy(m, hdr, 12);
	memcpy(m + 12, q, qlen);
	memcpy(m + 12 + qlen, rr, sizeof(rr));
	*ttl_off = (uint16_t)(12 + qlen + 6);
	return 12 + qlen + sizeof(rr);
}

static int
insert_n(struct cache *c, unsigned int lcore, uint64_t n)
{
	uint8_t q[QMAX], m[128];
	uint16_t off;
	struct cache_key k;
	size_t qlen = make_question(q, n);
	struct cache_response r = { .msg = m, .ttl_off = &off, .ttl_count = 1 };

	r.len = make_answer(m, q, qlen, &off);
	if (cache_key_init(c, &k, q, qlen, 0) != 0)
		return -EINVAL;
	return cache_insert(c, lcore, &k, &r, NOW);
}

/* ---- miss storm ---- */

struct storm {
	struct cache *c;
	uint64_t t_end;
	uint64_t inserts[RTE_MAX_LCORE];
	uint64_t failed[RTE_MAX_LCORE];
};

static int
storm_lcore(void *arg)
{
	struct storm *s = arg;
	unsigned int lcore = rte_lcore_id();
	uint64_t n = (uint64_t)lcore << 36, done = 0, failed = 0;

	cache_reader_register(s->c, lcore);
	while (rte_get_tsc_cycles() < s->t_end) {
		for (int i = 0; i < BURST; i++, done++)
			failed += insert_n(s->c, lcore, n++) != 0;
		cache_quiescent(s->c, lcore);
	}
	cache_reader_unregister(s->c, lcore);
	s->inserts[lcore] = done;
	s->failed[lcore] = failed;
	return 0;
}

/* Inserts per second with the first @writers lcores writing at once. */
static double
run_storm(const struct bench_opts *o, uint32_t shards, unsigned int writers,
	  uint64_t *lock_waits, double *fail_ratio)
{
	struct cache_config cfg;
	struct storm *s = rte_zmalloc("storm", sizeof(*s), 0);
	unsigned int lcores[RTE_MAX_LCORE], n = 0, l;
	uint64_t sum = 0, failed = 0, t0;
	struct cache_stats st;

	cache_config_default(&cfg);
	cfg.memory_limit = 64u << 20;
	cfg.shards = shards;
	s->c = cache_create(&cfg);
	if (s->c == NULL)
		return -1;
	RTE_LCORE_FOREACH(l)
		lcores[n++] = l;
	t0 = rte_get_tsc_cycles();
	s->t_end = t0 + (uint64_t)(o->seconds * rte_get_tsc_hz());
	for (unsigned int i = 1; i < writers && i < n; i++)
		rte_eal_remote_launch(storm_lcore, s, lcores[i]);
	storm_lcore(s);
	rte_eal_mp_wait_lcore();
	double secs = (double)(rte_get_tsc_cycles() - t0) / rte_get_tsc_hz();

	for (unsigned int i = 0; i < RTE_MAX_LCORE; i++) {
		sum += s->inserts[i];
		failed += s->failed[i];
	}
	cache_stats_sum(s->c, &st);
	*lock_waits = st.lock_contended;
	*fail_ratio = sum ? (double)failed / sum : 0;
	cache_free(s->c);
	rte_free(s);
	return (double)(sum - failed) / secs;
}

/* ---- hits on a big cache ---- */

static uint64_t
xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Lookups per second of random names among the first @entries; -1 on a miss. */
static double
run_lookups(struct cache *c, const struct bench_opts *o, uint32_t entries)
{
	unsigned int lcore = rte_lcore_id();
	uint8_t q[QMAX], out[512];
	uint64_t rng = 88172645463325252ull, done = 0, t0, t_end;
	size_t len;
	struct cache_key k;

	cache_reader_register(c, lcore);
	t0 = rte_get_tsc_cycles();
	t_end = t0 + (uint64_t)(o->seconds * rte_get_tsc_hz());
	while (rte_get_tsc_cycles() < t_end) {
		for (int i = 0; i < BURST; i++, done++) {
			size_t qlen = make_question(q, xorshift(&rng) % entries);

			cache_key_init(c, &k, q, qlen, 0);
			if (cache_lookup(c, lcore, &k, (uint16_t)i, NOW + 1, 0, out, sizeof(out),
					 &len) != CACHE_HIT) {
				cache_reader_unregister(c, lcore);
				return -1;
			}
		}
		cache_quiescent(c, lcore);
	}
	cache_reader_unregister(c, lcore);
	return (double)done / ((double)(rte_get_tsc_cycles() - t0) / rte_get_tsc_hz());
}

/* The same cost of making the question (formatting the name) without the cache. */
static double
run_question_only(const struct bench_opts *o, uint32_t entries)
{
	uint8_t q[QMAX];
	uint64_t rng = 88172645463325252ull, done = 0, t0, t_end, sink = 0;

	t0 = rte_get_tsc_cycles();
	t_end = t0 + (uint64_t)(o->seconds * rte_get_tsc_hz());
	while (rte_get_tsc_cycles() < t_end)
		for (int i = 0; i < BURST; i++, done++)
			sink += make_question(q, xorshift(&rng) % entries) + q[3];
	if (sink == 1)
		printf(" ");
	return (double)done / ((double)(rte_get_tsc_cycles() - t0) / rte_get_tsc_hz());
}

static uint32_t
sig_of(const void *key, uint32_t len, uint32_t init)
{
	uint64_t v;

	RTE_SET_USED(len);
	RTE_SET_USED(init);
	memcpy(&v, key, sizeof(v));
	return (uint32_t)v;
}

/* Bare rte_hash lookups/s over @entries 8-byte keys (hash of the index). */
static double
run_table(const struct bench_opts *o, uint32_t entries, uint8_t flags, const char *name)
{
	struct rte_hash_parameters p = {
		.name = name, .entries = entries + entries / 4, .key_len = 8,
		.hash_func = sig_of, .socket_id = (int)rte_socket_id(), .extra_flag = flags,
	};
	struct rte_hash *h = rte_hash_create(&p);
	uint64_t rng = 88172645463325252ull, done = 0, t0, t_end;
	void *data;

	if (h == NULL)
		return -1;
	for (uint64_t i = 0; i < entries; i++) {
		uint64_t key = (i + 1) * 0x9e3779b97f4a7c15ull;

		if (rte_hash_add_key_with_hash_data(h, &key, (uint32_t)key, (void *)(uintptr_t)(i + 1)) < 0) {
			rte_hash_free(h);
			return -1;
		}
	}
	t0 = rte_get_tsc_cycles();
	t_end = t0 + (uint64_t)(o->seconds * rte_get_tsc_hz());
	while (rte_get_tsc_cycles() < t_end) {
		for (int i = 0; i < BURST; i++, done++) {
			uint64_t key = (xorshift(&rng) % entries + 1) * 0x9e3779b97f4a7c15ull;

			if (rte_hash_lookup_with_hash_data(h, &key, (uint32_t)key, &data) < 0) {
				rte_hash_free(h);
				return -1;
			}
		}
	}
	double r = (double)done / ((double)(rte_get_tsc_cycles() - t0) / rte_get_tsc_hz());

	rte_hash_free(h);
	return r;
}

/* ---- main ---- */

static int
parse_opts(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "entries", required_argument, NULL, 'e' },
		{ "json", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->seconds = 2;
	o->entries = 1000000;
	o->json = NULL;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->seconds = atof(optarg); break;
		case 'e': o->entries = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'j': o->json = optarg; break;
		default: return -1;
		}
	}
	return optind == argc && o->seconds > 0 && o->entries > 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct bench_opts o;
	int n = rte_eal_init(argc, argv);
	static const unsigned int writer_counts[3] = { 1, 2, 4 };
	static const uint32_t shard_counts[2] = { 1, 16 };
	double storm[2][3], lookups, question, table_lf, table_plain;
	uint64_t waits[2][3];
	double fails[2][3];
	FILE *js = NULL;

	if (n < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	if (parse_opts(argc - n, argv + n, &o) != 0) {
		fprintf(stderr, "usage: sekisho-bench-cache [EAL --] [--seconds N] [--entries N] "
			"[--json FILE]\n");
		return 1;
	}
	printf("cache bench: %u lcores on %u CPUs (more lcores than CPUs means they share)\n",
	       rte_lcore_count(), (unsigned int)sysconf(_SC_NPROCESSORS_ONLN));
	printf("\nmiss storm: inserts/s of distinct keys (64 MiB cache, full after ~0.3 s, then every insert evicts)\n");
	printf("%-8s %8s %14s %12s %10s\n", "shards", "writers", "inserts/s", "lock waits", "failed");
	for (int s = 0; s < 2; s++) {
		for (int w = 0; w < 3; w++) {
			storm[s][w] = -1;
			if (writer_counts[w] > rte_lcore_count())
				continue;
			storm[s][w] = run_storm(&o, shard_counts[s], writer_counts[w], &waits[s][w],
						&fails[s][w]);
			printf("%-8u %8u %14.0f %12" PRIu64 " %9.2f%%\n", shard_counts[s],
			       writer_counts[w], storm[s][w], waits[s][w], fails[s][w] * 100);
		}
	}

	struct cache_config cfg;

	cache_config_default(&cfg);
	/* the 256-byte class holds 30 % of the slab budget: room for all entries */
	cfg.memory_limit = (size_t)o.entries * 256 * 10 / 3 + (size_t)o.entries * 160 +
			   (64u << 20);
	struct cache *c = cache_create(&cfg);

	if (c == NULL) {
		fprintf(stderr, "cache_create(%zu bytes) failed: %s\n", cfg.memory_limit,
			rte_strerror(rte_errno));
		return 1;
	}
	for (uint32_t i = 0; i < o.entries; i++) {
		if (insert_n(c, rte_lcore_id(), i) != 0) {
			fprintf(stderr, "filling the cache failed at %u\n", i);
			return 1;
		}
	}
	printf("\nhits: one lcore, %u entries (cache %zu MiB, %u slots)\n", o.entries,
	       cache_memory(c) >> 20, cache_capacity(c));
	lookups = run_lookups(c, &o, o.entries);
	cache_free(c);
	question = run_question_only(&o, o.entries);
	table_lf = run_table(&o, o.entries, RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF, "bench_lf");
	table_plain = run_table(&o, o.entries, 0, "bench_plain");
	if (lookups < 0 || table_lf < 0 || table_plain < 0) {
		fprintf(stderr, "a lookup that must hit missed\n");
		return 1;
	}
	printf("%-52s %14.0f/s %8.1f ns\n", "cache_key_init + cache_lookup (hit, copy, patch)",
	       lookups, 1e9 / lookups);
	printf("%-52s %14.0f/s %8.1f ns\n", "  of which making the question (bench only)",
	       question, 1e9 / question);
	printf("%-52s %14.0f/s %8.1f ns\n", "rte_hash lookup alone, lock-free readers (LF)",
	       table_lf, 1e9 / table_lf);
	printf("%-52s %14.0f/s %8.1f ns\n", "rte_hash lookup alone, plain (no flags)",
	       table_plain, 1e9 / table_plain);

	if (o.json != NULL && (js = fopen(o.json, "w")) != NULL) {
		fprintf(js, "{\"lcores\": %u, \"cpus\": %ld, \"inserts_per_s\": {",
			rte_lcore_count(), sysconf(_SC_NPROCESSORS_ONLN));
		for (int s = 0; s < 2; s++)
			for (int w = 0; w < 3; w++)
				fprintf(js, "%s\"shards%u_writers%u\": %.0f", s + w ? ", " : "",
					shard_counts[s], writer_counts[w], storm[s][w]);
		fprintf(js, "}, \"entries\": %u, \"lookups_per_s\": %.0f, \"question_per_s\": %.0f, "
			"\"rte_hash_lf_lookups_per_s\": %.0f, \"rte_hash_plain_lookups_per_s\": %.0f}\n",
			o.entries, lookups, question, table_lf, table_plain);
		fclose(js);
	}
	rte_eal_cleanup();
	return 0;
}
