/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_reply.c: replies built in the received mbuf: ARP replies, neighbour
 * advertisements, ICMP/ICMPv6 echo replies, and DNS responses (fragmented
 * when larger than the port MTU). Runs on worker lcores: fragment mbufs come
 * from the worker's pools; no blocking, locking or heap allocation.
 */
#include <errno.h>
#include <netinet/in.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_udp.h>

#include "net_priv.h"

/* RFC 4861 section 4.4: neighbour advertisement with one option. */
#define ND_NA_LEN 32
#define ND_OPT_TARGET_LLA 2
#define ND_NA_FLAGS_SO RTE_BE32(0x60000000) /* solicited, override */
#define ICMP6_NA 136
#define ICMP6_ECHO_REPLY 129

int
net_restore_vlan(struct rte_mbuf **mp)
{
	int rc;

	if (!((*mp)->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED))
		return 0;
	rc = rte_vlan_insert(mp);
	return rc < 0 ? rc : (int)sizeof(struct rte_vlan_hdr);
}

/* Common end of the in-place replies. */
static enum net_verdict
reply_done(struct net_rx_ctx *c, enum net_counter what)
{
	if (net_restore_vlan(&c->m) < 0)
		return net_drop(c, NET_CTR_TX_ERROR);
	c->m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
			RTE_MBUF_F_RX_L4_CKSUM_MASK);
	c->pc->ctr.c[what]++;
	return NET_REPLY;
}

enum net_verdict
net_reply_arp(struct net_rx_ctx *c)
{
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)net_at(c->m, c->l2_len);
	struct rte_arp_ipv4 *a = &arp->arp_data;
	rte_be32_t asked = a->arp_tip;

	net_swap_mac(c->m, c->pc);
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&a->arp_sha, &a->arp_tha);
	a->arp_tip = a->arp_sip;
	rte_ether_addr_copy(&c->pc->mac, &a->arp_sha);
	a->arp_sip = asked;
	rte_pktmbuf_trim(c->m, (uint16_t)(c->m->pkt_len -
			(c->l2_len + sizeof(*arp))));
	return reply_done(c, NET_CTR_ARP_REPLIED);
}

enum net_verdict
net_reply_icmp_echo(struct net_rx_ctx *c, uint32_t l3_off, uint32_t ihl,
		uint32_t l4_len)
{
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *icmp;
	rte_be32_t a;

	if (sizeof(*ip) + l4_len > c->pc->mtu)
		return net_exception(c); /* the kernel fragments */
	if (ihl != sizeof(*ip))
		net_cut(c->m, l3_off + sizeof(*ip), ihl - sizeof(*ip));
	ip = (struct rte_ipv4_hdr *)net_at(c->m, l3_off);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4_len));
	ip->fragment_offset = 0;
	ip->time_to_live = NET_DEFAULT_TTL;
	a = ip->src_addr;
	ip->src_addr = ip->dst_addr;
	ip->dst_addr = a;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = net_ipv4_cksum(ip);

	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, l4_len);
	net_swap_mac(c->m, c->pc);
	return reply_done(c, NET_CTR_ICMP_ECHO_REPLIED);
}

/* Cut IPv6 extension headers between the fixed header and l4_off. */
static struct rte_ipv6_hdr *
ipv6_flatten(struct net_rx_ctx *c, uint32_t l3_off, uint32_t l4_off,
		uint32_t l4_len, uint8_t proto)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)net_at(c->m, l3_off);
	uint32_t fixed_end = l3_off + sizeof(*ip);

	ip->proto = proto;
	ip->payload_len = rte_cpu_to_be_16((uint16_t)l4_len);
	if (l4_off != fixed_end)
		net_cut(c->m, fixed_end, l4_off - fixed_end);
	return (struct rte_ipv6_hdr *)net_at(c->m, l3_off);
}

enum net_verdict
net_reply_icmp6_echo(struct net_rx_ctx *c, uint32_t l3_off, uint32_t l4_off,
		uint32_t l4_len)
{
	struct rte_ipv6_hdr *ip;
	struct rte_icmp_hdr *icmp;
	uint8_t a[16];

	if (sizeof(*ip) + l4_len > c->pc->mtu)
		return net_exception(c);
	ip = ipv6_flatten(c, l3_off, l4_off, l4_len, IPPROTO_ICMPV6);
	memcpy(a, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, a, 16);
	ip->hop_limits = NET_DEFAULT_TTL;

	icmp = (struct rte_icmp_hdr *)(ip + 1);
	icmp->icmp_type = ICMP6_ECHO_REPLY;
	icmp->icmp_cksum = 0;
	icmp->icmp_cksum = net_l4_cksum(c->m, l3_off, IPPROTO_ICMPV6,
			l3_off + sizeof(*ip), l4_len);
	net_swap_mac(c->m, c->pc);
	return reply_done(c, NET_CTR_ICMP6_ECHO_REPLIED);
}

/*
 * Neighbour solicitation (RFC 4861 sections 7.1.1 and 7.2.4): validate, then
 * answer for our own addresses with a solicited advertisement from the
 * target address, carrying our MAC. Duplicate address detection probes
 * (unspecified source) go to the kernel.
 */
enum net_verdict
net_reply_nd(struct net_rx_ctx *c, uint32_t l3_off, uint32_t l4_off,
		uint32_t l4_len)
{
	static const uint8_t unspecified[16];
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)net_at(c->m, l3_off);
	uint8_t *icmp = net_at(c->m, l4_off);
	uint8_t target[16];
	uint32_t need;

	if (ip->hop_limits != 255 || icmp[1] != 0 || l4_len < 24 ||
			icmp[8] == 0xff)
		return net_drop(c, NET_CTR_DROP_BAD_ICMP);
	memcpy(target, icmp + 8, 16);
	if (!net_ip6_is_ours(c->pc, target))
		return net_drop(c, NET_CTR_DROP_NOT_FOR_US);
	if (memcmp(ip->src_addr, unspecified, 16) == 0)
		return net_exception(c);

	ip = ipv6_flatten(c, l3_off, l4_off, ND_NA_LEN, IPPROTO_ICMPV6);
	need = l3_off + sizeof(*ip) + ND_NA_LEN;
	if (c->m->pkt_len < need) {
		if (rte_pktmbuf_append(c->m, (uint16_t)(need - c->m->pkt_len))
				== NULL)
			return net_drop(c, NET_CTR_TX_ERROR);
	} else {
		rte_pktmbuf_trim(c->m, (uint16_t)(c->m->pkt_len - need));
	}

	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->hop_limits = 255;
	memcpy(ip->dst_addr, ip->src_addr, 16);
	memcpy(ip->src_addr, target, 16);

	icmp = (uint8_t *)(ip + 1);
	memset(icmp, 0, ND_NA_LEN);
	icmp[0] = ICMP6_NA;
	memcpy(icmp + 4, &(rte_be32_t){ ND_NA_FLAGS_SO }, 4);
	memcpy(icmp + 8, target, 16);
	icmp[24] = ND_OPT_TARGET_LLA;
	icmp[25] = 1; /* in units of 8 bytes */
	memcpy(icmp + 26, c->pc->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	((struct rte_icmp_hdr *)icmp)->icmp_cksum = net_l4_cksum(c->m, l3_off,
			IPPROTO_ICMPV6, l3_off + sizeof(*ip), ND_NA_LEN);
	net_swap_mac(c->m, c->pc);
	return reply_done(c, NET_CTR_ND_REPLIED);
}
