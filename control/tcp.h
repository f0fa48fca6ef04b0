/*
 * control/tcp: the TCP service thread.
 *
 * sekisho serves TCP on the slow path, through the kernel: the appliance's addresses
 * live on the exception tap's kernel interface, so ordinary kernel sockets work on
 * them and the kernel's segments travel through the dataplane both ways. One
 * pthread does two jobs with non-blocking sockets and epoll:
 *
 *  - Client DNS over TCP (RFC 7766): it listens on port 53 of every appliance
 *    address (IPv4 and IPv6), reads 2-byte length-prefixed queries (several per
 *    connection, pipelined), hands each to a worker in a message object through the
 *    worker's ring, and writes each answer when it comes back, in whatever order
 *    they finish. Silent connections close after tcp-idle-timeout seconds; at most
 *    tcp-max-connections are open at once (more are closed as soon as accepted).
 *
 *  - Upstream TCP: when the resolver of a worker wants a query sent over TCP (the
 *    server answered with TC=1), the worker hands the query to this thread; it writes
 *    the length-prefixed query on a connection to that server, reads the
 *    length-prefixed answer and hands it back to that worker. Connections are kept per
 *    server address and reused (RFC 7766 §6.2.1): several queries at once on one,
 *    answers matched by ID and question in whatever order they come, closed after
 *    tcp-upstream-idle-timeout unused or when the server closes them; a query that
 *    loses a reused connection before its answer is written once more on a fresh one.
 *    On failure (connect refused or out of time, connection lost) it returns nothing:
 *    the resolver's own deadline moves it on.
 *
 * The messages and rings are the dataplane's (struct upstream_msg, upstream.h):
 * workers never block, lock or allocate for TCP; this thread may do all three.
 */
#ifndef SEKISHO_CONTROL_TCP_H
#define SEKISHO_CONTROL_TCP_H

#include <stddef.h>
#include <stdint.h>

struct upstream_shared;

/* The service's counters: one table, one line per counter (name, help). */
#define TCP_COUNTERS(X) \
	X(accepted,          "client connections accepted") \
	X(refused,           "client connections closed at once: tcp-max-connections open") \
	X(open,              "client connections open now") \
	X(idle_closed,       "client connections closed after tcp-idle-timeout of silence") \
	X(peer_closed,       "client connections closed by the client") \
	X(queries,           "queries read from client connections") \
	X(answers,           "answers written to client connections") \
	X(unanswered,        "queries a worker dropped (no answer sent)") \
	X(late_answers,      "answers for a connection that had closed") \
	X(errors,            "client connections closed on an error or a bad length") \
	X(upstream_connects, "TCP connections opened to authoritative servers (connect started)") \
	X(upstream_reused,   "upstream queries written on a connection already open or opening") \
	X(upstream_open,     "upstream connections open now") \
	X(upstream_connect_failed, "upstream connects refused, unreachable or out of time") \
	X(upstream_idle_closed, "upstream connections closed after tcp-upstream-idle-timeout unused") \
	X(upstream_peer_closed, "upstream connections the server closed or reset") \
	X(upstream_retries,  "upstream queries written again on a fresh connection") \
	X(upstream_answers,  "answers read from authoritative servers over TCP") \
	X(upstream_unmatched, "upstream answers that matched no waiting query (late or wrong)") \
	X(upstream_failures, "upstream TCP queries that failed or ran out of time") \
	X(ring_full,         "messages lost: a worker's ring was full")

struct tcp_stats {
#define TCP_COUNTER_FIELD(name, help) uint64_t name;
	TCP_COUNTERS(TCP_COUNTER_FIELD)
#undef TCP_COUNTER_FIELD
};
extern const char *const tcp_counter_names[];
extern const char *const tcp_counter_help[];
#define TCP_N_COUNTERS (sizeof(struct tcp_stats) / sizeof(uint64_t))

/* An address to listen on. */
struct tcp_listen_addr {
	int family;                     /* AF_INET or AF_INET6 */
	uint8_t addr[16];               /* network byte order; IPv4 in the first 4 */
};

struct tcp_params {
	struct upstream_shared *up;     /* message pool and rings (upstream_tcp_create) */
	const struct tcp_listen_addr *addrs;
	size_t n_addrs;
	uint16_t port;                  /* 53 */
	uint32_t idle_timeout_s;        /* tcp-idle-timeout */
	uint32_t max_connections;       /* tcp-max-connections */
	uint32_t upstream_idle_timeout_s; /* tcp-upstream-idle-timeout (0: close once unused) */
};

struct tcp_service;

/*
 * Open the listening sockets and start the thread. Call after the workers run.
 * Returns the service, or NULL with a reason in err (a socket could not be bound,
 * no memory, no thread).
 */
struct tcp_service *tcp_start(const struct tcp_params *prm, char *err, size_t errlen);

/* Stop the thread, close every connection, return held messages to the pool. */
void tcp_stop(struct tcp_service *s);

/* The service's counters (read by control/stats.c; a read may be one update old). */
const struct tcp_stats *tcp_service_stats(const struct tcp_service *s);

#endif
