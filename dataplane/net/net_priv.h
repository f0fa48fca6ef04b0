/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_priv.h: helpers shared by the net module's files. Not a public API.
 * Everything here runs on worker lcores: no blocking, locking or heap.
 */
#ifndef SEKISHO_NET_PRIV_H
#define SEKISHO_NET_PRIV_H

#include <stdbool.h>
#include <string.h>

#include <rte_udp.h>

#include "net.h"

/* State of one frame while net_rx() works on it. */
struct net_rx_ctx {
	struct net_worker *w;
	struct net_port_ctx *pc;
	struct rte_mbuf *m;     /* current mbuf (reassembly may replace it) */
	struct net_pkt *p;
	uint64_t tsc;
	uint16_t l2_len;        /* Ethernet (+ tag) header length */
	uint16_t vlan;
	bool mac_bcast;         /* frame sent to ff:ff:ff:ff:ff:ff */
	bool mac_mcast;         /* frame sent to some other group address */
	bool reassembled;       /* m is the product of reassembly */
};

/* The one's-complement sum of @len bytes, folded, in the CPU's byte order (as
 * rte_raw_cksum; wire_csum_native, eight bytes a step): 0xffff over a header whose checksum
 * holds. net_cksum.c. */
uint16_t net_raw_sum(const void *p, size_t len);

static inline enum net_verdict
net_drop(struct net_rx_ctx *c, enum net_counter why)
{
	c->pc->ctr.c[why]++;
	return NET_DROP;
}

static inline enum net_verdict
net_exception(struct net_rx_ctx *c)
{
	c->pc->ctr.c[NET_CTR_EXCEPTION]++;
	return NET_EXCEPTION;
}

static inline uint8_t *
net_at(const struct rte_mbuf *m, uint32_t off)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, off);
}

static inline bool
net_ip4_is_ours(const struct net_port_ctx *pc, rte_be32_t a)
{
	unsigned int i;

	for (i = 0; i < pc->n_ip4; i++)
		if (pc->ip4[i] == a)
			return true;
	return false;
}

static inline bool
net_ip6_is_ours(const struct net_port_ctx *pc, const uint8_t *a)
{
	unsigned int i;

	for (i = 0; i < pc->n_ip6; i++)
		if (memcmp(pc->ip6[i], a, 16) == 0)
			return true;
	return false;
}

/* Remove cut bytes that follow the first keep bytes of the frame. Used to
 * drop IPv4 options and IPv6 extension headers: keep is the Ethernet header
 * plus the fixed IP header, a few dozen bytes to move. */
static inline void
net_cut(struct rte_mbuf *m, uint32_t keep, uint32_t cut)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);

	memmove(d + cut, d, keep);
	rte_pktmbuf_adj(m, (uint16_t)cut);
}

/* Make the frame one segment (in place or into a big-pool mbuf).
 * Returns 0 or a negative errno; *mp is untouched on failure. */
int net_linearize(struct net_worker *w, struct rte_mbuf **mp);

/* Feed an IPv4 / IPv6 fragment to reassembly. Returns true when the verdict
 * in *v is final (held, dropped); false when c->m is now the reassembled,
 * single-segment datagram to parse again. */
bool net_reassemble_ipv4(struct net_rx_ctx *c, uint32_t l3_off,
		uint32_t ihl, enum net_verdict *v);
bool net_reassemble_ipv6(struct net_rx_ctx *c, uint32_t l3_off,
		uint32_t frag_off, enum net_verdict *v);

/* Put back an 802.1Q tag the NIC stripped, before a frame goes back out.
 * Returns the number of bytes added to the front (0 or 4), negative errno. */
int net_restore_vlan(struct rte_mbuf **mp);

/* Rewrite the L2 header of a reply: back to the sender, from us. */
static inline void
net_swap_mac(struct rte_mbuf *m, const struct net_port_ctx *pc)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&pc->mac, &eth->src_addr);
}

/* In-place replies built by net_rx(). Each returns the verdict. */
enum net_verdict net_reply_arp(struct net_rx_ctx *c);
enum net_verdict net_reply_icmp_echo(struct net_rx_ctx *c, uint32_t l3_off,
		uint32_t ihl, uint32_t l4_len);
enum net_verdict net_reply_icmp6_echo(struct net_rx_ctx *c, uint32_t l3_off,
		uint32_t l4_off, uint32_t l4_len);
enum net_verdict net_reply_nd(struct net_rx_ctx *c, uint32_t l3_off,
		uint32_t l4_off, uint32_t l4_len);

#endif /* SEKISHO_NET_PRIV_H */
