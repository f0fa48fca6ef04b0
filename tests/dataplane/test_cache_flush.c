/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cache_flush.c: `sekishoctl flush` in the cache (cache_flush_name, _zone, all).
 *
 * One lcore first: responses (several types, DO/CD variants, a negative answer),
 * RRsets and denial records of several names are cached; a name flush, a zone flush
 * and a flush of everything must each make exactly the expected lookups miss, leave
 * every other one hitting, report how many entries went and count them.
 *
 * Then the same under load: reader lcores (--lcores 0@0,1@1,2@0) keep looking up,
 * checking and re-inserting the responses and RRsets of 64 names in 4 zones while
 * the main lcore, which is not a reader (the control thread's place in sekishod),
 * flushes names, zones and everything for a bounded time. Every hit must be a whole
 * entry of the name asked for. In the AddressSanitizer build free slots are poisoned,
 * so a reader touching an entry a flush freed too early aborts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "cache.h"
#include "cache_denial.h"
#include "cache_priv.h"        /* the defer queue's size, for the full-queue test */
#include "cache_rrset.h"
#include "wire.h"
#include "wire_text.h"

#include "dp_check.h"

#define T0 1000000u  /* fake clock origin (seconds) */
#define TYPE_A 1
#define TYPE_NS 2
#define TYPE_SOA 6
#define TYPE_MX 15
#define TYPE_AAAA 28
#define TYPE_NSEC 47
#define TYPE_OPAQUE 65280   /* private use (RFC 6895): RDATA the builder does not parse */

static unsigned int me;

static size_t
name_of(const char *text, uint8_t *out)
{
	int n = wire_text_name(text, strlen(text), NULL, out, WIRE_TEXT_NAME_MAX);

	CHECK(n > 0);
	return n > 0 ? (size_t)n : 0;
}

static struct cache *
new_cache(size_t limit, uint32_t shards)
{
	struct cache_config cfg;
	struct cache *c;

	cache_config_default(&cfg);
	cfg.memory_limit = limit;
	cfg.shards = shards;
	cfg.seed = 42;
	c = cache_create(&cfg);
	CHECK(c != NULL);
	return c;
}

/* ---- what goes into the cache ---- */

/* SOA RDATA: two root names and five numbers (22 bytes, what RFC 2308 reads). */
static const uint8_t SOA_RDATA[22] = { 0, 0, 0, 0, 0, 1, 0, 0, 1, 0x2c, 0, 0, 1, 0x2c,
				       0, 0, 1, 0x2c, 0, 0, 1, 0x2c };

/*
 * A response to (@name, @qtype, IN) in @buf: one answer record of @rdlen (>= 4) bytes
 * of RDATA ending in @tag (of a private type whatever @qtype is, so that the builder
 * takes any RDATA; the cache does not look at it), or for @negative a NODATA with an SOA in the authority
 * section. Its TTL offsets in @off. Returns the length.
 */
static size_t
build_response(uint8_t *buf, size_t cap, const uint8_t *name, size_t nlen, uint16_t qtype,
	       bool negative, uint32_t tag, uint16_t rdlen, struct cache_response *r,
	       uint16_t *off)
{
	struct wire_builder b;
	uint8_t rd[4096];

	memset(rd, 0xab, rdlen - 4);
	wire_put_u32(rd + rdlen - 4, tag);

	wire_build_init(&b, buf, cap, cap);
	CHECK_EQ(wire_build_header(&b, 0x1234, 0x8180), WIRE_OK);
	CHECK_EQ(wire_build_question(&b, name, nlen, qtype, 1), WIRE_OK);
	if (negative)
		CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_AUTHORITY, name, nlen, TYPE_SOA, 1, 300,
				       SOA_RDATA, sizeof(SOA_RDATA)), WIRE_OK);
	else
		CHECK_EQ(wire_build_rr(&b, WIRE_SECTION_ANSWER, name, nlen, TYPE_OPAQUE, 1, 300,
				       rd, rdlen), WIRE_OK);
	memcpy(off, b.ttl_off, b.ttl_count * sizeof(uint16_t));
	*r = (struct cache_response){
		.msg = buf, .len = b.len, .ttl_off = off, .ttl_count = b.ttl_count,
		.negative = negative, .ttl_if_none = 300,
	};
	return b.len;
}

/* The question entry (name, type, IN) of a key in @q. */
static size_t
question(uint8_t *q, const uint8_t *name, size_t nlen, uint16_t qtype)
{
	memcpy(q, name, nlen);
	wire_put_u16(q + nlen, qtype);
	wire_put_u16(q + nlen + 2, 1);
	return nlen + 4;
}

static int
put_image(struct cache *c, const char *text, uint16_t qtype, unsigned int flags,
	  bool negative, uint16_t rdlen)
{
	uint8_t name[WIRE_TEXT_NAME_MAX], q[WIRE_TEXT_NAME_MAX + 4], buf[CACHE_IMAGE_MAX];
	size_t nlen = name_of(text, name);
	struct cache_response r;
	struct cache_key k;
	uint16_t off[WIRE_BUILD_TTL_MAX];

	build_response(buf, sizeof(buf), name, nlen, qtype, negative, qtype, rdlen, &r, off);
	CHECK_EQ(cache_key_init(c, &k, q, question(q, name, nlen, qtype), flags), 0);
	return cache_insert(c, me, &k, &r, T0);
}

/* Does (@text, @qtype, @flags) hit? */
static bool
image_hits(struct cache *c, const char *text, uint16_t qtype, unsigned int flags)
{
	uint8_t name[WIRE_TEXT_NAME_MAX], q[WIRE_TEXT_NAME_MAX + 4], out[512];
	size_t nlen = name_of(text, name), len = 0;
	struct cache_key k;

	CHECK_EQ(cache_key_init(c, &k, q, question(q, name, nlen, qtype), flags), 0);
	return cache_lookup(c, me, &k, 7, T0 + 1, 0, out, sizeof(out), &len) == CACHE_HIT;
}

static void
put_rrset(struct cache *c, const char *text, uint16_t type)
{
	uint8_t name[WIRE_TEXT_NAME_MAX], rd[4] = { 192, 0, 2, 1 };
	size_t nlen = name_of(text, name);
	struct cache_rrset_key k;
	static struct cache_rrset rs;

	CHECK_EQ(cache_rrset_key_init(c, &k, name, nlen, type, 1), 0);
	cache_rrset_init(&rs, 300, CACHE_RANK_ANSWER_AA, CACHE_RRSET_SECURE);
	CHECK_EQ(cache_rrset_add_rr(&rs, rd, sizeof(rd)), 0);
	CHECK_EQ(cache_rrset_insert(c, me, &k, &rs, T0), CACHE_RRSET_INSERTED);
}

static bool
rrset_hits(struct cache *c, const char *text, uint16_t type)
{
	uint8_t name[WIRE_TEXT_NAME_MAX];
	size_t nlen = name_of(text, name);
	struct cache_rrset_key k;
	static struct cache_rrset rs;

	CHECK_EQ(cache_rrset_key_init(c, &k, name, nlen, type, 1), 0);
	return cache_rrset_lookup(c, me, &k, T0 + 1, &rs) == CACHE_RRSET_HIT;
}

/* One NSEC record (owner: the zone itself) for zone @text. */
static void
put_denial(struct cache *c, const char *text)
{
	static const uint8_t nsec[] = { 0, 0, 6, 0x40, 0, 0, 0, 0, 0x03 };
	uint8_t zone[WIRE_TEXT_NAME_MAX];
	size_t zlen = name_of(text, zone);
	struct cache_denial_key k;
	static struct cache_denial d;

	CHECK_EQ(cache_denial_key_init(c, &k, zone, zlen), 0);
	CHECK_EQ(cache_denial_init(&d, TYPE_NSEC, SOA_RDATA, sizeof(SOA_RDATA), 300), 0);
	CHECK_EQ(cache_denial_add(&d, zone, zlen, nsec, sizeof(nsec), 300), 0);
	CHECK_EQ(cache_denial_insert(c, me, &k, &d, T0), CACHE_DENIAL_INSERTED);
}

static bool
denial_hits(struct cache *c, const char *text)
{
	uint8_t zone[WIRE_TEXT_NAME_MAX];
	size_t zlen = name_of(text, zone);
	struct cache_denial_key k;
	static struct cache_denial d;

	CHECK_EQ(cache_denial_key_init(c, &k, zone, zlen), 0);
	return cache_denial_lookup(c, me, &k, T0 + 1, &d);
}

/* ---- one lcore: what each flush removes, exactly ---- */

/* A label that holds the bytes of "\7example": its name ends in the bytes of
 * example.com. but is not below it. */
#define TRICK "xx\\007example.com."

static const struct {
	const char *name;
	uint16_t qtype;
	unsigned int flags;
	bool negative;
} images[] = {
	{ "www.example.com.", TYPE_A, 0, false },
	{ "www.example.com.", TYPE_A, CACHE_KEY_DO, false },
	{ "www.example.com.", TYPE_A, CACHE_KEY_CD, false },
	{ "www.example.com.", TYPE_A, CACHE_KEY_DO | CACHE_KEY_CD, false },
	{ "www.example.com.", TYPE_AAAA, 0, false },
	{ "www.example.com.", TYPE_MX, 0, true },
	{ "mail.example.com.", TYPE_A, 0, false },
	{ "a.b.example.com.", TYPE_A, 0, false },
	{ "example.com.", TYPE_SOA, 0, false },
	{ TRICK, TYPE_A, 0, false },
	{ "www.example.org.", TYPE_A, 0, false },
	{ "com.", TYPE_NS, 0, false },
};
#define N_IMAGES (sizeof(images) / sizeof(images[0]))

static const struct {
	const char *name;
	uint16_t type;
} rrsets[] = {
	{ "www.example.com.", TYPE_A },
	{ "example.com.", TYPE_NS },
	{ "a.b.example.com.", TYPE_A },
	{ "www.example.org.", TYPE_A },
	{ "com.", TYPE_NS },
};
#define N_RRSETS (sizeof(rrsets) / sizeof(rrsets[0]))

static const char *const denials[] = {
	".", "com.", "example.com.", "b.example.com.", "org.",
};
#define N_DENIALS (sizeof(denials) / sizeof(denials[0]))

/* Is @name @zone or below it (for the expectations; plain text suffix on labels)? */
static bool
text_below(const char *name, const char *zone)
{
	size_t n = strlen(name), z = strlen(zone);

	if (strcmp(zone, ".") == 0)
		return true;
	return n >= z && strcmp(name + n - z, zone) == 0 && (n == z || name[n - z - 1] == '.') &&
	       !(n > z && n - z >= 2 && name[n - z - 2] == '\\');
}

/*
 * What should be cached now: gone[i] marks what was flushed. Checks every image,
 * RRset and denial entry against it.
 */
struct world {
	bool image_gone[N_IMAGES], rrset_gone[N_RRSETS], denial_gone[N_DENIALS];
};

static void
check_world(struct cache *c, const struct world *w, const char *when)
{
	int before = failures;

	for (size_t i = 0; i < N_IMAGES; i++)
		CHECK_EQ(image_hits(c, images[i].name, images[i].qtype, images[i].flags),
			 !w->image_gone[i]);
	for (size_t i = 0; i < N_RRSETS; i++)
		CHECK_EQ(rrset_hits(c, rrsets[i].name, rrsets[i].type), !w->rrset_gone[i]);
	for (size_t i = 0; i < N_DENIALS; i++)
		CHECK_EQ(denial_hits(c, denials[i]), !w->denial_gone[i]);
	if (failures != before)
		fprintf(stderr, "  (after %s)\n", when);
}

/* Mark as gone what a flush of @name (@zone: and below) takes; returns how many. */
static uint32_t
expect_flush(struct world *w, const char *name, bool zone)
{
	uint32_t n = 0;

	for (size_t i = 0; i < N_IMAGES; i++) {
		bool hit = zone ? text_below(images[i].name, name) : strcmp(images[i].name, name) == 0;

		n += hit && !w->image_gone[i];
		w->image_gone[i] |= hit;
	}
	for (size_t i = 0; i < N_RRSETS; i++) {
		bool hit = zone ? text_below(rrsets[i].name, name) : strcmp(rrsets[i].name, name) == 0;

		n += hit && !w->rrset_gone[i];
		w->rrset_gone[i] |= hit;
	}
	for (size_t i = 0; i < N_DENIALS; i++) {
		/* the name's own zone (or the zones below), and every zone above */
		bool hit = text_below(name, denials[i]) ||
			   (zone && text_below(denials[i], name));

		n += hit && !w->denial_gone[i];
		w->denial_gone[i] |= hit;
	}
	return n;
}

static void
fill(struct cache *c)
{
	for (size_t i = 0; i < N_IMAGES; i++)
		CHECK_EQ(put_image(c, images[i].name, images[i].qtype, images[i].flags,
				   images[i].negative, 4), 0);
	for (size_t i = 0; i < N_RRSETS; i++)
		put_rrset(c, rrsets[i].name, rrsets[i].type);
	for (size_t i = 0; i < N_DENIALS; i++)
		put_denial(c, denials[i]);
}

static void
test_flush_name_zone_and_all_remove_exactly_their_entries(void)
{
	struct cache *c = new_cache(4u << 20, 4);
	uint8_t name[WIRE_TEXT_NAME_MAX];
	struct world w;
	struct cache_stats st;
	uint32_t removed = 0, want, total = 0;
	size_t len;

	CHECK_EQ(cache_reader_register(c, me), 0);
	memset(&w, 0, sizeof(w));
	fill(c);
	check_world(c, &w, "fill");
	CHECK_EQ(cache_count(c), N_IMAGES + N_RRSETS + N_DENIALS);

	/* a name, given in mixed case: its 6 responses, its RRset, the zones above */
	len = name_of("WWW.Example.COM.", name);
	want = expect_flush(&w, "www.example.com.", false);
	CHECK_EQ(want, 6 + 1 + 3);
	CHECK_EQ(cache_flush_name(c, me, name, len, &removed), 0);
	CHECK_EQ(removed, want);
	total += removed;
	check_world(c, &w, "flush www.example.com.");

	/* a zone: the apex and every name below it, not the look-alike, not .org */
	put_denial(c, "com.");
	put_denial(c, ".");
	w.denial_gone[0] = w.denial_gone[1] = false;
	len = name_of("example.com.", name);
	want = expect_flush(&w, "example.com.", true);
	CHECK_EQ(want, 3 + 2 + 1 + 2);
	CHECK_EQ(cache_flush_zone(c, me, name, len, &removed), 0);
	CHECK_EQ(removed, want);
	total += removed;
	check_world(c, &w, "flush --zone example.com.");
	CHECK(image_hits(c, TRICK, TYPE_A, 0));

	/* everything that is left */
	want = cache_count(c);
	CHECK_EQ(want, 3 + 2 + 1);
	CHECK_EQ(cache_flush(c, me), want);
	total += want;
	memset(&w, 1, sizeof(w));
	check_world(c, &w, "flush --all");
	CHECK_EQ(cache_count(c), 0);

	cache_stats_sum(c, &st);
	CHECK_EQ(st.flushes, 3);
	CHECK_EQ(st.flushed, total);

	/* the memory comes back once this reader has been quiescent */
	cache_quiescent(c, me);
	CHECK_EQ(cache_reclaim(c, me), total);
	fill(c);
	CHECK_EQ(cache_count(c), N_IMAGES + N_RRSETS + N_DENIALS);
	cache_reader_unregister(c, me);
	cache_free(c);
}

static void
test_flush_refuses_bad_names_and_lcores(void)
{
	struct cache *c = new_cache(4u << 20, 4);
	static const uint8_t no_root[] = { 3, 'w', 'w', 'w' };
	static const uint8_t long_label[] = { 64, 'a' };
	uint8_t name[WIRE_TEXT_NAME_MAX];
	size_t len = name_of("example.com.", name);
	uint32_t removed = 99;
	struct cache_stats st;

	CHECK_EQ(cache_flush_name(c, me, no_root, sizeof(no_root), &removed), -EINVAL);
	CHECK_EQ(cache_flush_zone(c, me, long_label, sizeof(long_label), &removed), -EINVAL);
	/* the name must be exactly @len bytes */
	CHECK_EQ(cache_flush_name(c, me, name, len + 1, &removed), -EINVAL);
	CHECK_EQ(cache_flush_zone(c, RTE_MAX_LCORE, name, len, &removed), -EINVAL);
	CHECK_EQ(removed, 99);
	CHECK_EQ(cache_flush(c, RTE_MAX_LCORE), 0);
	cache_stats_sum(c, &st);
	CHECK_EQ(st.flushes, 0);
	/* nothing to remove is not an error */
	CHECK_EQ(cache_flush_zone(c, me, name, len, &removed), 0);
	CHECK_EQ(removed, 0);
	cache_free(c);
}

/*
 * More live entries in a shard than its defer queue holds, and the flushing lcore a
 * reader that is not quiescent meanwhile: the queue fills up, the flush must wait for
 * grace periods with the lock let go, and still remove every entry.
 */
static void
test_flush_all_of_a_full_cache_waits_out_full_defer_queues(void)
{
	static const uint16_t sizes[] = { 100, 350, 800, 1700, 3800 }; /* every size class */
	struct cache *c = new_cache(4u << 20, 1);
	uint32_t n, cap = cache_capacity(c), dq = c->shards[0].dq_mask + 1;
	char text[64];

	CHECK_EQ(cache_reader_register(c, me), 0);
	for (uint32_t i = 0; i < 2 * cap; i++) {
		snprintf(text, sizeof(text), "n%u.example.", i);
		(void)put_image(c, text, TYPE_A, 0, false, sizes[i % 5]);
		if (i % 32 == 31)
			cache_quiescent(c, me);       /* evicted memory ripens */
	}
	n = cache_count(c);
	printf("  %u live entries of %u slots in one shard, defer queue %u\n", n, cap, dq);
	CHECK(n > dq);
	CHECK_EQ(cache_flush(c, me), n);
	CHECK_EQ(cache_count(c), 0);
	CHECK(!image_hits(c, "n1.example.", TYPE_A, 0));
	cache_reader_unregister(c, me);
	cache_free(c);
}

/* ---- under load: readers keep reading while the main lcore flushes ---- */

#define LOAD_SECONDS 2
#define LOAD_MAX_OPS 20000000ull
#define NKEYS 64
#define NZONES 4
#define BURST 16

static struct cache *load_cache;
static uint64_t t_end;
static volatile int flushing_done;

struct reader_result {
	uint64_t ops, hits, misses, inserts, rr_hits, bad;
} __rte_cache_aligned;
static struct reader_result results[RTE_MAX_LCORE];

static void
key_name(char *text, size_t cap, uint32_t key)
{
	snprintf(text, cap, "k%02u.z%u.test.", key, key % NZONES);
}

/* A hit must be the response of @key: the ID asked for, the tag in its answer, and
 * its question's name (the cache writes the client's question over the stored one,
 * so that is checked by the length: a torn entry would not have the right one). */
static bool
image_ok(const uint8_t *m, size_t len, size_t qlen, uint16_t id, uint32_t key)
{
	return len >= 12 + qlen + 12 + 4 && len <= 12 + 2 * qlen + 10 + 4 &&
	       wire_get_u16(m) == id && wire_get_u32(m + len - 4) == key;
}

static void
reader_image(struct reader_result *res, unsigned int lcore, uint32_t key, uint16_t id)
{
	uint8_t name[WIRE_TEXT_NAME_MAX], q[WIRE_TEXT_NAME_MAX + 4], out[512], buf[512];
	char text[64];
	size_t nlen, qlen, len = 0;
	struct cache_key k;
	struct cache_response r;
	uint16_t off[WIRE_BUILD_TTL_MAX];

	key_name(text, sizeof(text), key);
	nlen = (size_t)wire_text_name(text, strlen(text), NULL, name, sizeof(name));
	qlen = question(q, name, nlen, TYPE_A);
	cache_key_init(load_cache, &k, q, qlen, 0);
	if (cache_lookup(load_cache, lcore, &k, id, T0, 0, out, sizeof(out), &len) == CACHE_HIT) {
		res->hits++;
		if (!image_ok(out, len, qlen, id, key) && res->bad++ < 5)
			fprintf(stderr, "  lcore %u key %u: wrong or torn answer\n", lcore, key);
		return;
	}
	res->misses++;
	/* like a worker: a miss is resolved and cached */
	build_response(buf, sizeof(buf), name, nlen, TYPE_A, false, key, 4, &r, off);
	res->inserts += cache_insert(load_cache, lcore, &k, &r, T0) == 0;
}

static void
reader_rrset(struct reader_result *res, unsigned int lcore, uint32_t key)
{
	uint8_t name[WIRE_TEXT_NAME_MAX], rd[4];
	char text[64];
	size_t nlen;
	struct cache_rrset_key k;
	struct cache_rrset rs;

	key_name(text, sizeof(text), key);
	nlen = (size_t)wire_text_name(text, strlen(text), NULL, name, sizeof(name));
	cache_rrset_key_init(load_cache, &k, name, nlen, TYPE_A, 1);
	if (cache_rrset_lookup(load_cache, lcore, &k, T0, &rs) == CACHE_RRSET_HIT) {
		res->rr_hits++;
		if ((rs.rr_count != 1 || rs.rdlen[0] != 4 ||
		     wire_get_u32(cache_rrset_rdata(&rs, 0)) != key) && res->bad++ < 5)
			fprintf(stderr, "  lcore %u key %u: wrong or torn RRset\n", lcore, key);
		return;
	}
	wire_put_u32(rd, key);
	cache_rrset_init(&rs, 300, CACHE_RANK_ANSWER_AA, CACHE_RRSET_INDETERMINATE);
	cache_rrset_add_rr(&rs, rd, sizeof(rd));
	cache_rrset_insert(load_cache, lcore, &k, &rs, T0);
}

static int
reader_lcore(void *arg)
{
	unsigned int lcore = rte_lcore_id();
	struct reader_result *res = &results[lcore];
	uint64_t rng = 0x9e3779b97f4a7c15ull * (lcore + 1);

	RTE_SET_USED(arg);
	if (cache_reader_register(load_cache, lcore) != 0) {
		res->bad++;
		return -1;
	}
	while (!flushing_done && res->ops < LOAD_MAX_OPS) {
		for (int b = 0; b < BURST; b++, res->ops++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			uint32_t key = (uint32_t)(rng % NKEYS);

			if ((rng >> 40) % 4 == 0)
				reader_rrset(res, lcore, key);
			else
				reader_image(res, lcore, key, (uint16_t)(rng >> 16));
		}
		cache_quiescent(load_cache, lcore);
	}
	cache_reader_unregister(load_cache, lcore);
	return 0;
}

struct flusher_result {
	uint64_t names, zones, alls, removed;
};

/* The control thread's part: flushes of every kind until the time is up. */
static void
flusher(struct flusher_result *fr)
{
	uint64_t rng = 12345;
	uint8_t name[WIRE_TEXT_NAME_MAX];
	char text[64];
	uint32_t removed;

	while (rte_get_tsc_cycles() < t_end) {
		uint32_t op;

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		op = (uint32_t)(rng >> 33) % 3;
		removed = 0;
		if (op == 0) {
			key_name(text, sizeof(text), (uint32_t)(rng >> 40) % NKEYS);
			CHECK_EQ(cache_flush_name(load_cache, me, name,
						  name_of(text, name), &removed), 0);
			fr->names++;
		} else if (op == 1) {
			snprintf(text, sizeof(text), "z%u.test.", (uint32_t)(rng >> 40) % NZONES);
			CHECK_EQ(cache_flush_zone(load_cache, me, name,
						  name_of(text, name), &removed), 0);
			fr->zones++;
		} else {
			removed = cache_flush(load_cache, me);
			fr->alls++;
		}
		fr->removed += removed;
		/* let the readers cache things again */
		rte_delay_us_sleep(200);
	}
	flushing_done = 1;
}

static void
test_readers_keep_reading_while_the_control_lcore_flushes(void)
{
	struct flusher_result fr = { 0 };
	struct reader_result sum = { 0 };
	struct cache_stats st;
	unsigned int l, readers = 0;

	load_cache = new_cache(2u << 20, 4);
	t_end = rte_get_tsc_cycles() + LOAD_SECONDS * rte_get_tsc_hz();
	RTE_LCORE_FOREACH_WORKER(l) {
		rte_eal_remote_launch(reader_lcore, NULL, l);
		readers++;
	}
	flusher(&fr);
	rte_eal_mp_wait_lcore();
	RTE_LCORE_FOREACH_WORKER(l) {
		struct reader_result *r = &results[l];

		printf("  lcore %u: %lu ops, %lu hits, %lu misses, %lu inserts, %lu RRset hits, "
		       "%lu bad\n", l, (unsigned long)r->ops, (unsigned long)r->hits,
		       (unsigned long)r->misses, (unsigned long)r->inserts,
		       (unsigned long)r->rr_hits, (unsigned long)r->bad);
		sum.hits += r->hits;
		sum.misses += r->misses;
		sum.rr_hits += r->rr_hits;
		sum.bad += r->bad;
	}
	printf("  flusher: %lu name, %lu zone, %lu all flushes, %lu entries removed\n",
	       (unsigned long)fr.names, (unsigned long)fr.zones, (unsigned long)fr.alls,
	       (unsigned long)fr.removed);
	cache_stats_sum(load_cache, &st);
	CHECK(readers >= 2);
	CHECK_EQ(sum.bad, 0);
	/* the run did what it claims: hits, misses after flushes, every kind of flush
	 * removing entries the readers had put back */
	CHECK(sum.hits > 0 && sum.rr_hits > 0 && sum.misses > 0);
	CHECK(fr.names > 0 && fr.zones > 0 && fr.alls > 0 && fr.removed > 0);
	CHECK_EQ(st.flushes, fr.names + fr.zones + fr.alls);
	CHECK_EQ(st.flushed, fr.removed);
	CHECK_EQ(st.key_mismatch, 0);
	/* nothing left behind once the readers are gone */
	cache_flush(load_cache, me);
	CHECK_EQ(cache_count(load_cache), 0);
	cache_free(load_cache);
}

int
main(int argc, char **argv)
{
	char *eal[] = {
		argv[0], "--no-huge", "-m", "512", "--no-shconf", "--no-pci",
		"--lcores", "0@0,1@1,2@0", "--log-level=error",
	};

	RTE_SET_USED(argc);
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	me = rte_lcore_id();
#define RUN(t) do { printf("%s\n", #t); t(); } while (0)
	RUN(test_flush_name_zone_and_all_remove_exactly_their_entries);
	RUN(test_flush_refuses_bad_names_and_lcores);
	RUN(test_flush_all_of_a_full_cache_waits_out_full_defer_queues);
	RUN(test_readers_keep_reading_while_the_control_lcore_flushes);
	printf("%d checks, %d failures\n", checks, failures);
	rte_eal_cleanup();
	return failures ? 1 : 0;
}
