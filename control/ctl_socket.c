/*
 * ctl_socket.c - the control socket (see ctl_socket.h). Control thread only: it may
 * allocate and make system calls, but never waits longer than the poll timeout.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_socket.h"

#define CTL_CONNS        (CTL_SOCKET_POLLFDS - 1) /* connections waiting for their request */
#define CTL_CONN_TIMEOUT 2 /* seconds a connection may stay silent */

struct ctl_socket {
	int listen_fd;
	struct ctl_server *srv;
	struct {
		int fd;
		time_t since;
	} conns[CTL_CONNS];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uint8_t req[CTL_MSG_MAX];
	uint8_t reply[CTL_MSG_MAX];
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
	for (unsigned i = 0; i < CTL_CONNS; i++)
		cs->conns[i].fd = -1;
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

static void conn_close(struct ctl_socket *cs, unsigned i)
{
	close(cs->conns[i].fd);
	cs->conns[i].fd = -1;
}

static void accept_all(struct ctl_socket *cs, time_t now)
{
	for (;;) {
		int fd = accept4(cs->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		unsigned i;

		if (fd < 0)
			return;
		for (i = 0; i < CTL_CONNS && cs->conns[i].fd >= 0; i++)
			;
		if (i == CTL_CONNS) {
			close(fd); /* busy: the client sees the connection closed */
			continue;
		}
		cs->conns[i].fd = fd;
		cs->conns[i].since = now;
	}
}

/* One request on connection @i: read it, answer, close. */
static void serve(struct ctl_socket *cs, unsigned i)
{
	ssize_t n = recv(cs->conns[i].fd, cs->req, sizeof(cs->req), MSG_TRUNC);
	size_t out;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n > 0 && (size_t)n <= sizeof(cs->req)) {
		out = ctl_handle(cs->srv, cs->req, (size_t)n, (uint64_t)time(NULL), cs->reply,
				 sizeof(cs->reply));
		if (out > 0 && send(cs->conns[i].fd, cs->reply, out, MSG_NOSIGNAL) < 0)
			fprintf(stderr, "sekishod: control reply not sent: %s\n", strerror(errno));
	}
	conn_close(cs, i);
}

unsigned ctl_socket_pollfds(struct ctl_socket *cs, struct pollfd *pfd, unsigned cap)
{
	time_t now = time(NULL);
	unsigned n = 0;

	if (cap == 0)
		return 0;
	pfd[n].fd = cs->listen_fd;
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
	/* pfd[k] names its connection by descriptor: the order is ctl_socket_pollfds' */
	for (unsigned k = 1; k < n; k++) {
		if (pfd[k].revents == 0)
			continue;
		for (unsigned i = 0; i < CTL_CONNS; i++)
			if (cs->conns[i].fd == pfd[k].fd) {
				serve(cs, i);
				break;
			}
	}
	if (n > 0 && (pfd[0].revents & POLLIN))
		accept_all(cs, time(NULL));
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
	close(cs->listen_fd);
	unlink(cs->path);
	free(cs);
}
