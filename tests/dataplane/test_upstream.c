/*
 * test_upstream.c: recursion across two workers on ring ports, driven by hand on one
 * lcore. Worker A starts a resolution (a forward zone: one upstream query); the
 * server's answer is fed to worker B, as RSS may do; B finds A in the shared port table
 * and hands the mbuf over; A answers its client and caches the answer; a second query
 * is a cache hit that sends nothing upstream; a forged answer (wrong ID) is ignored;
 * a CNAME loop gets SERVFAIL with the chain so far.
 * Last, with validation on: a server of a stub zone that sends a bogus DNSKEY RRset is
 * marked, and the question goes to the zone's other server before the client gets
 * SERVFAIL (the tries are bounded); and a new validator conf published while a
 * resolution runs is marked done only after it ended.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "cache.h"
#include "cache_rrset.h"
#include "frame_check.h"
#include "port.h"
#include "upstream.h"
#include "validate_chain.h"
#include "wire.h"
#include "wire_text.h"
#include "worker.h"

struct side {
	struct rte_ring *in, *out;
	struct worker *w;
};

static struct side a, b;
static struct cache *cache;
static struct rte_mempool *pool, *indirect;
static struct query_env env;
static struct net_neigh neigh;
static volatile bool quit;

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x53 };
static const uint8_t gw_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t our_ip[4] = { 192, 0, 2, 53 };
static const uint8_t cli_ip[4] = { 192, 0, 2, 1 };
static const uint8_t fwd_ip[4] = { 198, 51, 100, 7 };

static const char hints[] = ". 3600000 NS a.root.invalid.\na.root.invalid. 3600000 A 10.53.0.99\n";

/* A frame from src:sport to dst:dport in a new mbuf. */
static struct rte_mbuf *udp_frame(const uint8_t *src, uint16_t sport, const uint8_t *dst,
				  uint16_t dport, const uint8_t *dns, size_t dlen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *f = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(42 + dlen));

	frame_udp4(f, our_mac, gw_mac, src, sport, dst, dport, dns, dlen);
	return m;
}

static void feed(struct side *s, struct rte_mbuf *m)
{
	worker_handle_burst(s->w, &s->w->ports[0], &m, 1, rte_rdtsc());
}

static struct rte_mbuf *take(struct rte_ring *r)
{
	void *m = NULL;

	return rte_ring_dequeue(r, &m) == 0 ? m : NULL;
}

/* Where the DNS message of a frame the worker sent starts. */
static const uint8_t *dns_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, const uint8_t *, 42);
}

/*
 * The forwarder's answer to the query the worker sent in frame @up: its ID and question
 * as asked, one A record 203.0.113.@last. Frees @up; its source port into *sport.
 */
static struct rte_mbuf *forwarder_answer(struct rte_mbuf *up, const char *name, uint8_t last,
					 uint16_t *sport)
{
	uint8_t r[300];
	const uint8_t *d = dns_of(up);
	size_t rl = frame_query(r, wire_get_u16(d), WIRE_FLAG_QR | WIRE_FLAG_RD | WIRE_FLAG_RA,
				name);

	*sport = wire_get_u16(rte_pktmbuf_mtod(up, const uint8_t *) + 34);
	memcpy(r + 12, d + 12, rl - 12);
	wire_put_u16(r + 6, 1);
	memcpy(r + rl, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04\xcb\x00\x71", 15);
	r[rl + 15] = last;
	rl += 16;
	rte_pktmbuf_free(up);
	return udp_frame(fwd_ip, 53, our_ip, *sport, r, rl);
}

static void test_answer_on_the_other_workers_queue_reaches_the_asking_worker(void)
{
	uint8_t q[300], r[300];
	size_t ql = frame_query(q, 0x1111, WIRE_FLAG_RD, "www.fwd.test."), rl;
	struct rte_mbuf *up, *ans;
	const uint8_t *f, *d;
	uint16_t sport, id;

	feed(&a, udp_frame(cli_ip, 40000, our_ip, 53, q, ql));
	up = take(a.out);
	CHECK(up != NULL && take(a.out) == NULL);
	if (up == NULL)
		return;
	f = rte_pktmbuf_mtod(up, const uint8_t *);
	CHECK(memcmp(f, gw_mac, 6) == 0);                 /* through the gateway */
	CHECK(memcmp(f + 30, fwd_ip, 4) == 0 && wire_get_u16(f + 36) == 53);
	sport = wire_get_u16(f + 34);
	d = dns_of(up);
	id = wire_get_u16(d);
	CHECK(WIRE_RD(wire_get_u16(d + 2)));               /* forwarders get RD=1 */
	CHECK(a.w->up->stats.sent == 1);

	/* A forged answer with another ID, on B's queue: handed over, then ignored. */
	rl = frame_query(r, (uint16_t)(id + 1), WIRE_FLAG_QR | WIRE_FLAG_RD | WIRE_FLAG_RA,
		      "www.fwd.test.");
	feed(&b, udp_frame(fwd_ip, 53, our_ip, sport, r, rl));
	upstream_poll(a.w->up, rte_rdtsc());
	CHECK(b.w->up->stats.handoff_out == 1 && a.w->up->stats.handoff_in == 1);
	CHECK(a.w->up->stats.ignored == 1 && take(a.out) == NULL);

	/* The real answer, also on B's queue. */
	rl = frame_query(r, id, WIRE_FLAG_QR | WIRE_FLAG_RD | WIRE_FLAG_RA, "www.fwd.test.");
	memcpy(r + 12, d + 12, rl - 12);                  /* the question as asked */
	wire_put_u16(r + 6, 1);
	memcpy(r + rl, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x01\x2c\x00\x04\xcb\x00\x71\x50", 16);
	rl += 16;
	rte_pktmbuf_free(up);
	feed(&b, udp_frame(fwd_ip, 53, our_ip, sport, r, rl));
	CHECK(take(b.out) == NULL);                        /* B answers nobody */
	upstream_poll(a.w->up, rte_rdtsc());
	CHECK(a.w->up->stats.handoff_in == 2 && a.w->up->stats.responses == 1);
	ans = take(a.out);
	CHECK(ans != NULL);
	if (ans == NULL)
		return;
	f = rte_pktmbuf_mtod(ans, const uint8_t *);
	d = dns_of(ans);
	CHECK(memcmp(f + 30, cli_ip, 4) == 0 && wire_get_u16(f + 36) == 40000);
	CHECK(wire_get_u16(d) == 0x1111);
	CHECK(WIRE_RCODE(wire_get_u16(d + 2)) == WIRE_RCODE_NOERROR && WIRE_RA(wire_get_u16(d + 2)));
	CHECK(wire_get_u16(d + 6) == 1);
	CHECK(memcmp(d + rte_pktmbuf_pkt_len(ans) - 42 - 4, "\xcb\x00\x71\x50", 4) == 0);
	rte_pktmbuf_free(ans);
}

/* The accepted answer went into the RRset store too (a forwarder: AA=0, answer rank);
 * the forged one did not. */
static void test_accepted_answer_feeds_the_rrset_store(void)
{
	struct cache_stats st;
	struct cache_rrset_key k;
	struct cache_rrset rs;
	uint8_t n[32];
	int nl = wire_text_name("WWW.fwd.test.", 13, NULL, n, sizeof(n));

	cache_stats_sum(cache, &st);
	CHECK(st.rrset_msgs == 1 && st.rrset_inserts == 1);
	CHECK(nl > 0 && cache_rrset_key_init(cache, &k, n, (size_t)nl, WIRE_TYPE_A,
					     WIRE_CLASS_IN) == 0);
	CHECK(cache_rrset_lookup(cache, a.w->lcore_id, &k, cache_now(cache), &rs) ==
	      CACHE_RRSET_HIT);
	CHECK(rs.rank == CACHE_RANK_ANSWER && rs.rr_count == 1 && rs.sig_count == 0);
	CHECK(rs.rdlen[0] == 4 && memcmp(cache_rrset_rdata(&rs, 0), "\xcb\x00\x71\x50", 4) == 0);
	CHECK(rs.ttl <= 100 && rs.ttl >= 99);             /* 300, clamped by max_ttl */
}

static void test_second_query_is_a_cache_hit_with_nothing_upstream(void)
{
	uint8_t q[300];
	size_t ql = frame_query(q, 0x2222, WIRE_FLAG_RD, "WWW.fwd.TEST.");
	uint64_t sent = a.w->up->stats.sent;
	struct rte_mbuf *ans;
	const uint8_t *d;

	feed(&a, udp_frame(cli_ip, 40001, our_ip, 53, q, ql));
	ans = take(a.out);
	CHECK(ans != NULL && take(a.out) == NULL);
	CHECK(a.w->up->stats.sent == sent && a.w->up->stats.cache_answers == 1);
	if (ans == NULL)
		return;
	d = dns_of(ans);
	CHECK(wire_get_u16(d) == 0x2222 && wire_get_u16(d + 6) == 1);
	CHECK(memcmp(d + 12, q + 12, ql - 12) == 0);        /* the client's letter case */
	rte_pktmbuf_free(ans);
}

/* The IPv4 header and UDP checksums of an answer frame (untagged IPv4), checked
 * with frame_check.h's own sums: a hit's are made from stored sums, not the bytes. */
static bool frame_sums_ok(struct rte_mbuf *m)
{
	const uint8_t *ip = rte_pktmbuf_mtod(m, const uint8_t *) + 14, *udp = ip + 20;
	uint32_t s = ref_cksum_add(ip + 12, 8, 17 + wire_get_u16(udp + 4));

	return ref_cksum_fold(ref_cksum_add(ip, 20, 0)) == 0 &&
	       ref_cksum_fold(ref_cksum_add(udp, wire_get_u16(udp + 4), s)) == 0;
}

/* Hits in other letter cases, with and without an OPT (appended to the image), with
 * names of odd and even length (TTLs at odd and even offsets): every frame's
 * checksums hold. */
static void test_hit_checksums_hold(void)
{
	static const char *const names[] = { "www.fwd.test.", "wWw.FwD.tEsT." };
	static const uint8_t opt[11] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };
	uint64_t hits = a.w->up->stats.cache_answers;

	for (unsigned int i = 0; i < 4; i++) {
		uint8_t q[300];
		size_t ql = frame_query(q, (uint16_t)(0x3000 + i), WIRE_FLAG_RD, names[i % 2]);
		struct rte_mbuf *ans;

		if (i >= 2) {
			wire_put_u16(q + 10, 1);
			memcpy(q + ql, opt, sizeof(opt));
			ql += sizeof(opt);
		}
		feed(&a, udp_frame(cli_ip, (uint16_t)(41000 + i), our_ip, 53, q, ql));
		ans = take(a.out);
		CHECK(ans != NULL);
		if (ans == NULL)
			return;
		CHECK(frame_sums_ok(ans));
		CHECK(wire_get_u16(dns_of(ans) + 10) == (i >= 2 ? 1 : 0));   /* the OPT */
		CHECK(memcmp(dns_of(ans) + 12, q + 12, strlen(names[i % 2]) + 1) == 0);
		rte_pktmbuf_free(ans);
	}
	CHECK(a.w->up->stats.cache_answers == hits + 4);
}

/* A hit on an entry with little TTL left answers and refreshes it in the background:
 * the cache here hints a refresh once 1 % of the TTL has passed (prefetch 99 %), and its
 * clock counts whole seconds. */
static void test_hit_close_to_expiry_starts_a_prefetch(void)
{
	uint8_t q[300];
	size_t ql = frame_query(q, 0x3333, WIRE_FLAG_RD, "www.fwd.test.");
	uint64_t sent = a.w->up->stats.sent;
	struct rte_mbuf *m;
	const uint8_t *f;

	rte_delay_us_sleep(2100 * 1000);
	feed(&a, udp_frame(cli_ip, 40002, our_ip, 53, q, ql));
	m = take(a.out);                                   /* the answer, from the cache */
	CHECK(m != NULL && wire_get_u16(dns_of(m)) == 0x3333);
	rte_pktmbuf_free(m);
	m = take(a.out);                                   /* the refresh, upstream */
	CHECK(m != NULL);
	CHECK(a.w->up->stats.prefetches == 1 && a.w->up->stats.sent == sent + 1);
	if (m != NULL) {
		f = rte_pktmbuf_mtod(m, const uint8_t *);
		CHECK(memcmp(f + 30, fwd_ip, 4) == 0);
		rte_pktmbuf_free(m);
	}
}

/* The same question missed on two workers: one resolution, both clients answered by
 * the worker that resolves it. */
static void test_same_miss_on_another_worker_joins_the_running_resolution(void)
{
	uint8_t q[300];
	size_t ql = frame_query(q, 0x4444, WIRE_FLAG_RD, "www2.fwd.test.");
	uint64_t sent_a = a.w->up->stats.sent, sent_b = b.w->up->stats.sent;
	struct rte_mbuf *up, *ans;
	uint16_t sport;
	int answered = 0;

	feed(&a, udp_frame(cli_ip, 41000, our_ip, 53, q, ql));     /* A starts */
	up = take(a.out);
	CHECK(up != NULL && a.w->up->stats.sent == sent_a + 1);
	if (up == NULL)
		return;
	wire_put_u16(q, 0x5555);
	feed(&b, udp_frame(cli_ip, 41001, our_ip, 53, q, ql));     /* B misses the same */
	CHECK(b.w->up->stats.sent == sent_b && take(b.out) == NULL);
	CHECK(b.w->up->stats.handed_to_owner == 1);
	upstream_poll(a.w->up, rte_rdtsc());                        /* A takes the client */
	CHECK(a.w->up->stats.clients_received == 1 && a.w->up->stats.joined >= 1);
	CHECK(a.w->up->stats.sent == sent_a + 1);

	feed(&a, forwarder_answer(up, "www2.fwd.test.", 0x51, &sport));
	while ((ans = take(a.out)) != NULL) {
		uint16_t id = wire_get_u16(dns_of(ans));

		answered += id == 0x4444 || id == 0x5555;
		rte_pktmbuf_free(ans);
	}
	CHECK(answered == 2);
}

/* A CNAME loop: the client gets SERVFAIL with the chain as far as it went (the
 * forwarder's CNAME, once), and nothing is cached. */
static void test_cname_loop_fails_with_the_chain_so_far(void)
{
	uint8_t q[300], r[300];
	size_t ql = frame_query(q, 0x4545, WIRE_FLAG_RD, "loop.fwd.test."), rl;
	uint64_t resolved = a.w->up->stats.resolved;
	struct rte_mbuf *up, *ans;
	const uint8_t *f, *d;
	uint16_t sport, flags;

	feed(&a, udp_frame(cli_ip, 41500, our_ip, 53, q, ql));
	up = take(a.out);
	CHECK(up != NULL);
	if (up == NULL)
		return;
	f = rte_pktmbuf_mtod(up, const uint8_t *);
	sport = wire_get_u16(f + 34);
	d = dns_of(up);
	rl = frame_query(r, wire_get_u16(d), WIRE_FLAG_QR | WIRE_FLAG_RD | WIRE_FLAG_RA,
			 "loop.fwd.test.");
	memcpy(r + 12, d + 12, rl - 12);
	wire_put_u16(r + 6, 1);
	/* loop.fwd.test. 300 CNAME loop.fwd.test. */
	memcpy(r + rl, "\xc0\x0c\x00\x05\x00\x01\x00\x00\x01\x2c\x00\x02\xc0\x0c", 14);
	rl += 14;
	rte_pktmbuf_free(up);
	feed(&a, udp_frame(fwd_ip, 53, our_ip, sport, r, rl));
	ans = take(a.out);
	CHECK(ans != NULL && take(a.out) == NULL);
	if (ans == NULL)
		return;
	d = dns_of(ans);
	flags = wire_get_u16(d + 2);
	CHECK(wire_get_u16(d) == 0x4545);
	CHECK(WIRE_RCODE(flags) == WIRE_RCODE_SERVFAIL && !(flags & WIRE_FLAG_AD));
	CHECK(wire_get_u16(d + 6) == 1);
	CHECK(a.w->up->stats.resolved == resolved);
	rte_pktmbuf_free(ans);
}

/* ---- Bogus data from one server: the zone's other server is asked ---------------- */

static const uint8_t stub_ip[2][4] = { { 198, 51, 100, 8 }, { 198, 51, 100, 9 } };
static struct validate_chain_conf vconf;
/* The trust anchor names this key; the servers serve another one. */
static const uint8_t anchor_key[] = { 0x01, 0x01, 3, 13, 0xa1, 0xa2, 0xa3, 0xa4 };
static const uint8_t served_key[] = { 0x01, 0x01, 3, 13, 0xb1, 0xb2, 0xb3, 0xb4 };

/* The server's answer to the query @d (@dl bytes): the question, AA, and for A one
 * address, for DNSKEY the key that the anchor does not name. */
static size_t stub_answer(const uint8_t *d, size_t dl, uint16_t *qtype, uint8_t *r)
{
	size_t n = 12 + (size_t)wire_name_length(d + 12, dl - 12) + 4;

	*qtype = wire_get_u16(d + n - 4);
	memcpy(r, d, n);
	wire_put_u16(r + 2, WIRE_FLAG_QR | WIRE_FLAG_AA);
	wire_put_u16(r + 6, 1);
	memset(r + 8, 0, 4);
	memcpy(r + n, "\xc0\x0c", 2);
	wire_put_u16(r + n + 2, *qtype);
	wire_put_u16(r + n + 4, WIRE_CLASS_IN);
	wire_put_u32(r + n + 6, 300);
	n += 10;
	if (*qtype == WIRE_TYPE_DNSKEY) {
		wire_put_u16(r + n, sizeof(served_key));
		memcpy(r + n + 2, served_key, sizeof(served_key));
		return n + 2 + sizeof(served_key);
	}
	wire_put_u16(r + n, 4);
	memcpy(r + n + 2, "\xc0\x00\x02\x63", 4);
	return n + 6;
}

/* Serve worker A's upstream queries from the stub servers until a frame goes to a
 * client (*ans) or 16 were served. Returns how many; asked[server][A, DNSKEY]. */
static unsigned int serve_stub(unsigned int asked[2][2], struct rte_mbuf **ans)
{
	uint8_t r[600];
	unsigned int sends = 0;
	struct rte_mbuf *m;

	*ans = NULL;
	while (sends < 16 && (m = take(a.out)) != NULL) {
		const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
		int srv = memcmp(f + 30, stub_ip[0], 4) == 0 ? 0 :
			  memcmp(f + 30, stub_ip[1], 4) == 0 ? 1 : -1;
		uint16_t qtype;

		if (srv < 0) {
			*ans = m;
			break;
		}
		size_t rl = stub_answer(dns_of(m), rte_pktmbuf_pkt_len(m) - 42, &qtype, r);
		asked[srv][qtype == WIRE_TYPE_DNSKEY]++;
		sends++;
		feed(&a, udp_frame(stub_ip[srv], 53, our_ip, wire_get_u16(f + 34), r, rl));
		rte_pktmbuf_free(m);
		upstream_poll(a.w->up, rte_rdtsc());
	}
	return sends;
}

static void check_servfail(struct rte_mbuf *ans, uint16_t id)
{
	CHECK(ans != NULL);
	if (ans == NULL)
		return;
	CHECK(wire_get_u16(dns_of(ans)) == id);
	CHECK(WIRE_RCODE(wire_get_u16(dns_of(ans) + 2)) == WIRE_RCODE_SERVFAIL);
	rte_pktmbuf_free(ans);
}

static void test_bogus_dnskey_is_asked_of_the_zones_other_server(void)
{
	uint8_t q[300];
	size_t ql = frame_query(q, 0x6666, WIRE_FLAG_RD, "www.sec.test.");
	unsigned int asked[2][2] = { { 0 } }; /* [server][A, DNSKEY] */
	struct rte_mbuf *ans;

	feed(&a, udp_frame(cli_ip, 42000, our_ip, 53, q, ql));
	unsigned int sends = serve_stub(asked, &ans);
	/* Each server was asked for the keys once: after the first was judged bogus the
	 * other; after the second none was left, and the client got SERVFAIL. */
	CHECK(asked[0][1] == 1 && asked[1][1] == 1);
	CHECK(asked[0][0] + asked[1][0] == 2 && sends == 4);
	CHECK(a.w->up->stats.val_bogus_retries == 1 && a.w->up->stats.val_bogus == 1);
	check_servfail(ans, 0x6666);
}

/* Both servers are marked now: they are still asked (the zone has no other), the
 * validator judges what they send, and nothing is tried again. */
static void test_servers_marked_bogus_are_the_last_resort(void)
{
	uint8_t q[300];
	size_t ql = frame_query(q, 0x7777, WIRE_FLAG_RD, "mail.sec.test.");
	unsigned int asked[2][2] = { { 0 } };
	uint64_t retries = a.w->up->stats.val_bogus_retries;
	struct rte_mbuf *ans;

	feed(&a, udp_frame(cli_ip, 42001, our_ip, 53, q, ql));
	unsigned int sends = serve_stub(asked, &ans);
	CHECK(sends == 2 && asked[0][0] + asked[1][0] == 1);
	CHECK(a.w->up->stats.val_bogus_retries == retries);
	check_servfail(ans, 0x7777);
}

/*
 * A new validator conf published while a resolution runs: the worker validates new
 * work with it at once, but does not mark the generation done (so the control thread
 * keeps the old conf) until that resolution, which may hold the old one, has ended.
 */
static void test_new_conf_is_released_only_after_running_resolutions(void)
{
	static struct worker_pub pub;
	static struct validate_chain_conf vconf2;
	struct worker_snapshot ws1 = { .env = &env, .vconf = &vconf };
	struct worker_snapshot ws2 = { .env = &env, .vconf = &vconf2 };
	uint8_t q[300];
	size_t ql = frame_query(q, 0x6161, WIRE_FLAG_RD, "www6.fwd.test.");
	struct rte_mbuf *up, *ans;
	uint16_t sport;
	uint32_t running;

	memcpy(&vconf2, &vconf, sizeof(vconf));
	pub.cur = &ws1;
	pub.gen = 1;
	a.w->pub = &pub;
	a.w->pub_gen = a.w->pub_done = 0;
	worker_take_snapshot(a.w);
	CHECK(pub.worker[0].done == 1 && a.w->up->vconf == &vconf);

	feed(&a, udp_frame(cli_ip, 42000, our_ip, 53, q, ql));     /* one resolution runs */
	up = take(a.out);
	CHECK(up != NULL);
	if (up == NULL)
		return;
	__atomic_store_n(&pub.cur, &ws2, __ATOMIC_RELEASE);
	__atomic_store_n(&pub.gen, 2, __ATOMIC_RELEASE);
	worker_take_snapshot(a.w);
	CHECK(a.w->up->vconf == &vconf2);                           /* new work: new conf */
	running = a.w->up->n_q - a.w->up->n_free;                   /* ours and earlier ones */
	CHECK(running >= 1 && a.w->up->old_conf_users == running);
	CHECK(pub.worker[0].done == 1);                             /* old one still held */

	feed(&a, forwarder_answer(up, "www6.fwd.test.", 0x56, &sport)); /* it ends */
	while ((ans = take(a.out)) != NULL)
		rte_pktmbuf_free(ans);
	CHECK(a.w->up->old_conf_users == running - 1);
	/* the earlier ones run out of time (their servers never answer here) */
	for (int i = 1; i <= 600 && a.w->up->old_conf_users > 0; i++) {
		worker_take_snapshot(a.w);
		CHECK(pub.worker[0].done == 1);
		upstream_poll(a.w->up, rte_rdtsc() + (uint64_t)i * rte_get_tsc_hz() / 10);
		while ((ans = take(a.out)) != NULL)
			rte_pktmbuf_free(ans);
	}
	CHECK(a.w->up->old_conf_users == 0);
	worker_take_snapshot(a.w);
	CHECK(pub.worker[0].done == 2);                             /* now it may go */
	a.w->pub = NULL;
}

/* On worker A: the stub zone sec.test. with two servers, and a trust anchor for it. */
static int enable_validation(void)
{
	struct resolve_addr addrs[2] = { { .family = 4, .port = 53 }, { .family = 4, .port = 53 } };
	uint8_t zone[32];
	int zl = wire_text_name("sec.test.", 9, NULL, zone, sizeof(zone));

	if (zl < 0)
		return -1;
	memcpy(addrs[0].ip, stub_ip[0], 4);
	memcpy(addrs[1].ip, stub_ip[1], 4);
	validate_chain_conf_init(&vconf);
	vconf.n_anchors = 1;
	vconf.anchors[0] = (struct validate_anchor){ .owner_len = (uint8_t)zl,
		.type = WIRE_TYPE_DNSKEY, .rdlen = sizeof(anchor_key), .rdata = anchor_key };
	memcpy(vconf.anchors[0].owner, zone, (size_t)zl);
	if (resolve_zone_add(a.w->up->rctx, zone, (size_t)zl, false, addrs, 2) != 0)
		return -1;
	return upstream_validation_enable(a.w->up, &vconf, 0);
}

static int make_side(struct side *s, const char *name, unsigned int lcore, uint16_t index,
		     struct upstream_shared *sh)
{
	struct worker_params prm = {
		.lcore_id = lcore, .queue = 0, .pool = NULL, .env = &env,
		.idle_polls = 1, .idle_sleep_us = 0, .quit = &quit,
	};
	struct resolve_config rc;
	struct resolve_addr fwd = { .family = 4, .port = 53 };
	struct net_port_conf pc;
	struct port_caps caps;
	char rname[32], err[128];
	uint8_t zone[32];
	int id, zl;

	snprintf(rname, sizeof(rname), "%s_in", name);
	s->in = rte_ring_create(rname, 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(rname, sizeof(rname), "%s_out", name);
	s->out = rte_ring_create(rname, 256, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	id = rte_eth_from_rings(name, &s->in, 1, &s->out, 1, 0);
	if (id < 0 || port_start((uint16_t)id, 1, 1500, pool, &caps, err, sizeof(err)) != 0)
		return -1;
	prm.pool = pool;
	prm.indirect_pool = indirect;
	s->w = rte_zmalloc("w", sizeof(*s->w), 64);
	if (s->w == NULL || worker_init(s->w, &prm) != 0)
		return -1;
	memset(&pc, 0, sizeof(pc));
	pc.port_id = (uint16_t)id;
	pc.mtu = 1500;
	memcpy(pc.mac.addr_bytes, our_mac, 6);
	pc.n_ip4 = 1;
	memcpy(&pc.ip4[0], our_ip, 4);
	pc.neigh = &neigh;
	if (worker_add_port(s->w, &pc) != 0)
		return -1;
	s->w->up = rte_zmalloc("up", sizeof(*s->w->up), 64);
	resolve_config_default(&rc);
	rc.ip6 = false;
	if (s->w->up == NULL || upstream_init(s->w->up, sh, s->w, index, &rc, hints,
					      sizeof(hints) - 1, 16, pool) != 0)
		return -1;
	memcpy(fwd.ip, fwd_ip, 4);
	zl = wire_text_name("fwd.test.", 9, NULL, zone, sizeof(zone));
	return resolve_zone_add(s->w->up->rctx, zone, (size_t)zl, true, &fwd, 1);
}

int main(void)
{
	char *eal[] = { "test_upstream", "-l", "0,1", "--no-huge", "-m", "512", "--no-shconf",
			"--no-pci", "--log-level=error" };
	struct cache_config cc;
	struct upstream_shared *sh;
	struct cache *c;

	if (rte_eal_init(RTE_DIM(eal), eal) < 0)
		return 1;
	pool = rte_pktmbuf_pool_create("u_mb", 2047, 0, 0, RTE_PKTMBUF_HEADROOM + 4096 + 256,
				       SOCKET_ID_ANY);
	indirect = rte_pktmbuf_pool_create("u_ind", 255, 0, 0, 0, SOCKET_ID_ANY);
	cache_config_default(&cc);
	cc.memory_limit = 8 << 20;
	cc.prefetch_percent = 99;
	cc.max_ttl = 100;      /* 1 % of it is one second */
	c = cache_create(&cc);
	cache = c;
	sh = c != NULL ? upstream_shared_create(c, 2) : NULL;
	env.edns_buffer_size = 1232;
	env.recursion = true;
	neigh.has_gw4 = true;
	memcpy(&neigh.gw4, cli_ip, 4);
	neigh.mac4 = NET_NEIGH_VALID | 0x020000000001ull;
	if (pool == NULL || indirect == NULL || sh == NULL ||
	    make_side(&a, "wa", 0, 0, sh) != 0 || make_side(&b, "wb", 1, 1, sh) != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	test_answer_on_the_other_workers_queue_reaches_the_asking_worker();
	test_accepted_answer_feeds_the_rrset_store();
	test_second_query_is_a_cache_hit_with_nothing_upstream();
	test_hit_checksums_hold();
	test_hit_close_to_expiry_starts_a_prefetch();
	test_same_miss_on_another_worker_joins_the_running_resolution();
	test_cname_loop_fails_with_the_chain_so_far();
	if (enable_validation() != 0) {
		fprintf(stderr, "validation set-up failed\n");
		return 1;
	}
	test_new_conf_is_released_only_after_running_resolutions();
	test_bogus_dnskey_is_asked_of_the_zones_other_server();
	test_servers_marked_bogus_are_the_last_resort();
	/* the validator's key cache and batch are heap memory: give them back (ASan) */
	upstream_free(a.w->up);
	upstream_free(b.w->up);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
	return failures ? 1 : 0;
}
