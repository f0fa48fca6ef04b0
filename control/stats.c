/*
 * control/stats: aggregation and export of worker counters (see stats.h).
 * Control and telemetry threads only; never called by a worker.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "stats.h"
#include "cache.h"
#include "ctl.h"
#include "tcp.h"
#include "upstream.h"
#include "worker.h"

static struct worker *stats_workers;
static unsigned int stats_n_workers;
static struct cache *stats_cache;
static const struct tcp_stats *stats_tcp;
static const struct ctl_counters *stats_ctl;

void stats_init(struct worker *workers, unsigned int n_workers, struct cache *cache)
{
	stats_workers = workers;
	stats_n_workers = n_workers;
	stats_cache = cache;
}

void stats_set_tcp(const struct tcp_stats *tcp)
{
	stats_tcp = tcp;
}

void stats_set_control(const struct ctl_counters *ctl)
{
	stats_ctl = ctl;
}

/* The control channel's counters (the control thread writes them: plain loads). */
static void foreach_control(void (*fn)(const char *name, uint64_t value, void *arg),
			    void *arg)
{
	const volatile uint64_t *cs = (const volatile uint64_t *)stats_ctl;
	char name[64];

	if (cs == NULL)
		return;
	for (size_t c = 0; c < CTL_N_COUNTERS; c++) {
		snprintf(name, sizeof(name), "control_%s", ctl_counter_names[c]);
		fn(name, cs[c], arg);
	}
}

/* The TCP service's counters (its own thread writes them: plain loads). */
static void foreach_tcp(void (*fn)(const char *name, uint64_t value, void *arg), void *arg)
{
	const volatile uint64_t *ts = (const volatile uint64_t *)stats_tcp;
	char name[64];

	if (ts == NULL)
		return;
	for (size_t c = 0; c < TCP_N_COUNTERS; c++) {
		snprintf(name, sizeof(name), "tcp_%s", tcp_counter_names[c]);
		fn(name, ts[c], arg);
	}
}

/* Upstream and cache counters: only when the daemon recurses. */
static void foreach_recursion(void (*fn)(const char *name, uint64_t value, void *arg),
			      void *arg)
{
	uint64_t usum[UPSTREAM_N_COUNTERS] = { 0 }, rsum[RESOLVE_N_COUNTERS] = { 0 };
	struct cache_stats cs;
	char name[64];

	if (stats_cache == NULL)
		return;
	for (unsigned int i = 0; i < stats_n_workers; i++) {
		const volatile uint64_t *us;

		if (stats_workers[i].up == NULL)
			continue;
		us = (const volatile uint64_t *)&stats_workers[i].up->stats;
		for (size_t c = 0; c < UPSTREAM_N_COUNTERS; c++)
			usum[c] += us[c];
		/* the resolver's own, per worker too (plain loads: one writer each) */
		us = (const volatile uint64_t *)&stats_workers[i].up->rctx->stats;
		for (size_t c = 0; c < RESOLVE_N_COUNTERS; c++)
			rsum[c] += us[c];
	}
	for (size_t c = 0; c < UPSTREAM_N_COUNTERS; c++) {
		snprintf(name, sizeof(name), "upstream_%s", upstream_counter_names[c]);
		fn(name, usum[c], arg);
	}
	for (size_t c = 0; c < RESOLVE_N_COUNTERS; c++) {
		snprintf(name, sizeof(name), "resolve_%s", resolve_counter_names[c]);
		fn(name, rsum[c], arg);
	}
	cache_stats_sum(stats_cache, &cs);
	for (size_t c = 0; c < CACHE_N_COUNTERS; c++) {
		snprintf(name, sizeof(name), "cache_%s", cache_counter_names[c]);
		fn(name, ((const uint64_t *)&cs)[c], arg);
	}
}

static uint64_t read_u64(const volatile uint64_t *p)
{
	return *p;
}

void stats_foreach(void (*fn)(const char *name, uint64_t value, void *arg), void *arg)
{
	struct net_counters net;
	uint64_t wsum[WORKER_N_COUNTERS] = { 0 }, qsum[QUERY_N_COUNTERS] = { 0 };

	memset(&net, 0, sizeof(net));
	for (unsigned int i = 0; i < stats_n_workers; i++) {
		const struct worker *w = &stats_workers[i];
		const volatile uint64_t *ws = (const volatile uint64_t *)&w->stats;
		const volatile uint64_t *qs = (const volatile uint64_t *)&w->qstats;

		net_counters_add(&net, &w->net->ctr);
		for (uint16_t p = 0; p < w->n_ports; p++)
			net_counters_add(&net, &w->ports[p].net.ctr);
		for (size_t c = 0; c < WORKER_N_COUNTERS; c++)
			wsum[c] += read_u64(&ws[c]);
		for (size_t c = 0; c < QUERY_N_COUNTERS; c++)
			qsum[c] += read_u64(&qs[c]);
	}
	for (size_t c = 0; c < NET_CTR_MAX; c++)
		fn(net_counter_names[c], net.c[c], arg);
	for (size_t c = 0; c < WORKER_N_COUNTERS; c++)
		fn(worker_counter_names[c], wsum[c], arg);
	/* not a counter: what busy_cycles are counted in (cycles per second) */
	fn("tsc_hz", rte_get_tsc_hz(), arg);
	for (size_t c = 0; c < QUERY_N_COUNTERS; c++)
		fn(query_counter_names[c], qsum[c], arg);
	foreach_recursion(fn, arg);
	foreach_tcp(fn, arg);
	foreach_control(fn, arg);
}

static void print_one(const char *name, uint64_t value, void *arg)
{
	fprintf((FILE *)arg, "%s %lu\n", name, (unsigned long)value);
}

void stats_print(FILE *out)
{
	stats_foreach(print_one, out);
	fflush(out);
}

static void tel_add(const char *name, uint64_t value, void *arg)
{
	rte_tel_data_add_dict_u64((struct rte_tel_data *)arg, name, value);
}

static int tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	stats_foreach(tel_add, d);
	return 0;
}

/* One dict per worker: where it runs and how much it did (RSS spread, idling). */
static int tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (unsigned int i = 0; i < stats_n_workers; i++) {
		const struct worker *w = &stats_workers[i];
		struct rte_tel_data *wd = rte_tel_data_alloc();
		char key[24];

		if (wd == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(wd);
		rte_tel_data_add_dict_u64(wd, "lcore", w->lcore_id);
		rte_tel_data_add_dict_u64(wd, "queue", w->queue);
		rte_tel_data_add_dict_u64(wd, "polls", read_u64(&w->stats.polls));
		rte_tel_data_add_dict_u64(wd, "idle_sleeps", read_u64(&w->stats.idle_sleeps));
		rte_tel_data_add_dict_u64(wd, "busy_cycles", read_u64(&w->stats.busy_cycles));
		rte_tel_data_add_dict_u64(wd, "queries", read_u64(&w->qstats.queries));
		rte_tel_data_add_dict_u64(wd, "responses", read_u64(&w->qstats.responses));
		snprintf(key, sizeof(key), "worker%u", i);
		rte_tel_data_add_dict_container(d, key, wd, 0);
	}
	return 0;
}

/* /sekisho/test/clock_advance,SECONDS -> {"skew_s": total seconds moved so far} */
static int tel_clock_advance(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char *end;
	unsigned long s;

	(void)cmd;
	if (params == NULL || stats_cache == NULL)
		return -EINVAL;
	errno = 0;
	s = strtoul(params, &end, 10);
	if (errno != 0 || end == params || *end != '\0' || s > 10UL * 365 * 86400)
		return -EINVAL;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "skew_s", cache_clock_advance(stats_cache, (uint32_t)s));
	return 0;
}

int stats_register_test_clock(void)
{
	return rte_telemetry_register_cmd("/sekisho/test/clock_advance", tel_clock_advance,
					  "Tests only: move the clock forward by SECONDS");
}

int stats_register_telemetry(void)
{
	int rc = rte_telemetry_register_cmd("/sekisho/stats", tel_stats,
					    "All sekisho counters, summed over workers");

	if (rc == 0)
		rc = rte_telemetry_register_cmd("/sekisho/workers", tel_workers,
						"Per worker: lcore, queue, polls, idle sleeps, busy cycles, queries");
	return rc;
}
