/*
 * dataplane/upstream: what a worker does with a query local data did not answer.
 *
 * Cache first (one lookup, one copy, TTL patch); on a miss the query joins an
 * identical resolution already running on this worker, or starts one: the resolver
 * (dataplane/resolve, a state machine without I/O) says what to send; this module
 * sends it from the worker's own TX queue with a random source port and ID, matches
 * the answer, runs the timers, and when the resolver is done puts the answer in the
 * cache and sends it to every waiting client (their query mbufs are kept and
 * answered in place). If every authoritative fails, an expired entry inside the
 * serve-stale window answers (RFC 8767), otherwise SERVFAIL with the resolver's EDE.
 *
 * Responses that land on another worker's queue (RSS hashes the server's 4-tuple,
 * not ours) are found through a table shared by all workers, indexed by our source
 * port: the receiving worker reads the owner from it and hands the mbuf over through
 * the owner's ring. A port is claimed with one compare-and-swap when a query is sent
 * and released when it is answered or times out: the only shared write, on the miss
 * path. Source ports are random in 1024..65535 (~16 bits) and IDs random (16 bits).
 *
 * DNS over TCP is the control thread's (control/tcp.c: kernel sockets on the exception
 * interface). It talks to the workers in message objects (struct upstream_msg) of
 * one rte_mempool, through rte_rings: per worker one ring in (client queries read
 * from TCP connections, answers of authoritative servers read over TCP), and one
 * ring out shared by all workers (answers for TCP clients, queries the resolver wants
 * sent over TCP after a TC=1 answer). A TCP client is served like a UDP one (local
 * data, cache, resolution) except that its answer is not size-limited and goes back
 * in its message object; a TCP upstream answer is fed to the resolver like a datagram.
 *
 * Never locks (except the cache's short shard lock on insert), never allocates from
 * the libc heap, no syscall.
 */
#ifndef SEKISHO_DATAPLANE_UPSTREAM_H
#define SEKISHO_DATAPLANE_UPSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "cache.h"
#include "net.h"
#include "query.h"
#include "resolve.h"

struct worker;
struct worker_port;

#define UPSTREAM_COUNTERS(X) \
	X(cache_answers,    "queries answered from the cache") \
	X(stale_answers,    "queries answered from expired entries (serve-stale)") \
	X(answers_grown,    "UDP answers larger than their receive mbuf, moved to a big one") \
	X(grow_failed,      "UDP answers that found no big mbuf (sent as they fit: TC=1)") \
	X(resolutions,      "resolutions started for clients") \
	X(prefetches,       "resolutions started to refresh a popular entry") \
	X(joined,           "clients that joined a resolution already running") \
	X(handed_to_owner,  "UDP clients handed to the worker already resolving their question") \
	X(clients_received, "UDP clients received from another worker") \
	X(resolved,         "resolutions that ended with an answer") \
	X(failed,           "resolutions that ended in SERVFAIL") \
	X(sent,             "queries sent upstream") \
	X(responses,        "upstream responses accepted") \
	X(ignored,          "upstream datagrams that matched no outstanding query") \
	X(timeouts,         "upstream queries that timed out") \
	X(handoff_out,      "upstream responses passed to the owning worker") \
	X(handoff_in,       "upstream responses received from another worker") \
	X(handoff_drop,     "upstream responses lost: the owner's ring was full") \
	X(pool_full,        "queries refused: no resolution slot free (SERVFAIL)") \
	X(no_port,          "sends that found no free source port") \
	X(no_neighbour,     "sends before the gateway's MAC was known") \
	X(tcp_client_queries, "queries from TCP clients (via the TCP service)") \
	X(tcp_client_answers, "answers returned to the TCP service for its clients") \
	X(control_queries,  "queries of the control thread's own (self-test, trust-anchor refresh)") \
	X(tcp_upstream_sent,  "queries handed to the TCP service for an upstream TCP exchange") \
	X(tcp_upstream_answers, "upstream answers read over TCP and accepted") \
	X(tcp_upstream_ignored, "upstream TCP answers for no waiting query (late, mismatched)") \
	X(tcp_upstream_failed, "upstream TCP exchanges the service gave up on (connect refused, connection lost): the try ends at once") \
	X(tcp_no_msg,       "TCP upstream sends lost: no message object free (deadline retries)") \
	X(tcp_ring_full,    "messages lost: the TCP service's ring was full") \
	X(not_cached,       "answers that could not be cached") \
	X(val_secure,       "answers validated secure (AD=1 for clients that ask)") \
	X(val_insecure,     "answers validated insecure (below an insecure delegation or NTA)") \
	X(val_bogus,        "answers validated bogus: SERVFAIL with the EDE that says why") \
	X(val_indeterminate, "answers with no trust anchor above them (served, AD=0)") \
	X(val_fetches,      "DS/DNSKEY resolutions started for the chain of trust") \
	X(val_fetch_failed, "DS/DNSKEY fetches that could not be made or failed") \
	X(val_fetch_retries, "DS/DNSKEY fetches asked again later: no slot on the fetch or in the pool") \
	X(val_bogus_retries, "bogus answers resolved again after marking the servers that sent the bad data") \
	X(val_batch_waits,  "times a chain of trust waited for a signature batch run") \
	X(val_batch_runs,   "signature batch runs (one per round of waiting chains)") \
	X(val_batch_jobs,   "signature jobs verified by those runs (jobs per run: /runs)") \
	X(val_batch_multi,  "batch runs that verified more than one job") \
	X(val_batch_shared, "jobs identical to one already waiting in the batch: verified once for both") \
	X(val_batch_full,   "times a chain found the batch or key cache full and waited for room") \
	X(aggressive_learned, "secure negative answers whose NSEC/NSEC3 were kept for RFC 8198") \
	X(aggressive_nxdomain, "NXDOMAIN answered from validated NSEC/NSEC3 without asking upstream") \
	X(aggressive_nodata, "NODATA answered from validated NSEC/NSEC3 without asking upstream") \
	X(aggressive_unproven, "misses below a zone with validated NSEC/NSEC3 that did not prove the answer")

struct upstream_stats {
#define UPSTREAM_COUNTER_FIELD(name, help) uint64_t name;
	UPSTREAM_COUNTERS(UPSTREAM_COUNTER_FIELD)
#undef UPSTREAM_COUNTER_FIELD
};
extern const char *const upstream_counter_names[];
#define UPSTREAM_N_COUNTERS (sizeof(struct upstream_stats) / sizeof(uint64_t))

#define UPSTREAM_PORT_MIN 1024
#define UPSTREAM_WAITERS 8          /* clients per resolution */
#define UPSTREAM_FETCH_RETRIES 200  /* a chain asks again for a fetch it found no slot on */
#define UPSTREAM_FETCH_RETRY_MS 5   /* ... this often (so for about a second at most) */
#define UPSTREAM_PENDING 32         /* client queries deferred within one burst */
#define UPSTREAM_BOGUS_RETRIES 2    /* resolutions again after bogus data, per client
                                     * query (sharing the first one's work limits) */
#define UPSTREAM_HEARD_MAX 8        /* (zone, server) pairs kept per resolution: who
                                     * sent the data the validator judges */
#define UPSTREAM_MAX_WORKERS 128

/* What a message object carries between the TCP service and a worker. */
enum upstream_msg_kind {
	/* service -> worker: a TCP client's query; worker -> service: its answer in the
	 * same object (len 0: no answer, e.g. dropped by policy) */
	UPSTREAM_MSG_CLIENT = 1,
	/* worker -> service: a query to send to `server` over TCP; service -> worker: the
	 * server's answer in the same object (nothing comes back on failure: the
	 * resolver's deadline runs out) */
	UPSTREAM_MSG_UPSTREAM,
	/* control thread -> worker: a query of the control thread's own (control/ctlq.h),
	 * answered like a TCP client's; worker -> control ring: the answer in the same
	 * object, with how the upstream answer arrived (via, udp_max) */
	UPSTREAM_MSG_CONTROL,
};

/* How a resolution's upstream answers arrived (upstream_msg.via of a CONTROL answer). */
#define UPSTREAM_VIA_UDP        0x1  /* a UDP datagram in one piece */
#define UPSTREAM_VIA_FRAGMENTED 0x2  /* a UDP datagram reassembled from IP fragments */
#define UPSTREAM_VIA_TCP        0x4  /* over TCP (after TC=1) */

/* upstream_msg.ctl_flags of a CONTROL query. */
#define UPSTREAM_CTL_NOCACHE    0x1  /* not from the cache, no joining a running
                                      * resolution, no serve-stale: resolve now */

#define UPSTREAM_MSG_MAX 65535      /* largest DNS message over TCP */

/* One DNS message in flight between the TCP service and a worker. */
struct upstream_msg {
	enum upstream_msg_kind kind;
	uint16_t worker;                /* the worker it goes to / came from */
	uint32_t conn, conn_gen;        /* CLIENT: the service's connection and its use */
	uint32_t slot, gen;             /* UPSTREAM: the waiting resolution and its try */
	uint32_t timeout_ms;            /* UPSTREAM: the resolver's deadline, from now */
	uint8_t ctl_flags;              /* CONTROL: UPSTREAM_CTL_* */
	uint8_t via;                    /* CONTROL answer: UPSTREAM_VIA_* (0: no upstream) */
	uint16_t udp_max;               /* CONTROL answer: largest UDP answer taken */
	struct resolve_addr server;     /* UPSTREAM: the authoritative server (port 53) */
	uint16_t len;
	uint8_t data[UPSTREAM_MSG_MAX];
};

/* Shared by every worker: the cache, the port table, the hand-off rings. */
struct upstream_shared {
	struct cache *cache;
	unsigned int n_workers;
	struct rte_ring *handoff[UPSTREAM_MAX_WORKERS];
	/* DNS over TCP (upstream_tcp_create; NULL without the TCP service) */
	struct rte_mempool *msg_pool;   /* struct upstream_msg objects */
	struct rte_ring *tcp_in[UPSTREAM_MAX_WORKERS]; /* service -> worker (MP/SC) */
	struct rte_ring *tcp_out;       /* workers -> service (MP/SC) */
	struct rte_ring *ctl_out;       /* workers -> control thread (MP/SC): answers to
	                                 * CONTROL queries */
	uint32_t port_owner[65536];     /* 0 free, else (worker + 1) << 24 | slot */
	/* Who resolves a question now, by the low 16 bits of its cache key hash:
	 * 0 free, else (worker + 1) << 24 | 24 more bits of the hash (a check). */
	uint32_t question_owner[65536];
	int meta_offset;                /* mbuf dynfield for hand-offs */
};

struct upstream_query;
struct upstream_vwait;
struct aggressive;

/* Per worker. */
struct upstream {
	struct upstream_shared *sh;
	struct worker *w;
	uint16_t index;                 /* worker index */
	struct resolve_ctx *rctx;
	struct upstream_query *q;       /* pool of resolutions */
	uint32_t n_q;
	uint32_t n_free;
	uint32_t *free;                 /* stack of free slots */
	uint32_t *run_head;             /* running resolutions by key hash: the first
	                                 * slot + 1 of each chain (find_running) */
	uint32_t run_mask;              /* chains - 1 */
	struct rte_mempool *pool;       /* mbufs for upstream queries */
	uint64_t hz_ms;                 /* TSC cycles per millisecond */
	uint64_t next_timer;            /* TSC of the next timer scan */
	uint32_t tcp_gen;               /* last TCP exchange number handed out */
	uint64_t tsc_hz;
	uint64_t now_until;             /* TSC from which `now` is out of date */
	uint32_t now;                   /* cache time (cache_now), kept per second */
	uint16_t n_pend;                /* deferred client queries (upstream_client_defer) */
	uint16_t n_tx;                  /* frames batched while answering them */
	uint16_t tx_port;               /* the port of those frames */
	bool batching;                  /* client_send batches into tx[] */
	struct upstream_pending *pend;  /* UPSTREAM_PENDING of them */
	struct rte_mbuf *tx[UPSTREAM_PENDING * 2];
	uint8_t image[UPSTREAM_MSG_MAX];  /* an answer as built: TCP clients take it whole,
	                                    the cache what fits CACHE_IMAGE_MAX */
	/* DNSSEC validation (upstream_validation_enable); vconf NULL: off */
	const struct validate_chain_conf *vconf;
	struct validate_key_cache *vkeys;  /* parsed DNSKEYs (this worker's) */
	struct validate_batch *vbatch;     /* signature jobs (this worker's) */
	struct cache_rrset *vscratch;      /* the two RRsets the chain may hold at once */
	struct upstream_vwait *vwait;      /* chains waiting for the batch run, in order */
	uint32_t n_vwait;
	bool vdirty;                       /* chains used the batch and keys since they
	                                      were last emptied */
	uint64_t unix_at_tsc0;             /* UNIX seconds at TSC 0 (validation clock) */
	uint64_t date_override;            /* validation-date-override (tests), 0: off */
	struct aggressive *aggr;           /* RFC 8198 (upstream_aggressive_enable); NULL: off */
	uint32_t old_conf_users;           /* resolutions that may hold a replaced vconf */
	struct upstream_stats stats;
};

/*
 * Shared part (start-up): cache and port table, and one hand-off ring per worker.
 * Returns NULL on failure (rte_errno).
 */
struct upstream_shared *upstream_shared_create(struct cache *cache, unsigned int n_workers);
void upstream_shared_free(struct upstream_shared *sh);

/*
 * The TCP channel (start-up, before the workers run): a pool of n_msgs message
 * objects and the rings to and from the TCP service. The pool and the rings the
 * service writes use relaxed tail sync (RTS), DPDK's mode for rings shared with
 * preemptible threads: a service thread descheduled in the middle of an operation
 * holds up a worker's operation on the same ring less than in the default mode.
 * Returns 0 or a negative errno value.
 */
int upstream_tcp_create(struct upstream_shared *sh, unsigned int n_msgs);

struct validate_chain_conf;
struct validate_key_cache;
struct validate_batch;
struct cache_rrset;

/*
 * upstream_validation_enable - validate every answer of this worker's resolutions
 * against @conf (start-up, after upstream_init; @conf outlives the worker): DO=1 on
 * upstream queries, a key cache and a signature batch for the worker. Signatures are
 * checked at @date_override (UNIX seconds, recorded test scenarios) when not 0.
 * Returns 0 or -ENOMEM.
 */
int upstream_validation_enable(struct upstream *up, const struct validate_chain_conf *conf,
			       uint64_t date_override);

/*
 * upstream_set_vconf - validate with @conf from now on (a newer version of the conf
 * upstream_validation_enable gave; no-op when validation is off). Between polls, on
 * the worker. Resolutions already running may still use the old one: old_conf_users
 * counts them until they end; at 0 the old conf is no longer used by this worker.
 */
void upstream_set_vconf(struct upstream *up, const struct validate_chain_conf *conf);

/*
 * upstream_aggressive_enable - answer NXDOMAIN and NODATA from the NSEC/NSEC3 records
 * of earlier secure negative answers (RFC 8198, dataplane/aggressive.h), without
 * asking upstream (start-up, after upstream_validation_enable: it needs validation).
 * Returns 0, -EINVAL (validation is off) or -ENOMEM.
 */
int upstream_aggressive_enable(struct upstream *up);

/*
 * Per worker (start-up): the resolver with its root hints (zone-file text), and a
 * pool of `slots` resolutions. Returns 0 or a negative errno value.
 */
int upstream_init(struct upstream *up, struct upstream_shared *sh, struct worker *w,
		  uint16_t index, const struct resolve_config *rcfg, const char *hints,
		  size_t hints_len, uint32_t slots, struct rte_mempool *pool);
void upstream_free(struct upstream *up);

/*
 * A client query local data did not answer (query_process said QUERY_RESOLVE):
 * answer it from the cache or keep m until the resolution ends. m and p belong to
 * the module afterwards. q: the client's question bytes (in the worker's copy).
 */
void upstream_client_query(struct upstream *up, struct worker_port *wp, struct rte_mbuf *m,
			   const struct net_pkt *p, const struct query_info *qi,
			   const uint8_t *q, uint64_t tsc);

/*
 * The same for the queries of one burst, in two passes so that their cache misses
 * (hash bucket, key, entry: each a CPU cache and TLB miss in a large cache) overlap
 * instead of following one another: upstream_client_defer() keeps the query (its
 * question bytes are copied: q may be reused at once) with its cache key;
 * upstream_client_flush() prefetches what the lookups of every kept query touch,
 * then answers them in order as upstream_client_query() would, sending the answers
 * in one TX burst. A query that finds no room is handled at once.
 */
void upstream_client_defer(struct upstream *up, struct worker_port *wp, struct rte_mbuf *m,
			   const struct net_pkt *p, const struct query_info *qi,
			   const uint8_t *q, uint64_t tsc);

/* upstream_client_defer() for a question whose name the caller already checked and
 * lowercased with cache_name_lower_hash() (query_fast: @lname, qi->qname_len bytes,
 * @name_hash). */
void upstream_client_defer_lower(struct upstream *up, struct worker_port *wp,
				 struct rte_mbuf *m, const struct net_pkt *p,
				 const struct query_info *qi, const uint8_t *q,
				 const uint8_t *lname, uint64_t name_hash, uint64_t tsc);
void upstream_client_flush(struct upstream *up, uint64_t tsc);

/*
 * The fast path's deferral, without copies: upstream_client_slot() lends the next
 * kept query's lowercase-name buffer (WIRE_NAME_MAX bytes, its cache key's) and
 * query info, for cache_name_lower_hash() and query_fast() to fill in place; false
 * when the burst's slots are used up (then upstream_client_defer_lower()).
 * upstream_client_keep() keeps the slot so filled (q: the question in the packet;
 * @name_hash from cache_name_lower_hash()); a slot not kept is simply reused.
 */
struct upstream_slot {
	uint8_t *lname;
	struct query_info *qi;
};
bool upstream_client_slot(struct upstream *up, struct upstream_slot *s);
void upstream_client_keep(struct upstream *up, struct worker_port *wp, struct rte_mbuf *m,
			  const struct net_pkt *p, const uint8_t *q, uint64_t name_hash);

/*
 * A UDP datagram to one of our addresses on a port other than 53. Returns true
 * when it was an upstream response (consumed), false when it is not ours (the
 * caller passes it to the kernel).
 */
bool upstream_rx(struct upstream *up, struct rte_mbuf *m, const struct net_pkt *p,
		 uint64_t tsc);

/* Once per poll: hand-offs from other workers, timers, RCU quiescent state; then the
 * signature batch of every validation made ready during the poll's bursts and
 * hand-offs runs, as one batch (a few rounds of it: see upstream.c, DNSSEC). */
void upstream_poll(struct upstream *up, uint64_t tsc);

#endif
