/*
 * cache_flush.c - removing entries on the operator's word (`sekishoctl flush`): every
 * entry of one name, of a zone and the names below it, or all of them.
 *
 * Slow path only (the control thread, or a test's lcore), never a worker: a flush
 * walks every bucket of every shard's table, because an entry's key is a hash of
 * (name, type, class, kind) and "every type of this name" cannot be looked up. Each
 * shard is walked FLUSH_BATCH buckets per hold of its lock, so a worker waiting to
 * insert waits for one batch at most, never for the whole walk. What matches is
 * unpublished and retired to the shard's defer queue like an evicted entry (readers
 * that hold it keep a whole entry until their next quiescent state). When the defer
 * queue is full, the walk lets go of the lock, waits for a grace period and goes on
 * from the same bucket: waiting with the lock held would stop a worker spinning on
 * it from ever becoming quiescent.
 *
 * Entries are matched by their own name: the question of a response image, the owner
 * of an RRset, the zone of a denial entry, all stored lowercase.
 */
#include <errno.h>
#include <string.h>

#include "cache_denial.h"
#include "cache_priv.h"

/* Buckets looked at per hold of a shard's lock (7 entries each at most). */
#define FLUSH_BATCH 16u

/* Which entries go: every one, those of one name, or those at or below a zone. */
enum flush_scope {
	FLUSH_ALL,
	FLUSH_NAME,
	FLUSH_ZONE,
};

struct flush_match {
	enum flush_scope scope;
	uint16_t len;
	uint8_t name[255];        /* lowercase wire form */
};

/* The lowercase name an entry is filed under (e->name_len bytes). */
static const uint8_t *
entry_name(const struct cache_entry *e)
{
	if (e->key_flags == CACHE_KIND_RRSET)
		return cache_rrset_entry_owner(e);
	if (e->key_flags == CACHE_KIND_DENIAL)
		return cache_denial_entry_zone(e);
	/* an image: the question's name right after the 12-byte header (the cast only
	 * because the accessors serve writers too; nothing is written) */
	return cache_entry_image((struct cache_entry *)(uintptr_t)e) + 12;
}

/* Is @name (@len bytes, well formed) @zone (@zlen bytes) or a name below it? Walks
 * label by label, so "xample.com" never matches below "ample.com". */
static bool
name_at_or_below(const uint8_t *name, size_t len, const uint8_t *zone, size_t zlen)
{
	size_t off = 0;

	while (len - off > zlen) {
		if (name[off] == 0)
			return false;
		off += 1u + name[off];
		if (off >= len)
			return false;
	}
	return len - off == zlen && memcmp(name + off, zone, zlen) == 0;
}

static bool
flush_matches(const struct cache_entry *e, const struct flush_match *m)
{
	switch (m->scope) {
	case FLUSH_ALL:
		return true;
	case FLUSH_NAME:
		return e->name_len == m->len && memcmp(entry_name(e), m->name, m->len) == 0;
	case FLUSH_ZONE:
		return name_at_or_below(entry_name(e), e->name_len, m->name, m->len);
	}
	return false;
}

/* Remove what matches in one bucket of @s (lock held). False when the defer queue
 * filled up before the bucket was done (what was removed stays removed). */
static bool
flush_bucket(struct cache *c, struct cache_shard *s, struct cache_lcore *lc,
	     struct cache_bucket *b, const struct flush_match *m, uint32_t *n)
{
	for (unsigned int w = 0; w < CACHE_TABLE_WAYS; w++) {
		uint32_t ref = b->ref[w];
		struct cache_entry *e;

		if (ref == 0)
			continue;
		e = cache_ref_entry(c, ref);
		if (!flush_matches(e, m))
			continue;
		if (!cache_delete_locked(c, s, lc, e))
			return false;
		(*n)++;
	}
	return true;
}

/* Wait until every reader has passed a quiescent state (no lock held). */
static void
wait_grace(struct cache *c, unsigned int lcore)
{
	rte_rcu_qsbr_synchronize(c->qsbr, c->lcore[lcore].reader ? lcore : RTE_QSBR_THRID_INVALID);
}

static uint32_t
flush_shard(struct cache *c, unsigned int lcore, struct cache_shard *s,
	    const struct flush_match *m)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	uint32_t n = 0, b = 0, buckets = s->t.mask + 1;

	while (b < buckets) {
		uint32_t end = RTE_MIN(b + FLUSH_BATCH, buckets);

		cache_shard_lock(s, lc);
		while (b < end && flush_bucket(c, s, lc, &s->t.b[b], m, &n))
			b++;
		rte_spinlock_unlock(&s->lock);
		if (b < end)
			wait_grace(c, lcore);
	}
	return n;
}

static uint32_t
flush_table(struct cache *c, unsigned int lcore, const struct flush_match *m)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < c->cfg.shards; i++)
		n += flush_shard(c, lcore, &c->shards[i], m);
	return n;
}

/* Remove the denial entry of @zone if there is one; 1 when it was removed. */
static uint32_t
flush_denial_of(struct cache *c, unsigned int lcore, const uint8_t *zone, size_t len)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	struct cache_denial_key k;
	struct cache_shard *s;
	struct cache_entry *e;
	bool done = false;

	if (cache_denial_key_init(c, &k, zone, len) != 0)
		return 0;
	s = cache_shard_of(c, k.hash);
	for (;;) {
		bool full = false;

		cache_shard_lock(s, lc);
		e = cache_table_find(c, k.hash);
		/* the full key, not just the hash: never another entry by collision */
		if (e != NULL && e->key_flags == CACHE_KIND_DENIAL && e->name_len == k.zone_len &&
		    memcmp(cache_denial_entry_zone(e), k.zone, k.zone_len) == 0) {
			done = cache_delete_locked(c, s, lc, e);
			full = !done;
		}
		rte_spinlock_unlock(&s->lock);
		if (!full)
			return done;
		wait_grace(c, lcore);
	}
}

/* The denial entries of the zones strictly above @name (its parent up to the root). */
static uint32_t
flush_denials_above(struct cache *c, unsigned int lcore, const uint8_t *name, size_t len)
{
	uint32_t n = 0;
	size_t off = 0;

	while (name[off] != 0) {
		off += 1u + name[off];
		n += flush_denial_of(c, lcore, name + off, len - off);
	}
	return n;
}

static void
count_flush(struct cache *c, unsigned int lcore, uint32_t n)
{
	c->lcore[lcore].stats.flushes++;
	c->lcore[lcore].stats.flushed += n;
}

static int
flush_by_name(struct cache *c, unsigned int lcore, enum flush_scope scope,
	    const uint8_t *name, size_t len, uint32_t *removed)
{
	struct flush_match m = { .scope = scope };
	int n;
	uint32_t count;

	if (lcore >= RTE_MAX_LCORE || name == NULL)
		return -EINVAL;
	n = cache_name_lower(name, len, m.name);
	if (n < 0 || (size_t)n != len)
		return -EINVAL;
	m.len = (uint16_t)n;
	count = flush_table(c, lcore, &m);
	count += flush_denials_above(c, lcore, m.name, m.len);
	count_flush(c, lcore, count);
	if (removed != NULL)
		*removed = count;
	return 0;
}

int
cache_flush_name(struct cache *c, unsigned int lcore, const uint8_t *name, size_t len,
		 uint32_t *removed)
{
	return flush_by_name(c, lcore, FLUSH_NAME, name, len, removed);
}

int
cache_flush_zone(struct cache *c, unsigned int lcore, const uint8_t *zone, size_t len,
		 uint32_t *removed)
{
	return flush_by_name(c, lcore, FLUSH_ZONE, zone, len, removed);
}

uint32_t
cache_flush(struct cache *c, unsigned int lcore)
{
	const struct flush_match m = { .scope = FLUSH_ALL };
	uint32_t n;

	if (lcore >= RTE_MAX_LCORE)
		return 0;
	n = flush_table(c, lcore, &m);
	count_flush(c, lcore, n);
	return n;
}
