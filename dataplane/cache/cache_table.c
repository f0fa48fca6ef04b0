/*
 * cache_table.c - the writers' side of the cache's hash table (cache_table.h):
 * add, replace, delete. Every function here runs under the lock of the shard
 * that owns the table; readers run concurrently (cache_table_find) and see either
 * the old or the new state of a way, in an order that keeps them safe (the rules
 * are in cache_table.h).
 */
#include <errno.h>

#include <rte_malloc.h>

#include "cache_priv.h"

int
cache_table_init(struct cache_table *t, uint32_t buckets, int socket)
{
	if (buckets == 0 || !rte_is_power_of_2(buckets) || buckets > CACHE_TABLE_MAX_BUCKETS)
		return -EINVAL;
	t->b = rte_zmalloc_socket("cache_table", cache_table_size(buckets),
				  RTE_CACHE_LINE_SIZE, socket);
	if (t->b == NULL)
		return -ENOMEM;
	t->mask = buckets - 1;
	t->count = 0;
	return 0;
}

void
cache_table_free(struct cache_table *t)
{
	rte_free(t->b);
	t->b = NULL;
}

/* The way of @b holding the entry with @hash, or -1. */
static int
way_of_hash(const struct cache *c, const struct cache_bucket *b, uint32_t sig, uint64_t hash)
{
	for (int i = 0; i < CACHE_TABLE_WAYS; i++)
		if (b->sig[i] == sig && b->ref[i] != 0 && cache_ref_entry(c, b->ref[i])->hash == hash)
			return i;
	return -1;
}

/* The way of @b holding reference @ref, or -1. */
static int
way_of_ref(const struct cache_bucket *b, uint32_t ref)
{
	for (int i = 0; i < CACHE_TABLE_WAYS; i++)
		if (b->ref[i] == ref)
			return i;
	return -1;
}

static int
free_way(const struct cache_bucket *b)
{
	return way_of_ref(b, 0);
}

/* Way @w's prefetch hint: the lines @e spans (slots start on a line). A reader
 * that pairs a way with a stale hint only prefetches too much or too little. */
static void
set_lines(struct cache_bucket *b, int w, const struct cache_entry *e)
{
	size_t n = (cache_entry_size(e->image_len, e->ttl_count) + RTE_CACHE_LINE_SIZE - 1) /
		   RTE_CACHE_LINE_SIZE;
	uint32_t v = b->lines & ~(0xfu << (4 * w));

	__atomic_store_n(&b->lines, v | (uint32_t)RTE_MIN(n, (size_t)0xf) << (4 * w),
			 __ATOMIC_RELAXED);
}

/* Fill an empty way: the reference first, then (release) the signature that
 * makes readers look at it. */
static void
fill_way(struct cache_bucket *b, int w, uint32_t sig, const struct cache_entry *e)
{
	uint32_t ref = cache_ref_of(e);

	set_lines(b, w, e);
	__atomic_store_n(&b->ref[w], ref, __ATOMIC_RELEASE);
	__atomic_store_n(&b->sig[w], sig, __ATOMIC_RELEASE);
}

/* Empty a way: after this no reader that starts can reach its entry. */
static void
clear_way(struct cache_bucket *b, int w)
{
	__atomic_store_n(&b->sig[w], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&b->ref[w], 0, __ATOMIC_RELEASE);
}

/* Replace the entry in way @w by @e (one release store); the old one in *old. */
static int
swap_way(struct cache *c, struct cache_bucket *b, int w, struct cache_entry *e,
	 struct cache_entry **old)
{
	*old = cache_ref_entry(c, b->ref[w]);
	set_lines(b, w, e);
	__atomic_store_n(&b->ref[w], cache_ref_of(e), __ATOMIC_RELEASE);
	return 1;
}

int
cache_table_put(struct cache *c, struct cache_table *t, struct cache_entry *e,
		struct cache_entry **old)
{
	uint32_t sig = cache_table_sig(e->hash);
	uint32_t p = cache_table_primary(t, e->hash);
	uint32_t a = cache_table_alternate(t, p, sig);
	struct cache_bucket *bp = &t->b[p], *ba = &t->b[a];
	int w = way_of_hash(c, bp, sig, e->hash);

	*old = NULL;
	if (w >= 0)
		return swap_way(c, bp, w, e, old);
	if (bp->overflow != 0 && (w = way_of_hash(c, ba, sig, e->hash)) >= 0)
		return swap_way(c, ba, w, e, old);
	if ((w = free_way(bp)) >= 0) {
		fill_way(bp, w, sig, e);
	} else if (a != p && (w = free_way(ba)) >= 0) {
		/* counted before the signature shows, so a reader of the primary that sees
		 * no overflow can only miss a key that is not there yet */
		__atomic_store_n(&bp->overflow, bp->overflow + 1, __ATOMIC_RELAXED);
		fill_way(ba, w, sig, e);
	} else {
		return -ENOSPC;
	}
	t->count++;
	return 0;
}

int
cache_table_del(struct cache *c, struct cache_table *t, struct cache_entry *e)
{
	uint32_t sig = cache_table_sig(e->hash);
	uint32_t p = cache_table_primary(t, e->hash);
	uint32_t a = cache_table_alternate(t, p, sig);
	uint32_t ref = cache_ref_of(e);
	struct cache_bucket *bp = &t->b[p], *ba = &t->b[a];
	int w;

	RTE_SET_USED(c);
	if ((w = way_of_ref(bp, ref)) >= 0) {
		clear_way(bp, w);
	} else if (a != p && bp->overflow != 0 && (w = way_of_ref(ba, ref)) >= 0) {
		clear_way(ba, w);
		__atomic_store_n(&bp->overflow, bp->overflow - 1, __ATOMIC_RELAXED);
	} else {
		return -ENOENT;
	}
	t->count--;
	return 0;
}
