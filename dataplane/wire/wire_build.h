/*
 * wire_build.h - building DNS messages: responses to clients, queries upstream.
 *
 * A struct wire_builder writes into a caller's buffer under a size limit, keeps a
 * small table of names already written so later names are compressed against them
 * (RFC 1035 §4.1.4), keeps the header counts up to date after every call (the
 * buffer always holds a complete message of b->len bytes), and records where each
 * record's TTL field is so a cached image can have its TTLs patched on a hit.
 * No allocation: all state is inside the struct. Include "wire.h" (which includes
 * this file) for the error codes and section numbers.
 *
 * Order of calls: wire_build_init, wire_build_header, a question, then records
 * section by section (answer, authority, additional; going back to an earlier
 * section is WIRE_EINVAL), the OPT record with the additional records.
 *
 * Truncation rule (RFC 2181 §9, RFC 6891 §7) for callers building a UDP response:
 *   1. compute the limit with wire_response_limit() and give it to wire_build_init;
 *   2. if the request had EDNS, wire_build_reserve(b, wire_build_opt_size(...))
 *      before adding records, so the OPT always fits;
 *   3. add records; when an answer or authority record returns WIRE_ENOSPC, call
 *      wire_build_set_tc() and add no further answer or authority records (an
 *      additional record that does not fit is just left out, without TC);
 *   4. still add the OPT (wire_build_opt uses the reserved room first).
 * A record that does not fit leaves nothing behind: b->len, the counts and the
 * compression table are as they were before the call.
 */
#ifndef SEKISHO_WIRE_BUILD_H
#define SEKISHO_WIRE_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct wire_edns;

#define WIRE_COMPR_MAX 64      /* names (suffixes) remembered for compression */
#define WIRE_BUILD_TTL_MAX 128 /* TTL field offsets remembered */
#define WIRE_PTR_MAX 0x3FFF    /* highest offset a compression pointer can reach */

/* A suffix written at @off in the buffer whose expanded length is @len. */
struct wire_compr_ent {
	uint16_t off;
	uint8_t len;
};

struct wire_builder {
	uint8_t *buf;
	size_t cap;       /* bytes buf can hold */
	size_t limit;     /* the message may not grow past this (<= cap) */
	size_t len;       /* bytes of message written so far */
	size_t reserved;  /* bytes under limit kept free (for OPT) */
	uint8_t section;  /* last section written to (enum wire_section) */
	uint16_t count[4];/* QD, AN, NS, AR */
	uint16_t compr_count;
	struct wire_compr_ent compr[WIRE_COMPR_MAX];
	/* Offsets of the TTL fields of every record written (OPT excluded), in order.
	 * ttl_overflow: more records than WIRE_BUILD_TTL_MAX; the list is incomplete
	 * and the image must not be TTL-patched (do not cache it). */
	uint16_t ttl_count;
	bool ttl_overflow;
	uint16_t ttl_off[WIRE_BUILD_TTL_MAX];
};

/* What goes into an OPT record we send. */
struct wire_opt_params {
	uint16_t udp_size;     /* our receive buffer size */
	uint8_t ext_rcode;     /* upper 8 bits of the rcode (1 for BADVERS) */
	uint8_t version;       /* 0 */
	bool do_bit;           /* echo the client's DO */
	int ede_code;          /* enum wire_ede, or WIRE_EDE_NONE */
	const char *ede_text;  /* optional UTF-8 text, may be NULL */
	uint16_t ede_text_len;
	const uint8_t *cookie; /* client cookie (8) + server cookie (8..32), or NULL */
	uint8_t cookie_len;    /* 0, 8 or 16..40 */
};

/*
 * wire_response_limit - how large a UDP response to this request may be:
 * 512 without EDNS, else max(512, min(client's udp_size, @our_size)).
 */
size_t wire_response_limit(const struct wire_edns *req, uint16_t our_size);

/* The same for a client that sent EDNS with @udp_size. */
static inline size_t wire_response_limit_edns(uint16_t udp_size, uint16_t our_size)
{
	size_t size = udp_size < our_size ? udp_size : our_size;

	return size < WIRE_UDP_MIN ? WIRE_UDP_MIN : size;
}

/*
 * wire_build_init - start an empty message in @buf (@cap bytes) that may not grow
 * past @limit bytes (clamped to @cap and 65535).
 */
void wire_build_init(struct wire_builder *b, uint8_t *buf, size_t cap, size_t limit);

/*
 * wire_build_header - write the header (all counts 0). Must be the first call.
 * Returns WIRE_OK, WIRE_EINVAL (not first) or WIRE_ENOSPC.
 */
int wire_build_header(struct wire_builder *b, uint16_t id, uint16_t flags);

/*
 * wire_build_question_raw - copy a question entry verbatim (name with the client's
 * letter case, QTYPE, QCLASS), e.g. pkt[q.name_off, q.end_off) from
 * wire_parse_question(). Its name must be uncompressed; it becomes a compression
 * target for the records that follow.
 * Returns WIRE_OK, WIRE_EINVAL (bad bytes, or records already added), WIRE_ENOSPC.
 */
int wire_build_question_raw(struct wire_builder *b, const uint8_t *q, size_t qlen);

/*
 * wire_build_question - write a question from an uncompressed @name.
 * Same returns as wire_build_question_raw().
 */
int wire_build_question(struct wire_builder *b, const uint8_t *name, size_t nlen,
			uint16_t qtype, uint16_t qclass);

/*
 * wire_build_rr - append one record to @section.
 * @owner, @olen: uncompressed owner name; it is compressed against earlier names.
 * @rdata, @rdlen: uncompressed RDATA. Names inside the RDATA of NS, CNAME, PTR, MX
 *   and SOA are compressed too; other types are copied as they are (RFC 3597 §4).
 * The record's TTL offset is recorded (see struct wire_builder).
 * Returns WIRE_OK; WIRE_ENOSPC when it would cross limit - reserved (nothing is
 * written then); WIRE_EINVAL for an invalid name or RDATA, or a section out of order.
 */
int wire_build_rr(struct wire_builder *b, uint8_t section, const uint8_t *owner, size_t olen,
		  uint16_t type, uint16_t class, uint32_t ttl,
		  const uint8_t *rdata, uint16_t rdlen);

/*
 * wire_build_reserve - keep @n more bytes under the limit free for later (OPT).
 * Returns WIRE_OK or WIRE_ENOSPC if they are no longer free.
 */
int wire_build_reserve(struct wire_builder *b, size_t n);

/* wire_build_release - give back up to @n reserved bytes. */
void wire_build_release(struct wire_builder *b, size_t n);

/* wire_build_opt_size - bytes the OPT record described by @p takes. */
size_t wire_build_opt_size(const struct wire_opt_params *p);

/*
 * wire_build_opt - append the OPT record (additional section): cookie option first
 * when given, then the EDE option when p->ede_code is not WIRE_EDE_NONE. Reserved
 * room is used first and released by as much as the OPT takes.
 * Returns WIRE_OK, WIRE_ENOSPC, or WIRE_EINVAL (bad cookie length, section order).
 */
int wire_build_opt(struct wire_builder *b, const struct wire_opt_params *p);

/* wire_build_set_tc - set TC=1 in the header written by wire_build_header(). */
void wire_build_set_tc(struct wire_builder *b);

/* wire_build_set_rcode - set the header's 4 rcode bits (extended bits go in OPT). */
void wire_build_set_rcode(struct wire_builder *b, uint8_t rcode);

#endif /* SEKISHO_WIRE_BUILD_H */
