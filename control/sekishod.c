/*
 * control/sekishod: the daemon. Start-up (EAL, config, ports, pools, workers), then
 * the control thread's loop (signals, stats), then an orderly stop.
 *
 *   sekishod [EAL options] -- -c FILE      run
 *   sekishod --check-config FILE           check a config file and exit
 *
 * The main lcore is the control thread; every other lcore the EAL was given (-l)
 * runs one worker, up to `workers` from the config. With recursion and an exception
 * path, a TCP service thread (control/tcp.c) serves DNS over TCP and upstream TCP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "anchors.h"
#include "config.h"
#include "ctl.h"
#include "daemon.h"
#include "ctl_socket.h"
#include "exception.h"
#include "local.h"
#include "port.h"
#include "prom.h"
#include "snapshot.h"
#include "cache.h"
#include "resolve.h"
#include "stats.h"
#include "ta_daemon.h"
#include "tcp.h"
#include "upstream.h"
#include "worker.h"

/* Room for the largest DNS message sekisho sends (4096) behind the largest headers:
 * the big pool's mbufs (reassembled datagrams, large answers, upstream queries). */
#define MBUF_DATA_ROOM (RTE_PKTMBUF_HEADROOM + 4096 + 256)
/* Receive mbufs hold one frame: 2 KB for a 1500-byte MTU. Small enough for an
 * AF_XDP umem chunk (a page), and a hit is answered in the mbuf it came in. */
#define MBUF_RX_ROOM_MIN 2048
/* Ethernet header, two VLAN tags and the FCS around a frame of MTU bytes. */
#define FRAME_OVERHEAD (RTE_ETHER_HDR_LEN + 2 * 4 + RTE_ETHER_CRC_LEN)

static volatile bool stop_requested;
static volatile bool stats_requested;
static volatile bool workers_quit;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		stats_requested = true;
	else
		stop_requested = true;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- -c FILE\n"
		"       %s --check-config FILE\n"
		"  -c FILE   configuration file (see README.md, Configuration)\n"
		"  -V        print the version and exit\n", prog, prog);
	return 2;
}

/* A relative file name in the config is relative to the config file's directory. */
void daemon_relative_path(const char *conf, char *file, size_t cap)
{
	const char *slash = strrchr(conf, '/');
	char joined[CONFIG_PATH_MAX * 2];

	if (file[0] == '/' || slash == NULL)
		return;
	snprintf(joined, sizeof(joined), "%.*s/%s", (int)(slash - conf), conf, file);
	if (strlen(joined) < cap)
		memcpy(file, joined, strlen(joined) + 1);
}

/* A whole (small) file into a malloc'd buffer. */
static int read_file(const char *path, char **out, size_t *len)
{
	FILE *f = fopen(path, "r");
	long n;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (*out = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	*len = fread(*out, 1, (size_t)n, f);
	(*out)[*len] = '\0';
	fclose(f);
	return 0;
}


/* Trust anchors and validation settings: validation is on when configured and at
 * least one anchor is given (inline or in trust-anchor-file). *out NULL: off. */
int daemon_build_anchors(struct config *cfg, const char *path, struct anchors **out,
			 char *err, size_t errlen)
{
	struct config_dnssec *dc = &cfg->server.dnssec;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!dc->validation || cfg->server.root_hints[0] == '\0')
		return 0;
	if (dc->anchor_file[0] != '\0') {
		daemon_relative_path(path, dc->anchor_file, sizeof(dc->anchor_file));
		if (read_file(dc->anchor_file, &text, &len) != 0) {
			snprintf(err, errlen, "%s: trust-anchor-file '%s': %s", path,
				 dc->anchor_file, strerror(errno));
			return -1;
		}
	}
	*out = calloc(1, sizeof(**out));
	rc = *out == NULL ? -1 :
	     anchors_build(*out, cfg, text, len, dc->anchor_file, (uint64_t)time(NULL), err,
			   errlen);
	free(text);
	if (*out == NULL)
		snprintf(err, errlen, "out of memory");
	if (rc != 0 || (*out)->conf.n_anchors == 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

static int load_anchors(struct daemon *d, const char *path)
{
	const struct config_dnssec *dc = &d->cfg.server.dnssec;
	char err[512];

	if (daemon_build_anchors(&d->cfg, path, &d->anchors, err, sizeof(err)) != 0) {
		fprintf(stderr, "sekishod: %s\n", err);
		return -1;
	}
	if (ta_daemon_start(d, path) != 0)
		return -1;
	if (d->anchors == NULL) {
		if (dc->validation)
			printf("sekishod: no trust anchor configured: answers are not validated\n");
		return 0;
	}
	printf("sekishod: DNSSEC validation on, %u trust anchor(s), %u negative trust anchor(s), "
	       "aggressive NSEC %s\n", d->anchors->conf.n_anchors, d->anchors->conf.n_ntas,
	       dc->aggressive_nsec ? "on" : "off");
	return 0;
}

static int load_config(struct daemon *d, const char *path)
{
	char err[512];
	int rc;

	if (config_load(path, &d->cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "sekishod: %s\n", err);
		return -1;
	}
	rc = local_db_build(&d->cfg.local, &d->local);
	if (rc != 0) {
		fprintf(stderr, "sekishod: %s: local data: %s\n", path, local_strerror(rc));
		return -1;
	}
	d->env.local = d->local;
	d->env.edns_buffer_size = (uint16_t)d->cfg.server.edns_buffer_size;
	d->env.recursion = d->cfg.server.root_hints[0] != '\0';
	if (d->env.recursion)
		daemon_relative_path(path, d->cfg.server.root_hints, sizeof(d->cfg.server.root_hints));
	if (d->env.recursion && read_file(d->cfg.server.root_hints, &d->hints, &d->hints_len) != 0) {
		fprintf(stderr, "sekishod: %s: root-hints '%s': %s\n", path,
			d->cfg.server.root_hints, strerror(errno));
		return -1;
	}
	return d->env.recursion ? load_anchors(d, path) : 0;
}

/* Data room of a receive mbuf: one frame of the largest MTU of the ports. */
static unsigned int rx_data_room(const struct daemon *d)
{
	unsigned int room = MBUF_RX_ROOM_MIN;

	for (unsigned int i = 0; i < d->cfg.nports; i++)
		room = RTE_MAX(room, (unsigned int)d->cfg.ports[i].mtu + FRAME_OVERHEAD);
	return RTE_PKTMBUF_HEADROOM + RTE_ALIGN_CEIL(room, RTE_CACHE_LINE_SIZE);
}

/*
 * Two pools. Receive: every descriptor of every wire queue, plus what workers hold
 * (bursts, fragments being reassembled, clients waiting on a resolution). Big: the
 * exception port (the kernel's frames) and what outgrows a frame: reassembled
 * datagrams, answers larger than their query's mbuf, upstream queries.
 */
static int create_pools(struct daemon *d)
{
	unsigned int wire_queues = d->n_workers * d->cfg.nports;
	unsigned int exc_queues = d->has_exception ? d->n_workers : 0;
	unsigned int n_rx = wire_queues * 2048 + d->n_workers * 4096 + 4096;
	unsigned int n_big = exc_queues * 2048 + d->n_workers * 2048 + 2048;
	unsigned int rx_room = rx_data_room(d);

	d->rx_pool = rte_pktmbuf_pool_create("sk_rx", n_rx, 256, 0, (uint16_t)rx_room,
					     (int)rte_socket_id());
	d->pool = rte_pktmbuf_pool_create("sk_mbuf", n_big, 256, 0, MBUF_DATA_ROOM,
					  (int)rte_socket_id());
	d->indirect_pool = rte_pktmbuf_pool_create("sk_indirect", 8192, 256, 0, 0,
						   (int)rte_socket_id());
	if (d->rx_pool == NULL || d->pool == NULL || d->indirect_pool == NULL) {
		fprintf(stderr, "sekishod: cannot create mbuf pools (%u of %u bytes, %u of %u "
			"bytes): %s\n", n_rx, rx_room, n_big, MBUF_DATA_ROOM,
			rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int start_ports(struct daemon *d)
{
	char err[256];

	for (unsigned int i = 0; i < d->cfg.nports; i++) {
		const struct config_port *cp = &d->cfg.ports[i];

		if (port_attach(cp->device, &d->port_ids[i], err, sizeof(err)) != 0 ||
		    port_start(d->port_ids[i], (uint16_t)d->n_workers, (uint16_t)cp->mtu,
			       d->rx_pool, &d->caps[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "sekishod: port '%s': %s\n", cp->name, err);
			return -1;
		}
		d->ports_started = i + 1;
		printf("sekishod: port %s: %s (%s), mac " RTE_ETHER_ADDR_PRT_FMT ", %u queue(s)%s\n",
		       cp->name, cp->device, d->caps[i].driver,
		       RTE_ETHER_ADDR_BYTES(&d->caps[i].mac), d->n_workers,
		       d->caps[i].rss ? ", RSS" : "");
	}
	return 0;
}

/*
 * The kernel's own TCP (the TCP service's connections to authoritative servers) must
 * leave through the dataplane: default routes via port 0's gateways.
 */
static int start_exception_routes(struct daemon *d, const char *ifname, char *err,
				  size_t errlen)
{
	const struct config_port *cp = &d->cfg.ports[0];
	struct exception_addr gws[2];
	size_t n = 0;

	memset(gws, 0, sizeof(gws));
	if (cp->gw4.family == AF_INET) {
		gws[n].family = AF_INET;
		memcpy(gws[n++].addr, cp->gw4.addr, 4);
	}
	if (cp->gw6.family == AF_INET6) {
		gws[n].family = AF_INET6;
		memcpy(gws[n++].addr, cp->gw6.addr, 16);
	}
	return n == 0 ? 0 : exception_add_default_routes(ifname, gws, n, err, errlen);
}

/* Exception tap: started like a port, then its kernel side gets port 0's identity. */
static int start_exception(struct daemon *d)
{
	const struct config_port *cp = &d->cfg.ports[0];
	struct exception_addr addrs[CONFIG_MAX_ADDRS];
	struct port_caps caps;
	char err[256], ifname[64];
	size_t n = 0;

	if (!d->has_exception)
		return 0;
	if (port_attach(d->cfg.exception.device, &d->exc_port, err, sizeof(err)) != 0 ||
	    port_start(d->exc_port, (uint16_t)d->n_workers, (uint16_t)cp->mtu, d->pool, &caps,
		       err, sizeof(err)) != 0)
		goto fail;
	d->exc_started = true;
	for (unsigned int i = 0; i < cp->naddrs; i++) {
		addrs[n].family = cp->addrs[i].family;
		memcpy(addrs[n].addr, cp->addrs[i].addr, 16);
		addrs[n].prefixlen = cp->addrs[i].prefixlen;
		n++;
	}
	exception_ifname(d->cfg.exception.device, ifname, sizeof(ifname));
	if (exception_configure_kernel(d->exc_port, ifname, &d->caps[0].mac, addrs, n,
				       err, sizeof(err)) != 0)
		goto fail;
	if (start_exception_routes(d, ifname, err, sizeof(err)) != 0)
		goto fail;
	printf("sekishod: exception path: %s (kernel interface %s)\n",
	       d->cfg.exception.device, ifname);
	return 0;
fail:
	fprintf(stderr, "sekishod: exception device '%s': %s\n", d->cfg.exception.device, err);
	return -1;
}

/*
 * The port's IPv6 link-local address (EUI-64 from its MAC). The kernel behind the
 * exception path derives the same one from the same MAC and uses it for neighbour
 * discovery, so the dataplane must count it as ours.
 */
static void link_local_from_mac(const struct rte_ether_addr *mac, uint8_t ll[16])
{
	memset(ll, 0, 16);
	ll[0] = 0xfe;
	ll[1] = 0x80;
	ll[8] = mac->addr_bytes[0] ^ 0x02;
	ll[9] = mac->addr_bytes[1];
	ll[10] = mac->addr_bytes[2];
	ll[11] = 0xff;
	ll[12] = 0xfe;
	ll[13] = mac->addr_bytes[3];
	ll[14] = mac->addr_bytes[4];
	ll[15] = mac->addr_bytes[5];
}

static int add_port(struct daemon *d, struct worker *w, unsigned int i)
{
	const struct config_port *cp = &d->cfg.ports[i];
	struct net_port_conf pc;

	memset(&pc, 0, sizeof(pc));
	pc.port_id = d->port_ids[i];
	pc.vlan = (uint16_t)cp->vlan;
	pc.mtu = (uint16_t)cp->mtu;
	pc.mac = d->caps[i].mac;
	if (d->caps[i].tx_ipv4_cksum)
		pc.tx_offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	if (d->caps[i].tx_udp_cksum)
		pc.tx_offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	pc.tx_linear = !d->caps[i].tx_multi_seg;
	for (unsigned int a = 0; a < cp->naddrs; a++) {
		if (cp->addrs[a].family == AF_INET && pc.n_ip4 < NET_MAX_ADDRS)
			memcpy(&pc.ip4[pc.n_ip4++], cp->addrs[a].addr, 4);
		else if (cp->addrs[a].family == AF_INET6 && pc.n_ip6 < NET_MAX_ADDRS)
			memcpy(pc.ip6[pc.n_ip6++], cp->addrs[a].addr, 16);
	}
	if (pc.n_ip6 < NET_MAX_ADDRS)
		link_local_from_mac(&pc.mac, pc.ip6[pc.n_ip6++]);
	pc.neigh = d->neigh[i];
	return worker_add_port(w, &pc);
}

static int init_worker(struct daemon *d, struct worker *w, unsigned int idx,
		       unsigned int lcore)
{
	struct worker_params prm = {
		.lcore_id = lcore,
		.queue = (uint16_t)idx,
		.pool = d->pool,
		.indirect_pool = d->indirect_pool,
		.env = &d->snaps.cur->env,
		.idle_polls = d->cfg.server.idle_polls,
		.idle_sleep_us = d->cfg.server.idle_sleep_us,
		.quit = &workers_quit,
	};

	if (worker_init(w, &prm) != 0) {
		fprintf(stderr, "sekishod: worker %u: out of memory\n", idx);
		return -1;
	}
	w->has_exception = d->has_exception;
	w->exc_port = d->exc_port;
	w->pub = d->snaps.pub;
	w->pub_gen = w->pub_done = d->snaps.pub->gen;
	for (unsigned int i = 0; i < d->cfg.nports; i++) {
		if (add_port(d, w, i) != 0) {
			fprintf(stderr, "sekishod: port '%s': bad addresses/vlan/mtu\n",
				d->cfg.ports[i].name);
			return -1;
		}
	}
	return 0;
}

/* The port's gateways, shared by its workers; their MACs are learned by the dataplane. */
static int make_neigh(struct daemon *d)
{
	for (unsigned int i = 0; i < d->cfg.nports; i++) {
		const struct config_port *cp = &d->cfg.ports[i];
		struct net_neigh *n = rte_zmalloc("neigh", sizeof(*n), RTE_CACHE_LINE_SIZE);

		if (n == NULL)
			return -1;
		n->has_gw4 = cp->gw4.family == AF_INET;
		n->has_gw6 = cp->gw6.family == AF_INET6;
		memcpy(&n->gw4, cp->gw4.addr, 4);
		memcpy(n->gw6, cp->gw6.addr, 16);
		d->neigh[i] = n;
	}
	return 0;
}

static int start_recursion(struct daemon *d)
{
	struct cache_config cc;

	if (!d->env.recursion)
		return 0;
	cache_config_default(&cc);
	cc.memory_limit = (size_t)d->cfg.server.cache_size_mb << 20;
	cc.min_ttl = d->cfg.server.cache_min_ttl;
	cc.max_ttl = d->cfg.server.cache_max_ttl;
	cc.max_negative_ttl = d->cfg.server.cache_max_negative_ttl;
	cc.stale_window = d->cfg.server.serve_stale;
	cc.prefetch_percent = d->cfg.server.prefetch;
	cc.socket_id = (int)rte_socket_id();
	d->cache = cache_create(&cc);
	if (d->cache == NULL) {
		fprintf(stderr, "sekishod: cannot create a %u MiB cache: %s\n",
			d->cfg.server.cache_size_mb, rte_strerror(rte_errno));
		return -1;
	}
	d->up_shared = upstream_shared_create(d->cache, d->n_workers);
	if (d->up_shared == NULL) {
		fprintf(stderr, "sekishod: cannot set up upstream I/O: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	/* TCP goes through the kernel: only with an exception path. Before the workers
	 * run: they look for the TCP rings once they exist. */
	if (d->has_exception) {
		unsigned int n = d->cfg.server.tcp_max_connections + 255;
		int rc;

		n = n < 511 ? 511 : n > 4095 ? 4095 : n;
		rc = upstream_tcp_create(d->up_shared, n);
		if (rc != 0) {
			fprintf(stderr, "sekishod: cannot create %u TCP message buffers: %s\n", n,
				strerror(-rc));
			return -1;
		}
	}
	printf("sekishod: recursion on, root hints %s, cache %zu bytes (%u entries)\n",
	       d->cfg.server.root_hints, cache_memory(d->cache), cache_capacity(d->cache));
	return 0;
}

/* forward-zone and stub-zone sections into a worker's resolver. */
static int add_zones(struct daemon *d, struct resolve_ctx *rctx)
{
	for (uint32_t i = 0; i < d->cfg.nzones; i++) {
		const struct config_zone *z = &d->cfg.zones[i];
		struct resolve_addr a[CONFIG_ZONE_ADDRS];

		memset(a, 0, sizeof(a));
		for (uint32_t k = 0; k < z->naddrs; k++) {
			a[k].family = z->addrs[k].family == AF_INET ? 4 : 6;
			memcpy(a[k].ip, z->addrs[k].addr, 16);
			a[k].port = z->ports[k];
		}
		if (resolve_zone_add(rctx, z->name, z->name_len, z->forward, a, z->naddrs) != 0) {
			fprintf(stderr, "sekishod: %s:%u: cannot add this zone to the resolver\n",
				d->cfg.source, z->line);
			return -1;
		}
	}
	return 0;
}

static int init_upstream(struct daemon *d, struct worker *w, unsigned int idx)
{
	struct resolve_config rc;
	int rc_init;

	resolve_config_default(&rc);
	rc.edns_size = (uint16_t)d->cfg.server.edns_buffer_size;
	rc.qname_minimisation = d->cfg.server.qname_minimisation != 0;
	rc.ip4 = d->neigh[0]->has_gw4;
	rc.ip6 = d->neigh[0]->has_gw6;
	w->up = rte_zmalloc("upstream", sizeof(*w->up), RTE_CACHE_LINE_SIZE);
	if (w->up == NULL)
		return -1;
	rc_init = upstream_init(w->up, d->up_shared, w, (uint16_t)idx, &rc, d->hints,
				d->hints_len, d->cfg.server.resolve_pool, d->pool);
	if (rc_init == 0 && add_zones(d, w->up->rctx) != 0)
		return -1;
	if (rc_init == 0 && d->anchors != NULL &&
	    upstream_validation_enable(w->up, d->snaps.cur->ws.vconf,
				       d->cfg.server.dnssec.date_override) != 0) {
		fprintf(stderr, "sekishod: worker %u: validator set-up failed\n", idx);
		return -1;
	}
	/* RFC 8198 needs validated data: only with the validator */
	if (rc_init == 0 && d->anchors != NULL && d->cfg.server.dnssec.aggressive_nsec &&
	    upstream_aggressive_enable(w->up) != 0) {
		fprintf(stderr, "sekishod: worker %u: aggressive NSEC set-up failed\n", idx);
		return -1;
	}
	/* only a test clock needs the workers to read the skew at all */
	if (d->cfg.server.test_clock)
		w->clock_skew = cache_clock_skew(d->cache);
	if (rc_init != 0) {
		fprintf(stderr, "sekishod: worker %u: resolver set-up failed (%s)\n", idx,
			rc_init == -EINVAL ? "no address in root hints" : "out of memory");
		return -1;
	}
	return 0;
}

/* The first version of what the workers read (snapshot.h): it owns the local data
 * and the anchors from now on (d->local and d->anchors stay as its aliases). */
static int start_snapshots(struct daemon *d)
{
	struct snapshot *first = snapshot_new(&d->env, d->local, d->anchors);

	if (first == NULL || snapshots_init(&d->snaps, d->n_workers, first) != 0) {
		fprintf(stderr, "sekishod: out of memory\n");
		if (first != NULL) {
			first->local = NULL;    /* still d's: freed at shutdown */
			first->anchors = NULL;
			snapshot_free(first);
		}
		rte_free(d->snaps.pub);
		d->snaps.pub = NULL;
		d->snaps.cur = NULL;
		return -1;
	}
	return 0;
}

static int start_workers(struct daemon *d)
{
	unsigned int lcore, idx = 0;

	d->workers = rte_zmalloc("workers", sizeof(struct worker) * d->n_workers,
				 RTE_CACHE_LINE_SIZE);
	if (d->workers == NULL || start_snapshots(d) != 0)
		return -1;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (idx == d->n_workers)
			break;
		if (init_worker(d, &d->workers[idx], idx, lcore) != 0 ||
		    (d->env.recursion && init_upstream(d, &d->workers[idx], idx) != 0))
			return -1;
		idx++;
	}
	stats_init(d->workers, d->n_workers, d->cache);
	for (idx = 0; idx < d->n_workers; idx++)
		rte_eal_remote_launch(worker_main, &d->workers[idx], d->workers[idx].lcore_id);
	return 0;
}

/* The TCP service thread: after the workers, on port 0's addresses (the kernel's). */
static int start_tcp(struct daemon *d)
{
	const struct config_port *cp = &d->cfg.ports[0];
	struct tcp_listen_addr addrs[CONFIG_MAX_ADDRS];
	struct tcp_params prm = {
		.up = d->up_shared,
		.addrs = addrs,
		.port = 53,
		.idle_timeout_s = d->cfg.server.tcp_idle_timeout,
		.max_connections = d->cfg.server.tcp_max_connections,
		.upstream_idle_timeout_s = d->cfg.server.tcp_upstream_idle_timeout,
	};
	char err[256];

	if (d->up_shared == NULL || d->up_shared->msg_pool == NULL)
		return 0;
	for (unsigned int i = 0; i < cp->naddrs; i++) {
		addrs[prm.n_addrs].family = cp->addrs[i].family;
		memcpy(addrs[prm.n_addrs++].addr, cp->addrs[i].addr, 16);
	}
	d->tcp = tcp_start(&prm, err, sizeof(err));
	if (d->tcp == NULL) {
		fprintf(stderr, "sekishod: TCP service: %s\n", err);
		return -1;
	}
	stats_set_tcp(tcp_service_stats(d->tcp));
	printf("sekishod: DNS over TCP on port 53, idle timeout %u s, at most %u connections; "
	       "upstream connections kept %u s unused\n",
	       prm.idle_timeout_s, prm.max_connections, prm.upstream_idle_timeout_s);
	return 0;
}

/* The control channel: with control-socket and/or control-tcp (the config insists on
 * a key file). */
static int start_control(struct daemon *d, const char *conf)
{
	struct config_server *srv = &d->cfg.server;
	char err[512];

	if (srv->control_socket[0] == '\0' && srv->control_tcp.family == 0)
		return 0;
	daemon_relative_path(conf, srv->control_key_file, sizeof(srv->control_key_file));
	if (tsig_keys_load(srv->control_key_file, &d->ctl_keys, err, sizeof(err)) != TSIG_OK) {
		fprintf(stderr, "sekishod: control-key-file: %s\n", err);
		return -1;
	}
	if (d->ctl_keys.count == 0) {
		fprintf(stderr, "sekishod: control-key-file '%s': no key\n", srv->control_key_file);
		return -1;
	}
	ctl_server_init(&d->ctl_srv, &d->ctl_keys, commands_run, d);
	d->ctl = ctl_socket_open(srv->control_socket, &d->ctl_srv, err, sizeof(err));
	if (d->ctl != NULL && srv->control_tcp.family != 0 &&
	    ctl_socket_add_tcp(d->ctl, srv->control_tcp.family, srv->control_tcp.addr,
			       srv->control_tcp_port, err, sizeof(err)) != 0) {
		ctl_socket_close(d->ctl);
		d->ctl = NULL;
	}
	if (d->ctl == NULL) {
		fprintf(stderr, "sekishod: %s\n", err);
		return -1;
	}
	stats_set_control(&d->ctl_srv.ctr);
	printf("sekishod: control channel%s%s%s (%u key(s) from %s)\n",
	       srv->control_socket[0] ? " on " : "", srv->control_socket,
	       srv->control_tcp.family ? ", loopback TCP" : "", d->ctl_keys.count,
	       srv->control_key_file);
	return 0;
}

/* The Prometheus page: only with stats-http (a loopback address, the config insists). */
static int start_prom(struct daemon *d)
{
	const struct config_server *srv = &d->cfg.server;
	struct prom_source src;
	char err[256], addr[INET6_ADDRSTRLEN] = "?";

	if (srv->stats_http_port == 0)
		return 0;
	prom_stats_source(&src, d);
	d->prom = prom_http_open(srv->stats_http_family, srv->stats_http_addr,
				 srv->stats_http_port, &src, err, sizeof(err));
	if (d->prom == NULL) {
		fprintf(stderr, "sekishod: %s\n", err);
		return -1;
	}
	inet_ntop(srv->stats_http_family, srv->stats_http_addr, addr, sizeof(addr));
	printf("sekishod: Prometheus metrics on http://%s%s%s:%u/metrics\n",
	       srv->stats_http_family == AF_INET6 ? "[" : "", addr,
	       srv->stats_http_family == AF_INET6 ? "]" : "", srv->stats_http_port);
	return 0;
}

static int check_lcores(struct daemon *d)
{
	unsigned int have = rte_lcore_count() - 1;

	d->n_workers = d->cfg.server.workers;
	if (have < d->n_workers) {
		fprintf(stderr, "sekishod: config asks for %u worker(s) but the EAL gave %u "
			"worker lcore(s): pass -l with %u lcores (one is the control thread)\n",
			d->n_workers, have, d->n_workers + 1);
		return -1;
	}
	return 0;
}

/*
 * Wait up to @timeout_ms for the control socket and the Prometheus page in one
 * poll(), and serve what is ready; a plain sleep when neither is configured.
 */
static void control_wait(struct daemon *d, int timeout_ms)
{
	struct pollfd pfd[CTL_SOCKET_POLLFDS + PROM_HTTP_POLLFDS];
	struct timespec tick = { .tv_sec = 0, .tv_nsec = (long)timeout_ms * 1000 * 1000 };
	unsigned n_ctl = 0, n = 0;

	if (d->ctl != NULL)
		n = n_ctl = ctl_socket_pollfds(d->ctl, pfd, CTL_SOCKET_POLLFDS);
	if (d->prom != NULL)
		n += prom_http_pollfds(d->prom, pfd + n, PROM_HTTP_POLLFDS, time(NULL));
	if (n == 0) {
		nanosleep(&tick, NULL);
		return;
	}
	if (poll(pfd, n, timeout_ms) <= 0)
		return;
	if (d->ctl != NULL)
		ctl_socket_handle(d->ctl, pfd, n_ctl);
	if (d->prom != NULL)
		prom_http_handle(d->prom, pfd + n_ctl, n - n_ctl, time(NULL));
}

static void control_loop(struct daemon *d)
{
	uint64_t last = rte_get_timer_cycles(), hz = rte_get_timer_hz();

	while (!stop_requested) {
		control_wait(d, 100);
		if (d->snaps.retired != NULL)
			snapshots_reap(&d->snaps);
		ta_daemon_tick(d);
		if (stats_requested ||
		    (d->cfg.server.stats_interval > 0 &&
		     rte_get_timer_cycles() - last >= d->cfg.server.stats_interval * hz)) {
			stats_requested = false;
			last = rte_get_timer_cycles();
			stats_print(stdout);
		}
	}
}

static void shutdown_daemon(struct daemon *d)
{
	prom_http_close(d->prom);
	d->prom = NULL;
	stats_set_control(NULL);
	ctl_socket_close(d->ctl);
	d->ctl = NULL;
	tsig_thread_cleanup();
	stats_set_tcp(NULL);
	tcp_stop(d->tcp);
	d->tcp = NULL;
	workers_quit = true;
	rte_eal_mp_wait_lcore();
	if (d->workers != NULL) {
		printf("sekishod: stopping; final counters:\n");
		stats_print(stdout);
		for (unsigned int i = 0; i < d->n_workers; i++) {
			if (d->workers[i].up != NULL) {
				upstream_free(d->workers[i].up);
				rte_free(d->workers[i].up);
			}
			worker_free(&d->workers[i]);
		}
	}
	upstream_shared_free(d->up_shared);
	if (d->cache != NULL)
		cache_free(d->cache);
	for (unsigned int i = 0; i < CONFIG_MAX_PORTS; i++)
		rte_free(d->neigh[i]);
	free(d->hints);
	for (unsigned int i = 0; i < d->ports_started; i++)
		port_stop(d->port_ids[i]);
	if (d->exc_started)
		port_stop(d->exc_port);
	if (d->snaps.cur != NULL) {
		snapshots_fini(&d->snaps);      /* owns the local data and the anchors */
	} else {
		local_db_free(d->local);
		free(d->anchors);
	}
	ta_daemon_free(d);
	config_free(&d->cfg);
}

/* --check-config: the control channel's key file must read, or the start would fail. */
static int check_control_keys(struct daemon *d, const char *path)
{
	struct config_server *srv = &d->cfg.server;
	char err[512];

	if (srv->control_socket[0] == '\0' && srv->control_tcp.family == 0)
		return 0;
	daemon_relative_path(path, srv->control_key_file, sizeof(srv->control_key_file));
	if (tsig_keys_load(srv->control_key_file, &d->ctl_keys, err, sizeof(err)) != TSIG_OK ||
	    d->ctl_keys.count == 0) {
		fprintf(stderr, "sekishod: control-key-file: %s\n",
			d->ctl_keys.count == 0 && err[0] == '\0' ? "no key" : err);
		return -1;
	}
	return 0;
}

static int check_config_only(const char *path)
{
	struct daemon d;
	int rc;

	memset(&d, 0, sizeof(d));
	d.check_only = true;
	rc = load_config(&d, path) == 0 && check_control_keys(&d, path) == 0 ? 0 : 1;
	if (rc == 0)
		printf("%s: ok\n", path);
	free(d.hints);
	local_db_free(d.local);
	free(d.anchors);
	ta_daemon_free(&d);
	config_free(&d.cfg);
	return rc;
}

static const char *parse_args(int argc, char **argv)
{
	const char *conf = NULL;
	int opt;

	while ((opt = getopt(argc, argv, "c:hV")) != -1) {
		switch (opt) {
		case 'c':
			conf = optarg;
			break;
		case 'V':
			printf("sekishod %s\n", SEKISHOD_VERSION);
			exit(0);
		default:
			return NULL;
		}
	}
	return conf;
}

int main(int argc, char **argv)
{
	struct daemon d;
	const char *conf;
	int ret, rc = 1;

	if (argc == 3 && strcmp(argv[1], "--check-config") == 0)
		return check_config_only(argv[2]);
	memset(&d, 0, sizeof(d));
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "sekishod: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	conf = parse_args(argc, argv);
	if (conf == NULL) {
		rte_eal_cleanup();
		return usage("sekishod");
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	install_signals();
	snprintf(d.conf_path, sizeof(d.conf_path), "%s", conf);
	if (load_config(&d, conf) != 0 || check_lcores(&d) != 0)
		goto out;
	d.has_exception = d.cfg.exception.enabled;
	if (create_pools(&d) != 0 || start_ports(&d) != 0 || start_exception(&d) != 0 ||
	    make_neigh(&d) != 0 || start_recursion(&d) != 0 || start_workers(&d) != 0 ||
	    start_tcp(&d) != 0 || start_control(&d, conf) != 0 || start_prom(&d) != 0)
		goto out;
	d.started = time(NULL);
	stats_register_telemetry();
	if (d.cfg.server.test_clock && stats_register_test_clock() == 0)
		printf("sekishod: test clock on: telemetry /sekisho/test/clock_advance,SECONDS\n");
	printf("sekishod %s: ready, %u worker(s), %u port(s)%s\n", SEKISHOD_VERSION,
	       d.n_workers, d.cfg.nports, d.has_exception ? ", exception path" : "");
	control_loop(&d);
	rc = 0;
out:
	shutdown_daemon(&d);
	rte_eal_cleanup();
	return rc;
}
