/*
 * prom_stats.c - sekishod's counters as a Prometheus source (prom.h): the totals of
 * stats_foreach() (what `sekishoctl stats` and telemetry show), the cache's size as
 * gauges, and per worker the counters each worker keeps in its own struct (worker,
 * query and upstream counters). Help texts come from the counter tables themselves
 * (the X-macros of each module), so a counter added there is described here at once.
 * Control thread only; reads the workers' counters with plain loads, like stats.c.
 */
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "ctl.h"
#include "daemon.h"
#include "net.h"
#include "prom.h"
#include "query.h"
#include "resolve.h"
#include "stats.h"
#include "tcp.h"
#include "upstream.h"
#include "worker.h"

struct counter_help {
	const char *name;
	const char *help;
};

#define HELP_PLAIN(name, help) { #name, help },
#define HELP_UPSTREAM(name, help) { "upstream_" #name, help },
#define HELP_RESOLVE(name, help) { "resolve_" #name, help },
#define HELP_CACHE(name, help) { "cache_" #name, help },
#define HELP_TCP(name, help) { "tcp_" #name, help },
#define HELP_CONTROL(name, help) { "control_" #name, help },
#define HELP_NET(id, name) { name, "packets and events of the network path: " name },

static const struct counter_help helps[] = {
	NET_COUNTERS(HELP_NET)
	WORKER_COUNTERS(HELP_PLAIN)
	QUERY_COUNTERS(HELP_PLAIN)
	UPSTREAM_COUNTERS(HELP_UPSTREAM)
	RESOLVE_COUNTERS(HELP_RESOLVE)
	CACHE_COUNTERS(HELP_CACHE)
	TCP_COUNTERS(HELP_TCP)
	CTL_COUNTERS(HELP_CONTROL)
	{ "cache_entries", "entries in the cache now (responses, RRsets, denial records)" },
	{ "cache_capacity", "entry slots of the cache (all size classes)" },
	{ "cache_memory_bytes", "bytes the cache reserved at start (its whole budget)" },
};

/* Levels, not counts: they go down as well as up. */
static const char *const gauges[] = {
	"tcp_open", "tcp_upstream_open", "cache_entries", "cache_capacity", "cache_memory_bytes",
};

static void describe(const char *name, const char **help, enum prom_type *type, void *arg)
{
	(void)arg;
	for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		if (strcmp(name, gauges[i]) == 0)
			*type = PROM_GAUGE;
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++)
		if (strcmp(name, helps[i].name) == 0)
			*help = helps[i].help;
}

static void totals(prom_visit_fn visit, void *visit_arg, void *arg)
{
	struct daemon *d = arg;

	stats_foreach(visit, visit_arg);
	if (d->cache != NULL) {
		visit("cache_entries", cache_count(d->cache), visit_arg);
		visit("cache_capacity", cache_capacity(d->cache), visit_arg);
		visit("cache_memory_bytes", cache_memory(d->cache), visit_arg);
	}
}

static uint64_t load(const volatile uint64_t *p)
{
	return *p;
}

/* Worker @i's own counters: the same names in the same order for every worker. */
static void worker(unsigned i, prom_visit_fn visit, void *visit_arg, void *arg)
{
	struct daemon *d = arg;
	const struct worker *w = &d->workers[i];
	const volatile uint64_t *ws = (const volatile uint64_t *)&w->stats;
	const volatile uint64_t *qs = (const volatile uint64_t *)&w->qstats;
	char name[64];

	for (size_t c = 0; c < WORKER_N_COUNTERS; c++)
		visit(worker_counter_names[c], load(&ws[c]), visit_arg);
	for (size_t c = 0; c < QUERY_N_COUNTERS; c++)
		visit(query_counter_names[c], load(&qs[c]), visit_arg);
	if (w->up == NULL)
		return;
	ws = (const volatile uint64_t *)&w->up->stats;
	for (size_t c = 0; c < UPSTREAM_N_COUNTERS; c++) {
		snprintf(name, sizeof(name), "upstream_%s", upstream_counter_names[c]);
		visit(name, load(&ws[c]), visit_arg);
	}
}

void prom_stats_source(struct prom_source *src, struct daemon *d)
{
	*src = (struct prom_source){
		.totals = totals,
		.n_workers = d->workers != NULL ? d->n_workers : 0,
		.worker = worker,
		.describe = describe,
		.arg = d,
	};
}
