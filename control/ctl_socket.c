/*
 * ctl_socket.c - the control socket (see ctl_socket.h). Control thread only: it may
 * allocate and make system calls, but never waits longer than the poll timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_socket.h"
#include "inaddr.h"

#define CTL_CONNS        (CTL_SOCKET_POLLFDS - 2) /* connections waiting for their request */
#define CTL_CONN_TIMEOUT 2 /* seconds a connection may stay silent */

struct ctl_conn {
	int fd;
	time_t since;
	bool stream;                    /* TCP: a 2-byte length before each message */
	uint8_t *buf;                   /* TCP: what arrived so far (2 + CTL_MSG_MAX) */
	size_t have;
};

struct ctl_socket {
	int listen_fd;
	int tcp_fd;                     /* loopback TCP listener, -1: none */
	struct ctl_server *srv;
	struct ctl_conn conns[CTL_CONNS];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint8_t req[CTL_MSG_MAX];
	uint8_t reply[2 + CTL_MSG_MAX];     /* room for TCP's length in front */
};

struct ctl_socket *ctl_socket_open(const char *path, struct ctl_server *srv, char *err,
				   size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_socket *cs;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control-socket '%s': path too long", path);
		return NULL;
	}
	cs = calloc(1, sizeof(*cs));
	if (cs == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cs->srv = srv;
	cs->tcp_fd = -1;
	for (unsigned i = 0; i < CTL_CONNS; i++)
		cs->conns[i].fd = -1;
	cs->listen_fd = -1;
	if (path[0] == '\0')
		return cs;              /* loopback TCP only (ctl_socket_add_tcp) */
	memcpy(sa.sun_path, path, strlen(path) + 1);
	memcpy(cs->path, path, strlen(path) + 1);
	cs->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cs->listen_fd < 0)
		goto fail;
	unlink(path); /* a socket left by an earlier run */
	if (bind(cs->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(path, 0600) != 0 || listen(cs->listen_fd, 16) != 0)
		goto fail;
	return cs;
fail:
	snprintf(err, errlen, "control-socket '%s': %s", path, strerror(errno));
	if (cs->listen_fd >= 0)
		close(cs->listen_fd);
	free(cs);
	return NULL;
}

int ctl_socket_add_tcp(struct ctl_socket *cs, int family, const uint8_t addr[16],
		       uint16_t port, char *err, size_t errlen)
{
	cs->tcp_fd = inaddr_listen_tcp(family, addr, port);
	if (cs->tcp_fd < 0) {
		snprintf(err, errlen, "control-tcp port %u: %s", port, strerror(errno));
		return -1;
	}
	return 0;
}

static void conn_close(struct ctl_socket *cs, unsigned i)
{
	close(cs->conns[i].fd);
	cs->conns[i].fd = -1;
	free(cs->conns[i].buf);
	cs->conns[i].buf = NULL;
	cs->conns[i].have = 0;
}

static void accept_all(struct ctl_socket *cs, int lfd, bool stream, time_t now)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		unsigned i;

		if (fd < 0)
			return;
		for (i = 0; i < CTL_CONNS && cs->conns[i].fd >= 0; i++)
			;
		if (i == CTL_CONNS || (stream && (cs->conns[i].buf = malloc(2 + CTL_MSG_MAX)) ==
					       NULL)) {
			close(fd); /* busy: the client sees the connection closed */
			continue;
		}
		cs->conns[i].fd = fd;
		cs->conns[i].since = now;
		cs->conns[i].stream = stream;
		cs->conns[i].have = 0;
	}
}

/* The reply to the request in cs->req, @n bytes, or 0 to send nothing. */
static size_t answer(struct ctl_socket *cs, size_t n)
{
	return ctl_handle(cs->srv, cs->req, n, (uint64_t)time(NULL), cs->reply + 2,
			  sizeof(cs->reply) - 2);
}

/* A TCP connection: gather length and message; then answer with a length first.
 * Returns true when the connection is done (answered, closed by the peer, broken). */
static bool serve_stream(struct ctl_socket *cs, unsigned i)
{
	struct ctl_conn *c = &cs->conns[i];
	ssize_t n = recv(c->fd, c->buf + c->have, 2 + CTL_MSG_MAX - c->have, 0);
	size_t want, out;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return false;
	if (n <= 0)
		return true;
	c->have += (size_t)n;
	if (c->have < 2 || c->have < 2 + (want = (size_t)c->buf[0] << 8 | c->buf[1]))
		return false;
	memcpy(cs->req, c->buf + 2, want);
	out = answer(cs, want);
	if (out > 0) {
		cs->reply[0] = (uint8_t)(out >> 8);
		cs->reply[1] = (uint8_t)out;
		/* small replies to a local client: one send fits the socket buffer */
		if (send(c->fd, cs->reply, out + 2, MSG_NOSIGNAL) != (ssize_t)(out + 2))
			fprintf(stderr, "sekishod: control reply not sent whole\n");
	}
	return true;
}

/* One request on connection @i: read it, answer, close. */
static void serve(struct ctl_socket *cs, unsigned i)
{
	ssize_t n;
	size_t out;

	if (cs->conns[i].stream) {
		if (serve_stream(cs, i))
			conn_close(cs, i);
		return;
	}
	n = recv(cs->conns[i].fd, cs->req, sizeof(cs->req), MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n > 0 && (size_t)n <= sizeof(cs->req)) {
		out = answer(cs, (size_t)n);
		if (out > 0 && send(cs->conns[i].fd, cs->reply + 2, out, MSG_NOSIGNAL) < 0)
			fprintf(stderr, "sekishod: control reply not sent: %s\n", strerror(errno));
	}
	conn_close(cs, i);
}

unsigned ctl_socket_pollfds(struct ctl_socket *cs, struct pollfd *pfd, unsigned cap)
{
	time_t now = time(NULL);
	unsigned n = 0;

	if (cap < 2)
		return 0;
	pfd[n].fd = cs->listen_fd;          /* -1 (TCP only): poll ignores it */
	pfd[n++].events = POLLIN;
	pfd[n].fd = cs->tcp_fd;             /* -1: no loopback TCP */
	pfd[n++].events = POLLIN;
	for (unsigned i = 0; i < CTL_CONNS && n < cap; i++) {
		if (cs->conns[i].fd < 0)
			continue;
		if (now - cs->conns[i].since > CTL_CONN_TIMEOUT) {
			conn_close(cs, i);
			continue;
		}
		pfd[n].fd = cs->conns[i].fd;
		pfd[n++].events = POLLIN;
	}
	return n;
}

void ctl_socket_handle(struct ctl_socket *cs, const struct pollfd *pfd, unsigned n)
{
	time_t now = time(NULL);

	/* pfd[k] names its connection by descriptor: the order is ctl_socket_pollfds' */
	for (unsigned k = 2; k < n; k++) {
		if (pfd[k].revents == 0)
			continue;
		for (unsigned i = 0; i < CTL_CONNS; i++)
			if (cs->conns[i].fd == pfd[k].fd) {
				serve(cs, i);
				break;
			}
	}
	if (n > 0 && (pfd[0].revents & POLLIN))
		accept_all(cs, cs->listen_fd, false, now);
	if (n > 1 && (pfd[1].revents & POLLIN))
		accept_all(cs, cs->tcp_fd, true, now);
}

void ctl_socket_poll(struct ctl_socket *cs, int timeout_ms)
{
	struct pollfd pfd[CTL_SOCKET_POLLFDS];
	unsigned n = ctl_socket_pollfds(cs, pfd, CTL_SOCKET_POLLFDS);

	if (poll(pfd, n, timeout_ms) > 0)
		ctl_socket_handle(cs, pfd, n);
}

void ctl_socket_close(struct ctl_socket *cs)
{
	if (cs == NULL)
		return;
	for (unsigned i = 0; i < CTL_CONNS; i++)
		if (cs->conns[i].fd >= 0)
			conn_close(cs, i);
	if (cs->listen_fd >= 0) {
		close(cs->listen_fd);
		unlink(cs->path);
	}
	if (cs->tcp_fd >= 0)
		close(cs->tcp_fd);
	free(cs);
}
