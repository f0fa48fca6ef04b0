/*
 * cache_rrset_msg.c - feed a DNS response into the RRset store.
 *
 * The message is parsed once (wire_parse_msg). Records are grouped into RRsets by
 * (section, owner without regard to case, type, class): the records of one RRset
 * need not be next to each other, so each record's owner is hashed once up front
 * and a group is gathered by comparing hashes, and names only where they match. The
 * RRSIGs of the same section, owner and class whose "type covered" is the RRset's
 * type go with it. RRsets outside the bailiwick the caller gives are skipped.
 *
 * Runs on worker lcores after an upstream response: no lock of its own (the store's
 * shard lock on insert), no allocation, no syscall. The walk's state is one struct on
 * the stack (about 18 KiB).
 */
#include <errno.h>
#include <string.h>

#include "cache_priv.h"
#include "cache_rrset.h"
#include "wire.h"

struct walk {
	const uint8_t *msg;
	size_t len;
	struct wire_msg m;
	struct wire_rr_ref rr[CACHE_RRSET_MSG_RR_MAX];
	uint32_t owner_hash[CACHE_RRSET_MSG_RR_MAX];
	bool done[CACHE_RRSET_MSG_RR_MAX];  /* belongs to an RRset already handled */
	struct cache_rrset_key key;
	struct cache_rrset set;
};

/* What one RRset of the message came to. */
enum walk_result {
	WALK_STORED,              /* inserted or replaced */
	WALK_NOT_STORED,          /* kept the cached one, or failed: counted by insert */
	WALK_SKIPPED,             /* out of bailiwick or too big: counted here */
};

/* Record @i's owner, uncompressed, into @out (WIRE_NAME_MAX bytes); its length or 0. */
static size_t
owner(const struct walk *w, unsigned int i, uint8_t *out)
{
	size_t len = 0;

	if (wire_name_unpack(w->msg, w->len, w->rr[i].name_off, out, &len, NULL) != WIRE_OK)
		return 0;
	return len;
}

/*
 * Parse the message and hash every owner (lowercased, with the cache's secret seed:
 * a server cannot send many owners that collide and make the grouping compare
 * every name with every other). 0, or -EINVAL.
 */
static int
walk_start(const struct cache *c, struct walk *w, const uint8_t *msg, size_t len)
{
	uint8_t name[WIRE_NAME_MAX];

	w->msg = msg;
	w->len = len;
	w->m.rr = w->rr;
	w->m.rr_cap = CACHE_RRSET_MSG_RR_MAX;
	if (wire_parse_msg(msg, len, &w->m) != WIRE_OK)
		return -EINVAL;
	for (unsigned int i = 0; i < w->m.rr_count; i++) {
		size_t n = owner(w, i, name);

		wire_name_to_lower(name, n);
		w->owner_hash[i] = (uint32_t)cache_hash_key(c->seed, name, n, 0, 0, 0);
		w->done[i] = n == 0;
	}
	return 0;
}

/* A response worth keeping data from: complete, and an answer or a name error. */
static bool
storable_msg(const struct wire_hdr *h)
{
	uint8_t rcode = WIRE_RCODE(h->flags);

	return WIRE_QR(h->flags) && !WIRE_TC(h->flags) &&
	       (rcode == WIRE_RCODE_NOERROR || rcode == WIRE_RCODE_NXDOMAIN);
}

static enum cache_rrset_rank
rank_of(uint8_t section, bool aa)
{
	if (section == WIRE_SECTION_ANSWER)
		return aa ? CACHE_RANK_ANSWER_AA : CACHE_RANK_ANSWER;
	if (section == WIRE_SECTION_AUTHORITY)
		return aa ? CACHE_RANK_AUTHORITY_AA : CACHE_RANK_AUTHORITY;
	return CACHE_RANK_ADDITIONAL;
}

/* Same section, class and owner as record @i (whose owner is @name, @nlen)? */
static bool
same_owner(const struct walk *w, unsigned int j, unsigned int i, const uint8_t *name,
	   size_t nlen)
{
	uint8_t other[WIRE_NAME_MAX];
	size_t olen;

	if (w->done[j] || w->rr[j].section != w->rr[i].section ||
	    w->rr[j].class != w->rr[i].class || w->owner_hash[j] != w->owner_hash[i])
		return false;
	olen = owner(w, j, other);
	return olen != 0 && wire_name_equal(other, olen, name, nlen);
}

/* RFC 2181 §8: a TTL with the top bit set means zero. */
static uint32_t
ttl_of(const struct wire_rr_ref *r)
{
	return r->ttl > INT32_MAX ? 0 : r->ttl;
}

/* Decompress record @j's RDATA onto the end of the set and add it. 0 or -ENOSPC. */
static int
add_record(struct walk *w, unsigned int j, bool sig)
{
	struct cache_rrset *rs = &w->set;
	size_t room = CACHE_RRSET_DATA_MAX - rs->data_len, n = 0;
	uint8_t *at = rs->data + rs->data_len;

	if (wire_rdata_decompress(w->msg, w->len, &w->rr[j], at, room, &n) != WIRE_OK)
		return -ENOSPC;
	if (rs->ttl > ttl_of(&w->rr[j]))
		rs->ttl = ttl_of(&w->rr[j]);
	return sig ? cache_rrset_add_sig(rs, at, n) : cache_rrset_add_rr(rs, at, n);
}

/* RRSIG @j covers the type of record @i? */
static bool
covers(const struct walk *w, unsigned int j, unsigned int i)
{
	const struct wire_rr_ref *r = &w->rr[j];

	return r->type == WIRE_TYPE_RRSIG && r->rdlen >= 2 &&
	       wire_get_u16(w->msg + r->rdata_off) == w->rr[i].type;
}

/*
 * Mark the records of the RRset that record @i starts done and, when @keep, gather
 * them and their RRSIGs into w->set. Returns true when all of it fit.
 */
static bool
gather(struct walk *w, unsigned int i, const uint8_t *name, size_t nlen, bool keep)
{
	bool fits = true;

	cache_rrset_init(&w->set, UINT32_MAX, rank_of(w->rr[i].section, WIRE_AA(w->m.hdr.flags)),
			 CACHE_RRSET_INDETERMINATE);
	for (unsigned int j = i; j < w->m.rr_count; j++) {
		if (w->rr[j].type != w->rr[i].type || !same_owner(w, j, i, name, nlen))
			continue;
		w->done[j] = true;
		fits = fits && (!keep || add_record(w, j, false) == 0);
	}
	for (unsigned int j = 0; keep && j < w->m.rr_count; j++)
		if (covers(w, j, i) && same_owner(w, j, i, name, nlen))
			fits = fits && add_record(w, j, true) == 0;
	return fits;
}

/* Store the RRset record @i starts, if it lies inside @zone. */
static enum walk_result
store_rrset(struct cache *c, struct cache_lcore *lc, unsigned int lcore, struct walk *w,
	    unsigned int i, const uint8_t *zone, size_t zone_len, uint32_t now)
{
	uint8_t name[WIRE_NAME_MAX];
	size_t nlen = owner(w, i, name);
	int rc;

	if (nlen == 0 || cache_rrset_key_init(c, &w->key, name, nlen, w->rr[i].type,
					      w->rr[i].class) < 0) {
		w->done[i] = true;
		return WALK_NOT_STORED;
	}
	bool inside = wire_name_is_subdomain(name, nlen, zone, zone_len);
	bool fits = gather(w, i, name, nlen, inside);

	if (!inside) {
		lc->stats.rrset_out_of_bailiwick++;
		return WALK_SKIPPED;
	}
	if (!fits) {
		lc->stats.rrset_too_big++;
		return WALK_SKIPPED;
	}
	rc = cache_rrset_insert(c, lcore, &w->key, &w->set, now);
	return rc == CACHE_RRSET_INSERTED || rc == CACHE_RRSET_REPLACED ? WALK_STORED
									 : WALK_NOT_STORED;
}

int
cache_rrset_store_msg(struct cache *c, unsigned int lcore, const uint8_t *msg, size_t len,
		      const uint8_t *zone, size_t zone_len, uint32_t now)
{
	struct cache_lcore *lc = &c->lcore[lcore];
	struct walk w;
	int stored = 0;

	if (wire_name_length(zone, zone_len) != (int)zone_len || walk_start(c, &w, msg, len) < 0)
		return -EINVAL;
	if (!storable_msg(&w.m.hdr))
		return 0;
	lc->stats.rrset_msgs++;
	for (unsigned int i = 0; i < w.m.rr_count; i++) {
		/* RRSIGs go with the RRset they cover; OPT, TSIG... are no data */
		if (w.done[i] || !cache_rrset_storable(w.rr[i].type, w.rr[i].class))
			continue;
		if (store_rrset(c, lc, lcore, &w, i, zone, zone_len, now) == WALK_STORED)
			stored++;
	}
	return stored;
}
