/*
 * ta_daemon.h - RFC 5011 in sekishod (trust-anchor-state-file): the root's trust
 * point from its state file at start-up, refreshed from the control loop by asking a
 * worker for ". DNSKEY" (ctlq.h; DO, not from the cache), new trust handed to the
 * workers (daemon_publish_anchors), and `sekishoctl trust-anchors`. The logic lives in
 * ta_refresh.h; this file is its I/O. Control thread only; nothing here runs on a
 * worker.
 */
#ifndef SEKISHO_CONTROL_TA_DAEMON_H
#define SEKISHO_CONTROL_TA_DAEMON_H

#include <stdbool.h>

#include "ctl.h"

struct anchors;
struct daemon;

/* How long one refresh may hold the control loop (the ctlq wait). */
#define TA_DAEMON_QUERY_TIMEOUT_MS 5000

/*
 * ta_daemon_start - with trust-anchor-state-file set and validation on (d->anchors
 * built from the config): the trust point from the state file, or from the config's
 * root anchors (the file written at once; its directory made when missing), and
 * d->anchors replaced by a copy whose root anchors are what it trusts. A relative
 * state file is relative to @conf_path's directory. With d->check_only
 * (--check-config): read and check the state file, write nothing.
 * Returns 0, or -1 after printing "file:line: reason" (a corrupt state file included:
 * the daemon does not start from the config's anchors in its place).
 */
int ta_daemon_start(struct daemon *d, const char *conf_path);

/*
 * ta_daemon_root_anchors - with RFC 5011 on, *@a (a conf built from the config, e.g.
 * by a reload) replaced by a copy whose root anchors are the trust point's, so that a
 * reload never brings back what the config said at first. Returns 0 or -1 (no room).
 */
int ta_daemon_root_anchors(const struct daemon *d, struct anchors **a);

/* ta_daemon_tick - from the control loop: the refresh, when one is due. Holds the
 * loop at most TA_DAEMON_QUERY_TIMEOUT_MS. */
void ta_daemon_tick(struct daemon *d);

/* ta_daemon_cmd_trust_anchors - `trust-anchors`: whether RFC 5011 is on, the state
 * file, each key with its state and times (ta_refresh_report), or the static anchors. */
int ta_daemon_cmd_trust_anchors(struct daemon *d, int argc, char *const argv[],
				struct ctl_reply *r);

/* ta_daemon_free - what ta_daemon_start() made. */
void ta_daemon_free(struct daemon *d);

#endif /* SEKISHO_CONTROL_TA_DAEMON_H */
