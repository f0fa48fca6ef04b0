/*
 * snapshot.c - versions of the workers' environment (snapshot.h). Control thread only.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "local.h"
#include "snapshot.h"

struct snapshot *snapshot_new(const struct query_env *env, struct local_db *local,
			      struct anchors *anchors)
{
	struct snapshot *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->env = *env;
	s->env.local = local;
	s->local = local;
	s->anchors = anchors;
	s->ws.env = &s->env;
	s->ws.vconf = anchors != NULL ? &anchors->conf : NULL;
	return s;
}

void snapshot_free(struct snapshot *s)
{
	if (s == NULL)
		return;
	local_db_free(s->local);
	free(s->anchors);
	free(s);
}

int snapshots_init(struct snapshots *s, unsigned int n_workers, struct snapshot *first)
{
	s->pub = rte_zmalloc("worker_pub", sizeof(*s->pub), RTE_CACHE_LINE_SIZE);
	if (s->pub == NULL || n_workers > WORKER_PUB_MAX)
		return -ENOMEM;
	s->n_workers = n_workers;
	s->cur = first;
	s->retired = NULL;
	s->pub->cur = &first->ws;
	s->pub->gen = 1;
	return 0;
}

void snapshots_publish(struct snapshots *s, struct snapshot *next)
{
	struct snapshot *old = s->cur;
	uint64_t gen = s->pub->gen + 1;

	__atomic_store_n(&s->pub->cur, &next->ws, __ATOMIC_RELEASE);
	__atomic_store_n(&s->pub->gen, gen, __ATOMIC_RELEASE);
	s->cur = next;
	old->retired_gen = gen;
	old->next = s->retired;
	s->retired = old;
	s->published++;
}

/* True when every worker has marked @gen (or later) done. */
static bool all_done(const struct snapshots *s, uint64_t gen)
{
	for (unsigned int i = 0; i < s->n_workers; i++)
		if (__atomic_load_n(&s->pub->worker[i].done, __ATOMIC_ACQUIRE) < gen)
			return false;
	return true;
}

unsigned int snapshots_reap(struct snapshots *s)
{
	struct snapshot **p = &s->retired;
	unsigned int left = 0;

	while (*p != NULL) {
		struct snapshot *r = *p;

		if (all_done(s, r->retired_gen)) {
			*p = r->next;
			snapshot_free(r);
			s->freed++;
		} else {
			p = &r->next;
			left++;
		}
	}
	return left;
}

void snapshots_fini(struct snapshots *s)
{
	while (s->retired != NULL) {
		struct snapshot *r = s->retired;

		s->retired = r->next;
		snapshot_free(r);
	}
	snapshot_free(s->cur);
	s->cur = NULL;
	rte_free(s->pub);
	s->pub = NULL;
}
