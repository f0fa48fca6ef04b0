/*
 * control/tcp: the TCP service thread (see tcp.h).
 *
 * Slow path: an ordinary pthread that may block, allocate and make syscalls. It
 * never touches worker state; it meets the workers only in message objects of the
 * shared pool, through rings (upstream.h).
 *
 * One epoll loop. Every socket is non-blocking and registered with a tag that says
 * what it is (listener, client connection, upstream connection), its index and, for
 * upstream connections, the use of the slot. The loop wakes for socket events and at
 * least every few milliseconds to collect what the workers sent (rings cannot wake a
 * thread), then closes connections that have been silent too long and ends upstream
 * exchanges past their deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_mempool.h>
#include <rte_ring.h>

#include "tcp.h"
#include "upstream.h"

const char *const tcp_counter_names[] = {
#define TCP_COUNTER_NAME(name, help) #name,
	TCP_COUNTERS(TCP_COUNTER_NAME)
#undef TCP_COUNTER_NAME
};
const char *const tcp_counter_help[] = {
#define TCP_COUNTER_HELP(name, help) help,
	TCP_COUNTERS(TCP_COUNTER_HELP)
#undef TCP_COUNTER_HELP
};

#define TCP_MAX_LISTEN 16
#define TCP_MAX_UPSTREAM 128        /* upstream exchanges at once */
#define TCP_UP_CONNS 64             /* upstream connections open at once, all servers */
#define TCP_UP_PIPELINE 16          /* queries waiting on one upstream connection */
#define TCP_UP_OUTBUF 8192          /* query bytes queued on one and not yet sent */
#define TCP_CONN_INFLIGHT 32        /* queries of one connection at the workers */
#define TCP_BACKLOG 128
#define TCP_WAIT_BUSY_MS 1          /* loop period while anything is at the workers */
#define TCP_WAIT_IDLE_MS 5          /* otherwise (upstream sends come unannounced) */

/* What an epoll event is for: the tag in the top byte, then the use of the slot (its
 * generation: an event still queued for a closed socket must not reach the next one
 * in that slot), then the slot's index in the low 24 bits. */
enum tcp_tag { TAG_LISTEN = 1, TAG_CONN, TAG_UPSTREAM };
#define TAG_IDX_BITS 24

static uint64_t tag_gen(enum tcp_tag t, uint32_t idx, uint32_t gen)
{
	return ((uint64_t)t << 56) | ((uint64_t)gen << TAG_IDX_BITS) | idx;
}

static uint64_t tag(enum tcp_tag t, uint32_t idx)
{
	return tag_gen(t, idx, 0);
}

/* Bytes of one answer that the socket did not take at once. */
struct tcp_out {
	struct tcp_out *next;
	size_t len, off;
	uint8_t data[];
};

/* A client connection. rbuf holds what was read and not yet handed to a worker. */
struct tcp_conn {
	int fd;
	uint32_t gen;                   /* this use of the slot (stale answers are dropped) */
	uint32_t in_flight;             /* queries at the workers */
	uint32_t events;                /* what epoll watches now */
	bool eof;                       /* the client closed its side */
	bool blocked;                   /* a whole query waits for a message object */
	uint64_t last_ms;               /* last query read or answer written */
	struct tcp_out *out_head, *out_tail;
	size_t rlen;
	uint8_t rbuf[2 + UPSTREAM_MSG_MAX];
};

/* One upstream query over TCP: the worker's message, the query until the answer. */
struct tcp_upq {
	bool busy;
	bool opened;                    /* it opened the connection it waits on */
	bool retried;                   /* already written once more on a fresh one */
	uint32_t conn;                  /* the connection it waits on */
	struct upstream_msg *msg;
	uint64_t deadline_ms;           /* the resolver's */
};

enum tcp_upc_state { UPC_CONNECTING = 1, UPC_OPEN };

/* A connection to one authoritative server, shared by the queries to it. */
struct tcp_upconn {
	enum tcp_upc_state state;
	int fd;
	uint32_t gen;                   /* this use of the slot (epoll tag) */
	uint32_t events;                /* what epoll watches now */
	struct resolve_addr server;
	uint64_t connect_deadline_ms;   /* the first query's deadline */
	uint64_t idle_since_ms;         /* when the last waiting query left */
	uint32_t n_wait;
	uint32_t wait[TCP_UP_PIPELINE]; /* exchanges waiting for their answer on it */
	size_t out_off, out_len;        /* queued query bytes: sent, queued */
	size_t in_len;                  /* answer bytes read, not yet handed over */
	uint8_t out[TCP_UP_OUTBUF];     /* (the buffers last: set-up clears what is above) */
	uint8_t in[2 + UPSTREAM_MSG_MAX];
};

struct tcp_service {
	struct tcp_params prm;
	struct upstream_shared *up;
	pthread_t thread;
	volatile bool quit;
	int ep;
	int listen_fd[TCP_MAX_LISTEN];
	size_t n_listen;
	struct tcp_conn **conns;        /* [max_connections], NULL: free */
	uint32_t n_open;
	uint32_t at_workers;            /* client queries the workers have */
	uint32_t next_gen;
	struct tcp_upq upq[TCP_MAX_UPSTREAM];
	uint32_t n_upq;
	struct tcp_upconn *upc[TCP_UP_CONNS];  /* NULL: free */
	uint32_t n_upc;
	uint32_t next_upc_gen;
	struct tcp_stats stats;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void ep_set(struct tcp_service *s, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	epoll_ctl(s->ep, op, fd, &ev);
}

/* ---- listening --------------------------------------------------------------------- */

static int open_listener(const struct tcp_listen_addr *a, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;
	int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->addr, 4);
		sl = sizeof(*sin);
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->addr, 16);
		sl = sizeof(*sin6);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, TCP_BACKLOG) != 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

/* ---- client connections ------------------------------------------------------------ */

/* Watch for input unless the client is done or must wait; for output while any waits. */
static void conn_update_events(struct tcp_service *s, uint32_t idx)
{
	struct tcp_conn *c = s->conns[idx];
	uint32_t want = ((c->eof || c->blocked) ? 0 : EPOLLIN) | (c->out_head ? EPOLLOUT : 0);

	if (want != c->events) {
		c->events = want;
		ep_set(s, EPOLL_CTL_MOD, c->fd, want, tag(TAG_CONN, idx));
	}
}

static void conn_close(struct tcp_service *s, uint32_t idx)
{
	struct tcp_conn *c = s->conns[idx];

	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	while (c->out_head != NULL) {
		struct tcp_out *o = c->out_head;

		c->out_head = o->next;
		free(o);
	}
	/* Answers still at the workers are dropped when they come back (gen differs). */
	s->at_workers -= c->in_flight;
	free(c);
	s->conns[idx] = NULL;
	s->n_open--;
	s->stats.open = s->n_open;
}

static void conn_error(struct tcp_service *s, uint32_t idx)
{
	s->stats.errors++;
	conn_close(s, idx);
}

/* Nothing left to do for a client that closed its side: close ours. */
static bool conn_finished(struct tcp_service *s, uint32_t idx)
{
	struct tcp_conn *c = s->conns[idx];

	if (!c->eof || c->blocked || c->in_flight > 0 || c->out_head != NULL)
		return false;
	s->stats.peer_closed++;
	conn_close(s, idx);
	return true;
}

static void accept_all(struct tcp_service *s, int lfd)
{
	for (;;) {
		int one = 1, fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct tcp_conn *c;
		uint32_t idx;

		if (fd < 0)
			return;
		if (s->n_open >= s->prm.max_connections ||
		    (c = malloc(sizeof(*c))) == NULL) {
			s->stats.refused++;
			close(fd);
			continue;
		}
		for (idx = 0; s->conns[idx] != NULL; idx++)
			;
		memset(c, 0, offsetof(struct tcp_conn, rbuf));
		c->fd = fd;
		c->gen = ++s->next_gen;
		c->last_ms = now_ms();
		c->events = EPOLLIN;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		s->conns[idx] = c;
		s->n_open++;
		s->stats.open = s->n_open;
		s->stats.accepted++;
		ep_set(s, EPOLL_CTL_ADD, fd, EPOLLIN, tag(TAG_CONN, idx));
	}
}

/* The worker for a query: by its question name, so that identical questions meet. */
static uint16_t pick_worker(const struct tcp_service *s, const uint8_t *q, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 12; i < len && q[i] != 0 && i < 12 + 255; i++)
		h = (h ^ (uint32_t)(q[i] | 0x20)) * 16777619u;
	return (uint16_t)(h % s->up->n_workers);
}

/* Hand every whole query in rbuf to a worker, as long as objects and room allow. */
static void conn_dispatch(struct tcp_service *s, uint32_t idx)
{
	struct tcp_conn *c = s->conns[idx];

	c->blocked = false;
	while (c->rlen >= 2) {
		size_t qlen = ((size_t)c->rbuf[0] << 8) | c->rbuf[1];
		struct upstream_msg *msg;

		if (qlen < 12) {                /* not even a DNS header */
			conn_error(s, idx);
			return;
		}
		if (c->rlen < 2 + qlen)
			break;
		if (c->in_flight >= TCP_CONN_INFLIGHT ||
		    rte_mempool_get(s->up->msg_pool, (void **)&msg) != 0) {
			c->blocked = true;
			break;
		}
		msg->kind = UPSTREAM_MSG_CLIENT;
		msg->worker = pick_worker(s, c->rbuf + 2, qlen);
		msg->conn = idx;
		msg->conn_gen = c->gen;
		msg->len = (uint16_t)qlen;
		memcpy(msg->data, c->rbuf + 2, qlen);
		if (rte_ring_enqueue(s->up->tcp_in[msg->worker], msg) != 0) {
			rte_mempool_put(s->up->msg_pool, msg);
			s->stats.ring_full++;
			c->blocked = true;
			break;
		}
		c->in_flight++;
		s->at_workers++;
		s->stats.queries++;
		c->rlen -= 2 + qlen;
		memmove(c->rbuf, c->rbuf + 2 + qlen, c->rlen);
	}
	conn_update_events(s, idx);
}

static void conn_readable(struct tcp_service *s, uint32_t idx)
{
	struct tcp_conn *c = s->conns[idx];
	ssize_t n = read(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		conn_error(s, idx);
		return;
	}
	if (n == 0) {
		c->eof = true;
	} else {
		c->rlen += (size_t)n;
		c->last_ms = now_ms();
	}
	conn_dispatch(s, idx);
	if (s->conns[idx] != NULL)
		conn_finished(s, idx);
}

/* Write what is queued; false when the connection was closed on an error. */
static bool conn_flush(struct tcp_service *s, uint32_t idx)
{
	struct tcp_conn *c = s->conns[idx];

	while (c->out_head != NULL) {
		struct tcp_out *o = c->out_head;
		ssize_t n = write(c->fd, o->data + o->off, o->len - o->off);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			conn_error(s, idx);
			return false;
		}
		o->off += (size_t)n;
		if (o->off < o->len)
			break;
		c->out_head = o->next;
		if (c->out_head == NULL)
			c->out_tail = NULL;
		free(o);
	}
	conn_update_events(s, idx);
	return true;
}

/* Queue one answer (with its length prefix) and write what the socket takes now. */
static void conn_send(struct tcp_service *s, uint32_t idx, const uint8_t *msg, size_t len)
{
	struct tcp_conn *c = s->conns[idx];
	struct tcp_out *o = malloc(sizeof(*o) + 2 + len);

	if (o == NULL) {
		conn_error(s, idx);
		return;
	}
	o->next = NULL;
	o->len = 2 + len;
	o->off = 0;
	o->data[0] = (uint8_t)(len >> 8);
	o->data[1] = (uint8_t)len;
	memcpy(o->data + 2, msg, len);
	if (c->out_tail != NULL)
		c->out_tail->next = o;
	else
		c->out_head = o;
	c->out_tail = o;
	if (conn_flush(s, idx))
		s->stats.answers++;
}

/* A worker's answer to a client query (len 0: the worker dropped the query). */
static void client_answer(struct tcp_service *s, struct upstream_msg *msg)
{
	uint32_t idx = msg->conn;
	struct tcp_conn *c = idx < s->prm.max_connections ? s->conns[idx] : NULL;

	if (c == NULL || c->gen != msg->conn_gen) {
		s->stats.late_answers++;
		return;
	}
	c->in_flight--;
	s->at_workers--;
	c->last_ms = now_ms();
	if (msg->len == 0)
		s->stats.unanswered++;
	else
		conn_send(s, idx, msg->data, msg->len);
	if (s->conns[idx] == NULL)
		return;
	if (c->blocked)
		conn_dispatch(s, idx);
	if (s->conns[idx] != NULL)
		conn_finished(s, idx);
}

/* Connections silent for tcp-idle-timeout with nothing in flight are closed. */
static void close_idle(struct tcp_service *s, uint64_t now)
{
	uint64_t idle = (uint64_t)s->prm.idle_timeout_s * 1000;

	for (uint32_t i = 0; i < s->prm.max_connections && s->n_open > 0; i++) {
		struct tcp_conn *c = s->conns[i];

		if (c != NULL && c->in_flight == 0 && c->out_head == NULL &&
		    c->last_ms + idle <= now) {
			s->stats.idle_closed++;
			conn_close(s, i);
		}
	}
}

/* ---- upstream connections ------------------------------------------------------------
 *
 * RFC 7766 §6.2.1: a connection to an authoritative server stays open after its answer
 * and carries the next queries to the same address, several at once (pipelined). The
 * server may answer them in any order, so an answer goes to the waiting query with the
 * same ID and question, and no two queries waiting on one connection share an ID. A
 * connection unused for tcp-upstream-idle-timeout seconds is closed, and so is one the
 * server closes (it may, §6.2.3). A query written on a connection that an earlier query
 * opened, which loses it before its answer came, is written once more on a fresh
 * connection: that is how a server's close that crossed our write looks. A connect that
 * fails (refused, unreachable, out of time) fails every query that waits for it, and
 * the resolver's deadline moves on to another server.
 *
 * An exchange (struct tcp_upq) holds a worker's message until the answer is read into
 * it; a connection (struct tcp_upconn) carries the bytes. The query is copied into the
 * connection's output buffer at once, so that an exchange that runs out of time can
 * leave its connection without tearing the byte stream: its late answer matches
 * nothing and is dropped.
 */

static void upc_update_events(struct tcp_service *s, uint32_t ci)
{
	struct tcp_upconn *c = s->upc[ci];
	uint32_t want = c->state == UPC_CONNECTING ? EPOLLOUT :
			EPOLLIN | (c->out_len > c->out_off ? EPOLLOUT : 0);

	if (want != c->events) {
		c->events = want;
		ep_set(s, EPOLL_CTL_MOD, c->fd, want, tag_gen(TAG_UPSTREAM, ci, c->gen));
	}
}

static void upc_close(struct tcp_service *s, uint32_t ci)
{
	struct tcp_upconn *c = s->upc[ci];

	epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
	s->upc[ci] = NULL;
	s->n_upc--;
	s->stats.upstream_open = s->n_upc;
}

static void upq_release(struct tcp_service *s, struct tcp_upq *u)
{
	u->busy = false;
	u->msg = NULL;
	s->n_upq--;
}

/* The message goes back empty (len 0): the worker's resolver moves on to its next
 * server now rather than at its deadline. (After the deadline the worker has
 * moved on already and ignores it.) */
static void upq_fail(struct tcp_service *s, uint32_t ei)
{
	struct tcp_upq *u = &s->upq[ei];

	s->stats.upstream_failures++;
	u->msg->len = 0;
	if (rte_ring_enqueue(s->up->tcp_in[u->msg->worker], u->msg) != 0) {
		s->stats.ring_full++;
		rte_mempool_put(s->up->msg_pool, u->msg);
	}
	upq_release(s, u);
}

/* The answer is in the message: back to the worker that asked. */
static void upq_deliver(struct tcp_service *s, uint32_t ei)
{
	struct tcp_upq *u = &s->upq[ei];

	if (rte_ring_enqueue(s->up->tcp_in[u->msg->worker], u->msg) != 0) {
		s->stats.ring_full++;
		rte_mempool_put(s->up->msg_pool, u->msg);
	} else {
		s->stats.upstream_answers++;
	}
	upq_release(s, u);
}

/* Exchange ei no longer waits on connection ci. */
static void upc_detach(struct tcp_service *s, uint32_t ci, uint32_t ei)
{
	struct tcp_upconn *c = s->upc[ci];

	for (uint32_t i = 0; i < c->n_wait; i++) {
		if (c->wait[i] == ei) {
			c->wait[i] = c->wait[--c->n_wait];
			break;
		}
	}
	if (c->n_wait == 0)
		c->idle_since_ms = now_ms();
}

static socklen_t server_sockaddr(const struct resolve_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, a->ip, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(a->port);
	memcpy(&sin6->sin6_addr, a->ip, 16);
	return sizeof(*sin6);
}

/* A free connection slot; when every one is taken, the one idle longest is closed. */
static int upc_free_slot(struct tcp_service *s)
{
	int idle = -1;

	for (uint32_t ci = 0; ci < TCP_UP_CONNS; ci++) {
		const struct tcp_upconn *c = s->upc[ci];

		if (c == NULL)
			return (int)ci;
		if (c->state == UPC_OPEN && c->n_wait == 0 &&
		    (idle < 0 || c->idle_since_ms < s->upc[idle]->idle_since_ms))
			idle = (int)ci;
	}
	if (idle >= 0) {
		s->stats.upstream_idle_closed++;
		upc_close(s, (uint32_t)idle);
	}
	return idle;
}

/* A non-blocking connect to server: the socket, or -1 (counted when refused at once). */
static int upc_connect(struct tcp_service *s, const struct resolve_addr *server, bool *done)
{
	struct sockaddr_storage ss;
	socklen_t sl = server_sockaddr(server, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int rc;

	if (fd < 0)
		return -1;
	s->stats.upstream_connects++;
	rc = connect(fd, (struct sockaddr *)&ss, sl);
	if (rc != 0 && errno != EINPROGRESS) {
		s->stats.upstream_connect_failed++;
		close(fd);
		return -1;
	}
	*done = rc == 0;
	return fd;
}

/* Start a connection to server; its connect must succeed by deadline. -1: none. */
static int upc_open(struct tcp_service *s, const struct resolve_addr *server,
		    uint64_t deadline)
{
	int ci = upc_free_slot(s);
	struct tcp_upconn *c;
	bool done = false;
	int fd;

	if (ci < 0 || (c = malloc(sizeof(*c))) == NULL)
		return -1;
	if ((fd = upc_connect(s, server, &done)) < 0) {
		free(c);
		return -1;
	}
	memset(c, 0, offsetof(struct tcp_upconn, out));
	c->fd = fd;
	c->gen = ++s->next_upc_gen;
	c->server = *server;
	c->state = done ? UPC_OPEN : UPC_CONNECTING;
	c->connect_deadline_ms = deadline;
	c->idle_since_ms = now_ms();
	c->events = done ? EPOLLIN : EPOLLOUT;
	s->upc[ci] = c;
	s->n_upc++;
	s->stats.upstream_open = s->n_upc;
	ep_set(s, EPOLL_CTL_ADD, fd, c->events, tag_gen(TAG_UPSTREAM, (uint32_t)ci, c->gen));
	return ci;
}

/* May msg's query go on connection c: same server, room, and no waiting query with its ID? */
static bool upc_can_take(const struct tcp_service *s, const struct tcp_upconn *c,
			 const struct upstream_msg *msg)
{
	if (!resolve_addr_equal(&c->server, &msg->server) || c->n_wait >= TCP_UP_PIPELINE ||
	    c->out_len - c->out_off + 2u + msg->len > TCP_UP_OUTBUF)
		return false;
	for (uint32_t i = 0; i < c->n_wait; i++) {
		const uint8_t *id = s->upq[c->wait[i]].msg->data;

		if (id[0] == msg->data[0] && id[1] == msg->data[1])
			return false;
	}
	return true;
}

static int upc_find(const struct tcp_service *s, const struct upstream_msg *msg)
{
	for (uint32_t ci = 0; ci < TCP_UP_CONNS; ci++)
		if (s->upc[ci] != NULL && upc_can_take(s, s->upc[ci], msg))
			return (int)ci;
	return -1;
}

static void upc_lost(struct tcp_service *s, uint32_t ci);

/* The server closed or reset an established connection. */
static void upc_peer_closed(struct tcp_service *s, uint32_t ci)
{
	s->stats.upstream_peer_closed++;
	upc_lost(s, ci);
}

/* Write what the output buffer holds; false when the connection was lost. */
static bool upc_flush(struct tcp_service *s, uint32_t ci)
{
	struct tcp_upconn *c = s->upc[ci];

	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			upc_peer_closed(s, ci);
			return false;
		}
		c->out_off += (size_t)n;
	}
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	upc_update_events(s, ci);
	return true;
}

/* Queue msg's query, with its length prefix, behind what c has not sent yet. */
static void upc_append(struct tcp_upconn *c, const struct upstream_msg *msg)
{
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	c->out[c->out_len] = (uint8_t)(msg->len >> 8);
	c->out[c->out_len + 1] = (uint8_t)msg->len;
	memcpy(c->out + c->out_len + 2, msg->data, msg->len);
	c->out_len += 2u + msg->len;
}

/*
 * Put exchange ei on a connection to its server: one already there with room (reuse),
 * else a new one; a retry always gets a new one. When none can be had, ei fails.
 */
static void upq_assign(struct tcp_service *s, uint32_t ei, bool fresh)
{
	struct tcp_upq *u = &s->upq[ei];
	int ci = fresh ? -1 : upc_find(s, u->msg);
	struct tcp_upconn *c;

	u->opened = ci < 0;
	if (ci >= 0) {
		s->stats.upstream_reused++;
	} else if ((ci = upc_open(s, &u->msg->server, u->deadline_ms)) < 0) {
		upq_fail(s, ei);
		return;
	}
	c = s->upc[ci];
	upc_append(c, u->msg);
	c->wait[c->n_wait++] = ei;
	u->conn = (uint32_t)ci;
	if (c->state == UPC_OPEN)
		upc_flush(s, (uint32_t)ci);
}

/*
 * Connection ci is gone (the server closed or reset it, or its connect failed): close
 * it, then write each waiting query once more on a fresh connection when it rode on a
 * connection another query had opened and was established, else fail it.
 */
static void upc_lost(struct tcp_service *s, uint32_t ci)
{
	struct tcp_upconn *c = s->upc[ci];
	uint32_t wait[TCP_UP_PIPELINE], n = c->n_wait;
	bool established = c->state == UPC_OPEN;

	memcpy(wait, c->wait, n * sizeof(wait[0]));
	upc_close(s, ci);
	for (uint32_t i = 0; i < n; i++) {
		struct tcp_upq *u = &s->upq[wait[i]];

		if (established && !u->opened && !u->retried) {
			u->retried = true;
			s->stats.upstream_retries++;
			upq_assign(s, wait[i], true);
		} else {
			upq_fail(s, wait[i]);
		}
	}
}

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* The question of a query, or of an answer that has one: its bytes from offset 12. */
static size_t question_len(const uint8_t *m, size_t len)
{
	size_t off = 12;

	while (off < len && m[off] != 0) {
		if (m[off] > 63)                /* a pointer: never in a first name */
			return 0;
		off += 1u + m[off];
	}
	return off + 5 <= len ? off + 5 - 12 : 0;
}

/* Is a (alen bytes) the answer to query q: same ID and the same question, the name
 * without regard to case? An answer without a question (FORMERR) matches by ID. */
static bool answer_matches(const uint8_t *q, size_t qlen, const uint8_t *a, size_t alen)
{
	size_t ql = question_len(q, qlen);

	if (a[0] != q[0] || a[1] != q[1] || !(a[2] & 0x80))
		return false;
	if (a[4] == 0 && a[5] == 0)
		return true;
	if (ql == 0 || question_len(a, alen) != ql)
		return false;
	for (size_t i = 12; i < 12 + ql - 4; i++)       /* length bytes never fold */
		if (ascii_lower(q[i]) != ascii_lower(a[i]))
			return false;
	return memcmp(q + 8 + ql, a + 8 + ql, 4) == 0;  /* type and class */
}

/* A whole answer on connection ci: to the query it answers, if one still waits. */
static void upc_answer(struct tcp_service *s, uint32_t ci, const uint8_t *a, size_t alen)
{
	struct tcp_upconn *c = s->upc[ci];

	for (uint32_t i = 0; alen >= 12 && i < c->n_wait; i++) {
		uint32_t ei = c->wait[i];
		struct upstream_msg *msg = s->upq[ei].msg;

		if (!answer_matches(msg->data, msg->len, a, alen))
			continue;
		memcpy(msg->data, a, alen);
		msg->len = (uint16_t)alen;
		upc_detach(s, ci, ei);
		upq_deliver(s, ei);
		return;
	}
	s->stats.upstream_unmatched++;
}

/* Hand over every whole answer in the input buffer; keep the start of the next. */
static void upc_take_answers(struct tcp_service *s, uint32_t ci)
{
	struct tcp_upconn *c = s->upc[ci];
	size_t off = 0;

	while (c->in_len - off >= 2) {
		size_t alen = ((size_t)c->in[off] << 8) | c->in[off + 1];

		if (c->in_len - off < 2 + alen)
			break;
		upc_answer(s, ci, c->in + off + 2, alen);
		off += 2 + alen;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

/* Read what the server sent; false when the connection was lost. */
static bool upc_read(struct tcp_service *s, uint32_t ci)
{
	struct tcp_upconn *c = s->upc[ci];

	for (;;) {
		ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		if (n <= 0) {
			upc_peer_closed(s, ci);
			return false;
		}
		c->in_len += (size_t)n;
		upc_take_answers(s, ci);
	}
}

/* The connect of ci finished: now open, or failed. */
static bool upc_connected(struct tcp_service *s, uint32_t ci)
{
	struct tcp_upconn *c = s->upc[ci];
	int err = 0;
	socklen_t el = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
		s->stats.upstream_connect_failed++;
		upc_lost(s, ci);
		return false;
	}
	c->state = UPC_OPEN;
	return true;
}

static void upstream_event(struct tcp_service *s, uint32_t ci, uint32_t events)
{
	struct tcp_upconn *c = s->upc[ci];

	if (c->state == UPC_CONNECTING && !upc_connected(s, ci))
		return;
	if (!upc_flush(s, ci))
		return;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		upc_read(s, ci);
}

/* A worker wants msg's query sent over TCP. */
static void upstream_begin(struct tcp_service *s, struct upstream_msg *msg)
{
	uint32_t ei;
	struct tcp_upq *u;

	for (ei = 0; ei < TCP_MAX_UPSTREAM && s->upq[ei].busy; ei++)
		;
	if (ei == TCP_MAX_UPSTREAM || msg->len < 12 || 2u + msg->len > TCP_UP_OUTBUF) {
		s->stats.upstream_failures++;
		rte_mempool_put(s->up->msg_pool, msg);
		return;
	}
	u = &s->upq[ei];
	u->busy = true;
	u->retried = false;
	u->msg = msg;
	u->deadline_ms = now_ms() + msg->timeout_ms;
	s->n_upq++;
	upq_assign(s, ei, false);
}

/* Connects that ran out of time, then queries that did (the resolver has moved on). */
static void upstream_expire(struct tcp_service *s, uint64_t now)
{
	for (uint32_t ci = 0; ci < TCP_UP_CONNS && s->n_upc > 0; ci++) {
		struct tcp_upconn *c = s->upc[ci];

		if (c != NULL && c->state == UPC_CONNECTING && now >= c->connect_deadline_ms) {
			s->stats.upstream_connect_failed++;
			upc_lost(s, ci);
		}
	}
	for (uint32_t ei = 0; ei < TCP_MAX_UPSTREAM && s->n_upq > 0; ei++) {
		struct tcp_upq *u = &s->upq[ei];

		if (u->busy && now >= u->deadline_ms) {
			upc_detach(s, u->conn, ei);
			upq_fail(s, ei);
		}
	}
}

/* Connections unused for tcp-upstream-idle-timeout are closed. */
static void upstream_close_idle(struct tcp_service *s, uint64_t now)
{
	uint64_t idle = (uint64_t)s->prm.upstream_idle_timeout_s * 1000;

	for (uint32_t ci = 0; ci < TCP_UP_CONNS && s->n_upc > 0; ci++) {
		struct tcp_upconn *c = s->upc[ci];

		if (c != NULL && c->state == UPC_OPEN && c->n_wait == 0 &&
		    c->idle_since_ms + idle <= now) {
			s->stats.upstream_idle_closed++;
			upc_close(s, ci);
		}
	}
}

/* ---- the loop ----------------------------------------------------------------------- */

/* Everything the workers sent: answers for clients, queries for upstream servers. */
static void drain_workers(struct tcp_service *s)
{
	void *ms[64];
	unsigned int n;

	do {
		n = rte_ring_dequeue_burst(s->up->tcp_out, ms, RTE_DIM(ms), NULL);
		for (unsigned int i = 0; i < n; i++) {
			struct upstream_msg *msg = ms[i];

			if (msg->kind == UPSTREAM_MSG_UPSTREAM) {
				upstream_begin(s, msg);
				continue;
			}
			client_answer(s, msg);
			rte_mempool_put(s->up->msg_pool, msg);
		}
	} while (n == RTE_DIM(ms));
}

static void handle_event(struct tcp_service *s, const struct epoll_event *ev)
{
	uint32_t idx = (uint32_t)(ev->data.u64 & ((1u << TAG_IDX_BITS) - 1));

	switch ((enum tcp_tag)(ev->data.u64 >> 56)) {
	case TAG_LISTEN:
		accept_all(s, s->listen_fd[idx]);
		break;
	case TAG_CONN:
		if (s->conns[idx] == NULL)
			break;
		if (ev->events & (EPOLLERR | EPOLLHUP) && !(ev->events & EPOLLIN)) {
			conn_error(s, idx);
			break;
		}
		if ((ev->events & EPOLLOUT) && !conn_flush(s, idx))
			break;
		if (ev->events & EPOLLIN)
			conn_readable(s, idx);
		else
			conn_finished(s, idx);
		break;
	case TAG_UPSTREAM:
		if (idx < TCP_UP_CONNS && s->upc[idx] != NULL &&
		    s->upc[idx]->gen == (uint32_t)(ev->data.u64 >> TAG_IDX_BITS))
			upstream_event(s, idx, ev->events);
		break;
	}
}

static void *tcp_main(void *arg)
{
	struct tcp_service *s = arg;
	struct epoll_event evs[64];
	uint64_t next_sweep = 0;

	while (!s->quit) {
		int wait = s->at_workers > 0 || s->n_upq > 0 ? TCP_WAIT_BUSY_MS : TCP_WAIT_IDLE_MS;
		int n = epoll_wait(s->ep, evs, RTE_DIM(evs), wait);
		uint64_t now;

		for (int i = 0; i < n; i++)
			handle_event(s, &evs[i]);
		drain_workers(s);
		now = now_ms();
		if (now >= next_sweep) {
			close_idle(s, now);
			next_sweep = now + 100;
		}
		/* Every turn (64 slots): with a timeout of 0 no connection outlives its use. */
		upstream_close_idle(s, now);
		upstream_expire(s, now);
	}
	return NULL;
}

/* ---- start and stop ---------------------------------------------------------------- */

static void service_free(struct tcp_service *s)
{
	if (s->conns != NULL) {
		for (uint32_t i = 0; i < s->prm.max_connections; i++)
			if (s->conns[i] != NULL)
				conn_close(s, i);
		free(s->conns);
	}
	for (uint32_t i = 0; i < TCP_MAX_UPSTREAM; i++) {
		if (s->upq[i].busy) {
			/* stopping: the workers are gone, nothing goes back */
			rte_mempool_put(s->up->msg_pool, s->upq[i].msg);
			upq_release(s, &s->upq[i]);
		}
	}
	for (uint32_t i = 0; i < TCP_UP_CONNS; i++)
		if (s->upc[i] != NULL)
			upc_close(s, i);
	for (size_t i = 0; i < s->n_listen; i++)
		close(s->listen_fd[i]);
	if (s->ep >= 0)
		close(s->ep);
	free(s);
}

struct tcp_service *tcp_start(const struct tcp_params *prm, char *err, size_t errlen)
{
	struct tcp_service *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->prm = *prm;
	s->up = prm->up;
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	s->conns = calloc(prm->max_connections, sizeof(*s->conns));
	if (s->ep < 0 || s->conns == NULL || s->up == NULL || s->up->msg_pool == NULL) {
		snprintf(err, errlen, "cannot set up: %s", s->ep < 0 ? strerror(errno) :
			 "no memory or no message pool");
		service_free(s);
		return NULL;
	}
	for (size_t i = 0; i < prm->n_addrs && s->n_listen < TCP_MAX_LISTEN; i++) {
		int fd = open_listener(&prm->addrs[i], prm->port);

		if (fd < 0) {
			snprintf(err, errlen, "cannot listen on TCP port %u of address %zu: %s",
				 prm->port, i + 1, strerror(-fd));
			service_free(s);
			return NULL;
		}
		s->listen_fd[s->n_listen] = fd;
		ep_set(s, EPOLL_CTL_ADD, fd, EPOLLIN, tag(TAG_LISTEN, (uint32_t)s->n_listen));
		s->n_listen++;
	}
	if (pthread_create(&s->thread, NULL, tcp_main, s) != 0) {
		snprintf(err, errlen, "cannot start the TCP thread");
		service_free(s);
		return NULL;
	}
	pthread_setname_np(s->thread, "sk-tcp");
	return s;
}

void tcp_stop(struct tcp_service *s)
{
	if (s == NULL)
		return;
	s->quit = true;
	pthread_join(s->thread, NULL);
	/* Messages still in the rings go with the pool. */
	service_free(s);
}

const struct tcp_stats *tcp_service_stats(const struct tcp_service *s)
{
	return &s->stats;
}
