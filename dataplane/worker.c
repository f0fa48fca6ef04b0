/*
 * dataplane/worker: poll loop of a worker lcore (see worker.h).
 * Must never block, lock or allocate from the libc heap; counters are per worker.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include "cache.h"
#include "upstream.h"
#include "worker.h"

const char *const worker_counter_names[] = {
#define WORKER_COUNTER_NAME(name, help) #name,
	WORKER_COUNTERS(WORKER_COUNTER_NAME)
#undef WORKER_COUNTER_NAME
};
const char *const worker_counter_help[] = {
#define WORKER_COUNTER_HELP(name, help) help,
	WORKER_COUNTERS(WORKER_COUNTER_HELP)
#undef WORKER_COUNTER_HELP
};

/* Packets collected during a burst, sent together at its end. */
struct tx_batch {
	uint16_t n;
	struct rte_mbuf *pkts[WORKER_BURST * 4];
};

static void tx_add(struct worker *w, struct tx_batch *b, struct rte_mbuf *m)
{
	if (b->n == RTE_DIM(b->pkts)) {
		w->stats.tx_dropped++;
		rte_pktmbuf_free(m);
		return;
	}
	b->pkts[b->n++] = m;
}

static void tx_flush(struct worker *w, uint16_t port_id, struct tx_batch *b)
{
	uint16_t sent = 0;

	if (b->n == 0)
		return;
	sent = rte_eth_tx_burst(port_id, w->queue, b->pkts, b->n);
	w->stats.tx_sent += sent;
	if (sent < b->n) {
		w->stats.tx_dropped += b->n - sent;
		rte_pktmbuf_free_bulk(&b->pkts[sent], b->n - sent);
	}
	b->n = 0;
}

/*
 * The common query (query_fast) straight from the packet to the cache lookups of
 * the burst: its name checked and lowercased once, for the local-zone test and the
 * cache key both; no copy of the message, no general parse. False: not taken.
 */
static bool worker_answer_fast(struct worker *w, struct worker_port *wp, struct rte_mbuf *m,
			       const struct net_pkt *p, uint64_t tsc)
{
	const uint8_t *q = rte_pktmbuf_mtod_offset(m, const uint8_t *, p->payload_off);
	uint8_t lname[WIRE_NAME_MAX];
	struct query_info qi;
	struct upstream_slot s = { lname, &qi };
	bool in_slot;
	uint64_t name_hash;
	int n;

	if (w->up == NULL || p->payload_len <= WIRE_HDR_LEN)
		return false;
	/* lowercased into the kept query's key and parsed into its info, when the
	 * burst has a slot left: nothing copied afterwards */
	in_slot = upstream_client_slot(w->up, &s);
	n = cache_name_lower_hash(w->up->sh->cache, q + WIRE_HDR_LEN,
				  p->payload_len - WIRE_HDR_LEN, s.lname, &name_hash);
	if (n < 0 || !query_fast(w->env, q, p->payload_len, s.lname, (size_t)n, &w->qstats, s.qi))
		return false;
	if (in_slot)
		upstream_client_keep(w->up, wp, m, p, q + WIRE_HDR_LEN, name_hash);
	else
		upstream_client_defer_lower(w->up, wp, m, p, &qi, q + WIRE_HDR_LEN, lname,
					    name_hash, tsc);
	return true;
}

/*
 * Answer one DNS query in place: the query is copied aside (it is small), the
 * response is written over it in the same mbuf, then framed for the way back.
 * What local data does not answer goes to the cache and the resolver.
 */
static void worker_answer(struct worker *w, struct worker_port *wp, struct rte_mbuf *m,
			  struct net_pkt *p, struct tx_batch *tx, uint64_t tsc)
{
	struct rte_mbuf *out[NET_MAX_TX_FRAGS];
	struct query_info qi;
	enum query_verdict v;
	uint8_t *payload;
	size_t room, len;
	int n;

	if (worker_answer_fast(w, wp, m, p, tsc))
		return;
	if (p->payload_len > w->qbuf_len) {
		w->stats.reply_error++;
		rte_pktmbuf_free(m);
		return;
	}
	payload = rte_pktmbuf_mtod_offset(m, uint8_t *, p->payload_off);
	memcpy(w->qbuf, payload, p->payload_len);
	room = net_pkt_payload_room(m, p);
	v = query_process(w->env, w->qbuf, p->payload_len, payload, room, &w->qstats, &len, &qi);
	if (v == QUERY_GROW) {
		/* A local answer larger than the receive mbuf (sized for a frame): a big
		 * one only now, so that the common small answer is never copied. */
		if (net_pkt_reserve(w->net, &m, p, WORKER_MAX_RESPONSE) != 0) {
			w->stats.reply_error++;
			rte_pktmbuf_free(m);
			return;
		}
		payload = rte_pktmbuf_mtod_offset(m, uint8_t *, p->payload_off);
		room = net_pkt_payload_room(m, p);
		v = query_process(w->env, w->qbuf, p->payload_len, payload, room, &w->qstats,
				  &len, &qi);
	}
	switch (v) {
	case QUERY_REPLY:
		break;
	case QUERY_RESOLVE:
		/* Looked up in pass 2 of the burst (worker_handle_burst). */
		upstream_client_defer(w->up, wp, m, p, &qi, w->qbuf + qi.q_off, tsc);
		return;
	case QUERY_DROP:
	case QUERY_GROW:   /* twice: cannot happen with WORKER_MAX_RESPONSE of room */
	default:
		rte_pktmbuf_free(m);
		return;
	}
	n = net_tx_dns_reply(w->net, &wp->net, m, p, (uint16_t)len, out, RTE_DIM(out));
	if (n < 0) {
		w->stats.reply_error++;
		rte_pktmbuf_free(m);
		return;
	}
	for (int i = 0; i < n; i++)
		tx_add(w, tx, out[i]);
}

/* Something for us the dataplane does not serve: to the kernel if there is a path. */
static void worker_to_kernel(struct worker *w, struct worker_port *wp, struct rte_mbuf *m,
			     struct tx_batch *kernel)
{
	if (w->has_exception && wp == &w->ports[0]) {
		w->stats.to_kernel++;
		tx_add(w, kernel, m);
	} else {
		rte_pktmbuf_free(m);
	}
}

/* Frames this many packets ahead of the one handled are asked for. */
#define WORKER_PREFETCH_AHEAD 4

/* Lines of a frame asked for ahead of its turn, at most: Ethernet, IP, UDP and a
 * DNS query fit two (a 90-byte A query); a longer frame's third line is read too. */
#define WORKER_PREFETCH_FRAME_LINES 3

/* The lines the received frame spans, no more: a line the answer writes beyond
 * them costs a fill buffer only when a large answer needs it. */
static inline void prefetch_frame(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	uintptr_t first = (uintptr_t)d & ~(uintptr_t)(RTE_CACHE_LINE_SIZE - 1);
	uintptr_t end = (uintptr_t)d + m->data_len;

	for (unsigned int l = 0; l < WORKER_PREFETCH_FRAME_LINES &&
	     first + l * RTE_CACHE_LINE_SIZE < end; l++)
		rte_prefetch0((const void *)(first + l * RTE_CACHE_LINE_SIZE));
}

void worker_handle_burst(struct worker *w, struct worker_port *wp,
			 struct rte_mbuf **pkts, uint16_t n, uint64_t tsc)
{
	struct tx_batch tx, kernel;   /* not zeroed: only .n is read before a store */
	struct net_pkt p;

	tx.n = 0;
	kernel.n = 0;
	/* The mbufs and their first bytes are usually in another core's cache (the
	 * NIC's, or the lcore that freed them): ask for every header at once, then
	 * for each packet's frame a few packets ahead of its turn. */
	for (uint16_t i = 0; i < n; i++)
		rte_prefetch0(pkts[i]);
	for (uint16_t i = 0; i < n && i < WORKER_PREFETCH_AHEAD; i++)
		prefetch_frame(pkts[i]);

	/* Pass 1: every packet as far as it goes without the cache; queries for the
	 * cache wait with their keys computed. */
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + WORKER_PREFETCH_AHEAD < n)
			prefetch_frame(pkts[i + WORKER_PREFETCH_AHEAD]);
		switch (net_rx(w->net, &wp->net, &m, tsc, &p)) {
		case NET_DNS:
			worker_answer(w, wp, m, &p, &tx, tsc);
			break;
		case NET_REPLY:
			tx_add(w, &tx, m);
			break;
		case NET_UDP:
			if (w->up == NULL || !upstream_rx(w->up, m, &p, tsc))
				worker_to_kernel(w, wp, m, &kernel);
			break;
		case NET_EXCEPTION:
			worker_to_kernel(w, wp, m, &kernel);
			break;
		case NET_HELD:
			break;
		case NET_DROP:
		default:
			rte_pktmbuf_free(m);
			break;
		}
	}
	/* Pass 2: the cache lookups of the burst together, their memory latency overlapped. */
	if (w->up != NULL)
		upstream_client_flush(w->up, tsc);
	tx_flush(w, wp->port_id, &tx);
	if (kernel.n > 0)
		tx_flush(w, w->exc_port, &kernel);
	net_worker_flush(w->net);
}

/* What the kernel sends leaves by the wire port unchanged. */
static uint16_t worker_poll_kernel(struct worker *w)
{
	struct rte_mbuf *pkts[WORKER_BURST];
	struct tx_batch tx = { .n = 0 };
	uint16_t n;

	n = rte_eth_rx_burst(w->exc_port, w->queue, pkts, WORKER_BURST);
	for (uint16_t i = 0; i < n; i++)
		tx_add(w, &tx, pkts[i]);
	w->stats.from_kernel += n;
	tx_flush(w, w->ports[0].port_id, &tx);
	return n;
}

/* After idle_polls empty polls, sleep so that other processes on the core run. */
static void worker_idle(struct worker *w, uint32_t *empty)
{
	if (w->idle_sleep_us == 0 || ++*empty < w->idle_polls)
		return;
	*empty = 0;
	w->stats.idle_sleeps++;
	rte_delay_us_sleep(w->idle_sleep_us);
}

void worker_take_snapshot(struct worker *w)
{
	struct worker_pub *pub = w->pub;
	uint64_t gen = __atomic_load_n(&pub->gen, __ATOMIC_ACQUIRE);

	if (gen != w->pub_gen) {
		const struct worker_snapshot *s = __atomic_load_n(&pub->cur, __ATOMIC_ACQUIRE);

		w->env = s->env;
		if (w->up != NULL)
			upstream_set_vconf(w->up, s->vconf);
		w->pub_gen = gen;
	}
	if (w->pub_done != gen && (w->up == NULL || w->up->old_conf_users == 0)) {
		w->pub_done = gen;
		__atomic_store_n(&pub->worker[w->queue].done, gen, __ATOMIC_RELEASE);
	}
}

/*
 * A mark that moves whenever an iteration moved a packet: received from a port or the
 * kernel (counted in got), sent (every send, the upstream's included, counts in
 * tx_sent or tx_dropped), or took over a client or an answer from another worker, the
 * TCP service or the control thread. Timer sweeps that move nothing are idle.
 */
static inline uint64_t worker_work_mark(const struct worker *w)
{
	uint64_t m = w->stats.tx_sent + w->stats.tx_dropped;

	if (w->up != NULL)
		m += w->up->stats.handoff_in + w->up->stats.clients_received +
		     w->up->stats.tcp_client_queries + w->up->stats.tcp_upstream_answers +
		     w->up->stats.control_queries;
	return m;
}

int worker_main(void *arg)
{
	struct worker *w = arg;
	struct rte_mbuf *pkts[WORKER_BURST];
	uint64_t expire_every = rte_get_tsc_hz() / 100, next_expire = 0;
	uint32_t empty = 0;

	while (!*w->quit) {
		uint32_t got = 0;
		uint64_t start = rte_rdtsc(), mark = worker_work_mark(w);
		/* every timer, TTL and validity date below derives from this one reading */
		uint64_t tsc = start +
			       (w->clock_skew ? __atomic_load_n(w->clock_skew, __ATOMIC_RELAXED) : 0);

		/* Stale fragments must not hold mbufs: sweep every 10 ms. */
		if (tsc >= next_expire) {
			net_worker_expire(w->net, tsc);
			net_worker_flush(w->net);
			next_expire = tsc + expire_every;
		}

		if (w->pub != NULL)
			worker_take_snapshot(w);
		w->stats.polls++;
		for (uint16_t i = 0; i < w->n_ports; i++) {
			struct worker_port *wp = &w->ports[i];
			uint16_t n = rte_eth_rx_burst(wp->port_id, w->queue, pkts, WORKER_BURST);

			if (n > 0)
				worker_handle_burst(w, wp, pkts, n, tsc);
			got += n;
		}
		if (w->has_exception)
			got += worker_poll_kernel(w);
		if (w->up != NULL)
			upstream_poll(w->up, tsc);
		/* CPU per answered query for benchmarks: only iterations that did work. */
		if (got > 0 || worker_work_mark(w) != mark)
			w->stats.busy_cycles += rte_rdtsc() - start;
		if (got == 0)
			worker_idle(w, &empty);
		else
			empty = 0;
	}
	return 0;
}

/* Largest query a worker copies aside (a reassembled datagram can be 64 KiB). */
#define WORKER_QBUF_LEN 65536

int worker_init(struct worker *w, const struct worker_params *prm)
{
	int socket = (int)rte_lcore_to_socket_id(prm->lcore_id);
	struct net_worker_params np = {
		.frag_buckets = 1024,
		.frag_bucket_entries = 16,
		.frag_max_entries = 4096,
		.frag_ttl_ms = 2000,
		.socket_id = socket,
		.direct_pool = prm->pool,
		.indirect_pool = prm->indirect_pool,
		.big_pool = prm->pool,
		.id_seed = (uint32_t)rte_rdtsc() ^ (prm->queue * 0x9e3779b9u),
	};

	w->lcore_id = prm->lcore_id;
	w->queue = prm->queue;
	w->env = prm->env;
	w->idle_polls = prm->idle_polls;
	w->idle_sleep_us = prm->idle_sleep_us;
	w->quit = prm->quit;
	w->clock_skew = NULL;          /* set by the daemon for a test clock */
	w->qbuf_len = WORKER_QBUF_LEN;
	w->qbuf = rte_malloc_socket("worker_qbuf", WORKER_QBUF_LEN, 64, socket);
	w->net = rte_zmalloc_socket("net_worker", sizeof(*w->net), RTE_CACHE_LINE_SIZE, socket);
	if (w->qbuf == NULL || w->net == NULL || net_worker_init(w->net, &np) != 0) {
		worker_free(w);
		return -ENOMEM;
	}
	return 0;
}

int worker_add_port(struct worker *w, const struct net_port_conf *conf)
{
	struct worker_port *wp;

	if (w->n_ports == WORKER_MAX_PORTS)
		return -ENOSPC;
	wp = &w->ports[w->n_ports];
	wp->port_id = conf->port_id;
	if (net_port_ctx_init(&wp->net, conf) != 0)
		return -EINVAL;
	w->n_ports++;
	return 0;
}

void worker_free(struct worker *w)
{
	if (w->net != NULL) {
		net_worker_free(w->net);
		rte_free(w->net);
		w->net = NULL;
	}
	rte_free(w->qbuf);
	w->qbuf = NULL;
}
