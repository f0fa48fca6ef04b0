/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_worker.c: set-up and tear-down of the per-worker and per-port state,
 * and the per-burst housekeeping of the fragment table. Init and free
 * allocate and belong to start-up; flush and expire run on the worker.
 */
#include <errno.h>

#include <rte_cycles.h>
#include <rte_ip_frag.h>

#include "net_priv.h"

/* RFC 4291 section 2.7.1: ff02::1:ffXX:XXXX from the low 24 bits. */
static void
solicited_node_group(uint8_t group[16], const uint8_t addr[16])
{
	static const uint8_t prefix[13] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff
	};

	memcpy(group, prefix, sizeof(prefix));
	memcpy(group + 13, addr + 13, 3);
}

int
net_port_ctx_init(struct net_port_ctx *pc, const struct net_port_conf *conf)
{
	unsigned int i;
	uint16_t mtu = conf->mtu != 0 ? conf->mtu : RTE_ETHER_MTU;

	if (conf->n_ip4 > NET_MAX_ADDRS || conf->n_ip6 > NET_MAX_ADDRS ||
			conf->vlan > 4094 || mtu < 576)
		return -EINVAL;

	memset(pc, 0, sizeof(*pc));
	pc->mac = conf->mac;
	pc->port_id = conf->port_id;
	pc->vlan = conf->vlan;
	pc->mtu = mtu;
	pc->tx_offloads = conf->tx_offloads;
	pc->tx_linear = conf->tx_linear;
	pc->neigh = conf->neigh;
	pc->n_ip4 = conf->n_ip4;
	pc->n_ip6 = conf->n_ip6;
	memcpy(pc->ip4, conf->ip4, sizeof(pc->ip4[0]) * conf->n_ip4);
	for (i = 0; i < conf->n_ip6; i++) {
		memcpy(pc->ip6[i], conf->ip6[i], 16);
		solicited_node_group(pc->ip6_snm[i], conf->ip6[i]);
	}
	return 0;
}

int
net_worker_init(struct net_worker *w, const struct net_worker_params *prm)
{
	uint64_t ms_cycles = (rte_get_tsc_hz() + MS_PER_S - 1) / MS_PER_S;

	memset(w, 0, sizeof(*w));
	if (prm->direct_pool == NULL || prm->indirect_pool == NULL ||
			prm->frag_buckets == 0 || prm->frag_bucket_entries == 0 ||
			prm->frag_max_entries == 0 || prm->frag_ttl_ms == 0 ||
			!rte_is_power_of_2(prm->frag_bucket_entries) ||
			prm->frag_max_entries >
			(uint64_t)prm->frag_buckets * prm->frag_bucket_entries)
		return -EINVAL;

	w->frag_tbl = rte_ip_frag_table_create(prm->frag_buckets,
			prm->frag_bucket_entries, prm->frag_max_entries,
			ms_cycles * prm->frag_ttl_ms, prm->socket_id);
	if (w->frag_tbl == NULL)
		return -ENOMEM;
	w->direct_pool = prm->direct_pool;
	w->indirect_pool = prm->indirect_pool;
	w->big_pool = prm->big_pool;
	w->next_id = prm->id_seed;
	return 0;
}

void
net_worker_free(struct net_worker *w)
{
	if (w == NULL)
		return;
	net_worker_flush(w);
	if (w->frag_tbl != NULL)
		rte_ip_frag_table_destroy(w->frag_tbl);
	w->frag_tbl = NULL;
}

void
net_worker_flush(struct net_worker *w)
{
	if (w->death_row.cnt != 0)
		rte_ip_frag_free_death_row(&w->death_row, 4);
}

void
net_worker_expire(struct net_worker *w, uint64_t tsc)
{
	uint32_t before;

	net_worker_flush(w);
	before = w->death_row.cnt;
	rte_ip_frag_table_del_expired_entries(w->frag_tbl, &w->death_row, tsc);
	w->ctr.c[NET_CTR_FRAG_EXPIRED_MBUFS] += w->death_row.cnt - before;
	net_worker_flush(w);
}
