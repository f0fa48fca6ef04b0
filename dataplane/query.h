/*
 * dataplane/query: turn one DNS query message into its response message.
 *
 * Pure C over byte buffers (no DPDK), so unit tests call it directly. It decides
 * rcode and flags (FORMERR, NOTIMP, BADVERS, REFUSED), answers from local data,
 * echoes EDNS with the server's payload size, and truncates to what the client can
 * receive. Until the resolver lands, names outside local data are REFUSED.
 * Never allocates, locks or makes a syscall: it runs per packet on worker lcores.
 */
#ifndef SEKISHO_DATAPLANE_QUERY_H
#define SEKISHO_DATAPLANE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct local_db;

/* Per-worker query counters: one table, one line per counter (name, help). */
#define QUERY_COUNTERS(X) \
	X(queries,        "DNS messages received on UDP port 53") \
	X(responses,      "responses sent") \
	X(rcode_noerror,  "responses with rcode NOERROR") \
	X(rcode_formerr,  "responses with rcode FORMERR") \
	X(rcode_servfail, "responses with rcode SERVFAIL") \
	X(rcode_nxdomain, "responses with rcode NXDOMAIN") \
	X(rcode_notimp,   "responses with rcode NOTIMP") \
	X(rcode_refused,  "responses with rcode REFUSED") \
	X(rcode_badvers,  "responses with extended rcode BADVERS") \
	X(truncated,      "responses truncated to the client's size (TC=1)") \
	X(edns,           "queries with an EDNS OPT record") \
	X(do_bit,         "queries with the DNSSEC OK bit") \
	X(drop_short,     "dropped: shorter than a DNS header") \
	X(drop_response,  "dropped: QR=1, a response is never answered") \
	X(drop_policy,    "dropped: local zone of type deny") \
	X(drop_nospace,   "dropped: response did not fit the buffer")

struct query_stats {
#define QUERY_COUNTER_FIELD(name, help) uint64_t name;
	QUERY_COUNTERS(QUERY_COUNTER_FIELD)
#undef QUERY_COUNTER_FIELD
};

/* Names and help texts in the order of struct query_stats's fields. */
extern const char *const query_counter_names[];
extern const char *const query_counter_help[];
#define QUERY_N_COUNTERS (sizeof(struct query_stats) / sizeof(uint64_t))

/* What the worker needs to answer: an immutable snapshot, swapped by RCU later. */
struct query_env {
	const struct local_db *local;   /* may be NULL: no local data */
	uint16_t edns_buffer_size;      /* our UDP payload size, 512..4096 */
	bool recursion;                 /* RA=1; names local data does not serve are
	                                   for the cache and resolver (else REFUSED) */
};

/* What the cache and the resolver need of a query that local data did not answer. */
struct query_info {
	uint16_t id;
	uint16_t flags;          /* the request's header flags (RD, CD, opcode) */
	uint16_t q_off, q_len;   /* its question entry (name, type, class) in the request */
	uint16_t qtype, qclass;
	uint8_t qname_len;
	uint8_t qname[255];      /* uncompressed, letter case as sent */
	/* fields after qname: copied one by one by query_info_copy() */
	bool edns;               /* the client sent a usable OPT */
	bool do_bit;
	uint16_t limit;          /* largest UDP response this client takes */
};

/* *dst = *src, but only the name's bytes of qname (a name is short, the array
 * 255 bytes: the copy per deferred query is a fraction). */
static inline void query_info_copy(struct query_info *dst, const struct query_info *src)
{
	memcpy(dst, src, offsetof(struct query_info, qname));
	memcpy(dst->qname, src->qname, src->qname_len);
	dst->edns = src->edns;
	dst->do_bit = src->do_bit;
	dst->limit = src->limit;
}

enum query_verdict {
	QUERY_DROP = 0,          /* send nothing (counted) */
	QUERY_REPLY,             /* a response of *resp_len bytes is in resp */
	QUERY_RESOLVE,           /* for the cache / resolver: *qi is filled */
	QUERY_GROW,              /* the answer needs more than resp_cap and the client
	                          * takes more: nothing written or counted; ask again
	                          * with a larger resp (query_process only) */
};

/* Smallest response buffer query_respond accepts. */
#define QUERY_MIN_RESPONSE 512

/*
 * Build the response to the query in (req, req_len) into (resp, resp_cap).
 * resp may not overlap req. resp_cap should be at least the largest size the
 * client may receive (4096 covers every EDNS size sekisho accepts).
 *
 * Returns the response length (> 0), or 0 when the query must be dropped
 * (too short, QR=1, deny policy); the reason is counted in st.
 */
size_t query_respond(const struct query_env *env, const uint8_t *req, size_t req_len,
		     uint8_t *resp, size_t resp_cap, struct query_stats *st);

/*
 * Like query_respond, but a question no local data answers is not refused when
 * env->recursion is set: QUERY_RESOLVE with *qi describing it, nothing in resp.
 * resp_cap may be smaller than the client's size (a small receive buffer): a
 * local answer that needs more gives QUERY_GROW instead of a truncated one.
 */
enum query_verdict query_process(const struct query_env *env, const uint8_t *req,
				 size_t req_len, uint8_t *resp, size_t resp_cap,
				 struct query_stats *st, size_t *resp_len, struct query_info *qi);

/*
 * query_fast - the common query decided without the general parser: QR=0, opcode
 * QUERY, one question and no answer or authority records, class IN, a type other
 * than AXFR/IXFR, at most an OPT record (version 0, no options) and nothing after
 * it, a name no local zone encloses, recursion on. Such a query gets from
 * query_process() nothing but QUERY_RESOLVE; query_fast() fills *qi and counts it
 * the same way, reading the packet once.
 * @lname, @name_len: the question's name as the caller already checked and
 * lowercased it (cache_name_lower() of req + WIRE_HDR_LEN).
 * Returns true when it took the query; false: nothing counted, use query_process().
 */
bool query_fast(const struct query_env *env, const uint8_t *req, size_t req_len,
		const uint8_t *lname, size_t name_len, struct query_stats *st,
		struct query_info *qi);

/*
 * query_process for a query that came over TCP: answers are limited only by
 * resp_cap (at most 65535), never truncated to the UDP size (RFC 7766);
 * qi->limit is that limit too.
 */
enum query_verdict query_process_stream(const struct query_env *env, const uint8_t *req,
					size_t req_len, uint8_t *resp, size_t resp_cap,
					struct query_stats *st, size_t *resp_len,
					struct query_info *qi);

/*
 * Finish a response whose message (header with the client's ID, the client's
 * question, records; no OPT) is already in resp[0, len): RD/CD from the client,
 * QR and RA set, the OPT record appended for an EDNS client (with an EDE when ede
 * is not WIRE_EDE_NONE), and header + question with TC=1 when it does not fit the
 * client's size. Returns the length to send (0: drop, counted).
 */
size_t query_answer_image(const struct query_env *env, const struct query_info *qi,
			  uint8_t *resp, size_t len, size_t cap, int ede, const char *ede_text,
			  struct query_stats *st);

/*
 * query_answer_image with the checksum sum kept (wire_csum.h): *sum holds the sum
 * of resp[0, len) on entry and of the response on return, adjusted for what was
 * changed; WIRE_CSUM_UNKNOWN where that is not worth it (TC=1, an EDE).
 */
size_t query_answer_image_sum(const struct query_env *env, const struct query_info *qi,
			      uint8_t *resp, size_t len, size_t cap, int ede,
			      const char *ede_text, struct query_stats *st, uint32_t *sum);

/* Bytes query_answer_image needs in resp for a message of @len bytes, so that it
 * sends the message rather than TC=1 (its OPT record included). */
size_t query_answer_size(const struct query_env *env, const struct query_info *qi,
			 size_t len, int ede, const char *ede_text);

/* A response with no records (SERVFAIL...), optionally with an EDE. */
size_t query_answer_error(const struct query_env *env, const struct query_info *qi,
			  uint8_t rcode, uint8_t *resp, size_t cap, int ede,
			  const char *ede_text, struct query_stats *st);

#endif
