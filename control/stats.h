/*
 * control/stats: sum the per-worker counters and export them.
 *
 * Workers count into plain uint64_t fields of their own struct worker (no atomics on
 * the packet path); the control thread reads them, sums them across workers and
 * ports, and exports the totals as DPDK telemetry (/sekisho/stats, readable with
 * dpdk-telemetry.py) and as text lines. A read may see a counter one increment old;
 * that is the price of not making workers share cache lines.
 */
#ifndef SEKISHO_CONTROL_STATS_H
#define SEKISHO_CONTROL_STATS_H

#include <stdint.h>
#include <stdio.h>

struct cache;
struct tcp_stats;
struct worker;

/* Call once at start-up with the workers the daemon launched (cache may be NULL). */
void stats_init(struct worker *workers, unsigned int n_workers, struct cache *cache);

/* The TCP service's counters (control/tcp.c), exported as tcp_<name>; NULL: none. */
void stats_set_tcp(const struct tcp_stats *tcp);

/* The control channel's counters (control/ctl.h), exported as control_<name>; NULL: none. */
struct ctl_counters;
void stats_set_control(const struct ctl_counters *ctl);

/* Register the telemetry commands /sekisho/stats and /sekisho/status. */
int stats_register_telemetry(void);

/* Registers /sekisho/test/clock_advance,SECONDS: moves the appliance's clock (cache
 * TTLs, resolver timers, signature validity) forward; for replaying recorded
 * scenarios that let time pass. Only with "test-clock: yes". */
int stats_register_test_clock(void);

/* Visit every counter total: fn(name, value, arg). */
void stats_foreach(void (*fn)(const char *name, uint64_t value, void *arg), void *arg);

/* Print "name value" lines, one per counter. */
void stats_print(FILE *out);

#endif
