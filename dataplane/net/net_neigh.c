/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_neigh.c: gateway MAC learning and solicitation, and the framing of datagrams
 * the appliance originates (see net_neigh.h and net_tx_udp() in net.h).
 * Runs on worker lcores: mbufs from the worker's pools, no lock, no syscall.
 */
#include <errno.h>
#include <netinet/in.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_udp.h>

#include "net_priv.h"

#define ICMP6_NS 135
#define ND_OPT_SOURCE_LLA 1
#define ND_NS_LEN 32 /* ICMPv6 header, reserved, target, source link-layer option */

static uint64_t mac_word(const struct rte_ether_addr *mac)
{
	uint64_t v = NET_NEIGH_VALID;

	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		v |= (uint64_t)mac->addr_bytes[i] << (8 * (5 - i));
	return v;
}

static void word_mac(uint64_t v, struct rte_ether_addr *mac)
{
	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac->addr_bytes[i] = (uint8_t)(v >> (8 * (5 - i)));
}

void net_neigh_learn(struct net_port_ctx *pc, uint8_t ip_version, const uint8_t *ip,
		     const struct rte_ether_addr *mac)
{
	struct net_neigh *n = pc->neigh;
	uint64_t *slot = NULL, word;

	if (n == NULL || !rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return;
	if (ip_version == 4 && n->has_gw4 && memcmp(ip, &n->gw4, 4) == 0)
		slot = &n->mac4;
	else if (ip_version == 6 && n->has_gw6 && memcmp(ip, n->gw6, 16) == 0)
		slot = &n->mac6;
	if (slot == NULL)
		return;
	word = mac_word(mac);
	/* Written only when it changes: no cache line bouncing between workers. */
	if (__atomic_load_n(slot, __ATOMIC_RELAXED) != word) {
		__atomic_store_n(slot, word, __ATOMIC_RELEASE);
		pc->ctr.c[NET_CTR_NEIGH_LEARNED]++;
	}
}

bool net_neigh_gateway(const struct net_port_ctx *pc, uint8_t ip_version,
		       struct rte_ether_addr *mac)
{
	uint64_t v;

	if (pc->neigh == NULL)
		return false;
	v = __atomic_load_n(ip_version == 4 ? &pc->neigh->mac4 : &pc->neigh->mac6,
			    __ATOMIC_ACQUIRE);
	if (!(v & NET_NEIGH_VALID))
		return false;
	word_mac(v, mac);
	return true;
}

/* Ethernet header (+ 802.1Q tag) at the front of m; returns its length. */
static uint16_t put_l2(struct rte_mbuf *m, const struct net_port_ctx *pc,
		       const struct rte_ether_addr *dst, uint16_t ether_type)
{
	uint16_t l2 = RTE_ETHER_HDR_LEN + (pc->vlan ? sizeof(struct rte_vlan_hdr) : 0);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, l2);

	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(&pc->mac, &eth->src_addr);
	if (pc->vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eth + 1);

		eth->ether_type = RTE_BE16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(pc->vlan);
		vh->eth_proto = rte_cpu_to_be_16(ether_type);
	} else {
		eth->ether_type = rte_cpu_to_be_16(ether_type);
	}
	return l2;
}

static struct rte_mbuf *arp_request(struct net_worker *w, struct net_port_ctx *pc)
{
	struct rte_mbuf *m;
	struct rte_arp_hdr *arp;
	struct rte_ether_addr bcast = { .addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

	if (pc->n_ip4 == 0 || (m = rte_pktmbuf_alloc(w->direct_pool)) == NULL)
		return NULL;
	arp = (struct rte_arp_hdr *)rte_pktmbuf_append(m, sizeof(*arp));
	arp->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = RTE_BE16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&pc->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = pc->ip4[0];
	memset(&arp->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
	arp->arp_data.arp_tip = pc->neigh->gw4;
	put_l2(m, pc, &bcast, RTE_ETHER_TYPE_ARP);
	return m;
}

/* Neighbour solicitation for the IPv6 gateway, to its solicited-node group. */
static struct rte_mbuf *nd_solicit(struct net_worker *w, struct net_port_ctx *pc)
{
	struct rte_ether_addr dst = { .addr_bytes = { 0x33, 0x33, 0xff } };
	struct rte_ipv6_hdr *ip;
	struct rte_mbuf *m;
	uint8_t *icmp;
	uint16_t l2;

	if (pc->n_ip6 == 0 || (m = rte_pktmbuf_alloc(w->direct_pool)) == NULL)
		return NULL;
	ip = (struct rte_ipv6_hdr *)rte_pktmbuf_append(m, sizeof(*ip) + ND_NS_LEN);
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = RTE_BE16(ND_NS_LEN);
	ip->proto = IPPROTO_ICMPV6;
	ip->hop_limits = 255;
	/* The first configured address is global; the link-local one comes last. */
	memcpy(ip->src_addr, pc->ip6[0], 16);
	memcpy(ip->dst_addr, (const uint8_t[13]){ 0xff, 0x02, [11] = 0x01, [12] = 0xff }, 13);
	memcpy(ip->dst_addr + 13, pc->neigh->gw6 + 13, 3);
	icmp = (uint8_t *)(ip + 1);
	memset(icmp, 0, ND_NS_LEN);
	icmp[0] = ICMP6_NS;
	memcpy(icmp + 8, pc->neigh->gw6, 16);
	icmp[24] = ND_OPT_SOURCE_LLA;
	icmp[25] = 1;
	memcpy(icmp + 26, pc->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	memcpy(dst.addr_bytes + 3, pc->neigh->gw6 + 13, 3);
	l2 = put_l2(m, pc, &dst, RTE_ETHER_TYPE_IPV6);
	((struct rte_icmp_hdr *)icmp)->icmp_cksum =
		net_l4_cksum(m, l2, IPPROTO_ICMPV6, l2 + sizeof(*ip), ND_NS_LEN);
	return m;
}

struct rte_mbuf *net_neigh_solicit(struct net_worker *w, struct net_port_ctx *pc,
				   uint8_t ip_version, uint64_t tsc)
{
	uint64_t *next = &pc->next_solicit_tsc[ip_version == 4 ? 0 : 1];
	struct rte_mbuf *m;

	if (pc->neigh == NULL || (ip_version == 4 ? !pc->neigh->has_gw4 : !pc->neigh->has_gw6))
		return NULL;
	if (tsc < *next)
		return NULL;
	*next = tsc + rte_get_tsc_hz() / 1000 * NET_NEIGH_SOLICIT_MS;
	m = ip_version == 4 ? arp_request(w, pc) : nd_solicit(w, pc);
	if (m != NULL)
		pc->ctr.c[NET_CTR_NEIGH_SOLICITED]++;
	return m;
}

uint8_t *net_udp_payload(struct rte_mbuf *m)
{
	rte_pktmbuf_reset(m);
	m->data_off = RTE_PKTMBUF_HEADROOM + NET_UDP_HDR_ROOM;
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static void put_ip4(struct net_worker *w, const struct net_port_ctx *pc,
		    struct rte_ipv4_hdr *ip, const uint8_t *dst, uint16_t l4_len)
{
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->type_of_service = 0;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4_len));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)w->next_id++);
	ip->fragment_offset = 0;
	ip->time_to_live = NET_DEFAULT_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = pc->ip4[0];
	memcpy(&ip->dst_addr, dst, 4);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = net_ipv4_cksum(ip);
}

static void put_ip6(const struct net_port_ctx *pc, struct rte_ipv6_hdr *ip,
		    const uint8_t *dst, uint16_t l4_len)
{
	ip->vtc_flow = RTE_BE32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(l4_len);
	ip->proto = IPPROTO_UDP;
	ip->hop_limits = NET_DEFAULT_TTL;
	memcpy(ip->src_addr, pc->ip6[0], 16);
	memcpy(ip->dst_addr, dst, 16);
}

int net_tx_udp(struct net_worker *w, struct net_port_ctx *pc, struct rte_mbuf *m,
	       uint8_t ip_version, const uint8_t *dst_ip, uint16_t sport, uint16_t dport,
	       uint16_t payload_len, uint64_t tsc, struct rte_mbuf **solicit)
{
	uint16_t ip_len = ip_version == 4 ? sizeof(struct rte_ipv4_hdr) :
		sizeof(struct rte_ipv6_hdr);
	uint16_t l4_len = (uint16_t)(sizeof(struct rte_udp_hdr) + payload_len);
	struct rte_ether_addr gw;
	struct rte_udp_hdr *udp;
	uint8_t *ip;
	uint16_t l2;

	if (solicit != NULL)
		*solicit = NULL;
	if ((ip_version == 4 ? pc->n_ip4 : pc->n_ip6) == 0 || pc->neigh == NULL ||
	    (ip_version == 4 ? !pc->neigh->has_gw4 : !pc->neigh->has_gw6))
		return -EADDRNOTAVAIL;
	if ((uint32_t)ip_len + l4_len > pc->mtu)
		return -EMSGSIZE;
	if (!net_neigh_gateway(pc, ip_version, &gw)) {
		pc->ctr.c[NET_CTR_TX_NO_NEIGH]++;
		if (solicit != NULL)
			*solicit = net_neigh_solicit(w, pc, ip_version, tsc);
		return -EHOSTUNREACH;
	}
	rte_pktmbuf_append(m, payload_len);
	udp = (struct rte_udp_hdr *)rte_pktmbuf_prepend(m, sizeof(*udp));
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16(l4_len);
	ip = (uint8_t *)rte_pktmbuf_prepend(m, ip_len);
	if (ip_version == 4)
		put_ip4(w, pc, (struct rte_ipv4_hdr *)ip, dst_ip, l4_len);
	else
		put_ip6(pc, (struct rte_ipv6_hdr *)ip, dst_ip, l4_len);
	l2 = put_l2(m, pc, &gw, ip_version == 4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_IPV6);
	m->ol_flags = 0;
	net_udp_cksum_store(m, l2, (uint32_t)l2 + ip_len);
	pc->ctr.c[NET_CTR_TX_UPSTREAM]++;
	return 0;
}
