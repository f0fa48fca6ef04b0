/*
 * cache_rrset.c - the RRset store: keys, building an RRset, insert by trust rank,
 * lookup, and status changes by replacement.
 *
 * An RRset is one more kind of cache entry (CACHE_KIND_RRSET in its key_flags and
 * in its hashed key), so it takes its slot from the same size classes, lives in the
 * same shards and goes back through the same RCU defer queues as a response image.
 * Its body, after struct cache_entry (image_len: the body's length; ttl_count 0):
 *
 *   struct rrset_body | uint16_t rdlen[rr_count + sig_count] | owner | RDATA...
 *
 * The RDATA of the RRs and then of the RRSIGs, one after another. Like an image, an
 * entry never changes once published (except the recency hints in its header).
 *
 * Readers never lock or allocate. A writer decides "replace or keep" under the
 * shard lock (cache_publish's may_replace), where no other writer can swap the
 * entry between the decision and the swap; it looks first without the lock, so
 * that the common "already have it, as good" case costs no slot and no lock.
 */
#include <errno.h>
#include <string.h>

#include <rte_memcpy.h>

#include "cache_priv.h"
#include "cache_rrset.h"

/* RRSIG RDATA: 18 fixed bytes (type covered first), then the signer's name. */
#define RRSIG_MIN_LEN 19

struct rrset_body {
	uint16_t type;
	uint16_t rclass;
	uint8_t rank;             /* enum cache_rrset_rank */
	uint8_t status;           /* enum cache_rrset_status */
	uint16_t why;
	uint16_t rr_count;
	uint16_t sig_count;
	uint16_t data_len;
	uint16_t unused;
};

static inline const struct rrset_body *
body_of(const struct cache_entry *e)
{
	return (const struct rrset_body *)(e + 1);
}

static inline const uint16_t *
rdlen_of(const struct rrset_body *b)
{
	return (const uint16_t *)(b + 1);
}

static inline const uint8_t *
owner_of(const struct rrset_body *b)
{
	return (const uint8_t *)(rdlen_of(b) + b->rr_count + b->sig_count);
}

static inline size_t
body_size(unsigned int n, size_t name_len, size_t data_len)
{
	return sizeof(struct rrset_body) + n * sizeof(uint16_t) + name_len + data_len;
}

static inline bool
live(const struct cache_entry *e, uint32_t now)
{
	return (int32_t)(now - e->expire) < 0;
}

/* ---- keys and building ---------------------------------------------------------- */

int
cache_rrset_key_init(const struct cache *c, struct cache_rrset_key *k,
		     const uint8_t *owner, size_t len, uint16_t type, uint16_t rclass)
{
	int n = cache_name_lower(owner, len, k->name);

	if (n < 0 || (size_t)n != len)
		return -EINVAL;
	k->name_len = (uint16_t)n;
	k->type = type;
	k->rclass = rclass;
	k->hash = cache_hash_key(c->seed, k->name, k->name_len, type, rclass, CACHE_KIND_RRSET);
	return 0;
}

void
cache_rrset_init(struct cache_rrset *rs, uint32_t ttl, enum cache_rrset_rank rank,
		 enum cache_rrset_status status)
{
	rs->ttl = ttl;
	rs->rank = rank;
	rs->status = status;
	rs->why = 0;
	rs->rr_count = 0;
	rs->sig_count = 0;
	rs->data_len = 0;
}

/* Append one record; memmove because the message walker decompresses RDATA
 * straight into the free end of rs->data. */
static int
append(struct cache_rrset *rs, const uint8_t *rdata, size_t len)
{
	unsigned int n = rs->rr_count + rs->sig_count;

	if (n >= CACHE_RRSET_RR_MAX || rs->data_len > CACHE_RRSET_DATA_MAX ||
	    len > (size_t)(CACHE_RRSET_DATA_MAX - rs->data_len))
		return -ENOSPC;
	rs->rdoff[n] = rs->data_len;
	rs->rdlen[n] = (uint16_t)len;
	memmove(rs->data + rs->data_len, rdata, len);
	rs->data_len = (uint16_t)(rs->data_len + len);
	return 0;
}

int
cache_rrset_add_rr(struct cache_rrset *rs, const uint8_t *rdata, size_t len)
{
	if (rs->sig_count > 0)
		return -EINVAL;
	for (unsigned int i = 0; i < rs->rr_count; i++)
		if (rs->rdlen[i] == len && memcmp(cache_rrset_rdata(rs, i), rdata, len) == 0)
			return 0;
	if (append(rs, rdata, len) < 0)
		return -ENOSPC;
	rs->rr_count++;
	return 0;
}

int
cache_rrset_add_sig(struct cache_rrset *rs, const uint8_t *rdata, size_t len)
{
	if (append(rs, rdata, len) < 0)
		return -ENOSPC;
	rs->sig_count++;
	return 0;
}

/* ---- checks and the rank rule ------------------------------------------------------ */

/* Is @rs (for @k) one the store can hold? 0, -EINVAL or -E2BIG. */
static int
rrset_check(const struct cache_rrset_key *k, const struct cache_rrset *rs)
{
	unsigned int n = (unsigned int)rs->rr_count + rs->sig_count;
	size_t sum = 0;

	if (!cache_rrset_storable(k->type, k->rclass) || rs->rr_count == 0 ||
	    rs->rank == CACHE_RANK_NONE || (unsigned int)rs->rank > CACHE_RANK_MAX ||
	    (unsigned int)rs->status > CACHE_RRSET_BOGUS)
		return -EINVAL;
	if (n > CACHE_RRSET_RR_MAX || rs->data_len > CACHE_RRSET_DATA_MAX)
		return -E2BIG;
	for (unsigned int i = 0; i < n; i++) {
		if ((size_t)rs->rdoff[i] + rs->rdlen[i] > rs->data_len)
			return -EINVAL;
		sum += rs->rdlen[i];
	}
	for (unsigned int i = rs->rr_count; i < n; i++) {
		const uint8_t *sig = rs->data + rs->rdoff[i];

		if (rs->rdlen[i] < RRSIG_MIN_LEN || (uint16_t)(sig[0] << 8 | sig[1]) != k->type)
			return -EINVAL;
	}
	return sum == rs->data_len ? 0 : -EINVAL;
}

/*
 * May an RRset of (@rank, @status) take the place of the live @old for the same key?
 * A higher rank always may, a lower never; at equal rank only a SECURE RRset may
 * replace a SECURE one (validated data is not lost to a refetch that is not yet
 * validated; the validator marks it secure again after checking).
 */
static bool
outranks(unsigned int rank, unsigned int status, const struct rrset_body *old)
{
	if (rank != old->rank)
		return rank > old->rank;
	return old->status != CACHE_RRSET_SECURE || status == CACHE_RRSET_SECURE;
}

/*
 * Does live @old hold exactly @rs: rank, status, records and RRSIGs? Then storing
 * @rs would only churn a slot, the shard lock and the defer queue, which in a miss
 * storm (every NXDOMAIN carrying the zone's same SOA) is all there is to save.
 */
static bool
same_rrset(const struct cache_entry *old, const struct cache_rrset *rs)
{
	const struct rrset_body *b = body_of(old);
	const uint16_t *rdlen = rdlen_of(b);
	const uint8_t *data = owner_of(b) + old->name_len;
	unsigned int n = (unsigned int)rs->rr_count + rs->sig_count;

	if (b->rank != rs->rank || b->status != rs->status || b->rr_count != rs->rr_count ||
	    b->sig_count != rs->sig_count || b->data_len != rs->data_len)
		return false;
	for (unsigned int i = 0; i < n; i++) {
		if (rdlen[i] != rs->rdlen[i] ||
		    memcmp(data, rs->data + rs->rdoff[i], rs->rdlen[i]) != 0)
			return false;
		data += rdlen[i];
	}
	return true;
}

/* Is @e an RRset entry for exactly @k? Header fields first: an image entry under the
 * same hash fails on key_flags before its body is read as an RRset's. */
static bool
entry_has_key(const struct cache_entry *e, const struct cache_rrset_key *k)
{
	const struct rrset_body *b = body_of(e);

	return e->key_flags == CACHE_KIND_RRSET && e->name_len == k->name_len &&
	       b->type == k->type && b->rclass == k->rclass &&
	       (unsigned int)b->rr_count + b->sig_count <= CACHE_RRSET_RR_MAX &&
	       b->data_len <= CACHE_RRSET_DATA_MAX &&
	       memcmp(owner_of(b), k->name, k->name_len) == 0;
}

/* The entry for @k, confirmed against the whole key (lock-free, as a reader). */
static struct cache_entry *
find_rrset(struct cache *c, struct cache_lcore *lc, const struct cache_rrset_key *k)
{
	struct cache_entry *e = cache_table_find(c, k->hash);

	if (e == NULL)
		return NULL;
	if (!entry_has_key(e, k)) {
		lc->stats.key_mismatch++;
		return NULL;
	}
	return e;
}

/* ---- building an entry ------------------------------------------------------------- */

/* The header of an RRset entry in slot @e (owned by the caller: state, idx and class
 * stay as they are). No prefetch hints, no serve-stale: expired means evictable. */
static void
header_init(struct cache_entry *e, const struct cache_rrset_key *k, size_t body_len,
	    uint32_t inserted, uint32_t expire, uint32_t now)
{
	e->hash = k->hash;
	e->inserted = inserted;
	e->expire = expire;
	e->prefetch_at = expire;
	e->stale_until = expire;
	e->last_used = now;
	e->image_len = (uint16_t)body_len;
	e->ttl_count = 0;
	e->name_len = k->name_len;
	e->key_flags = CACHE_KIND_RRSET;
	e->negative = 0;
	e->rcode = 0;
	e->hit_seconds = 0;
	e->prefetch_claimed = 1;
}

/* Fill slot @e with @rs (checked) under @k. */
static void
fill_rrset(const struct cache *c, struct cache_entry *e, const struct cache_rrset_key *k,
	   const struct cache_rrset *rs, uint32_t now)
{
	unsigned int n = (unsigned int)rs->rr_count + rs->sig_count;
	struct rrset_body *b = (struct rrset_body *)(e + 1);
	uint16_t *rdlen = (uint16_t *)(b + 1);
	uint8_t *owner = (uint8_t *)(rdlen + n);
	uint8_t *data = owner + k->name_len;
	uint32_t life = cache_ttl_clamp(&c->cfg, rs->ttl, false);

	header_init(e, k, body_size(n, k->name_len, rs->data_len), now, now + life, now);
	*b = (struct rrset_body){
		.type = k->type, .rclass = k->rclass, .rank = (uint8_t)rs->rank,
		.status = (uint8_t)rs->status, .why = rs->why, .rr_count = rs->rr_count,
		.sig_count = rs->sig_count, .data_len = rs->data_len,
	};
	memcpy(owner, k->name, k->name_len);
	for (unsigned int i = 0; i < n; i++) {
		rdlen[i] = rs->rdlen[i];
		memcpy(data, rs->data + rs->rdoff[i], rs->rdlen[i]);
		data += rs->rdlen[i];
	}
}

/* ---- insert ----------------------------------------------------------------------- */

/* The new entry and what cache_publish's question needs to judge the old one. */
struct rrset_candidate {
	const struct cache_entry *e;
	const struct cache_rrset_key *k;
	uint32_t now;
};

/* Under the shard lock: the rank rule against whatever is under the hash now. */
static bool
insert_may_replace(const struct cache_entry *old, const void *arg)
{
	const struct rrset_candidate *cand = arg;
	const struct rrset_body *nb = body_of(cand->e);

	if (old == NULL || !entry_has_key(old, cand->k) || !live(old, cand->now))
		return true;
	return outranks(nb->rank, nb->status, body_of(old));
}

static int
count_failure(struct cache_stats *st, int rc)
{
	if (rc == -EINVAL)
		st->rrset_invalid++;
	else if (rc == -E2BIG)
		st->rrset_too_big++;
	else
		st->rrset_nomem++;
	return rc;
}

/* Take a slot, fill it and publish it by the rank rule. */
static int
store(struct cache *c, struct cache_lcore *lc, const struct cache_rrset_key *k,
      const struct cache_rrset *rs, uint32_t now)
{
	unsigned int n = (unsigned int)rs->rr_count + rs->sig_count;
	struct cache_entry *e;
	int rc = cache_slot_alloc(c, lc, sizeof(*e) + body_size(n, k->name_len, rs->data_len),
				  now, &e);

	if (rc < 0)
		return rc;
	fill_rrset(c, e, k, rs, now);

	struct rrset_candidate cand = { .e = e, .k = k, .now = now };

	rc = cache_publish(c, lc, e, insert_may_replace, &cand);
	if (rc < 0) {
		cache_slot_release(c, e);     /* never reachable by readers */
		return rc == -EEXIST ? CACHE_RRSET_KEPT_BETTER : (rc == -ENOSPC ? -ENOSPC : -ENOMEM);
	}
	return rc == 1 ? CACHE_RRSET_REPLACED : CACHE_RRSET_INSERTED;
}

int
cache_rrset_insert(struct cache *c, unsigned int lcore, const struct cache_rrset_key *k,
		   const struct cache_rrset *rs, uint32_t now)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	const struct cache_entry *old;
	int rc = rrset_check(k, rs);

	if (rc < 0)
		return count_failure(&lc->stats, rc);
	/* lock-free first: keeping what is cached takes no slot and no lock */
	old = find_rrset(c, lc, k);
	if (old != NULL && live(old, now) && !outranks(rs->rank, rs->status, body_of(old)))
		rc = CACHE_RRSET_KEPT_BETTER;
	else if (old != NULL && live(old, now) && same_rrset(old, rs))
		rc = CACHE_RRSET_UNCHANGED;
	else
		rc = store(c, lc, k, rs, now);
	if (rc < 0)
		return count_failure(&lc->stats, rc);
	if (rc == CACHE_RRSET_KEPT_BETTER)
		lc->stats.rrset_kept++;
	else if (rc == CACHE_RRSET_UNCHANGED)
		lc->stats.rrset_unchanged++;
	else if (rc == CACHE_RRSET_REPLACED)
		lc->stats.rrset_replaced++;
	else
		lc->stats.rrset_inserts++;
	return rc;
}

/* ---- lookup ----------------------------------------------------------------------- */

/* Copy entry @e (live, confirmed) into @out with the TTL left at @now. */
static void
copy_out(const struct cache_entry *e, uint32_t now, struct cache_rrset *out)
{
	const struct rrset_body *b = body_of(e);
	const uint16_t *rdlen = rdlen_of(b);
	unsigned int n = (unsigned int)b->rr_count + b->sig_count;
	uint16_t off = 0;

	/* never more than was given: a reader whose `now` lags the writer's by a second
	 * would otherwise see the TTL grow */
	out->ttl = RTE_MIN(e->expire - now, e->expire - e->inserted);
	out->rank = (enum cache_rrset_rank)b->rank;
	out->status = (enum cache_rrset_status)b->status;
	out->why = b->why;
	out->rr_count = b->rr_count;
	out->sig_count = b->sig_count;
	out->data_len = b->data_len;
	for (unsigned int i = 0; i < n; i++) {
		out->rdlen[i] = rdlen[i];
		out->rdoff[i] = off;
		off = (uint16_t)(off + rdlen[i]);
	}
	rte_memcpy(out->data, owner_of(b) + e->name_len, b->data_len);
}

enum cache_rrset_found
cache_rrset_lookup(struct cache *c, unsigned int lcore, const struct cache_rrset_key *k,
		   uint32_t now, struct cache_rrset *out)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	struct cache_entry *e;

	lc->stats.rrset_lookups++;
	e = find_rrset(c, lc, k);
	if (e == NULL || !live(e, now)) {
		lc->stats.rrset_misses++;
		return CACHE_RRSET_MISS;
	}
	copy_out(e, now, out);
	cache_entry_touch(e, now);
	lc->stats.rrset_hits++;
	return CACHE_RRSET_HIT;
}

bool
cache_rrset_live(struct cache *c, unsigned int lcore, const struct cache_rrset_key *k,
		 uint32_t now)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	const struct cache_entry *e = find_rrset(c, lc, k);

	lc->stats.rrset_lookups++;
	if (e == NULL || !live(e, now)) {
		lc->stats.rrset_misses++;
		return false;
	}
	lc->stats.rrset_hits++;
	return true;
}

/* ---- status changes ------------------------------------------------------------------ */

/* Under the shard lock: publish the changed copy only over the entry it was made from. */
static bool
still_the_same(const struct cache_entry *cur, const void *copied_from)
{
	return cur == copied_from;
}

/* A copy of live @old in a new slot with the new status, reason and TTL cap. */
static int
changed_copy(struct cache *c, struct cache_lcore *lc, const struct cache_entry *old,
	     const struct cache_rrset_key *k, enum cache_rrset_status status, uint16_t why,
	     uint32_t ttl_cap, uint32_t now, struct cache_entry **out)
{
	uint32_t expire = old->expire;
	struct cache_entry *e;
	struct rrset_body *b;
	int rc = cache_slot_alloc(c, lc, sizeof(*old) + old->image_len, now, &e);

	if (rc < 0)
		return rc;
	/* old stays readable: this lcore is a reader and has not been quiescent since */
	rte_memcpy(e + 1, old + 1, old->image_len);
	/* only ever shorter: an entry already past its expiry at this lcore's `now` (or
	 * a `now` ahead of the inserter's) must not get a new lifetime from the cap */
	if ((int32_t)(expire - now) > 0 && ttl_cap < expire - now)
		expire = now + ttl_cap;
	header_init(e, k, old->image_len, old->inserted, expire, now);
	b = (struct rrset_body *)(e + 1);
	b->status = (uint8_t)status;
	b->why = why;
	*out = e;
	return 0;
}

int
cache_rrset_set_status(struct cache *c, unsigned int lcore,
		       const struct cache_rrset_key *k, enum cache_rrset_status status,
		       uint16_t why, uint32_t ttl_cap, uint32_t now)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	struct cache_entry *old, *e;
	int rc;

	if ((unsigned int)status > CACHE_RRSET_BOGUS)
		return -EINVAL;
	old = find_rrset(c, lc, k);
	if (old == NULL || !live(old, now)) {
		lc->stats.rrset_status_lost++;
		return -ENOENT;
	}
	rc = changed_copy(c, lc, old, k, status, why, ttl_cap, now, &e);
	if (rc == 0) {
		rc = cache_publish(c, lc, e, still_the_same, old);
		if (rc < 0)
			cache_slot_release(c, e);
	}
	if (rc < 0) {
		lc->stats.rrset_status_lost++;
		return rc == -EEXIST ? -EAGAIN : -ENOMEM;
	}
	lc->stats.rrset_status_set++;
	return 0;
}

const uint8_t *
cache_rrset_entry_owner(const struct cache_entry *e)
{
	return owner_of(body_of(e));
}
