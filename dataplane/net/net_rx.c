/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_rx.c: classification of received frames, layer by layer:
 * Ethernet/802.1Q -> ARP | IPv4 | IPv6 (extension headers) -> UDP | ICMP |
 * ICMPv6 -> verdict. Every header is bounds-checked against the frame before
 * it is read; every drop is counted by reason. Runs on worker lcores: no
 * blocking, locking or heap allocation.
 */
#include <netinet/in.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include "net_priv.h"

/* IPv6 extension headers walked before giving up. */
#define MAX_EXT_HDRS 8

#define PREFETCH_AHEAD 4

static const uint8_t all_nodes[16] = {
	0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
};

/* A multicast group we listen to: all-nodes or our solicited-node groups. */
static bool
ip6_group_is_ours(const struct net_port_ctx *pc, const uint8_t *a)
{
	unsigned int i;

	if (memcmp(a, all_nodes, 16) == 0)
		return true;
	for (i = 0; i < pc->n_ip6; i++)
		if (memcmp(pc->ip6_snm[i], a, 16) == 0)
			return true;
	return false;
}

/* Where the UDP datagram at l4_off lies, for the caller. */
static void
fill_pkt(struct net_rx_ctx *c, uint32_t l3_off, uint32_t l4_off, uint32_t l4_len)
{
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)net_at(c->m, l4_off);
	const uint8_t *l3 = net_at(c->m, l3_off);
	struct net_pkt *p = c->p;

	p->l2_len = c->l2_len;
	p->l3_off = (uint16_t)l3_off;
	p->l4_off = (uint16_t)l4_off;
	p->payload_off = (uint16_t)(l4_off + sizeof(*udp));
	p->payload_len = (uint16_t)(l4_len - sizeof(*udp));
	p->vlan = c->vlan;
	p->src_port = rte_be_to_cpu_16(udp->src_port);
	p->dst_port = rte_be_to_cpu_16(udp->dst_port);
	p->ip_version = l3[0] >> 4;
	p->reassembled = c->reassembled;
	memset(&p->src, 0, sizeof(p->src));
	memset(&p->dst, 0, sizeof(p->dst));
	if (p->ip_version == 4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)l3;

		p->hop_limit = ip->time_to_live;
		p->src.v4 = ip->src_addr;
		p->dst.v4 = ip->dst_addr;
	} else {
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)l3;

		p->hop_limit = ip->hop_limits;
		memcpy(p->src.v6, ip->src_addr, 16);
		memcpy(p->dst.v6, ip->dst_addr, 16);
	}
}

/* UDP to us: checksum, length, then DNS, another UDP port (the worker decides), or
 * the kernel. */
static enum net_verdict
rx_udp(struct net_rx_ctx *c, uint32_t l3_off, uint32_t l4_off, uint32_t l4_len,
		bool to_unicast)
{
	struct rte_udp_hdr *udp;
	uint32_t ip_hdr_len;
	uint8_t *l3;

	if (l4_len < sizeof(*udp))
		return net_drop(c, NET_CTR_DROP_BAD_UDP_LEN);
	udp = (struct rte_udp_hdr *)net_at(c->m, l4_off);
	if (rte_be_to_cpu_16(udp->dgram_len) != l4_len)
		return net_drop(c, NET_CTR_DROP_BAD_UDP_LEN);
	l3 = net_at(c->m, l3_off);
	if ((c->m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) !=
			RTE_MBUF_F_RX_L4_CKSUM_GOOD) {
		if (udp->dgram_cksum == 0) {
			if ((l3[0] >> 4) == 6) /* RFC 8200 section 8.1 */
				return net_drop(c, NET_CTR_DROP_BAD_UDP_CKSUM);
		} else if (net_l4_cksum(c->m, l3_off, IPPROTO_UDP, l4_off,
				l4_len) != 0) {
			return net_drop(c, NET_CTR_DROP_BAD_UDP_CKSUM);
		}
	}
	if (!to_unicast)
		return net_exception(c);
	if (rte_be_to_cpu_16(udp->dst_port) != NET_DNS_PORT) {
		/* Maybe an answer to an upstream query: the worker decides. */
		fill_pkt(c, l3_off, l4_off, l4_len);
		return NET_UDP;
	}

	/* Leave a plain IP header in front of UDP for the reply. */
	ip_hdr_len = (l3[0] >> 4) == 4 ? sizeof(struct rte_ipv4_hdr) :
		sizeof(struct rte_ipv6_hdr);
	if (l4_off != l3_off + ip_hdr_len) {
		uint32_t cut = l4_off - (l3_off + ip_hdr_len);

		if ((l3[0] >> 4) == 4) {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

			ip->version_ihl = RTE_IPV4_VHL_DEF;
			ip->total_length = rte_cpu_to_be_16((uint16_t)
					(rte_be_to_cpu_16(ip->total_length) - cut));
		} else {
			struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;

			ip->proto = IPPROTO_UDP;
			ip->payload_len = rte_cpu_to_be_16((uint16_t)l4_len);
		}
		net_cut(c->m, l3_off + ip_hdr_len, cut);
		l4_off -= cut;
		l3 = net_at(c->m, l3_off);
		if ((l3[0] >> 4) == 4) {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;

			ip->hdr_checksum = 0;
			ip->hdr_checksum = net_ipv4_cksum(ip);
		}
		udp = (struct rte_udp_hdr *)net_at(c->m, l4_off);
	}

	fill_pkt(c, l3_off, l4_off, l4_len);
	c->pc->ctr.c[NET_CTR_DNS_RX]++;
	return NET_DNS;
}

static enum net_verdict
rx_icmp(struct net_rx_ctx *c, uint32_t l3_off, uint32_t ihl, uint32_t l4_len)
{
	const struct rte_icmp_hdr *icmp;

	if (l4_len < sizeof(*icmp) ||
			rte_raw_cksum(net_at(c->m, l3_off + ihl), l4_len) != 0xffff)
		return net_drop(c, NET_CTR_DROP_BAD_ICMP);
	icmp = (const struct rte_icmp_hdr *)net_at(c->m, l3_off + ihl);
	if (icmp->icmp_type == RTE_IP_ICMP_ECHO_REQUEST && icmp->icmp_code == 0)
		return net_reply_icmp_echo(c, l3_off, ihl, l4_len);
	return net_exception(c);
}

static enum net_verdict
rx_ipv4(struct net_rx_ctx *c)
{
	const uint32_t l3_off = c->l2_len;
	struct rte_ipv4_hdr *ip;
	uint32_t ihl, tot;
	enum net_verdict v;

again:
	if (c->m->data_len < l3_off + sizeof(*ip))
		return net_drop(c, NET_CTR_DROP_BAD_IPV4_HDR);
	ip = (struct rte_ipv4_hdr *)net_at(c->m, l3_off);
	ihl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
		RTE_IPV4_IHL_MULTIPLIER;
	tot = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
			c->m->data_len < l3_off + ihl || tot < ihl ||
			c->m->pkt_len < l3_off + tot)
		return net_drop(c, NET_CTR_DROP_BAD_IPV4_HDR);
	if ((c->m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) !=
			RTE_MBUF_F_RX_IP_CKSUM_GOOD &&
			net_raw_sum(ip, ihl) != 0xffff)
		return net_drop(c, NET_CTR_DROP_BAD_IPV4_CKSUM);
	if (c->m->pkt_len > l3_off + tot) /* Ethernet padding */
		rte_pktmbuf_trim(c->m, (uint16_t)(c->m->pkt_len - (l3_off + tot)));
	if (c->mac_mcast || !net_ip4_is_ours(c->pc, ip->dst_addr))
		return net_drop(c, NET_CTR_DROP_NOT_FOR_US);
	if ((rte_be_to_cpu_32(ip->src_addr) >> 28) == 0xe || /* multicast */
			ip->src_addr == RTE_BE32(0xffffffff))
		return net_drop(c, NET_CTR_DROP_BAD_IPV4_HDR);

	if (rte_ipv4_frag_pkt_is_fragmented(ip)) {
		if (net_reassemble_ipv4(c, l3_off, ihl, &v))
			return v;
		goto again; /* parse the whole datagram */
	}

	switch (ip->next_proto_id) {
	case IPPROTO_UDP:
		return rx_udp(c, l3_off, l3_off + ihl, tot - ihl, true);
	case IPPROTO_ICMP:
		return rx_icmp(c, l3_off, ihl, tot - ihl);
	default:
		return net_exception(c);
	}
}

static enum net_verdict
rx_icmp6(struct net_rx_ctx *c, uint32_t l3_off, uint32_t l4_off,
		uint32_t l4_len, bool to_unicast)
{
	const struct rte_icmp_hdr *icmp;

	if (l4_len < 4 || net_l4_cksum(c->m, l3_off, IPPROTO_ICMPV6, l4_off,
			l4_len) != 0)
		return net_drop(c, NET_CTR_DROP_BAD_ICMP);
	icmp = (const struct rte_icmp_hdr *)net_at(c->m, l4_off);
	/* Neighbour discovery from the gateway itself (it is on-link, so the frame's
	 * source MAC is its own): learn where it is. */
	if (icmp->icmp_type == 135 || icmp->icmp_type == 136) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(c->m, const struct rte_ether_hdr *);
		const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)net_at(c->m, l3_off);

		net_neigh_learn(c->pc, 6, ip->src_addr, &eth->src_addr);
		/* An advertisement may come from another of the gateway's addresses
		 * (its link-local one): its target is what it speaks for. */
		if (icmp->icmp_type == 136 && l4_len >= 24)
			net_neigh_learn(c->pc, 6, net_at(c->m, l4_off + 8), &eth->src_addr);
	}
	switch (icmp->icmp_type) {
	case 128: /* echo request (RFC 4443) */
		if (!to_unicast || icmp->icmp_code != 0 || l4_len < 8)
			return net_exception(c);
		return net_reply_icmp6_echo(c, l3_off, l4_off, l4_len);
	case 135: /* neighbour solicitation (RFC 4861) */
		return net_reply_nd(c, l3_off, l4_off, l4_len);
	default:
		return net_exception(c);
	}
}

/*
 * Walk the extension headers from *nh at *off up to end. Returns true with
 * *nh the upper-layer protocol (or IPPROTO_FRAGMENT with *off at a real
 * fragment header); false with *why set when the chain is malformed.
 */
static bool
ipv6_walk_ext(struct net_rx_ctx *c, uint8_t *nh, uint32_t *off, uint32_t end,
		enum net_counter *why)
{
	const uint32_t first = *off;
	unsigned int n;

	*why = NET_CTR_DROP_BAD_EXT_HDR;
	for (n = 0; n < MAX_EXT_HDRS; n++) {
		const uint8_t *h = net_at(c->m, *off);
		uint32_t len;

		switch (*nh) {
		case IPPROTO_HOPOPTS:
			if (*off != first) /* RFC 8200: only right after the header */
				return false;
			/* fall through */
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (*off + 8 > end)
				return false;
			len = ((uint32_t)h[1] + 1) * 8;
			if (*off + len > end)
				return false;
			if (*nh == IPPROTO_ROUTING && h[3] != 0)
				return false; /* segments left: we do not route */
			break;
		case IPPROTO_FRAGMENT:
			if (*off + 8 > end)
				return false;
			/* An atomic fragment (RFC 6946) is just skipped. */
			if ((rte_be_to_cpu_16(((const struct rte_ipv6_fragment_ext *)h)
					->frag_data) & RTE_IPV6_FRAG_USED_MASK) != 0)
				return true;
			len = 8;
			break;
		case IPPROTO_NONE:
			return false;
		default:
			return true;
		}
		*nh = h[0];
		*off += len;
	}
	return false;
}

static enum net_verdict
rx_ipv6(struct net_rx_ctx *c)
{
	const uint32_t l3_off = c->l2_len;
	const uint32_t l4_min = l3_off + sizeof(struct rte_ipv6_hdr);
	struct rte_ipv6_hdr *ip;
	enum net_counter why;
	enum net_verdict v;
	uint32_t plen, off, end;
	bool to_unicast;
	uint8_t nh;

again:
	if (c->m->data_len < l4_min)
		return net_drop(c, NET_CTR_DROP_BAD_IPV6_HDR);
	ip = (struct rte_ipv6_hdr *)net_at(c->m, l3_off);
	plen = rte_be_to_cpu_16(ip->payload_len);
	end = l4_min + plen;
	if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6 || plen == 0 ||
			c->m->pkt_len < end || ip->src_addr[0] == 0xff)
		return net_drop(c, NET_CTR_DROP_BAD_IPV6_HDR);
	if (c->m->pkt_len > end)
		rte_pktmbuf_trim(c->m, (uint16_t)(c->m->pkt_len - end));
	to_unicast = !c->mac_mcast && !c->mac_bcast &&
		net_ip6_is_ours(c->pc, ip->dst_addr);
	if (!to_unicast && !(c->mac_mcast && ip6_group_is_ours(c->pc,
			ip->dst_addr)))
		return net_drop(c, NET_CTR_DROP_NOT_FOR_US);

	nh = ip->proto;
	off = l4_min;
	if (!ipv6_walk_ext(c, &nh, &off, end, &why))
		return net_drop(c, why);
	if (nh == IPPROTO_FRAGMENT) {
		if (net_reassemble_ipv6(c, l3_off, off, &v))
			return v;
		goto again;
	}

	switch (nh) {
	case IPPROTO_UDP:
		return rx_udp(c, l3_off, off, end - off, to_unicast);
	case IPPROTO_ICMPV6:
		return rx_icmp6(c, l3_off, off, end - off, to_unicast);
	default:
		return net_exception(c);
	}
}

static enum net_verdict
rx_arp(struct net_rx_ctx *c)
{
	const struct rte_arp_hdr *arp;

	if (c->m->data_len < c->l2_len + sizeof(*arp))
		return net_drop(c, NET_CTR_DROP_BAD_ARP);
	arp = (const struct rte_arp_hdr *)net_at(c->m, c->l2_len);
	if (arp->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
			arp->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
			arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return net_drop(c, NET_CTR_DROP_BAD_ARP);
	/* Whoever asks or answers tells its own address: learn the gateway's. */
	net_neigh_learn(c->pc, 4, (const uint8_t *)&arp->arp_data.arp_sip,
			&arp->arp_data.arp_sha);
	if (!net_ip4_is_ours(c->pc, arp->arp_data.arp_tip))
		return net_drop(c, NET_CTR_DROP_NOT_FOR_US);
	switch (rte_be_to_cpu_16(arp->arp_opcode)) {
	case RTE_ARP_OP_REQUEST:
		return net_reply_arp(c);
	case RTE_ARP_OP_REPLY:
		return net_exception(c);
	default:
		return net_drop(c, NET_CTR_DROP_BAD_ARP);
	}
}

/* Ethernet and 802.1Q: who the frame is for and what it carries. */
static enum net_verdict
rx_l2(struct net_rx_ctx *c)
{
	const struct rte_ether_hdr *eth;
	uint16_t type;

	if (c->m->data_len < sizeof(*eth))
		return net_drop(c, NET_CTR_DROP_SHORT_FRAME);
	eth = rte_pktmbuf_mtod(c->m, const struct rte_ether_hdr *);
	type = rte_be_to_cpu_16(eth->ether_type);
	c->l2_len = sizeof(*eth);
	c->vlan = 0;
	if (c->m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED)
		c->vlan = c->m->vlan_tci & 0xfff;
	if (type == RTE_ETHER_TYPE_VLAN) {
		const struct rte_vlan_hdr *vh;

		if (c->m->data_len < sizeof(*eth) + sizeof(*vh))
			return net_drop(c, NET_CTR_DROP_SHORT_FRAME);
		vh = (const struct rte_vlan_hdr *)(eth + 1);
		c->vlan = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
		type = rte_be_to_cpu_16(vh->eth_proto);
		c->l2_len += sizeof(*vh);
		if (type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ)
			return net_drop(c, NET_CTR_DROP_BAD_VLAN);
	} else if (type == RTE_ETHER_TYPE_QINQ) {
		return net_drop(c, NET_CTR_DROP_BAD_VLAN);
	}
	if (c->vlan != c->pc->vlan)
		return net_drop(c, NET_CTR_DROP_BAD_VLAN);

	c->mac_bcast = rte_is_broadcast_ether_addr(&eth->dst_addr);
	c->mac_mcast = !c->mac_bcast && rte_is_multicast_ether_addr(&eth->dst_addr);
	if (!c->mac_bcast && !c->mac_mcast &&
			!rte_is_same_ether_addr(&eth->dst_addr, &c->pc->mac))
		return net_drop(c, NET_CTR_DROP_NOT_FOR_US);
	if (rte_is_multicast_ether_addr(&eth->src_addr))
		return net_drop(c, NET_CTR_DROP_NOT_FOR_US);

	switch (type) {
	case RTE_ETHER_TYPE_ARP:
		if (c->mac_mcast)
			return net_drop(c, NET_CTR_DROP_NOT_FOR_US);
		return rx_arp(c);
	case RTE_ETHER_TYPE_IPV4:
		return rx_ipv4(c);
	case RTE_ETHER_TYPE_IPV6:
		/* Only 33:33:xx multicast; the IPv6 group is checked later. */
		if (c->mac_bcast || (c->mac_mcast && (eth->dst_addr.addr_bytes[0]
				!= 0x33 || eth->dst_addr.addr_bytes[1] != 0x33)))
			return net_drop(c, NET_CTR_DROP_NOT_FOR_US);
		return rx_ipv6(c);
	default:
		if (c->mac_bcast || c->mac_mcast)
			return net_drop(c, NET_CTR_DROP_NOT_FOR_US);
		return net_drop(c, NET_CTR_DROP_BAD_ETHERTYPE);
	}
}

enum net_verdict
net_rx(struct net_worker *w, struct net_port_ctx *pc, struct rte_mbuf **m,
		uint64_t tsc, struct net_pkt *p)
{
	struct net_rx_ctx c = {
		.w = w, .pc = pc, .m = *m, .p = p, .tsc = tsc,
	};
	enum net_verdict v;

	pc->ctr.c[NET_CTR_RX_PACKETS]++;
	if (net_linearize(w, &c.m) != 0)
		v = net_drop(&c, NET_CTR_DROP_TOO_BIG);
	else
		v = rx_l2(&c);
	*m = c.m;
	return v;
}

void
net_rx_burst(struct net_worker *w, struct net_port_ctx *pc,
		struct rte_mbuf **pkts, uint16_t n, uint64_t tsc,
		enum net_verdict *verdict, struct net_pkt *p)
{
	uint16_t i;

	for (i = 0; i < n && i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD],
					void *));
		verdict[i] = net_rx(w, pc, &pkts[i], tsc, &p[i]);
	}
}
