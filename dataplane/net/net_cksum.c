/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_cksum.c: Internet checksums (RFC 1071) for IPv4 headers and for
 * UDP/TCP/ICMP/ICMPv6 over possibly multi-segment mbufs, and the counter
 * names table. Runs on worker lcores: no blocking, locking or allocation.
 */
#include <netinet/in.h>
#include <string.h>

#include "net_priv.h"
#include "wire_csum.h"

const char *const net_counter_names[NET_CTR_MAX] = {
#define NET_CTR_NAME(id, name) [NET_CTR_##id] = name,
	NET_COUNTERS(NET_CTR_NAME)
#undef NET_CTR_NAME
};

void
net_counters_add(struct net_counters *dst, const struct net_counters *src)
{
	unsigned int i;

	for (i = 0; i < NET_CTR_MAX; i++)
		dst->c[i] += src->c[i];
}

uint16_t
net_raw_sum(const void *p, size_t len)
{
	return wire_csum_fold(wire_csum_native(p, len, 0));
}

uint16_t
net_ipv4_cksum(const struct rte_ipv4_hdr *ip)
{
	uint32_t len = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
		RTE_IPV4_IHL_MULTIPLIER;

	return (uint16_t)~net_raw_sum(ip, len);
}

/* Sum of the pseudo header (RFC 768 / RFC 8200 section 8.1), unfolded. */
static uint64_t
pseudo_sum(const uint8_t *l3, uint8_t proto, uint32_t l4_len)
{
	uint64_t sum;

	if ((l3[0] >> 4) == 4)
		sum = wire_csum_native(l3 + offsetof(struct rte_ipv4_hdr, src_addr), 8, 0);
	else
		sum = wire_csum_native(l3 + offsetof(struct rte_ipv6_hdr, src_addr), 32, 0);
	/* Length and protocol as big-endian words, read like the data. */
	sum += rte_cpu_to_be_16((uint16_t)(l4_len >> 16));
	sum += rte_cpu_to_be_16((uint16_t)l4_len);
	sum += rte_cpu_to_be_16(proto);
	return sum;
}

uint16_t
net_l4_cksum(const struct rte_mbuf *m, uint32_t l3_off, uint8_t proto,
		uint32_t l4_off, uint32_t l4_len)
{
	uint64_t sum = 0;
	uint16_t data;

	if (proto != IPPROTO_ICMP)
		sum = pseudo_sum(net_at(m, l3_off), proto, l4_len);
	/* The common case, one segment: sum the bytes directly. */
	if (m->nb_segs == 1 && (uint64_t)l4_off + l4_len <= m->data_len)
		return (uint16_t)~wire_csum_fold(wire_csum_native(net_at(m, l4_off), l4_len, sum));
	if (rte_raw_cksum_mbuf(m, l4_off, l4_len, &data) != 0)
		return 0xffff; /* out of bounds: never reads as valid */
	sum += data;
	return (uint16_t)~wire_csum_fold(sum);
}

void
net_udp_cksum_store(struct rte_mbuf *m, uint32_t l3_off, uint32_t l4_off)
{
	struct rte_udp_hdr *udp = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *,
			l4_off);
	uint16_t ck;

	udp->dgram_cksum = 0;
	ck = net_l4_cksum(m, l3_off, IPPROTO_UDP, l4_off,
			rte_be_to_cpu_16(udp->dgram_len));
	udp->dgram_cksum = ck == 0 ? 0xffff : ck;
}
