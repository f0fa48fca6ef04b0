/*
 * prom.c - rendering a counter source as Prometheus text, format version 0.0.4
 * (see prom.h). Pure C: no sockets, no DPDK; tests/unit/prom drives it with a fake
 * source.
 *
 * A metric family is its HELP line, its TYPE line and its samples, together: the
 * format wants every sample of a name right after that name's HELP and TYPE, and a
 * name described twice makes Prometheus reject the whole page. Totals come one value
 * per name, so each is a family of one sample. Per-worker values come worker by
 * worker, so they are gathered into a table first (names from worker 0, one column
 * per worker) and written name by name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

#define SEEN_SLOTS        (PROM_FAMILIES_MAX * 2)  /* open addressing, at most half full */
#define WORKER_NAMES_MAX  512                      /* per-worker counters of one worker */

struct render {
	const struct prom_source *src;
	char *buf;
	size_t cap, len;
	bool overflow;
	uint64_t *seen;                   /* hashes of the family names written */
	unsigned n_seen;
};

/* ---- output ------------------------------------------------------------------- */

static void put(struct render *r, const char *s, size_t n)
{
	if (r->overflow || n > r->cap - r->len) {
		r->overflow = true;
		return;
	}
	memcpy(r->buf + r->len, s, n);
	r->len += n;
}

static void puts_(struct render *r, const char *s)
{
	put(r, s, strlen(s));
}

static void putf(struct render *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct render *r, const char *fmt, ...)
{
	char tmp[PROM_NAME_MAX + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		r->overflow = true;       /* cannot happen: names are cut to PROM_NAME_MAX */
		return;
	}
	put(r, tmp, (size_t)n);
}

/* HELP text: backslash and line feed escaped, as the format asks. */
static void put_help(struct render *r, const char *help)
{
	for (const char *p = help; *p != '\0'; p++) {
		if (*p == '\\')
			puts_(r, "\\\\");
		else if (*p == '\n')
			puts_(r, "\\n");
		else
			put(r, p, 1);
	}
}

/* ---- names -------------------------------------------------------------------- */

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

bool prom_name_valid(const char *s)
{
	if (s == NULL || s[0] == '\0')
		return false;
	for (size_t i = 0; s[i] != '\0'; i++)
		if (!name_char(s[i], i == 0))
			return false;
	return true;
}

/* PROM_PREFIX + @infix + @name, every character a name may not hold made '_'. */
static void metric_name(char *out, const char *infix, const char *name)
{
	size_t n = (size_t)snprintf(out, PROM_NAME_MAX, "%s%s", PROM_PREFIX, infix);

	for (const char *p = name; *p != '\0' && n + 1 < PROM_NAME_MAX; p++)
		out[n++] = name_char(*p, false) ? *p : '_';
	out[n] = '\0';
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;   /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	return h != 0 ? h : 1;                  /* 0 marks a free slot */
}

/* Note @full as written; false when it was already (or the table is full). */
static bool seen_add(struct render *r, const char *full)
{
	uint64_t h = name_hash(full);
	unsigned i = (unsigned)(h % SEEN_SLOTS);

	if (r->n_seen >= PROM_FAMILIES_MAX)
		return false;
	while (r->seen[i] != 0) {
		if (r->seen[i] == h)
			return false;
		i = (i + 1) % SEEN_SLOTS;
	}
	r->seen[i] = h;
	r->n_seen++;
	return true;
}

/* ---- families ----------------------------------------------------------------- */

static void describe(const struct render *r, const char *name, const char **help,
		     enum prom_type *type)
{
	*help = NULL;
	*type = PROM_COUNTER;
	if (r->src->describe != NULL)
		r->src->describe(name, help, type, r->src->arg);
}

/* HELP and TYPE of @full; false (nothing written) when @full was written before. */
static bool family_begin(struct render *r, const char *full, const char *name,
			 const char *suffix)
{
	const char *help;
	enum prom_type type;

	if (!seen_add(r, full))
		return false;
	describe(r, name, &help, &type);
	putf(r, "# HELP %s ", full);
	if (help != NULL)
		put_help(r, help);
	else
		put_help(r, name);      /* the name as `sekishoctl stats` shows it */
	put_help(r, suffix);
	putf(r, "\n# TYPE %s %s\n", full, type == PROM_GAUGE ? "gauge" : "counter");
	return true;
}

static void visit_total(const char *name, uint64_t value, void *arg)
{
	struct render *r = arg;
	char full[PROM_NAME_MAX];

	if (name == NULL || name[0] == '\0')
		return;
	metric_name(full, "", name);
	if (family_begin(r, full, name, ""))
		putf(r, "%s %" PRIu64 "\n", full, value);
}

/* ---- per-worker values -------------------------------------------------------- */

struct worker_table {
	unsigned n_names, n_workers;
	char (*names)[PROM_NAME_MAX];     /* as worker 0 named them */
	uint64_t *v;                      /* v[name * n_workers + worker] */
	unsigned next, worker;            /* while visiting */
};

static void collect_name(const char *name, uint64_t value, void *arg)
{
	struct worker_table *t = arg;

	(void)value;
	if (t->n_names < WORKER_NAMES_MAX && name != NULL && name[0] != '\0')
		snprintf(t->names[t->n_names++], PROM_NAME_MAX, "%s", name);
}

/* The k-th value of a worker goes with the k-th name, if it is that name. */
static void collect_value(const char *name, uint64_t value, void *arg)
{
	struct worker_table *t = arg;
	unsigned k = t->next++;

	if (k < t->n_names && name != NULL && strncmp(t->names[k], name, PROM_NAME_MAX - 1) == 0)
		t->v[(size_t)k * t->n_workers + t->worker] = value;
}

static int render_workers(struct render *r)
{
	const struct prom_source *s = r->src;
	struct worker_table t = { .n_workers = s->n_workers };
	char full[PROM_NAME_MAX];

	if (s->worker == NULL || s->n_workers == 0)
		return 0;
	t.names = calloc(WORKER_NAMES_MAX, sizeof(*t.names));
	t.v = calloc((size_t)WORKER_NAMES_MAX * s->n_workers, sizeof(*t.v));
	if (t.names == NULL || t.v == NULL) {
		free(t.names);
		free(t.v);
		return -ENOMEM;
	}
	s->worker(0, collect_name, &t, s->arg);
	for (t.worker = 0; t.worker < s->n_workers; t.worker++) {
		t.next = 0;
		s->worker(t.worker, collect_value, &t, s->arg);
	}
	for (unsigned k = 0; k < t.n_names; k++) {
		metric_name(full, "worker_", t.names[k]);
		if (!family_begin(r, full, t.names[k], " (per worker)"))
			continue;
		for (unsigned i = 0; i < t.n_workers; i++)
			putf(r, "%s{worker=\"%u\"} %" PRIu64 "\n", full, i,
			     t.v[(size_t)k * t.n_workers + i]);
	}
	free(t.names);
	free(t.v);
	return 0;
}

/* ---- entry points -------------------------------------------------------------- */

int prom_render(const struct prom_source *src, char *buf, size_t cap, size_t *len)
{
	struct render r = { .src = src, .buf = buf, .cap = cap };
	int rc;

	r.seen = calloc(SEEN_SLOTS, sizeof(*r.seen));
	if (r.seen == NULL)
		return -ENOMEM;
	if (src->totals != NULL)
		src->totals(visit_total, &r, src->arg);
	rc = render_workers(&r);
	free(r.seen);
	if (rc != 0)
		return rc;
	if (r.overflow)
		return -ENOSPC;
	*len = r.len;
	return 0;
}

char *prom_render_alloc(const struct prom_source *src, size_t max, size_t *len)
{
	size_t cap = max < (64u << 10) ? max : 64u << 10;

	for (;;) {
		char *buf = malloc(cap);
		int rc;

		if (buf == NULL)
			return NULL;
		rc = prom_render(src, buf, cap, len);
		if (rc == 0)
			return buf;
		free(buf);
		if (rc != -ENOSPC || cap >= max)
			return NULL;
		cap = cap * 2 > max ? max : cap * 2;
	}
}
