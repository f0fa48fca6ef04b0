/*
 * daemon.h - what sekishod's control thread holds: the config, the shared objects
 * the workers were started with, and the control channel. One instance, owned by
 * control/sekishod.c; the control commands (control/commands.c and the files it
 * names) read and change it from the control thread only.
 */
#ifndef SEKISHO_CONTROL_DAEMON_H
#define SEKISHO_CONTROL_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <rte_mempool.h>

#include "anchors.h"
#include "config.h"
#include "ctl.h"
#include "port.h"
#include "query.h"
#include "snapshot.h"

#define SEKISHOD_VERSION "0.1.0"

struct local_db;
struct worker;
struct cache;
struct upstream_shared;
struct net_neigh;
struct tcp_service;
struct ctl_socket;
struct prom_http;
struct ta_refresh;

struct daemon {
	struct config cfg;
	char conf_path[CONFIG_PATH_MAX]; /* the config file (reload reads it again) */
	struct local_db *local;
	struct query_env env;
	struct rte_mempool *rx_pool;       /* wire ports' receive mbufs (one frame) */
	struct rte_mempool *pool;          /* big mbufs: 4 KB answers, reassembly */
	struct rte_mempool *indirect_pool;
	uint16_t port_ids[CONFIG_MAX_PORTS];
	struct port_caps caps[CONFIG_MAX_PORTS];
	bool has_exception;
	bool exc_started;
	uint16_t exc_port;
	unsigned int ports_started;     /* what shutdown must stop */
	struct worker *workers;
	unsigned int n_workers;
	/* recursion (when root-hints is set) */
	char *hints;
	size_t hints_len;
	struct cache *cache;
	struct upstream_shared *up_shared;
	struct net_neigh *neigh[CONFIG_MAX_PORTS];
	struct tcp_service *tcp;
	/* DNSSEC validation (dnssec-validation with at least one trust anchor) */
	struct anchors *anchors;        /* the current snapshot's (NULL: off) */
	/* what the workers read, in versions (snapshot.h): local data, env, anchors;
	 * local, env and anchors above mirror the current version */
	struct snapshots snaps;
	struct anchors rt_ntas;         /* NTAs added at run time (`nta add`), kept
	                                 * across reloads (only conf.ntas is used) */
	/* RFC 5011 for the root's anchors (trust-anchor-state-file; control/ta_daemon.h) */
	struct ta_refresh *ta;
	bool check_only;                /* --check-config: read files, write nothing */
	/* the control socket (control-socket), for sekishoctl */
	struct tsig_keyring ctl_keys;
	struct ctl_server ctl_srv;
	struct ctl_socket *ctl;
	struct prom_http *prom;         /* the Prometheus page (stats-http), or NULL */
	time_t started;
};

/*
 * daemon_publish_anchors - make @n anchors (DS or DNSKEY records; RDATA copied) the
 * trust anchors of @zone (uncompressed wire name: the root for RFC 5011), in place of
 * the ones it had, keeping other zones' anchors, the NTAs and the policy. The workers
 * take the new set between two bursts; validations already running finish with the
 * old one, whose memory is freed once no worker can use it. Control thread only.
 * Returns 0, -EINVAL (validation is off, or n == 0) or -ENOMEM.
 */
int daemon_publish_anchors(struct daemon *d, const uint8_t *zone, size_t zone_len,
			   const struct validate_anchor *a, unsigned n);

/* daemon_relative_path - a relative @file of config @conf made relative to the config
 * file's directory (in place; left as it is when it would not fit). */
void daemon_relative_path(const char *conf, char *file, size_t cap);

/*
 * daemon_build_anchors - the validator's conf from @cfg (its trust-anchor-file read,
 * relative to @path). *out NULL: validation off (not asked for, no recursion, or no
 * anchor). Returns 0, or -1 with "FILE:LINE: reason" in @err.
 */
int daemon_build_anchors(struct config *cfg, const char *path, struct anchors **out,
			 char *err, size_t errlen);

/*
 * commands_run - the control commands (a ctl_command_fn; @arg is the daemon).
 * `help` lists them with their arguments.
 */
int commands_run(const char *cmd, int argc, char *const argv[], struct ctl_reply *r,
		 void *arg);

#endif
