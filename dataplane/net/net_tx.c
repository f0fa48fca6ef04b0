/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_tx.c: a DNS query mbuf turned into the response frame(s): addresses
 * swapped, lengths and checksums set, fragmented when the datagram exceeds
 * the port MTU. Runs on worker lcores: fragment mbufs come from the worker's
 * pools; no blocking, locking or heap allocation.
 *
 * IPv4 replies are sent without DF, so that a smaller MTU further on is
 * handled by routers rather than lost. Fragments get their IPv4 header
 * checksum in software (their L2-L3 headers are in a separate direct mbuf);
 * the UDP checksum of a fragmented datagram is always computed in software.
 */
#include <errno.h>
#include <netinet/in.h>

#include <rte_ethdev.h>
#include <rte_udp.h>

#include "net_priv.h"
#include "wire_csum.h"

/* Longest L2 header we replay in front of each fragment (MACs + tag). */
#define MAX_L2_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_vlan_hdr))

/* The 16-bit words of an IPv4 address, summed (host order numbers). */
static inline uint64_t
addr4_sum(rte_be32_t a)
{
	uint32_t v = rte_be_to_cpu_32(a);

	return (uint64_t)(v >> 16) + (v & 0xffffu);
}

/* Swap the header to the way back; returns its checksum (host order), made from
 * the values written rather than read back from the header. */
static uint16_t
swap_ip4(struct net_worker *w, struct rte_ipv4_hdr *ip, uint32_t l3_len)
{
	rte_be32_t a = ip->src_addr, b = ip->dst_addr;
	uint16_t id = (uint16_t)w->next_id++;

	ip->src_addr = b;
	ip->dst_addr = a;
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)l3_len);
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->fragment_offset = 0;
	ip->time_to_live = NET_DEFAULT_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	ip->hdr_checksum = 0;
	return (uint16_t)~wire_csum_fold((uint64_t)(RTE_IPV4_VHL_DEF << 8) + l3_len + id +
				 (NET_DEFAULT_TTL << 8 | IPPROTO_UDP) + addr4_sum(a) +
				 addr4_sum(b));
}

/* The UDP checksum of a reply from its payload's sum and what p says: the pseudo
 * header's addresses (their sum is the same either way round), the ports, the
 * length (in the pseudo header and in the UDP header). */
static uint16_t
udp_cksum_from_sum(const struct net_pkt *p, uint32_t l4_len, uint16_t payload_sum)
{
	uint64_t sum = (uint64_t)IPPROTO_UDP + 2 * (uint64_t)l4_len + p->src_port + p->dst_port +
		payload_sum;
	uint16_t ck;

	if (p->ip_version == 4) {
		sum += addr4_sum(p->src.v4) + addr4_sum(p->dst.v4);
	} else {
		for (int i = 0; i < 16; i += 2)
			sum += (uint32_t)(p->src.v6[i] << 8 | p->src.v6[i + 1]) +
			       (uint32_t)(p->dst.v6[i] << 8 | p->dst.v6[i + 1]);
	}
	ck = (uint16_t)~wire_csum_fold(sum);
	return ck == 0 ? 0xffff : ck;
}

static void
swap_ip6(struct rte_ipv6_hdr *ip, uint32_t l4_len)
{
	uint8_t a[16];

	memcpy(a, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, a, 16);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)l4_len);
	ip->proto = IPPROTO_UDP;
	ip->hop_limits = NET_DEFAULT_TTL;
}

/* Checksums of a reply that leaves in one frame: by the NIC if it can, else from
 * the known sums (ip_ck; payload_sum unless WIRE_CSUM_UNKNOWN), else summed. */
static void
cksum_whole(const struct net_port_ctx *pc, struct rte_mbuf *m,
		const struct net_pkt *p, uint16_t l2_len, uint16_t ip_ck,
		uint32_t payload_sum)
{
	uint16_t l3_len = p->l4_off - p->l3_off;
	uint8_t *l3 = net_at(m, l2_len);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)net_at(m, l2_len + l3_len);
	uint64_t fl = 0;

	if (p->ip_version == 4) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

		fl = RTE_MBUF_F_TX_IPV4;
		if (pc->tx_offloads & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)
			fl |= RTE_MBUF_F_TX_IP_CKSUM;
		else
			ip->hdr_checksum = rte_cpu_to_be_16(ip_ck);
	} else {
		fl = RTE_MBUF_F_TX_IPV6;
	}
	/* l2_len/l3_len sit in the mbuf's second cache line: touch it only when the
	 * NIC needs them (an offload), never in the software path. */
	if (fl & RTE_MBUF_F_TX_IP_CKSUM || pc->tx_offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		m->l2_len = l2_len;
		m->l3_len = l3_len;
	}
	if (pc->tx_offloads & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		fl |= RTE_MBUF_F_TX_UDP_CKSUM;
		udp->dgram_cksum = p->ip_version == 4 ?
			rte_ipv4_phdr_cksum((struct rte_ipv4_hdr *)l3, fl) :
			rte_ipv6_phdr_cksum((struct rte_ipv6_hdr *)l3, fl);
		m->ol_flags = fl;
		return;
	}
	m->ol_flags = (fl & RTE_MBUF_F_TX_IP_CKSUM) ? fl : 0;
	if (payload_sum < WIRE_CSUM_UNKNOWN)
		udp->dgram_cksum = rte_cpu_to_be_16(udp_cksum_from_sum(
			p, rte_be_to_cpu_16(udp->dgram_len), (uint16_t)payload_sum));
	else
		net_udp_cksum_store(m, l2_len, l2_len + l3_len);
}

/* Number of fragments rte_ip_frag will cut l4_len bytes of payload into. */
static uint32_t
frag_count(const struct net_pkt *p, uint16_t mtu, uint32_t l4_len)
{
	uint32_t hdr = p->ip_version == 4 ? sizeof(struct rte_ipv4_hdr) :
		sizeof(struct rte_ipv6_hdr) + sizeof(struct rte_ipv6_fragment_ext);
	uint32_t per = RTE_ALIGN_FLOOR((uint32_t)mtu - hdr, 8u);

	return (l4_len + per - 1) / per;
}

/* Each fragment (a header mbuf and an indirect one into the reply) copied into its
 * header mbuf, for a PMD that sends one segment only; all freed on failure. */
static int
linearize_all(struct rte_mbuf **out, int n)
{
	for (int i = 0; i < n; i++) {
		if (rte_pktmbuf_linearize(out[i]) != 0) {
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(out[i]);
			return -ENOBUFS;
		}
	}
	return 0;
}

static int
fragment(struct net_worker *w, struct net_port_ctx *pc, struct rte_mbuf *m,
		const struct net_pkt *p, uint16_t l2_len, struct rte_mbuf **out,
		int max_out)
{
	uint8_t l2[MAX_L2_LEN];
	rte_be32_t id = rte_cpu_to_be_32(w->next_id++);
	int n, i;

	net_udp_cksum_store(m, l2_len, l2_len + (p->l4_off - p->l3_off));
	memcpy(l2, rte_pktmbuf_mtod(m, void *), l2_len);
	rte_pktmbuf_adj(m, l2_len);
	if (p->ip_version == 4)
		n = rte_ipv4_fragment_packet(m, out, (uint16_t)max_out, pc->mtu,
				w->direct_pool, w->indirect_pool);
	else
		n = rte_ipv6_fragment_packet(m, out, (uint16_t)max_out, pc->mtu,
				w->direct_pool, w->indirect_pool);
	if (n < 0) {
		rte_pktmbuf_prepend(m, l2_len);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (rte_pktmbuf_headroom(out[i]) < l2_len) {
			/* a direct pool without headroom: give everything back */
			for (i = 0; i < n; i++)
				rte_pktmbuf_free(out[i]);
			rte_pktmbuf_prepend(m, l2_len);
			return -ENOSPC;
		}
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *f = out[i];
		uint8_t *h = (uint8_t *)rte_pktmbuf_prepend(f, l2_len);

		memcpy(h, l2, l2_len);
		if (p->ip_version == 4) {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(h + l2_len);

			ip->hdr_checksum = net_ipv4_cksum(ip);
		} else {
			struct rte_ipv6_fragment_ext *fh =
				(struct rte_ipv6_fragment_ext *)(h + l2_len +
				sizeof(struct rte_ipv6_hdr));

			fh->id = id; /* rte_ip_frag leaves it 0 */
		}
		f->l2_len = l2_len;
		f->port = m->port;
	}
	rte_pktmbuf_free(m); /* the fragments hold references to its data */
	if (pc->tx_linear && linearize_all(out, n) != 0)
		return -ENOBUFS;
	pc->ctr.c[NET_CTR_TX_FRAGMENTED]++;
	return n;
}

int
net_tx_dns_reply(struct net_worker *w, struct net_port_ctx *pc,
		struct rte_mbuf *m, const struct net_pkt *p, uint16_t dns_len,
		struct rte_mbuf **out, int max_out)
{
	return net_tx_dns_reply_sum(w, pc, m, p, dns_len, WIRE_CSUM_UNKNOWN, out, max_out);
}

int
net_tx_dns_reply_sum(struct net_worker *w, struct net_port_ctx *pc,
		struct rte_mbuf *m, const struct net_pkt *p, uint16_t dns_len,
		uint32_t payload_sum, struct rte_mbuf **out, int max_out)
{
	uint32_t l4_len = sizeof(struct rte_udp_hdr) + dns_len;
	uint32_t l3_len = (uint32_t)(p->l4_off - p->l3_off) + l4_len;
	struct rte_udp_hdr *udp;
	uint16_t port, l2_len, ip_ck = 0;
	int rc;

	if (max_out < 1 || max_out > UINT16_MAX || !rte_pktmbuf_is_contiguous(m))
		return -EINVAL;
	if (dns_len > net_pkt_payload_room(m, p) ||
			(l3_len > pc->mtu &&
			 frag_count(p, pc->mtu, l4_len) > (uint32_t)max_out)) {
		pc->ctr.c[NET_CTR_TX_ERROR]++;
		return -EMSGSIZE;
	}
	m->data_len = (uint16_t)(p->payload_off + dns_len);
	m->pkt_len = m->data_len;

	net_swap_mac(m, pc);
	if (p->ip_version == 4)
		ip_ck = swap_ip4(w, (struct rte_ipv4_hdr *)net_at(m, p->l3_off), l3_len);
	else
		swap_ip6((struct rte_ipv6_hdr *)net_at(m, p->l3_off), l4_len);
	udp = (struct rte_udp_hdr *)net_at(m, p->l4_off);
	port = udp->src_port;
	udp->src_port = udp->dst_port;
	udp->dst_port = port;
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)l4_len);
	udp->dgram_cksum = 0;

	rc = net_restore_vlan(&m);
	if (rc < 0) {
		pc->ctr.c[NET_CTR_TX_ERROR]++;
		return rc;
	}
	l2_len = (uint16_t)(p->l2_len + rc);
	m->ol_flags = 0;
	if (l3_len <= pc->mtu) {
		cksum_whole(pc, m, p, l2_len, ip_ck, payload_sum);
		out[0] = m;
		pc->ctr.c[NET_CTR_DNS_TX]++;
		return 1;
	}
	rc = fragment(w, pc, m, p, l2_len, out, max_out);
	if (rc < 0) {
		pc->ctr.c[NET_CTR_TX_ERROR]++;
		return rc;
	}
	pc->ctr.c[NET_CTR_DNS_TX]++;
	return rc;
}
