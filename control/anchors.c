/*
 * anchors.c - trust anchors and validation settings into the chain's conf.
 * See anchors.h.
 */
#include "anchors.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire_text.h"

#define TYPE_DS 43
#define TYPE_DNSKEY 48

/* One more anchor, its RDATA copied into a->rdata (the struct owns all it points to,
 * so that a copy can be published to the workers and the config freed). */
static int add_anchor(struct anchors *a, const uint8_t *owner, size_t owner_len,
		      uint16_t type, const uint8_t *rdata, size_t rdlen)
{
	struct validate_chain_conf *c = &a->conf;
	struct validate_anchor *an;

	if (c->n_anchors >= VALIDATE_CHAIN_ANCHORS_MAX || owner_len > sizeof(an->owner) ||
	    a->used + rdlen > sizeof(a->rdata))
		return -1;
	an = &c->anchors[c->n_anchors++];
	memcpy(an->owner, owner, owner_len);
	an->owner_len = (uint8_t)owner_len;
	an->type = type;
	an->rdlen = (uint16_t)rdlen;
	memcpy(a->rdata + a->used, rdata, rdlen);
	an->rdata = a->rdata + a->used;
	a->used += rdlen;
	return 0;
}

/* One line of a trust-anchor-file: blank, a comment, or a DS/DNSKEY record. */
static int file_line(struct anchors *a, const char *line, size_t len,
		     struct wire_text_rr *rr, const char **why)
{
	size_t i = 0;
	int r;

	while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
		i++;
	if (i == len || line[i] == ';' || line[i] == '#')
		return 0;
	r = wire_text_rr(line, len, NULL, 3600, rr);
	if (r < 0) {
		*why = wire_text_strerror(r);
		return -1;
	}
	if ((rr->type != TYPE_DS && rr->type != TYPE_DNSKEY) || rr->rclass != 1) {
		*why = "only DS or DNSKEY records of class IN";
		return -1;
	}
	if (rr->rdlen < 4) {
		*why = "anchor RDATA too short";
		return -1;
	}
	if (add_anchor(a, rr->owner, rr->owner_len, rr->type, rr->rdata, rr->rdlen) != 0) {
		*why = "more than 16 trust anchors (or too much RDATA)";
		return -1;
	}
	return 0;
}

static int read_file_anchors(struct anchors *a, const char *text, size_t len,
			     const char *name, char *err, size_t errlen)
{
	struct wire_text_rr *rr = malloc(sizeof(*rr));
	unsigned int lineno = 0;
	const char *s = text, *end = text + len;
	int rc = 0;

	if (rr == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	while (rc == 0 && s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl != NULL ? nl : end;
		const char *why = NULL;

		lineno++;
		if (file_line(a, s, (size_t)(eol - s), rr, &why) != 0) {
			snprintf(err, errlen, "%s:%u: %s", name, lineno, why);
			rc = -1;
		}
		s = eol + 1;
	}
	free(rr);
	return rc;
}

static void copy_settings(struct validate_chain_conf *c, const struct config_dnssec *d,
			  uint64_t now)
{
	c->policy.sha1_algorithms = d->sha1 != 0;
	c->policy.sha1_ds = d->sha1 != 0;
	c->policy.rsa_min_bits = (uint16_t)d->rsa_min_bits;
	c->skew = d->clock_skew;
	c->nsec3_insecure_above = (uint16_t)d->nsec3_iterations;
	c->nsec3_bogus_above = (uint16_t)d->nsec3_iterations_cap;
	for (uint32_t i = 0; i < d->nntas && c->n_ntas < VALIDATE_CHAIN_NTAS_MAX; i++) {
		struct validate_nta *n = &c->ntas[c->n_ntas++];

		memcpy(n->name, d->ntas[i].name, d->ntas[i].name_len);
		n->name_len = d->ntas[i].name_len;
		n->expires = d->ntas[i].lifetime ? now + d->ntas[i].lifetime : 0;
	}
}

int anchors_build(struct anchors *a, const struct config *cfg, const char *file,
		  size_t file_len, const char *file_name, uint64_t now, char *err, size_t errlen)
{
	const struct config_dnssec *d = &cfg->server.dnssec;

	a->used = 0;
	validate_chain_conf_init(&a->conf);
	copy_settings(&a->conf, d, now);
	for (uint32_t i = 0; i < d->nanchors; i++) {
		const struct config_anchor *ca = &d->anchors[i];

		if (add_anchor(a, ca->owner, ca->owner_len, ca->type, ca->rdata, ca->rdlen) != 0) {
			snprintf(err, errlen, "%s:%u: more than %d trust anchors", cfg->source,
				 ca->line, VALIDATE_CHAIN_ANCHORS_MAX);
			return -1;
		}
	}
	if (file != NULL && read_file_anchors(a, file, file_len, file_name, err, errlen) != 0)
		return -1;
	return 0;
}

/* Lowercase wire names compare equal. */
static bool same_name(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

/* @dst: @src's settings and NTAs, and those of its anchors @keep says yes to. */
static void copy_filtered(struct anchors *dst, const struct anchors *src,
			  const uint8_t *drop_zone, size_t drop_len)
{
	const struct validate_chain_conf *c = &src->conf;

	memcpy(&dst->conf, c, sizeof(*c));
	dst->conf.n_anchors = 0;
	dst->used = 0;
	for (unsigned i = 0; i < c->n_anchors; i++) {
		const struct validate_anchor *an = &c->anchors[i];

		if (drop_zone == NULL || !same_name(an->owner, an->owner_len, drop_zone, drop_len))
			add_anchor(dst, an->owner, an->owner_len, an->type, an->rdata, an->rdlen);
	}
}

void anchors_copy(struct anchors *dst, const struct anchors *src)
{
	copy_filtered(dst, src, NULL, 0);
}

int anchors_set_zone(struct anchors *dst, const struct anchors *src, const uint8_t *zone,
		     size_t zone_len, const struct validate_anchor *list, unsigned n)
{
	copy_filtered(dst, src, zone, zone_len);
	for (unsigned i = 0; i < n; i++)
		if (add_anchor(dst, zone, zone_len, list[i].type, list[i].rdata,
			       list[i].rdlen) != 0)
			return -1;
	return 0;
}

int anchors_nta_find(const struct anchors *a, const uint8_t *name, size_t len)
{
	for (unsigned i = 0; i < a->conf.n_ntas; i++)
		if (same_name(a->conf.ntas[i].name, a->conf.ntas[i].name_len, name, len))
			return (int)i;
	return -1;
}

int anchors_nta_add(struct anchors *a, const uint8_t *name, size_t len, uint64_t expires)
{
	int i = anchors_nta_find(a, name, len);
	struct validate_nta *n;

	if (i < 0 && a->conf.n_ntas >= VALIDATE_CHAIN_NTAS_MAX)
		return -1;
	n = &a->conf.ntas[i >= 0 ? (unsigned)i : a->conf.n_ntas++];
	memcpy(n->name, name, len);
	n->name_len = (uint8_t)len;
	n->expires = expires;
	return 0;
}

int anchors_nta_del(struct anchors *a, const uint8_t *name, size_t len)
{
	int i = anchors_nta_find(a, name, len);

	if (i < 0)
		return -1;
	a->conf.ntas[i] = a->conf.ntas[--a->conf.n_ntas];
	return 0;
}
