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

/* What the conf's anchors point into: inline anchors stay in the config (it lives as
 * long as the daemon); file anchors are copied here. */
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

#endif
