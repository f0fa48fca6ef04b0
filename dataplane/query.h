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

#include <stddef.h>
#include <stdint.h>

struct local_db;

/* Per-worker query counters: one table, one line per counter (name, help). */
#define QUERY_COUNTERS(X) \
	X(queries,        "DNS messages received on UDP port 53") \
	X(responses,      "responses sent") \
	X(rcode_noerror,  "responses with rcode NOERROR") \
	X(rcode_formerr,  "responses with rcode FORMERR") \
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

#endif
