/*
 * anchors.h - the validator's settings from the config: trust anchors (inline and
 * from trust-anchor-file), negative trust anchors, algorithm policy, clock skew,
 * NSEC3 limits, into the chain of trust's conf (dataplane/validate/validate_chain.h).
 * Slow path (start-up). RFC 5011 management of the root anchors will live here too.
 */
#ifndef SEKISHO_CONTROL_ANCHORS_H
#define SEKISHO_CONTROL_ANCHORS_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "validate_chain.h"

/* RDATA bytes of anchors read from a trust-anchor-file. */
#define ANCHORS_FILE_RDATA_MAX (VALIDATE_CHAIN_ANCHORS_MAX * 1024)

/* The validator's conf and the RDATA its anchors point into (every anchor's, copied:
 * the struct owns all it points to, so it can be published on its own). */
struct anchors {
	struct validate_chain_conf conf;
	size_t used;
	uint8_t rdata[ANCHORS_FILE_RDATA_MAX];
};

/*
 * anchors_build - fill @a from @cfg (server.dnssec) and the text of its
 * trust-anchor-file (@file, @file_len; NULL when there is none; @file_name for
 * messages). NTAs with a lifetime expire @now + lifetime (UNIX seconds).
 * Returns 0, or -1 with "FILE:LINE: reason" in @err.
 */
int anchors_build(struct anchors *a, const struct config *cfg, const char *file,
		  size_t file_len, const char *file_name, uint64_t now, char *err, size_t errlen);

/* anchors_copy - @dst becomes a copy of @src (RDATA pointers into dst's own). */
void anchors_copy(struct anchors *dst, const struct anchors *src);

/*
 * anchors_set_zone - @dst: a copy of @src whose anchors for @zone (wire name) are
 * @list instead (RDATA copied); other zones, NTAs and settings as in @src.
 * Returns 0, or -1 when they do not fit (VALIDATE_CHAIN_ANCHORS_MAX, RDATA room).
 */
int anchors_set_zone(struct anchors *dst, const struct anchors *src, const uint8_t *zone,
		     size_t zone_len, const struct validate_anchor *list, unsigned n);

/*
 * Negative trust anchors at run time (RFC 7646): add (or renew) @name (wire form)
 * until @expires (UNIX seconds, 0: no end), delete, find (index or -1).
 * add: 0 or -1 (full); del: 0 or -1 (not there).
 */
int anchors_nta_add(struct anchors *a, const uint8_t *name, size_t len, uint64_t expires);
int anchors_nta_del(struct anchors *a, const uint8_t *name, size_t len);
int anchors_nta_find(const struct anchors *a, const uint8_t *name, size_t len);

#endif
