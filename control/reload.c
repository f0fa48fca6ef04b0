/*
 * reload.c - new versions of the workers' environment from the control thread:
 * reload, run-time negative trust anchors, trust anchors from RFC 5011 (reload.h).
 * A version is built aside, checked, then published (snapshot.h); on any error the
 * running version stays and the reply says why.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_lcore.h>

#include "cache.h"
#include "daemon.h"
#include "local.h"
#include "reload.h"
#include "ta_daemon.h"
#include "wire_name.h"
#include "wire_text.h"

/* The current version's aliases in the daemon follow a publication. */
static void publish(struct daemon *d, struct snapshot *s)
{
	snapshots_publish(&d->snaps, s);
	d->env = s->env;
	d->local = s->local;
	d->anchors = s->anchors;
}

/* A version like the current one but with @anchors (owned by it from now on): the
 * local data is rebuilt from the config (each version owns its own). */
static int publish_anchors_version(struct daemon *d, struct anchors *a)
{
	struct local_db *local = NULL;
	struct snapshot *s;

	if (local_db_build(&d->cfg.local, &local) != 0) {
		free(a);
		return -ENOMEM;
	}
	s = snapshot_new(&d->env, local, a);
	if (s == NULL) {
		local_db_free(local);
		free(a);
		return -ENOMEM;
	}
	publish(d, s);
	return 0;
}

int daemon_publish_anchors(struct daemon *d, const uint8_t *zone, size_t zone_len,
			   const struct validate_anchor *list, unsigned n)
{
	struct anchors *a;

	if (d->anchors == NULL || n == 0)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	if (anchors_set_zone(a, d->anchors, zone, zone_len, list, n) != 0) {
		free(a);
		return -ENOMEM;
	}
	return publish_anchors_version(d, a);
}

/* ---- nta ---------------------------------------------------------------------------- */

static void nta_list(const struct daemon *d, struct ctl_reply *r)
{
	const struct validate_chain_conf *c = &d->anchors->conf;
	uint64_t now = (uint64_t)time(NULL);
	char name[WIRE_TEXT_NAME_MAX * 4 + 2];

	for (unsigned i = 0; i < c->n_ntas; i++) {
		const struct validate_nta *t = &c->ntas[i];

		if (wire_name_to_text(t->name, t->name_len, name, sizeof(name)) < 0)
			continue;
		if (t->expires == 0)
			ctl_reply_line(r, "%s permanent", name);
		else if (t->expires > now)
			ctl_reply_line(r, "%s expires in %lu s", name,
				       (unsigned long)(t->expires - now));
		else
			ctl_reply_line(r, "%s expired", name);
	}
	ctl_reply_line(r, "%u negative trust anchor(s)", c->n_ntas);
}

/* Remember NTAs added at run time: a reload keeps them (and drops deleted ones). */
static int runtime_nta_note(struct daemon *d, bool add, const uint8_t *name, size_t len,
			    uint64_t expires)
{
	struct anchors *rt = &d->rt_ntas;

	return add ? anchors_nta_add(rt, name, len, expires) :
		     (anchors_nta_del(rt, name, len), 0);
}

static int nta_change(struct daemon *d, bool add, const uint8_t *name, size_t len,
		      uint64_t expires, struct ctl_reply *r)
{
	struct anchors *a = calloc(1, sizeof(*a));
	uint32_t removed = 0;
	int rc;

	if (a == NULL)
		return -ENOMEM;
	anchors_copy(a, d->anchors);
	rc = add ? anchors_nta_add(a, name, len, expires) : anchors_nta_del(a, name, len);
	if (rc == 0)
		rc = runtime_nta_note(d, add, name, len, expires);
	if (rc != 0) {
		free(a);
		ctl_reply_line(r, add ? "no room: at most %u negative trust anchors" :
			       "no such negative trust anchor", VALIDATE_CHAIN_NTAS_MAX);
		return add ? -ENOSPC : -EINVAL;
	}
	rc = publish_anchors_version(d, a);
	if (rc != 0) {
		ctl_reply_line(r, "out of memory");
		return rc;
	}
	/* What was cached under the old verdict (SERVFAIL while bogus, AD=0 data while
	 * under the NTA) goes, so the change is seen at once, not after the TTLs. */
	if (d->cache != NULL && cache_flush_zone(d->cache, rte_lcore_id(), name, len,
						 &removed) == 0)
		ctl_reply_line(r, "removed %u cached entries of the zone", removed);
	return 0;
}

int cmd_nta(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r)
{
	uint8_t name[WIRE_TEXT_NAME_MAX];
	unsigned long secs = 0;
	char *end = NULL;
	int n;

	if (d->anchors == NULL) {
		ctl_reply_line(r, "validation is off: no negative trust anchors");
		return -ENOTSUP;
	}
	if (strcmp(argv[0], "list") == 0 && argc == 1) {
		nta_list(d, r);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[0], "add") != 0 && strcmp(argv[0], "del") != 0) ||
	    (strcmp(argv[0], "del") == 0 && argc != 2)) {
		ctl_reply_line(r, "usage: nta add NAME [SECONDS] | nta del NAME | nta list");
		return -EINVAL;
	}
	n = wire_text_name(argv[1], strlen(argv[1]), NULL, name, sizeof(name));
	if (n < 1) {
		ctl_reply_line(r, "'%s' is not a domain name", argv[1]);
		return -EINVAL;
	}
	if (argc == 3) {
		secs = strtoul(argv[2], &end, 10);
		if (end == argv[2] || *end != '\0' || secs == 0 || secs > 7 * 86400) {
			ctl_reply_line(r, "lifetime '%s': 1 to 604800 seconds (RFC 7646: a week "
				       "at most)", argv[2]);
			return -EINVAL;
		}
	}
	if (nta_change(d, argv[0][0] == 'a', name, (size_t)n,
		       secs ? (uint64_t)time(NULL) + secs : 0, r) != 0)
		return -EINVAL;
	ctl_reply_line(r, "%s %s%s", argv[0][0] == 'a' ? "added" : "deleted", argv[1],
		       argc == 3 ? " (with a lifetime)" : "");
	return 0;
}

/* ---- reload ------------------------------------------------------------------------- */

static bool same_port(const struct config_port *a, const struct config_port *b)
{
	return strcmp(a->device, b->device) == 0 && a->naddrs == b->naddrs &&
	       memcmp(a->addrs, b->addrs, sizeof(a->addrs[0]) * a->naddrs) == 0 &&
	       memcmp(&a->gw4, &b->gw4, sizeof(a->gw4)) == 0 &&
	       memcmp(&a->gw6, &b->gw6, sizeof(a->gw6)) == 0 && a->vlan == b->vlan &&
	       a->mtu == b->mtu;
}

static bool same_zone(const struct config_zone *a, const struct config_zone *b)
{
	return a->forward == b->forward && a->name_len == b->name_len &&
	       memcmp(a->name, b->name, a->name_len) == 0 && a->naddrs == b->naddrs &&
	       memcmp(a->addrs, b->addrs, sizeof(a->addrs[0]) * a->naddrs) == 0 &&
	       memcmp(a->ports, b->ports, sizeof(a->ports[0]) * a->naddrs) == 0;
}

static bool same_ports_and_zones(const struct config *a, const struct config *b)
{
	if (a->nports != b->nports || a->nzones != b->nzones ||
	    a->exception.enabled != b->exception.enabled ||
	    strcmp(a->exception.device, b->exception.device) != 0)
		return false;
	for (uint32_t i = 0; i < a->nports; i++)
		if (!same_port(&a->ports[i], &b->ports[i]))
			return false;
	for (uint32_t i = 0; i < a->nzones; i++)
		if (!same_zone(&a->zones[i], &b->zones[i]))
			return false;
	return true;
}

/* Settings a reload cannot change (they shaped ports, pools, workers, the cache and
 * the resolvers at start-up): one line naming those that differ. */
static unsigned restart_needed(const struct config *now, const struct config *next,
			       struct ctl_reply *r)
{
	const struct config_server *a = &now->server, *b = &next->server;
	const struct { const char *name; bool differs; } s[] = {
#define DIFF(f) (a->f != b->f)
		{ "workers", DIFF(workers) },
		{ "edns-buffer-size", DIFF(edns_buffer_size) },
		{ "idle-sleep-us/idle-polls", DIFF(idle_sleep_us) || DIFF(idle_polls) },
		{ "root-hints", strcmp(a->root_hints, b->root_hints) != 0 },
		{ "qname-minimisation", DIFF(qname_minimisation) },
		{ "resolve-pool", DIFF(resolve_pool) },
		{ "cache-*", DIFF(cache_size_mb) || DIFF(cache_min_ttl) || DIFF(cache_max_ttl) ||
			     DIFF(cache_max_negative_ttl) || DIFF(serve_stale) || DIFF(prefetch) },
		{ "tcp-*", DIFF(tcp_idle_timeout) || DIFF(tcp_max_connections) ||
			   DIFF(tcp_upstream_idle_timeout) },
		{ "control-*", strcmp(a->control_socket, b->control_socket) != 0 ||
			       strcmp(a->control_key_file, b->control_key_file) != 0 },
		{ "dnssec-validation", DIFF(dnssec.validation) },
		{ "aggressive-nsec", DIFF(dnssec.aggressive_nsec) },
		{ "validation-date-override", DIFF(dnssec.date_override) },
		{ "trust-anchor-state-file/rfc5011-*",
		  strcmp(a->dnssec.state_file, b->dnssec.state_file) != 0 ||
		  DIFF(dnssec.rfc5011_add_holddown) || DIFF(dnssec.rfc5011_remove_holddown) ||
		  DIFF(dnssec.rfc5011_query_min) || DIFF(dnssec.rfc5011_retry_min) },
		{ "port/exception/forward-zone/stub-zone sections",
		  !same_ports_and_zones(now, next) },
#undef DIFF
	};
	char line[CTL_LINE_MAX + 1];
	size_t n = 0;
	unsigned count = 0;

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		if (!s[i].differs)
			continue;
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", count ? ", " : "",
				      s[i].name);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		count++;
	}
	if (count > 0)
		ctl_reply_line(r, "restart needed for: %s (left as they are)", line);
	return count;
}

/* The next version's anchors from @next (its file read), with the run-time NTAs; the
 * current ones when validation is off in either (turning it on or off needs a
 * restart: the workers set up their validators at start). */
static int reload_anchors(struct daemon *d, struct config *next, struct anchors **out,
			  char *err, size_t errlen)
{
	const struct validate_chain_conf *rt = &d->rt_ntas.conf;

	*out = NULL;
	if (d->anchors == NULL)
		return 0;
	if (daemon_build_anchors(next, d->conf_path, out, err, errlen) != 0)
		return -1;
	if (*out == NULL) {
		snprintf(err, errlen, "%s: validation would be off (no trust anchor): a restart "
			 "is needed for that", d->conf_path);
		return -1;
	}
	/* RFC 5011: the root's anchors stay what the trust point has learnt */
	if (ta_daemon_root_anchors(d, out) != 0) {
		snprintf(err, errlen, "too many trust anchors with RFC 5011's");
		free(*out);
		*out = NULL;
		return -1;
	}
	for (unsigned i = 0; i < rt->n_ntas; i++)
		if (anchors_nta_add(*out, rt->ntas[i].name, rt->ntas[i].name_len,
				    rt->ntas[i].expires) != 0) {
			snprintf(err, errlen, "more than %u negative trust anchors with the ones "
				 "added at run time", VALIDATE_CHAIN_NTAS_MAX);
			free(*out);
			*out = NULL;
			return -1;
		}
	return 0;
}

/* The next version from @next: local data and anchors. 0, or -1 with @err. */
static int reload_build(struct daemon *d, struct config *next, struct snapshot **out,
			char *err, size_t errlen)
{
	struct local_db *local = NULL;
	struct anchors *a = NULL;
	int rc = local_db_build(&next->local, &local);

	if (rc != 0) {
		snprintf(err, errlen, "%s: local data: %s", d->conf_path, local_strerror(rc));
		return -1;
	}
	if (reload_anchors(d, next, &a, err, errlen) != 0) {
		local_db_free(local);
		return -1;
	}
	*out = snapshot_new(&d->env, local, a);
	if (*out == NULL) {
		snprintf(err, errlen, "out of memory");
		local_db_free(local);
		free(a);
		return -1;
	}
	return 0;
}

/* The config file read again, its paths made absolute like at start-up, and the next
 * version built from it. 0, or -1 with @err. */
static int reload_read(struct daemon *d, struct config *next, struct snapshot **out,
		       char *err, size_t errlen)
{
	struct config_server *srv = &next->server;

	if (config_load(d->conf_path, next, err, errlen) != 0)
		return -1;
	daemon_relative_path(d->conf_path, srv->root_hints, sizeof(srv->root_hints));
	daemon_relative_path(d->conf_path, srv->control_key_file, sizeof(srv->control_key_file));
	daemon_relative_path(d->conf_path, srv->dnssec.state_file, sizeof(srv->dnssec.state_file));
	return reload_build(d, next, out, err, errlen);
}

int cmd_reload(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r)
{
	struct config *next = calloc(1, sizeof(*next));
	struct snapshot *s = NULL;
	struct local_conf old_local;
	char err[512];

	(void)argc;
	(void)argv;
	if (next == NULL)
		return -ENOMEM;
	if (reload_read(d, next, &s, err, sizeof(err)) != 0) {
		ctl_reply_line(r, "reload failed, nothing changed: %s", err);
		config_free(next);
		free(next);
		return -EIO;
	}
	restart_needed(&d->cfg, next, r);
	publish(d, s);
	/* what the new version was built from becomes the config's (later versions,
	 * e.g. for RFC 5011, rebuild local data from it); the old goes with next */
	old_local = d->cfg.local;
	d->cfg.local = next->local;
	next->local = old_local;
	d->cfg.server.dnssec = next->server.dnssec;
	d->cfg.server.selftest = next->server.selftest; /* read by `selftest` only */
	config_free(next);
	free(next);
	ctl_reply_line(r, "reloaded %s: version %lu, %u trust anchor(s), %u negative trust "
		       "anchor(s)", d->conf_path, (unsigned long)d->snaps.pub->gen,
		       d->anchors ? d->anchors->conf.n_anchors : 0,
		       d->anchors ? d->anchors->conf.n_ntas : 0);
	return 0;
}
