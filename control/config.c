/*
 * config.c - sekishod.conf parser (slow path, control thread only).
 *
 * Line oriented: "section:" opens a section, "key: value..." sets an
 * option inside it, "#" outside quotes starts a comment. A value is one or
 * more words; a word may be double-quoted (inside, \" gives " and \\ gives
 * \, any other \X is kept as is so that zone-file escapes reach wire_text)
 * or single-quoted (taken literally).
 *
 * Every option is one row of option_table: section, key, number of values,
 * handler, and for numbers the field offset and range. Adding an option is
 * one row (plus a handler if it is a new kind of value).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "local.h"
#include "wire.h"
#include "wire_text.h"

#define MAX_VALUES 4

enum section {
	SEC_NONE,
	SEC_SERVER,
	SEC_PORT,
	SEC_EXCEPTION,
	SEC_FORWARD,
	SEC_STUB,
};

static const char *const section_names[] = {
	[SEC_NONE] = "",
	[SEC_SERVER] = "server",
	[SEC_PORT] = "port",
	[SEC_EXCEPTION] = "exception",
	[SEC_FORWARD] = "forward-zone",
	[SEC_STUB] = "stub-zone",
};

/* Parser state for one load. */
struct parser {
	struct config *cfg;
	const char *name;
	unsigned line;
	enum section sec;
	char *err;
	size_t errlen;
	struct wire_text_rr *rr;    /* scratch for local-data (64 KiB) */
};

/* One parsed "key: values" line; values point into a scratch buffer. */
struct entry {
	const char *key;
	size_t keylen;
	const char *val[MAX_VALUES];
	size_t vlen[MAX_VALUES];
	unsigned nval;
};

static int fail(struct parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (p->err == NULL || p->errlen == 0)
		return CONFIG_EPARSE;
	int n = snprintf(p->err, p->errlen, "%s:%u: ", p->name, line);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return CONFIG_EPARSE;
}

/* ---- option handlers ------------------------------------------------------ */

struct option;
typedef int (*option_fn)(struct parser *p, const struct option *o, void *obj,
			 const struct entry *e);

struct option {
	enum section sec;
	const char *key;
	unsigned nval;          /* values the key takes */
	option_fn apply;
	size_t offset;          /* field inside the section's struct */
	uint32_t min, max;      /* for numbers */
	size_t size;            /* for strings: buffer size */
	unsigned nval_opt;      /* values that may follow the nval required ones */
};

static int opt_uint(struct parser *p, const struct option *o, void *obj,
		    const struct entry *e)
{
	unsigned long long v = 0;
	bool ok = e->vlen[0] > 0 && e->vlen[0] <= 10;

	for (size_t i = 0; ok && i < e->vlen[0]; i++) {
		char c = e->val[0][i];
		ok = c >= '0' && c <= '9';
		v = v * 10 + (unsigned long long)(c - '0');
	}
	if (!ok || v < o->min || v > o->max)
		return fail(p, p->line, "%s must be %u..%u", o->key, o->min, o->max);
	*(uint32_t *)((char *)obj + o->offset) = (uint32_t)v;
	return 0;
}

static int opt_string(struct parser *p, const struct option *o, void *obj,
		      const struct entry *e)
{
	if (e->vlen[0] == 0 || e->vlen[0] >= o->size)
		return fail(p, p->line, "%s must be 1..%zu characters", o->key, o->size - 1);
	char *dst = (char *)obj + o->offset;
	memcpy(dst, e->val[0], e->vlen[0]);
	dst[e->vlen[0]] = '\0';
	return 0;
}

/* "192.0.2.53/24" or "2001:db8::1/64" into a config_prefix. */
static int parse_prefix(const char *s, size_t len, struct config_prefix *pf)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = memchr(s, '/', len);
	unsigned long plen = 0;

	if (slash == NULL || (size_t)(slash - s) >= INET6_ADDRSTRLEN)
		return -1;
	size_t alen = (size_t)(slash - s), dlen = len - alen - 1;
	if (dlen == 0 || dlen > 3)
		return -1;
	for (size_t i = 0; i < dlen; i++) {
		if (slash[1 + i] < '0' || slash[1 + i] > '9')
			return -1;
		plen = plen * 10 + (unsigned long)(slash[1 + i] - '0');
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(pf, 0, sizeof(*pf));
	if (inet_pton(AF_INET, buf, pf->addr) == 1 && plen <= 32)
		pf->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, pf->addr) == 1 && plen <= 128)
		pf->family = AF_INET6;
	else
		return -1;
	pf->prefixlen = (uint8_t)plen;
	return 0;
}

static int opt_address(struct parser *p, const struct option *o, void *obj,
		       const struct entry *e)
{
	struct config_port *port = obj;

	(void)o;
	if (port->naddrs >= CONFIG_MAX_ADDRS)
		return fail(p, p->line, "more than %d addresses on one port", CONFIG_MAX_ADDRS);
	if (parse_prefix(e->val[0], e->vlen[0], &port->addrs[port->naddrs]) < 0)
		return fail(p, p->line, "address '%.*s' is not an IPv4/IPv6 prefix",
			    (int)e->vlen[0], e->val[0]);
	port->naddrs++;
	return 0;
}

/* "gateway: 192.0.2.1" (one per family): the next hop of upstream queries. */
static int opt_gateway(struct parser *p, const struct option *o, void *obj,
		       const struct entry *e)
{
	struct config_port *port = obj;
	struct config_prefix g;
	char buf[INET6_ADDRSTRLEN];

	(void)o;
	memset(&g, 0, sizeof(g));
	if (e->vlen[0] == 0 || e->vlen[0] >= sizeof(buf))
		return fail(p, p->line, "gateway: empty or too long");
	memcpy(buf, e->val[0], e->vlen[0]);
	buf[e->vlen[0]] = '\0';
	if (inet_pton(AF_INET, buf, g.addr) == 1)
		g.family = AF_INET;
	else if (inet_pton(AF_INET6, buf, g.addr) == 1)
		g.family = AF_INET6;
	else
		return fail(p, p->line, "gateway '%s' is not an IPv4 or IPv6 address", buf);
	if ((g.family == AF_INET ? port->gw4.family : port->gw6.family) != 0)
		return fail(p, p->line, "a second IPv%d gateway on one port",
			    g.family == AF_INET ? 4 : 6);
	*(g.family == AF_INET ? &port->gw4 : &port->gw6) = g;
	return 0;
}

/* forward-zone / stub-zone "name:". */
static int opt_zone_name(struct parser *p, const struct option *o, void *obj,
			 const struct entry *e)
{
	struct config_zone *z = obj;
	int len = wire_text_name(e->val[0], e->vlen[0], NULL, z->name, sizeof(z->name));

	(void)o;
	if (len < 0)
		return fail(p, p->line, "%s: bad name '%.*s': %s", section_names[p->sec],
			    (int)e->vlen[0], e->val[0], wire_text_strerror(len));
	z->name_len = (uint8_t)len;
	return 0;
}

/* "forward-addr: 192.0.2.1" or "2001:db8::1@5353" (Unbound's spelling). */
static int opt_zone_addr(struct parser *p, const struct option *o, void *obj,
			 const struct entry *e)
{
	struct config_zone *z = obj;
	struct config_prefix *a;
	char buf[INET6_ADDRSTRLEN + 8];
	char *at;
	unsigned long port = 53;

	if (z->naddrs >= CONFIG_ZONE_ADDRS)
		return fail(p, p->line, "more than %d addresses in one zone", CONFIG_ZONE_ADDRS);
	if (e->vlen[0] == 0 || e->vlen[0] >= sizeof(buf))
		return fail(p, p->line, "%s: empty or too long", o->key);
	memcpy(buf, e->val[0], e->vlen[0]);
	buf[e->vlen[0]] = '\0';
	at = strchr(buf, '@');
	if (at != NULL) {
		char *end;

		*at = '\0';
		port = strtoul(at + 1, &end, 10);
		if (*end != '\0' || port == 0 || port > 65535)
			return fail(p, p->line, "%s: bad port '%s'", o->key, at + 1);
	}
	a = &z->addrs[z->naddrs];
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a->addr) == 1)
		a->family = AF_INET6;
	else
		return fail(p, p->line, "%s '%s' is not an IPv4 or IPv6 address", o->key, buf);
	z->ports[z->naddrs++] = (uint16_t)port;
	return 0;
}

/* yes/no into 1/0. */
static int opt_bool(struct parser *p, const struct option *o, void *obj,
		    const struct entry *e)
{
	uint32_t v;

	if (e->vlen[0] == 3 && strncasecmp(e->val[0], "yes", 3) == 0)
		v = 1;
	else if (e->vlen[0] == 2 && strncasecmp(e->val[0], "no", 2) == 0)
		v = 0;
	else
		return fail(p, p->line, "%s must be yes or no", o->key);
	*(uint32_t *)((char *)obj + o->offset) = v;
	return 0;
}

static int add_local_error(struct parser *p, int r)
{
	return r == LOCAL_ENOMEM ? CONFIG_ENOMEM : fail(p, p->line, "%s", local_strerror(r));
}

static int opt_local_zone(struct parser *p, const struct option *o, void *obj,
			  const struct entry *e)
{
	uint8_t name[WIRE_TEXT_NAME_MAX];
	enum local_zone_type type;

	(void)o;
	(void)obj;
	int len = wire_text_name(e->val[0], e->vlen[0], NULL, name, sizeof(name));
	if (len < 0)
		return fail(p, p->line, "local-zone: bad name '%.*s': %s", (int)e->vlen[0],
			    e->val[0], wire_text_strerror(len));
	if (local_zone_type_parse(e->val[1], e->vlen[1], &type) < 0)
		return fail(p, p->line, "local-zone: unknown type '%.*s' (static, transparent, "
			    "redirect, refuse, deny, always_nxdomain)", (int)e->vlen[1], e->val[1]);
	int r = local_conf_add_zone(&p->cfg->local, name, (size_t)len, WIRE_CLASS_IN,
				    type, p->line);
	return r < 0 ? add_local_error(p, r) : 0;
}

static int opt_local_data(struct parser *p, const struct option *o, void *obj,
			  const struct entry *e)
{
	struct wire_text_rr *rr = p->rr;

	(void)o;
	(void)obj;
	int r = wire_text_rr(e->val[0], e->vlen[0], NULL, WIRE_TEXT_DEFAULT_TTL, rr);
	if (r < 0 && rr->err_len > 0)
		return fail(p, p->line, "local-data: %s '%.*s'", wire_text_strerror(r),
			    (int)rr->err_len, e->val[0] + rr->err_off);
	if (r < 0)
		return fail(p, p->line, "local-data: %s", wire_text_strerror(r));
	r = local_conf_add_rr(&p->cfg->local, rr->owner, rr->owner_len, rr->type,
			      rr->rclass, rr->ttl, rr->rdata, rr->rdlen, p->line);
	return r < 0 ? add_local_error(p, r) : 0;
}

/* "trust-anchor: ". DS 20326 8 2 E06D..."": a DS or DNSKEY record, IN class. */
static int opt_trust_anchor(struct parser *p, const struct option *o, void *obj,
			    const struct entry *e)
{
	struct config_dnssec *d = &p->cfg->server.dnssec;
	struct wire_text_rr *rr = p->rr;
	struct config_anchor *a;

	(void)o;
	(void)obj;
	if (d->nanchors >= CONFIG_MAX_ANCHORS)
		return fail(p, p->line, "more than %d trust-anchor lines", CONFIG_MAX_ANCHORS);
	int r = wire_text_rr(e->val[0], e->vlen[0], NULL, WIRE_TEXT_DEFAULT_TTL, rr);
	if (r < 0)
		return fail(p, p->line, "trust-anchor: %s", wire_text_strerror(r));
	if ((rr->type != 43 && rr->type != 48) || rr->rclass != WIRE_CLASS_IN)
		return fail(p, p->line, "trust-anchor: only DS or DNSKEY records of class IN");
	if (rr->rdlen > CONFIG_ANCHOR_RDATA || rr->rdlen < 4)
		return fail(p, p->line, "trust-anchor: RDATA of %zu bytes", rr->rdlen);
	a = &d->anchors[d->nanchors++];
	memcpy(a->owner, rr->owner, rr->owner_len);
	a->owner_len = (uint8_t)rr->owner_len;
	a->type = rr->type;
	a->rdlen = (uint16_t)rr->rdlen;
	memcpy(a->rdata, rr->rdata, rr->rdlen);
	a->line = p->line;
	return 0;
}

/* A negative trust anchor for the name in @text; @lifetime 0: for good. */
static int add_nta(struct parser *p, const char *key, const char *text, size_t len,
		   uint32_t lifetime)
{
	struct config_dnssec *d = &p->cfg->server.dnssec;
	struct config_nta *n;
	int r;

	if (d->nntas >= CONFIG_MAX_NTAS)
		return fail(p, p->line, "more than %d negative trust anchors", CONFIG_MAX_NTAS);
	n = &d->ntas[d->nntas];
	r = wire_text_name(text, len, NULL, n->name, sizeof(n->name));
	if (r < 0)
		return fail(p, p->line, "%s: bad name '%.*s': %s", key, (int)len, text,
			    wire_text_strerror(r));
	n->name_len = (uint8_t)r;
	n->lifetime = lifetime;
	d->nntas++;
	return 0;
}

/* "domain-insecure: example.com" (Unbound's spelling): an NTA without expiry. */
static int opt_domain_insecure(struct parser *p, const struct option *o, void *obj,
			       const struct entry *e)
{
	(void)obj;
	return add_nta(p, o->key, e->val[0], e->vlen[0], 0);
}

/* "negative-trust-anchor: example.com 3600": an NTA that ends (RFC 7646 §2). */
static int opt_nta(struct parser *p, const struct option *o, void *obj,
		   const struct entry *e)
{
	char buf[16];
	char *end;
	unsigned long v;

	(void)obj;
	if (e->vlen[1] == 0 || e->vlen[1] >= sizeof(buf))
		return fail(p, p->line, "%s: lifetime must be 1..604800 seconds", o->key);
	memcpy(buf, e->val[1], e->vlen[1]);
	buf[e->vlen[1]] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	/* RFC 7646 §2: an NTA is a temporary measure; a week at most */
	if (errno != 0 || *end != '\0' || buf[0] == '-' || v < 1 || v > 604800)
		return fail(p, p->line, "%s: lifetime must be 1..604800 seconds", o->key);
	return add_nta(p, o->key, e->val[0], e->vlen[0], (uint32_t)v);
}

/* "validation-date-override: 20240101000000" (or UNIX seconds): the clock the
 * validator checks signatures against. For recorded test scenarios only. */
static int opt_date_override(struct parser *p, const struct option *o, void *obj,
			     const struct entry *e)
{
	char buf[20];
	struct tm tm;
	char *end;

	(void)obj;
	if (e->vlen[0] == 0 || e->vlen[0] >= sizeof(buf))
		return fail(p, p->line, "%s: YYYYMMDDHHMMSS or UNIX seconds", o->key);
	memcpy(buf, e->val[0], e->vlen[0]);
	buf[e->vlen[0]] = '\0';
	memset(&tm, 0, sizeof(tm));
	end = e->vlen[0] == 14 ? strptime(buf, "%Y%m%d%H%M%S", &tm) : NULL;
	if (end != NULL && *end == '\0') {
		p->cfg->server.dnssec.date_override = (uint64_t)timegm(&tm);
		return 0;
	}
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno != 0 || *end != '\0' || buf[0] == '-' || v == 0)
		return fail(p, p->line, "%s: YYYYMMDDHHMMSS or UNIX seconds", o->key);
	p->cfg->server.dnssec.date_override = v;
	return 0;
}

/* control-socket: a path, or "" for none; its line for the key-file check. */
static int opt_control_socket(struct parser *p, const struct option *o, void *obj,
			      const struct entry *e)
{
	char *dst = p->cfg->server.control_socket;

	(void)obj;
	if (e->vlen[0] >= CONFIG_PATH_MAX)
		return fail(p, p->line, "%s must be 0..%d characters", o->key, CONFIG_PATH_MAX - 1);
	memcpy(dst, e->val[0], e->vlen[0]);
	dst[e->vlen[0]] = '\0';
	p->cfg->server.control_line = p->line;
	return 0;
}

/* "selftest-good-name: NAME [TYPE]" (TYPE defaults to A): a name the self-test asks
 * for. Checked here so that a typo shows at start, not when the test runs. */
static int opt_selftest_name(struct parser *p, const struct option *o, void *obj,
			     const struct entry *e)
{
	struct config_selftest_name *n = (void *)((char *)obj + o->offset);
	uint8_t wire[WIRE_TEXT_NAME_MAX];
	uint16_t type = WIRE_TYPE_A;
	int r;

	if (e->vlen[0] == 0 || e->vlen[0] >= sizeof(n->name))
		return fail(p, p->line, "%s: the name must be 1..%zu characters", o->key,
			    sizeof(n->name) - 1);
	r = wire_text_name(e->val[0], e->vlen[0], NULL, wire, sizeof(wire));
	if (r < 0)
		return fail(p, p->line, "%s: bad name '%.*s': %s", o->key, (int)e->vlen[0],
			    e->val[0], wire_text_strerror(r));
	if (e->nval > 1 && (wire_text_type(e->val[1], e->vlen[1], &type) < 0 || type == 0 ||
			    type == WIRE_TYPE_OPT))
		return fail(p, p->line, "%s: unknown type '%.*s'", o->key, (int)e->vlen[1],
			    e->val[1]);
	memcpy(n->name, e->val[0], e->vlen[0]);
	n->name[e->vlen[0]] = '\0';
	n->type = type;
	n->line = p->line;
	return 0;
}

/* trust-anchor-state-file: a path, or "" for no RFC 5011; its line for messages. */
static int opt_state_file(struct parser *p, const struct option *o, void *obj,
			  const struct entry *e)
{
	struct config_dnssec *d = &p->cfg->server.dnssec;

	(void)obj;
	if (e->vlen[0] >= sizeof(d->state_file))
		return fail(p, p->line, "%s must be 0..%zu characters", o->key,
			    sizeof(d->state_file) - 1);
	memcpy(d->state_file, e->val[0], e->vlen[0]);
	d->state_file[e->vlen[0]] = '\0';
	d->state_file_line = p->line;
	return 0;
}

int config_parse_loopback_port(const char *text, size_t len, struct config_prefix *a,
			       uint16_t *port, const char **why)
{
	char buf[64], *colon, *end, *host = buf;
	unsigned long v;

	*why = "ADDRESS:PORT expected (127.0.0.1:8953 or [::1]:8953)";
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	colon = strrchr(buf, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	if (buf[0] == '[') {
		if (colon[-1] != ']')
			return -1;
		colon[-1] = '\0';
		host = buf + 1;
	}
	errno = 0;
	v = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || colon[1] == '\0' || v < 1 || v > 65535)
		return -1;
	/* IPv6 only in brackets: "::1:9153" could be an address without a port */
	memset(a, 0, sizeof(*a));
	if (host == buf && inet_pton(AF_INET, host, a->addr) == 1)
		a->family = AF_INET;
	else if (host != buf && inet_pton(AF_INET6, host, a->addr) == 1)
		a->family = AF_INET6;
	else
		return -1;
	if ((a->family == AF_INET && a->addr[0] != 127) ||
	    (a->family == AF_INET6 && !IN6_IS_ADDR_LOOPBACK((struct in6_addr *)a->addr))) {
		*why = "not a loopback address: the control channel stays on this machine";
		return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

/* control-tcp: ADDRESS:PORT on loopback. */
static int opt_control_tcp(struct parser *p, const struct option *o, void *obj,
			   const struct entry *e)
{
	struct config_server *srv = &p->cfg->server;
	const char *why;

	(void)obj;
	if (config_parse_loopback_port(e->val[0], e->vlen[0], &srv->control_tcp,
				       &srv->control_tcp_port, &why) != 0)
		return fail(p, p->line, "%s: %s", o->key, why);
	srv->control_tcp_line = p->line;
	return 0;
}

/*
 * "stats-http: 127.0.0.1:9153" or "[::1]:9153": where the control thread serves the
 * counters as Prometheus text. Loopback only: the page is not authenticated.
 */
static int opt_stats_http(struct parser *p, const struct option *o, void *obj,
			  const struct entry *e)
{
	struct config_server *srv = obj;
	struct config_prefix a;
	const char *why;

	if (config_parse_loopback_port(e->val[0], e->vlen[0], &a, &srv->stats_http_port,
				       &why) != 0)
		return fail(p, p->line, "%s: %s", o->key, why);
	srv->stats_http_family = a.family;
	memcpy(srv->stats_http_addr, a.addr, sizeof(srv->stats_http_addr));
	return 0;
}

#define SRV(field) offsetof(struct config_server, field)
#define PORT(field) offsetof(struct config_port, field)
#define EXC(field) offsetof(struct config_exception, field)

static const struct option option_table[] = {
	{ SEC_SERVER, "workers",          1, opt_uint, SRV(workers), 1, 128, 0 },
	{ SEC_SERVER, "edns-buffer-size", 1, opt_uint, SRV(edns_buffer_size), 512, 4096, 0 },
	{ SEC_SERVER, "idle-sleep-us",    1, opt_uint, SRV(idle_sleep_us), 0, 1000000, 0 },
	{ SEC_SERVER, "idle-polls",       1, opt_uint, SRV(idle_polls), 1, 1000000, 0 },
	{ SEC_SERVER, "stats-interval",   1, opt_uint, SRV(stats_interval), 0, 86400, 0 },
	{ SEC_SERVER, "root-hints",       1, opt_string, SRV(root_hints), 0, 0, CONFIG_PATH_MAX },
	{ SEC_SERVER, "qname-minimisation", 1, opt_bool, SRV(qname_minimisation), 0, 0, 0 },
	{ SEC_SERVER, "resolve-pool",     1, opt_uint, SRV(resolve_pool), 8, 65536, 0 },
	{ SEC_SERVER, "cache-size",       1, opt_uint, SRV(cache_size_mb), 4, 1048576, 0 },
	{ SEC_SERVER, "cache-min-ttl",    1, opt_uint, SRV(cache_min_ttl), 0, 86400, 0 },
	{ SEC_SERVER, "cache-max-ttl",    1, opt_uint, SRV(cache_max_ttl), 1, 604800, 0 },
	{ SEC_SERVER, "cache-max-negative-ttl", 1, opt_uint, SRV(cache_max_negative_ttl), 0, 86400, 0 },
	{ SEC_SERVER, "serve-stale",      1, opt_uint, SRV(serve_stale), 0, 604800, 0 },
	{ SEC_SERVER, "prefetch",         1, opt_uint, SRV(prefetch), 0, 99, 0 },
	{ SEC_SERVER, "tcp-idle-timeout", 1, opt_uint, SRV(tcp_idle_timeout), 1, 3600, 0 },
	{ SEC_SERVER, "tcp-max-connections", 1, opt_uint, SRV(tcp_max_connections), 1, 65536, 0 },
	{ SEC_SERVER, "tcp-upstream-idle-timeout", 1, opt_uint, SRV(tcp_upstream_idle_timeout), 0, 3600, 0 },
	{ SEC_SERVER, "control-socket",   1, opt_control_socket, 0, 0, 0, 0 },
	{ SEC_SERVER, "control-tcp",      1, opt_control_tcp, 0, 0, 0, 0 },
	{ SEC_SERVER, "control-key-file", 1, opt_string, SRV(control_key_file), 0, 0, CONFIG_PATH_MAX },
	{ SEC_SERVER, "test-clock",       1, opt_bool, SRV(test_clock), 0, 0, 0 },
	{ SEC_SERVER, "stats-http",       1, opt_stats_http, 0, 0, 0, 0 },
	{ SEC_SERVER, "dnssec-validation", 1, opt_bool, SRV(dnssec.validation), 0, 0, 0 },
	{ SEC_SERVER, "trust-anchor-file", 1, opt_string, SRV(dnssec.anchor_file), 0, 0, CONFIG_PATH_MAX },
	{ SEC_SERVER, "trust-anchor",     1, opt_trust_anchor, 0, 0, 0, 0 },
	{ SEC_SERVER, "domain-insecure",  1, opt_domain_insecure, 0, 0, 0, 0 },
	{ SEC_SERVER, "negative-trust-anchor", 2, opt_nta, 0, 0, 0, 0 },
	{ SEC_SERVER, "validation-date-override", 1, opt_date_override, 0, 0, 0, 0 },
	{ SEC_SERVER, "val-clock-skew",   1, opt_uint, SRV(dnssec.clock_skew), 0, 86400, 0 },
	{ SEC_SERVER, "dnssec-sha1",      1, opt_bool, SRV(dnssec.sha1), 0, 0, 0 },
	{ SEC_SERVER, "dnssec-rsa-min-bits", 1, opt_uint, SRV(dnssec.rsa_min_bits), 512, 4096, 0 },
	{ SEC_SERVER, "nsec3-iterations", 1, opt_uint, SRV(dnssec.nsec3_iterations), 0, 65535, 0 },
	{ SEC_SERVER, "nsec3-iterations-cap", 1, opt_uint, SRV(dnssec.nsec3_iterations_cap), 0, 65535, 0 },
	{ SEC_SERVER, "aggressive-nsec",  1, opt_bool, SRV(dnssec.aggressive_nsec), 0, 0, 0 },
	{ SEC_SERVER, "trust-anchor-state-file", 1, opt_state_file, 0, 0, 0, 0 },
	{ SEC_SERVER, "rfc5011-add-holddown", 1, opt_uint, SRV(dnssec.rfc5011_add_holddown), 1, 31536000, 0 },
	{ SEC_SERVER, "rfc5011-remove-holddown", 1, opt_uint, SRV(dnssec.rfc5011_remove_holddown), 0, 31536000, 0 },
	{ SEC_SERVER, "rfc5011-query-min", 1, opt_uint, SRV(dnssec.rfc5011_query_min), 1, 86400, 0 },
	{ SEC_SERVER, "rfc5011-retry-min", 1, opt_uint, SRV(dnssec.rfc5011_retry_min), 1, 86400, 0 },
	{ SEC_SERVER, "selftest-good-name", 1, opt_selftest_name, SRV(selftest.good), 0, 0, 0, 1 },
	{ SEC_SERVER, "selftest-bogus-name", 1, opt_selftest_name, SRV(selftest.bogus), 0, 0, 0, 1 },
	{ SEC_SERVER, "selftest-large-name", 1, opt_selftest_name, SRV(selftest.large), 0, 0, 0, 1 },
	{ SEC_SERVER, "selftest-tcp-name", 1, opt_selftest_name, SRV(selftest.tcp), 0, 0, 0, 1 },
	{ SEC_SERVER, "local-zone",       2, opt_local_zone, 0, 0, 0, 0 },
	{ SEC_SERVER, "local-data",       1, opt_local_data, 0, 0, 0, 0 },
	{ SEC_PORT,   "name",             1, opt_string, PORT(name), 0, 0, CONFIG_PORT_NAME_MAX },
	{ SEC_PORT,   "device",           1, opt_string, PORT(device), 0, 0, CONFIG_DEVICE_MAX },
	{ SEC_PORT,   "address",          1, opt_address, 0, 0, 0, 0 },
	{ SEC_PORT,   "gateway",          1, opt_gateway, 0, 0, 0, 0 },
	{ SEC_PORT,   "vlan",             1, opt_uint, PORT(vlan), 0, 4094, 0 },
	{ SEC_PORT,   "mtu",              1, opt_uint, PORT(mtu), 576, 9000, 0 },
	{ SEC_EXCEPTION, "device",        1, opt_string, EXC(device), 0, 0, CONFIG_DEVICE_MAX },
	{ SEC_FORWARD, "name",            1, opt_zone_name, 0, 0, 0, 0 },
	{ SEC_FORWARD, "forward-addr",    1, opt_zone_addr, 0, 0, 0, 0 },
	{ SEC_STUB,   "name",             1, opt_zone_name, 0, 0, 0, 0 },
	{ SEC_STUB,   "stub-addr",        1, opt_zone_addr, 0, 0, 0, 0 },
};

#define OPTION_COUNT (sizeof(option_table) / sizeof(option_table[0]))

/* ---- sections ------------------------------------------------------------- */

/* The struct an option of the current section writes into. */
static void *section_object(struct parser *p)
{
	switch (p->sec) {
	case SEC_SERVER:    return &p->cfg->server;
	case SEC_PORT:      return &p->cfg->ports[p->cfg->nports - 1];
	case SEC_EXCEPTION: return &p->cfg->exception;
	case SEC_FORWARD:
	case SEC_STUB:      return &p->cfg->zones[p->cfg->nzones - 1];
	default:            return NULL;
	}
}

static int open_section(struct parser *p, enum section sec)
{
	struct config *cfg = p->cfg;

	if (sec == SEC_PORT) {
		if (cfg->nports >= CONFIG_MAX_PORTS)
			return fail(p, p->line, "more than %d port sections", CONFIG_MAX_PORTS);
		struct config_port *port = &cfg->ports[cfg->nports++];
		memset(port, 0, sizeof(*port));
		port->mtu = CONFIG_DEFAULT_MTU;
		port->line = p->line;
	} else if (sec == SEC_FORWARD || sec == SEC_STUB) {
		if (cfg->nzones >= CONFIG_MAX_ZONES)
			return fail(p, p->line, "more than %d forward/stub zones", CONFIG_MAX_ZONES);
		struct config_zone *z = &cfg->zones[cfg->nzones++];
		memset(z, 0, sizeof(*z));
		z->forward = sec == SEC_FORWARD;
		z->line = p->line;
	} else if (sec == SEC_EXCEPTION) {
		if (cfg->exception.enabled)
			return fail(p, p->line, "second exception section");
		cfg->exception.enabled = true;
		cfg->exception.line = p->line;
	}
	p->sec = sec;
	return 0;
}

static enum section find_section(const char *s, size_t len)
{
	for (size_t i = SEC_SERVER; i < sizeof(section_names) / sizeof(section_names[0]); i++)
		if (strlen(section_names[i]) == len && memcmp(section_names[i], s, len) == 0)
			return (enum section)i;
	return SEC_NONE;
}

static const struct option *find_option(enum section sec, const char *key, size_t len)
{
	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (option_table[i].sec == sec && strlen(option_table[i].key) == len &&
		    memcmp(option_table[i].key, key, len) == 0)
			return &option_table[i];
	return NULL;
}

/* ---- lines ----------------------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Split the values after "key:" into words, unquoting into scratch. */
static int split_values(struct parser *p, const char *s, const char *end,
			char *scratch, struct entry *e)
{
	char *w = scratch;

	e->nval = 0;
	for (;;) {
		while (s < end && is_blank(*s))
			s++;
		if (s >= end || *s == '#')
			return 0;
		if (e->nval >= MAX_VALUES)
			return fail(p, p->line, "too many values for '%.*s'", (int)e->keylen, e->key);
		e->val[e->nval] = w;
		char q = *s;
		if (q == '"' || q == '\'') {
			s++;
			while (s < end && *s != q) {
				if (q == '"' && *s == '\\' && s + 1 < end &&
				    (s[1] == '"' || s[1] == '\\'))
					s++;
				*w++ = *s++;
			}
			if (s >= end)
				return fail(p, p->line, "unterminated quote");
			s++;
		} else {
			while (s < end && !is_blank(*s) && *s != '#')
				*w++ = *s++;
		}
		e->vlen[e->nval] = (size_t)(w - e->val[e->nval]);
		e->nval++;
	}
}

static int apply_entry(struct parser *p, const struct entry *e)
{
	const struct option *o = find_option(p->sec, e->key, e->keylen);

	if (o == NULL && p->sec == SEC_NONE)
		return fail(p, p->line, "key '%.*s' outside any section", (int)e->keylen, e->key);
	if (o == NULL)
		return fail(p, p->line, "unknown key '%.*s' in section '%s'", (int)e->keylen,
			    e->key, section_names[p->sec]);
	if (o->nval_opt > 0 && (e->nval < o->nval || e->nval > o->nval + o->nval_opt))
		return fail(p, p->line, "%s takes %u to %u values, got %u", o->key, o->nval,
			    o->nval + o->nval_opt, e->nval);
	if (o->nval_opt == 0 && e->nval != o->nval)
		return fail(p, p->line, "%s takes %u value%s, got %u", o->key, o->nval,
			    o->nval == 1 ? "" : "s", e->nval);
	return o->apply(p, o, section_object(p), e);
}

static int parse_line(struct parser *p, const char *s, const char *end, char *scratch)
{
	struct entry e;

	while (s < end && is_blank(*s))
		s++;
	if (s >= end || *s == '#')
		return 0;
	e.key = s;
	while (s < end && is_key_char(*s))
		s++;
	e.keylen = (size_t)(s - e.key);
	if (e.keylen == 0 || s >= end || *s != ':')
		return fail(p, p->line, "expected 'key: value' or 'section:'");
	int r = split_values(p, s + 1, end, scratch, &e);
	if (r < 0)
		return r;
	if (e.nval == 0) {
		enum section sec = find_section(e.key, e.keylen);
		if (sec != SEC_NONE)
			return open_section(p, sec);
		if (p->sec == SEC_NONE || find_option(p->sec, e.key, e.keylen) == NULL)
			return fail(p, p->line, "unknown section '%.*s'", (int)e.keylen, e.key);
	}
	return apply_entry(p, &e);
}

/* ---- whole file checks ------------------------------------------------------ */

static int check_ports(struct parser *p, unsigned last_line)
{
	const struct config *cfg = p->cfg;

	if (cfg->nports == 0)
		return fail(p, last_line, "no port section (at least one port is required)");
	for (uint32_t i = 0; i < cfg->nports; i++) {
		const struct config_port *port = &cfg->ports[i];
		if (port->name[0] == '\0')
			return fail(p, port->line, "port section without name");
		if (port->device[0] == '\0')
			return fail(p, port->line, "port '%s' has no device", port->name);
		for (uint32_t k = 0; k < i; k++)
			if (strcmp(cfg->ports[k].name, port->name) == 0)
				return fail(p, port->line, "port name '%s' used twice", port->name);
	}
	if (cfg->exception.enabled && cfg->exception.device[0] == '\0')
		return fail(p, cfg->exception.line, "exception section has no device");
	if (cfg->server.dnssec.nsec3_iterations > cfg->server.dnssec.nsec3_iterations_cap)
		return fail(p, last_line, "nsec3-iterations (%u) above nsec3-iterations-cap (%u)",
			    cfg->server.dnssec.nsec3_iterations,
			    cfg->server.dnssec.nsec3_iterations_cap);
	if (cfg->server.control_socket[0] != '\0' && cfg->server.control_key_file[0] == '\0')
		return fail(p, cfg->server.control_line,
			    "control-socket needs control-key-file (requests are TSIG-signed)");
	if (cfg->server.control_tcp.family != 0 && cfg->server.control_key_file[0] == '\0')
		return fail(p, cfg->server.control_tcp_line,
			    "control-tcp needs control-key-file (requests are TSIG-signed)");
	for (uint32_t i = 0; i < cfg->nzones; i++) {
		const struct config_zone *z = &cfg->zones[i];
		const char *what = z->forward ? "forward-zone" : "stub-zone";

		if (z->name_len == 0)
			return fail(p, z->line, "%s without name", what);
		if (z->naddrs == 0)
			return fail(p, z->line, "%s without %s", what,
				    z->forward ? "forward-addr" : "stub-addr");
	}
	return 0;
}

static int check_local(struct parser *p)
{
	unsigned line = 0;
	int r = local_conf_finish(&p->cfg->local, &line);

	if (r == LOCAL_ENOMEM)
		return CONFIG_ENOMEM;
	if (r < 0)
		return fail(p, line, "%s", local_strerror(r));
	return 0;
}

/* ---- entry points ------------------------------------------------------------ */

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->server.workers = CONFIG_DEFAULT_WORKERS;
	cfg->server.edns_buffer_size = CONFIG_DEFAULT_EDNS_BUFFER;
	cfg->server.idle_sleep_us = CONFIG_DEFAULT_IDLE_SLEEP_US;
	cfg->server.idle_polls = CONFIG_DEFAULT_IDLE_POLLS;
	cfg->server.stats_interval = CONFIG_DEFAULT_STATS_INTERVAL;
	cfg->server.qname_minimisation = 1;
	cfg->server.resolve_pool = 256;
	cfg->server.cache_size_mb = 64;
	cfg->server.cache_min_ttl = 0;
	cfg->server.cache_max_ttl = 86400;
	cfg->server.cache_max_negative_ttl = 3600;
	cfg->server.serve_stale = 86400;
	cfg->server.prefetch = 10;
	cfg->server.tcp_idle_timeout = CONFIG_DEFAULT_TCP_IDLE_TIMEOUT;
	cfg->server.tcp_max_connections = CONFIG_DEFAULT_TCP_MAX_CONNECTIONS;
	cfg->server.tcp_upstream_idle_timeout = CONFIG_DEFAULT_TCP_UPSTREAM_IDLE_TIMEOUT;
	cfg->server.dnssec.validation = 1;
	cfg->server.dnssec.clock_skew = CONFIG_DEFAULT_CLOCK_SKEW;
	cfg->server.dnssec.rsa_min_bits = CONFIG_DEFAULT_RSA_MIN_BITS;
	cfg->server.dnssec.nsec3_iterations = CONFIG_DEFAULT_NSEC3_ITERATIONS;
	cfg->server.dnssec.nsec3_iterations_cap = CONFIG_DEFAULT_NSEC3_ITERATIONS_CAP;
	cfg->server.dnssec.aggressive_nsec = 1;
	cfg->server.dnssec.rfc5011_add_holddown = CONFIG_DEFAULT_RFC5011_HOLDDOWN;
	cfg->server.dnssec.rfc5011_remove_holddown = CONFIG_DEFAULT_RFC5011_HOLDDOWN;
	cfg->server.dnssec.rfc5011_query_min = CONFIG_DEFAULT_RFC5011_MIN;
	cfg->server.dnssec.rfc5011_retry_min = CONFIG_DEFAULT_RFC5011_MIN;
	snprintf(cfg->server.selftest.good.name, sizeof(cfg->server.selftest.good.name), "%s",
		 CONFIG_DEFAULT_SELFTEST_GOOD);
	cfg->server.selftest.good.type = CONFIG_DEFAULT_SELFTEST_TYPE;
	snprintf(cfg->server.selftest.bogus.name, sizeof(cfg->server.selftest.bogus.name), "%s",
		 CONFIG_DEFAULT_SELFTEST_BOGUS);
	cfg->server.selftest.bogus.type = CONFIG_DEFAULT_SELFTEST_TYPE;
	local_conf_init(&cfg->local);
}

void config_free(struct config *cfg)
{
	local_conf_free(&cfg->local);
	config_defaults(cfg);
}

static int parse_text(struct parser *p, const char *text, size_t len)
{
	const char *s = text, *end = text + len;
	char *scratch = malloc(len + 1);
	int r = 0;

	if (scratch == NULL)
		return CONFIG_ENOMEM;
	p->line = 0;
	while (r == 0 && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		p->line++;
		r = parse_line(p, s, eol, scratch);
		s = nl ? nl + 1 : end;
	}
	free(scratch);
	if (r == 0)
		r = check_ports(p, p->line ? p->line : 1);
	if (r == 0)
		r = check_local(p);
	return r;
}

int config_load_string(const char *text, size_t len, const char *name,
		       struct config *cfg, char *err, size_t errlen)
{
	struct parser p = {
		.cfg = cfg,
		.name = name ? name : "(string)",
		.err = err,
		.errlen = errlen,
	};
	int r;

	config_defaults(cfg);
	snprintf(cfg->source, sizeof(cfg->source), "%s", p.name);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	p.rr = malloc(sizeof(*p.rr));
	if (p.rr == NULL)
		r = CONFIG_ENOMEM;
	else
		r = parse_text(&p, text, len);
	free(p.rr);
	if (r == CONFIG_ENOMEM && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: out of memory", p.name);
	if (r < 0)
		config_free(cfg);
	return r;
}

int config_load(const char *path, struct config *cfg, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0, cap = 0;

	config_defaults(cfg);
	if (f == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return CONFIG_EIO;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			char *t = realloc(text, cap);
			if (t == NULL) {
				free(text);
				fclose(f);
				if (err != NULL && errlen > 0)
					snprintf(err, errlen, "%s: out of memory", path);
				return CONFIG_ENOMEM;
			}
			text = t;
		}
		size_t n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad) {
		free(text);
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: read error", path);
		return CONFIG_EIO;
	}
	int r = config_load_string(text, len, path, cfg, err, errlen);
	free(text);
	return r;
}
