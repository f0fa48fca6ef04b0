/*
 * inaddr.h - socket addresses of the control thread's loopback listeners (control-tcp,
 * stats-http) and of sekishoctl: one place that fills a sockaddr from (family, address,
 * port) and opens a listening TCP socket on it. Slow path only.
 */
#ifndef SEKISHO_CONTROL_INADDR_H
#define SEKISHO_CONTROL_INADDR_H

#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* @ss for @family (AF_INET: 4 bytes of @addr, else 16), @port; returns its length. */
static inline socklen_t inaddr_fill(struct sockaddr_storage *ss, int family,
				    const uint8_t *addr, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, addr, 16);
	return sizeof(*sin6);
}

/* A non-blocking TCP listener on (@family, @addr, @port), IPv6 only for AF_INET6.
 * Returns the descriptor, or -1 with errno set. */
static inline int inaddr_listen_tcp(int family, const uint8_t *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = inaddr_fill(&ss, family, addr, port);
	int one = 1, fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    (family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 16) != 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

#endif
