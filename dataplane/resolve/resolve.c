/*
 * resolve.c - the resolution state machine: frames, delegation lookup, server
 * selection, building upstream queries, timeouts and accepting responses.
 *
 * Runs on a worker lcore: never blocks, never allocates, makes no syscalls. All
 * memory is the caller's (struct resolve_query, struct resolve_ctx). What a
 * response means is decided in resolve_reply.c; what is remembered across
 * queries lives in resolve_infra.c.
 *
 * The frame stack. Frame 0 resolves the client's question. When the resolver
 * needs something first, it pushes a frame and runs it to the end before the
 * frame below goes on:
 *   PRIME    no root NS set is known: ask the hints for ". NS";
 *   NS_ADDR  every server of a delegation lacks an address: resolve one NS name
 *            (at most max_ns_lookups per delegation: NXNSAttack).
 * All frames share the query's budget (max_sends, max_referrals, max_cname).
 */
#include <string.h>

#include "resolve_internal.h"

static const char *const state_names[] = {
	[RESOLVE_ST_INIT] = "INIT",
	[RESOLVE_ST_PRIME] = "PRIME",
	[RESOLVE_ST_FIND_DELEGATION] = "FIND_DELEGATION",
	[RESOLVE_ST_QUERY_TARGET] = "QUERY_TARGET",
	[RESOLVE_ST_QUERY_SENT] = "QUERY_SENT",
	[RESOLVE_ST_RESOLVE_NS_ADDR] = "RESOLVE_NS_ADDR",
	[RESOLVE_ST_FOLLOW_CNAME] = "FOLLOW_CNAME",
	[RESOLVE_ST_DONE] = "DONE",
	[RESOLVE_ST_FAIL] = "FAIL",
};

const char *resolve_state_name(enum resolve_state s)
{
	if ((unsigned)s < sizeof(state_names) / sizeof(state_names[0]) && state_names[s])
		return state_names[s];
	return "?";
}

static const char *const lame_names[] = {
	[RESOLVE_LAME_REFUSED] = "refused",
	[RESOLVE_LAME_SERVFAIL] = "servfail",
	[RESOLVE_LAME_OTHER_RCODE] = "bad-rcode",
	[RESOLVE_LAME_NOT_AUTH] = "not-authoritative",
	[RESOLVE_LAME_UPWARD] = "upward-referral",
	[RESOLVE_LAME_TIMEOUT] = "no-response",
	[RESOLVE_LAME_MALFORMED] = "malformed",
	[RESOLVE_LAME_BOGUS] = "dnssec-bogus",
};

const char *const resolve_counter_names[] = {
#define RESOLVE_COUNTER_NAME(name, help) #name,
	RESOLVE_COUNTERS(RESOLVE_COUNTER_NAME)
#undef RESOLVE_COUNTER_NAME
};

const char *resolve_lame_reason_name(enum resolve_lame_reason r)
{
	if ((unsigned)r < sizeof(lame_names) / sizeof(lame_names[0]))
		return lame_names[r];
	return "?";
}

/* EXTRA-TEXT for failures: one table. */
static const char TXT_ALL_LAME[] = "all servers lame or refused";
static const char TXT_NO_RESPONSE[] = "no server responded";
static const char TXT_NO_SERVERS[] = "no usable server address";
static const char TXT_NO_HINTS[] = "no root hints";
static const char TXT_SEND_LIMIT[] = "upstream query limit reached";
static const char TXT_DEPTH[] = "lookup nesting limit reached";
static const char TXT_LOOP[] = "resolver loop";

enum resolve_state resolve_query_state(const struct resolve_query *rq)
{
	return (enum resolve_state)rq->frame[rq->depth].state;
}

static void frame_init(struct resolve_frame *f, enum resolve_frame_kind kind,
		       const uint8_t *name, size_t len, uint16_t qtype, uint16_t qclass)
{
	f->state = RESOLVE_ST_INIT;
	f->kind = (uint8_t)kind;
	f->name_len = (uint8_t)len;
	memcpy(f->name, name, len);
	f->sent_len = 0;
	f->qtype = qtype;
	f->qclass = qclass;
	f->sent_qtype = qtype;
	f->parent_ns = 0xFF;
	f->ns_lookups = 0;
	f->qmin_labels = 0;
	f->qmin_steps = 0;
	f->qmin_off = false;
	f->saw_timeout = f->saw_lame = f->saw_response = false;
	f->last_cname_len = 0;
	f->dp.zone_len = 0;
	f->dp.ns_count = 0;
	f->dp.addr_count = 0;
}

int resolve_start(struct resolve_query *rq, const uint8_t *qname, size_t qlen,
		  uint16_t qtype, uint16_t qclass, uint64_t now)
{
	if (qlen == 0 || qlen > WIRE_NAME_MAX || wire_name_length(qname, qlen) != (int)qlen)
		return WIRE_EINVAL;
	memcpy(rq->qname, qname, qlen);
	rq->qname_len = (uint8_t)qlen;
	rq->qtype = qtype;
	rq->qclass = qclass;
	rq->started = now;
	rq->sends = 0;
	rq->cname_count = 0;
	rq->referrals = 0;
	rq->depth = 0;
	rq->pending = false;
	rq->resend = false;
	rq->rcode = WIRE_RCODE_SERVFAIL;
	rq->ede = WIRE_EDE_NONE;
	rq->ede_text = NULL;
	rq->rr_count = 0;
	rq->data_used = 0;
	rq->truncated = false;
	rq->chain_cut = false;
	frame_init(&rq->frame[0], RESOLVE_FRAME_CLIENT, qname, qlen, qtype, qclass);
	return 0;
}

/* ---- finishing frames -------------------------------------------------------------------- */

void resolve_frame_done(struct resolve_ctx *ctx, struct resolve_query *rq, uint8_t rcode,
			uint64_t now)
{
	(void)ctx;
	(void)now;
	top_frame(rq)->state = RESOLVE_ST_DONE;
	if (rq->depth == 0)
		rq->rcode = rcode;
}

void resolve_frame_fail(struct resolve_query *rq, int ede, const char *text)
{
	top_frame(rq)->state = RESOLVE_ST_FAIL;
	rq->rcode = WIRE_RCODE_SERVFAIL;
	rq->ede = ede;
	rq->ede_text = text;
}

/* Out of servers for this delegation: say why (22: they answered but would not
 * serve the zone; 23: nothing came back at all). */
static void fail_no_server(struct resolve_query *rq, const struct resolve_frame *f)
{
	if (f->saw_lame || f->saw_response)
		resolve_frame_fail(rq, WIRE_EDE_NO_REACHABLE_AUTHORITY, TXT_ALL_LAME);
	else if (f->saw_timeout)
		resolve_frame_fail(rq, WIRE_EDE_NETWORK_ERROR, TXT_NO_RESPONSE);
	else
		resolve_frame_fail(rq, WIRE_EDE_NO_REACHABLE_AUTHORITY, TXT_NO_SERVERS);
}

/* An address of the NS name an NS_ADDR frame looks up: to the delegation below it,
 * and to the infra store's copy of that delegation. */
static void keep_parent_addr(struct resolve_ctx *ctx, struct resolve_query *rq,
			     const struct resolve_addr *a, uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	struct resolve_frame *parent = &rq->frame[rq->depth - 1];
	resolve_dp_add_addr(&parent->dp, f->parent_ns, a);
	if (f->parent_ns < parent->dp.ns_count)
		resolve_infra_zone_addr(ctx, parent->dp.zone, parent->dp.zone_len,
					resolve_dp_ns(&parent->dp, f->parent_ns),
					parent->dp.ns_len[f->parent_ns], a, now);
}

static void keep_address(struct resolve_ctx *ctx, struct resolve_query *rq, uint16_t type,
			 const uint8_t *rdata, size_t rdlen, uint64_t now)
{
	struct resolve_addr a;
	memset(&a, 0, sizeof(a));
	a.port = 53;
	if (type == WIRE_TYPE_A && rdlen == 4 && ctx->cfg.ip4)
		a.family = 4;
	else if (type == WIRE_TYPE_AAAA && rdlen == 16 && ctx->cfg.ip6)
		a.family = 6;
	else
		return;
	memcpy(a.ip, rdata, rdlen);
	keep_parent_addr(ctx, rq, &a, now);
}

void resolve_keep_rr(struct resolve_query *rq, uint8_t section, const uint8_t *owner,
		     size_t olen, uint16_t type, uint16_t class, uint32_t ttl,
		     const uint8_t *rdata, size_t rdlen)
{
	if (rq->depth != 0)
		return;
	if (rq->rr_count >= RESOLVE_RR_MAX || rq->data_used + olen + rdlen > RESOLVE_DATA_MAX) {
		rq->truncated = true;
		return;
	}
	struct resolve_rr *r = &rq->rr[rq->rr_count++];
	r->section = section;
	r->owner_off = rq->data_used;
	r->owner_len = (uint8_t)olen;
	memcpy(rq->data + rq->data_used, owner, olen);
	rq->data_used = (uint16_t)(rq->data_used + olen);
	r->rdata_off = rq->data_used;
	r->rdlen = (uint16_t)rdlen;
	memcpy(rq->data + rq->data_used, rdata, rdlen);
	rq->data_used = (uint16_t)(rq->data_used + rdlen);
	r->type = type;
	r->class = class;
	r->ttl = ttl;
}

bool resolve_holds_rr(const struct resolve_query *rq, const uint8_t *owner, size_t olen,
		      uint16_t type)
{
	if (rq->depth != 0)
		return false;
	for (uint16_t i = 0; i < rq->rr_count; i++) {
		const struct resolve_rr *r = &rq->rr[i];
		if (r->section == WIRE_SECTION_ANSWER && r->type == type &&
		    wire_name_equal(resolve_rr_owner(rq, i), r->owner_len, owner, olen))
			return true;
	}
	return false;
}

void resolve_keep_address(struct resolve_ctx *ctx, struct resolve_query *rq, uint16_t type,
			  const uint8_t *rdata, size_t rdlen, uint64_t now)
{
	if (rq->depth > 0 && top_frame(rq)->kind == RESOLVE_FRAME_NS_ADDR)
		keep_address(ctx, rq, type, rdata, rdlen, now);
}

/* An NS name's lookup went through the delegation of the name's own zone, whose
 * parent may have given glue for it: keep those parent-side addresses too, after
 * the child's own, so that a child zone that publishes a broken address for its
 * server (parent and child disagree), or whose lookup fails further down, still has
 * one that works. Called before the NS_ADDR frame leaves a delegation. */
void resolve_keep_parent_side(struct resolve_ctx *ctx, struct resolve_query *rq, uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	if (rq->depth == 0 || f->kind != RESOLVE_FRAME_NS_ADDR)
		return;
	for (int i = 0; i < f->dp.addr_count; i++) {
		uint8_t ns = f->dp.addr[i].ns_index;
		if (ns < f->dp.ns_count &&
		    wire_name_equal(resolve_dp_ns(&f->dp, ns), f->dp.ns_len[ns], f->name,
				    f->name_len))
			keep_parent_addr(ctx, rq, &f->dp.addr[i].addr, now);
	}
}

/* A sub-frame has finished: hand its result to the frame below. */
static void frame_pop(struct resolve_ctx *ctx, struct resolve_query *rq, uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	struct resolve_frame *parent = &rq->frame[rq->depth - 1];
	if (f->kind == RESOLVE_FRAME_PRIME) {
		rq->depth--;
		if (f->state == RESOLVE_ST_DONE) {
			parent->state = RESOLVE_ST_FIND_DELEGATION;
		} else if (f->saw_response) {
			/* The hints' servers answer, but not the priming question (an old
			 * or broken root NS set): they stay the root's servers for a while,
			 * as the hints say, rather than every query failing. */
			resolve_infra_zone_put(ctx, &ctx->hints, RESOLVE_PRIME_FALLBACK_TTL, now);
			ctx->stats.prime_fallbacks++;
			rq->ede = WIRE_EDE_NONE;
			rq->ede_text = NULL;
			rq->rcode = WIRE_RCODE_SERVFAIL;
			parent->state = RESOLVE_ST_FIND_DELEGATION;
		} else {
			parent->state = RESOLVE_ST_FAIL; /* rq->ede set by the prime frame */
		}
		return;
	}
	if (f->parent_ns < parent->dp.ns_count)
		resolve_keep_parent_side(ctx, rq, now);
	/* NS_ADDR: no IPv4 address? try IPv6 before giving up on the name */
	bool have = f->parent_ns < parent->dp.ns_count &&
		    (parent->dp.ns_flags[f->parent_ns] & RESOLVE_NS_HAS_ADDR);
	if (!have && f->qtype == WIRE_TYPE_A && ctx->cfg.ip6 &&
	    rq->sends < ctx->cfg.max_sends) {
		uint8_t pns = f->parent_ns;
		frame_init(f, RESOLVE_FRAME_NS_ADDR, resolve_dp_ns(&parent->dp, pns),
			   parent->dp.ns_len[pns], WIRE_TYPE_AAAA, WIRE_CLASS_IN);
		f->parent_ns = pns;
		f->state = RESOLVE_ST_FIND_DELEGATION;
		return;
	}
	if (f->parent_ns < parent->dp.ns_count)
		parent->dp.ns_flags[f->parent_ns] |= RESOLVE_NS_TRIED;
	rq->depth--;
	parent->state = RESOLVE_ST_QUERY_TARGET;
	rq->ede = WIRE_EDE_NONE; /* a failed sub-lookup is not the query's failure */
	rq->ede_text = NULL;
	rq->rcode = WIRE_RCODE_SERVFAIL;
}

static bool frame_push(struct resolve_query *rq, enum resolve_frame_kind kind,
		       const uint8_t *name, size_t len, uint16_t qtype)
{
	if (rq->depth + 1 >= RESOLVE_FRAMES_MAX)
		return false;
	rq->depth++;
	frame_init(top_frame(rq), kind, name, len, qtype, WIRE_CLASS_IN);
	top_frame(rq)->state = RESOLVE_ST_FIND_DELEGATION;
	return true;
}

/* ---- FIND_DELEGATION ------------------------------------------------------------------- */

/* The configured (forward/stub) zone closest to @name, or NULL. */
static const struct resolve_dp *conf_zone_find(const struct resolve_ctx *ctx,
					       const uint8_t *name, size_t len)
{
	const struct resolve_dp *best = NULL;
	for (unsigned i = 0; i < ctx->zone_conf_count; i++) {
		const struct resolve_dp *dp = &ctx->zone_conf[i].dp;
		if (!wire_name_is_subdomain(name, len, dp->zone, dp->zone_len))
			continue;
		if (!best || dp->zone_len > best->zone_len)
			best = dp;
	}
	return best;
}

void resolve_frame_use_dp(struct resolve_frame *f, const struct resolve_dp *dp)
{
	f->dp = *dp;
	for (int i = 0; i < f->dp.addr_count; i++)
		f->dp.addr[i].tries = 0;
	for (int i = 0; i < f->dp.ns_count; i++)
		f->dp.ns_flags[i] &= RESOLVE_NS_HAS_ADDR;
	f->ns_lookups = 0;
	f->qmin_labels = (uint8_t)resolve_name_labels(dp->zone, dp->zone_len);
	f->qmin_steps = 0;
	f->saw_timeout = f->saw_lame = f->saw_response = false;
	f->state = RESOLVE_ST_QUERY_TARGET;
}

static void find_delegation(struct resolve_ctx *ctx, struct resolve_query *rq, uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	static const uint8_t root[1] = {0};
	if (f->kind == RESOLVE_FRAME_PRIME) {
		if (ctx->hints.addr_count == 0) {
			resolve_frame_fail(rq, WIRE_EDE_NO_REACHABLE_AUTHORITY, TXT_NO_HINTS);
			return;
		}
		resolve_frame_use_dp(f, &ctx->hints);
		return;
	}
	/* DS is served by the parent side of the cut: also for the apex of a configured
	 * zone (a stub's or forward zone's own servers hold no DS for it; the parent has
	 * it, or proves there is none, which makes a private zone insecure) */
	bool below = f->qtype == WIRE_TYPE_DS && f->name_len > 1;
	size_t skip = below ? (size_t)f->name[0] + 1 : 0;
	const struct resolve_dp *conf = conf_zone_find(ctx, f->name + skip, f->name_len - skip);
	const struct resolve_dp *cached = resolve_infra_find(ctx, f->name, f->name_len, below, now);
	const struct resolve_dp *use = cached;
	if (conf && (conf->kind == RESOLVE_DP_FORWARD || !cached ||
		     !wire_name_is_subdomain(cached->zone, cached->zone_len, conf->zone,
					     conf->zone_len) ||
		     wire_name_equal(cached->zone, cached->zone_len, conf->zone, conf->zone_len)))
		use = conf;
	if (use) {
		resolve_frame_use_dp(f, use);
		return;
	}
	if (ctx->hints.addr_count == 0) {
		resolve_frame_fail(rq, WIRE_EDE_NO_REACHABLE_AUTHORITY, TXT_NO_HINTS);
		return;
	}
	f->state = RESOLVE_ST_PRIME;
	if (!frame_push(rq, RESOLVE_FRAME_PRIME, root, 1, WIRE_TYPE_NS))
		resolve_frame_fail(rq, WIRE_EDE_OTHER, TXT_DEPTH);
}

/* ---- QUERY_TARGET: server selection and the upstream query ------------------------------ */

static bool family_ok(const struct resolve_ctx *ctx, const struct resolve_addr *a)
{
	return a->family == 4 ? ctx->cfg.ip4 : ctx->cfg.ip6;
}

/*
 * Pick a server: among the zone's addresses not lame for it and not yet tried
 * tries_per_server times in this frame, the one with the lowest smoothed RTT (a
 * timeout backs a server's SRTT off, so retries go elsewhere first); with
 * probability explore_percent a random one of them instead, so that the estimate
 * of a server that was slow once can recover. Servers that sent bogus data
 * (resolve_server_bogus) count only as the @last_resort. Returns the index or -1.
 */
static int select_server(struct resolve_ctx *ctx, struct resolve_frame *f, uint64_t now,
			 bool last_resort)
{
	struct resolve_dp *dp = &f->dp;
	int cand[RESOLVE_ADDR_MAX];
	int n = 0;
	for (int i = 0; i < dp->addr_count; i++) {
		struct resolve_server *s = &dp->addr[i];
		if (s->tries >= ctx->cfg.tries_per_server || !family_ok(ctx, &s->addr))
			continue;
		if (resolve_is_lame(ctx, dp->zone, dp->zone_len, &s->addr, now)) {
			ctx->stats.lame_skipped++;
			f->saw_lame = true;
			s->tries = ctx->cfg.tries_per_server;
			continue;
		}
		if (!last_resort && resolve_infra_bogus(ctx, dp->zone, dp->zone_len, &s->addr, now))
			continue;
		cand[n++] = i;
	}
	if (n == 0)
		return -1;
	if (n > 1 && ctx->cfg.explore_percent &&
	    resolve_rand(ctx) % 100 < ctx->cfg.explore_percent)
		return cand[resolve_rand(ctx) % (uint64_t)n];
	int best = cand[0];
	uint32_t best_rtt = resolve_infra_srtt(ctx, &dp->addr[best].addr, now);
	for (int k = 1; k < n; k++) {
		uint32_t rtt = resolve_infra_srtt(ctx, &dp->addr[cand[k]].addr, now);
		if (rtt < best_rtt) {
			best = cand[k];
			best_rtt = rtt;
		}
	}
	return best;
}

/* The name to ask for: the full name, or under QNAME minimisation (RFC 9156) the
 * zone plus one more label, asked with type A. */
static void choose_sent_name(const struct resolve_ctx *ctx, struct resolve_frame *f)
{
	int labels = resolve_name_labels(f->name, f->name_len);
	bool minimise = ctx->cfg.qname_minimisation && !f->qmin_off &&
			f->kind != RESOLVE_FRAME_PRIME && f->dp.kind != RESOLVE_DP_FORWARD &&
			f->qmin_steps < ctx->cfg.max_qmin_steps && f->qmin_labels + 1 < labels;
	if (!minimise) {
		f->sent_len = f->name_len;
		memcpy(f->sent_name, f->name, f->name_len);
		f->sent_qtype = f->qtype;
		return;
	}
	size_t off = resolve_name_suffix(f->name, f->name_len, f->qmin_labels + 1);
	f->sent_len = (uint8_t)(f->name_len - off);
	memcpy(f->sent_name, f->name + off, f->sent_len);
	f->sent_qtype = WIRE_TYPE_A;
}

static int build_query(struct resolve_ctx *ctx, struct resolve_query *rq,
		       struct resolve_frame *f, bool edns, struct resolve_action *act)
{
	struct wire_builder b;
	uint16_t flags = 0;
	if (f->dp.kind == RESOLVE_DP_FORWARD) {
		flags |= WIRE_FLAG_RD;
		if (ctx->cfg.do_bit)
			flags |= WIRE_FLAG_CD; /* we validate ourselves */
	}
	rq->pending_id = (uint16_t)resolve_rand(ctx);
	wire_build_init(&b, act->buf, act->buf_cap, act->buf_cap);
	int err = wire_build_header(&b, rq->pending_id, flags);
	if (!err)
		err = wire_build_question(&b, f->sent_name, f->sent_len, f->sent_qtype, f->qclass);
	if (!err && edns) {
		struct wire_opt_params p = {
			.udp_size = ctx->cfg.edns_size,
			.do_bit = ctx->cfg.do_bit,
			.ede_code = WIRE_EDE_NONE,
		};
		err = wire_build_opt(&b, &p);
	}
	act->len = b.len;
	return err;
}

static void send_to(struct resolve_ctx *ctx, struct resolve_query *rq, int idx, bool tcp,
		    uint64_t now, struct resolve_action *act)
{
	struct resolve_frame *f = top_frame(rq);
	struct resolve_server *s = &f->dp.addr[idx];
	bool edns = !resolve_infra_edns_off(ctx, &s->addr, now);
	if (!act->buf || act->buf_cap < RESOLVE_QUERY_MIN_BUF ||
	    build_query(ctx, rq, f, edns, act) != WIRE_OK) {
		resolve_frame_fail(rq, WIRE_EDE_OTHER, TXT_LOOP);
		return;
	}
	uint32_t timeout = tcp ? ctx->cfg.tcp_timeout_ms : resolve_infra_rto(ctx, &s->addr, now);
	if (s->tries < 255)
		s->tries++;
	rq->sends++;
	rq->pending = true;
	rq->pending_tcp = tcp;
	rq->pending_edns = edns;
	rq->pending_server = (uint8_t)idx;
	rq->pending_addr = s->addr;
	rq->sent_at = now;
	rq->deadline = now + timeout;
	ctx->stats.sends++;
	if (tcp)
		ctx->stats.sends_tcp++;
	f->state = RESOLVE_ST_QUERY_SENT;
	act->kind = RESOLVE_SEND;
	act->server = s->addr;
	act->tcp = tcp;
	act->deadline = rq->deadline;
}

/* A glueless NS name worth resolving, or -1. Names inside the zone itself cannot be
 * found without its servers (they would need glue), so they are marked as tried. */
static int next_ns_to_resolve(struct resolve_query *rq, struct resolve_frame *f)
{
	struct resolve_dp *dp = &f->dp;
	for (int i = 0; i < dp->ns_count; i++) {
		if (dp->ns_flags[i] & (RESOLVE_NS_HAS_ADDR | RESOLVE_NS_TRIED))
			continue;
		const uint8_t *ns = resolve_dp_ns(dp, i);
		bool skip = wire_name_is_subdomain(ns, dp->ns_len[i], dp->zone, dp->zone_len);
		/* a name some frame below is already looking for: a loop */
		for (int d = 0; d < rq->depth && !skip; d++)
			skip = wire_name_equal(rq->frame[d].name, rq->frame[d].name_len, ns,
					       dp->ns_len[i]);
		if (skip) {
			dp->ns_flags[i] |= RESOLVE_NS_TRIED;
			continue;
		}
		return i;
	}
	return -1;
}

static void query_target(struct resolve_ctx *ctx, struct resolve_query *rq, uint64_t now,
			 struct resolve_action *act)
{
	struct resolve_frame *f = top_frame(rq);
	if (rq->sends >= ctx->cfg.max_sends) {
		ctx->stats.limit_hits++;
		resolve_frame_fail(rq, WIRE_EDE_OTHER, TXT_SEND_LIMIT);
		return;
	}
	if (rq->resend) {
		rq->resend = false;
		choose_sent_name(ctx, f);
		send_to(ctx, rq, rq->resend_server, rq->resend_tcp, now, act);
		return;
	}
	int idx = select_server(ctx, f, now, false);
	if (idx >= 0) {
		choose_sent_name(ctx, f);
		send_to(ctx, rq, idx, false, now, act);
		return;
	}
	if (next_ns_to_resolve(rq, f) >= 0) {
		if (f->ns_lookups < ctx->cfg.max_ns_lookups) {
			f->state = RESOLVE_ST_RESOLVE_NS_ADDR;
			return;
		}
		ctx->stats.ns_lookups_capped++;
	}
	/* Only servers that sent bogus data are left: the zone may have no other. */
	idx = select_server(ctx, f, now, true);
	if (idx >= 0) {
		choose_sent_name(ctx, f);
		send_to(ctx, rq, idx, false, now, act);
		return;
	}
	fail_no_server(rq, f);
}

/* ---- RESOLVE_NS_ADDR -------------------------------------------------------------------- */

static void resolve_ns_addr(struct resolve_ctx *ctx, struct resolve_query *rq)
{
	struct resolve_frame *f = top_frame(rq);
	int i = next_ns_to_resolve(rq, f);
	if (i < 0) {
		f->state = RESOLVE_ST_QUERY_TARGET;
		return;
	}
	f->ns_lookups++;
	ctx->stats.ns_lookups++;
	uint8_t ns[WIRE_NAME_MAX];
	size_t nslen = f->dp.ns_len[i];
	memcpy(ns, resolve_dp_ns(&f->dp, i), nslen);
	if (!frame_push(rq, RESOLVE_FRAME_NS_ADDR, ns, nslen,
			ctx->cfg.ip4 ? WIRE_TYPE_A : WIRE_TYPE_AAAA)) {
		f->dp.ns_flags[i] |= RESOLVE_NS_TRIED;
		f->state = RESOLVE_ST_QUERY_TARGET;
		return;
	}
	top_frame(rq)->parent_ns = (uint8_t)i;
}

/* ---- the driver ----------------------------------------------------------------------------- */

static void follow_cname(struct resolve_ctx *ctx, struct resolve_query *rq)
{
	(void)ctx;
	struct resolve_frame *f = top_frame(rq);
	f->qmin_off = false;
	f->state = RESOLVE_ST_FIND_DELEGATION;
}

static enum resolve_action_kind finish(struct resolve_ctx *ctx, struct resolve_query *rq,
				       struct resolve_action *act)
{
	struct resolve_frame *f = top_frame(rq);
	if (f->state == RESOLVE_ST_DONE) {
		ctx->stats.done++;
		act->kind = RESOLVE_DONE;
		act->rcode = rq->rcode;
		act->ede = WIRE_EDE_NONE;
		act->ede_text = NULL;
	} else {
		ctx->stats.failed++;
		act->kind = RESOLVE_FAIL;
		act->rcode = WIRE_RCODE_SERVFAIL;
		act->ede = rq->ede;
		act->ede_text = rq->ede_text;
	}
	return act->kind;
}

enum resolve_action_kind resolve_next(struct resolve_ctx *ctx, struct resolve_query *rq,
				      uint64_t now, struct resolve_action *act)
{
	act->len = 0;
	act->tcp = false;
	act->ede = WIRE_EDE_NONE;
	act->ede_text = NULL;
	if (rq->pending) {
		act->kind = RESOLVE_WAIT;
		act->deadline = rq->deadline;
		return RESOLVE_WAIT;
	}
	/* every pass changes state; the bound only guards against a bug */
	for (int guard = 0; guard < 1024; guard++) {
		struct resolve_frame *f = top_frame(rq);
		switch ((enum resolve_state)f->state) {
		case RESOLVE_ST_INIT:
			if (f->kind == RESOLVE_FRAME_CLIENT)
				ctx->stats.queries++;
			f->state = RESOLVE_ST_FIND_DELEGATION;
			break;
		case RESOLVE_ST_FIND_DELEGATION:
			find_delegation(ctx, rq, now);
			break;
		case RESOLVE_ST_PRIME: /* the priming frame above has finished */
			f->state = RESOLVE_ST_FIND_DELEGATION;
			break;
		case RESOLVE_ST_QUERY_SENT: /* answered or timed out: choose again */
		case RESOLVE_ST_QUERY_TARGET:
			query_target(ctx, rq, now, act);
			if (rq->pending)
				return RESOLVE_SEND;
			break;
		case RESOLVE_ST_RESOLVE_NS_ADDR:
			resolve_ns_addr(ctx, rq);
			break;
		case RESOLVE_ST_FOLLOW_CNAME:
			follow_cname(ctx, rq);
			break;
		case RESOLVE_ST_DONE:
		case RESOLVE_ST_FAIL:
			if (rq->depth == 0)
				return finish(ctx, rq, act);
			frame_pop(ctx, rq, now);
			break;
		}
	}
	rq->depth = 0;
	resolve_frame_fail(rq, WIRE_EDE_OTHER, TXT_LOOP);
	return finish(ctx, rq, act);
}

/* ---- timeouts and responses ------------------------------------------------------------------ */

void resolve_timeout(struct resolve_ctx *ctx, struct resolve_query *rq, uint64_t now)
{
	if (!rq->pending || now < rq->deadline)
		return;
	struct resolve_frame *f = top_frame(rq);
	rq->pending = false;
	ctx->stats.timeouts++;
	f->saw_timeout = true;
	/* two timeouts in a row, and nothing else heard from it lately */
	if (resolve_infra_timeout(ctx, &rq->pending_addr, now) >= 2 &&
	    resolve_infra_silent(ctx, &rq->pending_addr, now))
		resolve_infra_lame(ctx, f->dp.zone, f->dp.zone_len, &rq->pending_addr,
				   RESOLVE_LAME_TIMEOUT, now);
	f->state = RESOLVE_ST_QUERY_TARGET;
}

/* Does the message's question match what was sent (name without regard to case)? */
static bool question_matches(const struct resolve_frame *f, const uint8_t *msg, size_t len,
			     const struct wire_hdr *h)
{
	uint8_t rcode = WIRE_RCODE(h->flags);
	if (h->qdcount == 0) /* some servers drop the question from FORMERR/NOTIMP */
		return rcode == WIRE_RCODE_FORMERR || rcode == WIRE_RCODE_NOTIMP;
	struct wire_question q;
	if (h->qdcount != 1 || wire_parse_question(msg, len, WIRE_HDR_LEN, &q) != WIRE_OK)
		return false;
	return q.qtype == f->sent_qtype && q.qclass == f->qclass &&
	       wire_name_equal(q.name, q.name_len, f->sent_name, f->sent_len);
}

enum resolve_resp_result resolve_response(struct resolve_ctx *ctx, struct resolve_query *rq,
					  const uint8_t *msg, size_t len,
					  const struct resolve_addr *from, uint64_t now)
{
	struct wire_hdr h;
	struct resolve_frame *f = top_frame(rq);
	if (!rq->pending || !resolve_addr_equal(from, &rq->pending_addr) ||
	    wire_parse_header(msg, len, &h) != WIRE_OK || h.id != rq->pending_id ||
	    !WIRE_QR(h.flags) || WIRE_OPCODE(h.flags) != WIRE_OPCODE_QUERY ||
	    !question_matches(f, msg, len, &h)) {
		ctx->stats.ignored++;
		return RESOLVE_RESP_IGNORED;
	}
	rq->pending = false;
	ctx->stats.responses++;
	f->saw_response = true;
	uint64_t rtt = now > rq->sent_at ? now - rq->sent_at : 1;
	resolve_infra_rtt(ctx, &rq->pending_addr, rtt > 60000 ? 60000 : (uint32_t)rtt, now);

	struct wire_msg m;
	m.rr = ctx->parse_rr;
	m.rr_cap = RESOLVE_PARSE_RR_MAX;
	if (wire_parse_msg(msg, len, &m) != WIRE_OK) {
		ctx->stats.malformed++;
		resolve_server_lame(ctx, rq, RESOLVE_LAME_MALFORMED, now);
		return RESOLVE_RESP_ACCEPTED;
	}
	resolve_reply(ctx, rq, msg, len, &m, now);
	return RESOLVE_RESP_ACCEPTED;
}

void resolve_server_lame(struct resolve_ctx *ctx, struct resolve_query *rq,
			 enum resolve_lame_reason why, uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	/* a hint server that will not answer ". NS" may still serve the root zone */
	if (f->kind != RESOLVE_FRAME_PRIME)
		resolve_infra_lame(ctx, f->dp.zone, f->dp.zone_len, &rq->pending_addr, why, now);
	f->saw_lame = true;
	if (rq->pending_server < f->dp.addr_count)
		f->dp.addr[rq->pending_server].tries = ctx->cfg.tries_per_server;
	f->state = RESOLVE_ST_QUERY_TARGET;
}

void resolve_resend(struct resolve_query *rq, bool tcp)
{
	rq->resend = true;
	rq->resend_tcp = tcp;
	rq->resend_server = rq->pending_server;
	top_frame(rq)->state = RESOLVE_ST_QUERY_TARGET;
}

/* ---- results ------------------------------------------------------------------------------------ */

/* RFC 4035 §3.2.1: without DO, no RRSIG, NSEC or NSEC3 unless the question asked for
 * that very type (then its answer records stay). */
static bool dnssec_only(const struct resolve_query *rq, const struct resolve_rr *r)
{
	bool dnssec = r->type == WIRE_TYPE_RRSIG || r->type == WIRE_TYPE_NSEC ||
		      r->type == WIRE_TYPE_NSEC3;

	return dnssec && !(r->section == WIRE_SECTION_ANSWER && r->type == rq->qtype);
}

int resolve_result_build(const struct resolve_query *rq, struct wire_builder *b)
{
	return resolve_result_build_ex(rq, b, 0);
}

int resolve_result_build_ex(const struct resolve_query *rq, struct wire_builder *b,
			    unsigned int flags)
{
	for (uint16_t i = 0; i < rq->rr_count; i++) {
		const struct resolve_rr *r = &rq->rr[i];

		if (r->section == RESOLVE_SECTION_REFERRAL)
			continue;
		if ((flags & RESOLVE_BUILD_NO_DNSSEC) && dnssec_only(rq, r))
			continue;
		int err = wire_build_rr(b, r->section, resolve_rr_owner(rq, i), r->owner_len,
					r->type, r->class, r->ttl, resolve_rr_rdata(rq, i),
					r->rdlen);
		if (err)
			return err;
	}
	return WIRE_OK;
}
