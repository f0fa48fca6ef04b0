/*
 * commands.c - the control commands sekishoctl can ask for (ctl.h carries them):
 * a table of name, arguments and function. Every command runs on the control thread
 * and never waits for a worker; what it changes reaches the workers by publication
 * (daemon.h). Commands of a larger concern live in their own file and are listed
 * here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_lcore.h>

#include "cache.h"
#include "ctlq.h"
#include "daemon.h"
#include "flush.h"
#include "reload.h"
#include "selftest.h"
#include "stats.h"
#include "ta_daemon.h"
#include "upstream.h"
#include "wire.h"
#include "wire_text.h"

struct command {
	const char *name;
	const char *args;               /* for help */
	const char *what;
	int min_args, max_args;
	int (*fn)(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r);
};

static int cmd_help(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r);

static void reply_counter(const char *name, uint64_t value, void *arg)
{
	ctl_reply_line(arg, "%s %lu", name, (unsigned long)value);
}

static int cmd_status(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r)
{
	(void)argc;
	(void)argv;
	ctl_reply_line(r, "version %s", SEKISHOD_VERSION);
	ctl_reply_line(r, "uptime %lu", (unsigned long)(time(NULL) - d->started));
	ctl_reply_line(r, "workers %u", d->n_workers);
	ctl_reply_line(r, "lcores %u", rte_lcore_count());
	ctl_reply_line(r, "ports %u", d->cfg.nports);
	ctl_reply_line(r, "recursion %s", d->env.recursion ? "on" : "off");
	ctl_reply_line(r, "validation %s", d->anchors != NULL ? "on" : "off");
	if (d->snaps.pub != NULL) {
		ctl_reply_line(r, "config_version %lu", (unsigned long)d->snaps.pub->gen);
		ctl_reply_line(r, "config_versions_retiring %lu",
			       (unsigned long)(d->snaps.published - d->snaps.freed));
	}
	if (d->cache != NULL) {
		struct cache_stats cs;

		cache_stats_sum(d->cache, &cs);
		ctl_reply_line(r, "cache_entries %u", cache_count(d->cache));
		ctl_reply_line(r, "cache_capacity %u", cache_capacity(d->cache));
		if (cs.lookups > 0)
			ctl_reply_line(r, "cache_hit_ratio %.3f", (double)cs.hits / (double)cs.lookups);
	}
	return 0;
}

static int cmd_stats(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r)
{
	(void)d;
	(void)argc;
	(void)argv;
	stats_foreach(reply_counter, r);
	return 0;
}

static const char *rcode_name(unsigned rcode)
{
	const char *n = wire_text_rcode_name(rcode);

	return n != NULL ? n : "OTHER";
}

/* "udp", "udp,fragmented,tcp"..., "cache" when no upstream answer was taken. */
static const char *via_text(unsigned via, char *buf, size_t cap)
{
	static const struct { unsigned bit; const char *name; } v[] = {
		{ UPSTREAM_VIA_UDP, "udp" }, { UPSTREAM_VIA_FRAGMENTED, "fragmented" },
		{ UPSTREAM_VIA_TCP, "tcp" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if ((via & v[i].bit) && n < cap)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "," : "", v[i].name);
	return n ? buf : "cache";
}

/* lookup NAME [TYPE] [--fresh] [--do] [--cd]: resolve through worker 0 (ctlq.h). */
static int cmd_lookup(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r)
{
	static struct ctlq_result res; /* 64 KiB: not on the control thread's stack */
	unsigned flags = 0;
	uint16_t qtype = WIRE_TYPE_A;
	char via[48];
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--fresh") == 0)
			flags |= CTLQ_NOCACHE;
		else if (strcmp(argv[i], "--do") == 0)
			flags |= CTLQ_DO;
		else if (strcmp(argv[i], "--cd") == 0)
			flags |= CTLQ_CD;
		else if (wire_text_type(argv[i], strlen(argv[i]), &qtype) != 0) {
			ctl_reply_line(r, "unknown type or option '%s'", argv[i]);
			return -EINVAL;
		}
	}
	rc = ctlq_resolve(d, argv[0], qtype, flags, 10000, &res);
	if (rc != 0) {
		ctl_reply_line(r, "lookup %s: %s", argv[0], rc == -EINVAL ? "not a domain name" :
			       rc == -ENOTSUP ? "no recursion or no exception path" :
			       rc == -ETIMEDOUT ? "no answer within 10 s" : "no message object free");
		return rc == -EINVAL ? -EINVAL : rc;
	}
	ctl_reply_line(r, "rcode %s", rcode_name(res.rcode));
	ctl_reply_line(r, "ad %d", res.ad ? 1 : 0);
	if (res.ede >= 0)
		ctl_reply_line(r, "ede %d", res.ede);
	ctl_reply_line(r, "answers %u", res.len >= WIRE_HDR_LEN ? wire_get_u16(res.msg + 6) : 0);
	ctl_reply_line(r, "size %u", res.len);
	ctl_reply_line(r, "via %s", via_text(res.via, via, sizeof(via)));
	if (res.udp_max > 0)
		ctl_reply_line(r, "udp_max %u", res.udp_max);
	return 0;
}

static const struct command commands[] = {
	{ "help", "", "this list", 0, 0, cmd_help },
	{ "status", "", "version, uptime, lcores, ports, cache size and hit ratio", 0, 0,
	  cmd_status },
	{ "stats", "", "every counter (as in telemetry /sekisho/stats)", 0, 0, cmd_stats },
	{ "reload", "", "read the config file again: local data, trust anchors, NTAs, "
	  "validation settings (others need a restart: named)", 0, 0, cmd_reload },
	{ "nta", "add NAME [SECONDS] | del NAME | list",
	  "negative trust anchors at run time (RFC 7646)", 1, 3, cmd_nta },
	{ "lookup", "NAME [TYPE] [--fresh] [--do] [--cd]",
	  "resolve through a worker: rcode, AD, EDE, size, how the upstream answer came "
	  "(--fresh: from the authoritative servers, not the cache)", 1, 5, cmd_lookup },
	{ "flush", FLUSH_USAGE, "remove cached data of a name (every type), of a zone and "
	  "the names below it, or all", 1, 2, flush_command },
	{ "trust-anchors", "", "the root's trust anchors: RFC 5011 on/off, state file, each "
	  "key's tag, algorithm, state, first seen, hold-down end, last and next refresh", 0, 0,
	  ta_daemon_cmd_trust_anchors },
	{ "selftest", "", "the KSK rollover checks (control/selftest.h): root trust anchor, "
	  "~4 KB answer over fragmented UDP, TCP fallback, a good name validates, a bogus "
	  "one fails; exit 1 when one FAILs", 0, 0, selftest_command },
};

static int cmd_help(struct daemon *d, int argc, char *const argv[], struct ctl_reply *r)
{
	(void)d;
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		ctl_reply_line(r, "%s%s%s: %s", commands[i].name, commands[i].args[0] ? " " : "",
			       commands[i].args, commands[i].what);
	return 0;
}

int commands_run(const char *cmd, int argc, char *const argv[], struct ctl_reply *r,
		 void *arg)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];

		if (strcmp(cmd, c->name) != 0)
			continue;
		if (argc < c->min_args || argc > c->max_args) {
			ctl_reply_line(r, "usage: %s %s", c->name, c->args);
			return -EINVAL;
		}
		return c->fn(arg, argc, argv, r);
	}
	return -ENOENT;
}
