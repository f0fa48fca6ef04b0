/*
 * cache_denial.c - the denial store: per zone, the NSEC or NSEC3 records that
 * validated, for aggressive use of the validated cache (RFC 8198; cache_denial.h).
 *
 * A denial entry is one more kind of cache entry (CACHE_KIND_DENIAL in its
 * key_flags and in its hashed key, with type 0 and class IN), so it takes its slot
 * from the same size classes, lives in the same shards and goes back through the
 * same RCU defer queues as images and RRsets. Its body, after struct cache_entry
 * (image_len: the body's length; ttl_count 0; name_len: the zone's):
 *
 *   struct denial_body | struct denial_rec rec[count] | zone | data
 *
 * data holds the SOA's RDATA first, then each record's owner and RDATA. The
 * entry expires with the SOA; each record has its own end, never later.
 *
 * Adding is read, merge, publish: the writer reads the live entry lock-free, builds
 * the merged one in a new slot from views into the old entry and the caller's
 * records (the old entry stays readable: this lcore has not been quiescent since),
 * and publishes it only if the entry it merged is still the one in the table
 * (cache_publish's may_replace, under the shard lock). If another writer got there
 * first it merges again, once: two workers learning records of one zone at the
 * same moment do not lose each other's records, and a third try is not worth more
 * than the upstream query that will bring the record back.
 */
#include <errno.h>
#include <string.h>

#include <rte_memcpy.h>

#include "cache_denial.h"
#include "cache_priv.h"
#include "cache_rrset.h"
#include "wire.h"

struct denial_body {
	uint16_t type;
	uint16_t count;
	uint16_t soa_rdlen;
	uint16_t data_len;
	uint32_t soa_expire;
};

struct denial_rec {
	uint32_t expire;
	uint16_t owner_off;       /* into data */
	uint16_t rdoff;
	uint16_t rdlen;
	uint8_t owner_len;
	uint8_t unused;
};

static inline const struct denial_body *
body_of(const struct cache_entry *e)
{
	return (const struct denial_body *)(e + 1);
}

static inline const struct denial_rec *
recs_of(const struct denial_body *b)
{
	return (const struct denial_rec *)(b + 1);
}

static inline const uint8_t *
zone_of(const struct denial_body *b)
{
	return (const uint8_t *)(recs_of(b) + b->count);
}

static inline const uint8_t *
data_of(const struct cache_entry *e)
{
	return zone_of(body_of(e)) + e->name_len;
}

static inline size_t
body_size(unsigned int n, size_t zone_len, size_t data_len)
{
	return sizeof(struct denial_body) + n * sizeof(struct denial_rec) + zone_len + data_len;
}

/* Signed difference: entries compare times as serial numbers, like the rest. */
static inline bool
live_at(uint32_t expire, uint32_t now)
{
	return (int32_t)(now - expire) < 0;
}

/* The earlier of two moments (serial arithmetic). */
static inline uint32_t
earliest(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0 ? a : b;
}

static inline bool
kind_ok(uint16_t type)
{
	return type == WIRE_TYPE_NSEC || type == WIRE_TYPE_NSEC3;
}

/* ---- keys and building ---------------------------------------------------------- */

int
cache_denial_key_init(const struct cache *c, struct cache_denial_key *k, const uint8_t *zone,
		      size_t len)
{
	int n = cache_name_lower(zone, len, k->zone);

	if (n < 0 || (size_t)n != len)
		return -EINVAL;
	k->zone_len = (uint16_t)n;
	k->hash = cache_hash_key(c->seed, k->zone, k->zone_len, 0, WIRE_CLASS_IN,
				 CACHE_KIND_DENIAL);
	return 0;
}

int
cache_denial_init(struct cache_denial *d, uint16_t type, const uint8_t *soa, size_t soa_len,
		  uint32_t soa_ttl)
{
	if (!kind_ok(type) || soa_len == 0)
		return -EINVAL;
	if (soa_len > CACHE_DENIAL_RECORD_MAX)
		return -ENOSPC;
	d->type = type;
	d->count = 0;
	d->soa_ttl = soa_ttl;
	d->soa_rdlen = (uint16_t)soa_len;
	memcpy(d->data, soa, soa_len);
	d->data_len = (uint16_t)soa_len;
	return 0;
}

/* Is there a record at (lowercase) @owner among the first @n of @d? */
static bool
has_owner(const struct cache_denial *d, const uint8_t *owner, size_t len)
{
	for (unsigned int i = 0; i < d->count; i++)
		if (d->rr[i].owner_len == len && memcmp(cache_denial_owner(d, i), owner, len) == 0)
			return true;
	return false;
}

int
cache_denial_add(struct cache_denial *d, const uint8_t *owner, size_t owner_len,
		 const uint8_t *rdata, size_t rdlen, uint32_t ttl)
{
	uint8_t low[WIRE_NAME_MAX];
	int n = cache_name_lower(owner, owner_len, low);

	if (n < 0 || (size_t)n != owner_len || rdlen == 0 ||
	    owner_len + rdlen > CACHE_DENIAL_RECORD_MAX)
		return -EINVAL;
	if (has_owner(d, low, owner_len))
		return 0;
	if (d->count >= CACHE_DENIAL_RR_MAX ||
	    d->data_len + owner_len + rdlen > CACHE_DENIAL_DATA_MAX)
		return -ENOSPC;
	d->rr[d->count] = (struct cache_denial_rr){
		.ttl = ttl, .owner_off = d->data_len, .owner_len = (uint8_t)owner_len,
		.rdoff = (uint16_t)(d->data_len + owner_len), .rdlen = (uint16_t)rdlen,
	};
	memcpy(d->data + d->data_len, low, owner_len);
	memcpy(d->data + d->data_len + owner_len, rdata, rdlen);
	d->data_len = (uint16_t)(d->data_len + owner_len + rdlen);
	d->count++;
	return 0;
}

/* ---- reading entries ------------------------------------------------------------- */

/* Is @e a denial entry for exactly @k? key_flags first: an image or RRset under the
 * same hash fails there before its body is read as a denial entry's. */
static bool
entry_has_key(const struct cache_entry *e, const struct cache_denial_key *k)
{
	const struct denial_body *b = body_of(e);

	return e->key_flags == CACHE_KIND_DENIAL && e->name_len == k->zone_len &&
	       b->count <= CACHE_DENIAL_RR_MAX && b->data_len <= CACHE_DENIAL_DATA_MAX &&
	       memcmp(zone_of(b), k->zone, k->zone_len) == 0;
}

/* The live entry for @k, confirmed against the whole key (lock-free, as a reader). */
static const struct cache_entry *
find_live(struct cache *c, struct cache_lcore *lc, const struct cache_denial_key *k,
	  uint32_t now)
{
	const struct cache_entry *e = cache_table_find(c, k->hash);

	if (e == NULL)
		return NULL;
	if (!entry_has_key(e, k)) {
		lc->stats.key_mismatch++;
		return NULL;
	}
	return live_at(e->expire, now) ? e : NULL;
}

/* Copy live entry @e's live records into @out. False when none is live. */
static bool
copy_out(const struct cache_entry *e, uint32_t now, struct cache_denial *out)
{
	const struct denial_body *b = body_of(e);
	const struct denial_rec *r = recs_of(b);
	const uint8_t *data = data_of(e);

	out->type = b->type;
	out->count = 0;
	out->soa_ttl = b->soa_expire - now;
	out->soa_rdlen = b->soa_rdlen;
	out->data_len = b->soa_rdlen;
	rte_memcpy(out->data, data, b->soa_rdlen);
	for (unsigned int i = 0; i < b->count; i++) {
		size_t len = (size_t)r[i].owner_len + r[i].rdlen;

		if (!live_at(r[i].expire, now))
			continue;
		out->rr[out->count++] = (struct cache_denial_rr){
			.ttl = r[i].expire - now, .owner_off = out->data_len,
			.owner_len = r[i].owner_len,
			.rdoff = (uint16_t)(out->data_len + r[i].owner_len), .rdlen = r[i].rdlen,
		};
		/* owner and RDATA are adjacent in the entry, as in out */
		rte_memcpy(out->data + out->data_len, data + r[i].owner_off, len);
		out->data_len = (uint16_t)(out->data_len + len);
	}
	return out->count > 0;
}

bool
cache_denial_lookup(struct cache *c, unsigned int lcore, const struct cache_denial_key *k,
		    uint32_t now, struct cache_denial *out)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	struct cache_entry *e;

	lc->stats.denial_lookups++;
	e = (struct cache_entry *)find_live(c, lc, k, now);
	if (e == NULL || !copy_out(e, now, out))
		return false;
	cache_entry_touch(e, now);
	lc->stats.denial_hits++;
	return true;
}

/* Is @name a zone cut the cache knows of: an NS RRset there (from a referral or the
 * zone's own apex)? */
static bool
known_cut(struct cache *c, unsigned int lcore, const uint8_t *name, size_t len, uint32_t now)
{
	struct cache_rrset_key k;

	return cache_rrset_key_init(c, &k, name, len, WIRE_TYPE_NS, WIRE_CLASS_IN) == 0 &&
	       cache_rrset_live(c, lcore, &k, now);
}

int
cache_denial_find(struct cache *c, unsigned int lcore, const uint8_t *name, size_t len,
		  uint32_t now, struct cache_denial_key *k, struct cache_denial *out)
{
	size_t off = 0;

	for (;;) {
		if (off >= len || cache_denial_key_init(c, k, name + off, len - off) != 0)
			return -EINVAL;
		if (cache_denial_lookup(c, lcore, k, now, out))
			return (int)off;
		if (name[off] == 0 || known_cut(c, lcore, name + off, len - off, now))
			return -ENOENT;
		off += (size_t)name[off] + 1;
	}
}

/* ---- merging ----------------------------------------------------------------------- */

/* One record of a merge: a view into the caller's struct or the old entry. */
struct rec_view {
	const uint8_t *owner;
	const uint8_t *rdata;
	uint32_t expire;
	uint16_t rdlen;
	uint8_t owner_len;
};

/* The entry to write, as views. */
struct merge {
	uint16_t type;
	uint16_t soa_rdlen;
	const uint8_t *soa;
	uint32_t soa_expire;
	unsigned int n;
	size_t bytes;             /* data: SOA, owners, RDATA */
	unsigned int dropped;     /* old records that did not fit */
	struct rec_view v[CACHE_DENIAL_RR_MAX];
};

/*
 * NSEC3 RDATA starts with hash algorithm, flags, iterations, salt length and salt
 * (RFC 5155 §3.2). Two records are of one hash family when all but the flags agree.
 */
static bool
same_nsec3_params(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen < 5 || blen < 5 || a[0] != b[0] || a[2] != b[2] || a[3] != b[3] || a[4] != b[4])
		return false;
	return (size_t)5 + a[4] <= alen && (size_t)5 + b[4] <= blen &&
	       memcmp(a + 5, b + 5, a[4]) == 0;
}

/* The caller's records, each ending no later than the SOA. */
static void
merge_new(const struct cache *c, const struct cache_denial *d, uint32_t now, struct merge *m)
{
	m->type = d->type;
	m->soa = cache_denial_soa(d);
	m->soa_rdlen = d->soa_rdlen;
	m->soa_expire = now + cache_ttl_clamp(&c->cfg, d->soa_ttl, true);
	m->bytes = d->data_len;
	m->n = d->count;
	m->dropped = 0;
	for (unsigned int i = 0; i < d->count; i++) {
		uint32_t expire = now + cache_ttl_clamp(&c->cfg, d->rr[i].ttl, true);

		m->v[i] = (struct rec_view){
			.owner = cache_denial_owner(d, i), .owner_len = d->rr[i].owner_len,
			.rdata = cache_denial_rdata(d, i), .rdlen = d->rr[i].rdlen,
			.expire = earliest(expire, m->soa_expire),
		};
	}
}

/* May old record @r stay beside the caller's records @d? */
static bool
old_record_stays(const struct cache_denial *d, const struct rec_view *r, uint32_t now)
{
	if (!live_at(r->expire, now) || has_owner(d, r->owner, r->owner_len))
		return false;
	return d->type != WIRE_TYPE_NSEC3 ||
	       same_nsec3_params(r->rdata, r->rdlen, cache_denial_rdata(d, 0), d->rr[0].rdlen);
}

/* The old entry's records that may stay, most time left first. */
static unsigned int
old_candidates(const struct cache_entry *old, const struct cache_denial *d, uint32_t now,
	       struct rec_view *out)
{
	const struct denial_body *b = body_of(old);
	const struct denial_rec *r = recs_of(b);
	const uint8_t *data = data_of(old);
	unsigned int n = 0;

	if (b->type != d->type)
		return 0;   /* the zone moved between NSEC and NSEC3 */
	for (unsigned int i = 0; i < b->count; i++) {
		struct rec_view v = {
			.owner = data + r[i].owner_off, .owner_len = r[i].owner_len,
			.rdata = data + r[i].rdoff, .rdlen = r[i].rdlen, .expire = r[i].expire,
		};
		unsigned int j = n;

		if (!old_record_stays(d, &v, now))
			continue;
		for (; j > 0 && (int32_t)(out[j - 1].expire - v.expire) < 0; j--)
			out[j] = out[j - 1];
		out[j] = v;
		n++;
	}
	return n;
}

/* Old records join the merge while they fit, none outliving the new SOA. */
static void
merge_old(const struct cache_entry *old, const struct cache_denial *d, uint32_t now,
	  struct merge *m)
{
	struct rec_view cand[CACHE_DENIAL_RR_MAX];
	unsigned int n = old == NULL ? 0 : old_candidates(old, d, now, cand);

	for (unsigned int i = 0; i < n; i++) {
		size_t len = (size_t)cand[i].owner_len + cand[i].rdlen;

		if (m->n >= CACHE_DENIAL_RR_MAX || m->bytes + len > CACHE_DENIAL_DATA_MAX) {
			m->dropped++;
			continue;
		}
		cand[i].expire = earliest(cand[i].expire, m->soa_expire);
		m->v[m->n++] = cand[i];
		m->bytes += len;
	}
}

/* Canonical order of owners (insertion sort: at most CACHE_DENIAL_RR_MAX records). */
static void
merge_sort(struct merge *m)
{
	for (unsigned int i = 1; i < m->n; i++) {
		struct rec_view v = m->v[i];
		unsigned int j = i;

		for (; j > 0 && wire_name_canonical_cmp(m->v[j - 1].owner, m->v[j - 1].owner_len,
							v.owner, v.owner_len) > 0; j--)
			m->v[j] = m->v[j - 1];
		m->v[j] = v;
	}
}

/* Would merging @d into live @old change nothing: the same SOA, every record there,
 * live, with the same RDATA? */
static bool
nothing_new(const struct cache_entry *old, const struct cache_denial *d, uint32_t now)
{
	const struct denial_body *b = body_of(old);
	const struct denial_rec *r = recs_of(b);
	const uint8_t *data = data_of(old);

	if (b->type != d->type || b->soa_rdlen != d->soa_rdlen ||
	    memcmp(data, cache_denial_soa(d), d->soa_rdlen) != 0)
		return false;
	for (unsigned int i = 0; i < d->count; i++) {
		const struct cache_denial_rr *x = &d->rr[i];
		bool found = false;

		for (unsigned int j = 0; j < b->count && !found; j++)
			found = r[j].owner_len == x->owner_len && r[j].rdlen == x->rdlen &&
				live_at(r[j].expire, now) &&
				memcmp(data + r[j].owner_off, cache_denial_owner(d, i),
				       x->owner_len) == 0 &&
				memcmp(data + r[j].rdoff, cache_denial_rdata(d, i), x->rdlen) == 0;
		if (!found)
			return false;
	}
	return true;
}

/* ---- writing an entry -------------------------------------------------------------- */

static void
header_init(struct cache_entry *e, const struct cache_denial_key *k, size_t body_len,
	    uint32_t expire, uint32_t now)
{
	e->hash = k->hash;
	e->inserted = now;
	e->expire = expire;
	e->prefetch_at = expire;      /* no prefetch hints, no serve-stale */
	e->stale_until = expire;
	e->last_used = now;
	e->image_len = (uint16_t)body_len;
	e->ttl_count = 0;
	e->name_len = k->zone_len;
	e->key_flags = CACHE_KIND_DENIAL;
	e->negative = 1;
	e->rcode = 0;
	e->hit_seconds = 0;
	e->prefetch_claimed = 1;
}

/* Fill slot @e with merge @m under @k. */
static void
fill(struct cache_entry *e, const struct cache_denial_key *k, const struct merge *m,
     uint32_t now)
{
	struct denial_body *b = (struct denial_body *)(e + 1);
	struct denial_rec *r = (struct denial_rec *)(b + 1);
	uint8_t *zone = (uint8_t *)(r + m->n);
	uint8_t *data = zone + k->zone_len;
	uint16_t off = m->soa_rdlen;

	header_init(e, k, body_size(m->n, k->zone_len, m->bytes), m->soa_expire, now);
	*b = (struct denial_body){ .type = m->type, .count = (uint16_t)m->n,
		.soa_rdlen = m->soa_rdlen, .data_len = (uint16_t)m->bytes,
		.soa_expire = m->soa_expire };
	memcpy(zone, k->zone, k->zone_len);
	memcpy(data, m->soa, m->soa_rdlen);
	for (unsigned int i = 0; i < m->n; i++) {
		const struct rec_view *v = &m->v[i];

		r[i] = (struct denial_rec){ .expire = v->expire, .owner_off = off,
			.owner_len = v->owner_len, .rdoff = (uint16_t)(off + v->owner_len),
			.rdlen = v->rdlen };
		memcpy(data + off, v->owner, v->owner_len);
		memcpy(data + off + v->owner_len, v->rdata, v->rdlen);
		off = (uint16_t)(off + v->owner_len + v->rdlen);
	}
}

/* What cache_publish's question needs: the entry the merge was made from. */
struct denial_candidate {
	const struct cache_entry *seen;   /* NULL: there was no live one */
	const struct cache_denial_key *k;
	uint32_t now;
};

/* Under the shard lock: replace only what the merge saw (or nothing live of ours). */
static bool
merge_may_replace(const struct cache_entry *cur, const void *arg)
{
	const struct denial_candidate *cand = arg;

	if (cur == cand->seen)
		return true;
	return cur == NULL || !entry_has_key(cur, cand->k) || !live_at(cur->expire, cand->now);
}

/* One read-merge-publish. -EEXIST: another writer replaced what was read. */
static int
merge_once(struct cache *c, struct cache_lcore *lc, const struct cache_denial_key *k,
	   const struct cache_denial *d, uint32_t now)
{
	const struct cache_entry *old = find_live(c, lc, k, now);
	struct denial_candidate cand = { .seen = old, .k = k, .now = now };
	struct merge m;
	struct cache_entry *e;
	int rc;

	if (old != NULL && nothing_new(old, d, now))
		return CACHE_DENIAL_UNCHANGED;
	merge_new(c, d, now, &m);
	merge_old(old, d, now, &m);
	merge_sort(&m);
	rc = cache_slot_alloc(c, lc, sizeof(*e) + body_size(m.n, k->zone_len, m.bytes), now, &e);
	if (rc < 0)
		return rc;
	fill(e, k, &m, now);
	rc = cache_publish(c, lc, e, merge_may_replace, &cand);
	if (rc < 0) {
		cache_slot_release(c, e);     /* never reachable by readers */
		return rc;
	}
	lc->stats.denial_dropped += m.dropped;
	return old != NULL ? CACHE_DENIAL_MERGED : CACHE_DENIAL_INSERTED;
}

int
cache_denial_insert(struct cache *c, unsigned int lcore, const struct cache_denial_key *k,
		    const struct cache_denial *d, uint32_t now)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	int rc = -EINVAL;

	if (kind_ok(d->type) && d->count > 0 && d->count <= CACHE_DENIAL_RR_MAX &&
	    d->data_len <= CACHE_DENIAL_DATA_MAX) {
		rc = merge_once(c, lc, k, d, now);
		if (rc == -EEXIST)
			rc = merge_once(c, lc, k, d, now);
	}
	if (rc == -EEXIST)
		rc = -EAGAIN;
	if (rc < 0)
		lc->stats.denial_lost++;
	else if (rc == CACHE_DENIAL_UNCHANGED)
		lc->stats.denial_unchanged++;
	else if (rc == CACHE_DENIAL_MERGED)
		lc->stats.denial_merged++;
	else
		lc->stats.denial_inserts++;
	return rc;
}

const uint8_t *
cache_denial_entry_zone(const struct cache_entry *e)
{
	return zone_of(body_of(e));
}
