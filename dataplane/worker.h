/*
 * dataplane/worker: the poll loop of one worker lcore.
 *
 * A worker owns one RX/TX queue pair on every port (queue id = worker index) and
 * the same on the exception port. Per burst: receive, classify (net_rx), answer DNS
 * (query_respond), send. Packets for the kernel go to the exception port; what the
 * kernel sends comes back from it and leaves by the wire port.
 *
 * Never blocks, locks, or allocates from the libc heap. The only syscall is the idle
 * back-off sleep (off when idle_sleep_us is 0, as for benchmarks).
 */
#ifndef SEKISHO_DATAPLANE_WORKER_H
#define SEKISHO_DATAPLANE_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "net.h"
#include "query.h"

#define WORKER_MAX_PORTS 8
#define WORKER_BURST 32
/* Largest DNS response sekisho sends over UDP (the EDNS maximum it accepts). */
#define WORKER_MAX_RESPONSE 4096

/* Worker counters besides the net and query ones. */
#define WORKER_COUNTERS(X) \
	X(polls,          "RX polls") \
	X(idle_sleeps,    "idle back-off sleeps") \
	X(tx_sent,        "packets sent") \
	X(tx_dropped,     "packets dropped because a TX queue was full") \
	X(to_kernel,      "packets passed to the kernel exception path") \
	X(from_kernel,    "packets from the kernel sent out of the wire port") \
	X(reply_error,    "responses that could not be framed (no room, no mbuf)") \
	X(busy_cycles,    "TSC cycles of poll iterations that did work (received, sent or " \
			  "took over packets): CPU per query = busy_cycles / tsc_hz / queries")

struct worker_stats {
#define WORKER_COUNTER_FIELD(name, help) uint64_t name;
	WORKER_COUNTERS(WORKER_COUNTER_FIELD)
#undef WORKER_COUNTER_FIELD
};
extern const char *const worker_counter_names[];
extern const char *const worker_counter_help[];
#define WORKER_N_COUNTERS (sizeof(struct worker_stats) / sizeof(uint64_t))

struct worker_port {
	uint16_t port_id;
	struct net_port_ctx net;
};

struct upstream;
struct validate_chain_conf;

/*
 * What the control thread publishes to the workers (a reload, an NTA, new trust
 * anchors): the query environment and the validator's conf. A worker takes a new
 * version between two polls; it marks, per worker, the newest generation from which
 * on it no longer uses any older version (once the resolutions that may still hold
 * an older validator conf have ended), and the control thread frees a version when
 * every worker has passed the generation that replaced it.
 */
struct worker_snapshot {
	const struct query_env *env;
	const struct validate_chain_conf *vconf;   /* NULL: validation off */
};

#define WORKER_PUB_MAX 128

struct worker_pub {
	const struct worker_snapshot *cur;         /* __atomic: release / acquire */
	uint64_t gen;                              /* __atomic: stored after cur */
	struct {
		uint64_t done;                     /* __atomic: older versions unused */
	} __rte_cache_aligned worker[WORKER_PUB_MAX];
};

struct worker {
	unsigned int lcore_id;
	uint16_t queue;                  /* queue id on every port */
	uint16_t n_ports;
	struct worker_port ports[WORKER_MAX_PORTS];
	bool has_exception;
	uint16_t exc_port;               /* kernel tap; serves ports[0] */
	struct net_worker *net;
	const struct query_env *env;     /* immutable snapshot */
	struct upstream *up;             /* cache and resolver; NULL: local data only */
	uint32_t idle_polls;             /* empty polls before sleeping */
	uint32_t idle_sleep_us;          /* 0 = busy poll */
	uint8_t *qbuf;                   /* copy of the query being answered */
	size_t qbuf_len;
	volatile const bool *quit;
	const uint64_t *clock_skew;      /* the cache's test skew (TSC cycles); NULL: none */
	struct worker_pub *pub;          /* NULL: the env is fixed */
	uint64_t pub_gen;                /* the generation taken */
	uint64_t pub_done;               /* the last one marked done */

	struct worker_stats stats;
	struct query_stats qstats;
} __rte_cache_aligned;

/* What worker_init needs; ports are added afterwards with worker_add_port. */
struct worker_params {
	unsigned int lcore_id;
	uint16_t queue;                  /* queue id on every port (worker index) */
	struct rte_mempool *pool;        /* mbufs with room for a 4096-byte response */
	struct rte_mempool *indirect_pool; /* for fragmenting large replies */
	const struct query_env *env;
	uint32_t idle_polls;
	uint32_t idle_sleep_us;          /* 0 = busy poll */
	volatile const bool *quit;
};

/*
 * Fill a worker (zeroed by the caller, e.g. rte_zmalloc) and allocate its
 * per-worker state (fragment table, query buffer) on the lcore's NUMA socket.
 * Start-up only. Returns 0 or a negative errno value.
 */
int worker_init(struct worker *w, const struct worker_params *prm);

/*
 * Give the worker its view of one more port (addresses, VLAN, MTU, offloads).
 * Returns 0, -ENOSPC (WORKER_MAX_PORTS reached) or -EINVAL (bad port settings).
 */
int worker_add_port(struct worker *w, const struct net_port_conf *conf);

/* Free what worker_init allocated (the worker itself belongs to the caller). */
void worker_free(struct worker *w);

/*
 * worker_take_snapshot - take a newer version published in w->pub (set), between two
 * polls; mark its generation done once no resolution of this worker can still hold an
 * older validator conf. worker_main calls it once per poll; exposed for tests.
 */
void worker_take_snapshot(struct worker *w);

/* lcore entry point: arg is a struct worker. Returns 0 when *quit becomes true. */
int worker_main(void *arg);

/*
 * Handle one burst received on wp. Packets are consumed (sent or freed). Two passes:
 * every packet up to the cache lookup, then the cache lookups of the burst together
 * (upstream_client_defer / upstream_client_flush), so that their misses overlap.
 * Exposed so that benchmarks and tests drive the same code as the poll loop.
 */
void worker_handle_burst(struct worker *w, struct worker_port *wp,
			 struct rte_mbuf **pkts, uint16_t n, uint64_t tsc);

#endif
