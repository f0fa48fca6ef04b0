/*
 * dataplane/upstream: cache, resolution and upstream I/O of a worker (see upstream.h).
 * Worker lcores only: no lock of its own, no libc heap, no syscall.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_random.h>

#include "aggressive.h"
#include "cache_rrset.h"
#include "upstream.h"
#include "validate_chain.h"
#include "wire_build.h"
#include "wire_csum.h"
#include "worker.h"

const char *const upstream_counter_names[] = {
#define UPSTREAM_COUNTER_NAME(name, help) #name,
	UPSTREAM_COUNTERS(UPSTREAM_COUNTER_NAME)
#undef UPSTREAM_COUNTER_NAME
};

/* How a waiting client gets its answer. */
enum upstream_client_kind {
	CLIENT_UDP = 0,                 /* written over its query mbuf, framed, sent */
	CLIENT_TCP,                     /* written into its message object, back to the
					   TCP service */
	CLIENT_CHAIN,                   /* another resolution's chain of trust waits for
					   this DS or DNSKEY: it resumes, nothing is sent */
};

/* A client waiting for a resolution. */
struct upstream_client {
	enum upstream_client_kind kind;
	struct rte_mbuf *m;             /* UDP: the query mbuf, answered in place */
	struct upstream_msg *msg;       /* TCP */
	struct net_pkt p;               /* UDP */
	struct worker_port *wp;         /* UDP */
	struct query_info qi;
	uint32_t parent, parent_gen;    /* CHAIN: the waiting resolution's slot and use */
};

/* A server whose response a resolution took, and the zone it was asked as: who sent
 * the referrals and answers whose RRsets the validator may find in the store. */
struct upstream_heard {
	uint32_t zone_hash;             /* heard_hash() of the zone */
	struct resolve_addr addr;
};

struct upstream_query {
	struct resolve_query rq;
	bool active;
	bool prefetch;                  /* refresh of a cache entry, no client */
	uint8_t n_clients;
	uint16_t local_port;            /* claimed in the shared table; 0: none */
	uint8_t via;                    /* UPSTREAM_VIA_* of the answers taken */
	bool old_conf;                  /* active when the validator's conf was replaced:
	                                   may hold the old one (upstream_set_vconf) */
	uint16_t udp_max;               /* largest UDP answer taken */
	uint32_t tcp_gen;               /* the TCP exchange it waits for; 0: none */
	uint64_t deadline;              /* ms; 0: no timer */
	struct rte_mbuf *parked;        /* query waiting for the gateway's MAC */
	struct resolve_addr parked_to;
	struct cache_key key;           /* its question points at qbytes */
	uint32_t run_next;              /* next slot + 1 in its run_head chain; 0: last */
	bool owns_question;             /* claimed in the shared question table */
	uint16_t qlen;
	uint8_t qbytes[WIRE_NAME_MAX + 4]; /* lowercase question entry */
	struct upstream_client clients[UPSTREAM_WAITERS];
	uint32_t gen;                   /* uses of this slot (CHAIN clients check it) */
	uint64_t retry_at;              /* ms: ask for the chain's fetch again; 0: no */
	uint16_t fetch_retries;
	/* DNSSEC: the chain of trust over rq's result, while it runs */
	bool validating;
	bool fetching;                  /* waits for a DS/DNSKEY resolution */
	bool crypto_wait;               /* waits for the batch run (up->vwait) */
	struct validate_chain vc;
	struct validate_chain_answer va;
	struct validate_chain_rr vrr[VALIDATE_CHAIN_RR_MAX];
	/* bogus data: resolved again from other servers (validation_retry) */
	uint8_t bogus_retries;
	uint8_t n_heard;                /* heard[] in use (the latest kept when full) */
	uint8_t heard_next;
	uint16_t bogus_ede;             /* the last bogus verdict, if a try fails after it */
	const char *bogus_why;
	struct upstream_heard heard[UPSTREAM_HEARD_MAX]; /* this try's responses */
	struct resolve_addr fetch_server; /* the server of the chain's latest fetch */
	uint8_t fetch_zone_len;         /* ... asked for this zone (0: none) */
	uint8_t fetch_zone[WIRE_NAME_MAX];
};

/* A resolution whose chain of trust waits for the signature batch run: its slot and
 * its use of the slot (a released slot's entry is skipped). */
struct upstream_vwait {
	uint32_t slot, gen;
};

/* A UDP client query between the two passes of a burst: its key and question. */
struct upstream_pending {
	struct upstream_client c;
	struct cache_key k;             /* k.question points at q */
	uint8_t q[WIRE_NAME_MAX + 4];
};

/* What a worker that received someone else's upstream response passes along. */
struct upstream_meta {
	uint16_t payload_off, payload_len;
	uint16_t src_port, dst_port;
	uint8_t ip_version;
	uint8_t reassembled;
	uint8_t src[16];
};

static const struct rte_mbuf_dynfield meta_desc = {
	.name = "sekisho_upstream_meta",
	.size = sizeof(struct upstream_meta),
	.align = __alignof__(struct upstream_meta),
};

static uint64_t now_ms(const struct upstream *up, uint64_t tsc)
{
	return tsc / up->hz_ms;
}

/* Cache time (cache_now) at tsc: one 64-bit division a second, not one per lookup. */
static uint32_t cache_time(struct upstream *up, uint64_t tsc)
{
	if (unlikely(tsc >= up->now_until)) {
		up->now = cache_now(up->sh->cache);
		up->now_until = ((uint64_t)up->now + 1) * up->tsc_hz;
	}
	return up->now;
}

/* ---- set-up ------------------------------------------------------------------- */

struct upstream_shared *upstream_shared_create(struct cache *cache, unsigned int n_workers)
{
	struct upstream_shared *sh;
	char name[32];

	if (n_workers == 0 || n_workers > UPSTREAM_MAX_WORKERS) {
		rte_errno = EINVAL;
		return NULL;
	}
	sh = rte_zmalloc("upstream_shared", sizeof(*sh), RTE_CACHE_LINE_SIZE);
	if (sh == NULL)
		return NULL;
	sh->cache = cache;
	sh->n_workers = n_workers;
	sh->meta_offset = rte_mbuf_dynfield_register(&meta_desc);
	for (unsigned int i = 0; i < n_workers && sh->meta_offset >= 0; i++) {
		snprintf(name, sizeof(name), "up_handoff%u", i);
		sh->handoff[i] = rte_ring_create(name, 4096, SOCKET_ID_ANY, RING_F_SC_DEQ);
		if (sh->handoff[i] == NULL)
			break;
	}
	if (sh->meta_offset < 0 || sh->handoff[n_workers - 1] == NULL) {
		upstream_shared_free(sh);
		return NULL;
	}
	return sh;
}

void upstream_shared_free(struct upstream_shared *sh)
{
	if (sh == NULL)
		return;
	for (unsigned int i = 0; i < sh->n_workers; i++) {
		rte_ring_free(sh->handoff[i]);
		rte_ring_free(sh->tcp_in[i]);
	}
	rte_ring_free(sh->tcp_out);
	rte_ring_free(sh->ctl_out);
	rte_mempool_free(sh->msg_pool);
	rte_free(sh);
}

int upstream_tcp_create(struct upstream_shared *sh, unsigned int n_msgs)
{
	/* Every object can sit in any one ring: rings larger than the pool never fill. */
	unsigned int ring_size = rte_align32pow2(n_msgs + 1);
	char name[32];

	sh->msg_pool = rte_mempool_create_empty("up_tcp_msgs", n_msgs,
						sizeof(struct upstream_msg), 0, 0,
						SOCKET_ID_ANY, 0);
	if (sh->msg_pool == NULL)
		return -rte_errno;
	if (rte_mempool_set_ops_byname(sh->msg_pool, "ring_mt_rts", NULL) != 0 ||
	    rte_mempool_populate_default(sh->msg_pool) < 0)
		return -ENOMEM;
	sh->tcp_out = rte_ring_create("up_tcp_out", ring_size, SOCKET_ID_ANY, RING_F_SC_DEQ);
	sh->ctl_out = rte_ring_create("up_ctl_out", ring_size, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (sh->tcp_out == NULL || sh->ctl_out == NULL)
		return -rte_errno;
	for (unsigned int i = 0; i < sh->n_workers; i++) {
		snprintf(name, sizeof(name), "up_tcp_in%u", i);
		sh->tcp_in[i] = rte_ring_create(name, ring_size, SOCKET_ID_ANY,
						RING_F_MP_RTS_ENQ | RING_F_SC_DEQ);
		if (sh->tcp_in[i] == NULL)
			return -rte_errno;
	}
	return 0;
}

int upstream_init(struct upstream *up, struct upstream_shared *sh, struct worker *w,
		  uint16_t index, const struct resolve_config *rcfg, const char *hints,
		  size_t hints_len, uint32_t slots, struct rte_mempool *pool)
{
	int socket = (int)rte_lcore_to_socket_id(w->lcore_id);

	memset(up, 0, sizeof(*up));
	up->sh = sh;
	up->w = w;
	up->index = index;
	up->pool = pool;
	up->n_q = slots;
	up->hz_ms = rte_get_tsc_hz() / 1000;
	up->tsc_hz = rte_get_tsc_hz();
	up->pend = rte_malloc_socket("up_pending", sizeof(*up->pend) * UPSTREAM_PENDING, 64,
				     socket);
	up->rctx = rte_zmalloc_socket("resolve_ctx", sizeof(*up->rctx), 64, socket);
	up->q = rte_zmalloc_socket("up_queries", sizeof(*up->q) * slots, 64, socket);
	up->free = rte_malloc_socket("up_free", sizeof(*up->free) * slots, 64, socket);
	up->run_mask = rte_align32pow2(2 * slots) - 1;
	up->run_head = rte_zmalloc_socket("up_running", sizeof(*up->run_head) *
					  (up->run_mask + 1), 64, socket);
	if (up->rctx == NULL || up->q == NULL || up->free == NULL || up->pend == NULL ||
	    up->run_head == NULL) {
		upstream_free(up);
		return -ENOMEM;
	}
	resolve_ctx_init(up->rctx, rcfg, rte_rand());
	if (resolve_hints_load(up->rctx, hints, hints_len, NULL) <= 0) {
		upstream_free(up);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < slots; i++)
		up->free[up->n_free++] = slots - 1 - i;
	if (cache_reader_register(sh->cache, w->lcore_id) != 0) {
		upstream_free(up);
		return -EINVAL;
	}
	return 0;
}

int upstream_validation_enable(struct upstream *up, const struct validate_chain_conf *conf,
			       uint64_t date_override)
{
	/* One batch for every chain of a poll: room for many (a full one makes chains
	 * wait a round, see validation_flush). */
	struct validate_batch_config bc = { .capacity = VALIDATE_BATCH_MAX,
					    .arena_bytes = 1u << 20, .policy = conf->policy };
	struct timespec ts;

	up->vkeys = validate_key_cache_create(1024);
	up->vbatch = validate_batch_create(&bc);
	up->vscratch = rte_malloc("up_vscratch", 2 * sizeof(*up->vscratch), 64);
	/* a chain has one entry; a round adds the next round's while it reads its own */
	up->vwait = rte_malloc("up_vwait", 2 * sizeof(*up->vwait) * up->n_q, 64);
	if (up->vkeys == NULL || up->vbatch == NULL || up->vscratch == NULL || up->vwait == NULL)
		return -ENOMEM;
	/* the worker reads UNIX time from the TSC: no clock call on the packet path */
	clock_gettime(CLOCK_REALTIME, &ts);
	up->unix_at_tsc0 = (uint64_t)ts.tv_sec - rte_rdtsc() / up->tsc_hz;
	up->date_override = date_override;
	up->rctx->cfg.do_bit = true;    /* upstream answers come with their RRSIGs */
	up->vconf = conf;
	return 0;
}

int upstream_aggressive_enable(struct upstream *up)
{
	if (up->vconf == NULL)
		return -EINVAL;
	up->aggr = rte_malloc_socket("up_aggressive", sizeof(*up->aggr), 64,
				     (int)rte_lcore_to_socket_id(up->w->lcore_id));
	if (up->aggr == NULL)
		return -ENOMEM;
	aggressive_init(up->aggr, up->sh->cache, up->w->lcore_id, up->vconf);
	return 0;
}

void upstream_free(struct upstream *up)
{
	rte_free(up->aggr);
	up->aggr = NULL;
	validate_key_cache_destroy(up->vkeys);
	validate_batch_destroy(up->vbatch);
	rte_free(up->vscratch);
	rte_free(up->vwait);
	up->vkeys = NULL;
	up->vbatch = NULL;
	up->vscratch = NULL;
	up->vwait = NULL;
	up->vconf = NULL;
	rte_free(up->rctx);
	rte_free(up->q);
	rte_free(up->free);
	rte_free(up->run_head);
	rte_free(up->pend);
	up->run_head = NULL;
	up->pend = NULL;
	up->rctx = NULL;
	up->q = NULL;
	up->free = NULL;
}

/* ---- sending to clients ---------------------------------------------------------- */

static void tx_burst(struct upstream *up, uint16_t port_id, struct rte_mbuf **f, int n)
{
	uint16_t sent = rte_eth_tx_burst(port_id, up->w->queue, f, (uint16_t)n);

	up->w->stats.tx_sent += sent;
	if (sent < n) {
		up->w->stats.tx_dropped += (uint64_t)(n - sent);
		rte_pktmbuf_free_bulk(&f[sent], (unsigned int)(n - sent));
	}
}

/* The frames batched while answering deferred queries, in one TX burst. */
static void tx_flush(struct upstream *up)
{
	if (up->n_tx > 0)
		tx_burst(up, up->tx_port, up->tx, up->n_tx);
	up->n_tx = 0;
}

static void send_frames(struct upstream *up, uint16_t port_id, struct rte_mbuf **f, int n)
{
	if (!up->batching) {
		tx_burst(up, port_id, f, n);
		return;
	}
	if (up->n_tx > 0 && (port_id != up->tx_port || up->n_tx + n > (int)RTE_DIM(up->tx)))
		tx_flush(up);
	if (n > (int)RTE_DIM(up->tx)) {
		tx_burst(up, port_id, f, n);
		return;
	}
	up->tx_port = port_id;
	for (int i = 0; i < n; i++)
		up->tx[up->n_tx++] = f[i];
}

/* A message object back to the TCP service, or to the control thread for its own
 * queries (their rings hold every object: no loss). */
static void msg_to_service(struct upstream *up, struct upstream_msg *msg)
{
	struct rte_ring *r = msg->kind == UPSTREAM_MSG_CONTROL ? up->sh->ctl_out : up->sh->tcp_out;

	if (rte_ring_enqueue(r, msg) != 0) {
		up->stats.tcp_ring_full++;
		rte_mempool_put(up->sh->msg_pool, msg);
	}
}

/*
 * The response of len bytes is in the client's buffer: for UDP frame it and send it,
 * for TCP return the message object to the service (len 0: nothing to send). @sum:
 * the answer's checksum sum when known (wire_csum.h), else WIRE_CSUM_UNKNOWN.
 */
static void client_send_sum(struct upstream *up, struct upstream_client *c, size_t len,
			    uint32_t sum)
{
	struct rte_mbuf *out[NET_MAX_TX_FRAGS];
	int n;

	if (c->kind == CLIENT_TCP) {
		c->msg->len = (uint16_t)len;
		up->stats.tcp_client_answers += len > 0 && c->msg->kind == UPSTREAM_MSG_CLIENT;
		msg_to_service(up, c->msg);
		return;
	}
	if (len == 0) {
		rte_pktmbuf_free(c->m);
		return;
	}
	n = net_tx_dns_reply_sum(up->w->net, &c->wp->net, c->m, &c->p, (uint16_t)len, sum,
				 out, RTE_DIM(out));
	if (n < 0) {
		up->w->stats.reply_error++;
		rte_pktmbuf_free(c->m);
		return;
	}
	send_frames(up, c->wp->port_id, out, n);
}

static void client_send(struct upstream *up, struct upstream_client *c, size_t len)
{
	client_send_sum(up, c, len, WIRE_CSUM_UNKNOWN);
}

static uint8_t *client_payload(const struct upstream_client *c, size_t *room)
{
	if (c->kind == CLIENT_TCP) {
		*room = sizeof(c->msg->data);
		return c->msg->data;
	}
	*room = net_pkt_payload_room(c->m, &c->p);
	if (*room > CACHE_IMAGE_MAX)
		*room = CACHE_IMAGE_MAX;
	return rte_pktmbuf_mtod_offset(c->m, uint8_t *, c->p.payload_off);
}

/*
 * The client's payload with room for an answer of @need bytes. Receive pools hold
 * mbufs sized for a frame: the few answers larger than that move to a big mbuf here,
 * once they are known to need it, so that a hit that fits is never copied. Without a
 * big mbuf the room stays short and the answer goes out as it fits (TC=1).
 */
static uint8_t *client_room(struct upstream *up, struct upstream_client *c, size_t need,
			    size_t *room)
{
	uint8_t *out = client_payload(c, room);

	if (need <= *room || c->kind == CLIENT_TCP || *room >= CACHE_IMAGE_MAX)
		return out;
	if (net_pkt_reserve(up->w->net, &c->m, &c->p, CACHE_IMAGE_MAX) != 0) {
		up->stats.grow_failed++;
		return out;
	}
	up->stats.answers_grown++;
	return client_payload(c, room);
}

/* Room an image of len bytes needs in the client's buffer: all of the answer, OPT
 * included, unless the client would get TC=1 anyway. */
static size_t answer_need(const struct upstream *up, const struct upstream_client *c,
			  size_t len, int ede, const char *ede_text)
{
	return RTE_MIN(query_answer_size(up->w->env, &c->qi, len, ede, ede_text),
		       (size_t)c->qi.limit);
}

/* A finished image (no OPT) for one client: its ID, its question's letter case. */
static void client_answer_image(struct upstream *up, struct upstream_client *c,
				const uint8_t *img, size_t len, int ede, const char *ede_text)
{
	size_t room;
	uint8_t *out = client_room(up, c, answer_need(up, c, len, ede, ede_text), &room);

	bool cut = len > room;

	if (cut)
		len = WIRE_HDR_LEN + c->qi.q_len;
	memcpy(out, img, len);
	if (cut) {
		/* Larger than this client's buffer: header and question, TC=1. */
		wire_put_u16(out + 2, wire_get_u16(out + 2) | WIRE_FLAG_TC);
		memset(out + 6, 0, 6);
	}
	wire_put_u16(out, c->qi.id);
	memcpy(out + WIRE_HDR_LEN, c->qi.qname, c->qi.qname_len);
	len = query_answer_image(up->w->env, &c->qi, out, len, room, ede, ede_text,
				 &up->w->qstats);
	client_send(up, c, len);
}

/* SERVFAIL with @ede for one client. */
static void client_answer_error(struct upstream *up, struct upstream_client *c, int ede,
				const char *text)
{
	size_t room;
	uint8_t *out = client_payload(c, &room);

	client_send(up, c, query_answer_error(up->w->env, &c->qi, WIRE_RCODE_SERVFAIL, out,
					      room, ede, text, &up->w->qstats));
}

/* Serve-stale for one client (RFC 8767): true when an expired entry answered it. */
static bool client_answer_stale(struct upstream *up, struct upstream_client *c,
				const struct cache_key *key)
{
	size_t room, len = 0;
	uint8_t *out = client_payload(c, &room);
	struct cache_key k = *key;

	k.question = out + WIRE_HDR_LEN; /* written back by the cache: set below */
	memcpy(out + WIRE_HDR_LEN, c->qi.qname, c->qi.qname_len);
	wire_put_u16(out + WIRE_HDR_LEN + c->qi.qname_len, c->qi.qtype);
	wire_put_u16(out + WIRE_HDR_LEN + c->qi.qname_len + 2, c->qi.qclass);
	if (cache_lookup(up->sh->cache, up->w->lcore_id, &k, c->qi.id,
			 cache_now(up->sh->cache), CACHE_LOOKUP_STALE_OK, up->image,
			 sizeof(up->image), &len) != CACHE_HIT_STALE)
		return false;
	up->stats.stale_answers++;
	out = client_room(up, c, answer_need(up, c, len, WIRE_EDE_STALE_ANSWER, "serve-stale"),
			  &room);
	memcpy(out, up->image, len);
	len = query_answer_image(up->w->env, &c->qi, out, len, room, WIRE_EDE_STALE_ANSWER,
				 "serve-stale", &up->w->qstats);
	client_send(up, c, len);
	return true;
}

/* Serve-stale for one client, else SERVFAIL with the resolver's reason. */
static void client_answer_failure(struct upstream *up, struct upstream_client *c,
				  const struct cache_key *key, int ede, const char *text)
{
	if (!client_answer_stale(up, c, key))
		client_answer_error(up, c, ede, text);
}

/* ---- the resolution pool ------------------------------------------------------------ */

static void port_release(struct upstream *up, struct upstream_query *uq)
{
	if (uq->local_port != 0)
		__atomic_store_n(&up->sh->port_owner[uq->local_port], 0, __ATOMIC_RELEASE);
	uq->local_port = 0;
}

/* A random free source port, claimed for this query (16 tries). */
static uint16_t port_claim(struct upstream *up, uint32_t slot)
{
	uint32_t mine = ((uint32_t)(up->index + 1) << 24) | slot;

	for (int i = 0; i < 16; i++) {
		uint16_t port = (uint16_t)(UPSTREAM_PORT_MIN +
					   rte_rand_max(65536 - UPSTREAM_PORT_MIN));
		uint32_t expect = 0;

		if (__atomic_compare_exchange_n(&up->sh->port_owner[port], &expect, mine, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			return port;
	}
	return 0;
}

static void unpark(struct upstream_query *uq)
{
	rte_pktmbuf_free(uq->parked);
	uq->parked = NULL;
}

/*
 * Identical misses on different workers share one resolution: the worker that starts
 * one claims its question in a table shared by all workers (one compare-and-swap),
 * and another worker missing on the same question hands the client's query frame
 * to it through its ring, where it joins (or hits the cache if the answer is in).
 */
#define UPSTREAM_HANDOFF_CLIENT 0x80000000u

static uint32_t *question_slot(struct upstream *up, const struct cache_key *k)
{
	return &up->sh->question_owner[k->hash & 0xffff];
}

static uint32_t question_tag(uint16_t worker, const struct cache_key *k)
{
	return ((uint32_t)(worker + 1) << 24) | (uint32_t)((k->hash >> 16) & 0xffffff);
}

static void question_claim(struct upstream *up, struct upstream_query *uq)
{
	uint32_t expect = 0;

	uq->owns_question = __atomic_compare_exchange_n(question_slot(up, &uq->key), &expect,
							question_tag(up->index, &uq->key), false,
							__ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

static void question_release(struct upstream *up, struct upstream_query *uq)
{
	uint32_t mine = question_tag(up->index, &uq->key);

	if (uq->owns_question)
		__atomic_compare_exchange_n(question_slot(up, &uq->key), &mine, 0, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	uq->owns_question = false;
}

/* Give a UDP client's frame to the worker resolving its question; false: keep it. */
static bool hand_to_owner(struct upstream *up, struct upstream_client *c,
			  const struct cache_key *k)
{
	uint32_t v = __atomic_load_n(question_slot(up, k), __ATOMIC_ACQUIRE);
	unsigned int owner = (v >> 24) - 1;

	if (v == 0 || c->kind != CLIENT_UDP || owner == up->index ||
	    owner >= up->sh->n_workers || (v & 0xffffff) != ((k->hash >> 16) & 0xffffff))
		return false;
	c->m->hash.usr = UPSTREAM_HANDOFF_CLIENT | (uint32_t)(c->wp - up->w->ports);
	if (rte_ring_enqueue(up->sh->handoff[owner], c->m) != 0)
		return false;
	up->stats.handed_to_owner++;
	return true;
}

/*
 * Running resolutions by key hash, so that a miss finds the one it may join
 * (find_running) in a short chain instead of a walk of every slot: with a pool of
 * thousands, a miss storm would spend a core on the walks. Linked when a resolution
 * starts, unlinked when its slot is released.
 */
static void run_link(struct upstream *up, struct upstream_query *uq)
{
	uint32_t *head = &up->run_head[uq->key.hash & up->run_mask];

	uq->run_next = *head;
	*head = (uint32_t)(uq - up->q) + 1;
}

static void run_unlink(struct upstream *up, struct upstream_query *uq)
{
	uint32_t me = (uint32_t)(uq - up->q) + 1;

	for (uint32_t *p = &up->run_head[uq->key.hash & up->run_mask]; *p != 0;
	     p = &up->q[*p - 1].run_next) {
		if (*p == me) {
			*p = uq->run_next;
			uq->run_next = 0;
			return;
		}
	}
}

static void query_release(struct upstream *up, struct upstream_query *uq)
{
	run_unlink(up, uq);
	question_release(up, uq);
	unpark(uq);
	port_release(up, uq);
	uq->tcp_gen = 0;
	uq->active = false;
	uq->n_clients = 0;
	if (uq->old_conf) {
		uq->old_conf = false;
		up->old_conf_users--;
	}
	up->free[up->n_free++] = (uint32_t)(uq - up->q);
}

void upstream_set_vconf(struct upstream *up, const struct validate_chain_conf *conf)
{
	if (up->vconf == NULL || conf == NULL || conf == up->vconf)
		return;
	/* A chain of trust keeps its conf from start to end (vc.conf): every resolution
	 * running now may hold the old one until it is released. */
	for (uint32_t i = 0; i < up->n_q; i++) {
		struct upstream_query *uq = &up->q[i];

		if (uq->active && !uq->old_conf) {
			uq->old_conf = true;
			up->old_conf_users++;
		}
	}
	up->vconf = conf;
	if (up->aggr != NULL)
		aggressive_set_conf(up->aggr, conf);
}

/* What validation decided for an image: AD, and no TTL above the signatures allow. */
struct image_dnssec {
	bool secure;
	uint32_t ttl_cap;               /* UINT32_MAX: none */
};

/* No TTL of the image above @cap (RFC 4035 §5.3.3: not past the RRSIGs' expiry). */
static void cap_ttls(uint8_t *img, const struct wire_builder *b, uint32_t cap)
{
	for (unsigned int i = 0; i < b->ttl_count; i++)
		if (wire_get_u32(img + b->ttl_off[i]) > cap)
			wire_put_u32(img + b->ttl_off[i], cap);
}

/* The resolver's records as a cacheable image: header, lowercase question, records.
 * DNSSEC records only for a DO=1 key (RFC 4035 §3.2.1); AD when validated secure
 * (query_answer_image clears it for clients that asked for neither DO nor AD). */
static size_t build_image(struct upstream *up, struct upstream_query *uq, struct wire_builder *b,
			  const struct image_dnssec *dn)
{
	uint16_t flags = WIRE_FLAG_QR | WIRE_FLAG_RA | uq->rq.rcode |
			 (dn->secure ? WIRE_FLAG_AD : 0);
	unsigned int bflags = (uq->key.flags & CACHE_KEY_DO) ? 0 : RESOLVE_BUILD_NO_DNSSEC;

	wire_build_init(b, up->image, sizeof(up->image), sizeof(up->image));
	if (wire_build_header(b, 0, flags) != WIRE_OK ||
	    wire_build_question_raw(b, uq->qbytes, uq->qlen) != WIRE_OK)
		return 0;
	if (resolve_result_build_ex(&uq->rq, b, bflags) != WIRE_OK || uq->rq.truncated) {
		/* Header and question only, TC=1: clients retry over TCP. */
		up->stats.not_cached++;
		wire_put_u16(up->image + 2, flags | WIRE_FLAG_TC);
		memset(up->image + 6, 0, 6);
		return WIRE_HDR_LEN + uq->qlen;
	}
	if (dn->ttl_cap != UINT32_MAX)
		cap_ttls(up->image, b, dn->ttl_cap);
	return b->len;
}

static void chain_deliver(struct upstream *up, struct upstream_query *fetch,
			  const struct upstream_client *c, bool ok);
static void chain_resume(struct upstream *up, const struct upstream_client *c, uint64_t tsc);

/* Clients that are other resolutions' chains of trust: told before the slot is
 * released (they copy what they need from its result), resumed after (they may
 * start resolutions of their own, and finish, which reuses up->image). */
static unsigned int chain_clients(struct upstream *up, struct upstream_query *uq, bool ok,
				  struct upstream_client *out)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < uq->n_clients; i++) {
		if (uq->clients[i].kind != CLIENT_CHAIN)
			continue;
		chain_deliver(up, uq, &uq->clients[i], ok);
		out[n++] = uq->clients[i];
	}
	return n;
}

/* A control query's client (control/ctlq.h). */
static bool client_is_control(const struct upstream_client *c)
{
	return c->kind == CLIENT_TCP && c->msg->kind == UPSTREAM_MSG_CONTROL;
}

/* Control queries are told how the upstream answers arrived. */
static void control_note(const struct upstream_query *uq)
{
	for (unsigned int i = 0; i < uq->n_clients; i++) {
		const struct upstream_client *c = &uq->clients[i];

		if (client_is_control(c)) {
			c->msg->via = uq->via;
			c->msg->udp_max = uq->udp_max;
		}
	}
}

static void finish_done(struct upstream *up, struct upstream_query *uq,
			const struct image_dnssec *dn, uint64_t tsc)
{
	static const struct image_dnssec plain = { .secure = false, .ttl_cap = UINT32_MAX };
	struct upstream_client chain[UPSTREAM_WAITERS];
	struct wire_builder b;
	size_t len = build_image(up, uq, &b, dn != NULL ? dn : &plain);
	uint16_t ancount = len > WIRE_HDR_LEN ? wire_get_u16(up->image + 6) : 0;
	unsigned int n_chain;

	up->stats.resolved++;
	control_note(uq);
	/* The answer's RRsets are in the RRset store already: store_rrsets() kept them,
	 * with the rank their responses gave them, as those responses came in. */
	/* An answer without any record (an empty NODATA, no SOA) has no TTL: RFC 2308 §5
	 * says not to cache it; it lives cache-min-ttl, which is 0 unless configured. */
	if (len >= (size_t)WIRE_HDR_LEN + uq->qlen && len <= CACHE_IMAGE_MAX && !b.ttl_overflow) {
		struct cache_response r = {
			.msg = up->image, .len = len, .ttl_off = b.ttl_off,
			.ttl_count = b.ttl_count, .ttl_if_none = 0,
			.negative = uq->rq.rcode == WIRE_RCODE_NXDOMAIN ||
				    (uq->rq.rcode == WIRE_RCODE_NOERROR && ancount == 0),
		};

		if (cache_insert(up->sh->cache, up->w->lcore_id, &uq->key, &r,
				 cache_now(up->sh->cache)) != 0)
			up->stats.not_cached++;
	}
	for (unsigned int i = 0; i < uq->n_clients; i++)
		if (uq->clients[i].kind != CLIENT_CHAIN)
			client_answer_image(up, &uq->clients[i], up->image, len, WIRE_EDE_NONE,
					    NULL);
	n_chain = chain_clients(up, uq, true, chain);
	query_release(up, uq);
	for (unsigned int i = 0; i < n_chain; i++)
		chain_resume(up, &chain[i], tsc);
}

/* SERVFAIL with the answer chain the resolution gathered before a loop or the CNAME
 * limit stopped it (rq.chain_cut), as Knot Resolver and BIND answer: it shows where
 * the chain went. Not validated (no AD), not cached. */
static void client_answer_chain(struct upstream *up, struct upstream_query *uq,
				struct upstream_client *c, int ede, const char *text)
{
	static const struct image_dnssec plain = { .secure = false, .ttl_cap = UINT32_MAX };
	struct wire_builder b;
	size_t len = build_image(up, uq, &b, &plain);

	if (len == 0)
		client_answer_error(up, c, ede, text);
	else
		client_answer_image(up, c, up->image, len, ede, text);
}

/* SERVFAIL with @ede to every client (serve-stale first unless @no_stale: a bogus
 * answer is not a reason to serve an old one). */
static void finish_fail(struct upstream *up, struct upstream_query *uq, int ede,
			const char *text, bool no_stale, uint64_t tsc)
{
	struct upstream_client chain[UPSTREAM_WAITERS];
	bool with_chain = !no_stale && uq->rq.chain_cut && uq->rq.rr_count > 0;
	unsigned int n_chain;

	up->stats.failed++;
	control_note(uq);
	for (unsigned int i = 0; i < uq->n_clients; i++) {
		struct upstream_client *c = &uq->clients[i];

		if (c->kind == CLIENT_CHAIN)
			continue;
		if (!no_stale && !client_is_control(c) && client_answer_stale(up, c, &uq->key))
			continue;
		if (with_chain)
			client_answer_chain(up, uq, c, ede, text);
		else
			client_answer_error(up, c, ede, text);
	}
	n_chain = chain_clients(up, uq, false, chain);
	query_release(up, uq);
	for (unsigned int i = 0; i < n_chain; i++)
		chain_resume(up, &chain[i], tsc);
}

/*
 * Frame and send the query in m from the claimed port. Until the gateway's MAC is
 * known the query is parked (and retried by the timer every millisecond), so the
 * first queries after start-up wait for ARP/ND, not for a resolver timeout.
 */
static void transmit(struct upstream *up, struct upstream_query *uq, struct rte_mbuf *m,
		     const struct resolve_addr *to, uint16_t len, uint64_t tsc)
{
	struct worker_port *wp = &up->w->ports[0];
	struct rte_mbuf *solicit = NULL;
	int rc;

	rc = net_tx_udp(up->w->net, &wp->net, m, to->family, to->ip, uq->local_port, to->port,
			len, tsc, &solicit);
	if (solicit != NULL)
		send_frames(up, wp->port_id, &solicit, 1);
	if (rc == -EHOSTUNREACH) {
		up->stats.no_neighbour++;
		uq->parked = m;
		uq->parked_to = *to;
		m->hash.usr = len;
		return;
	}
	if (rc != 0) {
		rte_pktmbuf_free(m);
		return; /* the deadline retries elsewhere */
	}
	up->stats.sent++;
	send_frames(up, wp->port_id, &m, 1);
}

/* The upstream query the resolver built in m: from a newly claimed random port. */
static void send_upstream(struct upstream *up, struct upstream_query *uq, struct rte_mbuf *m,
			  const struct resolve_action *act, uint64_t tsc)
{
	unpark(uq);
	port_release(up, uq);
	uq->tcp_gen = 0;
	uq->local_port = port_claim(up, (uint32_t)(uq - up->q));
	if (uq->local_port == 0) {
		up->stats.no_port++;
		rte_pktmbuf_free(m);
		return; /* the deadline retries */
	}
	transmit(up, uq, m, &act->server, (uint16_t)act->len, tsc);
}

/*
 * The resolver wants the query in act->buf sent over TCP (after a TC=1 answer): a
 * message object to the TCP service, which connects, asks, and hands the answer
 * back through our ring. Nothing comes back on failure: the deadline runs out.
 */
static void send_upstream_tcp(struct upstream *up, struct upstream_query *uq,
			      const struct resolve_action *act, uint64_t tsc)
{
	uint64_t now = now_ms(up, tsc);
	struct upstream_msg *msg;

	unpark(uq);
	port_release(up, uq);
	uq->tcp_gen = 0;
	if (up->sh->msg_pool == NULL || act->len > UPSTREAM_MSG_MAX ||
	    rte_mempool_get(up->sh->msg_pool, (void **)&msg) != 0) {
		up->stats.tcp_no_msg++;
		return;
	}
	up->tcp_gen = up->tcp_gen + 1 == 0 ? 1 : up->tcp_gen + 1;
	uq->tcp_gen = up->tcp_gen;
	msg->kind = UPSTREAM_MSG_UPSTREAM;
	msg->worker = up->index;
	msg->slot = (uint32_t)(uq - up->q);
	msg->gen = uq->tcp_gen;
	msg->timeout_ms = act->deadline > now ? (uint32_t)(act->deadline - now) : 1;
	msg->server = act->server;
	msg->len = (uint16_t)act->len;
	memcpy(msg->data, act->buf, act->len);
	up->stats.tcp_upstream_sent++;
	msg_to_service(up, msg);
}

/* ---- RFC 8198: learning from secure negative answers -------------------------------- */

/* A resolution's answer validated SECURE (RRSIGs good for @ttl_cap more seconds): if
 * it is NXDOMAIN or NODATA, its NSEC/NSEC3 records can answer other names later. */
static void learn_denial(struct upstream *up, const struct upstream_query *uq,
			 uint32_t ttl_cap, uint64_t tsc)
{
	if (up->aggr != NULL && aggressive_learn(up->aggr, &uq->va, ttl_cap, cache_time(up, tsc)))
		up->stats.aggressive_learned++;
}

/* Run the resolver until it waits for the network or is done. */
/* ---- DNSSEC: the chain of trust over a finished resolution ------------------------- */

static void drive(struct upstream *up, struct upstream_query *uq, uint64_t tsc);
static struct upstream_query *find_running(struct upstream *up, const struct cache_key *k);
static struct upstream_query *start(struct upstream *up, const struct cache_key *k,
				    const struct query_info *qi, uint64_t tsc);

/* UNIX seconds for signature windows: the TSC-based clock, or the test override. */
static uint32_t validation_now(const struct upstream *up, uint64_t tsc)
{
	if (up->date_override != 0)
		return (uint32_t)up->date_override;
	return (uint32_t)(up->unix_at_tsc0 + tsc / up->tsc_hz);
}

/* Validate unless off, asked with CD=1 (the client takes the data as it is: its key
 * has CD, and so do the chain's own DS/DNSKEY fetches), or not an answer. */
static bool validation_wanted(const struct upstream *up, const struct upstream_query *uq)
{
	/* RRSIGs are not signed themselves (RFC 4035 §5.3): an answer to qtype RRSIG is
	 * passed on unvalidated, without AD, as other validators do */
	return up->vconf != NULL && !(uq->key.flags & CACHE_KEY_CD) &&
	       uq->key.qtype != WIRE_TYPE_RRSIG &&
	       (uq->rq.rcode == WIRE_RCODE_NOERROR || uq->rq.rcode == WIRE_RCODE_NXDOMAIN);
}

/* ---- Who sent what: bogus data is asked for again elsewhere ---- */

/* The hash a heard zone is kept under (FNV-1a over the lowercase name). */
static uint32_t heard_hash(const uint8_t *name, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = name[i];

		h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * 16777619u;
	}
	return h;
}

/* Remember that @addr answered for zone @zone_hash in this try (the latest
 * UPSTREAM_HEARD_MAX pairs). */
static void heard_keep(struct upstream_query *uq, uint32_t zone_hash,
		       const struct resolve_addr *addr)
{
	for (unsigned int i = 0; i < uq->n_heard; i++)
		if (uq->heard[i].zone_hash == zone_hash &&
		    resolve_addr_equal(&uq->heard[i].addr, addr))
			return;
	uq->heard[uq->heard_next] = (struct upstream_heard){ .zone_hash = zone_hash,
							      .addr = *addr };
	uq->heard_next = (uint8_t)((uq->heard_next + 1) % UPSTREAM_HEARD_MAX);
	if (uq->n_heard < UPSTREAM_HEARD_MAX)
		uq->n_heard++;
}

/* The server that gave fetch @from its answer, and the zone it was asked as: who
 * sent what @to's chain got from it. */
static void fetch_origin(struct upstream_query *to, const struct upstream_query *from)
{
	const struct resolve_dp *dp = &from->rq.frame[0].dp;

	to->fetch_server = from->rq.pending_addr;
	to->fetch_zone_len = dp->zone_len;
	memcpy(to->fetch_zone, dp->zone, dp->zone_len);
}

/* Mark the servers this try heard from for @zone as having sent bogus data. Returns
 * whether there were any; *other: whether the zone has a server left unmarked. */
static bool blame_zone(struct upstream *up, const struct upstream_query *uq,
		       const uint8_t *zone, size_t len, uint64_t now, bool *other)
{
	uint32_t h = heard_hash(zone, len);
	bool any = false;

	for (unsigned int i = 0; i < uq->n_heard; i++) {
		if (uq->heard[i].zone_hash != h)
			continue;
		*other = resolve_server_bogus(up->rctx, zone, len, &uq->heard[i].addr, now);
		any = true;
	}
	return any;
}

/*
 * Mark the server(s) that sent the bogus data of verdict @r (validate_chain.h, "Bogus
 * data"): the one that gave the answer, or the chain's latest fetch; for an RRset the
 * store had, those this try heard from for its zone (for the parent side's data, the
 * deepest zone above it). Returns whether any was marked; *other: whether the zone
 * has a server left that was not.
 */
static bool blame_servers(struct upstream *up, const struct upstream_query *uq,
			  const struct validate_chain_result *r, uint64_t now, bool *other)
{
	const uint8_t *name = r->origin;
	size_t len = r->origin_len;

	switch ((enum validate_chain_origin)r->origin_kind) {
	case VALIDATE_ORIGIN_ANSWER:
		*other = resolve_server_bogus(up->rctx, uq->va.zone, uq->va.zone_len,
					      &uq->rq.pending_addr, now);
		return true;
	case VALIDATE_ORIGIN_FETCH:
		if (uq->fetch_zone_len == 0)
			return false;
		*other = resolve_server_bogus(up->rctx, uq->fetch_zone, uq->fetch_zone_len,
					      &uq->fetch_server, now);
		return true;
	case VALIDATE_ORIGIN_STORE:
		if (!r->origin_above)
			return blame_zone(up, uq, name, len, now, other);
		while (len > 1) {
			len -= (size_t)name[0] + 1;
			name += name[0] + 1;
			if (blame_zone(up, uq, name, len, now, other))
				return true;
		}
		return false;
	case VALIDATE_ORIGIN_NONE:
		break;
	}
	return false;
}

/* env->lookup: an RRset from the store into scratch slot @slot. */
static bool chain_lookup(void *arg, unsigned int slot, const uint8_t *name, size_t len,
			 uint16_t type, struct validate_chain_rrset *out)
{
	struct upstream *up = arg;
	struct cache_rrset *rs = &up->vscratch[slot & 1];
	struct cache_rrset_key k;

	if (cache_rrset_key_init(up->sh->cache, &k, name, len, type, WIRE_CLASS_IN) != 0 ||
	    cache_rrset_lookup(up->sh->cache, up->w->lcore_id, &k, up->now, rs) !=
		    CACHE_RRSET_HIT)
		return false;
	out->rs = (struct validate_rrset){
		.owner = name, .owner_len = len, .type = type, .rclass = WIRE_CLASS_IN,
		.count = rs->rr_count, .data = rs->data, .rdoff = rs->rdoff, .rdlen = rs->rdlen,
	};
	out->sig_count = rs->sig_count;
	out->ttl = rs->ttl;
	out->ede = rs->why;
	out->status = rs->status == CACHE_RRSET_SECURE ? VALIDATE_CHAIN_SECURE :
		      rs->status == CACHE_RRSET_BOGUS ? VALIDATE_CHAIN_BOGUS :
		      rs->status == CACHE_RRSET_INSECURE ? VALIDATE_CHAIN_INSECURE :
		      VALIDATE_CHAIN_INDETERMINATE;
	return true;
}

/* env->mark: the chain's verdict on a DS or DNSKEY RRset goes into the store with it,
 * so the next answer of that zone finds its keys judged. */
static void chain_mark(void *arg, const uint8_t *name, size_t len, uint16_t type,
		       enum validate_chain_status status, uint16_t ede, uint32_t ttl_cap)
{
	struct upstream *up = arg;
	struct cache_rrset_key k;
	enum cache_rrset_status st = status == VALIDATE_CHAIN_SECURE ? CACHE_RRSET_SECURE :
				     status == VALIDATE_CHAIN_BOGUS ? CACHE_RRSET_BOGUS :
				     status == VALIDATE_CHAIN_INSECURE ? CACHE_RRSET_INSECURE :
				     CACHE_RRSET_INDETERMINATE;

	if (cache_rrset_key_init(up->sh->cache, &k, name, len, type, WIRE_CLASS_IN) == 0)
		(void)cache_rrset_set_status(up->sh->cache, up->w->lcore_id, &k, st, ede,
					     ttl_cap, up->now);
}

/* Start (or join) the resolution of (@f->name, @f->type) with DO and CD for @uq's chain:
 * CD because the chain judges it, and so that it is never validated on its own. */
static bool chain_fetch(struct upstream *up, struct upstream_query *uq,
			const struct validate_chain_fetch *f, uint64_t tsc)
{
	struct upstream_client c = { .kind = CLIENT_CHAIN, .parent = (uint32_t)(uq - up->q),
				     .parent_gen = uq->gen };
	uint8_t q[WIRE_NAME_MAX + 4];
	struct query_info qi;
	struct upstream_query *fq;
	struct cache_key k;

	memcpy(q, f->name, f->name_len);
	wire_put_u16(q + f->name_len, f->type);
	wire_put_u16(q + f->name_len + 2, WIRE_CLASS_IN);
	if (cache_key_init(up->sh->cache, &k, q, f->name_len + 4u,
			   CACHE_KEY_DO | CACHE_KEY_CD) != 0)
		return false;
	fq = find_running(up, &k);
	if (fq != NULL) {
		if (fq->n_clients >= UPSTREAM_WAITERS)
			return false;
		fq->clients[fq->n_clients++] = c;
		return true;
	}
	memset(&qi, 0, sizeof(qi));
	memcpy(qi.qname, f->name, f->name_len);
	qi.qname_len = f->name_len;
	qi.qtype = f->type;
	qi.qclass = WIRE_CLASS_IN;
	fq = start(up, &k, &qi, tsc);
	if (fq == NULL)
		return false;
	up->stats.val_fetches++;
	fq->clients[fq->n_clients++] = c;
	drive(up, fq, tsc);
	return true;
}

/* RFC 7646 §2: data let through by a negative trust anchor that ends must not
 * outlive it in the cache: the seconds it has left, or UINT32_MAX. */
static uint32_t nta_ttl_cap(const struct upstream *up, const struct upstream_query *uq,
			    uint32_t now)
{
	uint32_t cap = UINT32_MAX;

	for (unsigned int i = 0; i < up->vconf->n_ntas; i++) {
		const struct validate_nta *t = &up->vconf->ntas[i];

		if (t->expires != 0 && t->expires > now &&
		    wire_name_is_subdomain(uq->key.name, uq->key.name_len, t->name, t->name_len))
			cap = RTE_MIN(cap, (uint32_t)(t->expires - now));
	}
	return cap;
}

/*
 * Bogus data (validate_chain.h, "Bogus data"): the servers that sent it are marked
 * for their zone (asked again only when no other is left) and the question is
 * resolved and validated again, as Unbound does, while tries are left and another
 * server may answer. The clients keep waiting. The tries share one client query's
 * work limits: the resolver's upstream queries and the chain's fetches go on from
 * what the earlier tries used, so a bogus zone cannot multiply them.
 */
static bool validation_retry(struct upstream *up, struct upstream_query *uq, uint64_t tsc)
{
	const struct validate_chain_result *r = &uq->vc.result;
	uint64_t now = now_ms(up, tsc);
	uint8_t qname[WIRE_NAME_MAX];
	size_t qlen = uq->rq.qname_len;
	uint16_t qtype = uq->rq.qtype, qclass = uq->rq.qclass, sends = uq->rq.sends;
	bool other = true;

	if (uq->bogus_retries >= UPSTREAM_BOGUS_RETRIES ||
	    r->origin_kind == VALIDATE_ORIGIN_NONE)
		return false;
	/* None to blame: the store had the data from an earlier query; it is dropped
	 * there once found bogus, so the next try fetches it from a server we know. */
	if (blame_servers(up, uq, r, now, &other) && !other)
		return false;
	memcpy(qname, uq->rq.qname, qlen);
	if (resolve_start(&uq->rq, qname, qlen, qtype, qclass, now) != 0)
		return false;
	uq->rq.sends = sends;
	uq->n_heard = 0;
	uq->heard_next = 0;
	uq->fetch_zone_len = 0;
	uq->bogus_retries++;
	uq->bogus_ede = r->ede != 0 ? r->ede : WIRE_EDE_DNSSEC_BOGUS;
	uq->bogus_why = r->why != NULL ? r->why : "DNSSEC bogus";
	up->stats.val_bogus_retries++;
	drive(up, uq, tsc);
	return true;
}

/* The chain's verdict: answer, or SERVFAIL with the EDE that says why. */
static void validation_end(struct upstream *up, struct upstream_query *uq, uint64_t tsc)
{
	const struct validate_chain_result *r = &uq->vc.result;
	struct image_dnssec dn = { .secure = r->status == VALIDATE_CHAIN_SECURE,
				   .ttl_cap = UINT32_MAX };

	uq->validating = false;
	switch (r->status) {
	case VALIDATE_CHAIN_SECURE:
		up->stats.val_secure++;
		dn.ttl_cap = r->ttl_cap;
		learn_denial(up, uq, r->ttl_cap, tsc);
		break;
	case VALIDATE_CHAIN_BOGUS:
		if (validation_retry(up, uq, tsc))
			return;
		up->stats.val_bogus++;
		finish_fail(up, uq, r->ede ? r->ede : WIRE_EDE_DNSSEC_BOGUS,
			    r->why != NULL ? r->why : "DNSSEC bogus", true, tsc);
		return;
	case VALIDATE_CHAIN_INSECURE:
		up->stats.val_insecure++;
		dn.ttl_cap = nta_ttl_cap(up, uq, uq->vc.now);
		break;
	default:
		up->stats.val_indeterminate++;
		break;
	}
	finish_done(up, uq, &dn, tsc);
}

/* The chain's view of this worker: its key cache, batch and RRset store. */
static struct validate_chain_env validation_env(struct upstream *up,
						struct validate_chain_stats *cs)
{
	return (struct validate_chain_env){ .keys = up->vkeys, .batch = up->vbatch,
		.lookup = chain_lookup, .mark = chain_mark, .arg = up, .stats = cs };
}

static void validation_count(struct upstream *up, const struct validate_chain_stats *cs)
{
	up->stats.val_batch_shared += cs->jobs_shared;
	up->stats.val_batch_full += cs->batch_full;
}

/* The chain's jobs are in the batch: it goes on after the run at the end of the poll
 * (validation_flush). */
static void validation_wait(struct upstream *up, struct upstream_query *uq, uint64_t tsc)
{
	if (unlikely(up->n_vwait == 2 * up->n_q)) {
		/* cannot happen (one entry per chain, see upstream_validation_enable) */
		uq->validating = false;
		finish_fail(up, uq, WIRE_EDE_OTHER, "validation queue full", true, tsc);
		return;
	}
	up->vwait[up->n_vwait++] = (struct upstream_vwait){ .slot = (uint32_t)(uq - up->q),
							     .gen = uq->gen };
	uq->crypto_wait = true;
	up->stats.val_batch_waits++;
}

/* Run the chain until it needs a fetch (then wait for it), waits for the batch run, or
 * is done. It keeps no handle into the batch or the key cache between calls: those
 * are emptied only when no chain waits (validation_flush). */
static void validation_step(struct upstream *up, struct upstream_query *uq, uint64_t tsc)
{
	struct validate_chain_stats cs = { 0 };
	const struct validate_chain_env env = validation_env(up, &cs);
	struct validate_chain_fetch f;
	enum validate_chain_action a;

	cache_time(up, tsc);
	up->vdirty = true;
	for (;;) {
		a = validate_chain_next(&uq->vc, &env, &f);
		if (a != VALIDATE_CHAIN_FETCH)
			break;
		uq->fetching = true;
		if (chain_fetch(up, uq, &f, tsc)) {
			validation_count(up, &cs);
			return;
		}
		uq->fetching = false;
		if (uq->fetch_retries < UPSTREAM_FETCH_RETRIES) {
			/* no slot on the fetch (or in the pool) now: ask again shortly, a
			 * burst of answers of one new zone is not a reason to fail them */
			uq->fetch_retries++;
			uq->retry_at = now_ms(up, tsc) + UPSTREAM_FETCH_RETRY_MS;
			up->stats.val_fetch_retries++;
			validate_chain_fetch_later(&uq->vc);
			validation_count(up, &cs);
			return;
		}
		up->stats.val_fetch_failed++;
		validate_chain_fetch_failed(&uq->vc);
	}
	validation_count(up, &cs);
	if (a == VALIDATE_CHAIN_CRYPTO)
		validation_wait(up, uq, tsc);
	else
		validation_end(up, uq, tsc);
}

/* The waiting resolution of entry @e, if it still waits (its slot not reused). */
static struct upstream_query *vwait_query(struct upstream *up, struct upstream_vwait e)
{
	struct upstream_query *uq = e.slot < up->n_q ? &up->q[e.slot] : NULL;

	if (uq == NULL || !uq->active || uq->gen != e.gen || !uq->validating || !uq->crypto_wait)
		return NULL;
	return uq;
}

/* Every chain that waited when the round began goes on, in order. Those that wait
 * again, and chains that start waiting meanwhile (a fetch they waited for ended with
 * a chain that finished), are appended: they are the next round's. */
static void validation_pass(struct upstream *up, uint64_t tsc)
{
	uint32_t n = up->n_vwait;

	for (uint32_t i = 0; i < n; i++) {
		struct upstream_query *uq = vwait_query(up, up->vwait[i]);

		if (uq == NULL)
			continue;
		uq->crypto_wait = false;
		validation_step(up, uq, tsc);
	}
	memmove(up->vwait, up->vwait + n, (up->n_vwait - n) * sizeof(up->vwait[0]));
	up->n_vwait -= n;
}

/* Batch runs per poll at most: a chain moves one verification step per round (DS,
 * then DNSKEY, zone by zone, then the answer), so a few rounds finish most of those
 * whose keys were fetched; the rest goes on in the next poll. */
#define VALIDATION_ROUNDS 4

static void count_run(struct upstream *up, int ran)
{
	if (ran <= 0)
		return;
	up->stats.val_batch_runs++;
	up->stats.val_batch_jobs += (uint64_t)ran;
	up->stats.val_batch_multi += ran > 1;
}

/*
 * End of a poll: every validation made ready during it (by upstream responses in the
 * bursts and hand-offs, TCP answers, timers, finished fetches) has added its jobs to
 * the one batch; they are verified together, deduplicated and hashed side by side.
 * A round (validate_chain.h, "the protocol"): run the batch, then each waiting chain
 * reads its results and goes on: it finishes, fetches, or waits again with its next
 * step's jobs, which the next round runs. When no chain waits the batch is emptied and
 * the keys it used may be evicted again.
 */
static void validation_flush(struct upstream *up, uint64_t tsc)
{
	if (up->n_vwait == 0 && !up->vdirty)
		return;     /* every poll comes here: nothing to do is the common case */

	struct validate_chain_stats cs = { 0 };
	const struct validate_chain_env env = validation_env(up, &cs);

	for (unsigned int r = 0; r < VALIDATION_ROUNDS && up->n_vwait > 0; r++) {
		count_run(up, validate_chain_run_batch(&env));
		validation_pass(up, tsc);
	}
	if (up->n_vwait == 0 && up->vdirty) {
		validate_batch_reset(up->vbatch);
		validate_key_cache_release(up->vkeys);
		up->vdirty = false;
	}
}

/* The resolver's result as the chain reads it; the records stay in uq->rq. */
static void validation_begin(struct upstream *up, struct upstream_query *uq, uint64_t tsc)
{
	const struct resolve_query *rq = &uq->rq;
	const struct resolve_dp *dp = &rq->frame[rq->depth].dp;
	unsigned int n = RTE_MIN(rq->rr_count, (unsigned int)VALIDATE_CHAIN_RR_MAX);

	for (unsigned int i = 0; i < n; i++) {
		const struct resolve_rr *r = &rq->rr[i];

		uq->vrr[i] = (struct validate_chain_rr){
			.owner = resolve_rr_owner(rq, (uint16_t)i), .owner_len = r->owner_len,
			.section = r->section == RESOLVE_SECTION_REFERRAL
					   ? VALIDATE_CHAIN_SECTION_REFERRAL : r->section,
			.type = r->type, .rclass = r->class,
			.ttl = r->ttl, .rdata = resolve_rr_rdata(rq, (uint16_t)i),
			.rdlen = r->rdlen,
		};
	}
	uq->va = (struct validate_chain_answer){
		.qname = uq->key.name, .qname_len = (uint8_t)uq->key.name_len,
		.qtype = uq->key.qtype, .qclass = uq->key.qclass, .rcode = rq->rcode,
		.rr = uq->vrr, .n_rr = n, .zone = dp->zone, .zone_len = dp->zone_len,
	};
	uq->validating = true;
	uq->fetching = false;
	uq->crypto_wait = false;
	/* The resolver's timer is over: the chain waits on fetches (each with timers of
	 * its own) and batch runs (bounded), and a late timer would restart it. */
	uq->deadline = 0;
	if (uq->bogus_retries > 0)
		validate_chain_restart(&uq->vc, &uq->va, validation_now(up, tsc));
	else
		validate_chain_start(&uq->vc, up->vconf, &uq->va, validation_now(up, tsc));
	validation_step(up, uq, tsc);
}

/* The waiting parent of chain client @c, if it still waits (its slot not reused). */
static struct upstream_query *chain_parent(struct upstream *up, const struct upstream_client *c)
{
	struct upstream_query *p = c->parent < up->n_q ? &up->q[c->parent] : NULL;

	if (p == NULL || !p->active || p->gen != c->parent_gen || !p->validating ||
	    !p->fetching)
		return NULL;
	return p;
}

/* The fetch @fetch finished (@ok: with an answer): a negative answer is copied into
 * the parent's chain (the store cannot be asked for absence); a positive one is in
 * the store already. */
static void chain_deliver(struct upstream *up, struct upstream_query *fetch,
			  const struct upstream_client *c, bool ok)
{
	struct upstream_query *p = chain_parent(up, c);
	const struct resolve_query *rq = &fetch->rq;
	struct validate_chain_rr rr[32];
	unsigned int n = 0;
	bool positive = false;

	if (p == NULL)
		return;
	fetch_origin(p, fetch);
	if (!ok) {
		up->stats.val_fetch_failed++;
		validate_chain_fetch_failed(&p->vc);
		return;
	}
	for (uint16_t i = 0; i < rq->rr_count; i++) {
		const struct resolve_rr *r = &rq->rr[i];

		if (r->section == WIRE_SECTION_ANSWER && r->type == fetch->key.qtype)
			positive = true;
		if (r->section == WIRE_SECTION_AUTHORITY && n < RTE_DIM(rr))
			rr[n++] = (struct validate_chain_rr){
				.owner = resolve_rr_owner(rq, i), .owner_len = r->owner_len,
				.section = r->section, .type = r->type, .rclass = r->class,
				.ttl = r->ttl, .rdata = resolve_rr_rdata(rq, i), .rdlen = r->rdlen,
			};
	}
	if (!positive && validate_chain_supply_negative(&p->vc, rq->rcode, rr, n) != 0) {
		up->stats.val_fetch_failed++;
		validate_chain_fetch_failed(&p->vc);
	}
}

static void chain_resume(struct upstream *up, const struct upstream_client *c, uint64_t tsc)
{
	struct upstream_query *p = chain_parent(up, c);

	if (p == NULL)
		return;
	p->fetching = false;
	validation_step(up, p, tsc);
}

static void drive(struct upstream *up, struct upstream_query *uq, uint64_t tsc)
{
	struct resolve_action act;
	struct rte_mbuf *m = rte_pktmbuf_alloc(up->pool);

	if (m == NULL) {
		uq->deadline = now_ms(up, tsc) + 10; /* try again shortly */
		return;
	}
	act.buf = net_udp_payload(m);
	act.buf_cap = rte_pktmbuf_tailroom(m);
	switch (resolve_next(up->rctx, &uq->rq, now_ms(up, tsc), &act)) {
	case RESOLVE_SEND:
		uq->deadline = act.deadline;
		if (act.tcp) {
			send_upstream_tcp(up, uq, &act, tsc);
			rte_pktmbuf_free(m);
			return;
		}
		send_upstream(up, uq, m, &act, tsc);
		return;
	case RESOLVE_WAIT:
		uq->deadline = act.deadline;
		rte_pktmbuf_free(m);
		return;
	case RESOLVE_DONE:
		rte_pktmbuf_free(m);
		if (validation_wanted(up, uq))
			validation_begin(up, uq, tsc);
		else
			finish_done(up, uq, NULL, tsc);
		return;
	case RESOLVE_FAIL:
	default:
		rte_pktmbuf_free(m);
		if (uq->bogus_retries > 0) /* the other servers failed: the data was bogus */
			finish_fail(up, uq, uq->bogus_ede, uq->bogus_why, true, tsc);
		else
			finish_fail(up, uq, act.ede, act.ede_text, false, tsc);
		return;
	}
}

static struct upstream_query *find_running(struct upstream *up, const struct cache_key *k)
{
	uint32_t i = up->run_head[k->hash & up->run_mask];

	for (; i != 0; i = up->q[i - 1].run_next) {
		struct upstream_query *uq = &up->q[i - 1];

		if (uq->active && uq->key.hash == k->hash && uq->key.flags == k->flags &&
		    uq->key.qtype == k->qtype && uq->key.qclass == k->qclass &&
		    uq->key.name_len == k->name_len &&
		    memcmp(uq->key.name, k->name, k->name_len) == 0)
			return uq;
	}
	return NULL;
}

/* A new resolution for (qi's question) under key k; NULL when the pool is empty. */
static struct upstream_query *start(struct upstream *up, const struct cache_key *k,
				    const struct query_info *qi, uint64_t tsc)
{
	struct upstream_query *uq;

	if (up->n_free == 0)
		return NULL;
	uq = &up->q[up->free[--up->n_free]];
	uq->active = true;
	uq->gen++;
	uq->retry_at = 0;
	uq->fetch_retries = 0;
	uq->validating = false;
	uq->fetching = false;
	uq->prefetch = false;
	uq->bogus_retries = 0;
	uq->n_heard = 0;
	uq->heard_next = 0;
	uq->fetch_zone_len = 0;
	uq->n_clients = 0;
	uq->local_port = 0;
	uq->via = 0;
	uq->udp_max = 0;
	uq->deadline = 0;
	uq->tcp_gen = 0;
	uq->parked = NULL;
	uq->qlen = (uint16_t)(k->name_len + 4);
	memcpy(uq->qbytes, k->name, k->name_len);
	wire_put_u16(uq->qbytes + k->name_len, k->qtype);
	wire_put_u16(uq->qbytes + k->name_len + 2, k->qclass);
	uq->key = *k;
	uq->key.question = uq->qbytes;
	uq->key.qlen = uq->qlen;
	/* The client's letter case goes upstream as it was asked. */
	uq->owns_question = false;
	if (resolve_start(&uq->rq, qi->qname, qi->qname_len, qi->qtype, qi->qclass,
			  now_ms(up, tsc)) != 0) {
		query_release(up, uq);
		return NULL;
	}
	run_link(up, uq);
	question_claim(up, uq);
	return uq;
}

static void prefetch(struct upstream *up, const struct cache_key *k,
		     const struct query_info *qi, uint64_t tsc)
{
	struct upstream_query *uq;

	/* Refreshing is optional: only while most of the pool is free. */
	if (up->n_free < up->n_q / 2 || find_running(up, k) != NULL)
		return;
	uq = start(up, k, qi, tsc);
	if (uq == NULL)
		return;
	uq->prefetch = true;
	up->stats.prefetches++;
	drive(up, uq, tsc);
}

/* The cache key bits of a client's query. */
static unsigned int key_flags(const struct query_info *qi)
{
	return (qi->do_bit ? CACHE_KEY_DO : 0) | ((qi->flags & WIRE_FLAG_CD) ? CACHE_KEY_CD : 0);
}

/* The cache key of a client's question (q: its bytes); false when it has none
 * (answered FORMERR). */
static bool client_key(struct upstream *up, struct upstream_client *tmp, struct cache_key *k,
		       const uint8_t *q)
{
	const struct query_info *qi = &tmp->qi;
	size_t room;
	uint8_t *out;

	if (cache_key_init(up->sh->cache, k, q, qi->q_len, key_flags(qi)) == 0)
		return true;
	out = client_payload(tmp, &room);
	client_send(up, tmp, query_answer_error(up->w->env, qi, WIRE_RCODE_FORMERR, out, room,
						WIRE_EDE_NONE, NULL, &up->w->qstats));
	return false;
}

/*
 * RFC 8198: a miss below a zone whose validated NSEC/NSEC3 records already prove
 * NXDOMAIN or NODATA is answered from them, and the answer cached like a resolved
 * one. Not for CD=1: such a client wants the authoritative data as it is, to judge
 * it itself, not our conclusions from other answers.
 */
static bool answer_from_denial(struct upstream *up, struct upstream_client *c,
			       const struct cache_key *k, uint64_t tsc)
{
	struct wire_builder b;
	enum aggressive_result r;

	if (up->aggr == NULL || (k->flags & CACHE_KEY_CD))
		return false;
	r = aggressive_answer(up->aggr, k, cache_time(up, tsc), validation_now(up, tsc), &b,
			      up->image, CACHE_IMAGE_MAX);
	up->stats.aggressive_unproven += r == AGGRESSIVE_UNPROVEN;
	if (r != AGGRESSIVE_NXDOMAIN && r != AGGRESSIVE_NODATA)
		return false;
	if (r == AGGRESSIVE_NXDOMAIN)
		up->stats.aggressive_nxdomain++;
	else
		up->stats.aggressive_nodata++;
	struct cache_response cr = {
		.msg = up->image, .len = b.len, .ttl_off = b.ttl_off, .ttl_count = b.ttl_count,
		.ttl_if_none = 60, .negative = true,
	};
	if (cache_insert(up->sh->cache, up->w->lcore_id, k, &cr, up->now) != 0)
		up->stats.not_cached++;
	client_answer_image(up, c, up->image, b.len, WIRE_EDE_NONE, NULL);
	return true;
}

/* A client (UDP or TCP) with its cache key k, for the cache or the resolver. */
static void client_lookup(struct upstream *up, struct upstream_client *c,
			  const struct cache_key *k, uint64_t tsc)
{
	const struct query_info *qi = &c->qi;
	struct upstream_query *uq;
	size_t room, len = 0;
	uint8_t *out = client_payload(c, &room);
	uint32_t sum = WIRE_CSUM_UNKNOWN;
	enum cache_result cr;

	/* A UDP hit's checksum comes from the image's stored sum (no read-back). */
	cr = cache_lookup_sum(up->sh->cache, up->w->lcore_id, k, qi->id, cache_time(up, tsc),
			      0, out, room, &len, c->kind == CLIENT_UDP ? &sum : NULL);
	if (cr == CACHE_TOO_BIG && room < CACHE_IMAGE_MAX) {
		/* The image is copied whole even when the client gets TC=1 (it is cut in
		 * place), so the room must hold the image. */
		out = client_room(up, c, RTE_MAX(len, answer_need(up, c, len, WIRE_EDE_NONE, NULL)),
				  &room);
		cr = cache_lookup_sum(up->sh->cache, up->w->lcore_id, k, qi->id,
				      cache_time(up, tsc), 0, out, room, &len,
				      c->kind == CLIENT_UDP ? &sum : NULL);
	}
	if (cr == CACHE_HIT || cr == CACHE_HIT_PREFETCH) {
		up->stats.cache_answers++;
		len = query_answer_image_sum(up->w->env, qi, out, len, room, WIRE_EDE_NONE, NULL,
					     &up->w->qstats, &sum);
		client_send_sum(up, c, len, sum);
		if (cr == CACHE_HIT_PREFETCH)
			prefetch(up, k, qi, tsc);
		return;
	}
	if (answer_from_denial(up, c, k, tsc))
		return;
	if (!(qi->flags & WIRE_FLAG_RD)) {
		/* RD=0: the cache's answer or nothing; no resolution on its behalf. */
		client_send(up, c, query_answer_error(up->w->env, qi, WIRE_RCODE_REFUSED, out,
						      room, WIRE_EDE_NONE, NULL, &up->w->qstats));
		return;
	}
	uq = find_running(up, k);
	if (uq == NULL && hand_to_owner(up, c, k))
		return;
	if (uq != NULL && !uq->prefetch && uq->n_clients < UPSTREAM_WAITERS) {
		up->stats.joined++;
		uq->clients[uq->n_clients++] = *c;
		return;
	}
	uq = uq == NULL ? start(up, k, qi, tsc) : NULL;
	if (uq == NULL) {
		up->stats.pool_full++;
		client_answer_failure(up, c, k, WIRE_EDE_OTHER, "resolver busy");
		return;
	}
	up->stats.resolutions++;
	uq->clients[uq->n_clients++] = *c;
	drive(up, uq, tsc);
}

void upstream_client_query(struct upstream *up, struct worker_port *wp, struct rte_mbuf *m,
			   const struct net_pkt *p, const struct query_info *qi,
			   const uint8_t *q, uint64_t tsc)
{
	struct upstream_client c = { .kind = CLIENT_UDP, .m = m, .p = *p, .wp = wp, .qi = *qi };
	struct cache_key k;

	if (client_key(up, &c, &k, q))
		client_lookup(up, &c, &k, tsc);
}

/* The UDP client of a kept query and its question bytes (q_len of them: they fit,
 * a question being at most WIRE_NAME_MAX + 4 bytes); its query info is in place. */
static void pend_fill(struct upstream_pending *pd, struct worker_port *wp,
		      struct rte_mbuf *m, const struct net_pkt *p, const uint8_t *q,
		      uint16_t q_len)
{
	pd->c.kind = CLIENT_UDP;
	pd->c.m = m;
	pd->c.msg = NULL;
	pd->c.p = *p;
	pd->c.wp = wp;
	memcpy(pd->q, q, q_len);
}

/* Keeps the query of a UDP client for upstream_client_flush() (its key still to be
 * made): NULL when there is no room (or the question is too long to keep). */
static struct upstream_pending *pend_slot(struct upstream *up, struct worker_port *wp,
					  struct rte_mbuf *m, const struct net_pkt *p,
					  const struct query_info *qi, const uint8_t *q)
{
	struct upstream_pending *pd = &up->pend[up->n_pend];

	if (up->n_pend == UPSTREAM_PENDING || qi->q_len > sizeof(pd->q))
		return NULL;
	query_info_copy(&pd->c.qi, qi);
	pend_fill(pd, wp, m, p, q, qi->q_len);
	return pd;
}

/* The slot's key is made: the bucket loads while the rest of the burst is parsed. */
static void pend_keep(struct upstream *up, struct upstream_pending *pd)
{
	cache_prefetch_key(up->sh->cache, &pd->k);
	up->n_pend++;
}

void upstream_client_defer(struct upstream *up, struct worker_port *wp, struct rte_mbuf *m,
			   const struct net_pkt *p, const struct query_info *qi,
			   const uint8_t *q, uint64_t tsc)
{
	struct upstream_pending *pd = pend_slot(up, wp, m, p, qi, q);

	if (pd == NULL)
		upstream_client_query(up, wp, m, p, qi, q, tsc);
	else if (client_key(up, &pd->c, &pd->k, pd->q))
		pend_keep(up, pd);
}

void upstream_client_defer_lower(struct upstream *up, struct worker_port *wp,
				 struct rte_mbuf *m, const struct net_pkt *p,
				 const struct query_info *qi, const uint8_t *q,
				 const uint8_t *lname, uint64_t name_hash, uint64_t tsc)
{
	struct upstream_pending *pd = pend_slot(up, wp, m, p, qi, q);

	if (pd == NULL) {
		/* q is in the packet, where the answer is written: copied aside first */
		memcpy(up->w->qbuf, q, qi->q_len);
		upstream_client_query(up, wp, m, p, qi, up->w->qbuf, tsc);
		return;
	}
	cache_key_init_lower(up->sh->cache, &pd->k, pd->q, qi->q_len, lname, name_hash,
			     key_flags(qi));
	pend_keep(up, pd);
}

bool upstream_client_slot(struct upstream *up, struct upstream_slot *s)
{
	struct upstream_pending *pd = &up->pend[up->n_pend];

	if (up->n_pend == UPSTREAM_PENDING)
		return false;
	s->lname = pd->k.name;
	s->qi = &pd->c.qi;
	return true;
}

void upstream_client_keep(struct upstream *up, struct worker_port *wp, struct rte_mbuf *m,
			  const struct net_pkt *p, const uint8_t *q, uint64_t name_hash)
{
	struct upstream_pending *pd = &up->pend[up->n_pend];
	const struct query_info *qi = &pd->c.qi;

	/* query_fast() filled qi: q_len is a checked name's length + 4, which pd->q holds */
	pend_fill(pd, wp, m, p, q, qi->q_len);
	cache_key_init_lower(up->sh->cache, &pd->k, pd->q, qi->q_len, pd->k.name, name_hash,
			     key_flags(qi));
	pend_keep(up, pd);
}

void upstream_client_flush(struct upstream *up, uint64_t tsc)
{
	const struct cache_key *keys[UPSTREAM_PENDING];
	uint16_t n = up->n_pend;

	if (n == 0)
		return;
	for (uint16_t i = 0; i < n; i++)
		keys[i] = &up->pend[i].k;
	cache_prefetch_burst(up->sh->cache, keys, n);
	up->batching = true;
	for (uint16_t i = 0; i < n; i++)
		client_lookup(up, &up->pend[i].c, &up->pend[i].k, tsc);
	up->n_pend = 0;
	up->batching = false;
	tx_flush(up);
}

/* ---- upstream responses ---------------------------------------------------------------- */

/*
 * What a response to a query's outstanding upstream query may be trusted for, taken
 * before resolve_response() moves the query on (a referral replaces the zone): the
 * zone its server was asked as authoritative for (the root for a forwarder, whose
 * answers are taken as given), and the resolver's count of lame marks, which says
 * afterwards whether it judged the response lame.
 */
struct upstream_asked {
	uint8_t zone_len;
	uint8_t zone[WIRE_NAME_MAX];
	uint64_t lame_marked;
	uint32_t dp_hash;               /* heard_hash() of the delegation's zone (for a
	                                 * forwarder too: its servers are marked for it) */
};

static void asked_of(const struct upstream *up, const struct upstream_query *uq,
		     struct upstream_asked *a)
{
	const struct resolve_dp *dp = &uq->rq.frame[uq->rq.depth].dp;

	a->lame_marked = up->rctx->stats.lame_marked;
	a->dp_hash = heard_hash(dp->zone, dp->zone_len);
	a->zone_len = 1;
	a->zone[0] = 0;
	if (dp->kind != RESOLVE_DP_FORWARD && dp->zone_len > 0) {
		a->zone_len = dp->zone_len;
		memcpy(a->zone, dp->zone, dp->zone_len);
	}
}

/*
 * Every response the resolver accepted feeds the RRset store (answers, negative
 * answers, referrals with their NS, DS and glue; RRSIGs with what they cover), only
 * inside the asked zone, unless the resolver judged it lame or asks again (TC=1,
 * EDNS or QNAME-minimisation fallback): what it will not use is not kept either.
 * The finished answer's RRsets are among them: they came in this way.
 */
static void store_rrsets(struct upstream *up, struct upstream_query *uq,
			 const struct upstream_asked *a, const uint8_t *msg, size_t len,
			 const struct resolve_addr *from, uint64_t tsc)
{
	if (uq->rq.resend || up->rctx->stats.lame_marked != a->lame_marked)
		return;
	cache_rrset_store_msg(up->sh->cache, up->w->lcore_id, msg, len, a->zone, a->zone_len,
			      cache_time(up, tsc));
	heard_keep(uq, a->dp_hash, from);
}

/* Hand a response to the resolver; when it accepts it, feed the RRset store. */
static bool response_accepted(struct upstream *up, struct upstream_query *uq,
			      const uint8_t *msg, size_t len, const struct resolve_addr *from,
			      uint64_t tsc)
{
	struct upstream_asked asked;

	asked_of(up, uq, &asked);
	if (resolve_response(up->rctx, &uq->rq, msg, len, from, now_ms(up, tsc)) !=
	    RESOLVE_RESP_ACCEPTED)
		return false;
	store_rrsets(up, uq, &asked, msg, len, from, tsc);
	return true;
}

static void handle_response(struct upstream *up, uint32_t slot, struct rte_mbuf *m,
			    const struct upstream_meta *mt, uint64_t tsc)
{
	struct upstream_query *uq = slot < up->n_q ? &up->q[slot] : NULL;
	struct resolve_addr from = { .family = mt->ip_version, .port = mt->src_port };
	const uint8_t *msg = rte_pktmbuf_mtod_offset(m, const uint8_t *, mt->payload_off);

	memcpy(from.ip, mt->src, mt->ip_version == 4 ? 4 : 16);
	if (uq == NULL || !uq->active || uq->local_port != mt->dst_port ||
	    !response_accepted(up, uq, msg, mt->payload_len, &from, tsc)) {
		up->stats.ignored++;
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_free(m);
	up->stats.responses++;
	uq->via |= mt->reassembled ? UPSTREAM_VIA_FRAGMENTED : UPSTREAM_VIA_UDP;
	if (mt->payload_len > uq->udp_max)
		uq->udp_max = mt->payload_len;
	unpark(uq);
	port_release(up, uq);
	drive(up, uq, tsc);
}

static void meta_from_pkt(struct upstream_meta *mt, const struct net_pkt *p)
{
	mt->payload_off = p->payload_off;
	mt->payload_len = p->payload_len;
	mt->src_port = p->src_port;
	mt->dst_port = p->dst_port;
	mt->ip_version = p->ip_version;
	mt->reassembled = p->reassembled;
	memcpy(mt->src, p->ip_version == 4 ? (const uint8_t *)&p->src.v4 : p->src.v6,
	       p->ip_version == 4 ? 4 : 16);
}

bool upstream_rx(struct upstream *up, struct rte_mbuf *m, const struct net_pkt *p,
		 uint64_t tsc)
{
	uint32_t owner = __atomic_load_n(&up->sh->port_owner[p->dst_port], __ATOMIC_ACQUIRE);
	struct upstream_meta mt;
	unsigned int worker;

	if (owner == 0)
		return false;
	meta_from_pkt(&mt, p);
	worker = (owner >> 24) - 1;
	if (worker == up->index) {
		handle_response(up, owner & 0xffffff, m, &mt, tsc);
		return true;
	}
	*RTE_MBUF_DYNFIELD(m, up->sh->meta_offset, struct upstream_meta *) = mt;
	m->hash.usr = owner & 0xffffff;
	if (worker >= up->sh->n_workers || rte_ring_enqueue(up->sh->handoff[worker], m) != 0) {
		up->stats.handoff_drop++;
		rte_pktmbuf_free(m);
		return true;
	}
	up->stats.handoff_out++;
	return true;
}

/* An authoritative server's answer read over TCP: like a datagram from server:53. */
/* The try of uq got no answer: on to the resolver's next choice now. */
static void try_failed(struct upstream *up, struct upstream_query *uq, uint64_t tsc)
{
	unpark(uq);
	port_release(up, uq);
	uq->tcp_gen = 0;
	uq->deadline = 0;
	resolve_timeout(up->rctx, &uq->rq, now_ms(up, tsc));
	drive(up, uq, tsc);
}

static void tcp_upstream_answer(struct upstream *up, struct upstream_msg *msg, uint64_t tsc)
{
	struct upstream_query *uq = msg->slot < up->n_q ? &up->q[msg->slot] : NULL;
	bool waiting = uq != NULL && uq->active && uq->tcp_gen != 0 && uq->tcp_gen == msg->gen;

	if (waiting && msg->len == 0) {
		/* the service could not connect or lost the connection: no need to sit
		 * out the deadline (a refused port fails over at once) */
		rte_mempool_put(up->sh->msg_pool, msg);
		up->stats.tcp_upstream_failed++;
		try_failed(up, uq, tsc);
		return;
	}
	if (!waiting || !response_accepted(up, uq, msg->data, msg->len, &msg->server, tsc)) {
		up->stats.tcp_upstream_ignored++;
		rte_mempool_put(up->sh->msg_pool, msg);
		return;
	}
	rte_mempool_put(up->sh->msg_pool, msg);
	up->stats.tcp_upstream_answers++;
	uq->via |= UPSTREAM_VIA_TCP;
	uq->tcp_gen = 0;
	drive(up, uq, tsc);
}

/* A client that wants a resolution of its own, from the authoritative servers now
 * (a control query with UPSTREAM_CTL_NOCACHE): no cache, no joining, no RFC 8198. */
static void client_resolve_fresh(struct upstream *up, struct upstream_client *c,
				 const struct cache_key *k, uint64_t tsc)
{
	struct upstream_query *uq = start(up, k, &c->qi, tsc);

	if (uq == NULL) {
		up->stats.pool_full++;
		client_answer_error(up, c, WIRE_EDE_OTHER, "resolver busy");
		return;
	}
	up->stats.resolutions++;
	uq->clients[uq->n_clients++] = *c;
	drive(up, uq, tsc);
}

/*
 * A query in a message object (a TCP client's, or the control thread's): the same
 * rules as over UDP (query_process: local data, FORMERR/NOTIMP...), then the cache
 * and the resolver (or only the resolver: @fresh), but the answer is not limited to
 * a UDP size (RFC 7766: no TC over TCP) and goes back in msg.
 */
static void stream_query(struct upstream *up, struct upstream_msg *msg, bool fresh,
			 uint64_t tsc)
{
	struct worker *w = up->w;
	struct upstream_client c = { .kind = CLIENT_TCP, .msg = msg };
	struct cache_key k;
	size_t len = msg->len;

	if (len > w->qbuf_len) {
		client_send(up, &c, 0);
		return;
	}
	memcpy(w->qbuf, msg->data, len);
	switch (query_process_stream(w->env, w->qbuf, len, msg->data, sizeof(msg->data),
				     &w->qstats, &len, &c.qi)) {
	case QUERY_REPLY:
		client_send(up, &c, len);
		return;
	case QUERY_RESOLVE:
		if (!client_key(up, &c, &k, w->qbuf + c.qi.q_off))
			return;
		if (fresh)
			client_resolve_fresh(up, &c, &k, tsc);
		else
			client_lookup(up, &c, &k, tsc);
		return;
	case QUERY_DROP:
	default:
		client_send(up, &c, 0);
		return;
	}
}

/* A query of the control thread's own (control/ctlq.h): the self-test and the
 * trust-anchor refresh ask with UPSTREAM_CTL_NOCACHE to see the path and today's data. */
static void control_query(struct upstream *up, struct upstream_msg *msg, uint64_t tsc)
{
	up->stats.control_queries++;
	msg->via = 0;
	msg->udp_max = 0;
	stream_query(up, msg, (msg->ctl_flags & UPSTREAM_CTL_NOCACHE) != 0, tsc);
}

/* What the TCP service sent this worker: client queries and upstream answers; and
 * the control thread's queries. */
static void tcp_poll(struct upstream *up, uint64_t tsc)
{
	void *ms[16];
	unsigned int n = rte_ring_dequeue_burst(up->sh->tcp_in[up->index], ms, RTE_DIM(ms), NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct upstream_msg *msg = ms[i];

		if (msg->kind == UPSTREAM_MSG_CLIENT) {
			up->stats.tcp_client_queries++;
			stream_query(up, msg, false, tsc);
		}
		else if (msg->kind == UPSTREAM_MSG_CONTROL)
			control_query(up, msg, tsc);
		else
			tcp_upstream_answer(up, msg, tsc);
	}
}

static void timers(struct upstream *up, uint64_t tsc)
{
	uint64_t now = now_ms(up, tsc);

	/* no query in flight, nothing to time: the common case of a cache answering
	 * everything, and no walk of every slot each millisecond for it */
	if (up->n_free == up->n_q)
		return;
	for (uint32_t i = 0; i < up->n_q; i++) {
		struct upstream_query *uq = &up->q[i];

		if (uq->active && uq->parked != NULL && now < uq->deadline) {
			struct rte_mbuf *m = uq->parked;

			uq->parked = NULL;
			transmit(up, uq, m, &uq->parked_to, (uint16_t)m->hash.usr, tsc);
			continue;
		}
		if (uq->active && uq->retry_at != 0 && now >= uq->retry_at) {
			uq->retry_at = 0;   /* a chain's fetch that found no slot: again */
			validation_step(up, uq, tsc);
			continue;
		}
		if (!uq->active || uq->deadline == 0 || now < uq->deadline)
			continue;
		up->stats.timeouts++;
		try_failed(up, uq, tsc);
	}
}

void upstream_poll(struct upstream *up, uint64_t tsc)
{
	void *ms[32];
	unsigned int n = rte_ring_dequeue_burst(up->sh->handoff[up->index], ms, RTE_DIM(ms), NULL);

	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = ms[i];
		struct upstream_meta mt;

		if (m->hash.usr & UPSTREAM_HANDOFF_CLIENT) {
			/* A client frame whose question this worker resolves: receive it. */
			up->stats.clients_received++;
			worker_handle_burst(up->w, &up->w->ports[m->hash.usr & 0xff], &m, 1, tsc);
			continue;
		}
		mt = *RTE_MBUF_DYNFIELD(m, up->sh->meta_offset, struct upstream_meta *);
		up->stats.handoff_in++;
		handle_response(up, m->hash.usr, m, &mt, tsc);
	}
	if (up->sh->tcp_out != NULL)
		tcp_poll(up, tsc);
	if (tsc >= up->next_timer) {
		timers(up, tsc);
		up->next_timer = tsc + up->hz_ms;
	}
	if (up->vconf != NULL)
		validation_flush(up, tsc);
	cache_quiescent(up->sh->cache, up->w->lcore_id);
}
