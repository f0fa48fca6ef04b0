/*
 * control/tcp: the TCP service thread (see tcp.h).
 *
 * Slow path: an ordinary pthread that may block, allocate and make syscalls. It
 * never touches worker state; it meets the workers only in message objects of the
 * shared pool, through rings (upstream.h).
 *
 * One epoll loop. Every socket is non-blocking and registered with a tag that says
 * what it is (listener, client connection, upstream exchange) and its index. The
 * loop wakes for socket events and at least every few milliseconds to collect what
 * the workers sent (rings cannot wake a thread), then closes connections that have
 * been silent too long and upstream exchanges past their deadline.
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
#include <sys/uio.h>
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
#define TCP_CONN_INFLIGHT 32        /* queries of one connection at the workers */
#define TCP_BACKLOG 128
#define TCP_WAIT_BUSY_MS 1          /* loop period while anything is at the workers */
#define TCP_WAIT_IDLE_MS 5          /* otherwise (upstream sends come unannounced) */

/* What an epoll event is for: the tag in the top byte, the index below. */
enum tcp_tag { TAG_LISTEN = 1, TAG_CONN, TAG_UPSTREAM };

static uint64_t tag(enum tcp_tag t, uint32_t idx)
{
	return ((uint64_t)t << 56) | idx;
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

enum tcp_up_state { UP_FREE = 0, UP_CONNECTING, UP_WRITING, UP_READING };

/* One upstream exchange: connect, write the query, read the answer into msg. */
struct tcp_upq {
	enum tcp_up_state state;
	int fd;
	struct upstream_msg *msg;
	uint64_t deadline_ms;
	uint16_t qlen;                  /* query bytes in msg->data */
	size_t off;                     /* of 2 + qlen written, or of 2 + alen read */
	uint8_t hdr[2];
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

/* ---- upstream exchanges ------------------------------------------------------------- */

static void upq_end(struct tcp_service *s, struct tcp_upq *u, bool answered)
{
	if (u->fd >= 0) {
		epoll_ctl(s->ep, EPOLL_CTL_DEL, u->fd, NULL);
		close(u->fd);
	}
	u->fd = -1;
	u->state = UP_FREE;
	s->n_upq--;
	if (!answered) {
		s->stats.upstream_failures++;
		rte_mempool_put(s->up->msg_pool, u->msg);
	} else if (rte_ring_enqueue(s->up->tcp_in[u->msg->worker], u->msg) != 0) {
		s->stats.ring_full++;
		rte_mempool_put(s->up->msg_pool, u->msg);
	} else {
		s->stats.upstream_answers++;
	}
	u->msg = NULL;
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

/* A worker wants msg's query sent over TCP: start connecting. */
static void upstream_begin(struct tcp_service *s, struct upstream_msg *msg)
{
	struct sockaddr_storage ss;
	socklen_t sl = server_sockaddr(&msg->server, &ss);
	struct tcp_upq *u = NULL;
	uint32_t idx;

	for (idx = 0; idx < TCP_MAX_UPSTREAM; idx++) {
		if (s->upq[idx].state == UP_FREE) {
			u = &s->upq[idx];
			break;
		}
	}
	if (u == NULL) {
		s->stats.upstream_failures++;
		rte_mempool_put(s->up->msg_pool, msg);
		return;
	}
	s->n_upq++;
	u->msg = msg;
	u->qlen = msg->len;
	u->off = 0;
	u->hdr[0] = (uint8_t)(msg->len >> 8);
	u->hdr[1] = (uint8_t)msg->len;
	u->deadline_ms = now_ms() + msg->timeout_ms;
	u->state = UP_CONNECTING;
	u->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->fd < 0 || (connect(u->fd, (struct sockaddr *)&ss, sl) != 0 &&
			  errno != EINPROGRESS)) {
		upq_end(s, u, false);
		return;
	}
	s->stats.upstream_connects++;
	ep_set(s, EPOLL_CTL_ADD, u->fd, EPOLLOUT, tag(TAG_UPSTREAM, idx));
}

/* Write the length-prefixed query: 1 all of it is out, 0 more to write, -1 failed. */
static int upq_write(struct tcp_upq *u)
{
	while (u->off < 2u + u->qlen) {
		struct iovec iov[2];
		int n_iov = 0;
		ssize_t n;

		if (u->off < 2)
			iov[n_iov++] = (struct iovec){ u->hdr + u->off, 2 - u->off };
		iov[n_iov++] = (struct iovec){
			u->msg->data + (u->off < 2 ? 0 : u->off - 2),
			u->qlen - (u->off < 2 ? 0 : u->off - 2) };
		n = writev(u->fd, iov, n_iov);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0)
			return -1;
		u->off += (size_t)n;
	}
	return 1;
}

/* Read the length-prefixed answer into msg->data: 1 done, 0 more to come, -1 failed. */
static int upq_read(struct tcp_upq *u)
{
	for (;;) {
		size_t alen = ((size_t)u->hdr[0] << 8) | u->hdr[1];
		ssize_t n;

		if (u->off >= 2 && u->off == 2 + alen) {
			u->msg->len = (uint16_t)alen;
			return alen >= 12 ? 1 : -1;
		}
		if (u->off < 2)
			n = read(u->fd, u->hdr + u->off, 2 - u->off);
		else
			n = read(u->fd, u->msg->data + u->off - 2, 2 + alen - u->off);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n <= 0)
			return -1;
		u->off += (size_t)n;
	}
}

static void upstream_event(struct tcp_service *s, uint32_t idx, uint32_t events)
{
	struct tcp_upq *u = &s->upq[idx];
	int err = 0;
	socklen_t el = sizeof(err);

	if (u->state == UP_CONNECTING) {
		if (getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
			upq_end(s, u, false);
			return;
		}
		u->state = UP_WRITING;
	}
	if (u->state == UP_WRITING) {
		int w = upq_write(u);

		if (w < 0)
			upq_end(s, u, false);
		if (w <= 0)
			return;
		u->state = UP_READING;
		u->off = 0;
		ep_set(s, EPOLL_CTL_MOD, u->fd, EPOLLIN, tag(TAG_UPSTREAM, idx));
		if (!(events & EPOLLIN))
			return;
	}
	switch (upq_read(u)) {
	case 1:
		upq_end(s, u, true);
		break;
	case -1:
		upq_end(s, u, false);
		break;
	default:
		break;
	}
}

static void upstream_expire(struct tcp_service *s, uint64_t now)
{
	for (uint32_t i = 0; i < TCP_MAX_UPSTREAM && s->n_upq > 0; i++)
		if (s->upq[i].state != UP_FREE && now >= s->upq[i].deadline_ms)
			upq_end(s, &s->upq[i], false);
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
	uint32_t idx = (uint32_t)ev->data.u64;

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
		if (idx < TCP_MAX_UPSTREAM && s->upq[idx].state != UP_FREE)
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
	for (uint32_t i = 0; i < TCP_MAX_UPSTREAM; i++)
		if (s->upq[i].state != UP_FREE)
			upq_end(s, &s->upq[i], false);
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
	for (uint32_t i = 0; i < TCP_MAX_UPSTREAM; i++)
		s->upq[i].fd = -1;
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
