/*
 * tsig_keyfile.c - TSIG keys in BIND's key file syntax: parsing, writing, generating.
 *
 *     # comment        // comment        / * comment * /
 *     key "ctl.sekisho." {
 *         algorithm hmac-sha256;
 *         secret "base64==";
 *     };
 *
 * A small tokenizer (words, quoted strings, { } ;) feeds a parser of key statements;
 * every error is "FILE:LINE: reason". Slow path only (the control thread, sekishoctl):
 * it may allocate and read files. Secrets are wiped from temporary buffers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "tsig.h"
#include "wire_text.h"

#define KEYFILE_MAX (1 << 20)

/* ---- base64 (RFC 4648) ------------------------------------------------------------- */

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(char c)
{
	const char *p = c != '\0' ? strchr(b64_chars, c) : NULL;

	return p != NULL ? (int)(p - b64_chars) : -1;
}

/* Decodes @len characters (whitespace skipped, '=' padding at the end only).
 * Returns the number of bytes, or -1 (bad text, or more than @cap bytes). */
static int b64_decode(const char *s, size_t len, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	size_t n = 0, chars = 0, pad = 0;

	for (size_t i = 0; i < len; i++) {
		int v;

		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		v = b64_value(s[i]);
		if (v < 0 || pad > 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		if (++chars % 4 == 0) {
			if (n + 3 > cap)
				return -1;
			out[n++] = (uint8_t)(acc >> 16);
			out[n++] = (uint8_t)(acc >> 8);
			out[n++] = (uint8_t)acc;
			acc = 0;
		}
	}
	switch (chars % 4) {
	case 0:
		break;
	case 2:
		if (n + 1 > cap || (acc & 0xF) != 0)
			return -1;
		out[n++] = (uint8_t)(acc >> 4);
		break;
	case 3:
		if (n + 2 > cap || (acc & 0x3) != 0)
			return -1;
		out[n++] = (uint8_t)(acc >> 10);
		out[n++] = (uint8_t)(acc >> 2);
		break;
	default:
		return -1;
	}
	if ((chars + pad) % 4 != 0 || pad > 2)
		return -1;
	return (int)n;
}

/* Encodes with padding; @out has room for 4 * ceil(len / 3) + 1. */
static void b64_encode(const uint8_t *in, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = b64_chars[(v >> 18) & 63];
		out[o++] = b64_chars[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64_chars[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? b64_chars[v & 63] : '=';
	}
	out[o] = '\0';
}

/* ---- Tokenizer --------------------------------------------------------------------- */

enum tok_kind { TOK_EOF, TOK_WORD, TOK_STRING, TOK_LBRACE, TOK_RBRACE, TOK_SEMI };

struct tok {
	enum tok_kind kind;
	const char *s; /* WORD, STRING: the text (without quotes) */
	size_t len;
	unsigned line;
};

struct keyfile {
	const char *p, *end;
	const char *source;
	unsigned line;
	char *err;
	size_t errlen;
};

static int fail(struct keyfile *k, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct keyfile *k, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (k->err == NULL || k->errlen == 0)
		return TSIG_EPARSE;
	n = snprintf(k->err, k->errlen, "%s:%u: ", k->source, line);
	if (n >= 0 && (size_t)n < k->errlen) {
		va_start(ap, fmt);
		vsnprintf(k->err + n, k->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return TSIG_EPARSE;
}

/* Skips blanks and comments. Returns 0, or TSIG_EPARSE for an unterminated comment. */
static int skip_space(struct keyfile *k)
{
	while (k->p < k->end) {
		char c = *k->p;
		bool slash2 = c == '/' && k->p + 1 < k->end;

		if (c == '\n') {
			k->line++;
			k->p++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			k->p++;
		} else if (c == '#' || (slash2 && k->p[1] == '/')) {
			while (k->p < k->end && *k->p != '\n')
				k->p++;
		} else if (slash2 && k->p[1] == '*') {
			unsigned start = k->line;

			for (k->p += 2; k->p + 1 < k->end && !(k->p[0] == '*' && k->p[1] == '/'); k->p++)
				k->line += *k->p == '\n';
			if (k->p + 1 >= k->end)
				return fail(k, start, "unterminated comment");
			k->p += 2;
		} else {
			return 0;
		}
	}
	return 0;
}

static bool is_word_char(char c)
{
	return c > ' ' && c != '{' && c != '}' && c != ';' && c != '"' && c != '#';
}

static int next_token(struct keyfile *k, struct tok *t)
{
	int rc = skip_space(k);

	if (rc != 0)
		return rc;
	t->line = k->line;
	t->s = k->p;
	t->len = 0;
	if (k->p >= k->end) {
		t->kind = TOK_EOF;
		return 0;
	}
	switch (*k->p) {
	case '{': t->kind = TOK_LBRACE; k->p++; return 0;
	case '}': t->kind = TOK_RBRACE; k->p++; return 0;
	case ';': t->kind = TOK_SEMI; k->p++; return 0;
	case '"':
		t->kind = TOK_STRING;
		t->s = ++k->p;
		while (k->p < k->end && *k->p != '"' && *k->p != '\n')
			k->p++;
		if (k->p >= k->end || *k->p != '"')
			return fail(k, t->line, "unterminated string");
		t->len = (size_t)(k->p++ - t->s);
		return 0;
	default:
		t->kind = TOK_WORD;
		while (k->p < k->end && is_word_char(*k->p) &&
		       !(*k->p == '/' && k->p + 1 < k->end && (k->p[1] == '/' || k->p[1] == '*')))
			k->p++;
		t->len = (size_t)(k->p - t->s);
		if (t->len == 0)
			return fail(k, t->line, "unexpected character '%c'", *k->p);
		return 0;
	}
}

static bool tok_is(const struct tok *t, const char *word)
{
	return t->kind == TOK_WORD && strlen(word) == t->len && strncasecmp(t->s, word, t->len) == 0;
}

/* A word or a quoted string (a value). */
static bool tok_is_value(const struct tok *t)
{
	return t->kind == TOK_WORD || t->kind == TOK_STRING;
}

static int expect(struct keyfile *k, enum tok_kind kind, const char *what)
{
	struct tok t;
	int rc = next_token(k, &t);

	if (rc != 0)
		return rc;
	if (t.kind != kind)
		return fail(k, t.line, "expected %s", what);
	return 0;
}

/* ---- Key statements ---------------------------------------------------------------- */

static int parse_algorithm(struct keyfile *k, const struct tok *v, struct tsig_key *key)
{
	if (tsig_alg_from_name(v->s, v->len, &key->alg) != TSIG_OK)
		return fail(k, v->line, "unknown algorithm \"%.*s\" (hmac-sha256, hmac-sha384, "
			    "hmac-sha512)", (int)(v->len > 64 ? 64 : v->len), v->s);
	return 0;
}

static int parse_secret(struct keyfile *k, const struct tok *v, struct tsig_key *key)
{
	int n = b64_decode(v->s, v->len, key->secret, sizeof(key->secret));

	if (n < 0)
		return fail(k, v->line, "secret is not base64 or longer than %d bytes",
			    TSIG_SECRET_MAX);
	if (n == 0)
		return fail(k, v->line, "empty secret");
	key->secret_len = (uint8_t)n;
	return 0;
}

/* One "algorithm X;" or "secret X;" inside the braces. */
static int parse_clause(struct keyfile *k, const struct tok *t, struct tsig_key *key,
			bool *have_alg, bool *have_secret)
{
	bool is_alg = tok_is(t, "algorithm");
	struct tok v;
	int rc;

	if (!is_alg && !tok_is(t, "secret"))
		return fail(k, t->line, "unknown key clause \"%.*s\"",
			    (int)(t->len > 64 ? 64 : t->len), t->s);
	if (is_alg ? *have_alg : *have_secret)
		return fail(k, t->line, "%s given twice", is_alg ? "algorithm" : "secret");
	rc = next_token(k, &v);
	if (rc != 0)
		return rc;
	if (!tok_is_value(&v))
		return fail(k, v.line, "%s needs a value", is_alg ? "algorithm" : "secret");
	rc = is_alg ? parse_algorithm(k, &v, key) : parse_secret(k, &v, key);
	if (rc != 0)
		return rc;
	*(is_alg ? have_alg : have_secret) = true;
	return expect(k, TOK_SEMI, "';' after the value");
}

/* "key NAME { clauses };" after the word "key" (at line @line). */
static int parse_key(struct keyfile *k, unsigned line, struct tsig_key *key)
{
	bool have_alg = false, have_secret = false;
	struct tok t;
	int rc = next_token(k, &t), n;

	if (rc != 0)
		return rc;
	if (!tok_is_value(&t))
		return fail(k, t.line, "key needs a name");
	n = wire_text_name(t.s, t.len, NULL, key->name, sizeof(key->name));
	if (n < 0)
		return fail(k, t.line, "bad key name \"%.*s\"", (int)(t.len > 64 ? 64 : t.len), t.s);
	key->name_len = (uint8_t)n;
	wire_name_to_lower(key->name, key->name_len);
	rc = expect(k, TOK_LBRACE, "'{' after the key name");
	while (rc == 0) {
		rc = next_token(k, &t);
		if (rc != 0 || t.kind == TOK_RBRACE)
			break;
		rc = parse_clause(k, &t, key, &have_alg, &have_secret);
	}
	if (rc != 0)
		return rc;
	if (!have_alg || !have_secret)
		return fail(k, line, "key has no %s", have_alg ? "secret" : "algorithm");
	return expect(k, TOK_SEMI, "';' after '}'");
}

static int add_key(struct keyfile *k, unsigned line, struct tsig_keyring *keys)
{
	struct tsig_key *key;
	int rc;

	if (keys->count >= TSIG_KEYS_MAX)
		return fail(k, line, "more than %d keys", TSIG_KEYS_MAX);
	key = &keys->keys[keys->count];
	memset(key, 0, sizeof(*key));
	rc = parse_key(k, line, key);
	if (rc != 0) {
		explicit_bzero(key, sizeof(*key));
		return rc;
	}
	for (unsigned i = 0; i < keys->count; i++) {
		if (wire_name_equal(keys->keys[i].name, keys->keys[i].name_len, key->name,
				    key->name_len)) {
			explicit_bzero(key, sizeof(*key));
			return fail(k, line, "duplicate key name");
		}
	}
	keys->count++;
	return 0;
}

int tsig_keys_parse(const char *text, size_t len, const char *source,
		    struct tsig_keyring *keys, char *err, size_t errlen)
{
	struct keyfile k = {
		.p = text, .end = text + len, .source = source ? source : "-", .line = 1,
		.err = err, .errlen = errlen,
	};
	struct tok t;
	int rc;

	if (keys == NULL || (text == NULL && len > 0))
		return TSIG_EINVAL;
	keys->count = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	for (;;) {
		rc = next_token(&k, &t);
		if (rc != 0 || t.kind == TOK_EOF)
			break;
		if (!tok_is(&t, "key")) {
			rc = fail(&k, t.line, "expected a key statement");
			break;
		}
		rc = add_key(&k, t.line, keys);
		if (rc != 0)
			break;
	}
	if (rc != 0) {
		explicit_bzero(keys, sizeof(*keys));
		return rc;
	}
	return TSIG_OK;
}

int tsig_keys_load(const char *path, struct tsig_keyring *keys, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t len;
	int rc;

	if (f == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return TSIG_EIO;
	}
	text = malloc(KEYFILE_MAX);
	if (text == NULL) {
		fclose(f);
		return TSIG_ENOMEM;
	}
	len = fread(text, 1, KEYFILE_MAX, f);
	rc = ferror(f) || !feof(f) ? TSIG_EIO : TSIG_OK;
	fclose(f);
	if (rc != TSIG_OK) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: read error or larger than %d bytes", path,
				 KEYFILE_MAX);
	} else {
		rc = tsig_keys_parse(text, len, path, keys, err, errlen);
	}
	explicit_bzero(text, len);
	free(text);
	return rc;
}

const struct tsig_key *tsig_key_find(const struct tsig_keyring *keys, const uint8_t *name,
				     size_t name_len, enum tsig_alg alg)
{
	for (unsigned i = 0; i < keys->count; i++) {
		const struct tsig_key *key = &keys->keys[i];

		if (key->alg == alg && wire_name_equal(key->name, key->name_len, name, name_len))
			return key;
	}
	return NULL;
}

/* ---- Generating and writing -------------------------------------------------------- */

int tsig_key_generate(const char *name, enum tsig_alg alg, struct tsig_key *key)
{
	size_t len = tsig_alg_mac_len(alg), got = 0;
	int n;

	if (name == NULL || key == NULL || len == 0)
		return TSIG_EINVAL;
	memset(key, 0, sizeof(*key));
	n = wire_text_name(name, strlen(name), NULL, key->name, sizeof(key->name));
	if (n < 0 || strchr(name, '"') != NULL)
		return TSIG_EINVAL;
	key->name_len = (uint8_t)n;
	wire_name_to_lower(key->name, key->name_len);
	key->alg = alg;
	while (got < len) {
		ssize_t r = getrandom(key->secret + got, len - got, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			explicit_bzero(key, sizeof(*key));
			return TSIG_EIO;
		}
		got += (size_t)r;
	}
	key->secret_len = (uint8_t)len;
	return TSIG_OK;
}

int tsig_key_format(const struct tsig_key *key, char *out, size_t cap)
{
	char name[WIRE_NAME_TEXT_MAX];
	char secret[(TSIG_SECRET_MAX + 2) / 3 * 4 + 1];
	const char *alg = key != NULL ? tsig_alg_name(key->alg) : NULL;
	int n;

	if (alg == NULL || out == NULL || key->secret_len > TSIG_SECRET_MAX ||
	    wire_name_to_text(key->name, key->name_len, name, sizeof(name)) < 0 ||
	    strchr(name, '"') != NULL)
		return TSIG_EINVAL;
	b64_encode(key->secret, key->secret_len, secret);
	n = snprintf(out, cap, "key \"%s\" {\n\talgorithm %s;\n\tsecret \"%s\";\n};\n",
		     name, alg, secret);
	explicit_bzero(secret, sizeof(secret));
	if (n < 0 || (size_t)n >= cap) {
		if (cap > 0)
			explicit_bzero(out, cap);
		return TSIG_ENOSPC;
	}
	return n;
}
