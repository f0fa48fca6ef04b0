/*
 * cache.c - creating and freeing the cache, readers' RCU registration, counters.
 *
 * Everything the cache will ever use is reserved here, sized from the memory limit:
 * the slabs of each size class, their free rings, one table per shard and each
 * shard's defer queue. Nothing here runs on the packet path except
 * cache_quiescent() and cache_now().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "cache_priv.h"

const char *const cache_counter_names[] = {
#define CACHE_COUNTER_NAME(name, help) #name,
	CACHE_COUNTERS(CACHE_COUNTER_NAME)
#undef CACHE_COUNTER_NAME
};

const char *const cache_counter_help[] = {
#define CACHE_COUNTER_HELP(name, help) help,
	CACHE_COUNTERS(CACHE_COUNTER_HELP)
#undef CACHE_COUNTER_HELP
};

/*
 * Size classes and the share of the slab budget each gets (per mille). Most
 * answers without DNSSEC fit 256 bytes, most with DO=1 fit 1024; the last class
 * holds the largest image with the most TTL fields (48 + 128 * 6 + 4096 bytes).
 * The split is fixed at start-up; each class evicts within itself.
 */
static const struct {
	uint32_t size;
	uint32_t share;
} class_table[CACHE_N_CLASSES] = {
	{ 256, 300 }, { 512, 300 }, { 1024, 220 }, { 2048, 120 }, { 4928, 60 },
};

/* Heap bytes besides slabs and tables: struct cache, RCU variable, table and
 * ring headers, memzone rounding. Checked by test_cache's memory test. */
#define CACHE_FIXED_OVERHEAD (256u * 1024)
#define CACHE_SHARD_OVERHEAD (16u * 1024)

void
cache_config_default(struct cache_config *cfg)
{
	*cfg = (struct cache_config){
		.memory_limit = 64u << 20,
		.min_ttl = 0,
		.max_ttl = 86400,
		.max_negative_ttl = 3600,
		.stale_window = 86400,
		.stale_ttl = 30,
		.prefetch_percent = 10,
		.shards = 16,
		.evict_samples = 8,
		.seed = 0,
		.socket_id = SOCKET_ID_ANY,
	};
}

/* The plan of one cache: slots per class and table capacity per shard. */
struct cache_plan {
	uint32_t n_slots[CACHE_N_CLASSES];
	uint32_t total;
	uint32_t buckets;         /* table buckets per shard (2^k) */
	uint32_t dq_size;         /* defer queue places per shard (2^k) */
	size_t bytes;             /* estimated heap bytes */
};

static void
plan_for(struct cache_plan *p, size_t slab_budget, uint32_t shards)
{
	size_t bytes = CACHE_FIXED_OVERHEAD + (size_t)shards * CACHE_SHARD_OVERHEAD;

	p->total = 0;
	for (unsigned int i = 0; i < CACHE_N_CLASSES; i++) {
		p->n_slots[i] = (uint32_t)(slab_budget / 1000 * class_table[i].share /
					   class_table[i].size);
		p->total += p->n_slots[i];
		bytes += (size_t)p->n_slots[i] * class_table[i].size;
		bytes += (size_t)rte_align32pow2(p->n_slots[i] + 1) * sizeof(uint32_t) + 256;
	}
	uint32_t per_shard = p->total / shards + 1;

	/* two ways per slot the shard may hold (more when a shard gets more than its
	 * share): a key's primary bucket is then rarely full */
	p->buckets = rte_align32pow2(per_shard * 2 / CACHE_TABLE_WAYS + 1);
	p->dq_size = rte_align32pow2(per_shard / 2 + 64);
	bytes += (size_t)shards * cache_table_size(p->buckets);
	bytes += (size_t)shards * p->dq_size * sizeof(struct cache_retired);
	p->bytes = bytes;
}

/* Largest plan that fits the limit; -EINVAL when not even one slot per class does. */
static int
plan_cache(struct cache_plan *p, size_t limit, uint32_t shards)
{
	size_t budget = limit;

	for (;;) {
		plan_for(p, budget, shards);
		if (p->bytes <= limit)
			break;
		size_t over = p->bytes - limit;

		if (over >= budget)
			return -EINVAL;
		budget -= over > budget / 64 ? over : budget / 64;
	}
	for (unsigned int i = 0; i < CACHE_N_CLASSES; i++)
		if (p->n_slots[i] == 0 || p->n_slots[i] > CACHE_REF_IDX_MASK)
			return -EINVAL;
	if (p->buckets > CACHE_TABLE_MAX_BUCKETS)
		return -EINVAL;
	return 0;
}

/* Bytes allocated from the DPDK heap on every socket. */
static size_t
heap_allocated(void)
{
	size_t sum = 0;

	for (unsigned int i = 0; i < rte_socket_count(); i++) {
		struct rte_malloc_socket_stats st;

		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0)
			sum += st.heap_allocsz_bytes;
	}
	return sum;
}

static int
create_class(struct cache *c, unsigned int i, uint32_t n, int socket, unsigned int id)
{
	struct cache_class *cl = &c->cls[i];
	char name[RTE_RING_NAMESIZE];

	cl->slot_size = class_table[i].size;
	cl->n_slots = n;
	cl->low_water = RTE_MIN(RTE_MAX(n / 64, 4u), n / 2);
	cl->base = rte_zmalloc_socket("cache_slab", (size_t)n * cl->slot_size,
				      RTE_CACHE_LINE_SIZE, socket);
	snprintf(name, sizeof(name), "cache%u_c%u", id, i);
	cl->free = rte_ring_create_elem(name, sizeof(uint32_t), rte_align32pow2(n + 1),
					socket, 0);
	if (cl->base == NULL || cl->free == NULL)
		return -ENOMEM;
	for (uint32_t s = 0; s < n; s++) {
		struct cache_entry *e = cache_slot(c, i, s);

		e->idx = s;
		e->cls = (uint8_t)i;
		e->state = CACHE_STATE_FREE;
		cache_slot_poison(c, e);
		if (rte_ring_enqueue_elem(cl->free, &s, sizeof(s)) != 0)
			return -ENOMEM;
	}
	return 0;
}

static int
create_shard(struct cache *c, struct cache_shard *s, const struct cache_plan *p,
	     int socket, unsigned int id, unsigned int si)
{
	int rc;

	RTE_SET_USED(c);
	RTE_SET_USED(id);
	RTE_SET_USED(si);
	rte_spinlock_init(&s->lock);
	rc = cache_table_init(&s->t, p->buckets, socket);
	s->dq = rte_zmalloc_socket("cache_dq", p->dq_size * sizeof(*s->dq),
				   RTE_CACHE_LINE_SIZE, socket);
	s->dq_mask = p->dq_size - 1;
	if (rc == 0 && s->dq == NULL)
		rc = -ENOMEM;
	return rc;
}

static bool
config_ok(const struct cache_config *cfg)
{
	return cfg->shards >= 1 && cfg->shards <= CACHE_SHARDS_MAX &&
	       rte_is_power_of_2(cfg->shards) && cfg->evict_samples >= 1 &&
	       cfg->min_ttl <= cfg->max_ttl && cfg->prefetch_percent < 100;
}

struct cache *
cache_create(const struct cache_config *cfg)
{
	static unsigned int instances;
	unsigned int id = __atomic_fetch_add(&instances, 1, __ATOMIC_RELAXED);
	int socket = cfg->socket_id == SOCKET_ID_ANY ? (int)rte_socket_id() : cfg->socket_id;
	size_t before = heap_allocated();
	struct cache_plan plan;
	struct cache *c;
	int rc;

	if (!config_ok(cfg) || plan_cache(&plan, cfg->memory_limit, cfg->shards) < 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	c = rte_zmalloc_socket("cache", sizeof(*c), RTE_CACHE_LINE_SIZE, socket);
	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	c->cfg = *cfg;
	c->seed[0] = cfg->seed ? cfg->seed : rte_rand();
	c->seed[1] = cfg->seed ? cfg->seed * 0x9e3779b97f4a7c15ull + 1 : rte_rand();
	c->tsc_hz = rte_get_tsc_hz();
	c->shard_mask = cfg->shards - 1;
	c->n_slots = plan.total;
	for (unsigned int i = 0; i < RTE_MAX_LCORE; i++)
		c->lcore[i].rng = c->seed[1] ^ ((uint64_t)(i + 1) * 0x2545f4914f6cdd1dull);

	size_t qsz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);

	c->qsbr = rte_zmalloc_socket("cache_qsbr", qsz, RTE_CACHE_LINE_SIZE, socket);
	c->shards = rte_zmalloc_socket("cache_shards", cfg->shards * sizeof(*c->shards),
				       RTE_CACHE_LINE_SIZE, socket);
	rc = (c->qsbr == NULL || c->shards == NULL) ? -ENOMEM : 0;
	if (rc == 0 && rte_rcu_qsbr_init(c->qsbr, RTE_MAX_LCORE) != 0)
		rc = -EINVAL;
	for (unsigned int i = 0; rc == 0 && i < CACHE_N_CLASSES; i++)
		rc = create_class(c, i, plan.n_slots[i], socket, id);
	for (unsigned int i = 0; rc == 0 && i < cfg->shards; i++)
		rc = create_shard(c, &c->shards[i], &plan, socket, id, i);
	if (rc != 0) {
		cache_free(c);
		rte_errno = -rc;
		return NULL;
	}
	c->memory = heap_allocated() - before;
	return c;
}

void
cache_free(struct cache *c)
{
	if (c == NULL)
		return;
	for (unsigned int i = 0; c->shards != NULL && i < c->cfg.shards; i++) {
		cache_table_free(&c->shards[i].t);
		rte_free(c->shards[i].dq);
	}
	for (unsigned int i = 0; i < CACHE_N_CLASSES; i++) {
		cache_slot_unpoison_all(c, i);
		rte_ring_free(c->cls[i].free);
		rte_free(c->cls[i].base);
	}
	rte_free(c->shards);
	rte_free(c->qsbr);
	rte_free(c);
}

size_t
cache_memory(const struct cache *c)
{
	return c->memory;
}

uint32_t
cache_capacity(const struct cache *c)
{
	return c->n_slots;
}

uint32_t
cache_now(const struct cache *c)
{
	uint64_t skew = __atomic_load_n(&c->clock_skew, __ATOMIC_RELAXED);
	return (uint32_t)((rte_get_tsc_cycles() + skew) / c->tsc_hz);
}

const uint64_t *
cache_clock_skew(const struct cache *c)
{
	return &c->clock_skew;
}

uint64_t
cache_clock_advance(struct cache *c, uint32_t seconds)
{
	uint64_t skew = __atomic_add_fetch(&c->clock_skew, (uint64_t)seconds * c->tsc_hz,
					   __ATOMIC_RELAXED);
	return skew / c->tsc_hz;
}

int
cache_reader_register(struct cache *c, unsigned int lcore)
{
	if (lcore >= RTE_MAX_LCORE || rte_rcu_qsbr_thread_register(c->qsbr, lcore) != 0)
		return -EINVAL;
	rte_rcu_qsbr_thread_online(c->qsbr, lcore);
	c->lcore[lcore].reader = true;
	return 0;
}

void
cache_reader_unregister(struct cache *c, unsigned int lcore)
{
	if (lcore >= RTE_MAX_LCORE)
		return;
	rte_rcu_qsbr_thread_offline(c->qsbr, lcore);
	rte_rcu_qsbr_thread_unregister(c->qsbr, lcore);
	c->lcore[lcore].reader = false;
}

void
cache_quiescent(struct cache *c, unsigned int lcore)
{
	rte_rcu_qsbr_quiescent(c->qsbr, lcore);
}

const struct cache_stats *
cache_lcore_stats(const struct cache *c, unsigned int lcore)
{
	return &c->lcore[lcore].stats;
}

void
cache_stats_sum(const struct cache *c, struct cache_stats *out)
{
	uint64_t *sum = (uint64_t *)out;

	memset(out, 0, sizeof(*out));
	for (unsigned int l = 0; l < RTE_MAX_LCORE; l++) {
		const uint64_t *v = (const uint64_t *)&c->lcore[l].stats;

		for (size_t i = 0; i < CACHE_N_COUNTERS; i++)
			sum[i] += v[i];
	}
}

uint32_t
cache_count(const struct cache *c)
{
	uint32_t n = 0;

	for (unsigned int i = 0; i < c->cfg.shards; i++)
		n += __atomic_load_n(&c->shards[i].t.count, __ATOMIC_RELAXED);
	return n;
}
