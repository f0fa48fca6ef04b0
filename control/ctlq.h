/*
 * ctlq.h - queries of the control thread's own (RFC 5011 refresh, selftest): a
 * worker resolves them like a client's (local data, cache, resolver, validator) and
 * hands back the whole answer with how the upstream answer arrived.
 *
 * They travel in the message objects of the TCP channel (upstream.h, struct
 * upstream_msg, kind UPSTREAM_MSG_CONTROL) through the worker's ring in, and come
 * back on the control ring; the control thread waits for its answer, the worker
 * never waits for anything.
 */
#ifndef SEKISHO_CONTROL_CTLQ_H
#define SEKISHO_CONTROL_CTLQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "upstream.h"

struct daemon;

/* What to ask (flags of ctlq_resolve). */
#define CTLQ_DO       0x1   /* DNSSEC OK: RRSIGs in the answer, AD when secure */
#define CTLQ_CD       0x2   /* checking disabled: data not validated */
#define CTLQ_NOCACHE  0x4   /* do not answer from the cache or join a running
                             * resolution: ask the authoritative servers now */

struct ctlq_result {
	uint8_t rcode;
	bool ad;                        /* the answer's AD bit */
	int ede;                        /* its extended DNS error, -1: none */
	unsigned via;                   /* UPSTREAM_VIA_* of the resolution (0: cache) */
	uint16_t udp_max;               /* largest upstream UDP answer taken (bytes) */
	uint16_t len;                   /* the answer message */
	uint8_t msg[UPSTREAM_MSG_MAX];
};

/*
 * ctlq_resolve - ask worker 0 for @name (presentation form) @qtype, class IN, with
 * @flags, and wait at most @timeout_ms for the answer. Control thread only.
 * Returns 0 (answer in @res), -ETIMEDOUT, -EINVAL (bad name), -ENOTSUP (no
 * recursion) or -ENOMEM (no message object free).
 */
int ctlq_resolve(struct daemon *d, const char *name, uint16_t qtype, unsigned flags,
		 unsigned timeout_ms, struct ctlq_result *res);

#endif
