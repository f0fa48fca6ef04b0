/*
 * wire_edns.h - EDNS(0) (RFC 6891): the OPT pseudo-record and the options sekisho
 * reads: cookies (RFC 7873), Extended DNS Errors (RFC 8914), NSID (RFC 5001).
 *
 * Include "wire.h", which includes this file. wire_parse_msg() fills a struct
 * wire_edns from the message; the rules it enforces:
 *   - the OPT record may only appear in the additional section (WIRE_EOPT_SECTION),
 *   - at most once (WIRE_EOPT_DUP),
 *   - with the root as owner (WIRE_EOPT_OWNER),
 *   - its options must tile the RDATA exactly, a cookie option must be 8 bytes
 *     (client cookie only) or 16..40 (client + 8..32 byte server cookie), an EDE
 *     option at least 2 bytes (WIRE_EOPT_OPTION).
 * All of these are FORMERR. Unknown options are skipped.
 *
 * Version rule: a request with EDNS version above 0 must be answered with BADVERS
 * (extended rcode 16: OPT ext_rcode 1, header rcode 0) and an OPT of version 0,
 * without processing the query. wire_edns_check() says when.
 */
#ifndef SEKISHO_WIRE_EDNS_H
#define SEKISHO_WIRE_EDNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_EDNS_VERSION 0
#define WIRE_EDNS_FLAG_DO 0x8000

enum wire_edns_option {
	WIRE_EDNS_OPT_NSID = 3,
	WIRE_EDNS_OPT_CLIENT_SUBNET = 8,
	WIRE_EDNS_OPT_EXPIRE = 9,
	WIRE_EDNS_OPT_COOKIE = 10,
	WIRE_EDNS_OPT_KEEPALIVE = 11,
	WIRE_EDNS_OPT_PADDING = 12,
	WIRE_EDNS_OPT_EDE = 15,
};

#define WIRE_COOKIE_CLIENT_LEN 8
#define WIRE_COOKIE_SERVER_MIN 8
#define WIRE_COOKIE_SERVER_MAX 32

/* Extended DNS Error info codes (RFC 8914 §4). Texts live with the counters, not here. */
enum wire_ede {
	WIRE_EDE_NONE = -1, /* "no EDE" for builder arguments */
	WIRE_EDE_OTHER = 0,
	WIRE_EDE_UNSUPPORTED_DNSKEY_ALG = 1,
	WIRE_EDE_UNSUPPORTED_DS_DIGEST = 2,
	WIRE_EDE_STALE_ANSWER = 3,
	WIRE_EDE_FORGED_ANSWER = 4,
	WIRE_EDE_DNSSEC_INDETERMINATE = 5,
	WIRE_EDE_DNSSEC_BOGUS = 6,
	WIRE_EDE_SIGNATURE_EXPIRED = 7,
	WIRE_EDE_SIGNATURE_NOT_YET_VALID = 8,
	WIRE_EDE_DNSKEY_MISSING = 9,
	WIRE_EDE_RRSIGS_MISSING = 10,
	WIRE_EDE_NO_ZONE_KEY_BIT = 11,
	WIRE_EDE_NSEC_MISSING = 12,
	WIRE_EDE_CACHED_ERROR = 13,
	WIRE_EDE_NOT_READY = 14,
	WIRE_EDE_BLOCKED = 15,
	WIRE_EDE_CENSORED = 16,
	WIRE_EDE_FILTERED = 17,
	WIRE_EDE_PROHIBITED = 18,
	WIRE_EDE_STALE_NXDOMAIN = 19,
	WIRE_EDE_NOT_AUTHORITATIVE = 20,
	WIRE_EDE_NOT_SUPPORTED = 21,
	WIRE_EDE_NO_REACHABLE_AUTHORITY = 22,
	WIRE_EDE_NETWORK_ERROR = 23,
	WIRE_EDE_INVALID_DATA = 24,
	WIRE_EDE_SIGNATURE_EXPIRED_BEFORE_VALID = 25,
	WIRE_EDE_TOO_EARLY = 26,
	WIRE_EDE_UNSUPPORTED_NSEC3_ITERATIONS = 27,   /* RFC 9276 */
};

/* What a message's OPT record says. Pointers point into the parsed packet. */
struct wire_edns {
	bool present;
	uint16_t udp_size;     /* as sent; RFC 6891 says treat values below 512 as 512 */
	uint8_t ext_rcode;     /* upper 8 bits of the 12-bit rcode */
	uint8_t version;
	bool do_bit;
	uint16_t flags;        /* all 16 flag bits, DO included */
	bool has_cookie;
	uint8_t client_cookie[WIRE_COOKIE_CLIENT_LEN];
	uint8_t server_cookie[WIRE_COOKIE_SERVER_MAX];
	uint8_t server_cookie_len; /* 0 when the client sent only its own cookie */
	bool has_ede;          /* first EDE option only */
	uint16_t ede_code;
	const uint8_t *ede_text; /* UTF-8, not NUL-terminated */
	uint16_t ede_text_len;
	bool has_nsid;         /* NSID requested (or, in a response, given) */
	uint16_t opt_off;      /* offset of the OPT record in the packet */
	uint16_t options_off;  /* OPT RDATA: offset and length, to walk other options */
	uint16_t options_len;
};

/*
 * wire_edns_parse - decode an OPT record's fixed fields and walk its options.
 * @class, @ttl: the OPT record's CLASS (UDP size) and TTL (ext_rcode, version, flags).
 * @rdata, @rdlen: its RDATA. @e: filled (present = true) on success; ede_text
 * points into @rdata. opt_off and options_off are left 0 for the message parser.
 * Returns WIRE_OK or WIRE_EOPT_OPTION.
 */
int wire_edns_parse(uint16_t class, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen,
		    struct wire_edns *e);

/*
 * wire_edns_check - the version rule for requests.
 * Returns WIRE_OK (no EDNS, or version 0) or WIRE_EBADVERS: answer with rcode
 * BADVERS (header rcode 0, OPT ext_rcode 1, OPT version 0).
 */
int wire_edns_check(const struct wire_edns *e);

#endif /* SEKISHO_WIRE_EDNS_H */
