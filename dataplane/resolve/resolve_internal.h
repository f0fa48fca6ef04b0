/*
 * resolve_internal.h - what the files of dataplane/resolve share and nobody else uses.
 *
 *   resolve.c        the state machine: frames, server selection, sends, timeouts
 *   resolve_reply.c  classifying one upstream response (answer, CNAME/DNAME, referral,
 *                    negative, lame) and taking from it only what the zone may say
 *   resolve_infra.c  the infra store: delegations, per-server RTT/EDNS, lameness,
 *                    the dangling-CNAME record; delegation-point helpers
 *   resolve_conf.c   defaults, root hints, forward/stub zones, addresses as text
 */
#ifndef SEKISHO_RESOLVE_INTERNAL_H
#define SEKISHO_RESOLVE_INTERNAL_H

#include "resolve.h"

/* ---- small helpers -------------------------------------------------------------------- */

uint64_t resolve_rand(struct resolve_ctx *ctx);
uint32_t resolve_name_hash(const uint8_t *name, size_t len);
/* Number of labels in an uncompressed name, root not counted. */
int resolve_name_labels(const uint8_t *name, size_t len);
/* Offset of the suffix of @name that has @keep labels (root not counted). */
size_t resolve_name_suffix(const uint8_t *name, size_t len, int keep);
/* Parent of a name: offset of the name after its first label (root: its own length). */
static inline size_t resolve_name_parent(const uint8_t *name, size_t len)
{
	return len > 1 ? (size_t)name[0] + 1 : 0;
}

/* ---- delegation points ------------------------------------------------------------------ */

void resolve_dp_init(struct resolve_dp *dp, uint8_t kind, const uint8_t *zone, size_t zlen);
/* Index of NS name @name, added when absent; -1 when full. */
int resolve_dp_add_ns(struct resolve_dp *dp, const uint8_t *name, size_t len);
int resolve_dp_find_ns(const struct resolve_dp *dp, const uint8_t *name, size_t len);
/* Add a server address for NS @ns_index (0xFF: none); duplicates ignored. 0 or -1. */
int resolve_dp_add_addr(struct resolve_dp *dp, uint8_t ns_index, const struct resolve_addr *a);
static inline const uint8_t *resolve_dp_ns(const struct resolve_dp *dp, int i)
{
	return dp->ns_buf + dp->ns_off[i];
}

/* ---- the infra store -------------------------------------------------------------------- */

/* Closest stored delegation for @name (the name itself or an ancestor), or NULL.
 * @below_only: skip the name itself (DS lives in the parent). */
const struct resolve_dp *resolve_infra_find(struct resolve_ctx *ctx, const uint8_t *name,
					    size_t len, bool below_only, uint64_t now);
const struct resolve_dp *resolve_infra_zone_get(struct resolve_ctx *ctx, const uint8_t *zone,
						size_t zlen, uint64_t now);
void resolve_infra_zone_put(struct resolve_ctx *ctx, const struct resolve_dp *dp,
			    uint32_t ttl_s, uint64_t now);
/* An address learned for NS name @ns of stored zone @zone (glueless lookup done). */
void resolve_infra_zone_addr(struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen,
			     const uint8_t *ns, size_t nslen, const struct resolve_addr *a,
			     uint64_t now);

struct resolve_infra_server *resolve_infra_server(struct resolve_ctx *ctx,
						  const struct resolve_addr *a, uint64_t now);
void resolve_infra_rtt(struct resolve_ctx *ctx, const struct resolve_addr *a, uint32_t rtt_ms,
		       uint64_t now);
/*
 * resolve_infra_silent - true when the server at @a has not answered anything for
 * timeout_max_ms (or never has): only then do its timeouts say it stopped answering.
 * A server that answers other queries while some of a burst time out is congested or
 * lossy, not gone; marking it would fail its whole zone (SERVFAIL) for nothing.
 */
bool resolve_infra_silent(struct resolve_ctx *ctx, const struct resolve_addr *a,
			  uint64_t now);
/* A timeout; returns the number of consecutive timeouts. */
unsigned resolve_infra_timeout(struct resolve_ctx *ctx, const struct resolve_addr *a,
			       uint64_t now);
/* Per-try timeout for @a from its SRTT (RFC 6298 style, clamped). */
uint32_t resolve_infra_rto(struct resolve_ctx *ctx, const struct resolve_addr *a, uint64_t now);
/* Effective SRTT for selection (unknown servers: cfg.unknown_rtt_ms). */
uint32_t resolve_infra_srtt(struct resolve_ctx *ctx, const struct resolve_addr *a, uint64_t now);
bool resolve_infra_edns_off(struct resolve_ctx *ctx, const struct resolve_addr *a, uint64_t now);
void resolve_infra_set_edns_off(struct resolve_ctx *ctx, const struct resolve_addr *a,
				uint64_t now);

void resolve_infra_lame(struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen,
			const struct resolve_addr *a, enum resolve_lame_reason why, uint64_t now);
/* (zone, addr) served data the validator found bogus: the last resort for the zone. */
bool resolve_infra_bogus(const struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen,
			 const struct resolve_addr *a, uint64_t now);
void resolve_infra_dangling(struct resolve_ctx *ctx, const uint8_t *owner, size_t olen,
			    const uint8_t *target, size_t tlen, uint64_t now);

/* ---- response handling (resolve_reply.c) ------------------------------------------------ */

/* Handle an accepted, fully parsed response @m for the active frame. */
void resolve_reply(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
		   size_t len, const struct wire_msg *m, uint64_t now);

/* ---- state machine pieces used by resolve_reply.c (resolve.c) -------------------------- */

static inline struct resolve_frame *top_frame(struct resolve_query *rq)
{
	return &rq->frame[rq->depth];
}

/* Use @dp as the active frame's delegation (fresh tries, qmin from its zone). */
void resolve_frame_use_dp(struct resolve_frame *f, const struct resolve_dp *dp);
/* NS_ADDR frame: glue its delegation holds for the name looked up goes to the parent. */
void resolve_keep_parent_side(struct resolve_ctx *ctx, struct resolve_query *rq, uint64_t now);
/* Ask the server of the outstanding query again (@tcp: over TCP). */
void resolve_resend(struct resolve_query *rq, bool tcp);
/* Mark the outstanding server of the active frame lame for its zone; go on with the next. */
void resolve_server_lame(struct resolve_ctx *ctx, struct resolve_query *rq,
			 enum resolve_lame_reason why, uint64_t now);
/* Finish the active frame with @rcode (answer or negative: records already kept). */
void resolve_frame_done(struct resolve_ctx *ctx, struct resolve_query *rq, uint8_t rcode,
			uint64_t now);
void resolve_frame_fail(struct resolve_query *rq, int ede, const char *text);
/* Keep one record for the client (frame 0 only). */
void resolve_keep_rr(struct resolve_query *rq, uint8_t section, const uint8_t *owner,
		     size_t olen, uint16_t type, uint16_t class, uint32_t ttl,
		     const uint8_t *rdata, size_t rdlen);

/* The client's result already holds a record of @type owned by @owner in the answer
 * section (false in frames above 0, which keep no records). */
bool resolve_holds_rr(const struct resolve_query *rq, const uint8_t *owner, size_t olen,
		      uint16_t type);

/* An A/AAAA record of the name an NS_ADDR frame looks for: an address for the parent. */
void resolve_keep_address(struct resolve_ctx *ctx, struct resolve_query *rq, uint16_t type,
			  const uint8_t *rdata, size_t rdlen, uint64_t now);

#endif /* SEKISHO_RESOLVE_INTERNAL_H */
