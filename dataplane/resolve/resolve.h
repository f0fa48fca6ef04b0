/*
 * resolve.h - iterative DNS resolution as an explicit state machine (RFC 1034 §5.3.3).
 *
 * Plain C over byte buffers and fixed-size structs: no DPDK, no I/O, no clock, no
 * allocation on the query path. The caller (the worker) owns the network and time:
 * it asks resolve_next() what to do, sends what it is told, and feeds back what
 * arrives (resolve_response) or that a wait ran out (resolve_timeout).
 *
 * How a caller drives one client question:
 *
 *   resolve_start(rq, qname, qlen, qtype, qclass, now);
 *   for (;;) {
 *           act.buf = qbuf; act.buf_cap = sizeof(qbuf);
 *           resolve_next(ctx, rq, now, &act);
 *           switch (act.kind) {
 *           case RESOLVE_SEND:  send act.buf[0..act.len) to act.server (UDP, or TCP with
 *                               a 2-byte length prefix when act.tcp); then wait
 *           case RESOLVE_WAIT:  nothing to send; call again after a response or
 *                               once now >= act.deadline (then resolve_timeout first)
 *           case RESOLVE_DONE:  act.rcode; resolve_result_*() give the records
 *           case RESOLVE_FAIL:  SERVFAIL with act.ede / act.ede_text (rq->chain_cut:
 *                               the answer chain so far is in the results too)
 *           }
 *   }
 *   on a datagram from upstream: resolve_response(ctx, rq, msg, len, &from, now)
 *   when now >= act.deadline:    resolve_timeout(ctx, rq, now)
 *
 * One query has at most one upstream query outstanding. The caller matches its own
 * source port (random per query, DESIGN.md) before handing a response over;
 * resolve_response() checks the server's address and port, the ID and the question.
 *
 * Inside a query the work is a small stack of frames: frame 0 is the client's
 * question; a frame above it is a sub-lookup the resolver needs on the way
 * (priming the root, the address of a glueless name server). Each frame has a
 * named state (enum resolve_state), so what a query waits for can be read from
 * rq->frame[rq->depth].state. See README.md for the states and the infra store.
 */
#ifndef SEKISHO_RESOLVE_H
#define SEKISHO_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* ---- Limits (compile time; the struct sizes depend on them) ----------------------- */

#define RESOLVE_NS_MAX 16          /* NS names kept per delegation (more are dropped) */
#define RESOLVE_NS_BUF 1024        /* bytes for those names, packed */
#define RESOLVE_ADDR_MAX 24        /* server addresses kept per delegation */
#define RESOLVE_FRAMES_MAX 4       /* client question + nested sub-lookups */
#define RESOLVE_DATA_MAX 12288     /* bytes of result records kept per query */
#define RESOLVE_RR_MAX 96          /* result records kept per query */
#define RESOLVE_REFERRAL_RR_MAX 16 /* of them, referral proofs kept for the validator */
#define RESOLVE_PARSE_RR_MAX 512   /* records read from one upstream response */
#define RESOLVE_ZONES_CONF_MAX 32  /* forward + stub zones */
#define RESOLVE_INFRA_ZONES 512    /* delegations in the infra store (4-way buckets) */
#define RESOLVE_INFRA_SERVERS 1024 /* per-server RTT/EDNS entries (4-way buckets) */
#define RESOLVE_INFRA_LAME 512     /* (zone, server) lameness entries (4-way buckets) */
#define RESOLVE_REPORT_MAX 64      /* dangling CNAMEs kept for the operator report */
#define RESOLVE_PRIME_FALLBACK_TTL 120 /* s the bare hints serve as the root after priming failed */
#define RESOLVE_QUERY_MIN_BUF 512  /* act.buf must hold at least this much */

/* ---- Addresses --------------------------------------------------------------------- */

struct resolve_addr {
	uint8_t family;   /* 4 or 6 */
	uint8_t ip[16];   /* IPv4 in the first 4 bytes, network order */
	uint16_t port;    /* host order; 53 for authoritatives */
};

bool resolve_addr_equal(const struct resolve_addr *a, const struct resolve_addr *b);
/* "192.0.2.1#53" / "2001:db8::1#53" into @out (at least 64 bytes). */
void resolve_addr_to_text(const struct resolve_addr *a, char *out, size_t cap);
/* Parse "192.0.2.1", "2001:db8::1" (port 53) or with "#port". Returns 0 or -1. */
int resolve_addr_from_text(const char *text, struct resolve_addr *a);

/* ---- Configuration ----------------------------------------------------------------- */

struct resolve_config {
	uint16_t edns_size;        /* our UDP payload size: default 1232, at most 4096 */
	bool do_bit;               /* set DO on upstream queries (on once validating) */
	bool qname_minimisation;   /* RFC 9156, relaxed */
	bool ip4, ip6;             /* which server address families to use */
	uint32_t timeout_initial_ms; /* per-try timeout for a server never heard from */
	uint32_t timeout_min_ms;   /* clamps of the per-try timeout from SRTT */
	uint32_t timeout_max_ms;
	uint32_t tcp_timeout_ms;   /* per-try timeout over TCP */
	uint32_t unknown_rtt_ms;   /* SRTT assumed for a server never heard from */
	uint8_t explore_percent;   /* chance of trying a server other than the fastest */
	uint16_t max_sends;        /* upstream queries one client question may cause */
	uint8_t max_referrals;     /* referrals followed per client question */
	uint8_t max_cname;         /* CNAME/DNAME links followed */
	uint8_t max_ns_lookups;    /* glueless NS names resolved per delegation (NXNS) */
	uint8_t max_qmin_steps;    /* minimised queries per frame before asking in full */
	uint8_t tries_per_server;  /* tries of one address within one frame */
	uint32_t lame_ttl_s;       /* how long a lame (zone, server) is avoided */
	uint32_t edns_off_ttl_s;   /* how long a server is asked without EDNS */
	uint32_t infra_ttl_max_s;  /* cap on delegation TTLs */
	uint32_t infra_ttl_min_s;  /* floor on delegation TTLs */
};

/* Defaults: 1232, DO off, qmin on, both families, 1000/50/3000/4000 ms, 300 ms
 * unknown RTT, 5 % exploration, 64 sends, 20 referrals, 10 CNAMEs, 4 NS lookups,
 * 10 qmin steps, 2 tries per server, 900 s lame, 900 s EDNS off, 1 day / 5 s TTLs. */
void resolve_config_default(struct resolve_config *c);

/* ---- States, actions, outcomes ------------------------------------------------------- */

/* What one frame is doing. */
enum resolve_state {
	RESOLVE_ST_INIT = 0,           /* not started */
	RESOLVE_ST_PRIME,              /* root NS set unknown: a priming frame runs above */
	RESOLVE_ST_FIND_DELEGATION,    /* pick the closest known zone cut for the name */
	RESOLVE_ST_QUERY_TARGET,       /* pick a server of the zone and build a query */
	RESOLVE_ST_QUERY_SENT,         /* waiting for that server's response or timeout */
	RESOLVE_ST_RESOLVE_NS_ADDR,    /* a sub-frame above resolves a glueless NS name */
	RESOLVE_ST_FOLLOW_CNAME,       /* the name was an alias: start over for its target */
	RESOLVE_ST_DONE,               /* final answer */
	RESOLVE_ST_FAIL,               /* gave up */
};

const char *resolve_state_name(enum resolve_state s);

/* Why a frame exists. */
enum resolve_frame_kind {
	RESOLVE_FRAME_CLIENT = 0,      /* the client's question */
	RESOLVE_FRAME_PRIME,           /* ". NS" to the root hints */
	RESOLVE_FRAME_NS_ADDR,         /* address of a glueless name server */
};

enum resolve_action_kind {
	RESOLVE_SEND = 1,
	RESOLVE_WAIT,
	RESOLVE_DONE,
	RESOLVE_FAIL,
};

struct resolve_action {
	enum resolve_action_kind kind;
	/* In: where RESOLVE_SEND writes the upstream query (>= RESOLVE_QUERY_MIN_BUF). */
	uint8_t *buf;
	size_t buf_cap;
	/* RESOLVE_SEND */
	struct resolve_addr server;
	size_t len;                /* bytes of query in buf (no TCP length prefix) */
	bool tcp;
	uint64_t deadline;         /* SEND and WAIT: call resolve_timeout() at this time */
	/* RESOLVE_DONE and RESOLVE_FAIL */
	uint8_t rcode;             /* DONE: NOERROR/NXDOMAIN/...; FAIL: SERVFAIL */
	int ede;                   /* FAIL: enum wire_ede; DONE: WIRE_EDE_NONE */
	const char *ede_text;      /* FAIL: short constant EXTRA-TEXT */
};

/* What resolve_response() made of a datagram. */
enum resolve_resp_result {
	RESOLVE_RESP_ACCEPTED = 0,     /* it answered the outstanding query */
	RESOLVE_RESP_IGNORED = 1,      /* not for this query (address, port, ID, question) */
};

/* Why a (zone, server) pair was marked lame. */
enum resolve_lame_reason {
	RESOLVE_LAME_REFUSED = 0,
	RESOLVE_LAME_SERVFAIL,
	RESOLVE_LAME_OTHER_RCODE,
	RESOLVE_LAME_NOT_AUTH,         /* AA=0, no referral, no data, no SOA */
	RESOLVE_LAME_UPWARD,           /* referral to the zone itself or above it */
	RESOLVE_LAME_TIMEOUT,          /* no response, twice in a row */
	RESOLVE_LAME_MALFORMED,
	RESOLVE_LAME_BOGUS,            /* the validator found its data bogus (not lame:
	                                * asked only when no other server is left) */
};

const char *resolve_lame_reason_name(enum resolve_lame_reason r);

/* ---- A delegation point: a zone, its NS names and the addresses known for them ---- */

enum resolve_dp_kind {
	RESOLVE_DP_ITERATE = 0,        /* learned from a referral or priming */
	RESOLVE_DP_HINTS,              /* root hints */
	RESOLVE_DP_FORWARD,            /* configured forwarders: RD=1, answers as given */
	RESOLVE_DP_STUB,               /* configured authoritatives for a zone */
};

#define RESOLVE_NS_HAS_ADDR 0x01   /* at least one address known */
#define RESOLVE_NS_TRIED 0x02      /* an address lookup was made (or is impossible) */

struct resolve_server {
	struct resolve_addr addr;
	uint8_t ns_index;              /* which NS name it belongs to (0xFF: none) */
	uint8_t tries;                 /* sends to it in this frame */
};

struct resolve_dp {
	uint8_t kind;                  /* enum resolve_dp_kind */
	uint8_t zone_len;
	uint8_t ns_count;
	uint8_t addr_count;
	uint16_t ns_used;              /* bytes of ns_buf used */
	uint8_t zone[WIRE_NAME_MAX];
	uint16_t ns_off[RESOLVE_NS_MAX];
	uint8_t ns_len[RESOLVE_NS_MAX];
	uint8_t ns_flags[RESOLVE_NS_MAX];
	uint8_t ns_buf[RESOLVE_NS_BUF];
	struct resolve_server addr[RESOLVE_ADDR_MAX];
};

/* ---- One query ------------------------------------------------------------------------ */

struct resolve_frame {
	uint8_t state;                 /* enum resolve_state */
	uint8_t kind;                  /* enum resolve_frame_kind */
	uint8_t name_len;
	uint8_t sent_len;              /* name of the outstanding query (qmin: shorter) */
	uint8_t name[WIRE_NAME_MAX];   /* current target: the question, or a CNAME target */
	uint8_t sent_name[WIRE_NAME_MAX];
	uint16_t qtype, qclass, sent_qtype;
	uint8_t parent_ns;             /* NS_ADDR: index of the NS name in the parent's dp */
	uint8_t ns_lookups;            /* glueless lookups made for the current dp */
	uint8_t qmin_labels;           /* labels of the name asked for so far */
	uint8_t qmin_steps;
	bool qmin_off;                 /* relaxed fallback: ask the full name */
	bool saw_timeout;              /* some server of this dp timed out */
	bool saw_lame;                 /* some server of this dp was lame */
	bool saw_response;             /* some server of this dp answered */
	uint8_t last_cname_len;        /* owner of the last CNAME followed (dangling report) */
	uint8_t last_cname[WIRE_NAME_MAX];
	struct resolve_dp dp;
};

/* A result record that is the validator's only: a referral's NSEC/NSEC3 and their
 * RRSIGs (the proof that the child has no DS, RFC 4035 §3.1.4.1, RFC 5155 §7.2.7),
 * from inside the zone that sent the referral. Never sent to clients. */
#define RESOLVE_SECTION_REFERRAL 4

struct resolve_rr {
	uint16_t owner_off, rdata_off;  /* into rq->data */
	uint8_t owner_len;
	uint8_t section;               /* WIRE_SECTION_ANSWER, WIRE_SECTION_AUTHORITY or
	                                * RESOLVE_SECTION_REFERRAL */
	uint16_t type, class, rdlen;
	uint32_t ttl;
};

struct resolve_query {
	/* the client's question, case as given */
	uint8_t qname[WIRE_NAME_MAX];
	uint8_t qname_len;
	uint16_t qtype, qclass;
	uint64_t started;
	/* work done */
	uint16_t sends;                /* upstream queries sent */
	uint8_t cname_count;
	uint8_t referrals;             /* referrals followed, all frames */
	uint8_t depth;                 /* index of the active frame */
	/* a resend to the same server is due (TC=1: over TCP; FORMERR: without EDNS) */
	bool resend;
	bool resend_tcp;
	uint8_t resend_server;
	/* the outstanding upstream query */
	bool pending;
	bool pending_tcp;
	bool pending_edns;
	uint16_t pending_id;
	uint8_t pending_server;        /* index into the active frame's dp.addr[] */
	struct resolve_addr pending_addr;
	uint64_t sent_at, deadline;
	/* outcome */
	uint8_t rcode;
	int ede;
	const char *ede_text;
	/* result records: the answer chain and, for negative answers, the authority */
	uint16_t rr_count;
	uint16_t data_used;
	bool truncated;                /* records did not fit; result is partial */
	bool chain_cut;                /* RESOLVE_FAIL: the client's answer chain met a
	                                * loop or the CNAME limit; rr[] holds it as far
	                                * as it went (each record once) */
	struct resolve_rr rr[RESOLVE_RR_MAX];
	uint8_t data[RESOLVE_DATA_MAX];
	struct resolve_frame frame[RESOLVE_FRAMES_MAX];
};

/* ---- The per-worker context: config, hints, zones, infra store -------------------- */

struct resolve_infra_zone {
	uint64_t expires;              /* ms; 0: free slot */
	uint64_t used;                 /* ms, for replacement */
	uint32_t hash;
	struct resolve_dp dp;
};

struct resolve_infra_server {
	struct resolve_addr addr;
	uint64_t used;                 /* ms; 0: free slot */
	uint32_t srtt_ms, rttvar_ms;
	uint8_t timeouts;              /* consecutive */
	bool measured;
	uint64_t answered;             /* ms + 1 of its last answer; 0: never */
	uint64_t no_edns_until;        /* ms */
};

struct resolve_lame_entry {
	uint64_t expires;              /* avoid until (ms) */
	uint64_t first_seen, last_seen;
	uint32_t hash;
	uint32_t count;
	uint8_t reason;                /* enum resolve_lame_reason, the latest */
	uint8_t zone_len;
	uint8_t zone[WIRE_NAME_MAX];
	struct resolve_addr addr;
};

struct resolve_dangling {
	uint64_t last_seen;
	uint32_t count;
	uint8_t owner_len, target_len;
	uint8_t owner[WIRE_NAME_MAX];
	uint8_t target[WIRE_NAME_MAX];
};

struct resolve_zone_conf {
	struct resolve_dp dp;          /* kind FORWARD or STUB */
};

/* The resolver's counters (per worker), exported as resolve_<name>. */
#define RESOLVE_COUNTERS(X) \
	X(queries,           "resolutions started (for clients, prefetches and chain fetches)") \
	X(sends,             "queries sent to servers") \
	X(sends_tcp,         "of those, over TCP") \
	X(responses,         "responses that matched the waiting query (address, ID, question)") \
	X(ignored,           "responses that did not match the waiting query") \
	X(timeouts,          "tries that timed out") \
	X(referrals,         "referrals followed") \
	X(lame_marked,       "(zone, server) pairs marked lame") \
	X(lame_skipped,      "servers skipped because they are lame for the zone") \
	X(edns_fallbacks,    "servers asked again without EDNS after FORMERR/NOTIMP") \
	X(qmin_fallbacks,    "minimised queries retried with the full name (relaxed mode)") \
	X(non_aa_answers,    "AA=0 answers taken for the data they carry") \
	X(prime_fallbacks,   "priming answered but failed: the hints serve as the root") \
	X(ns_lookups,        "glueless NS names looked up") \
	X(ns_lookups_capped, "NS name lookups refused by the per-delegation cap") \
	X(limit_hits,        "queries stopped by a work limit (sends, referrals, chain)") \
	X(done,              "resolutions that ended with an answer") \
	X(failed,            "resolutions that ended in failure") \
	X(malformed,         "responses that did not parse or contradicted themselves")

struct resolve_counters {
#define RESOLVE_COUNTER_FIELD(name, help) uint64_t name;
	RESOLVE_COUNTERS(RESOLVE_COUNTER_FIELD)
#undef RESOLVE_COUNTER_FIELD
};
extern const char *const resolve_counter_names[];
#define RESOLVE_N_COUNTERS (sizeof(struct resolve_counters) / sizeof(uint64_t))

struct resolve_ctx {
	struct resolve_config cfg;
	uint64_t rng;                  /* splitmix64 state */
	struct resolve_dp hints;
	uint8_t zone_conf_count;
	struct resolve_zone_conf zone_conf[RESOLVE_ZONES_CONF_MAX];
	struct resolve_counters stats;
	struct resolve_infra_zone zones[RESOLVE_INFRA_ZONES];
	struct resolve_infra_server servers[RESOLVE_INFRA_SERVERS];
	struct resolve_lame_entry lame[RESOLVE_INFRA_LAME];
	uint16_t dangling_next, dangling_count;
	struct resolve_dangling dangling[RESOLVE_REPORT_MAX];
	/* scratch for parsing one response (one query is handled at a time per worker) */
	struct wire_rr_ref parse_rr[RESOLVE_PARSE_RR_MAX];
};

/* ---- Set-up (slow path) --------------------------------------------------------------- */

/*
 * resolve_ctx_init - clear @ctx (large: allocate it once per worker, not on a stack),
 * copy @cfg (NULL: defaults; edns_size clamped to 512..4096) and seed its random
 * generator with @seed (IDs and exploration; give it real entropy).
 */
void resolve_ctx_init(struct resolve_ctx *ctx, const struct resolve_config *cfg, uint64_t seed);

/*
 * resolve_hints_load - root hints in zone-file text (named.cache form): NS records of
 * "." and A/AAAA records of those names. Other lines are ignored.
 * Returns the number of server addresses loaded, or a negative WIRE_TEXT_E* code
 * (first bad line; *err_line gets its 1-based number when err_line is not NULL),
 * or -WIRE_TEXT_EMISSING when no address was found. Uses the heap (slow path).
 */
int resolve_hints_load(struct resolve_ctx *ctx, const char *text, size_t len, int *err_line);

/*
 * resolve_zone_add - a forward zone (@forward true: queries go with RD=1 to @addrs,
 * whose answers are taken as they come) or a stub zone (iterate, starting at @addrs
 * as the zone's servers). @zone is an uncompressed wire name.
 * Returns 0, WIRE_EINVAL (bad name, no address) or WIRE_ENOSPC (too many zones).
 */
int resolve_zone_add(struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen, bool forward,
		     const struct resolve_addr *addrs, size_t n);

/* ---- Per query (packet path) ---------------------------------------------------------- */

/*
 * resolve_start - begin resolving (qname, qtype, qclass) in @rq (any memory the
 * caller owns; no cleanup needed afterwards). @qname is uncompressed; its case is
 * kept in every upstream query. @now: the caller's clock in milliseconds.
 * Returns 0 or WIRE_EINVAL (bad name).
 */
int resolve_start(struct resolve_query *rq, const uint8_t *qname, size_t qlen,
		  uint16_t qtype, uint16_t qclass, uint64_t now);

/*
 * resolve_next - run the state machine until it needs the network or is finished.
 * @act: act->buf/act->buf_cap set by the caller; the rest is filled (see the top).
 * Returns act->kind.
 */
enum resolve_action_kind resolve_next(struct resolve_ctx *ctx, struct resolve_query *rq,
				      uint64_t now, struct resolve_action *act);

/*
 * resolve_response - a DNS message from upstream for this query.
 * @from: the address and port it came from. Accepted only when it matches the
 * outstanding query's server, ID, QR=1, opcode QUERY and question (name without
 * regard to case, type, class); everything else is RESOLVE_RESP_IGNORED and the
 * query keeps waiting. An accepted message moves the state machine on; call
 * resolve_next() afterwards.
 */
enum resolve_resp_result resolve_response(struct resolve_ctx *ctx, struct resolve_query *rq,
					  const uint8_t *msg, size_t len,
					  const struct resolve_addr *from, uint64_t now);

/*
 * resolve_timeout - the outstanding query's deadline has passed (no-op before it):
 * the server's RTT estimate backs off and the next try goes elsewhere.
 */
void resolve_timeout(struct resolve_ctx *ctx, struct resolve_query *rq, uint64_t now);

/* The active frame's state (what the query waits for). */
enum resolve_state resolve_query_state(const struct resolve_query *rq);

/* ---- Results (after RESOLVE_DONE, or RESOLVE_FAIL with rq->chain_cut) ------------------
 * rq->rr[0..rr_count) in order: the answer chain (CNAMEs/DNAMEs and the final RRset,
 * RRSIGs included as received, a synthesised CNAME after each DNAME; a DNAME met
 * again is not kept twice), then for a negative answer the authority records (SOA,
 * NSEC/NSEC3, RRSIGs). Owners and RDATA are uncompressed in rq->data. In between,
 * records of RESOLVE_SECTION_REFERRAL (a referral's proof of no DS, for the
 * validator: at most RESOLVE_REFERRAL_RR_MAX, kept only while the result is less than
 * half full, never setting `truncated`); resolve_result_build() leaves them out. */

static inline const uint8_t *resolve_rr_owner(const struct resolve_query *rq, uint16_t i)
{
	return rq->data + rq->rr[i].owner_off;
}

static inline const uint8_t *resolve_rr_rdata(const struct resolve_query *rq, uint16_t i)
{
	return rq->data + rq->rr[i].rdata_off;
}

/*
 * resolve_result_build - append the result records to @b (header and question
 * already written by the caller): answer section, then authority (not the
 * validator's RESOLVE_SECTION_REFERRAL records).
 * Returns WIRE_OK or the builder's error (WIRE_ENOSPC: the caller sets TC).
 */
int resolve_result_build(const struct resolve_query *rq, struct wire_builder *b);

#define RESOLVE_BUILD_NO_DNSSEC 0x01  /* leave out RRSIG, NSEC, NSEC3 (a DO=0 client) */

/* resolve_result_build_ex - the same with @flags (RESOLVE_BUILD_*). */
int resolve_result_build_ex(const struct resolve_query *rq, struct wire_builder *b,
			    unsigned int flags);

/* ---- Operator report ------------------------------------------------------------------ */

/* Calls @fn for every (zone, server) pair remembered as lame (expired ones too). */
void resolve_report_lame(const struct resolve_ctx *ctx,
			 void (*fn)(const struct resolve_lame_entry *e, void *arg), void *arg);

/* Calls @fn for every CNAME seen pointing at a name that does not exist. */
void resolve_report_dangling(const struct resolve_ctx *ctx,
			     void (*fn)(const struct resolve_dangling *d, void *arg), void *arg);

/* True when (zone, addr) is currently avoided as lame (RESOLVE_LAME_BOGUS pairs are
 * not: they are only put last). */
bool resolve_is_lame(const struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen,
		     const struct resolve_addr *addr, uint64_t now);

/*
 * resolve_server_bogus - the validator found data that @addr served for @zone bogus.
 * The pair is remembered for lame_ttl_s (reason RESOLVE_LAME_BOGUS, in the lame
 * report) and the server is asked for the zone only once no other server is left:
 * its data may be all there is, and the validator judges what it sends each time.
 * Returns true when the zone, as the infra store knows it, has another server that is
 * neither lame nor marked so (an address, or an NS name whose address is not known
 * yet), or when the zone is not in the store: asking again may bring other data.
 */
bool resolve_server_bogus(struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen,
			  const struct resolve_addr *addr, uint64_t now);

/* The SRTT (ms) known for @addr, or -1 when the server is unknown. */
int resolve_server_srtt(const struct resolve_ctx *ctx, const struct resolve_addr *addr);

#endif /* SEKISHO_RESOLVE_H */
