/*
 * test_worker.c: the real worker poll loop (worker_main on lcore 1) over net_ring
 * ports set up by drivers/port.c, fed and drained by this test on lcore 0.
 *
 *   wire port:      rx <- ring "w_in"   tx -> ring "w_out"
 *   exception port: rx <- ring "k_in"   tx -> ring "k_out"   (the "kernel")
 *
 * Proves the burst path end to end: a DNS query frame becomes a correct response
 * frame, ARP is answered, what the dataplane does not serve goes to the exception
 * port and what the "kernel" sends leaves by the wire port, a QR=1 message gets
 * nothing back and is counted, an idle worker backs off (sleeps are counted), and
 * busy_cycles counts the iterations that answered and none of the idle ones.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "frame_check.h"
#include "local.h"
#include "port.h"
#include "wire.h"
#include "wire_text.h"
#include "worker.h"

static struct rte_ring *w_in, *w_out, *k_in, *k_out;
static struct rte_mempool *pool, *indirect;
static struct worker *wk;
static struct query_env env;
static volatile bool quit;

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x53 };
static const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t our_ip[4] = { 192, 0, 2, 53 };
static const uint8_t cli_ip[4] = { 192, 0, 2, 1 };

static size_t make_udp_frame(uint8_t *f, uint16_t sport, uint16_t dport,
			     const uint8_t *dns, size_t dlen)
{
	return frame_udp4(f, our_mac, cli_mac, cli_ip, sport, our_ip, dport, dns, dlen);
}

static void inject(struct rte_ring *r, const uint8_t *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	memcpy(rte_pktmbuf_append(m, (uint16_t)len), frame, len);
	if (rte_ring_enqueue(r, m) != 0)
		rte_pktmbuf_free(m);
}

/* Wait up to 1 s for a frame on r. */
static struct rte_mbuf *collect(struct rte_ring *r)
{
	uint64_t end = rte_get_timer_cycles() + rte_get_timer_hz();
	void *m = NULL;

	while (rte_get_timer_cycles() < end) {
		if (rte_ring_dequeue(r, &m) == 0)
			return m;
		rte_delay_us_sleep(100);
	}
	return NULL;
}

static void test_dns_query_frame_gets_a_correct_response_frame(void)
{
	uint8_t q[300], f[400];
	size_t ql = frame_query(q, 0xbeef, WIRE_FLAG_RD, "www.local.test.");
	struct rte_mbuf *m;
	const uint8_t *r, *ip, *udp, *dns;
	uint32_t s;

	inject(w_in, f, make_udp_frame(f, 33333, 53, q, ql));
	m = collect(w_out);
	CHECK(m != NULL);
	if (m == NULL)
		return;
	r = rte_pktmbuf_mtod(m, const uint8_t *);
	ip = r + 14;
	udp = ip + 20;
	dns = udp + 8;
	CHECK(memcmp(r, cli_mac, 6) == 0 && memcmp(r + 6, our_mac, 6) == 0);
	CHECK(memcmp(ip + 12, our_ip, 4) == 0 && memcmp(ip + 16, cli_ip, 4) == 0);
	CHECK(ref_cksum_fold(ref_cksum_add(ip, 20, 0)) == 0);
	CHECK(wire_get_u16(udp) == 53 && wire_get_u16(udp + 2) == 33333);
	s = ref_cksum_add(ip + 12, 8, 17 + wire_get_u16(udp + 4));
	CHECK(ref_cksum_fold(ref_cksum_add(udp, wire_get_u16(udp + 4), s)) == 0);
	CHECK(wire_get_u16(dns) == 0xbeef);
	CHECK(WIRE_QR(wire_get_u16(dns + 2)) && WIRE_AA(wire_get_u16(dns + 2)));
	CHECK(WIRE_RCODE(wire_get_u16(dns + 2)) == WIRE_RCODE_NOERROR);
	CHECK(wire_get_u16(dns + 6) == 1);
	CHECK(memcmp(dns + wire_get_u16(udp + 4) - 8 - 4, "\xc0\x00\x02\x50", 4) == 0);
	rte_pktmbuf_free(m);
}

static void test_arp_request_is_answered_by_the_dataplane(void)
{
	uint8_t f[60] = { 0 };
	struct rte_mbuf *m;
	const uint8_t *r;

	memset(f, 0xff, 6);
	memcpy(f + 6, cli_mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	memcpy(f + 22, cli_mac, 6);
	memcpy(f + 28, cli_ip, 4);
	memcpy(f + 38, our_ip, 4);
	inject(w_in, f, sizeof(f));
	m = collect(w_out);
	CHECK(m != NULL);
	if (m == NULL)
		return;
	r = rte_pktmbuf_mtod(m, const uint8_t *);
	CHECK(r[21] == 2);                       /* ARP reply */
	CHECK(memcmp(r + 22, our_mac, 6) == 0);  /* sender hardware: us */
	CHECK(memcmp(r + 28, our_ip, 4) == 0);
	rte_pktmbuf_free(m);
}

static void test_unserved_traffic_goes_to_the_kernel_and_back(void)
{
	uint8_t q[300], f[400];
	size_t ql = frame_query(q, 1, 0, "www.local.test.");
	size_t fl = make_udp_frame(f, 40000, 8053, q, ql); /* UDP to another port */
	struct rte_mbuf *m;

	inject(w_in, f, fl);
	m = collect(k_out);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK(rte_pktmbuf_pkt_len(m) == fl &&
		      memcmp(rte_pktmbuf_mtod(m, uint8_t *), f, fl) == 0);
		rte_pktmbuf_free(m);
	}
	inject(k_in, f, fl); /* the "kernel" sends a frame: it leaves by the wire */
	m = collect(w_out);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK(rte_pktmbuf_pkt_len(m) == fl);
		rte_pktmbuf_free(m);
	}
	CHECK(wk->stats.to_kernel >= 1 && wk->stats.from_kernel >= 1);
}

static void test_response_message_gets_nothing_and_is_counted(void)
{
	uint8_t q[300], f[400];
	size_t ql = frame_query(q, 2, WIRE_FLAG_QR, "www.local.test.");
	uint64_t before = wk->qstats.drop_response;

	inject(w_in, f, make_udp_frame(f, 33334, 53, q, ql));
	CHECK(collect(w_out) == NULL);
	CHECK(wk->qstats.drop_response == before + 1);
}

static void test_idle_worker_backs_off(void)
{
	uint64_t before = wk->stats.idle_sleeps;

	rte_delay_us_sleep(200 * 1000);
	CHECK(wk->stats.idle_sleeps > before);
}

/* busy_cycles: the loop iterations that answered count, the idle ones do not. */
static void test_busy_cycles_rise_with_work_and_not_when_idle(void)
{
	uint8_t q[300], f[400];
	size_t ql = frame_query(q, 0x4242, WIRE_FLAG_RD, "www.local.test.");
	uint64_t before = wk->stats.busy_cycles, after_work;
	struct rte_mbuf *m;

	for (int i = 0; i < 8; i++) {
		inject(w_in, f, make_udp_frame(f, (uint16_t)(34000 + i), 53, q, ql));
		m = collect(w_out);
		CHECK(m != NULL);
		rte_pktmbuf_free(m);
	}
	rte_delay_us_sleep(20 * 1000); /* the last answer's iteration has ended */
	after_work = wk->stats.busy_cycles;
	CHECK(after_work > before);
	/* an idle worker polls thousands of times here and sweeps timers: none counts */
	rte_delay_us_sleep(100 * 1000);
	CHECK(wk->stats.busy_cycles == after_work);
}

static struct local_db *make_db(void)
{
	static const char *const rrs[] = {
		"local.test. 3600 IN SOA ns.local.test. h.local.test. 1 3600 600 86400 300",
		"www.local.test. 300 IN A 192.0.2.80",
	};
	struct wire_text_rr *rr = malloc(sizeof(*rr));
	struct local_conf lc;
	struct local_db *db = NULL;
	uint8_t zone[256];
	unsigned bad;
	int n;

	local_conf_init(&lc);
	n = wire_text_name("local.test.", 11, NULL, zone, sizeof(zone));
	local_conf_add_zone(&lc, zone, (size_t)n, WIRE_CLASS_IN, LOCAL_ZONE_STATIC, 1);
	for (size_t i = 0; i < RTE_DIM(rrs); i++) {
		wire_text_rr(rrs[i], strlen(rrs[i]), NULL, 3600, rr);
		local_conf_add_rr(&lc, rr->owner, rr->owner_len, rr->type, rr->rclass, rr->ttl,
				  rr->rdata, (uint16_t)rr->rdlen, 1);
	}
	if (local_conf_finish(&lc, &bad) != 0 || local_db_build(&lc, &db) != 0)
		db = NULL;
	local_conf_free(&lc);
	free(rr);
	return db;
}

static int make_port(const char *name, struct rte_ring *rx, struct rte_ring *tx,
		     uint16_t *port_id)
{
	struct port_caps caps;
	char err[256];
	int id = rte_eth_from_rings(name, &rx, 1, &tx, 1, 0);

	if (id < 0)
		return -1;
	*port_id = (uint16_t)id;
	if (port_start(*port_id, 1, 1500, pool, &caps, err, sizeof(err)) != 0) {
		fprintf(stderr, "port_start: %s\n", err);
		return -1;
	}
	return 0;
}

static int setup(void)
{
	struct worker_params prm = {
		.lcore_id = 1, .queue = 0, .env = &env,
		.idle_polls = 16, .idle_sleep_us = 100, .quit = &quit,
	};
	struct net_port_conf pc;
	uint16_t wire_port, exc_port;

	pool = rte_pktmbuf_pool_create("t_mb", 4095, 0, 0,
				       RTE_PKTMBUF_HEADROOM + 4096 + 256, SOCKET_ID_ANY);
	indirect = rte_pktmbuf_pool_create("t_ind", 1023, 0, 0, 0, SOCKET_ID_ANY);
	w_in = rte_ring_create("w_in", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	w_out = rte_ring_create("w_out", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	k_in = rte_ring_create("k_in", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	k_out = rte_ring_create("k_out", 256, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!pool || !indirect || !w_in || !w_out || !k_in || !k_out ||
	    make_port("wire", w_in, w_out, &wire_port) != 0 ||
	    make_port("kernel", k_in, k_out, &exc_port) != 0)
		return -1;
	env.local = make_db();
	env.edns_buffer_size = 1232;
	prm.pool = pool;
	prm.indirect_pool = indirect;
	wk = rte_zmalloc("worker", sizeof(*wk), RTE_CACHE_LINE_SIZE);
	if (env.local == NULL || wk == NULL || worker_init(wk, &prm) != 0)
		return -1;
	memset(&pc, 0, sizeof(pc));
	pc.port_id = wire_port;
	pc.mtu = 1500;
	memcpy(pc.mac.addr_bytes, our_mac, 6);
	pc.n_ip4 = 1;
	memcpy(&pc.ip4[0], our_ip, 4);
	wk->has_exception = true;
	wk->exc_port = exc_port;
	return worker_add_port(wk, &pc);
}

int main(void)
{
	char *eal[] = { "test_worker", "-l", "0,1", "--no-huge", "-m", "256", "--no-shconf",
			"--no-pci", "--log-level=error" };

	if (rte_eal_init(RTE_DIM(eal), eal) < 0 || setup() != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	rte_eal_remote_launch(worker_main, wk, rte_get_next_lcore(-1, 1, 0));
	test_dns_query_frame_gets_a_correct_response_frame();
	test_arp_request_is_answered_by_the_dataplane();
	test_unserved_traffic_goes_to_the_kernel_and_back();
	test_response_message_gets_nothing_and_is_counted();
	test_idle_worker_backs_off();
	test_busy_cycles_rise_with_work_and_not_when_idle();
	quit = true;
	rte_eal_mp_wait_lcore();
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
	worker_free(wk);
	local_db_free((struct local_db *)env.local);
	rte_eal_cleanup();
	return failures ? 1 : 0;
}
