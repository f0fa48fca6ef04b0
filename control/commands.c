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
#include "daemon.h"
#include "flush.h"
#include "stats.h"

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

static const struct command commands[] = {
	{ "help", "", "this list", 0, 0, cmd_help },
	{ "status", "", "version, uptime, lcores, ports, cache size and hit ratio", 0, 0,
	  cmd_status },
	{ "stats", "", "every counter (as in telemetry /sekisho/stats)", 0, 0, cmd_stats },
	{ "flush", FLUSH_USAGE, "remove cached data of a name (every type), of a zone and "
	  "the names below it, or all", 1, 2, flush_command },
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
