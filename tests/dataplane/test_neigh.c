/*
 * test_neigh.c: the gateway's MAC learned natively (ARP, ND) and datagrams the
 * appliance originates (upstream queries) framed through it: net_neigh + net_tx_udp.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "frame_check.h"
#include "net.h"

static struct rte_mempool *pool, *indirect;
static struct net_worker wk;
static struct net_port_ctx port, port_vlan;
static struct net_neigh neigh, neigh_vlan;

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x53 };
static const uint8_t gw_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t other_mac[6] = { 0x02, 0, 0, 0, 0, 0x77 };
static const uint8_t our_ip4[4] = { 192, 0, 2, 53 };
static const uint8_t gw_ip4[4] = { 192, 0, 2, 1 };
static const uint8_t srv_ip4[4] = { 198, 51, 100, 1 };
static const uint8_t our_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x53, [15] = 0x53 };
static const uint8_t gw_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x53, [15] = 0x01 };
static const uint8_t srv_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [15] = 0x01 };

static struct rte_mbuf *frame(const uint8_t *bytes, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	memcpy(rte_pktmbuf_append(m, (uint16_t)len), bytes, len);
	return m;
}

/* An ARP frame from (sha, sip) about tip. */
static struct rte_mbuf *arp_frame(uint16_t op, const uint8_t *sha, const uint8_t *sip,
				  const uint8_t *tip)
{
	uint8_t f[60] = { 0 };

	memcpy(f, op == 1 ? (const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } : our_mac, 6);
	memcpy(f + 6, sha, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	memcpy(f + 14, "\x00\x01\x08\x00\x06\x04\x00", 7);
	f[21] = (uint8_t)op;
	memcpy(f + 22, sha, 6);
	memcpy(f + 28, sip, 4);
	memcpy(f + 38, tip, 4);
	return frame(f, sizeof(f));
}

static uint8_t *payload_query(struct rte_mbuf *m, size_t *len)
{
	uint8_t *p = net_udp_payload(m);

	memcpy(p, "\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x01", 17);
	*len = 17;
	return p;
}

static void test_unknown_gateway_sends_one_arp_request_per_interval(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *sol = NULL, *sol2 = NULL;
	size_t len;
	const uint8_t *a;

	payload_query(m, &len);
	CHECK(net_tx_udp(&wk, &port, m, 4, srv_ip4, 40000, 53, (uint16_t)len, 1000, &sol) ==
	      -EHOSTUNREACH);
	CHECK(sol != NULL);
	if (sol != NULL) {
		a = rte_pktmbuf_mtod(sol, const uint8_t *);
		CHECK(memcmp(a, "\xff\xff\xff\xff\xff\xff", 6) == 0 && memcmp(a + 6, our_mac, 6) == 0);
		CHECK(a[12] == 0x08 && a[13] == 0x06 && a[21] == 1);     /* ARP request */
		CHECK(memcmp(a + 22, our_mac, 6) == 0 && memcmp(a + 28, our_ip4, 4) == 0);
		CHECK(memcmp(a + 38, gw_ip4, 4) == 0);
		rte_pktmbuf_free(sol);
	}
	CHECK(net_tx_udp(&wk, &port, m, 4, srv_ip4, 40000, 53, (uint16_t)len, 1001, &sol2) ==
	      -EHOSTUNREACH);
	CHECK(sol2 == NULL); /* rate-limited */
	rte_pktmbuf_free(m);
}

static void test_arp_from_another_host_teaches_nothing(void)
{
	struct rte_mbuf *m = arp_frame(2, other_mac, srv_ip4, our_ip4);
	struct net_pkt p;
	struct rte_ether_addr mac;

	net_rx(&wk, &port, &m, 0, &p);
	rte_pktmbuf_free(m);
	CHECK(!net_neigh_gateway(&port, 4, &mac));
}

static void test_arp_reply_from_gateway_is_learned_and_still_goes_to_kernel(void)
{
	struct rte_mbuf *m = arp_frame(2, gw_mac, gw_ip4, our_ip4);
	struct net_pkt p;
	struct rte_ether_addr mac;

	CHECK(net_rx(&wk, &port, &m, 0, &p) == NET_EXCEPTION);
	rte_pktmbuf_free(m);
	CHECK(net_neigh_gateway(&port, 4, &mac) && memcmp(mac.addr_bytes, gw_mac, 6) == 0);
	CHECK(port.ctr.c[NET_CTR_NEIGH_LEARNED] == 1);
}

static void test_upstream_ipv4_datagram_is_framed_through_the_gateway(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *sol = NULL;
	const uint8_t *f, *ip, *udp;
	size_t len;

	payload_query(m, &len);
	CHECK(net_tx_udp(&wk, &port, m, 4, srv_ip4, 40000, 53, (uint16_t)len, 2000, &sol) == 0);
	CHECK(sol == NULL);
	f = rte_pktmbuf_mtod(m, const uint8_t *);
	ip = f + 14;
	udp = ip + 20;
	CHECK(m->pkt_len == 14 + 20 + 8 + len);
	CHECK(memcmp(f, gw_mac, 6) == 0 && memcmp(f + 6, our_mac, 6) == 0);
	CHECK(ip[0] == 0x45 && ip[9] == IPPROTO_UDP && ip[8] == 64);
	CHECK(memcmp(ip + 12, our_ip4, 4) == 0 && memcmp(ip + 16, srv_ip4, 4) == 0);
	CHECK(ref_cksum_fold(ref_cksum_add(ip, 20, 0)) == 0);
	CHECK(udp[0] == 40000 >> 8 && udp[1] == (40000 & 0xff) && udp[3] == 53);
	CHECK(ref_l4_check(ip, 0, IPPROTO_UDP, udp, 8 + len) == 0);
	CHECK(memcmp(udp + 8, "\x12\x34", 2) == 0);
	rte_pktmbuf_free(m);
}

static void test_unknown_ipv6_gateway_sends_a_neighbour_solicitation(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *sol = NULL;
	const uint8_t *f, *ip;
	size_t len;

	payload_query(m, &len);
	CHECK(net_tx_udp(&wk, &port, m, 6, srv_ip6, 40001, 53, (uint16_t)len, 3000, &sol) ==
	      -EHOSTUNREACH);
	CHECK(sol != NULL);
	if (sol != NULL) {
		f = rte_pktmbuf_mtod(sol, const uint8_t *);
		ip = f + 14;
		CHECK(f[0] == 0x33 && f[1] == 0x33 && f[2] == 0xff && f[5] == gw_ip6[15]);
		CHECK(ip[6] == IPPROTO_ICMPV6 && ip[7] == 255 && ip[40] == 135);
		CHECK(ip[24] == 0xff && ip[25] == 0x02 && ip[35] == 0x01 && ip[36] == 0xff &&
		      ip[39] == gw_ip6[15]);     /* ff02::1:ffXX:XXXX */
		CHECK(memcmp(ip + 48, gw_ip6, 16) == 0);                    /* target */
		CHECK(ip[64] == 1 && memcmp(ip + 66, our_mac, 6) == 0);      /* source LLA */
		CHECK(ref_l4_check(ip, 1, IPPROTO_ICMPV6, ip + 40, 32) == 0);
		rte_pktmbuf_free(sol);
	}
	rte_pktmbuf_free(m);
}

/* A neighbour advertisement from the gateway, answering our solicitation. */
static void test_neighbour_advertisement_from_gateway_is_learned(void)
{
	uint8_t f[14 + 40 + 32] = { 0 }, *ip = f + 14, *icmp = ip + 40;
	struct rte_mbuf *m;
	struct net_pkt p;
	struct rte_ether_addr mac;
	uint16_t ck;

	memcpy(f, our_mac, 6);
	memcpy(f + 6, gw_mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[5] = 32;
	ip[6] = IPPROTO_ICMPV6;
	ip[7] = 255;
	memcpy(ip + 8, gw_ip6, 16);
	memcpy(ip + 24, our_ip6, 16);
	icmp[0] = 136;
	icmp[4] = 0x60;
	memcpy(icmp + 8, gw_ip6, 16);
	icmp[24] = 2;
	icmp[25] = 1;
	memcpy(icmp + 26, gw_mac, 6);
	ck = ref_l4_check(ip, 1, IPPROTO_ICMPV6, icmp, 32);
	icmp[2] = (uint8_t)(ck >> 8);
	icmp[3] = (uint8_t)ck;
	m = frame(f, sizeof(f));
	CHECK(net_rx(&wk, &port, &m, 0, &p) == NET_EXCEPTION);
	rte_pktmbuf_free(m);
	CHECK(net_neigh_gateway(&port, 6, &mac) && memcmp(mac.addr_bytes, gw_mac, 6) == 0);
}

static void test_upstream_ipv6_datagram_on_a_vlan_port(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *sol = NULL;
	const uint8_t *f, *ip;
	size_t len;

	__atomic_store_n(&neigh_vlan.mac6, neigh.mac6, __ATOMIC_RELEASE);
	payload_query(m, &len);
	CHECK(net_tx_udp(&wk, &port_vlan, m, 6, srv_ip6, 40002, 53, (uint16_t)len, 4000, &sol) == 0);
	f = rte_pktmbuf_mtod(m, const uint8_t *);
	ip = f + 18;
	CHECK(f[12] == 0x81 && f[13] == 0x00 && f[15] == 42 && f[16] == 0x86 && f[17] == 0xdd);
	CHECK(ip[6] == IPPROTO_UDP && memcmp(ip + 24, srv_ip6, 16) == 0);
	CHECK(ref_l4_check(ip, 1, IPPROTO_UDP, ip + 40, 8 + len) == 0);
	rte_pktmbuf_free(m);
}

static int setup(void)
{
	struct net_worker_params prm = {
		.frag_buckets = 16, .frag_bucket_entries = 4, .frag_max_entries = 64,
		.frag_ttl_ms = 1000, .socket_id = 0,
	};
	struct net_port_conf pc;

	pool = rte_pktmbuf_pool_create("n_mb", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	indirect = rte_pktmbuf_pool_create("n_ind", 63, 0, 0, 0, SOCKET_ID_ANY);
	if (pool == NULL || indirect == NULL)
		return -1;
	prm.direct_pool = pool;
	prm.indirect_pool = indirect;
	if (net_worker_init(&wk, &prm) != 0)
		return -1;
	neigh.has_gw4 = neigh.has_gw6 = true;
	memcpy(&neigh.gw4, gw_ip4, 4);
	memcpy(neigh.gw6, gw_ip6, 16);
	neigh_vlan = neigh;
	memset(&pc, 0, sizeof(pc));
	pc.mtu = 1500;
	memcpy(pc.mac.addr_bytes, our_mac, 6);
	pc.n_ip4 = 1;
	memcpy(&pc.ip4[0], our_ip4, 4);
	pc.n_ip6 = 1;
	memcpy(pc.ip6[0], our_ip6, 16);
	pc.neigh = &neigh;
	if (net_port_ctx_init(&port, &pc) != 0)
		return -1;
	pc.vlan = 42;
	pc.neigh = &neigh_vlan;
	return net_port_ctx_init(&port_vlan, &pc);
}

int main(void)
{
	char *eal[] = { "test_neigh", "-l", "0", "--no-huge", "-m", "128", "--no-shconf",
			"--no-pci", "--log-level=error" };

	if (rte_eal_init(RTE_DIM(eal), eal) < 0 || setup() != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	test_unknown_gateway_sends_one_arp_request_per_interval();
	test_arp_from_another_host_teaches_nothing();
	test_arp_reply_from_gateway_is_learned_and_still_goes_to_kernel();
	test_upstream_ipv4_datagram_is_framed_through_the_gateway();
	test_unknown_ipv6_gateway_sends_a_neighbour_solicitation();
	test_neighbour_advertisement_from_gateway_is_learned();
	test_upstream_ipv6_datagram_on_a_vlan_port();
	net_worker_free(&wk);
	printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
	rte_eal_cleanup();
	return failures ? 1 : 0;
}
