/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_net.c: the net module's packet path under EAL (--no-huge, no PCI).
 * Frames are crafted byte by byte; checksums are checked with this file's
 * own reference implementation, not the module's.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "net.h"

#include "dp_check.h"

static struct rte_mempool *pool, *big_pool, *indirect_pool;
static struct net_worker wk;
static struct net_port_ctx port, port_vlan, client;

static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t our_ip4[4] = { 192, 0, 2, 1 };
static const uint8_t cli_ip4[4] = { 192, 0, 2, 100 };
static const uint8_t other_ip4[4] = { 192, 0, 2, 77 };
static const uint8_t our_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t cli_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [14] = 0x01, [15] = 0x00 };

/* ---- reference checksum (RFC 1071), big-endian words ---- */
static uint32_t
ref_sum(const uint8_t *d, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)d[i] << 8 | d[i + 1];
	if (n & 1)
		s += (uint32_t)d[n - 1] << 8;
	return s;
}

static uint16_t
ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Checksum of an L4 segment with pseudo header; 0 over a valid one. */
static uint16_t
ref_l4(const uint8_t *l3, int v6, uint8_t proto, const uint8_t *l4, size_t len)
{
	uint32_t s = v6 ? ref_sum(l3 + 8, 32, 0) : ref_sum(l3 + 12, 8, 0);

	s += proto + (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff);
	return ref_fold(ref_sum(l4, len, s));
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- frame builders ---- */
static size_t
eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t vlan,
		uint16_t type)
{
	size_t n = 12;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	if (vlan) {
		put16(f + 12, 0x8100);
		put16(f + 14, vlan);
		n += 4;
	}
	put16(f + n, type);
	return n + 2;
}

/* IPv4 header with opt_len bytes of NOP options; returns header length. */
static size_t
ip4(uint8_t *h, const uint8_t *src, const uint8_t *dst, uint8_t proto,
		size_t payload, size_t opt_len, uint16_t id, uint16_t frag)
{
	size_t hl = 20 + opt_len;

	memset(h, 0, hl);
	h[0] = 0x40 | (uint8_t)(hl / 4);
	put16(h + 2, (uint16_t)(hl + payload));
	put16(h + 4, id);
	put16(h + 6, frag);
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	memset(h + 20, 1, opt_len); /* NOP */
	put16(h + 10, ref_fold(ref_sum(h, hl, 0)));
	return hl;
}

static void
ip6(uint8_t *h, const uint8_t *src, const uint8_t *dst, uint8_t nh,
		size_t payload, uint8_t hops)
{
	memset(h, 0, 40);
	h[0] = 0x60;
	put16(h + 4, (uint16_t)payload);
	h[6] = nh;
	h[7] = hops;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
}

static void
udp(uint8_t *u, uint16_t sport, uint16_t dport, const uint8_t *data,
		size_t len, const uint8_t *l3, int v6)
{
	uint16_t ck;

	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(8 + len));
	put16(u + 6, 0);
	memcpy(u + 8, data, len);
	ck = ref_l4(l3, v6, 17, u, 8 + len);
	put16(u + 6, ck == 0 ? 0xffff : ck);
}

static uint8_t dns_q[40];

static void
fill_pattern(uint8_t *d, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		d[i] = (uint8_t)(i * 7 + seed + (i >> 8));
}

/* A full UDP-in-IPv4 frame; returns its length. */
static size_t
udp4_frame(uint8_t *f, uint16_t vlan, const uint8_t *data, size_t len,
		uint16_t dport, size_t opt_len)
{
	size_t l2 = eth(f, our_mac, cli_mac, vlan, 0x0800);
	size_t hl = ip4(f + l2, cli_ip4, our_ip4, 17, 8 + len, opt_len, 0x1234, 0);

	udp(f + l2 + hl, 40000, dport, data, len, f + l2, 0);
	return l2 + hl + 8 + len;
}

static size_t
udp6_frame(uint8_t *f, uint16_t vlan, const uint8_t *data, size_t len,
		uint16_t dport)
{
	size_t l2 = eth(f, our_mac, cli_mac, vlan, 0x86dd);

	ip6(f + l2, cli_ip6, our_ip6, 17, 8 + len, 64);
	udp(f + l2 + 40, 40001, dport, data, len, f + l2, 1);
	return l2 + 40 + 8 + len;
}

static struct rte_mbuf *
mb(const uint8_t *f, size_t n)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	if (m == NULL)
		abort();
	d = rte_pktmbuf_append(m, (uint16_t)n);
	if (d == NULL)
		abort();
	memcpy(d, f, n);
	return m;
}

/* Feed a frame, return the verdict; frees the mbuf unless NET_DNS/REPLY/UDP/EXCEPTION
 * (then *out gets it) or NET_HELD. */
static enum net_verdict
feed(struct net_port_ctx *pc, const uint8_t *f, size_t n, struct rte_mbuf **out,
		struct net_pkt *p)
{
	struct rte_mbuf *m = mb(f, n);
	struct net_pkt tmp;
	enum net_verdict v = net_rx(&wk, pc, &m, rte_rdtsc(), p ? p : &tmp);

	if (out != NULL && (v == NET_DNS || v == NET_REPLY || v == NET_EXCEPTION ||
			    v == NET_UDP)) {
		*out = m;
	} else if (v != NET_HELD) {
		rte_pktmbuf_free(m);
	}
	return v;
}

static uint64_t
ctr(const struct net_port_ctx *pc, enum net_counter c)
{
	return pc->ctr.c[c];
}

static void
expect_drop(const uint8_t *f, size_t n, enum net_counter why)
{
	uint64_t before = ctr(&port, why);

	CHECK_EQ(feed(&port, f, n, NULL, NULL), NET_DROP);
	CHECK_EQ(ctr(&port, why), before + 1);
}

/* ==== tests ==== */

static void
test_dns_query_ipv4_gives_net_dns_with_offsets(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);
	struct rte_mbuf *m = NULL;
	struct net_pkt p;

	CHECK_EQ(feed(&port, f, n, &m, &p), NET_DNS);
	CHECK_EQ(p.ip_version, 4);
	CHECK_EQ(p.l2_len, 14);
	CHECK_EQ(p.l3_off, 14);
	CHECK_EQ(p.l4_off, 34);
	CHECK_EQ(p.payload_off, 42);
	CHECK_EQ(p.payload_len, sizeof(dns_q));
	CHECK_EQ(p.src_port, 40000);
	CHECK_EQ(p.dst_port, 53);
	CHECK_EQ(p.vlan, 0);
	CHECK(memcmp(&p.src.v4, cli_ip4, 4) == 0);
	CHECK(memcmp(&p.dst.v4, our_ip4, 4) == 0);
	CHECK(m != NULL && memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *,
			p.payload_off), dns_q, sizeof(dns_q)) == 0);
	rte_pktmbuf_free(m);
}

static void
test_dns_query_ipv6_gives_net_dns_with_offsets(void)
{
	uint8_t f[256];
	size_t n = udp6_frame(f, 0, dns_q, sizeof(dns_q), 53);
	struct rte_mbuf *m = NULL;
	struct net_pkt p;

	CHECK_EQ(feed(&port, f, n, &m, &p), NET_DNS);
	CHECK_EQ(p.ip_version, 6);
	CHECK_EQ(p.l3_off, 14);
	CHECK_EQ(p.l4_off, 54);
	CHECK_EQ(p.payload_off, 62);
	CHECK_EQ(p.payload_len, sizeof(dns_q));
	CHECK_EQ(p.src_port, 40001);
	CHECK(memcmp(p.src.v6, cli_ip6, 16) == 0);
	CHECK(memcmp(p.dst.v6, our_ip6, 16) == 0);
	CHECK(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, p.payload_off),
			dns_q, sizeof(dns_q)) == 0);
	rte_pktmbuf_free(m);
}

static void
test_dns_query_with_vlan_gives_net_dns_with_offsets(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 100, dns_q, sizeof(dns_q), 53, 0);
	struct rte_mbuf *m = NULL;
	struct net_pkt p;

	CHECK_EQ(feed(&port_vlan, f, n, &m, &p), NET_DNS);
	CHECK_EQ(p.vlan, 100);
	CHECK_EQ(p.l2_len, 18);
	CHECK_EQ(p.l4_off, 38);
	CHECK_EQ(p.payload_off, 46);
	rte_pktmbuf_free(m);

	n = udp6_frame(f, 100, dns_q, sizeof(dns_q), 53);
	CHECK_EQ(feed(&port_vlan, f, n, &m, &p), NET_DNS);
	CHECK_EQ(p.vlan, 100);
	CHECK_EQ(p.payload_off, 18 + 48);
	rte_pktmbuf_free(m);
}

static void
test_wrong_vlan_is_dropped_as_bad_vlan(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 101, dns_q, sizeof(dns_q), 53, 0);
	uint64_t before = ctr(&port_vlan, NET_CTR_DROP_BAD_VLAN);

	CHECK_EQ(feed(&port_vlan, f, n, NULL, NULL), NET_DROP);
	CHECK_EQ(ctr(&port_vlan, NET_CTR_DROP_BAD_VLAN), before + 1);
	/* untagged frame on a tagged port, tagged frame on an untagged one */
	n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);
	CHECK_EQ(feed(&port_vlan, f, n, NULL, NULL), NET_DROP);
	n = udp4_frame(f, 100, dns_q, sizeof(dns_q), 53, 0);
	expect_drop(f, n, NET_CTR_DROP_BAD_VLAN);
}

static size_t
arp_frame(uint8_t *f, uint16_t op, const uint8_t *tip)
{
	size_t l2 = eth(f, bcast_mac, cli_mac, 0, 0x0806);
	uint8_t *a = f + l2;

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, cli_mac, 6);
	memcpy(a + 14, cli_ip4, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, tip, 4);
	memset(a + 28, 0, 18); /* padding to 60 bytes */
	return 60;
}

static void
test_arp_request_for_our_address_gives_reply(void)
{
	uint8_t f[64];
	size_t n = arp_frame(f, 1, our_ip4);
	struct rte_mbuf *m = NULL;
	const uint8_t *r, *a;

	CHECK_EQ(feed(&port, f, n, &m, NULL), NET_REPLY);
	CHECK_EQ(ctr(&port, NET_CTR_ARP_REPLIED), 1);
	r = rte_pktmbuf_mtod(m, const uint8_t *);
	a = r + 14;
	CHECK_EQ(rte_pktmbuf_pkt_len(m), 42);
	CHECK(memcmp(r, cli_mac, 6) == 0);
	CHECK(memcmp(r + 6, our_mac, 6) == 0);
	CHECK_EQ(get16(r + 12), 0x0806);
	CHECK_EQ(get16(a), 1);
	CHECK_EQ(get16(a + 2), 0x0800);
	CHECK_EQ(get16(a + 6), 2);
	CHECK(memcmp(a + 8, our_mac, 6) == 0);
	CHECK(memcmp(a + 14, our_ip4, 4) == 0);
	CHECK(memcmp(a + 18, cli_mac, 6) == 0);
	CHECK(memcmp(a + 24, cli_ip4, 4) == 0);
	rte_pktmbuf_free(m);
}

static void
test_arp_request_for_other_address_is_dropped(void)
{
	uint8_t f[64];
	size_t n = arp_frame(f, 1, other_ip4);

	expect_drop(f, n, NET_CTR_DROP_NOT_FOR_US);
}

static void
test_arp_reply_to_us_is_exception(void)
{
	uint8_t f[64];
	size_t n = arp_frame(f, 2, our_ip4);
	struct rte_mbuf *m = NULL;

	memcpy(f, our_mac, 6);
	CHECK_EQ(feed(&port, f, n, &m, NULL), NET_EXCEPTION);
	rte_pktmbuf_free(m);
}

/* NS from the client to our solicited-node group, with a source LLA. */
static size_t
ns_frame(uint8_t *f, const uint8_t *target)
{
	uint8_t snm[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	uint8_t mac[6] = { 0x33, 0x33, 0xff };
	size_t l2;
	uint8_t *ip, *icmp;
	uint16_t ck;

	memcpy(snm + 13, target + 13, 3);
	memcpy(mac + 3, target + 13, 3);
	l2 = eth(f, mac, cli_mac, 0, 0x86dd);
	ip = f + l2;
	ip6(ip, cli_ip6, snm, 58, 32, 255);
	icmp = ip + 40;
	memset(icmp, 0, 32);
	icmp[0] = 135;
	memcpy(icmp + 8, target, 16);
	icmp[24] = 1;
	icmp[25] = 1;
	memcpy(icmp + 26, cli_mac, 6);
	ck = ref_l4(ip, 1, 58, icmp, 32);
	put16(icmp + 2, ck);
	return l2 + 40 + 32;
}

static void
test_ns_for_our_address_gives_na_with_valid_checksum(void)
{
	uint8_t f[128];
	size_t n = ns_frame(f, our_ip6);
	struct rte_mbuf *m = NULL;
	const uint8_t *r, *ip, *icmp;

	CHECK_EQ(feed(&port, f, n, &m, NULL), NET_REPLY);
	CHECK_EQ(ctr(&port, NET_CTR_ND_REPLIED), 1);
	r = rte_pktmbuf_mtod(m, const uint8_t *);
	ip = r + 14;
	icmp = ip + 40;
	CHECK_EQ(rte_pktmbuf_pkt_len(m), 14 + 40 + 32);
	CHECK(memcmp(r, cli_mac, 6) == 0);
	CHECK(memcmp(r + 6, our_mac, 6) == 0);
	CHECK_EQ(ip[0] >> 4, 6);
	CHECK_EQ(get16(ip + 4), 32);
	CHECK_EQ(ip[6], 58);
	CHECK_EQ(ip[7], 255);
	CHECK(memcmp(ip + 8, our_ip6, 16) == 0);
	CHECK(memcmp(ip + 24, cli_ip6, 16) == 0);
	CHECK_EQ(icmp[0], 136);
	CHECK_EQ(icmp[1], 0);
	CHECK_EQ(icmp[4], 0x60); /* solicited + override, not router */
	CHECK(memcmp(icmp + 8, our_ip6, 16) == 0);
	CHECK_EQ(icmp[24], 2);
	CHECK_EQ(icmp[25], 1);
	CHECK(memcmp(icmp + 26, our_mac, 6) == 0);
	CHECK_EQ(ref_l4(ip, 1, 58, icmp, 32), 0);
	rte_pktmbuf_free(m);
}

static void
test_ns_for_other_address_is_dropped(void)
{
	uint8_t other[16];
	uint8_t f[128];
	size_t n;

	memcpy(other, our_ip6, 16);
	other[15] = 0x99;
	n = ns_frame(f, other);
	/* the group is not ours either: dropped before ND */
	expect_drop(f, n, NET_CTR_DROP_NOT_FOR_US);
}

static void
test_icmp_echo_gives_reply_with_valid_checksums(void)
{
	uint8_t f[256], *ip, *icmp;
	size_t l2 = eth(f, our_mac, cli_mac, 0, 0x0800), hl, n;
	struct rte_mbuf *m = NULL;
	const uint8_t *r;

	hl = ip4(f + l2, cli_ip4, our_ip4, 1, 8 + 56, 0, 7, 0x4000);
	icmp = f + l2 + hl;
	icmp[0] = 8;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, 0xbeef);
	put16(icmp + 6, 1);
	fill_pattern(icmp + 8, 56, 3);
	put16(icmp + 2, ref_fold(ref_sum(icmp, 64, 0)));
	n = l2 + hl + 64;

	CHECK_EQ(feed(&port, f, n, &m, NULL), NET_REPLY);
	CHECK_EQ(ctr(&port, NET_CTR_ICMP_ECHO_REPLIED), 1);
	r = rte_pktmbuf_mtod(m, const uint8_t *);
	ip = (uint8_t *)r + 14;
	CHECK_EQ(rte_pktmbuf_pkt_len(m), n);
	CHECK(memcmp(r, cli_mac, 6) == 0);
	CHECK(memcmp(r + 6, our_mac, 6) == 0);
	CHECK(memcmp(ip + 12, our_ip4, 4) == 0);
	CHECK(memcmp(ip + 16, cli_ip4, 4) == 0);
	CHECK_EQ(ref_fold(ref_sum(ip, 20, 0)), 0);
	CHECK_EQ(ip[20], 0);
	CHECK_EQ(get16(ip + 24), 0xbeef);
	CHECK(memcmp(ip + 28, f + l2 + hl + 8, 56) == 0);
	CHECK_EQ(ref_fold(ref_sum(ip + 20, 64, 0)), 0);
	rte_pktmbuf_free(m);
}

static void
test_icmp6_echo_gives_reply_with_valid_checksum(void)
{
	uint8_t f[256], *ip, *icmp;
	size_t l2 = eth(f, our_mac, cli_mac, 0, 0x86dd), n;
	struct rte_mbuf *m = NULL;
	const uint8_t *r;

	ip = f + l2;
	ip6(ip, cli_ip6, our_ip6, 58, 8 + 32, 64);
	icmp = ip + 40;
	icmp[0] = 128;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, 0x4242);
	put16(icmp + 6, 9);
	fill_pattern(icmp + 8, 32, 5);
	put16(icmp + 2, ref_l4(ip, 1, 58, icmp, 40));
	n = l2 + 40 + 40;

	CHECK_EQ(feed(&port, f, n, &m, NULL), NET_REPLY);
	CHECK_EQ(ctr(&port, NET_CTR_ICMP6_ECHO_REPLIED), 1);
	r = rte_pktmbuf_mtod(m, const uint8_t *);
	ip = (uint8_t *)r + 14;
	CHECK(memcmp(r, cli_mac, 6) == 0);
	CHECK(memcmp(ip + 8, our_ip6, 16) == 0);
	CHECK(memcmp(ip + 24, cli_ip6, 16) == 0);
	CHECK_EQ(ip[40], 129);
	CHECK_EQ(get16(ip + 44), 0x4242);
	CHECK_EQ(ref_l4(ip, 1, 58, ip + 40, 40), 0);
	rte_pktmbuf_free(m);
}

static void
test_tcp_syn_to_us_is_exception(void)
{
	uint8_t f[128], *t;
	size_t l2 = eth(f, our_mac, cli_mac, 0, 0x0800), hl;
	struct rte_mbuf *m = NULL;
	uint64_t before = ctr(&port, NET_CTR_EXCEPTION);

	hl = ip4(f + l2, cli_ip4, our_ip4, 6, 20, 0, 9, 0x4000);
	t = f + l2 + hl;
	memset(t, 0, 20);
	put16(t, 50000);
	put16(t + 2, 53);
	t[12] = 0x50;
	t[13] = 0x02; /* SYN */
	put16(t + 16, ref_l4(f + l2, 0, 6, t, 20));
	CHECK_EQ(feed(&port, f, l2 + hl + 20, &m, NULL), NET_EXCEPTION);
	CHECK_EQ(ctr(&port, NET_CTR_EXCEPTION), before + 1);
	CHECK_EQ(rte_pktmbuf_pkt_len(m), l2 + hl + 20);
	rte_pktmbuf_free(m);
}

/* Another UDP port may be an answer to an upstream query: the worker decides (it
 * passes what is not its own to the kernel), with the datagram located for it. */
static void
test_udp_to_other_port_is_located_for_the_worker(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 123, 0);
	struct rte_mbuf *m = NULL;
	struct net_pkt p;

	CHECK_EQ(feed(&port, f, n, &m, &p), NET_UDP);
	CHECK_EQ(p.dst_port, 123);
	CHECK_EQ(p.payload_len, sizeof(dns_q));
	CHECK(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, p.payload_off), dns_q,
		     sizeof(dns_q)) == 0);
	rte_pktmbuf_free(m);
}

static void
test_truncated_ethernet_is_dropped_as_short_frame(void)
{
	uint8_t f[16] = { 0 };

	memcpy(f, our_mac, 6);
	expect_drop(f, 10, NET_CTR_DROP_SHORT_FRAME);
}

static void
test_truncated_ipv4_is_dropped_as_bad_header(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);

	(void)n;
	expect_drop(f, 14 + 12, NET_CTR_DROP_BAD_IPV4_HDR);
}

static void
test_ipv4_ihl_below_5_is_dropped_as_bad_header(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);

	f[14] = 0x44;
	put16(f + 24, 0);
	put16(f + 24, ref_fold(ref_sum(f + 14, 16, 0)));
	expect_drop(f, n, NET_CTR_DROP_BAD_IPV4_HDR);
}

static void
test_ipv4_bad_checksum_is_dropped_and_counted(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);

	f[24] ^= 0x5a;
	expect_drop(f, n, NET_CTR_DROP_BAD_IPV4_CKSUM);
}

static void
test_ipv4_options_are_tolerated_and_removed(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 8);
	struct rte_mbuf *m = NULL;
	struct net_pkt p;
	const uint8_t *ip;

	CHECK_EQ(feed(&port, f, n, &m, &p), NET_DNS);
	CHECK_EQ(p.l4_off, 34);
	CHECK_EQ(p.payload_off, 42);
	CHECK_EQ(rte_pktmbuf_pkt_len(m), n - 8);
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	CHECK_EQ(ip[0], 0x45);
	CHECK_EQ(get16(ip + 2), 20 + 8 + sizeof(dns_q));
	CHECK_EQ(ref_fold(ref_sum(ip, 20, 0)), 0);
	CHECK(memcmp(ip + 28, dns_q, sizeof(dns_q)) == 0);
	rte_pktmbuf_free(m);
}

static void
test_ipv4_total_length_beyond_frame_is_dropped(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);

	put16(f + 16, (uint16_t)(get16(f + 16) + 10));
	put16(f + 24, 0);
	put16(f + 24, ref_fold(ref_sum(f + 14, 20, 0)));
	expect_drop(f, n, NET_CTR_DROP_BAD_IPV4_HDR);
}

static void
test_ethernet_padding_is_removed(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, 4, 53, 0); /* 46 bytes */
	struct rte_mbuf *m = NULL;
	struct net_pkt p;

	memset(f + n, 0xee, 60 - n);
	CHECK_EQ(feed(&port, f, 60, &m, &p), NET_DNS);
	CHECK_EQ(p.payload_len, 4);
	CHECK_EQ(rte_pktmbuf_pkt_len(m), n);
	rte_pktmbuf_free(m);
}

static void
test_udp_bad_checksum_is_dropped_and_counted(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);

	f[n - 1] ^= 0xff;
	expect_drop(f, n, NET_CTR_DROP_BAD_UDP_CKSUM);
	n = udp6_frame(f, 0, dns_q, sizeof(dns_q), 53);
	f[n - 3] ^= 0x01;
	expect_drop(f, n, NET_CTR_DROP_BAD_UDP_CKSUM);
}

static void
test_udp_zero_checksum_allowed_on_ipv4_only(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);
	struct rte_mbuf *m = NULL;

	put16(f + 34 + 6, 0);
	CHECK_EQ(feed(&port, f, n, &m, NULL), NET_DNS);
	rte_pktmbuf_free(m);
	n = udp6_frame(f, 0, dns_q, sizeof(dns_q), 53);
	put16(f + 54 + 6, 0);
	expect_drop(f, n, NET_CTR_DROP_BAD_UDP_CKSUM);
}

static void
test_udp_length_mismatch_is_dropped_and_counted(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);

	put16(f + 34 + 4, (uint16_t)(8 + sizeof(dns_q) - 2));
	expect_drop(f, n, NET_CTR_DROP_BAD_UDP_LEN);
	n = udp6_frame(f, 0, dns_q, sizeof(dns_q), 53);
	put16(f + 54 + 4, (uint16_t)(8 + sizeof(dns_q) + 2));
	expect_drop(f, n, NET_CTR_DROP_BAD_UDP_LEN);
}

/* IPv6 + hop-by-hop (8) + destination options (16) + UDP. */
static size_t
udp6_ext_frame(uint8_t *f)
{
	size_t l2 = eth(f, our_mac, cli_mac, 0, 0x86dd);
	uint8_t *ip = f + l2, *h = ip + 40;

	ip6(ip, cli_ip6, our_ip6, 0, 8 + 16 + 8 + sizeof(dns_q), 64);
	memset(h, 0, 24);
	h[0] = 60;        /* next: destination options */
	h[1] = 0;         /* 8 bytes */
	h[2] = 1;         /* PadN */
	h[3] = 4;
	h[8] = 17;        /* next: UDP */
	h[9] = 1;         /* 16 bytes */
	h[10] = 1;
	h[11] = 12;
	udp(h + 24, 40002, 53, dns_q, sizeof(dns_q), ip, 1);
	return l2 + 40 + 24 + 8 + sizeof(dns_q);
}

static void
test_ipv6_extension_chain_reaches_udp(void)
{
	uint8_t f[256];
	size_t n = udp6_ext_frame(f);
	struct rte_mbuf *m = NULL;
	struct net_pkt p;
	const uint8_t *ip;

	CHECK_EQ(feed(&port, f, n, &m, &p), NET_DNS);
	CHECK_EQ(p.l4_off, 54);
	CHECK_EQ(p.payload_off, 62);
	CHECK_EQ(p.src_port, 40002);
	ip = rte_pktmbuf_mtod_offset(m, const uint8_t *, 14);
	CHECK_EQ(ip[6], 17);
	CHECK_EQ(get16(ip + 4), 8 + sizeof(dns_q));
	CHECK(memcmp(ip + 48, dns_q, sizeof(dns_q)) == 0);
	rte_pktmbuf_free(m);
}

static void
test_ipv6_truncated_extension_header_is_dropped(void)
{
	uint8_t f[256];
	size_t n = udp6_ext_frame(f);

	/* destination options claims 64 bytes; only 16 + 48 remain */
	f[14 + 40 + 9] = 9;
	expect_drop(f, n, NET_CTR_DROP_BAD_EXT_HDR);
	/* payload ends inside the hop-by-hop header */
	n = udp6_ext_frame(f);
	put16(f + 14 + 4, 4);
	expect_drop(f, 14 + 40 + 4, NET_CTR_DROP_BAD_EXT_HDR);
}

static void
test_ipv6_unknown_next_header_is_exception(void)
{
	uint8_t f[256];
	size_t l2 = eth(f, our_mac, cli_mac, 0, 0x86dd);
	struct rte_mbuf *m = NULL;

	ip6(f + l2, cli_ip6, our_ip6, 253, 16, 64);
	memset(f + l2 + 40, 0, 16);
	CHECK_EQ(feed(&port, f, l2 + 56, &m, NULL), NET_EXCEPTION);
	rte_pktmbuf_free(m);
}

static void
test_frame_to_other_mac_is_dropped(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);

	f[5] = 0x55;
	expect_drop(f, n, NET_CTR_DROP_NOT_FOR_US);
}

/* ---- fragments ---- */

#define BIG 3000
static uint8_t big_payload[4096];

/* Cut a complete IPv4 frame (l2 = 14) into fragments of at most fs bytes
 * of IP payload; returns the number of fragments. */
static int
frag4(const uint8_t *whole, size_t n, size_t fs, uint8_t frags[][1600],
		size_t *lens)
{
	size_t pl = n - 34, off = 0;
	int k = 0;

	while (off < pl) {
		size_t len = pl - off > fs ? fs : pl - off;
		uint8_t *f = frags[k];
		uint16_t fo = (uint16_t)(off / 8) | (off + len < pl ? 0x2000 : 0);

		memcpy(f, whole, 34);
		put16(f + 14 + 2, (uint16_t)(20 + len));
		put16(f + 14 + 6, fo);
		put16(f + 14 + 10, 0);
		put16(f + 14 + 10, ref_fold(ref_sum(f + 14, 20, 0)));
		memcpy(f + 34, whole + 34 + off, len);
		lens[k++] = 34 + len;
		off += len;
	}
	return k;
}

static int
frag6(const uint8_t *whole, size_t n, size_t fs, uint8_t frags[][1600],
		size_t *lens, uint32_t id)
{
	size_t pl = n - 54, off = 0;
	int k = 0;

	while (off < pl) {
		size_t len = pl - off > fs ? fs : pl - off;
		uint8_t *f = frags[k];

		memcpy(f, whole, 54);
		f[14 + 6] = 44;
		put16(f + 14 + 4, (uint16_t)(8 + len));
		f[54] = whole[14 + 6];
		f[55] = 0;
		put16(f + 56, (uint16_t)(off | (off + len < pl ? 1 : 0)));
		f[58] = id >> 24;
		f[59] = id >> 16;
		f[60] = id >> 8;
		f[61] = id & 0xff;
		memcpy(f + 62, whole + 54 + off, len);
		lens[k++] = 62 + len;
		off += len;
	}
	return k;
}

static uint8_t frags[8][1600];
static size_t flens[8];
static uint8_t whole[8192];

static void
feed_frags(struct net_port_ctx *pc, const int *order, int k, size_t want_len)
{
	struct rte_mbuf *m = NULL;
	struct net_pkt p;
	uint64_t held = ctr(pc, NET_CTR_FRAG_HELD);
	uint64_t done = ctr(pc, NET_CTR_REASSEMBLED);
	int i;

	for (i = 0; i < k - 1; i++)
		CHECK_EQ(feed(pc, frags[order[i]], flens[order[i]], NULL, NULL),
				NET_HELD);
	CHECK_EQ(feed(pc, frags[order[k - 1]], flens[order[k - 1]], &m, &p),
			NET_DNS);
	CHECK_EQ(ctr(pc, NET_CTR_FRAG_HELD), held + (uint64_t)k - 1);
	CHECK_EQ(ctr(pc, NET_CTR_REASSEMBLED), done + 1);
	CHECK_EQ(p.payload_len, want_len);
	if (m != NULL) {
		CHECK_EQ(m->nb_segs, 1);
		CHECK(memcmp(rte_pktmbuf_mtod_offset(m, uint8_t *, p.payload_off),
				big_payload, want_len) == 0);
		rte_pktmbuf_free(m);
	}
	net_worker_flush(&wk);
}

static void
test_ipv4_fragments_in_order_reassemble_to_net_dns(void)
{
	size_t n = udp4_frame(whole, 0, big_payload, BIG, 53, 0);
	int k = frag4(whole, n, 1480, frags, flens);
	static const int order[] = { 0, 1, 2 };

	CHECK_EQ(k, 3);
	feed_frags(&port, order, k, BIG);
}

static void
test_ipv4_fragments_out_of_order_reassemble_to_net_dns(void)
{
	size_t n = udp4_frame(whole, 0, big_payload, BIG, 53, 0);
	int k;
	static const int order[] = { 2, 0, 1 };

	whole[14 + 5] = 0x77; /* another datagram id */
	whole[14 + 10] = 0;
	whole[14 + 11] = 0;
	put16(whole + 24, ref_fold(ref_sum(whole + 14, 20, 0)));
	k = frag4(whole, n, 1480, frags, flens);
	feed_frags(&port, order, k, BIG);
}

static void
test_ipv6_fragments_in_and_out_of_order_reassemble_to_net_dns(void)
{
	size_t n = udp6_frame(whole, 0, big_payload, BIG, 53);
	int k = frag6(whole, n, 1232, frags, flens, 0xabcd0001);
	static const int in_order[] = { 0, 1, 2 };
	static const int shuffled[] = { 1, 2, 0 };

	CHECK_EQ(k, 3);
	feed_frags(&port, in_order, k, BIG);
	k = frag6(whole, n, 1232, frags, flens, 0xabcd0002);
	feed_frags(&port, shuffled, k, BIG);
}

static void
test_ipv6_fragments_behind_hop_by_hop_reassemble(void)
{
	size_t n = udp6_frame(whole, 0, big_payload, BIG, 53);
	int k = frag6(whole, n, 1232, frags, flens, 0xabcd0003), i;
	static const int order[] = { 0, 2, 1 };

	/* insert an 8-byte hop-by-hop header before each fragment header */
	for (i = 0; i < k; i++) {
		memmove(frags[i] + 62, frags[i] + 54, flens[i] - 54);
		memset(frags[i] + 54, 0, 8);
		frags[i][54] = 44;
		frags[i][56] = 1;
		frags[i][57] = 4;
		frags[i][14 + 6] = 0;
		put16(frags[i] + 14 + 4, (uint16_t)(get16(frags[i] + 14 + 4) + 8));
		flens[i] += 8;
	}
	feed_frags(&port, order, k, BIG);
}

static void
test_overlapping_fragment_is_dropped_and_counted(void)
{
	size_t n = udp4_frame(whole, 0, big_payload, BIG, 53, 0);
	int k;
	uint64_t err = ctr(&port, NET_CTR_DROP_FRAG_ERROR);
	unsigned int in_use = rte_mempool_in_use_count(pool);
	static uint8_t ov[1600];

	whole[14 + 5] = 0x78;
	put16(whole + 24, 0);
	put16(whole + 24, ref_fold(ref_sum(whole + 14, 20, 0)));
	k = frag4(whole, n, 1480, frags, flens);
	CHECK_EQ(k, 3);
	/* a middle fragment at offset 800 overlapping both neighbours */
	memcpy(ov, frags[1], flens[1]);
	put16(ov + 14 + 6, 0x2000 | (800 / 8));
	put16(ov + 14 + 10, 0);
	put16(ov + 14 + 10, ref_fold(ref_sum(ov + 14, 20, 0)));
	CHECK_EQ(feed(&port, frags[0], flens[0], NULL, NULL), NET_HELD);
	CHECK_EQ(feed(&port, ov, flens[1], NULL, NULL), NET_HELD);
	CHECK_EQ(feed(&port, frags[1], flens[1], NULL, NULL), NET_HELD);
	CHECK_EQ(feed(&port, frags[2], flens[2], NULL, NULL), NET_DROP);
	CHECK_EQ(ctr(&port, NET_CTR_DROP_FRAG_ERROR), err + 1);
	net_worker_flush(&wk);
	CHECK_EQ(rte_mempool_in_use_count(pool), in_use);

	/* a duplicate first fragment kills the datagram at once */
	whole[14 + 5] = 0x79;
	put16(whole + 24, 0);
	put16(whole + 24, ref_fold(ref_sum(whole + 14, 20, 0)));
	k = frag4(whole, n, 1480, frags, flens);
	CHECK_EQ(feed(&port, frags[0], flens[0], NULL, NULL), NET_HELD);
	CHECK_EQ(feed(&port, frags[0], flens[0], NULL, NULL), NET_DROP);
	CHECK_EQ(ctr(&port, NET_CTR_DROP_FRAG_ERROR), err + 2);
	net_worker_flush(&wk);
	CHECK_EQ(rte_mempool_in_use_count(pool), in_use);
}

static void
test_misaligned_fragment_is_dropped_and_counted(void)
{
	size_t n = udp4_frame(whole, 0, big_payload, BIG, 53, 0);
	int k = frag4(whole, n, 1001, frags, flens); /* 1001: not 8-aligned */

	(void)k;
	expect_drop(frags[0], flens[0], NET_CTR_DROP_FRAG_ERROR);
}

static void
test_stale_fragments_expire(void)
{
	size_t n = udp4_frame(whole, 0, big_payload, BIG, 53, 0);
	unsigned int in_use = rte_mempool_in_use_count(pool);
	struct rte_mbuf *m;
	struct net_pkt p;

	whole[14 + 5] = 0x7a;
	put16(whole + 24, 0);
	put16(whole + 24, ref_fold(ref_sum(whole + 14, 20, 0)));
	frag4(whole, n, 1480, frags, flens);
	m = mb(frags[0], flens[0]);
	CHECK_EQ(net_rx(&wk, &port, &m, 1000, &p), NET_HELD);
	CHECK_EQ(rte_mempool_in_use_count(pool), in_use + 1);
	net_worker_expire(&wk, UINT64_MAX / 2);
	CHECK_EQ(wk.ctr.c[NET_CTR_FRAG_EXPIRED_MBUFS], 1);
	CHECK_EQ(rte_mempool_in_use_count(pool), in_use);
}

/* ---- replies ---- */

/* Take a NET_DNS mbuf, write resp of len bytes, build the reply. */
static int
reply(struct rte_mbuf **m, struct net_pkt *p, size_t len, struct rte_mbuf **out)
{
	int rc;

	if (net_pkt_payload_room(*m, p) < len) {
		rc = net_pkt_reserve(&wk, m, p, (uint32_t)len);
		CHECK_EQ(rc, 0);
		if (rc != 0)
			return rc;
	}
	memcpy(rte_pktmbuf_mtod_offset(*m, uint8_t *, p->payload_off),
			big_payload, len);
	return net_tx_dns_reply(&wk, &port, *m, p, (uint16_t)len, out,
			NET_MAX_TX_FRAGS);
}

/* net_l4_cksum sums four bytes at a time: every tail length (0..3 bytes past a
 * multiple of 8, odd and even), IPv4 and IPv6, against the 16-bit reference. */
static void
test_l4_cksum_matches_reference_for_every_length(void)
{
	uint64_t rnd = 0x9e3779b97f4a7c15ull;

	for (int v6 = 0; v6 <= 1; v6++) {
		for (uint32_t len = 8; len <= 8 + 67; len++) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
			uint32_t l3 = 14, l4 = l3 + (v6 ? 40 : 20);
			uint8_t *d;

			CHECK(m != NULL);
			d = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(l4 + len));
			CHECK(d != NULL);
			for (uint32_t i = 0; i < l4 + len; i++) {
				rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
				d[i] = (uint8_t)(rnd >> 56);
			}
			d[l3] = v6 ? 0x60 : 0x45;
			put16(d + l4 + 4, (uint16_t)len);
			put16(d + l4 + 6, 0);
			uint16_t ck = net_l4_cksum(m, l3, 17, l4, len);

			memcpy(d + l4 + 6, &ck, 2);
			CHECK_EQ(ref_l4(d + l3, v6, 17, d + l4, len), 0);
			rte_pktmbuf_free(m);
		}
	}
}

static void
test_small_dns_reply_has_swapped_addresses_and_valid_checksums(void)
{
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);
	struct rte_mbuf *m = NULL, *out[NET_MAX_TX_FRAGS];
	struct net_pkt p, cp;
	const uint8_t *r;

	CHECK_EQ(feed(&port, f, n, &m, &p), NET_DNS);
	CHECK_EQ(reply(&m, &p, 100, out), 1);
	r = rte_pktmbuf_mtod(out[0], const uint8_t *);
	CHECK_EQ(rte_pktmbuf_pkt_len(out[0]), 14 + 20 + 8 + 100);
	CHECK(memcmp(r, cli_mac, 6) == 0);
	CHECK(memcmp(r + 6, our_mac, 6) == 0);
	CHECK(memcmp(r + 26, our_ip4, 4) == 0);
	CHECK(memcmp(r + 30, cli_ip4, 4) == 0);
	CHECK_EQ(get16(r + 16), 20 + 8 + 100);
	CHECK_EQ(r[22], 64);
	CHECK_EQ(ref_fold(ref_sum(r + 14, 20, 0)), 0);
	CHECK_EQ(get16(r + 34), 53);
	CHECK_EQ(get16(r + 36), 40000);
	CHECK_EQ(get16(r + 38), 108);
	CHECK_EQ(ref_l4(r + 14, 0, 17, r + 34, 108), 0);
	/* and the client side accepts it (as UDP to a port it does not serve) */
	CHECK_EQ(net_rx(&wk, &client, &out[0], rte_rdtsc(), &cp), NET_UDP);
	rte_pktmbuf_free(out[0]);

	/* IPv6 over VLAN */
	n = udp6_frame(f, 100, dns_q, sizeof(dns_q), 53);
	CHECK_EQ(feed(&port_vlan, f, n, &m, &p), NET_DNS);
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, p.payload_off),
			big_payload, 200);
	CHECK_EQ(net_tx_dns_reply(&wk, &port_vlan, m, &p, 200, out, 1), 1);
	r = rte_pktmbuf_mtod(out[0], const uint8_t *);
	CHECK_EQ(get16(r + 12), 0x8100);
	CHECK_EQ(get16(r + 14), 100);
	CHECK(memcmp(r + 18 + 8, our_ip6, 16) == 0);
	CHECK(memcmp(r + 18 + 24, cli_ip6, 16) == 0);
	CHECK_EQ(ref_l4(r + 18, 1, 17, r + 58, 208), 0);
	rte_pktmbuf_free(out[0]);
}

static void
test_reply_on_offload_port_sets_tx_flags_and_pseudo_header(void)
{
	struct net_port_ctx off = port;
	uint8_t f[256];
	size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);
	struct rte_mbuf *m = NULL, *out[1];
	struct net_pkt p;
	const uint8_t *r;
	uint32_t s;

	off.tx_offloads = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
		RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	CHECK_EQ(feed(&off, f, n, &m, &p), NET_DNS);
	CHECK_EQ(net_tx_dns_reply(&wk, &off, m, &p, 64, out, 1), 1);
	CHECK((out[0]->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			RTE_MBUF_F_TX_UDP_CKSUM)) == (RTE_MBUF_F_TX_IPV4 |
			RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_UDP_CKSUM));
	CHECK_EQ(out[0]->l2_len, 14);
	CHECK_EQ(out[0]->l3_len, 20);
	r = rte_pktmbuf_mtod(out[0], const uint8_t *);
	/* UDP field holds the (uncomplemented) pseudo-header sum */
	s = ref_sum(r + 26, 8, 0) + 17 + 8 + 64;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	CHECK_EQ(get16(r + 40), s);
	rte_pktmbuf_free(out[0]);
}

static void
check_fragmented_reply(int v6)
{
	uint8_t f[256];
	size_t n = v6 ? udp6_frame(f, 0, dns_q, sizeof(dns_q), 53) :
		udp4_frame(f, 0, dns_q, sizeof(dns_q), 53, 0);
	struct rte_mbuf *m = NULL, *out[NET_MAX_TX_FRAGS];
	struct net_pkt p, cp;
	const uint8_t *r;
	size_t l4;
	int k, i;
	uint64_t held = ctr(&client, NET_CTR_FRAG_HELD);

	CHECK_EQ(feed(&port, f, n, &m, &p), NET_DNS);
	k = reply(&m, &p, 4000, out);
	CHECK_EQ(k, 3);
	if (k != 3)
		return;
	for (i = 0; i < k; i++) {
		CHECK(rte_pktmbuf_pkt_len(out[i]) <= 14u + port.mtu);
		CHECK(memcmp(rte_pktmbuf_mtod(out[i], uint8_t *), cli_mac, 6) == 0);
	}
	/* the client reassembles them through net_rx, last one first */
	for (i = k - 1; i > 0; i--)
		CHECK_EQ(net_rx(&wk, &client, &out[i], rte_rdtsc(), &cp), NET_HELD);
	/* UDP to the client's port 40000: an exception on the client side,
	 * delivered reassembled and in one segment */
	CHECK_EQ(net_rx(&wk, &client, &out[0], rte_rdtsc(), &cp), NET_UDP);
	CHECK_EQ(ctr(&client, NET_CTR_FRAG_HELD), held + 2);
	CHECK_EQ(out[0]->nb_segs, 1);
	r = rte_pktmbuf_mtod(out[0], const uint8_t *);
	l4 = v6 ? 14 + 40 : 14 + 20;
	CHECK_EQ(rte_pktmbuf_pkt_len(out[0]), l4 + 8 + 4000);
	CHECK_EQ(v6 ? r[14 + 6] : r[14 + 9], 17);
	CHECK_EQ(get16(r + l4), 53);
	CHECK_EQ(get16(r + l4 + 2), v6 ? 40001 : 40000);
	CHECK_EQ(get16(r + l4 + 4), 8 + 4000);
	CHECK_EQ(ref_l4(r + 14, v6, 17, r + l4, 8 + 4000), 0);
	CHECK(memcmp(r + l4 + 8, big_payload, 4000) == 0);
	rte_pktmbuf_free(out[0]);
	net_worker_flush(&wk);
}

static void
test_4000_byte_ipv4_reply_leaves_as_3_fragments_that_reassemble(void)
{
	check_fragmented_reply(0);
}

static void
test_4000_byte_ipv6_reply_leaves_as_3_fragments_that_reassemble(void)
{
	check_fragmented_reply(1);
}

static void
test_counter_names_cover_every_counter(void)
{
	int i;

	for (i = 0; i < NET_CTR_MAX; i++)
		CHECK(net_counter_names[i] != NULL && net_counter_names[i][0]);
	CHECK(strcmp(net_counter_names[NET_CTR_DROP_BAD_UDP_CKSUM],
			"drop_bad_udp_cksum") == 0);
}

static void
test_burst_gives_one_verdict_per_frame(void)
{
	uint8_t f[256];
	struct rte_mbuf *pk[6];
	enum net_verdict v[6];
	struct net_pkt p[6];
	int i;

	for (i = 0; i < 6; i++) {
		size_t n = udp4_frame(f, 0, dns_q, sizeof(dns_q), i & 1 ? 53 : 54, 0);

		pk[i] = mb(f, n);
	}
	net_rx_burst(&wk, &port, pk, 6, rte_rdtsc(), v, p);
	for (i = 0; i < 6; i++) {
		CHECK_EQ(v[i], i & 1 ? NET_DNS : NET_UDP);
		rte_pktmbuf_free(pk[i]);
	}
}

/* ---- runner ---- */

static void
setup_ports(void)
{
	struct net_port_conf c = { .port_id = 0, .mtu = 1500, .n_ip4 = 1, .n_ip6 = 1 };

	memcpy(c.mac.addr_bytes, our_mac, 6);
	memcpy(&c.ip4[0], our_ip4, 4);
	memcpy(c.ip6[0], our_ip6, 16);
	if (net_port_ctx_init(&port, &c) != 0)
		abort();
	c.vlan = 100;
	if (net_port_ctx_init(&port_vlan, &c) != 0)
		abort();
	c.vlan = 0;
	memcpy(c.mac.addr_bytes, cli_mac, 6);
	memcpy(&c.ip4[0], cli_ip4, 4);
	memcpy(c.ip6[0], cli_ip6, 16);
	if (net_port_ctx_init(&client, &c) != 0)
		abort();
}

#define RUN(t) do { \
	int f0 = failures; \
	t(); \
	printf("%s %s\n", failures == f0 ? "PASS" : "FAIL", #t); \
} while (0)

int
main(int argc, char **argv)
{
	char *eal[] = {
		argv[0], "--no-huge", "--no-shconf", "--no-pci", "-l", "0",
		"--log-level=error",
	};
	struct net_worker_params wp = {
		.frag_buckets = 64, .frag_bucket_entries = 4,
		.frag_max_entries = 128, .frag_ttl_ms = 2000,
		.socket_id = SOCKET_ID_ANY, .id_seed = 1,
	};
	unsigned int pool_n, big_n;

	(void)argc;
	if (rte_eal_init(RTE_DIM(eal), eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	pool = rte_pktmbuf_pool_create("net_mb", 1023, 0, 0,
			RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	big_pool = rte_pktmbuf_pool_create("net_big", 63, 0, 0,
			16384 + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	indirect_pool = rte_pktmbuf_pool_create("net_ind", 255, 0, 0, 0,
			SOCKET_ID_ANY);
	if (pool == NULL || big_pool == NULL || indirect_pool == NULL) {
		fprintf(stderr, "mempool creation failed\n");
		return 1;
	}
	wp.direct_pool = pool;
	wp.indirect_pool = indirect_pool;
	wp.big_pool = big_pool;
	if (net_worker_init(&wk, &wp) != 0) {
		fprintf(stderr, "net_worker_init failed\n");
		return 1;
	}
	setup_ports();
	fill_pattern(dns_q, sizeof(dns_q), 1);
	fill_pattern(big_payload, sizeof(big_payload), 9);
	pool_n = rte_mempool_avail_count(pool);
	big_n = rte_mempool_avail_count(big_pool);

	RUN(test_dns_query_ipv4_gives_net_dns_with_offsets);
	RUN(test_dns_query_ipv6_gives_net_dns_with_offsets);
	RUN(test_dns_query_with_vlan_gives_net_dns_with_offsets);
	RUN(test_wrong_vlan_is_dropped_as_bad_vlan);
	RUN(test_arp_request_for_our_address_gives_reply);
	RUN(test_arp_request_for_other_address_is_dropped);
	RUN(test_arp_reply_to_us_is_exception);
	RUN(test_ns_for_our_address_gives_na_with_valid_checksum);
	RUN(test_ns_for_other_address_is_dropped);
	RUN(test_icmp_echo_gives_reply_with_valid_checksums);
	RUN(test_icmp6_echo_gives_reply_with_valid_checksum);
	RUN(test_tcp_syn_to_us_is_exception);
	RUN(test_udp_to_other_port_is_located_for_the_worker);
	RUN(test_truncated_ethernet_is_dropped_as_short_frame);
	RUN(test_truncated_ipv4_is_dropped_as_bad_header);
	RUN(test_ipv4_ihl_below_5_is_dropped_as_bad_header);
	RUN(test_ipv4_bad_checksum_is_dropped_and_counted);
	RUN(test_ipv4_options_are_tolerated_and_removed);
	RUN(test_ipv4_total_length_beyond_frame_is_dropped);
	RUN(test_ethernet_padding_is_removed);
	RUN(test_udp_bad_checksum_is_dropped_and_counted);
	RUN(test_udp_zero_checksum_allowed_on_ipv4_only);
	RUN(test_udp_length_mismatch_is_dropped_and_counted);
	RUN(test_ipv6_extension_chain_reaches_udp);
	RUN(test_ipv6_truncated_extension_header_is_dropped);
	RUN(test_ipv6_unknown_next_header_is_exception);
	RUN(test_frame_to_other_mac_is_dropped);
	RUN(test_ipv4_fragments_in_order_reassemble_to_net_dns);
	RUN(test_ipv4_fragments_out_of_order_reassemble_to_net_dns);
	RUN(test_ipv6_fragments_in_and_out_of_order_reassemble_to_net_dns);
	RUN(test_ipv6_fragments_behind_hop_by_hop_reassemble);
	RUN(test_overlapping_fragment_is_dropped_and_counted);
	RUN(test_misaligned_fragment_is_dropped_and_counted);
	RUN(test_stale_fragments_expire);
	RUN(test_l4_cksum_matches_reference_for_every_length);
	RUN(test_small_dns_reply_has_swapped_addresses_and_valid_checksums);
	RUN(test_reply_on_offload_port_sets_tx_flags_and_pseudo_header);
	RUN(test_4000_byte_ipv4_reply_leaves_as_3_fragments_that_reassemble);
	RUN(test_4000_byte_ipv6_reply_leaves_as_3_fragments_that_reassemble);
	RUN(test_counter_names_cover_every_counter);
	RUN(test_burst_gives_one_verdict_per_frame);

	net_worker_flush(&wk);
	checks++;
	if (rte_mempool_avail_count(pool) != pool_n ||
			rte_mempool_avail_count(big_pool) != big_n ||
			rte_mempool_avail_count(indirect_pool) != 255) {
		failures++;
		fprintf(stderr, "FAIL mbuf leak: pool %u/%u big %u/%u ind %u\n",
				rte_mempool_avail_count(pool), pool_n,
				rte_mempool_avail_count(big_pool), big_n,
				rte_mempool_avail_count(indirect_pool));
	}
	net_worker_free(&wk);
	printf("%d checks, %d failures\n", checks, failures);
	rte_eal_cleanup();
	return failures == 0 ? 0 : 1;
}
