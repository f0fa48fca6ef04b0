/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * net: the L2-L4 packet path of a worker lcore.
 *
 * A worker hands every received mbuf to net_rx(). It parses Ethernet, one
 * 802.1Q tag, ARP, IPv4 (options skipped), IPv6 (extension headers walked),
 * UDP, ICMP and ICMPv6, reassembles IP fragments, answers ARP, neighbour
 * solicitations and echo requests in place, and returns a verdict saying
 * what the worker must do with the mbuf next. DNS replies are turned back
 * into frames by net_tx_dns_reply(), which fragments them when they exceed
 * the port MTU.
 *
 * Nothing here blocks, locks, calls the kernel or allocates from the heap on
 * the packet path: the fragment table and the mempools are created at init;
 * mbufs come from those pools only.
 *
 * Ownership of the mbuf (*m) after net_rx():
 *  - NET_DNS:       the caller owns *m; it is one contiguous segment and
 *                   the DNS message lies at p->payload_off.
 *  - NET_REPLY:     *m has been rewritten into a reply; send it on the same
 *                   port (it may have been replaced by another mbuf).
 *  - NET_UDP:       like NET_DNS, for a UDP port other than 53 (upstream
 *                   responses); IP options and extension headers are left in
 *                   place. What the worker does not claim goes to the kernel.
 *  - NET_EXCEPTION: hand *m to the kernel exception port unchanged (except
 *                   for Ethernet padding removed and fragments reassembled).
 *  - NET_HELD:      reassembly kept the mbuf; *m is set to NULL.
 *  - NET_DROP:      the caller frees *m with rte_pktmbuf_free(), which
 *                   accepts NULL: *m is NULL when reassembly already disposed
 *                   of the mbuf (it sits on the worker's death row).
 *
 * Reassembled datagrams and multi-segment received frames are made into one
 * segment before they are parsed: in place when the first segment has the
 * tailroom (rte_pktmbuf_linearize), otherwise copied into an mbuf of the
 * worker's big pool (net_worker_params.big_pool). A datagram that fits in
 * neither is dropped (NET_CTR_DROP_TOO_BIG). Size the big pool's data room
 * for the largest EDNS payload the resolver accepts plus headers (4096 +
 * 128 is enough for rollover-size answers; 65535 is the mbuf limit).
 *
 * For NET_DNS packets IPv4 options and IPv6 extension headers are removed
 * from the mbuf, so the reply is always built on a plain 20- or 40-byte IP
 * header followed by UDP.
 */
#ifndef SEKISHO_NET_H
#define SEKISHO_NET_H

#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "net_neigh.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Most IPv4 and most IPv6 addresses the appliance has on one port. */
#define NET_MAX_ADDRS 8

/** UDP port the dataplane serves (everything else goes to the kernel). */
#define NET_DNS_PORT 53

/** Hop limit / TTL of packets the dataplane originates. */
#define NET_DEFAULT_TTL 64

/** Most fragments one reply may be split into (rte_ip_frag's own limit). */
#define NET_MAX_TX_FRAGS RTE_LIBRTE_IP_FRAG_MAX_FRAG

/**
 * Counters: X(enum suffix, exported name). Adding a counter is one line here.
 * Drops are named drop_<reason>.
 */
#define NET_COUNTERS(X) \
	X(RX_PACKETS,        "rx_packets") \
	X(DROP_SHORT_FRAME,  "drop_short_frame") \
	X(DROP_BAD_VLAN,     "drop_bad_vlan") \
	X(DROP_NOT_FOR_US,   "drop_not_for_us") \
	X(DROP_BAD_ETHERTYPE, "drop_bad_ethertype") \
	X(DROP_BAD_ARP,      "drop_bad_arp") \
	X(DROP_BAD_IPV4_HDR, "drop_bad_ipv4_hdr") \
	X(DROP_BAD_IPV4_CKSUM, "drop_bad_ipv4_cksum") \
	X(DROP_BAD_IPV6_HDR, "drop_bad_ipv6_hdr") \
	X(DROP_BAD_EXT_HDR,  "drop_bad_ext_hdr") \
	X(DROP_BAD_UDP_LEN,  "drop_bad_udp_len") \
	X(DROP_BAD_UDP_CKSUM, "drop_bad_udp_cksum") \
	X(DROP_BAD_ICMP,     "drop_bad_icmp") \
	X(DROP_FRAG_ERROR,   "drop_frag_error") \
	X(DROP_TOO_BIG,      "drop_too_big") \
	X(FRAG_EXPIRED_MBUFS, "frag_expired_mbufs") \
	X(FRAG_HELD,         "frag_held") \
	X(REASSEMBLED,       "reassembled") \
	X(ARP_REPLIED,       "arp_replied") \
	X(ND_REPLIED,        "nd_replied") \
	X(ICMP_ECHO_REPLIED, "icmp_echo_replied") \
	X(ICMP6_ECHO_REPLIED, "icmp6_echo_replied") \
	X(EXCEPTION,         "exception") \
	X(DNS_RX,            "dns_rx") \
	X(DNS_TX,            "dns_tx") \
	X(TX_FRAGMENTED,     "tx_fragmented") \
	X(TX_ERROR,          "tx_error") \
	X(NEIGH_LEARNED,     "neigh_learned") \
	X(NEIGH_SOLICITED,   "neigh_solicited") \
	X(TX_UPSTREAM,       "tx_upstream") \
	X(TX_NO_NEIGH,       "tx_no_neighbour")

/** Index of each counter in struct net_counters. */
enum net_counter {
#define NET_CTR_ENUM(id, name) NET_CTR_##id,
	NET_COUNTERS(NET_CTR_ENUM)
#undef NET_CTR_ENUM
	NET_CTR_MAX
};

/** Counters of one worker (or one worker's port): plain uint64_t, no atomics. */
struct net_counters {
	uint64_t c[NET_CTR_MAX]; /**< indexed by enum net_counter */
};

/** Exported name of each counter, indexed by enum net_counter. */
extern const char *const net_counter_names[NET_CTR_MAX];

/** What the worker does with a received mbuf. */
enum net_verdict {
	NET_DROP = 0,   /**< malformed or not for us; counted; caller frees */
	NET_DNS,        /**< UDP to one of our addresses, port 53: see net_pkt */
	NET_REPLY,      /**< rewritten in place; send back on the same port */
	NET_EXCEPTION,  /**< for us but not served here: pass to the kernel */
	NET_HELD,       /**< kept by reassembly; *m is NULL */
	NET_UDP,        /**< UDP to one of our addresses, another port: see net_pkt
	                     (an upstream response, or for the kernel) */
};

/** An IPv4 or IPv6 address in network byte order. */
union net_ip {
	rte_be32_t v4;    /**< IPv4 (ip_version 4) */
	uint8_t v6[16];   /**< IPv6 (ip_version 6) */
};

/** Where a DNS datagram lies in its mbuf, filled by net_rx() for NET_DNS. */
struct net_pkt {
	uint16_t l2_len;      /**< Ethernet header (+ 802.1Q tag) length */
	uint16_t l3_off;      /**< IP header offset (== l2_len) */
	uint16_t l4_off;      /**< UDP header offset */
	uint16_t payload_off; /**< DNS message offset */
	uint16_t payload_len; /**< DNS message length */
	uint16_t vlan;        /**< VLAN id the frame carried, 0 if untagged */
	uint16_t src_port;    /**< UDP source port, host order */
	uint16_t dst_port;    /**< UDP destination port, host order */
	uint8_t ip_version;   /**< 4 or 6 */
	uint8_t hop_limit;    /**< TTL / hop limit the query arrived with */
	uint8_t reassembled;  /**< 1: the datagram arrived as IP fragments */
	union net_ip src;     /**< IP source (the client) */
	union net_ip dst;     /**< IP destination (our address) */
};

/** State of one port as seen by one worker. Filled with net_port_ctx_init(). */
struct net_port_ctx {
	struct rte_ether_addr mac;        /**< our MAC on this port */
	uint16_t port_id;                 /**< DPDK port id */
	uint16_t vlan;                    /**< 802.1Q VLAN id, 0 = untagged */
	uint16_t mtu;                     /**< L3 MTU (IP header included) */
	uint8_t n_ip4;                    /**< entries used in ip4[] */
	uint8_t n_ip6;                    /**< entries used in ip6[] */
	uint64_t tx_offloads;             /**< RTE_ETH_TX_OFFLOAD_* enabled */
	bool tx_linear;                   /**< see net_port_conf */
	rte_be32_t ip4[NET_MAX_ADDRS];    /**< our IPv4 addresses */
	uint8_t ip6[NET_MAX_ADDRS][16];   /**< our IPv6 addresses */
	uint8_t ip6_snm[NET_MAX_ADDRS][16]; /**< their solicited-node groups */
	struct net_neigh *neigh;          /**< the port's gateways, shared; may be NULL */
	uint64_t next_solicit_tsc[2];     /**< ARP / NS rate limit of this worker */
	struct net_counters ctr;          /**< what this worker saw on this port */
} __rte_cache_aligned;

/** Arguments of net_port_ctx_init(). */
struct net_port_conf {
	uint16_t port_id;                 /**< DPDK port id */
	uint16_t vlan;                    /**< 802.1Q VLAN id (1-4094), 0 = untagged */
	uint16_t mtu;                     /**< L3 MTU; 0 means 1500 */
	uint64_t tx_offloads;             /**< RTE_ETH_TX_OFFLOAD_* enabled on the port */
	bool tx_linear;                   /**< the PMD sends only one-segment mbufs
	                                       (net_af_xdp): fragments are copied
	                                       into one mbuf each */
	struct rte_ether_addr mac;        /**< our MAC */
	uint8_t n_ip4;                    /**< number of IPv4 addresses */
	uint8_t n_ip6;                    /**< number of IPv6 addresses */
	rte_be32_t ip4[NET_MAX_ADDRS];    /**< IPv4 addresses, network order */
	uint8_t ip6[NET_MAX_ADDRS][16];   /**< IPv6 addresses (add the link-local
	                                       one if ND for it is to be answered) */
	struct net_neigh *neigh;          /**< gateways of the port (shared by its
	                                       workers), NULL: nothing sent upstream */
};

/** Arguments of net_worker_init(). */
struct net_worker_params {
	uint32_t frag_buckets;         /**< fragment table buckets (e.g. 1024) */
	uint32_t frag_bucket_entries;  /**< entries per bucket, power of 2 (e.g. 16) */
	uint32_t frag_max_entries;     /**< datagrams in reassembly at once,
	                                    <= buckets * bucket_entries */
	uint32_t frag_ttl_ms;          /**< reassembly timeout (e.g. 2000) */
	int socket_id;                 /**< NUMA socket for the table */
	struct rte_mempool *direct_pool;   /**< mbufs for fragment headers on tx */
	struct rte_mempool *indirect_pool; /**< mbufs (no data room needed) that
	                                        point into the reply on tx */
	struct rte_mempool *big_pool;  /**< large mbufs for linearising and growing
	                                    replies; NULL: only in-place */
	uint32_t id_seed;              /**< seed for IPv4 id / IPv6 fragment id */
};

/** Per-worker state. One per worker lcore, never shared. */
struct net_worker {
	struct rte_ip_frag_tbl *frag_tbl;     /**< reassembly table */
	struct rte_mempool *direct_pool;      /**< see net_worker_params */
	struct rte_mempool *indirect_pool;    /**< see net_worker_params */
	struct rte_mempool *big_pool;         /**< see net_worker_params */
	uint32_t next_id;                     /**< next IPv4 id / IPv6 frag id */
	struct net_counters ctr;              /**< events tied to no port */
	struct rte_ip_frag_death_row death_row; /**< mbufs reassembly let go of */
} __rte_cache_aligned;

/**
 * Fill a port context: copy addresses, compute the IPv6 solicited-node
 * groups, zero the counters.
 *
 * @param pc    context to fill
 * @param conf  port settings
 * @return 0, or -EINVAL if a count exceeds NET_MAX_ADDRS, the VLAN id is
 *         above 4094 or the MTU below 576 (IPv4 minimum reassembly size).
 */
int net_port_ctx_init(struct net_port_ctx *pc, const struct net_port_conf *conf);

/**
 * Create the worker's fragment table and take its pools. Not for the packet
 * path (it allocates).
 *
 * @param w    worker state to fill (zeroed first)
 * @param prm  sizes and pools; direct_pool and indirect_pool are required
 * @return 0, -EINVAL on bad parameters, -ENOMEM if the table cannot be made.
 */
int net_worker_init(struct net_worker *w, const struct net_worker_params *prm);

/**
 * Free the fragment table and every mbuf it or the death row still holds.
 * The pools belong to the caller.
 *
 * @param w  worker state from net_worker_init(); NULL is allowed
 */
void net_worker_free(struct net_worker *w);

/**
 * Free the mbufs reassembly has put on the death row. Call once per burst,
 * after the burst's packets went through net_rx().
 *
 * @param w  worker state
 */
void net_worker_flush(struct net_worker *w);

/**
 * Drop reassemblies older than frag_ttl_ms (their mbufs go on the death row
 * and are counted in w->ctr as FRAG_EXPIRED_MBUFS). Call from time to time
 * (e.g. every few milliseconds) so that stale fragments do not hold mbufs.
 *
 * @param w    worker state
 * @param tsc  now, in rte_rdtsc() cycles
 */
void net_worker_expire(struct net_worker *w, uint64_t tsc);

/**
 * Classify one received frame, answer what the dataplane answers in place,
 * feed fragments to reassembly. See the file comment for who owns *m after.
 *
 * @param w    the calling worker's state
 * @param pc   the port the frame came from, as seen by this worker
 * @param m    in: the received mbuf; out: the mbuf to act on (may differ,
 *             NULL for NET_HELD and for some NET_DROP)
 * @param tsc  arrival time in rte_rdtsc() cycles (for reassembly timeouts)
 * @param p    filled for NET_DNS only
 * @return the verdict; every drop is counted in pc->ctr by reason.
 */
enum net_verdict net_rx(struct net_worker *w, struct net_port_ctx *pc,
		struct rte_mbuf **m, uint64_t tsc, struct net_pkt *p);

/**
 * Run net_rx() over a burst, prefetching the next frames.
 *
 * @param w        the calling worker's state
 * @param pc       the port the burst came from
 * @param pkts     the mbufs; each entry is replaced as net_rx() replaces *m
 * @param n        number of mbufs
 * @param tsc      arrival time in cycles
 * @param verdict  out: verdict of each mbuf
 * @param p        out: net_pkt of each mbuf (valid where verdict is NET_DNS)
 */
void net_rx_burst(struct net_worker *w, struct net_port_ctx *pc,
		struct rte_mbuf **pkts, uint16_t n, uint64_t tsc,
		enum net_verdict *verdict, struct net_pkt *p);

/**
 * Bytes available for a DNS message at p->payload_off in m without moving
 * anything (contiguous room up to the end of the first segment's buffer).
 *
 * @param m  the query mbuf returned with NET_DNS
 * @param p  its net_pkt
 * @return room in bytes (at least p->payload_len).
 */
uint32_t net_pkt_payload_room(const struct rte_mbuf *m, const struct net_pkt *p);

/**
 * Make room for a reply of len bytes at p->payload_off. When the mbuf is too
 * small, its headers and current payload are copied into an mbuf of the
 * big pool, *m is freed and replaced; offsets in p stay valid.
 *
 * @param w    worker state (its big pool)
 * @param m    in/out: the query mbuf
 * @param p    its net_pkt
 * @param len  bytes the reply needs
 * @return 0, -ENOBUFS (no big pool or pool empty: *m untouched), -EMSGSIZE
 *         (larger than a big-pool mbuf, or than UDP allows).
 */
int net_pkt_reserve(struct net_worker *w, struct rte_mbuf **m,
		const struct net_pkt *p, uint32_t len);

/**
 * Turn a query mbuf whose payload the caller has replaced by a DNS response
 * of dns_len bytes (written at p->payload_off, see net_pkt_payload_room())
 * into the frame(s) to send on the port: MACs, addresses and ports swapped,
 * lengths, IPv4 id and TTL set, IPv4 header and UDP checksums computed (by
 * the NIC when pc->tx_offloads allows and no fragmenting is needed),
 * fragmented when the datagram exceeds pc->mtu (the fragments are chains of
 * a direct header mbuf and indirect mbufs: the port must accept multi-segment
 * tx). IPv4 replies leave without DF; IPv6 fragmenting needs pc->mtu >= 1280.
 * A reply larger than the port MTU gets the UDP checksum in software.
 *
 * @param w        worker state (pools for fragments, id counter)
 * @param pc       the port the query came from
 * @param m        the query mbuf returned with NET_DNS
 * @param p        its net_pkt
 * @param dns_len  length of the response message
 * @param out      out: frames to transmit, in order
 * @param max_out  room in out (NET_MAX_TX_FRAGS is always enough)
 * @return number of frames in out (m is consumed: it is out[0], or it was
 *         freed after fragmenting); negative errno on failure, m still
 *         belongs to the caller (free it): -EMSGSIZE (dns_len beyond
 *         net_pkt_payload_room() or more fragments than max_out), -EINVAL
 *         (m not one segment, max_out < 1, IPv6 MTU below 1280), -ENOMEM
 *         (fragment pools empty), -ENOSPC (no headroom for the L2 header).
 */
int net_tx_dns_reply(struct net_worker *w, struct net_port_ctx *pc,
		struct rte_mbuf *m, const struct net_pkt *p, uint16_t dns_len,
		struct rte_mbuf **out, int max_out);

/**
 * net_tx_dns_reply() for a response whose checksum sum the caller knows
 * (@payload_sum: RFC 1071 one's-complement sum of the dns_len bytes, network
 * order, folded to 16 bits, as wire_csum.h makes it; WIRE_CSUM_UNKNOWN: not
 * known). A reply that leaves in
 * one frame then gets its UDP checksum (and the IPv4 header's) from that sum and
 * from the addresses and ports in @p, without reading the frame back.
 */
int net_tx_dns_reply_sum(struct net_worker *w, struct net_port_ctx *pc,
		struct rte_mbuf *m, const struct net_pkt *p, uint16_t dns_len,
		uint32_t payload_sum, struct rte_mbuf **out, int max_out);

/** Headers net_tx_udp() puts in front of a payload, at most (Ethernet, 802.1Q,
 * IPv6, UDP). */
#define NET_UDP_HDR_ROOM (RTE_ETHER_HDR_LEN + 4 + 40 + 8)

/**
 * Start a datagram the appliance originates (an upstream query): reset m and return
 * where its UDP payload goes, with room for the headers in front.
 *
 * @param m  an mbuf from a pool whose data room holds NET_UDP_HDR_ROOM + payload
 * @return the payload pointer.
 */
uint8_t *net_udp_payload(struct rte_mbuf *m);

/**
 * Frame the payload_len bytes written at net_udp_payload(m) as UDP from our first
 * address of ip_version on this port, sport, to dst_ip:dport, through the port's
 * gateway: Ethernet (+ VLAN), IP header, UDP checksum.
 *
 * @param w         worker state (IPv4 id)
 * @param pc        the port
 * @param m         the mbuf started with net_udp_payload()
 * @param ip_version 4 or 6
 * @param dst_ip    destination (4 or 16 bytes, network order)
 * @param sport     our UDP port, host order
 * @param dport     server port, host order
 * @param payload_len bytes of payload
 * @param tsc       now, for the solicitation rate limit
 * @param solicit   out: an ARP request / neighbour solicitation to send when the
 *                  gateway's MAC is not known yet (may be NULL), else NULL
 * @return 0 (m is ready to send), -EHOSTUNREACH (no gateway MAC yet; m untouched),
 *         -EADDRNOTAVAIL (no address or gateway of that family on the port),
 *         -EMSGSIZE (larger than the MTU).
 */
int net_tx_udp(struct net_worker *w, struct net_port_ctx *pc, struct rte_mbuf *m,
		uint8_t ip_version, const uint8_t *dst_ip, uint16_t sport, uint16_t dport,
		uint16_t payload_len, uint64_t tsc, struct rte_mbuf **solicit);

/**
 * IPv4 header checksum (options included), ready to store.
 *
 * @param ip  header; its hdr_checksum field must be 0
 * @return the checksum in network byte order.
 */
uint16_t net_ipv4_cksum(const struct rte_ipv4_hdr *ip);

/**
 * UDP, TCP or ICMPv6 checksum over a possibly multi-segment mbuf, pseudo
 * header included (ICMPv4 has none: pass IPPROTO_ICMP and none is added).
 *
 * To compute: zero the checksum field, call, store the result (for UDP use
 * net_udp_cksum_store(), which also maps 0 to 0xffff). To verify: call with
 * the field as received; a valid segment gives 0.
 *
 * @param m       the mbuf
 * @param l3_off  offset of the IPv4 or IPv6 header (version read from it;
 *                must lie in the first segment)
 * @param proto   upper-layer protocol for the pseudo header
 * @param l4_off  offset of the L4 header
 * @param l4_len  length of L4 header + data
 * @return the checksum as stored in the packet (network byte order); 0xffff
 *         when [l4_off, l4_off + l4_len) is beyond the packet.
 */
uint16_t net_l4_cksum(const struct rte_mbuf *m, uint32_t l3_off, uint8_t proto,
		uint32_t l4_off, uint32_t l4_len);

/**
 * Compute and store the UDP checksum of the datagram at l4_off (0 mapped to
 * 0xffff). The mbuf may be multi-segment but the UDP header must be in the
 * first segment.
 *
 * @param m       the mbuf
 * @param l3_off  IP header offset
 * @param l4_off  UDP header offset
 */
void net_udp_cksum_store(struct rte_mbuf *m, uint32_t l3_off, uint32_t l4_off);

/**
 * Add every counter of src to dst (for stats export).
 *
 * @param dst  accumulator
 * @param src  counters to add
 */
void net_counters_add(struct net_counters *dst, const struct net_counters *src);

#ifdef __cplusplus
}
#endif

#endif /* SEKISHO_NET_H */
