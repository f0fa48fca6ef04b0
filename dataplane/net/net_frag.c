/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_frag.c: IP fragment reassembly on receive and making frames one
 * segment. Runs on worker lcores: mbufs come from pools created at start-up;
 * no blocking, locking or heap allocation.
 *
 * How reassembly is driven. rte_ip_frag keeps fragments in the worker's
 * table and returns NULL both while a datagram is incomplete and when it
 * gave up on it (overlap, duplicate first/last fragment, too many fragments,
 * table full): in the second case it has put the fragments, ours included,
 * on the death row. So after a NULL we look for our mbuf among the new
 * death-row entries (as an entry or a segment of one): found means an error,
 * otherwise the fragment is held, and new entries belonged to a stale
 * datagram evicted to make room. Whatever sits on the death row is freed by
 * net_worker_flush() once per burst.
 *
 * rte_ip_frag's IPv6 reassembly removes the fragment header assuming it
 * directly follows the fixed header; unfragmentable extension headers in
 * front of it (hop-by-hop, destination options, routing) are therefore cut
 * out first. They carry nothing a DNS cache acts on.
 */
#include <errno.h>
#include <netinet/in.h>

#include "net_priv.h"

/* Room to leave on the death row before a reassembly call: an evicted
 * datagram, a failed one and the new fragment. */
#define DR_MARGIN (3 * (RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1))

/* Receive flags that still describe the frame after a copy. */
#define RX_FLAGS_KEPT (RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED | \
		RTE_MBUF_F_RX_RSS_HASH | RTE_MBUF_F_RX_IP_CKSUM_MASK | \
		RTE_MBUF_F_RX_L4_CKSUM_MASK)

static struct rte_mbuf *
copy_linear(struct rte_mempool *pool, const struct rte_mbuf *m, uint32_t room)
{
	const struct rte_mbuf *seg;
	struct rte_mbuf *n;
	uint8_t *dst;

	if (pool == NULL)
		return NULL;
	n = rte_pktmbuf_alloc(pool);
	if (n == NULL)
		return NULL;
	if (rte_pktmbuf_tailroom(n) < RTE_MAX(room, m->pkt_len)) {
		rte_pktmbuf_free(n);
		return NULL;
	}
	dst = rte_pktmbuf_mtod(n, uint8_t *);
	for (seg = m; seg != NULL; seg = seg->next) {
		rte_memcpy(dst, rte_pktmbuf_mtod(seg, const void *), seg->data_len);
		dst += seg->data_len;
	}
	n->data_len = (uint16_t)m->pkt_len;
	n->pkt_len = m->pkt_len;
	n->port = m->port;
	n->ol_flags = m->ol_flags & RX_FLAGS_KEPT;
	n->vlan_tci = m->vlan_tci;
	n->vlan_tci_outer = m->vlan_tci_outer;
	n->packet_type = m->packet_type;
	n->hash = m->hash;
	n->tx_offload = m->tx_offload;
	return n;
}

int
net_linearize(struct net_worker *w, struct rte_mbuf **mp)
{
	struct rte_mbuf *n;

	if (rte_pktmbuf_is_contiguous(*mp))
		return 0;
	if (rte_pktmbuf_linearize(*mp) == 0)
		return 0;
	n = copy_linear(w->big_pool, *mp, 0);
	if (n == NULL)
		return -ENOBUFS;
	rte_pktmbuf_free(*mp);
	*mp = n;
	return 0;
}

uint32_t
net_pkt_payload_room(const struct rte_mbuf *m, const struct net_pkt *p)
{
	uint32_t room = (uint32_t)m->buf_len - m->data_off - p->payload_off;
	uint32_t udp_max = UINT16_MAX - (uint32_t)(p->payload_off - p->l4_off) -
		(p->ip_version == 4 ? (uint32_t)(p->l4_off - p->l3_off) : 0);

	return RTE_MIN(room, udp_max);
}

int
net_pkt_reserve(struct net_worker *w, struct rte_mbuf **m,
		const struct net_pkt *p, uint32_t len)
{
	struct rte_mbuf *n;
	uint32_t udp_max = UINT16_MAX - (uint32_t)(p->payload_off - p->l4_off) -
		(p->ip_version == 4 ? (uint32_t)(p->l4_off - p->l3_off) : 0);

	if (len > udp_max)
		return -EMSGSIZE;
	if (rte_pktmbuf_is_contiguous(*m) && net_pkt_payload_room(*m, p) >= len)
		return 0;
	if (w->big_pool == NULL)
		return -ENOBUFS;
	if ((uint32_t)rte_pktmbuf_data_room_size(w->big_pool) <
			RTE_PKTMBUF_HEADROOM + (uint32_t)p->payload_off + len)
		return -EMSGSIZE;
	n = copy_linear(w->big_pool, *m, (uint32_t)p->payload_off + len);
	if (n == NULL)
		return -ENOBUFS;
	rte_pktmbuf_free(*m);
	*m = n;
	return 0;
}

/* Sort out what a NULL from rte_ip_frag means (see the file comment). */
static enum net_verdict
frag_not_done(struct net_rx_ctx *c, uint32_t dr_before)
{
	struct rte_ip_frag_death_row *dr = &c->w->death_row;
	const struct rte_mbuf *seg;
	uint32_t i;

	for (i = dr_before; i < dr->cnt; i++) {
		for (seg = dr->row[i]; seg != NULL; seg = seg->next) {
			if (seg == c->m) {
				c->m = NULL; /* freed with the death row */
				return net_drop(c, NET_CTR_DROP_FRAG_ERROR);
			}
		}
	}
	c->pc->ctr.c[NET_CTR_FRAG_EXPIRED_MBUFS] += dr->cnt - dr_before;
	c->pc->ctr.c[NET_CTR_FRAG_HELD]++;
	c->m = NULL;
	return NET_HELD;
}

/* A datagram is complete: make it one segment for the parsers. */
static bool
frag_done(struct net_rx_ctx *c, struct rte_mbuf *whole, enum net_verdict *v)
{
	c->m = whole;
	c->pc->ctr.c[NET_CTR_REASSEMBLED]++;
	if (net_linearize(c->w, &c->m) != 0) {
		*v = net_drop(c, NET_CTR_DROP_TOO_BIG);
		return true;
	}
	/* Checksum flags described the first fragment only. */
	c->m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
			RTE_MBUF_F_RX_L4_CKSUM_MASK);
	c->reassembled = true;
	return false;
}

static void
death_row_make_room(struct net_worker *w)
{
	if (w->death_row.cnt > RTE_IP_FRAG_DEATH_ROW_MBUF_LEN - DR_MARGIN)
		net_worker_flush(w);
}

bool
net_reassemble_ipv4(struct net_rx_ctx *c, uint32_t l3_off, uint32_t ihl,
		enum net_verdict *v)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)net_at(c->m, l3_off);
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint32_t ofs = (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) *
		RTE_IPV4_HDR_OFFSET_UNITS;
	uint32_t len = rte_be_to_cpu_16(ip->total_length) - ihl;
	uint32_t dr_before;
	struct rte_mbuf *whole;

	/* Empty, misaligned or beyond 64 KiB: rte_ip_frag would accept some. */
	if (c->reassembled || len == 0 || ofs + len + ihl > UINT16_MAX ||
			((fo & RTE_IPV4_HDR_MF_FLAG) && (len & 7) != 0)) {
		*v = net_drop(c, NET_CTR_DROP_FRAG_ERROR);
		return true;
	}
	death_row_make_room(c->w);
	dr_before = c->w->death_row.cnt;
	c->m->l2_len = c->l2_len;
	c->m->l3_len = ihl;
	whole = rte_ipv4_frag_reassemble_packet(c->w->frag_tbl, &c->w->death_row,
			c->m, c->tsc, ip);
	if (whole == NULL) {
		*v = frag_not_done(c, dr_before);
		return true;
	}
	if (frag_done(c, whole, v))
		return true;
	ip = (struct rte_ipv4_hdr *)net_at(c->m, l3_off);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = net_ipv4_cksum(ip);
	return false;
}

bool
net_reassemble_ipv6(struct net_rx_ctx *c, uint32_t l3_off, uint32_t frag_off,
		enum net_verdict *v)
{
	const uint32_t fixed_end = l3_off + sizeof(struct rte_ipv6_hdr);
	struct rte_ipv6_hdr *ip;
	struct rte_ipv6_fragment_ext *fh;
	uint32_t dr_before, ofs, len;
	uint16_t fd;
	struct rte_mbuf *whole;

	if (c->reassembled) {
		*v = net_drop(c, NET_CTR_DROP_FRAG_ERROR);
		return true;
	}
	ip = (struct rte_ipv6_hdr *)net_at(c->m, l3_off);
	if (frag_off != fixed_end) {
		uint32_t cut = frag_off - fixed_end;

		ip->proto = IPPROTO_FRAGMENT;
		ip->payload_len = rte_cpu_to_be_16(
				(uint16_t)(rte_be_to_cpu_16(ip->payload_len) - cut));
		net_cut(c->m, fixed_end, cut);
		ip = (struct rte_ipv6_hdr *)net_at(c->m, l3_off);
	}
	fh = (struct rte_ipv6_fragment_ext *)(ip + 1);
	fd = rte_be_to_cpu_16(fh->frag_data);
	ofs = RTE_IPV6_GET_FO(fd) * 8u;
	len = rte_be_to_cpu_16(ip->payload_len) - (uint32_t)sizeof(*fh);
	if (len == 0 || ofs + len > UINT16_MAX ||
			(RTE_IPV6_GET_MF(fd) && (len & 7) != 0)) {
		*v = net_drop(c, NET_CTR_DROP_FRAG_ERROR);
		return true;
	}
	death_row_make_room(c->w);
	dr_before = c->w->death_row.cnt;
	c->m->l2_len = c->l2_len;
	c->m->l3_len = sizeof(*ip) + sizeof(*fh);
	whole = rte_ipv6_frag_reassemble_packet(c->w->frag_tbl, &c->w->death_row,
			c->m, c->tsc, ip, fh);
	if (whole == NULL) {
		*v = frag_not_done(c, dr_before);
		return true;
	}
	return frag_done(c, whole, v);
}
