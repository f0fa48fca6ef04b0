/*
 * resolve_conf.c - set-up of a resolver context (slow path): defaults, root hints
 * from zone-file text, forward and stub zones, addresses to and from text.
 * resolve_hints_load() is the one function here that uses the heap.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve_internal.h"
#include "wire_text.h"

void resolve_config_default(struct resolve_config *c)
{
	memset(c, 0, sizeof(*c));
	c->edns_size = 1232;
	c->do_bit = false;
	c->qname_minimisation = true;
	c->ip4 = true;
	c->ip6 = true;
	c->timeout_initial_ms = 1000;
	c->timeout_min_ms = 50;
	c->timeout_max_ms = 3000;
	c->tcp_timeout_ms = 4000;
	c->unknown_rtt_ms = 300;
	c->explore_percent = 5;
	c->max_sends = 64;
	c->max_referrals = 20;
	c->max_cname = 10;
	c->max_ns_lookups = 4;
	c->max_qmin_steps = 10;
	c->tries_per_server = 2;
	c->lame_ttl_s = 900;
	c->edns_off_ttl_s = 900;
	c->infra_ttl_max_s = 86400;
	c->infra_ttl_min_s = 5;
}

void resolve_ctx_init(struct resolve_ctx *ctx, const struct resolve_config *cfg, uint64_t seed)
{
	memset(ctx, 0, sizeof(*ctx));
	if (cfg)
		ctx->cfg = *cfg;
	else
		resolve_config_default(&ctx->cfg);
	if (ctx->cfg.edns_size < WIRE_UDP_MIN)
		ctx->cfg.edns_size = WIRE_UDP_MIN;
	if (ctx->cfg.edns_size > 4096)
		ctx->cfg.edns_size = 4096;
	if (ctx->cfg.tries_per_server == 0)
		ctx->cfg.tries_per_server = 1;
	ctx->rng = seed;
	static const uint8_t root[1] = {0};
	resolve_dp_init(&ctx->hints, RESOLVE_DP_HINTS, root, 1);
}

bool resolve_addr_equal(const struct resolve_addr *a, const struct resolve_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->ip, b->ip, a->family == 6 ? 16 : 4) == 0;
}

void resolve_addr_to_text(const struct resolve_addr *a, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof(ip));
	snprintf(out, cap, "%s#%u", ip, a->port);
}

int resolve_addr_from_text(const char *text, struct resolve_addr *a)
{
	char ip[INET6_ADDRSTRLEN + 1];
	const char *hash = strchr(text, '#');
	size_t n = hash ? (size_t)(hash - text) : strlen(text);
	if (n == 0 || n >= sizeof(ip))
		return -1;
	memcpy(ip, text, n);
	ip[n] = 0;
	memset(a, 0, sizeof(*a));
	a->port = 53;
	if (hash) {
		char *end;
		unsigned long p = strtoul(hash + 1, &end, 10);
		if (*end || p == 0 || p > 65535)
			return -1;
		a->port = (uint16_t)p;
	}
	if (inet_pton(AF_INET, ip, a->ip) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, a->ip) == 1) {
		a->family = 6;
		return 0;
	}
	return -1;
}

/* A line with nothing but blanks and a comment. */
static bool line_is_empty(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ';')
			return true;
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	}
	return true;
}

static void hints_take_addr(struct resolve_dp *dp, const struct wire_text_rr *rr)
{
	struct resolve_addr a;
	memset(&a, 0, sizeof(a));
	a.port = 53;
	if (rr->type == WIRE_TYPE_A && rr->rdlen == 4) {
		a.family = 4;
		memcpy(a.ip, rr->rdata, 4);
	} else if (rr->type == WIRE_TYPE_AAAA && rr->rdlen == 16) {
		a.family = 6;
		memcpy(a.ip, rr->rdata, 16);
	} else {
		return;
	}
	/* an address line may come before its NS line: add the name either way */
	int i = resolve_dp_add_ns(dp, rr->owner, rr->owner_len);
	resolve_dp_add_addr(dp, i < 0 ? 0xFF : (uint8_t)i, &a);
}

int resolve_hints_load(struct resolve_ctx *ctx, const char *text, size_t len, int *err_line)
{
	struct wire_text_rr *rr = malloc(sizeof(*rr));
	if (!rr)
		return WIRE_TEXT_ESPACE;
	struct resolve_dp *dp = &ctx->hints;
	static const uint8_t root[1] = {0};
	resolve_dp_init(dp, RESOLVE_DP_HINTS, root, 1);
	int line_no = 0, err = 0;
	size_t pos = 0;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		pos += n + (nl ? 1 : 0);
		line_no++;
		if (line_is_empty(line, n))
			continue;
		err = wire_text_rr(line, n, NULL, WIRE_TEXT_DEFAULT_TTL, rr);
		if (err < 0)
			break;
		if (rr->type == WIRE_TYPE_NS && rr->owner_len == 1)
			resolve_dp_add_ns(dp, rr->rdata, rr->rdlen);
		else if (rr->type == WIRE_TYPE_A || rr->type == WIRE_TYPE_AAAA)
			hints_take_addr(dp, rr);
	}
	free(rr);
	if (err < 0) {
		if (err_line)
			*err_line = line_no;
		return err;
	}
	return dp->addr_count ? dp->addr_count : WIRE_TEXT_EMISSING;
}

int resolve_zone_add(struct resolve_ctx *ctx, const uint8_t *zone, size_t zlen, bool forward,
		     const struct resolve_addr *addrs, size_t n)
{
	if (wire_name_length(zone, zlen) != (int)zlen || n == 0)
		return WIRE_EINVAL;
	if (ctx->zone_conf_count >= RESOLVE_ZONES_CONF_MAX)
		return WIRE_ENOSPC;
	struct resolve_dp *dp = &ctx->zone_conf[ctx->zone_conf_count++].dp;
	resolve_dp_init(dp, forward ? RESOLVE_DP_FORWARD : RESOLVE_DP_STUB, zone, zlen);
	for (size_t i = 0; i < n; i++)
		resolve_dp_add_addr(dp, 0xFF, &addrs[i]);
	return 0;
}
