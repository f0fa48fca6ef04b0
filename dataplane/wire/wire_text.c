/*
 * wire_text.c - DNS presentation format (zone-file text) to wire format.
 *
 * Slow path only (config load, tests); never called on a worker's packet
 * path. Self-contained: no dependency on the rest of dataplane/wire.
 *
 * A record line is read by a small lexer that yields one token at a time:
 * an unquoted word (escapes kept for the field parser to decode), or the
 * inside of a "quoted string". Outside quotes, whitespace and parentheses
 * separate tokens and ";" ends the line. Each RDATA field parser pulls the
 * tokens it needs and appends wire octets to rr->rdata; the last token
 * pulled is remembered so that an error can point at it.
 */
#include "wire_text.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

/* ---- lexer ------------------------------------------------------------ */

struct token {
	const char *p;
	size_t len;
	bool quoted;
};

struct lexer {
	const char *base;
	const char *p;
	const char *end;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_separator(char c)
{
	return is_space(c) || c == '(' || c == ')' || c == ';' || c == '"';
}

/* Next token. Returns 1 with *t set, 0 at end of line, or a negative code
 * (t then points at the bad token). */
static int lex_next(struct lexer *lx, struct token *t)
{
	while (lx->p < lx->end && (is_space(*lx->p) || *lx->p == '(' || *lx->p == ')'))
		lx->p++;
	t->p = lx->p;
	t->len = 0;
	t->quoted = false;
	if (lx->p >= lx->end || *lx->p == ';')
		return 0;

	if (*lx->p == '"') {
		const char *s = ++lx->p;
		while (lx->p < lx->end && *lx->p != '"') {
			if (*lx->p == '\\' && lx->p + 1 < lx->end)
				lx->p++;
			lx->p++;
		}
		if (lx->p >= lx->end) {
			t->p = s - 1;
			t->len = (size_t)(lx->end - t->p);
			return WIRE_TEXT_EQUOTE;
		}
		t->p = s;
		t->len = (size_t)(lx->p - s);
		t->quoted = true;
		lx->p++; /* closing quote */
		return 1;
	}

	while (lx->p < lx->end && !is_separator(*lx->p)) {
		if (*lx->p == '\\') {
			if (lx->p + 1 >= lx->end) {
				t->len = (size_t)(lx->end - t->p);
				return WIRE_TEXT_EESCAPE;
			}
			lx->p++;
		}
		lx->p++;
	}
	t->len = (size_t)(lx->p - t->p);
	return 1;
}

/* Decode one possibly escaped character at s[*i] (s has len octets).
 * Advances *i past it. Returns the octet (0..255) or WIRE_TEXT_EESCAPE. */
static int unescape_char(const char *s, size_t len, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];

	if (c != '\\') {
		(*i)++;
		return c;
	}
	if (*i + 1 >= len)
		return WIRE_TEXT_EESCAPE;
	c = (unsigned char)s[*i + 1];
	if (c < '0' || c > '9') {
		*i += 2;
		return c;
	}
	if (*i + 4 > len)
		return WIRE_TEXT_EESCAPE;
	int v = 0;
	for (size_t k = 1; k <= 3; k++) {
		char d = s[*i + k];
		if (d < '0' || d > '9')
			return WIRE_TEXT_EESCAPE;
		v = v * 10 + (d - '0');
	}
	if (v > 255)
		return WIRE_TEXT_EESCAPE;
	*i += 4;
	return v;
}

/* ---- names ------------------------------------------------------------- */

int wire_text_name_len(const uint8_t *name, size_t buflen)
{
	size_t pos = 0;

	for (;;) {
		if (pos >= buflen)
			return WIRE_TEXT_ESYNTAX;
		uint8_t l = name[pos];
		if (l > WIRE_TEXT_LABEL_MAX)
			return WIRE_TEXT_ESYNTAX; /* compression pointer or reserved */
		pos += (size_t)l + 1;
		if (pos > WIRE_TEXT_NAME_MAX)
			return WIRE_TEXT_ENAME;
		if (l == 0)
			return (int)pos;
	}
}

int wire_text_name(const char *text, size_t len, const uint8_t *origin,
		   uint8_t *out, size_t outlen)
{
	static const uint8_t root = 0;
	uint8_t buf[WIRE_TEXT_NAME_MAX + WIRE_TEXT_LABEL_MAX + 2];
	size_t pos = 0, lstart = 0, i = 0;
	bool absolute = false;

	if (origin == NULL)
		origin = &root;
	if (len == 0)
		return WIRE_TEXT_ESYNTAX;

	if ((len == 1 && text[0] == '@') || (len == 1 && text[0] == '.')) {
		const uint8_t *src = text[0] == '@' ? origin : &root;
		int olen = wire_text_name_len(src, WIRE_TEXT_NAME_MAX);
		if (olen < 0)
			return olen;
		if ((size_t)olen > outlen)
			return WIRE_TEXT_ESPACE;
		memcpy(out, src, (size_t)olen);
		return olen;
	}

	buf[0] = 0;
	pos = 1;
	while (i < len) {
		if (text[i] == '.') {
			if (pos - lstart == 1)
				return WIRE_TEXT_EEMPTYLABEL;
			buf[lstart] = (uint8_t)(pos - lstart - 1);
			i++;
			if (i == len) {
				absolute = true;
				break;
			}
			lstart = pos;
			buf[pos++] = 0;
			continue;
		}
		int c = unescape_char(text, len, &i);
		if (c < 0)
			return c;
		if (pos - lstart - 1 >= WIRE_TEXT_LABEL_MAX)
			return WIRE_TEXT_ELABEL;
		buf[pos++] = (uint8_t)c;
		if (pos > WIRE_TEXT_NAME_MAX)
			return WIRE_TEXT_ENAME;
	}
	if (!absolute)
		buf[lstart] = (uint8_t)(pos - lstart - 1);

	/* pos: octets of our labels. Then the root label or the origin. */
	const uint8_t *tail = absolute ? &root : origin;
	int tlen = wire_text_name_len(tail, WIRE_TEXT_NAME_MAX);
	if (tlen < 0)
		return tlen;
	if (pos + (size_t)tlen > WIRE_TEXT_NAME_MAX)
		return WIRE_TEXT_ENAME;
	if (pos + (size_t)tlen > outlen)
		return WIRE_TEXT_ESPACE;
	memcpy(out, buf, pos);
	memcpy(out + pos, tail, (size_t)tlen);
	return (int)(pos + (size_t)tlen);
}

/* ---- numbers ------------------------------------------------------------- */

static bool ieq_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != prefix[i])
			return false;
	}
	return true;
}

static bool ieq(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && ieq_prefix(s, len, word);
}

/* Plain decimal 0..max. Returns 0 or -1. */
static int parse_uint(const char *s, size_t len, uint32_t max, uint32_t *val)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -1;
	*val = (uint32_t)v;
	return 0;
}

/* TTL-like value: decimal seconds, or BIND units ("1h30m", "2d"). */
static int parse_ttl(const char *s, size_t len, uint32_t *val)
{
	uint64_t total = 0, num = 0;
	bool have_digit = false, used_unit = false;

	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			num = num * 10 + (uint64_t)(c - '0');
			have_digit = true;
			if (num > 0xffffffffull)
				return -1;
			continue;
		}
		uint64_t mult;
		switch (c) {
		case 's': case 'S': mult = 1; break;
		case 'm': case 'M': mult = 60; break;
		case 'h': case 'H': mult = 3600; break;
		case 'd': case 'D': mult = 86400; break;
		case 'w': case 'W': mult = 604800; break;
		default: return -1;
		}
		if (!have_digit)
			return -1;
		total += num * mult;
		num = 0;
		have_digit = false;
		used_unit = true;
		if (total > 0xffffffffull)
			return -1;
	}
	if (have_digit)
		total += num;
	else if (!used_unit)
		return -1;
	if (total > 0xffffffffull)
		return -1;
	*val = (uint32_t)total;
	return 0;
}

/* ---- types and classes --------------------------------------------------- */

struct rr_ctx;
typedef int (*rdata_parser)(struct rr_ctx *c);

static int rd_a(struct rr_ctx *c);
static int rd_aaaa(struct rr_ctx *c);
static int rd_name(struct rr_ctx *c);
static int rd_mx(struct rr_ctx *c);
static int rd_txt(struct rr_ctx *c);
static int rd_soa(struct rr_ctx *c);
static int rd_srv(struct rr_ctx *c);
static int rd_caa(struct rr_ctx *c);
static int rd_ds(struct rr_ctx *c);
static int rd_dnskey(struct rr_ctx *c);

/* One row per type mnemonic; parse NULL means "only the \# generic form". */
static const struct type_desc {
	const char *name;
	uint16_t code;
	rdata_parser parse;
} type_table[] = {
	{ "A",          WIRE_TYPE_A,     rd_a },
	{ "NS",         WIRE_TYPE_NS,    rd_name },
	{ "CNAME",      WIRE_TYPE_CNAME, rd_name },
	{ "SOA",        WIRE_TYPE_SOA,   rd_soa },
	{ "PTR",        WIRE_TYPE_PTR,   rd_name },
	{ "HINFO",      13,              NULL },
	{ "MX",         WIRE_TYPE_MX,    rd_mx },
	{ "TXT",        WIRE_TYPE_TXT,   rd_txt },
	{ "AAAA",       WIRE_TYPE_AAAA,  rd_aaaa },
	{ "SRV",        WIRE_TYPE_SRV,   rd_srv },
	{ "NAPTR",      35,              NULL },
	{ "DNAME",      WIRE_TYPE_DNAME, rd_name },
	{ "DS",         43,              rd_ds },
	{ "SSHFP",      44,              NULL },
	{ "RRSIG",      46,              NULL },
	{ "NSEC",       47,              NULL },
	{ "DNSKEY",     48,              rd_dnskey },
	{ "NSEC3",      50,              NULL },
	{ "NSEC3PARAM", 51,              NULL },
	{ "TLSA",       52,              NULL },
	{ "SVCB",       64,              NULL },
	{ "HTTPS",      65,              NULL },
	{ "ANY",        WIRE_TYPE_ANY,   NULL },
	{ "CAA",        WIRE_TYPE_CAA,   rd_caa },
};

#define TYPE_TABLE_LEN (sizeof(type_table) / sizeof(type_table[0]))

static const struct type_desc *type_by_code(uint16_t code)
{
	for (size_t i = 0; i < TYPE_TABLE_LEN; i++)
		if (type_table[i].code == code)
			return &type_table[i];
	return NULL;
}

int wire_text_type(const char *text, size_t len, uint16_t *type)
{
	uint32_t v;

	for (size_t i = 0; i < TYPE_TABLE_LEN; i++) {
		if (ieq(text, len, type_table[i].name)) {
			*type = type_table[i].code;
			return 0;
		}
	}
	if (ieq_prefix(text, len, "TYPE") &&
	    parse_uint(text + 4, len - 4, 65535, &v) == 0) {
		*type = (uint16_t)v;
		return 0;
	}
	return WIRE_TEXT_ETYPE;
}

const char *wire_text_type_name(uint16_t type)
{
	const struct type_desc *d = type_by_code(type);

	return d ? d->name : NULL;
}

const char *wire_text_rcode_name(unsigned rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					     "NOTIMP", "REFUSED", "YXDOMAIN", "YXRRSET",
					     "NXRRSET", "NOTAUTH", "NOTZONE" };

	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : NULL;
}

int wire_text_class(const char *text, size_t len, uint16_t *rclass)
{
	static const struct { const char *name; uint16_t code; } classes[] = {
		{ "IN", WIRE_CLASS_IN }, { "CH", WIRE_CLASS_CH },
		{ "CS", 2 }, { "HS", WIRE_CLASS_HS },
	};
	uint32_t v;

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		if (ieq(text, len, classes[i].name)) {
			*rclass = classes[i].code;
			return 0;
		}
	}
	if (ieq_prefix(text, len, "CLASS") &&
	    parse_uint(text + 5, len - 5, 65535, &v) == 0) {
		*rclass = (uint16_t)v;
		return 0;
	}
	return WIRE_TEXT_ECLASS;
}

/* ---- RDATA field parsers -------------------------------------------------- */

struct rr_ctx {
	struct lexer lx;
	struct token tok;       /* last token pulled: error position */
	const uint8_t *origin;
	struct wire_text_rr *rr;
};

/* Pull the next token; a missing one is WIRE_TEXT_EMISSING. */
static int need(struct rr_ctx *c)
{
	int r = lex_next(&c->lx, &c->tok);

	if (r == 0)
		return WIRE_TEXT_EMISSING;
	return r < 0 ? r : 0;
}

static int put(struct rr_ctx *c, const void *p, size_t n)
{
	if (c->rr->rdlen + n > WIRE_TEXT_RDATA_MAX)
		return WIRE_TEXT_ESPACE;
	memcpy(c->rr->rdata + c->rr->rdlen, p, n);
	c->rr->rdlen += n;
	return 0;
}

static int put_uint(struct rr_ctx *c, uint32_t v, size_t octets)
{
	uint8_t b[4];

	for (size_t i = 0; i < octets; i++)
		b[i] = (uint8_t)(v >> (8 * (octets - 1 - i)));
	return put(c, b, octets);
}

/* Next token as a decimal of `octets` octets. */
static int field_uint(struct rr_ctx *c, size_t octets)
{
	uint32_t max = octets == 1 ? 0xff : octets == 2 ? 0xffff : 0xffffffff;
	uint32_t v;
	int r = need(c);

	if (r < 0)
		return r;
	if (parse_uint(c->tok.p, c->tok.len, max, &v) < 0)
		return WIRE_TEXT_ERDATA;
	return put_uint(c, v, octets);
}

/* Next token as a 32-bit period (SOA timers): seconds or BIND units. */
static int field_period(struct rr_ctx *c)
{
	uint32_t v;
	int r = need(c);

	if (r < 0)
		return r;
	if (parse_ttl(c->tok.p, c->tok.len, &v) < 0)
		return WIRE_TEXT_ERDATA;
	return put_uint(c, v, 4);
}

static int field_name(struct rr_ctx *c)
{
	int r = need(c);

	if (r < 0)
		return r;
	r = wire_text_name(c->tok.p, c->tok.len, c->origin,
			   c->rr->rdata + c->rr->rdlen,
			   WIRE_TEXT_RDATA_MAX - c->rr->rdlen);
	if (r < 0)
		return r;
	c->rr->rdlen += (size_t)r;
	return 0;
}

static int field_address(struct rr_ctx *c, int af, size_t octets)
{
	char text[64];
	uint8_t addr[16];
	int r = need(c);

	if (r < 0)
		return r;
	if (c->tok.len >= sizeof(text))
		return WIRE_TEXT_ERDATA;
	memcpy(text, c->tok.p, c->tok.len);
	text[c->tok.len] = '\0';
	if (inet_pton(af, text, addr) != 1)
		return WIRE_TEXT_ERDATA;
	return put(c, addr, octets);
}

/* Decode the current token's escapes into rdata. With a length prefix it is
 * a <character-string> (at most 255 octets), else raw octets (CAA value). */
static int put_string(struct rr_ctx *c, bool length_prefix)
{
	size_t start = c->rr->rdlen, i = 0;
	int r;

	if (length_prefix && (r = put_uint(c, 0, 1)) < 0)
		return r;
	while (i < c->tok.len) {
		int ch = unescape_char(c->tok.p, c->tok.len, &i);
		if (ch < 0)
			return ch;
		uint8_t b = (uint8_t)ch;
		if ((r = put(c, &b, 1)) < 0)
			return r;
	}
	if (length_prefix) {
		size_t n = c->rr->rdlen - start - 1;
		if (n > 255)
			return WIRE_TEXT_ESTRING;
		c->rr->rdata[start] = (uint8_t)n;
	}
	return 0;
}

static int rd_a(struct rr_ctx *c)
{
	return field_address(c, AF_INET, 4);
}

static int rd_aaaa(struct rr_ctx *c)
{
	return field_address(c, AF_INET6, 16);
}

static int rd_name(struct rr_ctx *c)
{
	return field_name(c);
}

static int rd_mx(struct rr_ctx *c)
{
	int r = field_uint(c, 2);

	return r < 0 ? r : field_name(c);
}

static int rd_srv(struct rr_ctx *c)
{
	int r;

	for (int i = 0; i < 3; i++)
		if ((r = field_uint(c, 2)) < 0)
			return r;
	return field_name(c);
}

static int rd_soa(struct rr_ctx *c)
{
	int r;

	if ((r = field_name(c)) < 0 || (r = field_name(c)) < 0 ||
	    (r = field_uint(c, 4)) < 0)
		return r;
	for (int i = 0; i < 4; i++)
		if ((r = field_period(c)) < 0)
			return r;
	return 0;
}

/* TXT: one or more character-strings, quoted or not, up to end of line. */
static int rd_txt(struct rr_ctx *c)
{
	int r = need(c);

	while (r >= 0) {
		if ((r = put_string(c, true)) < 0)
			return r;
		r = lex_next(&c->lx, &c->tok);
		if (r == 0)
			return 0;
	}
	return r;
}

/* CAA (RFC 8659): flags tag value; the value has no length octet. */
static int rd_caa(struct rr_ctx *c)
{
	int r;

	if ((r = field_uint(c, 1)) < 0 || (r = need(c)) < 0)
		return r;
	if (c->tok.len == 0 || c->tok.len > 255 || c->tok.quoted)
		return WIRE_TEXT_ERDATA;
	for (size_t i = 0; i < c->tok.len; i++) {
		char ch = c->tok.p[i];
		bool alnum = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
			     (ch >= 'A' && ch <= 'Z');
		if (!alnum)
			return WIRE_TEXT_ERDATA;
	}
	if ((r = put_uint(c, (uint32_t)c->tok.len, 1)) < 0 ||
	    (r = put(c, c->tok.p, c->tok.len)) < 0 || (r = need(c)) < 0)
		return r;
	return put_string(c, false);
}

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Hex digits up to the end of the line into the RDATA, spaces between tokens
 * allowed; an odd number of digits is an error. */
static int hex_to_eol(struct rr_ctx *c)
{
	int r, hi = -1;

	while ((r = lex_next(&c->lx, &c->tok)) > 0) {
		for (size_t i = 0; i < c->tok.len; i++) {
			int v = hex_value(c->tok.p[i]);

			if (v < 0)
				return WIRE_TEXT_ERDATA;
			if (hi < 0) {
				hi = v;
				continue;
			}
			if ((r = put_uint(c, (uint32_t)(hi << 4 | v), 1)) < 0)
				return r;
			hi = -1;
		}
	}
	if (r < 0)
		return r;
	return hi >= 0 ? WIRE_TEXT_ERDATA : 0;
}

/* RFC 3597: "\# len hex..." (the "\#" token already consumed). */
static int rd_generic(struct rr_ctx *c)
{
	uint32_t want;
	int r = need(c);

	if (r < 0)
		return r;
	if (parse_uint(c->tok.p, c->tok.len, WIRE_TEXT_RDATA_MAX, &want) < 0)
		return WIRE_TEXT_ERDATA;
	if ((r = hex_to_eol(c)) < 0)
		return r;
	if (c->rr->rdlen != want)
		return WIRE_TEXT_ELENGTH;
	return 0;
}

/* The rest of the line as hex digits, at least one octet (DS digest). */
static int field_hex_rest(struct rr_ctx *c)
{
	size_t start = c->rr->rdlen;
	int r = hex_to_eol(c);

	if (r < 0)
		return r;
	return c->rr->rdlen == start ? WIRE_TEXT_ERDATA : 0;
}

static int b64_value(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* The rest of the line as base64 (RFC 4648), spaces between tokens allowed
 * (DNSKEY public keys are written in several chunks). */
static int field_base64_rest(struct rr_ctx *c)
{
	uint32_t acc = 0;
	int r, bits = 0, pad = 0;
	size_t start = c->rr->rdlen;

	while ((r = lex_next(&c->lx, &c->tok)) > 0) {
		for (size_t i = 0; i < c->tok.len; i++) {
			char ch = c->tok.p[i];
			int v = b64_value(ch);

			if (ch == '=') {
				pad++;
				continue;
			}
			if (v < 0 || pad > 0)
				return WIRE_TEXT_ERDATA;
			acc = acc << 6 | (uint32_t)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				if ((r = put_uint(c, (acc >> bits) & 0xff, 1)) < 0)
					return r;
			}
		}
	}
	if (r < 0)
		return r;
	/* leftover bits must be zero padding, at most two '=' */
	if (pad > 2 || bits >= 6 || (acc & ((1u << bits) - 1)) != 0 || c->rr->rdlen == start)
		return WIRE_TEXT_ERDATA;
	return 0;
}

/* DS (RFC 4034 §5.3): key tag, algorithm, digest type, digest in hex. */
static int rd_ds(struct rr_ctx *c)
{
	int r;

	if ((r = field_uint(c, 2)) < 0 || (r = field_uint(c, 1)) < 0 ||
	    (r = field_uint(c, 1)) < 0)
		return r;
	return field_hex_rest(c);
}

/* DNSKEY (RFC 4034 §2.2): flags, protocol, algorithm, public key in base64. */
static int rd_dnskey(struct rr_ctx *c)
{
	int r;

	if ((r = field_uint(c, 2)) < 0 || (r = field_uint(c, 1)) < 0 ||
	    (r = field_uint(c, 1)) < 0)
		return r;
	return field_base64_rest(c);
}

/* ---- record line ------------------------------------------------------ */

/* After owner: [ttl] [class] in either order, then the type. */
static int parse_ttl_class_type(struct rr_ctx *c, uint32_t default_ttl)
{
	bool have_ttl = false, have_class = false;
	struct wire_text_rr *rr = c->rr;

	rr->ttl = default_ttl;
	rr->rclass = WIRE_CLASS_IN;
	for (;;) {
		int r = need(c);
		if (r < 0)
			return r;
		const char *s = c->tok.p;
		size_t n = c->tok.len;
		if (!have_ttl && n > 0 && s[0] >= '0' && s[0] <= '9') {
			if (parse_ttl(s, n, &rr->ttl) < 0 || rr->ttl > WIRE_TEXT_TTL_MAX)
				return WIRE_TEXT_ETTL;
			have_ttl = true;
			continue;
		}
		if (!have_class && wire_text_class(s, n, &rr->rclass) == 0) {
			have_class = true;
			continue;
		}
		return wire_text_type(s, n, &rr->type);
	}
}

static int parse_rdata(struct rr_ctx *c)
{
	struct lexer save = c->lx;
	struct token t;
	int r = lex_next(&c->lx, &t);

	if (r > 0 && !t.quoted && t.len == 2 && t.p[0] == '\\' && t.p[1] == '#') {
		c->tok = t;
		return rd_generic(c);
	}
	c->lx = save;

	const struct type_desc *d = type_by_code(c->rr->type);
	if (d == NULL || d->parse == NULL)
		return WIRE_TEXT_EUNSUPP;
	if ((r = d->parse(c)) < 0)
		return r;
	if ((r = lex_next(&c->lx, &c->tok)) != 0)
		return r < 0 ? r : WIRE_TEXT_ETRAILING;
	return 0;
}

int wire_text_rr(const char *line, size_t len, const uint8_t *origin,
		 uint32_t default_ttl, struct wire_text_rr *rr)
{
	struct rr_ctx c = {
		.lx = { .base = line, .p = line, .end = line + len },
		.origin = origin,
		.rr = rr,
	};
	int r;

	rr->rdlen = 0;
	rr->owner_len = 0;
	rr->err_off = 0;
	rr->err_len = 0;

	if ((r = need(&c)) == 0) {
		r = wire_text_name(c.tok.p, c.tok.len, origin, rr->owner,
				   sizeof(rr->owner));
		if (r > 0) {
			rr->owner_len = (size_t)r;
			r = 0;
		}
	}
	if (r == 0)
		r = parse_ttl_class_type(&c, default_ttl);
	if (r == 0)
		r = parse_rdata(&c);
	if (r < 0) {
		rr->err_off = (size_t)(c.tok.p - line);
		rr->err_len = r == WIRE_TEXT_EMISSING ? 0 : c.tok.len;
		return r;
	}
	return 0;
}

/* ---- errors ------------------------------------------------------------- */

const char *wire_text_strerror(int err)
{
	switch (err) {
	case WIRE_TEXT_OK:          return "no error";
	case WIRE_TEXT_ESYNTAX:     return "syntax error";
	case WIRE_TEXT_ELABEL:      return "label longer than 63 octets";
	case WIRE_TEXT_ENAME:       return "name longer than 255 octets";
	case WIRE_TEXT_EEMPTYLABEL: return "empty label in name";
	case WIRE_TEXT_EESCAPE:     return "bad escape";
	case WIRE_TEXT_ETTL:        return "bad TTL";
	case WIRE_TEXT_ECLASS:      return "unknown class";
	case WIRE_TEXT_ETYPE:       return "unknown type";
	case WIRE_TEXT_EUNSUPP:     return "type has no text form here (use \\# generic rdata)";
	case WIRE_TEXT_ERDATA:      return "bad rdata field";
	case WIRE_TEXT_EMISSING:    return "missing field";
	case WIRE_TEXT_ETRAILING:   return "trailing data after rdata";
	case WIRE_TEXT_EQUOTE:      return "unterminated quote";
	case WIRE_TEXT_ESTRING:     return "character-string longer than 255 octets";
	case WIRE_TEXT_ELENGTH:     return "\\# length does not match rdata";
	case WIRE_TEXT_ESPACE:      return "output buffer too small";
	default:                    return "unknown error";
	}
}
