/*
 * ctl_socket.h - the control socket: a Unix-domain SOCK_SEQPACKET listener on the
 * control thread. One request per connection, one message each way (ctl.h says what
 * is in them). Non-blocking: ctl_socket_poll() waits at most its timeout, which the
 * control loop uses as its tick. Never touched by workers.
 */
#ifndef SEKISHO_CTL_SOCKET_H
#define SEKISHO_CTL_SOCKET_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

struct ctl_socket;

/*
 * ctl_socket_open - listen on @path (a stale socket file there is replaced; the new
 * one is made mode 0600; "": no Unix socket, TCP only) and answer with @srv.
 * Returns NULL with @err set.
 */
struct ctl_socket *ctl_socket_open(const char *path, struct ctl_server *srv, char *err,
				   size_t errlen);

/*
 * ctl_socket_add_tcp - also listen on loopback TCP (@family AF_INET/AF_INET6, @addr,
 * @port): the same messages, each with a 2-byte length in front as DNS over TCP.
 * Returns 0, or -1 with @err set.
 */
int ctl_socket_add_tcp(struct ctl_socket *cs, int family, const uint8_t addr[16],
		       uint16_t port, char *err, size_t errlen);

/* Accept, read, answer and close what is ready; wait up to @timeout_ms for it. */
void ctl_socket_poll(struct ctl_socket *cs, int timeout_ms);

/*
 * The same in two halves, so that the control loop can poll the control socket with
 * other descriptors in one poll(): ctl_socket_pollfds() fills at most
 * CTL_SOCKET_POLLFDS entries of @pfd (closing connections silent for too long) and
 * returns how many; after poll(), ctl_socket_handle() serves what they say is ready.
 */
#define CTL_SOCKET_POLLFDS 10 /* the Unix and TCP listeners, 8 connections */
unsigned ctl_socket_pollfds(struct ctl_socket *cs, struct pollfd *pfd, unsigned cap);
void ctl_socket_handle(struct ctl_socket *cs, const struct pollfd *pfd, unsigned n);

/* Close everything and remove the socket file. NULL is fine. */
void ctl_socket_close(struct ctl_socket *cs);

#endif /* SEKISHO_CTL_SOCKET_H */
