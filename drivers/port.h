/*
 * drivers/port: bring up a DPDK port from its config line, whatever the PMD.
 *
 * A port is named in the config by DPDK devargs: a vdev ("net_tap0,iface=sk-wire",
 * "net_af_packet0,iface=eth1") or a PCI address of a NIC bound to vfio-pci. The port
 * is hot-plugged at start (rte_dev_probe), so the EAL command line needs no --vdev.
 * Every worker owns one RX and one TX queue on every port; with more than one queue
 * RSS spreads clients over workers. Offloads are used when the PMD has them and
 * reported in struct port_caps so the packet path knows what is left to software.
 *
 * Runs on the control thread at start-up only.
 */
#ifndef SEKISHO_DRIVERS_PORT_H
#define SEKISHO_DRIVERS_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

/* What the port can do for the packet path. */
struct port_caps {
	bool tx_ipv4_cksum;   /* PMD fills the IPv4 header checksum */
	bool tx_udp_cksum;    /* PMD fills the UDP checksum */
	bool tx_multi_seg;    /* PMD sends chained mbufs */
	bool rx_cksum;        /* PMD flags good/bad L3/L4 checksums on RX */
	bool rss;             /* RSS configured across the queues */
	struct rte_ether_addr mac;
	char driver[32];
};

/*
 * Attach the device named by devargs (probing it if needed) and return its port id.
 * Returns 0, or a negative errno value with a reason in err.
 */
int port_attach(const char *devargs, uint16_t *port_id, char *err, size_t errlen);

/*
 * Configure nb_queues RX/TX queue pairs (RSS when nb_queues > 1 and the PMD has it),
 * offloads, MTU, and start the port. RX queues take mbufs from pool.
 * Returns 0 or a negative errno value with a reason in err.
 */
int port_start(uint16_t port_id, uint16_t nb_queues, uint16_t mtu,
	       struct rte_mempool *pool, struct port_caps *caps,
	       char *err, size_t errlen);

/* Stop and detach a port started by port_start (best effort, at shutdown). */
void port_stop(uint16_t port_id);

#endif
