/*
 * local_conf.c - the configured local zones and records (slow path).
 *
 * A plain owned list that the config parser fills and local_db_build()
 * reads. Allocates freely; never used on a worker core.
 */
#include "local.h"
#include "local_name.h"

#include <stdlib.h>
#include <string.h>

#define TYPE_CNAME 5

void local_conf_init(struct local_conf *lc)
{
	memset(lc, 0, sizeof(*lc));
}

void local_conf_free(struct local_conf *lc)
{
	for (size_t i = 0; i < lc->nrrs; i++) {
		free(lc->rrs[i].owner);
		free(lc->rrs[i].owner_lc);
		free(lc->rrs[i].rdata);
	}
	free(lc->rrs);
	free(lc->zones);
	local_conf_init(lc);
}

/* Grow an array of elem-sized items so that one more fits. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, ncap * elem);
	if (p == NULL)
		return LOCAL_ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int local_conf_add_zone(struct local_conf *lc, const uint8_t *name, size_t len,
			uint16_t rclass, enum local_zone_type type, unsigned line)
{
	if (local_name_labels(name, len) < 0)
		return LOCAL_EINVAL;
	if (grow((void **)&lc->zones, &lc->zones_cap, lc->nzones, sizeof(*lc->zones)) < 0)
		return LOCAL_ENOMEM;
	struct local_conf_zone *z = &lc->zones[lc->nzones++];
	memset(z, 0, sizeof(*z));
	local_name_lower(z->name, name, len);
	z->name_len = (uint8_t)len;
	z->rclass = rclass;
	z->type = type;
	z->line = line;
	return 0;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);

	if (d != NULL && n > 0)
		memcpy(d, p, n);
	return d;
}

int local_conf_add_rr(struct local_conf *lc, const uint8_t *owner, size_t owner_len,
		      uint16_t type, uint16_t rclass, uint32_t ttl,
		      const uint8_t *rdata, size_t rdlen, unsigned line)
{
	if (local_name_labels(owner, owner_len) < 0 || rdlen > 65535)
		return LOCAL_EINVAL;
	if (grow((void **)&lc->rrs, &lc->rrs_cap, lc->nrrs, sizeof(*lc->rrs)) < 0)
		return LOCAL_ENOMEM;
	struct local_conf_rr *rr = &lc->rrs[lc->nrrs];
	memset(rr, 0, sizeof(*rr));
	rr->owner = dup_bytes(owner, owner_len);
	rr->owner_lc = dup_bytes(owner, owner_len);
	rr->rdata = dup_bytes(rdata, rdlen);
	if (rr->owner == NULL || rr->owner_lc == NULL || rr->rdata == NULL) {
		free(rr->owner);
		free(rr->owner_lc);
		free(rr->rdata);
		return LOCAL_ENOMEM;
	}
	local_name_lower(rr->owner_lc, owner, owner_len);
	rr->owner_len = (uint8_t)owner_len;
	rr->type = type;
	rr->rclass = rclass;
	rr->ttl = ttl;
	rr->rdlen = (uint16_t)rdlen;
	rr->line = line;
	lc->nrrs++;
	return 0;
}

static int cmp_zone(const void *a, const void *b)
{
	const struct local_conf_zone *x = a, *y = b;
	int r = local_name_cmp(x->name, x->name_len, y->name, y->name_len);

	if (r != 0)
		return r;
	return (int)x->rclass - (int)y->rclass;
}

/* Exact zone by lowercase name and class in the sorted zone array. */
static const struct local_conf_zone *
zone_exact(const struct local_conf *lc, const uint8_t *name, size_t len, uint16_t rclass)
{
	struct local_conf_zone key;

	if (lc->nzones == 0)
		return NULL; /* bsearch may not be given a NULL array */
	memcpy(key.name, name, len);
	key.name_len = (uint8_t)len;
	key.rclass = rclass;
	return bsearch(&key, lc->zones, lc->nzones, sizeof(key), cmp_zone);
}

/* Nearest enclosing zone of a lowercase name (zones sorted). */
static const struct local_conf_zone *
zone_nearest(const struct local_conf *lc, const uint8_t *name, size_t len, uint16_t rclass)
{
	size_t off = 0;

	for (;;) {
		const struct local_conf_zone *z =
			zone_exact(lc, name + off, len - off, rclass);
		if (z != NULL)
			return z;
		if (name[off] == 0)
			return NULL;
		off += (size_t)name[off] + 1;
	}
}

static int check_duplicate_zones(const struct local_conf *lc, unsigned *bad_line)
{
	for (size_t i = 1; i < lc->nzones; i++) {
		const struct local_conf_zone *a = &lc->zones[i - 1], *b = &lc->zones[i];
		if (cmp_zone(a, b) == 0) {
			*bad_line = a->line > b->line ? a->line : b->line;
			return LOCAL_EDUPZONE;
		}
	}
	return 0;
}

/* Give records outside every zone an implicit transparent zone at their
 * owner, and refuse data below a redirect apex. Keeps zones sorted. */
static int add_implicit_zones(struct local_conf *lc, unsigned *bad_line)
{
	size_t before = lc->nzones;

	for (size_t i = 0; i < lc->nrrs; i++) {
		const struct local_conf_rr *rr = &lc->rrs[i];
		/* Only the zones sorted so far are searched; duplicates among the
		 * new implicit zones are merged below. */
		size_t n = lc->nzones;
		lc->nzones = before;
		const struct local_conf_zone *z =
			zone_nearest(lc, rr->owner_lc, rr->owner_len, rr->rclass);
		lc->nzones = n;
		if (z != NULL && z->type == LOCAL_ZONE_REDIRECT &&
		    z->name_len != rr->owner_len) {
			*bad_line = rr->line;
			return LOCAL_EREDIRECT;
		}
		if (z != NULL)
			continue;
		int r = local_conf_add_zone(lc, rr->owner_lc, rr->owner_len, rr->rclass,
					    LOCAL_ZONE_TRANSPARENT, rr->line);
		if (r < 0)
			return r;
		lc->zones[lc->nzones - 1].implicit = true;
	}
	if (lc->nzones > 1)
		qsort(lc->zones, lc->nzones, sizeof(*lc->zones), cmp_zone);

	size_t w = 0;
	for (size_t i = 0; i < lc->nzones; i++) {
		if (w > 0 && cmp_zone(&lc->zones[w - 1], &lc->zones[i]) == 0 &&
		    lc->zones[i].implicit)
			continue;
		lc->zones[w++] = lc->zones[i];
	}
	lc->nzones = w;
	return 0;
}

int local_conf_rr_cmp(const void *a, const void *b)
{
	const struct local_conf_rr *x = *(const struct local_conf_rr *const *)a;
	const struct local_conf_rr *y = *(const struct local_conf_rr *const *)b;
	int r = local_name_cmp(x->owner_lc, x->owner_len, y->owner_lc, y->owner_len);

	if (r == 0)
		r = (int)x->rclass - (int)y->rclass;
	if (r == 0)
		r = (int)x->type - (int)y->type;
	if (r == 0)
		r = local_name_cmp(x->rdata, x->rdlen, y->rdata, y->rdlen);
	return r;
}

/* RFC 1034 3.6.2: a CNAME owner has no other data, and one CNAME only. */
static int check_cname(const struct local_conf *lc, unsigned *bad_line)
{
	if (lc->nrrs == 0)
		return 0;
	const struct local_conf_rr **v = malloc(lc->nrrs * sizeof(*v));
	if (v == NULL)
		return LOCAL_ENOMEM;
	for (size_t i = 0; i < lc->nrrs; i++)
		v[i] = &lc->rrs[i];
	if (lc->nrrs > 1)
		qsort(v, lc->nrrs, sizeof(*v), local_conf_rr_cmp);

	int ret = 0;
	size_t start = 0;
	for (size_t i = 1; i <= lc->nrrs && ret == 0; i++) {
		if (i < lc->nrrs && v[i]->owner_len == v[start]->owner_len &&
		    v[i]->rclass == v[start]->rclass &&
		    memcmp(v[i]->owner_lc, v[start]->owner_lc, v[i]->owner_len) == 0)
			continue;
		size_t cnames = 0, others = 0;
		unsigned last = 0;
		for (size_t k = start; k < i; k++) {
			bool dup = k > start && local_conf_rr_cmp(&v[k - 1], &v[k]) == 0;
			if (dup)
				continue;
			if (v[k]->type == TYPE_CNAME)
				cnames++;
			else
				others++;
			if (v[k]->line > last)
				last = v[k]->line;
		}
		if (cnames > 1 || (cnames == 1 && others > 0)) {
			*bad_line = last;
			ret = LOCAL_ECNAME;
		}
		start = i;
	}
	free(v);
	return ret;
}

int local_conf_finish(struct local_conf *lc, unsigned *bad_line)
{
	unsigned dummy;
	int r;

	if (bad_line == NULL)
		bad_line = &dummy;
	*bad_line = 0;
	if (lc->nzones > 1)
		qsort(lc->zones, lc->nzones, sizeof(*lc->zones), cmp_zone);
	if ((r = check_duplicate_zones(lc, bad_line)) < 0)
		return r;
	if ((r = add_implicit_zones(lc, bad_line)) < 0)
		return r;
	return check_cname(lc, bad_line);
}

/* One row per zone type: the config spelling. */
static const struct {
	const char *name;
	enum local_zone_type type;
} zone_types[] = {
	{ "static",          LOCAL_ZONE_STATIC },
	{ "transparent",     LOCAL_ZONE_TRANSPARENT },
	{ "redirect",        LOCAL_ZONE_REDIRECT },
	{ "refuse",          LOCAL_ZONE_REFUSE },
	{ "deny",            LOCAL_ZONE_DENY },
	{ "always_nxdomain", LOCAL_ZONE_ALWAYS_NXDOMAIN },
};

int local_zone_type_parse(const char *text, size_t len, enum local_zone_type *type)
{
	for (size_t i = 0; i < sizeof(zone_types) / sizeof(zone_types[0]); i++) {
		if (strlen(zone_types[i].name) == len &&
		    memcmp(zone_types[i].name, text, len) == 0) {
			*type = zone_types[i].type;
			return 0;
		}
	}
	return LOCAL_EINVAL;
}

const char *local_zone_type_name(enum local_zone_type type)
{
	for (size_t i = 0; i < sizeof(zone_types) / sizeof(zone_types[0]); i++)
		if (zone_types[i].type == type)
			return zone_types[i].name;
	return "unknown";
}

const char *local_strerror(int err)
{
	switch (err) {
	case LOCAL_OK:        return "no error";
	case LOCAL_ENOMEM:    return "out of memory";
	case LOCAL_EINVAL:    return "invalid name or argument";
	case LOCAL_EDUPZONE:  return "duplicate local-zone";
	case LOCAL_ECNAME:    return "CNAME and other data at the same name";
	case LOCAL_EREDIRECT: return "local-data below the apex of a redirect zone";
	case LOCAL_ENOZONE:   return "local-data outside every local-zone";
	default:              return "unknown error";
	}
}
