/*
 * snapshot.h - versions of what the workers read that the control thread may change
 * while they run (a reload, a negative trust anchor, new trust anchors): the query
 * environment with its local data, and the validator's conf with its anchors.
 *
 * A version is built aside, then published in one pointer store (worker.h, struct
 * worker_pub); the workers take it between polls. The replaced version is kept until
 * every worker has marked the generation that replaced it as done, which a worker
 * does once no resolution of its own can still hold the old validator conf; then it
 * is freed here, on the control thread. Nothing of this runs on a worker.
 */
#ifndef SEKISHO_CONTROL_SNAPSHOT_H
#define SEKISHO_CONTROL_SNAPSHOT_H

#include <stdint.h>

#include "anchors.h"
#include "query.h"
#include "worker.h"

struct local_db;

struct snapshot {
	struct worker_snapshot ws;      /* what the workers read: points into this */
	struct query_env env;
	struct local_db *local;         /* owned (env.local) */
	struct anchors *anchors;        /* owned (ws.vconf); NULL: validation off */
	uint64_t retired_gen;           /* the generation that replaced it */
	struct snapshot *next;          /* in the retired list */
};

struct snapshots {
	struct worker_pub *pub;         /* shared with the workers (rte_zmalloc) */
	unsigned int n_workers;
	struct snapshot *cur;
	struct snapshot *retired;       /* newest first */
	uint64_t published, freed;      /* counts, for status */
};

/* A version with @env (local data then owned: env->local is freed with it) and
 * @anchors (owned; NULL: validation off). NULL when out of memory. */
struct snapshot *snapshot_new(const struct query_env *env, struct local_db *local,
			      struct anchors *anchors);
void snapshot_free(struct snapshot *s);

/* snapshots_init - the first version, before the workers start (they read
 * s->pub->cur's env and conf at start-up). Returns 0 or -ENOMEM. */
int snapshots_init(struct snapshots *s, unsigned int n_workers, struct snapshot *first);

/* snapshots_publish - @next becomes the version the workers take. */
void snapshots_publish(struct snapshots *s, struct snapshot *next);

/* snapshots_reap - free the retired versions no worker can use any more. Returns
 * how many are still waiting. */
unsigned int snapshots_reap(struct snapshots *s);

/* snapshots_fini - after the workers stopped: free every version. */
void snapshots_fini(struct snapshots *s);

#endif
