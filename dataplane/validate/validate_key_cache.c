/*
 * validate_key_cache.c - a bounded per-thread cache of parsed DNSKEYs.
 *
 * How it works: entries sit in sets of KC_WAYS; a key's set is picked by a hash of
 * its RDATA seeded at creation (so that nobody outside can aim many keys at one set),
 * and a hit is confirmed by comparing the RDATA itself. A miss parses the key into
 * the least recently used way, freeing the EVP objects of the key it replaces.
 *
 * Pointers handed out must outlive a whole burst (a batch job refers to its key until
 * the batch has run), so ways used since the last validate_key_cache_release() are
 * pinned: their epoch is the current one, and eviction skips them. A set whose ways
 * are all pinned answers -EBUSY rather than break that promise.
 *
 * Allocation happens at creation and inside OpenSSL when a new key is parsed; a hit
 * touches nothing but the set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "validate_priv.h"

#define KC_WAYS 8

struct kc_entry {
	uint64_t hash;
	uint64_t last_use;         /* cache tick of the last get; 0: empty */
	uint32_t epoch;            /* epoch of the last get: pinned when current */
	uint16_t rdlen;
	struct validate_key key;
	uint8_t rdata[VALIDATE_DNSKEY_RDATA_MAX];
};

struct validate_key_cache {
	uint64_t seed;
	uint64_t tick;
	uint32_t epoch;
	unsigned sets;
	struct validate_key_cache_stats st;
	struct kc_entry e[];
};

static uint64_t random_seed(void)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	/* No entropy yet (early boot): the clock still keeps the sets unpredictable
	 * enough for a cache that only loses speed when flooded. */
	return (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)&seed;
}

struct validate_key_cache *validate_key_cache_create(unsigned entries)
{
	unsigned sets = entries < KC_WAYS ? 1 : (entries + KC_WAYS - 1) / KC_WAYS;
	struct validate_key_cache *kc;

	kc = calloc(1, sizeof(*kc) + (size_t)sets * KC_WAYS * sizeof(kc->e[0]));
	if (kc == NULL)
		return NULL;
	kc->seed = random_seed();
	kc->epoch = 1;
	kc->sets = sets;
	kc->st.entries = sets * KC_WAYS;
	return kc;
}

void validate_key_cache_destroy(struct validate_key_cache *kc)
{
	if (kc == NULL)
		return;
	for (unsigned i = 0; i < kc->sets * KC_WAYS; i++)
		validate_key_clear(&kc->e[i].key);
	free(kc);
}

static void touch(struct validate_key_cache *kc, struct kc_entry *e)
{
	e->last_use = ++kc->tick;
	e->epoch = kc->epoch;
}

/* The way a new key goes to: an empty one, else the least recently used unpinned one.
 * NULL when every way is pinned. */
static struct kc_entry *victim(struct validate_key_cache *kc, struct kc_entry *set)
{
	struct kc_entry *best = NULL;

	for (unsigned w = 0; w < KC_WAYS; w++) {
		struct kc_entry *e = &set[w];
		if (e->last_use == 0)
			return e;
		if (e->epoch == kc->epoch)
			continue;
		if (best == NULL || e->last_use < best->last_use)
			best = e;
	}
	return best;
}

/* Parses @rdata into way @e (evicting what was there). Returns 1 or -ENOMEM. */
static int fill(struct validate_key_cache *kc, struct kc_entry *e, uint64_t h,
		const uint8_t *rdata, size_t len)
{
	int rc;

	if (e->last_use != 0) {
		validate_key_clear(&e->key);
		kc->st.evictions++;
		kc->st.used--;
	}
	e->last_use = 0;
	rc = validate_key_parse(rdata, len, &e->key);
	if (rc < 0)
		return rc; /* -ENOMEM: nothing cached, the way stays empty */
	e->hash = h;
	e->rdlen = (uint16_t)len;
	memcpy(e->rdata, rdata, len);
	touch(kc, e);
	kc->st.used++;
	return 1;
}

int validate_key_cache_get(struct validate_key_cache *kc, const uint8_t *rdata, size_t len,
			   const struct validate_key **key)
{
	uint64_t h;
	struct kc_entry *set, *e;
	int rc;

	if (len < 4)
		return -EINVAL;
	if (len > VALIDATE_DNSKEY_RDATA_MAX)
		return -E2BIG;
	h = validate_hash64(kc->seed, rdata, len);
	set = &kc->e[(size_t)(h % kc->sets) * KC_WAYS];
	for (unsigned w = 0; w < KC_WAYS; w++) {
		e = &set[w];
		if (e->last_use != 0 && e->hash == h && e->rdlen == len &&
		    memcmp(e->rdata, rdata, len) == 0) {
			touch(kc, e);
			kc->st.hits++;
			*key = &e->key;
			return 0;
		}
	}
	e = victim(kc, set);
	if (e == NULL) {
		kc->st.busy++;
		return -EBUSY;
	}
	kc->st.misses++;
	rc = fill(kc, e, h, rdata, len);
	if (rc > 0)
		*key = &e->key;
	return rc;
}

void validate_key_cache_release(struct validate_key_cache *kc)
{
	/* Epoch 0 marks nothing: skip it when the counter wraps. */
	if (++kc->epoch == 0)
		kc->epoch = 1;
}

void validate_key_cache_get_stats(const struct validate_key_cache *kc,
				  struct validate_key_cache_stats *st)
{
	*st = kc->st;
}
