/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_cache_table.c: the cache's hash table (cache_table.h) with hashes chosen
 * by hand, so that keys share a primary bucket, spill into the alternate, fill
 * both, and come out again. Entries are real slots of a small cache; only their
 * hash fields are set, the table needs nothing else. One lcore, EAL --no-huge.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_lcore.h>

#include "cache_priv.h"

#include "dp_check.h"

#define SIG 0x12345678ull

/* Shard 0, bucket 3, signature SIG; @variant in the top bits, which a small
 * table's mask ignores: every such key has the same primary and alternate. */
static uint64_t
same_place(uint32_t variant)
{
	return (uint64_t)variant << 60 | 3ull << 40 | SIG;
}

/* Shard 0, bucket 3, a signature of its own: same primary, own alternate. */
static uint64_t
same_primary(uint32_t i)
{
	return 3ull << 40 | (SIG + 0x1000u * (i + 1));
}

static struct cache *
small_cache(void)
{
	struct cache_config cfg;

	cache_config_default(&cfg);
	cfg.memory_limit = 4u << 20;
	cfg.shards = 1;
	cfg.seed = 7;
	return cache_create(&cfg);
}

static struct cache_entry *
slot(struct cache *c, uint32_t i, uint64_t hash)
{
	struct cache_entry *e = cache_slot(c, 0, i);

	e->hash = hash;
	return e;
}

static void
test_spill_to_alternate_and_back(struct cache *c)
{
	struct cache_table *t = &c->shards[0].t;
	struct cache_entry *e[CACHE_TABLE_WAYS + 2], *old;
	uint32_t p = cache_table_primary(t, same_primary(0));

	CHECK(t->mask >= 7 && t->mask < (1u << 20));
	for (uint32_t i = 0; i < RTE_DIM(e); i++) {
		e[i] = slot(c, i, same_primary(i));
		CHECK_EQ(cache_table_put(c, t, e[i], &old), 0);
		CHECK(old == NULL);
	}
	/* seven in the primary, two in their alternates, counted there */
	CHECK_EQ(t->b[p].overflow, 2);
	CHECK_EQ(t->count, RTE_DIM(e));
	for (uint32_t i = 0; i < RTE_DIM(e); i++)
		CHECK(cache_table_find(c, e[i]->hash) == e[i]);

	/* a key that was never put is not found, even with a signature that is */
	CHECK(cache_table_find(c, same_primary(0) ^ (1ull << 60)) == NULL);

	/* the spilled ones leave: the overflow count goes back to zero */
	CHECK_EQ(cache_table_del(c, t, e[RTE_DIM(e) - 1]), 0);
	CHECK_EQ(cache_table_del(c, t, e[RTE_DIM(e) - 2]), 0);
	CHECK_EQ(t->b[p].overflow, 0);
	CHECK(cache_table_find(c, e[RTE_DIM(e) - 1]->hash) == NULL);
	CHECK_EQ(cache_table_del(c, t, e[RTE_DIM(e) - 1]), -ENOENT);
	for (uint32_t i = 0; i < CACHE_TABLE_WAYS; i++) {
		CHECK(cache_table_find(c, e[i]->hash) == e[i]);
		CHECK_EQ(cache_table_del(c, t, e[i]), 0);
	}
	CHECK_EQ(t->count, 0);
}

static void
test_replace_and_full(struct cache *c)
{
	struct cache_table *t = &c->shards[0].t;
	struct cache_entry *e[2 * CACHE_TABLE_WAYS], *old, *extra, *newer;

	for (uint32_t i = 0; i < RTE_DIM(e); i++) {
		e[i] = slot(c, 100 + i, same_place(i));
		CHECK_EQ(cache_table_put(c, t, e[i], &old), 0);
	}
	/* primary and alternate are both full: the next key has nowhere to go */
	extra = slot(c, 200, same_place(RTE_DIM(e)));
	CHECK_EQ(cache_table_put(c, t, extra, &old), -ENOSPC);
	CHECK(cache_table_find(c, extra->hash) == NULL);

	/* the same hash again replaces in place, in the primary and in the alternate */
	newer = slot(c, 201, e[2]->hash);
	CHECK_EQ(cache_table_put(c, t, newer, &old), 1);
	CHECK(old == e[2]);
	CHECK(cache_table_find(c, e[2]->hash) == newer);
	newer = slot(c, 202, e[RTE_DIM(e) - 1]->hash);
	CHECK_EQ(cache_table_put(c, t, newer, &old), 1);
	CHECK(old == e[RTE_DIM(e) - 1]);
	CHECK(cache_table_find(c, newer->hash) == newer);
	CHECK_EQ(t->count, RTE_DIM(e));

	/* a way freed in the alternate takes the extra key */
	CHECK_EQ(cache_table_del(c, t, newer), 0);
	CHECK_EQ(cache_table_put(c, t, extra, &old), 0);
	CHECK(cache_table_find(c, extra->hash) == extra);
	/* the replaced entry is no longer in the table, so deleting it says so */
	CHECK_EQ(cache_table_del(c, t, e[2]), -ENOENT);
}

/* The lines the bucket's hint gives for @e, or -1 when no way of its primary
 * bucket holds it. */
static int
hint_of(struct cache *c, const struct cache_entry *e)
{
	struct cache_table *t = &c->shards[0].t;
	const struct cache_bucket *b = &t->b[cache_table_primary(t, e->hash)];

	for (unsigned int w = 0; w < CACHE_TABLE_WAYS; w++)
		if (b->ref[w] == cache_ref_of(e))
			return (int)cache_bucket_lines(b, w);
	return -1;
}

/*
 * Each way's prefetch hint is the number of cache lines its entry spans (the
 * header, TTL tables and image; 15 at most), set on add and on replace, per way:
 * neighbours keep theirs.
 */
static void
test_prefetch_hint_follows_the_entry(struct cache *c)
{
	struct cache_table *t = &c->shards[0].t;
	/* entries of these many bytes in all, with these many TTL fields */
	static const struct { uint16_t bytes, ttl_count; int lines; } shape[] = {
		{ 64, 0, 1 }, { 100, 1, 2 }, { 128, 1, 2 }, { 129, 1, 3 },
		{ 472, 4, 8 }, { 4168, 20, 15 },  /* 66 lines: the hint's largest, 15 */
	};
	size_t head = sizeof(struct cache_entry);
	struct cache_entry *e[RTE_DIM(shape)], *old, *bigger;

	for (uint32_t i = 0; i < RTE_DIM(shape); i++) {
		e[i] = slot(c, 300 + i, same_primary(i));
		e[i]->ttl_count = shape[i].ttl_count;
		e[i]->image_len = (uint16_t)(shape[i].bytes - head - 6u * shape[i].ttl_count);
		CHECK_EQ(cache_table_put(c, t, e[i], &old), 0);
	}
	for (uint32_t i = 0; i < RTE_DIM(shape); i++)
		CHECK_EQ(hint_of(c, e[i]), shape[i].lines);
	/* a replacement of another size changes its own way's hint only */
	bigger = slot(c, 400, e[1]->hash);
	bigger->ttl_count = 2;
	bigger->image_len = (uint16_t)(360 - head - 12);
	CHECK_EQ(cache_table_put(c, t, bigger, &old), 1);
	CHECK(old == e[1]);
	CHECK_EQ(hint_of(c, bigger), 6);      /* 360 bytes */
	for (uint32_t i = 0; i < RTE_DIM(shape); i++)
		if (i != 1)
			CHECK_EQ(hint_of(c, e[i]), shape[i].lines);
}

int
main(int argc, char **argv)
{
	char *eal[] = {
		argv[0], "--no-huge", "-m", "256", "--no-shconf", "--no-pci", "-l", "0",
		"--log-level=error",
	};
	struct cache *c;

	RTE_SET_USED(argc);
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	c = small_cache();
	if (c == NULL) {
		fprintf(stderr, "cache_create failed\n");
		return 1;
	}
	test_spill_to_alternate_and_back(c);
	cache_free(c);
	c = small_cache();
	CHECK(c != NULL);
	if (c != NULL) {
		test_replace_and_full(c);
		cache_free(c);
	}
	c = small_cache();
	CHECK(c != NULL);
	if (c != NULL) {
		test_prefetch_hint_follows_the_entry(c);
		cache_free(c);
	}
	rte_eal_cleanup();
	printf("%d checks, %d failures\n", checks, failures);
	return failures == 0 ? 0 : 1;
}
