/*
 * resolve_infra.c - the resolver's infrastructure store: what it has learnt about
 * zone cuts and servers, not answers (answers belong to the shared cache).
 *
 * Three fixed tables, each 4-way set associative (a hash picks a bucket of four
 * slots; a new entry takes a free or expired slot, else the least recently used):
 *   zones    zone cut -> delegation point (NS names, addresses), expiring with the
 *            NS TTL (clamped to infra_ttl_min_s..infra_ttl_max_s);
 *   servers  address -> SRTT, RTT variance, consecutive timeouts, "no EDNS until";
 *   lame     (zone, address) -> avoid until, reason, first/last seen, count. Kept
 *            after expiry until the slot is reused: it doubles as the bounded
 *            record of lame pairs for the operator's report.
 * Plus a ring of dangling CNAMEs (owner -> target that does not exist).
 * Never allocates, never blocks. One store per worker (see README.md for sharing).
 */
#include <string.h>

#include "resolve_internal.h"

#define WAYS 4

uint64_t resolve_rand(struct resolve_ctx *ctx)
{
	/* splitmix64: fast, and good enough to spread IDs and exploration; the seed
	 * (from the caller) carries the entropy. */
	uint64_t z = (ctx->rng += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

uint32_t resolve_name_hash(const uint8_t *name, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ lower(name[i])) * 16777619u;
	return h;
}

static uint32_t addr_hash(const struct resolve_addr *a, uint32_t h)
{
	size_t n = a->family == 6 ? 16 : 4;
	for (size_t i = 0; i < n; i++)
		h = (h ^ a->ip[i]) * 16777619u;
	h = (h ^ (a->port & 0xFF)) * 16777619u;
	h = (h ^ (a->port >> 8)) * 16777619u;
	return (h ^ a->family) * 16777619u;
}

int resolve_name_labels(const uint8_t *name, size_t len)
{
	int n = 0;
	for (size_t i = 0; i < len && name[i] != 0; i += (size_t)name[i] + 1)
		n++;
	return n;
}

size_t resolve_name_suffix(const uint8_t *name, size_t len, int keep)
{
	int skip = resolve_name_labels(name, len) - keep;
	size_t off = 0;
	while (skip-- > 0 && off < len && name[off] != 0)
		off += (size_t)name[off] + 1;
	return off;
}

/* ---- delegation points ---------------------------------------------------------------- */

void resolve_dp_init(struct resolve_dp *dp, uint8_t kind, const uint8_t *zone, size_t zlen)
{
	dp->kind = kind;
	dp->zone_len = (uint8_t)zlen;
	memcpy(dp->zone, zone, zlen);
	dp->ns_count = 0;
	dp->addr_count = 0;
	dp->ns_used = 0;
}

int resolve_dp_find_ns(const struct resolve_dp *dp, const uint8_t *name, size_t len)
{
	for (int i = 0; i < dp->ns_count; i++)
		if (wire_name_equal(resolve_dp_ns(dp, i), dp->ns_len[i], name, len))
			return i;
	return -1;
}

int resolve_dp_add_ns(struct resolve_dp *dp, const uint8_t *name, size_t len)
{
	int i = resolve_dp_find_ns(dp, name, len);
	if (i >= 0)
		return i;
	if (dp->ns_count >= RESOLVE_NS_MAX || dp->ns_used + len > RESOLVE_NS_BUF)
		return -1;
	i = dp->ns_count++;
	dp->ns_off[i] = dp->ns_used;
	dp->ns_len[i] = (uint8_t)len;
	dp->ns_flags[i] = 0;
	memcpy(dp->ns_buf + dp->ns_used, name, len);
	dp->ns_used = (uint16_t)(dp->ns_used + len);
	return i;
}

int resolve_dp_add_addr(struct resolve_dp *dp, uint8_t ns_index, const struct resolve_addr *a)
{
	for (int i = 0; i < dp->addr_count; i++)
		if (resolve_addr_equal(&dp->addr[i].addr, a))
			return 0;
	if (dp->addr_count >= RESOLVE_ADDR_MAX)
		return -1;
	struct resolve_server *s = &dp->addr[dp->addr_count++];
	s->addr = *a;
	s->ns_index = ns_index;
	s->tries = 0;
	if (ns_index < dp->ns_count)
		dp->ns_flags[ns_index] |= RESOLVE_NS_HAS_ADDR;
	return 0;
}

/* ---- zones ------------------------------------------------------------------------------- */

static struct resolve_infra_zone *zone_slot(struct resolve_ctx *ctx, const uint8_t *zone,
					    size_t zlen, uint32_t h, bool *found)
{
	struct resolve_infra_zone *b = &ctx->zones[(h % (RESOLVE_INFRA_ZONES / WAYS)) * WAYS];
	struct resolve_infra_zone *victim = &b[0];
	for (int i = 0; i < WAYS; i++) {
		if (b[i].expires && b[i].hash == h &&
		    wire_name_equal(b[i].dp.zone, b[i].dp.zone_len, zone, zlen)) {
			*found = true;
			return &b[i];
		}
		if (b[i].used < victim->used)
			victim = &b[i];
	}
	*found = false;
	return victim;
}

const struct resolve_dp *resolve_infra_zone_get(struct resolve_ctx *ctx, const uint8_t *zone,
						size_t zlen, uint64_t now)
{
	bool found;
	uint32_t h = resolve_name_hash(zone, zlen);
	struct resolve_infra_zone *z = zone_slot(ctx, zone, zlen, h, &found);
	if (!found || z->expires <= now)
		return NULL;
	z->used = now + 1;
	return &z->dp;
}

const struct resolve_dp *resolve_infra_find(struct resolve_ctx *ctx, const uint8_t *name,
					    size_t len, bool below_only, uint64_t now)
{
	size_t off = 0;
	if (below_only) {
		if (len <= 1)
			return NULL;
		off = resolve_name_parent(name, len);
	}
	for (;;) {
		const struct resolve_dp *dp = resolve_infra_zone_get(ctx, name + off, len - off, now);
		if (dp)
			return dp;
		if (len - off <= 1)
			return NULL;
		off += (size_t)name[off] + 1;
	}
}

void resolve_infra_zone_put(struct resolve_ctx *ctx, const struct resolve_dp *dp,
			    uint32_t ttl_s, uint64_t now)
{
	bool found;
	uint32_t h = resolve_name_hash(dp->zone, dp->zone_len);
	struct resolve_infra_zone *z = zone_slot(ctx, dp->zone, dp->zone_len, h, &found);
	if (ttl_s > ctx->cfg.infra_ttl_max_s)
		ttl_s = ctx->cfg.infra_ttl_max_s;
	if (ttl_s < ctx->cfg.infra_ttl_min_s)
		ttl_s = ctx->cfg.infra_ttl_min_s;
	z->hash = h;
	z->expires = now + (uint64_t)ttl_s * 1000 + 1;
	z->used = now + 1;
	z->dp = *dp;
	for (int i = 0; i < z->dp.addr_count; i++)
		z->dp.addr[i].tries = 0;
	for (int i = 0; i < z->dp.ns_count; i++)
		z->dp.ns_flags[i] &= RESOLVE_NS_HAS_ADDR;
}

void resolve_infra_zone_addr(struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen,
			     const uint8_t *ns, size_t nslen, const struct resolve_addr *a,
			     uint64_t now)
{
	bool found;
	struct resolve_infra_zone *z = zone_slot(ctx, zone, zlen, resolve_name_hash(zone, zlen),
						 &found);
	if (!found || z->expires <= now)
		return;
	int i = resolve_dp_find_ns(&z->dp, ns, nslen);
	if (i >= 0)
		resolve_dp_add_addr(&z->dp, (uint8_t)i, a);
}

/* ---- servers ------------------------------------------------------------------------------ */

static struct resolve_infra_server *server_find(const struct resolve_ctx *ctx,
						const struct resolve_addr *a)
{
	uint32_t h = addr_hash(a, 2166136261u);
	const struct resolve_infra_server *b =
		&ctx->servers[(h % (RESOLVE_INFRA_SERVERS / WAYS)) * WAYS];
	for (int i = 0; i < WAYS; i++)
		if (b[i].used && resolve_addr_equal(&b[i].addr, a))
			return (struct resolve_infra_server *)&b[i];
	return NULL;
}

struct resolve_infra_server *resolve_infra_server(struct resolve_ctx *ctx,
						  const struct resolve_addr *a, uint64_t now)
{
	struct resolve_infra_server *s = server_find(ctx, a);
	if (s) {
		s->used = now + 1;
		return s;
	}
	uint32_t h = addr_hash(a, 2166136261u);
	struct resolve_infra_server *b = &ctx->servers[(h % (RESOLVE_INFRA_SERVERS / WAYS)) * WAYS];
	s = &b[0];
	for (int i = 1; i < WAYS; i++)
		if (b[i].used < s->used)
			s = &b[i];
	memset(s, 0, sizeof(*s));
	s->addr = *a;
	s->used = now + 1;
	s->srtt_ms = ctx->cfg.unknown_rtt_ms;
	return s;
}

void resolve_infra_rtt(struct resolve_ctx *ctx, const struct resolve_addr *a, uint32_t rtt_ms,
		       uint64_t now)
{
	struct resolve_infra_server *s = resolve_infra_server(ctx, a, now);
	if (rtt_ms == 0)
		rtt_ms = 1;
	if (!s->measured) {
		/* RFC 6298 §2.2: first measurement */
		s->srtt_ms = rtt_ms;
		s->rttvar_ms = rtt_ms / 2;
		s->measured = true;
	} else {
		uint32_t diff = s->srtt_ms > rtt_ms ? s->srtt_ms - rtt_ms : rtt_ms - s->srtt_ms;
		s->rttvar_ms = (3 * s->rttvar_ms + diff) / 4;
		s->srtt_ms = (7 * s->srtt_ms + rtt_ms) / 8;
	}
	s->timeouts = 0;
	s->answered = now + 1;
}

bool resolve_infra_silent(struct resolve_ctx *ctx, const struct resolve_addr *a,
			  uint64_t now)
{
	const struct resolve_infra_server *s = server_find(ctx, a);

	return s == NULL || s->answered == 0 ||
	       now + 1 - s->answered >= ctx->cfg.timeout_max_ms;
}

unsigned resolve_infra_timeout(struct resolve_ctx *ctx, const struct resolve_addr *a,
			       uint64_t now)
{
	struct resolve_infra_server *s = resolve_infra_server(ctx, a, now);
	/* back off: a server that does not answer sorts behind every one that does */
	uint32_t next = s->srtt_ms * 2 + 100;
	s->srtt_ms = next > ctx->cfg.timeout_max_ms * 4 ? ctx->cfg.timeout_max_ms * 4 : next;
	s->measured = true;
	if (s->timeouts < 255)
		s->timeouts++;
	return s->timeouts;
}

uint32_t resolve_infra_srtt(struct resolve_ctx *ctx, const struct resolve_addr *a, uint64_t now)
{
	(void)now;
	const struct resolve_infra_server *s = server_find(ctx, a);
	return s ? s->srtt_ms : ctx->cfg.unknown_rtt_ms;
}

uint32_t resolve_infra_rto(struct resolve_ctx *ctx, const struct resolve_addr *a, uint64_t now)
{
	(void)now;
	const struct resolve_infra_server *s = server_find(ctx, a);
	if (!s || !s->measured)
		return ctx->cfg.timeout_initial_ms;
	uint32_t rto = s->srtt_ms + 4 * s->rttvar_ms;
	if (rto < ctx->cfg.timeout_min_ms)
		rto = ctx->cfg.timeout_min_ms;
	if (rto > ctx->cfg.timeout_max_ms)
		rto = ctx->cfg.timeout_max_ms;
	return rto;
}

bool resolve_infra_edns_off(struct resolve_ctx *ctx, const struct resolve_addr *a, uint64_t now)
{
	const struct resolve_infra_server *s = server_find(ctx, a);
	return s && s->no_edns_until > now;
}

void resolve_infra_set_edns_off(struct resolve_ctx *ctx, const struct resolve_addr *a,
				uint64_t now)
{
	struct resolve_infra_server *s = resolve_infra_server(ctx, a, now);
	s->no_edns_until = now + (uint64_t)ctx->cfg.edns_off_ttl_s * 1000;
}

int resolve_server_srtt(const struct resolve_ctx *ctx, const struct resolve_addr *addr)
{
	const struct resolve_infra_server *s = server_find(ctx, addr);
	return s ? (int)s->srtt_ms : -1;
}

/* ---- lameness ------------------------------------------------------------------------------ */

/* A timeout hold that ended this long ago no longer counts towards the next one. */
#define LAME_BACKOFF_RESET_MS (5 * 60 * 1000)

static struct resolve_lame_entry *lame_slot(const struct resolve_ctx *ctx, const uint8_t *zone,
					    size_t zlen, const struct resolve_addr *a,
					    bool *found)
{
	uint32_t h = addr_hash(a, resolve_name_hash(zone, zlen));
	const struct resolve_lame_entry *b = &ctx->lame[(h % (RESOLVE_INFRA_LAME / WAYS)) * WAYS];
	const struct resolve_lame_entry *victim = &b[0];
	for (int i = 0; i < WAYS; i++) {
		if (b[i].last_seen && b[i].hash == h && resolve_addr_equal(&b[i].addr, a) &&
		    wire_name_equal(b[i].zone, b[i].zone_len, zone, zlen)) {
			*found = true;
			return (struct resolve_lame_entry *)&b[i];
		}
		if (b[i].last_seen < victim->last_seen)
			victim = &b[i];
	}
	*found = false;
	return (struct resolve_lame_entry *)victim;
}

void resolve_infra_lame(struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen,
			const struct resolve_addr *a, enum resolve_lame_reason why, uint64_t now)
{
	bool found;
	struct resolve_lame_entry *e = lame_slot(ctx, zone, zlen, a, &found);
	if (!found) {
		memset(e, 0, sizeof(*e));
		e->hash = addr_hash(a, resolve_name_hash(zone, zlen));
		e->zone_len = (uint8_t)zlen;
		memcpy(e->zone, zone, zlen);
		wire_name_to_lower(e->zone, zlen);
		e->addr = *a;
		e->first_seen = now + 1;
	}
	/* a pair that behaved for a while starts its back-off again */
	if (found && now > e->expires + LAME_BACKOFF_RESET_MS)
		e->count = 0;
	e->last_seen = now + 1;
	e->reason = (uint8_t)why;
	e->count++;
	/* A server that only stopped answering (overload, rate limiting, a lost route) is
	 * asked again soon, backing off 2, 4, ... 128 s; one that answered wrongly is
	 * avoided for the whole lame TTL. */
	if (why == RESOLVE_LAME_TIMEOUT) {
		uint64_t hold = 1000ull << (e->count < 7 ? e->count : 7);
		uint64_t cap = (uint64_t)ctx->cfg.lame_ttl_s * 1000;

		e->expires = now + (hold < cap ? hold : cap);
	} else {
		e->expires = now + (uint64_t)ctx->cfg.lame_ttl_s * 1000;
	}
	ctx->stats.lame_marked++;
}

bool resolve_is_lame(const struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen,
		     const struct resolve_addr *addr, uint64_t now)
{
	bool found;
	const struct resolve_lame_entry *e = lame_slot(ctx, zone, zlen, addr, &found);
	return found && e->expires > now && e->reason != RESOLVE_LAME_BOGUS;
}

bool resolve_infra_bogus(const struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen,
			 const struct resolve_addr *a, uint64_t now)
{
	bool found;
	const struct resolve_lame_entry *e = lame_slot(ctx, zone, zlen, a, &found);
	return found && e->expires > now && e->reason == RESOLVE_LAME_BOGUS;
}

/* A server of @dp other than lame or bogus ones: an address, or an NS name outside
 * the zone whose address has not been looked for yet. */
static bool dp_has_good_server(const struct resolve_ctx *ctx, const struct resolve_dp *dp,
			       uint64_t now)
{
	for (int i = 0; i < dp->addr_count; i++) {
		const struct resolve_addr *a = &dp->addr[i].addr;
		if ((a->family == 4 ? ctx->cfg.ip4 : ctx->cfg.ip6) &&
		    !resolve_is_lame(ctx, dp->zone, dp->zone_len, a, now) &&
		    !resolve_infra_bogus(ctx, dp->zone, dp->zone_len, a, now))
			return true;
	}
	for (int i = 0; i < dp->ns_count; i++) {
		if (!(dp->ns_flags[i] & RESOLVE_NS_HAS_ADDR) &&
		    !wire_name_is_subdomain(resolve_dp_ns(dp, i), dp->ns_len[i], dp->zone,
					    dp->zone_len))
			return true;
	}
	return false;
}

bool resolve_server_bogus(struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen,
			  const struct resolve_addr *addr, uint64_t now)
{
	if (zlen == 0 || zlen > WIRE_NAME_MAX)
		return false;
	resolve_infra_lame(ctx, zone, zlen, addr, RESOLVE_LAME_BOGUS, now);
	const struct resolve_dp *dp = resolve_infra_zone_get(ctx, zone, zlen, now);
	for (unsigned i = 0; dp == NULL && i < ctx->zone_conf_count; i++) {
		if (wire_name_equal(ctx->zone_conf[i].dp.zone, ctx->zone_conf[i].dp.zone_len, zone,
				    zlen))
			dp = &ctx->zone_conf[i].dp;
	}
	if (dp == NULL && zlen == 1 && ctx->hints.addr_count > 0)
		dp = &ctx->hints;
	return dp == NULL || dp_has_good_server(ctx, dp, now);
}

void resolve_report_lame(const struct resolve_ctx *ctx,
			 void (*fn)(const struct resolve_lame_entry *e, void *arg), void *arg)
{
	for (size_t i = 0; i < RESOLVE_INFRA_LAME; i++)
		if (ctx->lame[i].last_seen)
			fn(&ctx->lame[i], arg);
}

/* ---- dangling CNAMEs ----------------------------------------------------------------------- */

void resolve_infra_dangling(struct resolve_ctx *ctx, const uint8_t *owner, size_t olen,
			    const uint8_t *target, size_t tlen, uint64_t now)
{
	for (unsigned i = 0; i < ctx->dangling_count; i++) {
		struct resolve_dangling *d = &ctx->dangling[i];
		if (wire_name_equal(d->owner, d->owner_len, owner, olen) &&
		    wire_name_equal(d->target, d->target_len, target, tlen)) {
			d->count++;
			d->last_seen = now;
			return;
		}
	}
	struct resolve_dangling *d = &ctx->dangling[ctx->dangling_next];
	ctx->dangling_next = (uint16_t)((ctx->dangling_next + 1) % RESOLVE_REPORT_MAX);
	if (ctx->dangling_count < RESOLVE_REPORT_MAX)
		ctx->dangling_count++;
	d->owner_len = (uint8_t)olen;
	d->target_len = (uint8_t)tlen;
	memcpy(d->owner, owner, olen);
	memcpy(d->target, target, tlen);
	d->count = 1;
	d->last_seen = now;
}

void resolve_report_dangling(const struct resolve_ctx *ctx,
			     void (*fn)(const struct resolve_dangling *d, void *arg), void *arg)
{
	for (unsigned i = 0; i < ctx->dangling_count; i++)
		fn(&ctx->dangling[i], arg);
}
