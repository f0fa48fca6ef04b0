/*
 * wire_text.h - DNS presentation format (zone-file text) to wire format.
 *
 * Used on the slow path only (config load, tests): turns domain names and
 * single resource-record lines as written in zone files (RFC 1035 section 5,
 * RFC 3597 generic form) into uncompressed wire format. Self-contained: it
 * does not depend on the wire parser or builder.
 *
 * All functions return a negative WIRE_TEXT_E* code on error; use
 * wire_text_strerror() to turn it into a message.
 */
#ifndef SEKISHO_WIRE_TEXT_H
#define SEKISHO_WIRE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define WIRE_TEXT_LABEL_MAX   63     /* octets in one label */
#define WIRE_TEXT_NAME_MAX    255    /* octets in a wire name, root label included */
#define WIRE_TEXT_RDATA_MAX   65535  /* octets of RDATA */
#define WIRE_TEXT_DEFAULT_TTL 3600   /* TTL when a record line gives none */
#define WIRE_TEXT_TTL_MAX     2147483647u /* RFC 2181 section 8 */

/* Type and class codes come from wire.h (one table for the codec). */

/* Error codes (all negative). */
enum wire_text_err {
	WIRE_TEXT_OK          = 0,
	WIRE_TEXT_ESYNTAX     = -1,  /* malformed token */
	WIRE_TEXT_ELABEL      = -2,  /* label longer than 63 octets */
	WIRE_TEXT_ENAME       = -3,  /* name longer than 255 octets */
	WIRE_TEXT_EEMPTYLABEL = -4,  /* empty label ("a..b", leading dot) */
	WIRE_TEXT_EESCAPE     = -5,  /* bad \X or \DDD escape */
	WIRE_TEXT_ETTL        = -6,  /* bad or too large TTL */
	WIRE_TEXT_ECLASS      = -7,  /* unknown class mnemonic */
	WIRE_TEXT_ETYPE       = -8,  /* unknown type mnemonic */
	WIRE_TEXT_EUNSUPP     = -9,  /* known type without a text parser: use \# */
	WIRE_TEXT_ERDATA      = -10, /* bad RDATA field */
	WIRE_TEXT_EMISSING    = -11, /* a required field is missing */
	WIRE_TEXT_ETRAILING   = -12, /* extra tokens after the RDATA */
	WIRE_TEXT_EQUOTE      = -13, /* unterminated quoted string */
	WIRE_TEXT_ESTRING     = -14, /* character-string longer than 255 octets */
	WIRE_TEXT_ELENGTH     = -15, /* \# length does not match the hex data */
	WIRE_TEXT_ESPACE      = -16, /* output buffer too small */
};

/*
 * One resource record in wire form. Large (about 64 KiB because of rdata):
 * allocate it on the heap or statically, not on a worker's stack.
 * On error, err_off/err_len point at the offending token of the input line
 * (err_len is 0 when a field is missing).
 */
struct wire_text_rr {
	uint8_t  owner[WIRE_TEXT_NAME_MAX];
	size_t   owner_len;
	uint32_t ttl;
	uint16_t type;
	uint16_t rclass;
	size_t   rdlen;
	size_t   err_off;
	size_t   err_len;
	uint8_t  rdata[WIRE_TEXT_RDATA_MAX];
};

/*
 * Convert a domain name in presentation form to uncompressed wire form.
 *
 * text/len:  the name, not NUL terminated. "@" is the origin; "." is root.
 *            A name with a trailing dot is absolute; without one it is
 *            relative and origin is appended. Escapes: "\." and other "\X"
 *            give X literally, "\DDD" gives the octet DDD (0..255).
 * origin:    wire-form origin for relative names, or NULL for root.
 * out/outlen: output buffer; WIRE_TEXT_NAME_MAX octets always suffice.
 *
 * Returns the wire length (>= 1), or WIRE_TEXT_ELABEL, WIRE_TEXT_ENAME,
 * WIRE_TEXT_EEMPTYLABEL, WIRE_TEXT_EESCAPE, WIRE_TEXT_ESYNTAX (empty text),
 * WIRE_TEXT_ESPACE.
 */
int wire_text_name(const char *text, size_t len, const uint8_t *origin,
		   uint8_t *out, size_t outlen);

/*
 * Length of a wire-form name (labels up to and including the root label),
 * validated against a buffer of buflen octets. Compression pointers are
 * rejected. Returns the length, or WIRE_TEXT_ESYNTAX / WIRE_TEXT_ENAME.
 */
int wire_text_name_len(const uint8_t *name, size_t buflen);

/*
 * Parse one record line: "owner [ttl] [class] type rdata...".
 * TTL and class may come in either order and are optional (default TTL
 * default_ttl, class IN). Types: A AAAA NS CNAME DNAME PTR MX TXT SOA SRV CAA,
 * TYPEnnn / CLASSnnn, and RFC 3597 "\# len hex" RDATA for any type.
 * Outside quotes, ";" starts a comment and parentheses are ignored, so a
 * whole multi-line SOA joined into one line parses.
 *
 * line/len:  the text, not NUL terminated.
 * origin:    origin for relative names (owner and names in RDATA), NULL = root.
 * rr:        filled on success; err_off/err_len set on error.
 *
 * Returns 0 or a negative WIRE_TEXT_E* code.
 */
int wire_text_rr(const char *line, size_t len, const uint8_t *origin,
		 uint32_t default_ttl, struct wire_text_rr *rr);

/*
 * Type mnemonic ("A", "aaaa", "TYPE65534") to code.
 * Returns 0 and sets *type, or WIRE_TEXT_ETYPE.
 */
int wire_text_type(const char *text, size_t len, uint16_t *type);

/*
 * Class mnemonic ("IN", "CH", "HS", "CLASS1") to code.
 * Returns 0 and sets *rclass, or WIRE_TEXT_ECLASS.
 */
int wire_text_class(const char *text, size_t len, uint16_t *rclass);

/*
 * Mnemonic of a type code, or NULL when the code has none (print TYPEnnn).
 */
const char *wire_text_type_name(uint16_t type);

/* The mnemonic of @rcode (0..10: NOERROR ... NOTZONE), or NULL for another value. */
const char *wire_text_rcode_name(unsigned rcode);

/*
 * Human-readable text for a WIRE_TEXT_E* code (never NULL).
 */
const char *wire_text_strerror(int err);

#endif /* SEKISHO_WIRE_TEXT_H */
