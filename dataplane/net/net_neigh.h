/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * net_neigh: the next hop of traffic the appliance originates (upstream queries).
 *
 * Everything sekisho sends upstream leaves through the port's gateway (one IPv4 and
 * one IPv6 gateway per port, from the config). Their MAC addresses are learned by the
 * dataplane itself, natively, like the ARP/ND it answers: from ARP requests and
 * replies whose sender is the gateway, and from neighbour solicitations and
 * advertisements sent by or about the gateway. When a worker needs a MAC that is not
 * known yet, it sends an ARP request or a neighbour solicitation (rate-limited) and the
 * upstream query waits for its retry timer.
 *
 * One struct net_neigh per port is shared by every worker of that port. A MAC is
 * published as one 64-bit word (valid bit + 48 bits) with an atomic store and read
 * with an atomic load: no lock, no torn address, whoever learns it first wins and a
 * change (gateway failover) is followed on the next frame that shows it.
 */
#ifndef SEKISHO_NET_NEIGH_H
#define SEKISHO_NET_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

struct net_port_ctx;
struct net_worker;
struct rte_mbuf;

/** Gateways of one port and their learned MACs. Shared by the port's workers. */
struct net_neigh {
	bool has_gw4;
	bool has_gw6;
	rte_be32_t gw4;          /**< IPv4 gateway, network order */
	uint8_t gw6[16];         /**< IPv6 gateway (a global or link-local address) */
	uint64_t mac4;           /**< 0, or NET_NEIGH_VALID | MAC (atomic) */
	uint64_t mac6;           /**< same for the IPv6 gateway */
} __rte_cache_aligned;

#define NET_NEIGH_VALID (1ull << 63)

/**
 * Record that ip (v4 in the first 4 bytes, or v6) is at mac, if ip is one of the
 * port's gateways. Called by net_rx() for ARP and ND traffic. Worker-safe.
 */
void net_neigh_learn(struct net_port_ctx *pc, uint8_t ip_version, const uint8_t *ip,
		     const struct rte_ether_addr *mac);

/**
 * The gateway MAC for ip_version (4 or 6). Returns true and fills mac when known.
 */
bool net_neigh_gateway(const struct net_port_ctx *pc, uint8_t ip_version,
		       struct rte_ether_addr *mac);

/**
 * Build an ARP request (ip_version 4) or a neighbour solicitation (6) for the port's
 * gateway into a new mbuf from the worker's direct pool, at most once per
 * NET_NEIGH_SOLICIT_MS per worker and port. Returns the mbuf to send, or NULL (rate
 * limit, no gateway, no source address, pool empty).
 */
struct rte_mbuf *net_neigh_solicit(struct net_worker *w, struct net_port_ctx *pc,
				   uint8_t ip_version, uint64_t tsc);

#define NET_NEIGH_SOLICIT_MS 200

#endif /* SEKISHO_NET_NEIGH_H */
