/*
 * validate_test.h - helpers for the validator's unit tests: records from zone-file
 * text (DNSKEY, RRSIG and DS parsed here, base64/hex and RRSIG dates included; other
 * types through wire_text_rr()), RRsets built from them, and one-job verification.
 * Test code only: static functions, static buffers, exits on malformed test data.
 */
#ifndef SEKISHO_VALIDATE_TEST_H
#define SEKISHO_VALIDATE_TEST_H

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit_check.h"
#include "validate.h"
#include "wire.h"
#include "wire_text.h"

/* ---- Text fields ------------------------------------------------------------------- */

static inline _Noreturn void t_die(const char *what, const char *text)
{
	fprintf(stderr, "test data: %s: %s\n", what, text);
	exit(2);
}

/* Splits @line into tokens, dropping parentheses and a ";" comment. Returns the count. */
static inline int t_tokens(const char *line, char tok[][512], int max)
{
	int n = 0;

	while (*line != '\0' && *line != ';') {
		if (isspace((unsigned char)*line) || *line == '(' || *line == ')') {
			line++;
			continue;
		}
		size_t k = 0;
		while (*line != '\0' && !isspace((unsigned char)*line) && *line != '(' &&
		       *line != ')' && *line != ';' && k < 511)
			tok[n][k++] = *line++;
		tok[n][k] = '\0';
		if (++n == max)
			break;
	}
	return n;
}

static inline int t_b64_value(int c)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != '\0' ? strchr(alphabet, c) : NULL;

	return p != NULL ? (int)(p - alphabet) : -1;
}

/* Base64 of the concatenated tokens tok[from..n) into @out. Returns the length. */
static inline size_t t_base64(char tok[][512], int from, int n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t len = 0;

	for (int t = from; t < n; t++) {
		for (const char *p = tok[t]; *p != '\0'; p++) {
			if (*p == '=')
				continue;
			int v = t_b64_value(*p);
			if (v < 0)
				t_die("base64", tok[t]);
			acc = acc << 6 | (uint32_t)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if (len == cap)
					t_die("base64 too long", tok[t]);
				out[len++] = (uint8_t)(acc >> bits);
			}
		}
	}
	return len;
}

/* Hex of the concatenated tokens tok[from..n) into @out. Returns the length. */
static inline size_t t_hex_tokens(char tok[][512], int from, int n, uint8_t *out, size_t cap)
{
	size_t len = 0;
	int half = -1;

	for (int t = from; t < n; t++) {
		for (const char *p = tok[t]; *p != '\0'; p++) {
			int v = isdigit((unsigned char)*p) ? *p - '0' :
				isxdigit((unsigned char)*p) ? tolower((unsigned char)*p) - 'a' + 10 : -1;
			if (v < 0)
				t_die("hex", tok[t]);
			if (half < 0) {
				half = v;
				continue;
			}
			if (len == cap)
				t_die("hex too long", tok[t]);
			out[len++] = (uint8_t)(half << 4 | v);
			half = -1;
		}
	}
	return len;
}

/* Hex string to bytes. Returns the length. */
static inline size_t t_hex(const char *text, uint8_t *out, size_t cap)
{
	char tok[1][512];

	snprintf(tok[0], sizeof(tok[0]), "%s", text);
	return t_hex_tokens(tok, 0, 1, out, cap);
}

/* An RRSIG time: YYYYMMDDHHmmSS (UTC) or seconds. */
static inline uint32_t t_time(const char *text)
{
	struct tm tm = { 0 };

	if (strlen(text) != 14)
		return (uint32_t)strtoul(text, NULL, 10);
	if (sscanf(text, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		t_die("time", text);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (uint32_t)timegm(&tm);
}

static inline uint8_t t_alg(const char *text)
{
	if (strcmp(text, "RSASHA1") == 0)
		return 5;
	return (uint8_t)strtoul(text, NULL, 10);
}

static inline size_t t_name(const char *text, uint8_t *out)
{
	int n = wire_text_name(text, strlen(text), NULL, out, WIRE_NAME_MAX);

	if (n < 0)
		t_die("name", text);
	return (size_t)n;
}

/* ---- Records ----------------------------------------------------------------------- */

struct t_rr {
	uint8_t owner[WIRE_NAME_MAX];
	size_t owner_len;
	uint16_t type;
	uint8_t rdata[2048];
	size_t rdlen;
};

static inline size_t t_dnskey(char tok[][512], int n, uint8_t *rd, size_t cap)
{
	if (n < 4)
		t_die("DNSKEY", tok[0]);
	wire_put_u16(rd, (uint16_t)strtoul(tok[0], NULL, 10));
	rd[2] = (uint8_t)strtoul(tok[1], NULL, 10);
	rd[3] = t_alg(tok[2]);
	return 4 + t_base64(tok, 3, n, rd + 4, cap - 4);
}

static inline size_t t_ds(char tok[][512], int n, uint8_t *rd, size_t cap)
{
	if (n < 4)
		t_die("DS", tok[0]);
	wire_put_u16(rd, (uint16_t)strtoul(tok[0], NULL, 10));
	rd[2] = t_alg(tok[1]);
	rd[3] = (uint8_t)strtoul(tok[2], NULL, 10);
	return 4 + t_hex_tokens(tok, 3, n, rd + 4, cap - 4);
}

static inline size_t t_rrsig(char tok[][512], int n, uint8_t *rd, size_t cap)
{
	uint16_t covered = 0;
	size_t pos;

	if (n < 9 || wire_text_type(tok[0], strlen(tok[0]), &covered) != 0)
		t_die("RRSIG", tok[0]);
	wire_put_u16(rd, covered);
	rd[2] = t_alg(tok[1]);
	rd[3] = (uint8_t)strtoul(tok[2], NULL, 10);
	wire_put_u32(rd + 4, (uint32_t)strtoul(tok[3], NULL, 10));
	wire_put_u32(rd + 8, t_time(tok[4]));
	wire_put_u32(rd + 12, t_time(tok[5]));
	wire_put_u16(rd + 16, (uint16_t)strtoul(tok[6], NULL, 10));
	pos = 18 + t_name(tok[7], rd + 18);
	return pos + t_base64(tok, 8, n, rd + pos, cap - pos);
}

/* Index of the type token: after owner and optional TTL and class. */
static inline int t_type_index(char tok[][512], int n)
{
	int i = 1;

	while (i < n && (isdigit((unsigned char)tok[i][0]) || strcmp(tok[i], "IN") == 0))
		i++;
	if (i >= n)
		t_die("record", tok[0]);
	return i;
}

/* One record line of zone-file text. */
static inline void t_parse(const char *line, struct t_rr *rr)
{
	static char tok[128][512];
	static struct wire_text_rr wrr;
	int n = t_tokens(line, tok, 128), ti;

	memset(rr, 0, sizeof(*rr));
	ti = t_type_index(tok, n);
	rr->owner_len = t_name(tok[0], rr->owner);
	if (wire_text_type(tok[ti], strlen(tok[ti]), &rr->type) != 0)
		t_die("type", tok[ti]);
	if (rr->type == WIRE_TYPE_DNSKEY)
		rr->rdlen = t_dnskey(tok + ti + 1, n - ti - 1, rr->rdata, sizeof(rr->rdata));
	else if (rr->type == WIRE_TYPE_DS)
		rr->rdlen = t_ds(tok + ti + 1, n - ti - 1, rr->rdata, sizeof(rr->rdata));
	else if (rr->type == WIRE_TYPE_RRSIG)
		rr->rdlen = t_rrsig(tok + ti + 1, n - ti - 1, rr->rdata, sizeof(rr->rdata));
	else {
		if (wire_text_rr(line, strlen(line), NULL, 3600, &wrr) != 0)
			t_die("record", line);
		memcpy(rr->rdata, wrr.rdata, wrr.rdlen);
		rr->rdlen = wrr.rdlen;
	}
}

/* ---- RRsets ------------------------------------------------------------------------ */

struct t_set {
	uint8_t owner[WIRE_NAME_MAX];
	size_t owner_len;
	uint16_t type;
	uint16_t count;
	uint16_t rdoff[VALIDATE_RRSET_MAX];
	uint16_t rdlen[VALIDATE_RRSET_MAX];
	uint8_t data[16384];
	size_t used;
	struct validate_rrset view;
};

static inline void t_set_add(struct t_set *s, const uint8_t *rdata, size_t len)
{
	if (s->count == VALIDATE_RRSET_MAX || s->used + len > sizeof(s->data))
		t_die("rrset", "full");
	memcpy(s->data + s->used, rdata, len);
	s->rdoff[s->count] = (uint16_t)s->used;
	s->rdlen[s->count] = (uint16_t)len;
	s->used += len;
	s->count++;
	s->view = (struct validate_rrset){ .owner = s->owner, .owner_len = s->owner_len,
		.type = s->type, .rclass = WIRE_CLASS_IN, .count = s->count, .data = s->data,
		.rdoff = s->rdoff, .rdlen = s->rdlen };
}

/* An RRset from record lines (all with the owner and type of the first). */
static inline void t_set_lines(struct t_set *s, const char *const *lines, int n)
{
	struct t_rr rr;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < n; i++) {
		t_parse(lines[i], &rr);
		if (i == 0) {
			memcpy(s->owner, rr.owner, rr.owner_len);
			s->owner_len = rr.owner_len;
			s->type = rr.type;
		}
		t_set_add(s, rr.rdata, rr.rdlen);
	}
}

/* ---- Verifying ---------------------------------------------------------------------- */

/* The one-job path the chain of trust takes: parse, match, batch of one, run. */
static inline enum validate_status t_verify_with(const char *key_line, const char *sig_line,
					  const char *const *rr_lines, int n,
					  const struct validate_policy *pol)
{
	static struct t_rr key_rr, sig_rr;
	static struct t_set set;
	struct validate_key key;
	struct validate_rrsig sig;
	struct validate_batch_config cfg = { .capacity = 1, .policy = *pol };
	struct validate_batch *b;
	enum validate_status st;

	t_parse(key_line, &key_rr);
	t_parse(sig_line, &sig_rr);
	t_set_lines(&set, rr_lines, n);
	if (validate_key_parse(key_rr.rdata, key_rr.rdlen, &key) != 0 ||
	    validate_rrsig_parse(sig_rr.rdata, sig_rr.rdlen, &sig) != 0)
		t_die("key or rrsig", key_line);
	st = validate_rrsig_match_key(&sig, key_rr.owner, key_rr.owner_len, &key, pol, 0);
	if (st == VALIDATE_OK) {
		b = validate_batch_create(&cfg);
		if (b == NULL)
			t_die("batch", "create");
		int job = validate_batch_add_sig(b, &key, &sig, &set.view, 0);
		if (job < 0) {
			st = VALIDATE_BAD_RRSIG;
		} else {
			validate_batch_run(b);
			st = validate_batch_status(b, job);
		}
		validate_batch_destroy(b);
	}
	validate_key_clear(&key);
	return st;
}

static inline enum validate_status t_verify(const char *key_line, const char *sig_line,
				     const char *const *rr_lines, int n)
{
	struct validate_policy pol;

	validate_policy_default(&pol);
	return t_verify_with(key_line, sig_line, rr_lines, n, &pol);
}

#define CHECK_STATUS(got, want) do { \
	enum validate_status g_ = (got), w_ = (want); \
	if (g_ != w_) { \
		unit_failures++; \
		fprintf(stderr, "%s:%d: %s: %s is %s, want %s\n", __FILE__, __LINE__, \
			__func__, #got, validate_status_name(g_), validate_status_name(w_)); \
	} \
} while (0)

#endif /* SEKISHO_VALIDATE_TEST_H */
