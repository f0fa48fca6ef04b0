/*
 * cache_insert.c - the writers' path: check, allocate (evicting when short),
 * publish, retire, reclaim.
 *
 * A writer fills a slot it owns with no lock held, then holds its shard's lock only
 * for the table's add (which publishes or swaps the entry reference atomically for
 * readers: cache_table.h) and for queueing the entry it replaced. Retired entries
 * wait in the shard's FIFO with an RCU token; once every reader has passed a
 * quiescent state after that token, their memory slot is freed. Lock order: at most one shard lock at a time, never while allocating.
 *
 * Eviction (sampled LRU): look at cfg.evict_samples random slots of the class
 * that is short, take the live one used least recently (an entry past its stale
 * window first), and delete it under its own shard's lock. A class keeps
 * low_water slots free ahead of need, because evicted memory is only usable after
 * the grace period and the evicting lcore is itself a reader in mid-burst.
 */
#include <errno.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_memcpy.h>

#include "cache_priv.h"
#include "wire_csum.h"

/*
 * Under AddressSanitizer the body of a free slot (TTL tables and image) is
 * poisoned, so a reader that touched an entry after its memory came back would
 * be reported, not just read stale bytes.
 */
#if defined(__SANITIZE_ADDRESS__)
#define CACHE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CACHE_ASAN 1
#endif
#endif
#ifdef CACHE_ASAN
#include <sanitizer/asan_interface.h>
#define SLOT_POISON(c, e) ASAN_POISON_MEMORY_REGION((e) + 1, \
	(c)->cls[(e)->cls].slot_size - sizeof(*(e)))
#define SLOT_UNPOISON(c, e) ASAN_UNPOISON_MEMORY_REGION((e) + 1, \
	(c)->cls[(e)->cls].slot_size - sizeof(*(e)))
#else
#define SLOT_POISON(c, e) do { (void)(c); (void)(e); } while (0)
#define SLOT_UNPOISON(c, e) do { (void)(c); (void)(e); } while (0)
#endif

#define DNS_TYPE_SOA 6
#define RECLAIM_BATCH 32u

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
next_rand(struct cache_lcore *lc)
{
	/* xorshift64*: per lcore, no shared state */
	uint64_t x = lc->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	lc->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static inline uint32_t
dq_used(const struct cache_shard *s)
{
	return s->dq_tail - s->dq_head;
}

/* ---- the defer queue (shard lock held) ---------------------------------------- */

static void
free_entry(struct cache *c, struct cache_entry *e)
{
	uint32_t idx = e->idx;

	SLOT_POISON(c, e);
	__atomic_store_n(&e->state, CACHE_STATE_FREE, __ATOMIC_RELEASE);
	/* cannot fail: the ring has room for every slot of the class */
	(void)rte_ring_mp_enqueue_elem(c->cls[e->cls].free, &idx, sizeof(idx));
}

void
cache_slot_poison(struct cache *c, struct cache_entry *e)
{
	SLOT_POISON(c, e);
}

void
cache_slot_unpoison_all(struct cache *c, unsigned int ci)
{
#ifdef CACHE_ASAN
	if (c->cls[ci].base != NULL)
		ASAN_UNPOISON_MEMORY_REGION(c->cls[ci].base,
					    (size_t)c->cls[ci].n_slots * c->cls[ci].slot_size);
#else
	RTE_SET_USED(c);
	RTE_SET_USED(ci);
#endif
}

uint32_t
cache_shard_reclaim(struct cache *c, struct cache_shard *s, struct cache_lcore *lc,
		    uint32_t max)
{
	uint32_t n = 0;

	while (n < max && dq_used(s) > 0) {
		struct cache_retired *r = &s->dq[s->dq_head & s->dq_mask];

		if (rte_rcu_qsbr_check(c->qsbr, r->token, false) != 1)
			break;
		free_entry(c, r->e);
		s->dq_head++;
		n++;
	}
	lc->stats.reclaimed += n;
	return n;
}

/* Room for one more retired entry, reclaiming first if needed. */
static bool
dq_room(struct cache *c, struct cache_shard *s, struct cache_lcore *lc)
{
	if (dq_used(s) > s->dq_mask)
		cache_shard_reclaim(c, s, lc, RECLAIM_BATCH);
	return dq_used(s) <= s->dq_mask;
}

static void
retire(struct cache *c, struct cache_shard *s, struct cache_entry *e)
{
	struct cache_retired *r = &s->dq[s->dq_tail & s->dq_mask];

	__atomic_store_n(&e->state, CACHE_STATE_RETIRED, __ATOMIC_RELAXED);
	r->token = rte_rcu_qsbr_start(c->qsbr);
	r->e = e;
	s->dq_tail++;
}

bool
cache_delete_locked(struct cache *c, struct cache_shard *s, struct cache_lcore *lc,
	      struct cache_entry *e)
{
	if (!dq_room(c, s, lc))
		return false;
	if (cache_table_del(c, &s->t, e) < 0)
		return false;   /* cannot happen while the LIVE state is kept right */
	retire(c, s, e);
	return true;
}

/* ---- eviction ------------------------------------------------------------------ */

static inline bool
is_live(uint32_t st)
{
	return (st & CACHE_STATE_LIVE) != 0;
}

/* Lower is a better victim: dead entries first, then least recently used. */
static inline uint64_t
victim_score(const struct cache_entry *e, uint32_t now)
{
	uint32_t stale_until = __atomic_load_n(&e->stale_until, __ATOMIC_RELAXED);

	if ((int32_t)(now - stale_until) >= 0)
		return 0;
	return ((uint64_t)__atomic_load_n(&e->last_used, __ATOMIC_RELAXED) + 1) << 8 |
	       __atomic_load_n(&e->hit_seconds, __ATOMIC_RELAXED);
}

/* Evict one entry of class @ci. Returns true when one was retired. */
static bool
evict_one(struct cache *c, struct cache_lcore *lc, unsigned int ci, uint32_t now)
{
	const struct cache_class *cl = &c->cls[ci];
	struct cache_entry *best = NULL;
	uint32_t best_state = 0;
	uint64_t best_score = UINT64_MAX;

	for (unsigned int i = 0; i < c->cfg.evict_samples; i++) {
		struct cache_entry *e = cache_slot(c, ci, (uint32_t)(next_rand(lc) % cl->n_slots));
		uint32_t st = __atomic_load_n(&e->state, __ATOMIC_ACQUIRE);
		uint64_t score;

		if (!is_live(st))
			continue;
		score = victim_score(e, now);
		if (score < best_score) {
			best = e;
			best_state = st;
			best_score = score;
		}
	}
	if (best == NULL)
		return false;

	struct cache_shard *s = &c->shards[best_state & ~CACHE_STATE_LIVE];
	bool done = false;

	cache_shard_lock(s, lc);
	/* Only this shard's lock holder changes a state that says "live here". */
	if (__atomic_load_n(&best->state, __ATOMIC_ACQUIRE) == best_state &&
	    cache_delete_locked(c, s, lc, best)) {
		done = true;
		lc->stats.evicted++;
		if (best_score == 0)
			lc->stats.evicted_expired++;
	}
	cache_shard_reclaim(c, s, lc, RECLAIM_BATCH);
	rte_spinlock_unlock(&s->lock);
	return done;
}

/* Take a free slot of class @ci, evicting when the class runs low. */
static struct cache_entry *
alloc_slot(struct cache *c, struct cache_lcore *lc, unsigned int ci, uint32_t now)
{
	struct cache_class *cl = &c->cls[ci];
	uint32_t idx;

	for (unsigned int tries = 0; tries < 4; tries++) {
		unsigned int avail = 0;

		if (rte_ring_mc_dequeue_bulk_elem(cl->free, &idx, sizeof(idx), 1, &avail) == 1) {
			/* keep low_water slots ripening in the defer queues */
			if (avail < cl->low_water)
				evict_one(c, lc, ci, now);
			struct cache_entry *e = cache_slot(c, ci, idx);

			__atomic_store_n(&e->state, CACHE_STATE_OWNED, __ATOMIC_RELAXED);
			SLOT_UNPOISON(c, e);
			return e;
		}
		evict_one(c, lc, ci, now);
		evict_one(c, lc, ci, now);
	}
	return NULL;
}

/* ---- building an entry --------------------------------------------------------- */

/* RFC 2308 §5: a negative answer lives min(SOA TTL, SOA MINIMUM). */
static uint32_t
soa_negative_ttl(const struct cache_response *r, uint16_t off, uint32_t ttl)
{
	uint16_t rdlen = get16(r->msg + off + 4);

	if (rdlen < 22 || (size_t)off + 6 + rdlen > r->len)
		return ttl;
	return RTE_MIN(ttl, get32(r->msg + off + 6 + rdlen - 4));
}

uint32_t
cache_ttl_clamp(const struct cache_config *cfg, uint32_t ttl, bool negative)
{
	if (ttl > INT32_MAX)            /* RFC 2181 §8: treat as zero */
		ttl = 0;
	if (negative)
		ttl = RTE_MIN(ttl, cfg->max_negative_ttl);
	return RTE_MAX(RTE_MIN(ttl, cfg->max_ttl), cfg->min_ttl);
}

/* Does r hold k's question, one question, and TTL offsets inside its records? */
static bool
response_ok(const struct cache_key *k, const struct cache_response *r)
{
	size_t qend = 12 + (size_t)k->qlen;

	if (r->len < qend || r->len > CACHE_IMAGE_MAX || r->ttl_count > CACHE_TTL_MAX ||
	    get16(r->msg + 4) != 1)
		return false;
	for (unsigned int i = 0; i < k->name_len; i++) {
		uint8_t ch = r->msg[12 + i];

		if ((ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch) != k->name[i])
			return false;
	}
	if (get16(r->msg + 12 + k->name_len) != k->qtype ||
	    get16(r->msg + 12 + k->name_len + 2) != k->qclass)
		return false;
	for (unsigned int i = 0; i < r->ttl_count; i++)
		/* after type and class of a record past the question; room for RDLENGTH */
		if (r->ttl_off[i] < qend + 5 || (size_t)r->ttl_off[i] + 6 > r->len)
			return false;
	return true;
}

/* The image's sum without what every hit rewrites: the question name (the client's
 * letter case goes there) and the TTLs; its ID is zero already. */
static uint16_t
image_sum(const uint8_t *img, size_t len, size_t name_len, const uint16_t *off,
	  unsigned int n_ttl)
{
	uint16_t sum = wire_csum_sub(wire_csum_bytes(img, len),
				     wire_csum_bytes(img + 12, name_len));

	for (unsigned int i = 0; i < n_ttl; i++)
		sum = wire_csum_sub(sum, wire_csum_at(wire_csum_u32(get32(img + off[i])), off[i]));
	return sum;
}

/* Fill slot e (owned by the caller) with r under k. */
static void
fill_entry(const struct cache *c, struct cache_entry *e, const struct cache_key *k,
	   const struct cache_response *r, uint32_t now)
{
	const struct cache_config *cfg = &c->cfg;
	uint32_t life = UINT32_MAX;

	e->hash = k->hash;
	e->image_len = (uint16_t)r->len;
	e->ttl_count = r->ttl_count;
	e->name_len = k->name_len;
	e->key_flags = k->flags;
	e->negative = r->negative;
	e->rcode = r->msg[3] & 0x0f;
	e->prefetch_claimed = 0;
	e->hit_seconds = 0;
	e->last_used = now;
	e->inserted = now;

	uint32_t *orig = cache_entry_ttl_orig(e);
	uint16_t *off = cache_entry_ttl_off(e);
	uint8_t *img = cache_entry_image(e);

	for (unsigned int i = 0; i < r->ttl_count; i++) {
		uint16_t o = r->ttl_off[i];
		uint32_t ttl = get32(r->msg + o);

		if (r->negative && get16(r->msg + o - 4) == DNS_TYPE_SOA)
			ttl = soa_negative_ttl(r, o, ttl);
		orig[i] = cache_ttl_clamp(cfg, ttl, r->negative);
		off[i] = o;
		life = RTE_MIN(life, orig[i]);
	}
	if (r->ttl_count == 0)
		life = cache_ttl_clamp(cfg, r->ttl_if_none, r->negative);
	rte_memcpy(img, r->msg, r->len);
	img[0] = img[1] = 0;
	memcpy(img + 12, k->name, k->name_len);
	e->image_sum = image_sum(img, r->len, k->name_len, off, r->ttl_count);
	e->expire = now + life;
	e->prefetch_at = e->expire - (uint32_t)((uint64_t)life * cfg->prefetch_percent / 100);
	if (cfg->prefetch_percent == 0)
		e->prefetch_at = e->expire;
	e->stale_until = e->expire + cfg->stale_window;
}

static int
class_for(const struct cache *c, size_t need)
{
	for (unsigned int i = 0; i < CACHE_N_CLASSES; i++)
		if (need <= c->cls[i].slot_size)
			return (int)i;
	return -1;
}

int
cache_slot_alloc(struct cache *c, struct cache_lcore *lc, size_t need, uint32_t now,
		 struct cache_entry **out)
{
	int ci = class_for(c, need);

	if (ci < 0)
		return -E2BIG;
	*out = alloc_slot(c, lc, (unsigned int)ci, now);
	return *out != NULL ? 0 : -ENOMEM;
}

void
cache_slot_release(struct cache *c, struct cache_entry *e)
{
	free_entry(c, e);
}

/* ---- publishing ---------------------------------------------------------------- */

int
cache_publish(struct cache *c, struct cache_lcore *lc, struct cache_entry *e,
	      cache_may_replace_fn may_replace, const void *arg)
{
	uint32_t si = (uint32_t)(e->hash >> 32) & c->shard_mask;
	struct cache_shard *s = &c->shards[si];
	struct cache_entry *old;
	int rc;

	cache_shard_lock(s, lc);
	old = cache_table_find(c, e->hash);
	if (may_replace != NULL && !may_replace(old, arg)) {
		rc = -EEXIST;
		goto out;
	}
	if (old != NULL && !dq_room(c, s, lc)) {
		rc = -ENOMEM;
		goto out;
	}
	__atomic_store_n(&e->state, CACHE_STATE_LIVE | si, __ATOMIC_RELEASE);
	/* release store of the reference: readers see a complete entry */
	rc = cache_table_put(c, &s->t, e, &old);
	if (rc < 0) {
		__atomic_store_n(&e->state, CACHE_STATE_OWNED, __ATOMIC_RELAXED);
		goto out;
	}
	if (old != NULL)
		retire(c, s, old);
out:
	cache_shard_reclaim(c, s, lc, RECLAIM_BATCH);
	rte_spinlock_unlock(&s->lock);
	return rc;
}

int
cache_insert(struct cache *c, unsigned int lcore, const struct cache_key *k,
	     const struct cache_response *r, uint32_t now)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	struct cache_entry *e;
	int ci, rc;

	if (!response_ok(k, r)) {
		lc->stats.insert_invalid++;
		return -EINVAL;
	}
	ci = class_for(c, cache_entry_size(r->len, r->ttl_count));
	if (ci < 0) {
		lc->stats.insert_too_big++;
		return -E2BIG;
	}
	e = alloc_slot(c, lc, (unsigned int)ci, now);
	if (e == NULL) {
		lc->stats.insert_nomem++;
		return -ENOMEM;
	}
	fill_entry(c, e, k, r, now);
	rc = cache_publish(c, lc, e, NULL, NULL);
	if (rc == 1)
		lc->stats.replaced++;
	if (rc < 0) {
		if (rc == -ENOSPC)
			lc->stats.insert_table_full++;
		else
			lc->stats.insert_nomem++;
		free_entry(c, e);     /* never reachable by readers */
		return rc;
	}
	lc->stats.inserts++;
	return 0;
}

int
cache_remove(struct cache *c, unsigned int lcore, const struct cache_key *k)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	struct cache_shard *s = cache_shard_of(c, k->hash);
	struct cache_entry *e;
	int rc = -ENOENT;

	cache_shard_lock(s, lc);
	e = cache_table_find(c, k->hash);
	if (e != NULL && cache_delete_locked(c, s, lc, e))
		rc = 0;
	rte_spinlock_unlock(&s->lock);
	return rc;
}

uint32_t
cache_reclaim(struct cache *c, unsigned int lcore)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	uint32_t n = 0;

	for (unsigned int i = 0; i < c->cfg.shards; i++) {
		struct cache_shard *s = &c->shards[i];

		if (!rte_spinlock_trylock(&s->lock))
			continue;
		n += cache_shard_reclaim(c, s, lc, UINT32_MAX);
		rte_spinlock_unlock(&s->lock);
	}
	return n;
}
