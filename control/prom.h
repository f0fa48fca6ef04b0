/*
 * prom.h - sekishod's counters in the Prometheus text exposition format (version 0.0.4),
 * served over HTTP on a loopback port by the control thread (`stats-http`).
 *
 * Three parts, one prefix:
 *  - rendering (prom.c, pure C): a counter source in, exposition text out. Every metric
 *    is `sekisho_<name>` with one `# HELP` and one `# TYPE` line (counter or gauge);
 *    characters a metric name may not hold become '_'. Totals carry no label; values
 *    the daemon keeps per worker are repeated as `sekisho_worker_<name>{worker="N"}`,
 *    a family of their own, so that sum() over it never counts a total twice. A name
 *    met a second time is left out: a second HELP line would make Prometheus refuse
 *    the whole scrape.
 *  - the HTTP side (prom_http.c, sockets, no DPDK): non-blocking, at most
 *    PROM_HTTP_CONNS connections, requests up to PROM_HTTP_REQ_MAX bytes, each
 *    connection closed after its response or after PROM_HTTP_TIMEOUT_S seconds.
 *    `GET /metrics` (HTTP/1.0 or 1.1; HEAD too) is 200 text/plain; version=0.0.4;
 *    another path 404, another method 405, anything malformed or too long 400.
 *  - the daemon's source (prom_stats.c): stats_foreach() totals, the workers' own
 *    counters, the cache's size, and help texts from the counter tables.
 * None of it runs on a worker.
 */
#ifndef SEKISHO_CONTROL_PROM_H
#define SEKISHO_CONTROL_PROM_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PROM_PREFIX        "sekisho_"
#define PROM_NAME_MAX      128   /* metric names longer than this are cut */
#define PROM_FAMILIES_MAX  4096  /* distinct metric names one rendering keeps apart */
#define PROM_CONTENT_TYPE  "text/plain; version=0.0.4; charset=utf-8"

enum prom_type {
	PROM_COUNTER,                /* only ever goes up (a restart starts it at 0) */
	PROM_GAUGE,                  /* a level: goes up and down */
};

/* ---- rendering ------------------------------------------------------------------ */

/* Called once per value by a source: @name is only valid during the call. */
typedef void (*prom_visit_fn)(const char *name, uint64_t value, void *visit_arg);

/*
 * Where the values come from. @totals visits every total (names as in
 * `sekishoctl stats`); @worker visits worker @i's own counters, the same names in the
 * same order for every worker (@n_workers of them; @worker may be NULL). @describe
 * sets a name's help text and type where it knows them: it is called with *help NULL
 * and *type PROM_COUNTER, and a help left NULL (or no @describe) makes the HELP line
 * the name itself.
 */
struct prom_source {
	void (*totals)(prom_visit_fn visit, void *visit_arg, void *arg);
	unsigned n_workers;
	void (*worker)(unsigned i, prom_visit_fn visit, void *visit_arg, void *arg);
	void (*describe)(const char *name, const char **help, enum prom_type *type, void *arg);
	void *arg;
};

/*
 * prom_render - the exposition text of @src into @buf (@cap bytes, not NUL-terminated),
 * its length in *@len. Returns 0, -ENOSPC (@buf too small: try a larger one) or
 * -ENOMEM.
 */
int prom_render(const struct prom_source *src, char *buf, size_t cap, size_t *len);

/*
 * prom_render_alloc - prom_render into a malloc'd buffer grown as needed (up to
 * @max bytes). Returns the buffer (the caller frees it) with *@len, or NULL.
 */
char *prom_render_alloc(const struct prom_source *src, size_t max, size_t *len);

/* prom_name_valid - is @s a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)? */
bool prom_name_valid(const char *s);

/* ---- HTTP ----------------------------------------------------------------------- */

#define PROM_HTTP_CONNS      8     /* connections at once; more are closed at accept */
#define PROM_HTTP_REQ_MAX    2048  /* bytes of request line and headers */
#define PROM_HTTP_TIMEOUT_S  3     /* seconds a connection may take, request and reply */
#define PROM_HTTP_BODY_MAX   (16u << 20) /* largest exposition served */
#define PROM_HTTP_POLLFDS    (PROM_HTTP_CONNS + 1)

/* What a request asks for. */
enum prom_http_req {
	PROM_HTTP_INCOMPLETE = 0,    /* no end of headers yet: read more */
	PROM_HTTP_METRICS,           /* GET /metrics: 200 with the text */
	PROM_HTTP_METRICS_HEAD,      /* HEAD /metrics: 200 without a body */
	PROM_HTTP_NOT_FOUND,         /* 404 */
	PROM_HTTP_BAD_METHOD,        /* 405 */
	PROM_HTTP_BAD_REQUEST,       /* 400 */
	PROM_HTTP_SERVER_ERROR,      /* 500: the text could not be made (never parsed) */
};

/*
 * prom_http_parse - what the @len bytes received so far ask for. A request line
 * "METHOD SP TARGET SP HTTP/1.x" then headers up to an empty line (CRLF or bare LF).
 * The headers are not looked at; a body is not expected.
 */
enum prom_http_req prom_http_parse(const char *req, size_t len);

/*
 * prom_http_head - the status line and headers of the response to @what, into @buf:
 * for PROM_HTTP_METRICS(_HEAD) with a body of @body_len bytes, for the others with
 * their own short text body, which *@body points to afterwards (NULL for metrics).
 * Every response says Connection: close. Returns the length, or 0 when @cap is too
 * small.
 */
size_t prom_http_head(enum prom_http_req what, size_t body_len, char *buf, size_t cap,
		      const char **body);

struct prom_http;

/*
 * prom_http_open - listen on @family (AF_INET/AF_INET6) address @addr (network order),
 * @port, and serve @src (copied). Returns NULL with @err set.
 */
struct prom_http *prom_http_open(int family, const uint8_t *addr, uint16_t port,
				 const struct prom_source *src, char *err, size_t errlen);

/*
 * prom_http_pollfds - the descriptors to poll (at most PROM_HTTP_POLLFDS) into @pfd;
 * connections older than PROM_HTTP_TIMEOUT_S at @now are closed first. Returns how
 * many.
 */
unsigned prom_http_pollfds(struct prom_http *h, struct pollfd *pfd, unsigned cap, time_t now);

/* prom_http_handle - accept, read, answer and close what poll() said is ready in the
 * @n descriptors prom_http_pollfds() gave. */
void prom_http_handle(struct prom_http *h, const struct pollfd *pfd, unsigned n, time_t now);

/* prom_http_port - the port it listens on (the one the kernel chose for port 0). */
uint16_t prom_http_port(const struct prom_http *h);

/* prom_http_close - close everything. NULL is fine. */
void prom_http_close(struct prom_http *h);

/* ---- the daemon's source (prom_stats.c) ----------------------------------------- */

struct daemon;

/* prom_stats_source - @src for sekishod's counters: stats_foreach() totals, the
 * cache's entries, capacity and bytes, and per worker its worker, query and upstream
 * counters. */
void prom_stats_source(struct prom_source *src, struct daemon *d);

#endif /* SEKISHO_CONTROL_PROM_H */
