/*
 * drivers/port: DPDK port attach and queue/offload/RSS setup (see port.h).
 * Control thread, start-up only: may block, log and allocate.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>

#include "port.h"

#define PORT_RX_DESC 1024
#define PORT_TX_DESC 1024

/* The device name is the devargs up to the first comma ("net_tap0,iface=x" → "net_tap0"). */
static void devargs_name(const char *devargs, char *name, size_t len)
{
	size_t n = strcspn(devargs, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, devargs, n);
	name[n] = '\0';
}

int port_attach(const char *devargs, uint16_t *port_id, char *err, size_t errlen)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	devargs_name(devargs, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, port_id) == 0)
		return 0;
	rc = rte_dev_probe(devargs);
	if (rc < 0) {
		snprintf(err, errlen, "cannot probe device '%s': %s", devargs, strerror(-rc));
		return rc;
	}
	if (rte_eth_dev_get_port_by_name(name, port_id) != 0) {
		snprintf(err, errlen, "device '%s' probed but no ethdev port named '%s'",
			 devargs, name);
		return -ENODEV;
	}
	return 0;
}

/* Ask for offloads the PMD has; whatever is missing is done in software. */
static void port_pick_offloads(const struct rte_eth_dev_info *info,
			       struct rte_eth_conf *conf, struct port_caps *caps)
{
	uint64_t tx = info->tx_offload_capa, rx = info->rx_offload_capa;

	caps->tx_ipv4_cksum = tx & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	caps->tx_udp_cksum = tx & RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	caps->tx_multi_seg = tx & RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	caps->rx_cksum = (rx & RTE_ETH_RX_OFFLOAD_CHECKSUM) == RTE_ETH_RX_OFFLOAD_CHECKSUM;
	if (caps->tx_ipv4_cksum)
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	if (caps->tx_udp_cksum)
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	if (caps->tx_multi_seg)
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	if (caps->rx_cksum)
		conf->rxmode.offloads |= RTE_ETH_RX_OFFLOAD_CHECKSUM;
}

/* RSS on IP addresses and UDP ports, so one client's queries stay on one worker. */
static void port_pick_rss(const struct rte_eth_dev_info *info, uint16_t nb_queues,
			  struct rte_eth_conf *conf, struct port_caps *caps)
{
	uint64_t hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info->flow_type_rss_offloads;

	caps->rss = nb_queues > 1 && hf != 0;
	if (!caps->rss)
		return;
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_key = NULL;
	conf->rx_adv_conf.rss_conf.rss_hf = hf;
}

static int port_setup_queues(uint16_t port_id, uint16_t nb_queues,
			     struct rte_mempool *pool, const struct rte_eth_conf *conf,
			     char *err, size_t errlen)
{
	uint16_t nb_rxd = PORT_RX_DESC, nb_txd = PORT_TX_DESC;
	int socket = rte_eth_dev_socket_id(port_id);
	struct rte_eth_txconf txconf;
	struct rte_eth_dev_info info;
	int rc;

	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	if (rc < 0)
		goto fail;
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc < 0)
		goto fail;
	txconf = info.default_txconf;
	txconf.offloads = conf->txmode.offloads;
	for (uint16_t q = 0; q < nb_queues; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, nb_rxd, socket, NULL, pool);
		if (rc < 0)
			goto fail;
		rc = rte_eth_tx_queue_setup(port_id, q, nb_txd, socket, &txconf);
		if (rc < 0)
			goto fail;
	}
	return 0;
fail:
	snprintf(err, errlen, "port %u: queue setup failed: %s", port_id, strerror(-rc));
	return rc;
}

int port_start(uint16_t port_id, uint16_t nb_queues, uint16_t mtu,
	       struct rte_mempool *pool, struct port_caps *caps,
	       char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int rc;

	memset(&conf, 0, sizeof(conf));
	memset(caps, 0, sizeof(*caps));
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc < 0) {
		snprintf(err, errlen, "port %u: no device info: %s", port_id, strerror(-rc));
		return rc;
	}
	if (nb_queues > info.max_rx_queues || nb_queues > info.max_tx_queues) {
		snprintf(err, errlen, "port %u (%s): %u workers need %u queues, PMD has %u/%u",
			 port_id, info.driver_name, nb_queues, nb_queues,
			 info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	snprintf(caps->driver, sizeof(caps->driver), "%s", info.driver_name);
	port_pick_offloads(&info, &conf, caps);
	port_pick_rss(&info, nb_queues, &conf, caps);
	rc = rte_eth_dev_configure(port_id, nb_queues, nb_queues, &conf);
	if (rc < 0) {
		snprintf(err, errlen, "port %u: configure failed: %s", port_id, strerror(-rc));
		return rc;
	}
	/* Not every PMD can change its MTU (a tap follows the kernel's); keep going. */
	(void)rte_eth_dev_set_mtu(port_id, mtu);
	rc = port_setup_queues(port_id, nb_queues, pool, &conf, err, errlen);
	if (rc < 0)
		return rc;
	rc = rte_eth_dev_start(port_id);
	if (rc < 0) {
		snprintf(err, errlen, "port %u: start failed: %s", port_id, strerror(-rc));
		return rc;
	}
	rte_eth_macaddr_get(port_id, &caps->mac);
	return 0;
}

void port_stop(uint16_t port_id)
{
	struct rte_eth_dev_info info;
	struct rte_device *dev = NULL;

	/* The device handle must be read before close releases the port. */
	if (rte_eth_dev_info_get(port_id, &info) == 0)
		dev = info.device;
	(void)rte_eth_dev_stop(port_id);
	(void)rte_eth_dev_close(port_id);
	if (dev != NULL)
		(void)rte_dev_remove(dev);
}
