/*
 * prom_http.c - the metrics page over HTTP (see prom.h): a loopback listener polled by
 * the control thread beside the control socket. Plain sockets, no DPDK.
 *
 * One request per connection: read until the end of the headers (at most
 * PROM_HTTP_REQ_MAX bytes), answer, close. Everything is non-blocking and bounded: at
 * most PROM_HTTP_CONNS connections (one more is closed as soon as it is accepted), and
 * a connection that has not been answered and written within PROM_HTTP_TIMEOUT_S
 * seconds (a client that connects and sends nothing, or reads nothing) is closed, so
 * no client can hold the control thread or a slot for long. The page is rendered when
 * the request is complete, into a buffer that lives until it is written.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inaddr.h"
#include "prom.h"

struct prom_conn {
	int fd;                      /* -1: free */
	time_t since;
	size_t req_len;
	char *out;                   /* the whole response once the request is read */
	size_t out_len, out_sent;
	char req[PROM_HTTP_REQ_MAX];
};

struct prom_http {
	int listen_fd;
	struct prom_source src;
	struct prom_conn conns[PROM_HTTP_CONNS];
	int polled[PROM_HTTP_POLLFDS];   /* the connection of each pollfd (-1: listener) */
	unsigned n_polled;
};

/* ---- requests (pure) ------------------------------------------------------------- */

/* Where the headers end (the byte after the empty line), or 0 when not yet. */
static size_t headers_end(const char *req, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (req[i] != '\n')
			continue;
		if (req[i + 1] == '\n')
			return i + 2;
		if (req[i + 1] == '\r' && i + 2 < len && req[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* A method token (RFC 9110 tchar, letters only in practice). */
static bool token_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || s[i] == '-' ||
		      s[i] == '_' || s[i] == '.' || s[i] == '!' || s[i] == '~' ||
		      (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

/* The path of a request target: origin form "/p?q", or absolute form "http://h/p". */
static bool target_path(const char *t, size_t n, const char **path, size_t *plen)
{
	if (n >= 7 && strncasecmp(t, "http://", 7) == 0) {
		const char *slash = memchr(t + 7, '/', n - 7);

		if (slash == NULL) {
			*path = "/";
			*plen = 1;
			return true;
		}
		n -= (size_t)(slash - t);
		t = slash;
	}
	if (n == 0 || t[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f)
			return false;
	*path = t;
	*plen = n;
	for (size_t i = 0; i < n; i++)
		if (t[i] == '?' || t[i] == '#')
			*plen = i;
	return true;
}

enum prom_http_req prom_http_parse(const char *req, size_t len)
{
	const char *line = req, *sp1, *sp2, *path;
	size_t end = headers_end(req, len), llen, plen;

	if (end == 0)
		return PROM_HTTP_INCOMPLETE;
	llen = (size_t)((const char *)memchr(req, '\n', len) - req);
	if (llen > 0 && line[llen - 1] == '\r')
		llen--;
	sp1 = memchr(line, ' ', llen);
	sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', llen - (size_t)(sp1 + 1 - line)) : NULL;
	if (sp1 == NULL || sp2 == NULL || !token_ok(line, (size_t)(sp1 - line)) ||
	    !target_path(sp1 + 1, (size_t)(sp2 - sp1 - 1), &path, &plen))
		return PROM_HTTP_BAD_REQUEST;
	if (llen - (size_t)(sp2 + 1 - line) != 8 ||
	    (memcmp(sp2 + 1, "HTTP/1.1", 8) != 0 && memcmp(sp2 + 1, "HTTP/1.0", 8) != 0))
		return PROM_HTTP_BAD_REQUEST;
	if (plen != 8 || memcmp(path, "/metrics", 8) != 0)
		return PROM_HTTP_NOT_FOUND;
	if (sp1 - line == 3 && memcmp(line, "GET", 3) == 0)
		return PROM_HTTP_METRICS;
	if (sp1 - line == 4 && memcmp(line, "HEAD", 4) == 0)
		return PROM_HTTP_METRICS_HEAD;
	return PROM_HTTP_BAD_METHOD;
}

size_t prom_http_head(enum prom_http_req what, size_t body_len, char *buf, size_t cap,
		      const char **body)
{
	const char *status, *type = "text/plain; charset=utf-8", *extra = "";
	int n;

	*body = NULL;
	switch (what) {
	case PROM_HTTP_METRICS:
	case PROM_HTTP_METRICS_HEAD:
		status = "200 OK";
		type = PROM_CONTENT_TYPE;
		break;
	case PROM_HTTP_NOT_FOUND:
		status = "404 Not Found";
		*body = "not found: the metrics are at /metrics\n";
		break;
	case PROM_HTTP_BAD_METHOD:
		status = "405 Method Not Allowed";
		extra = "Allow: GET, HEAD\r\n";
		*body = "method not allowed: GET or HEAD /metrics\n";
		break;
	case PROM_HTTP_SERVER_ERROR:
		status = "500 Internal Server Error";
		*body = "the metrics could not be rendered\n";
		break;
	default:
		status = "400 Bad Request";
		*body = "bad request\n";
		break;
	}
	if (*body != NULL)
		body_len = strlen(*body);
	n = snprintf(buf, cap, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		     "%sConnection: close\r\n\r\n", status, type, body_len, extra);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* ---- the listener ---------------------------------------------------------------- */

struct prom_http *prom_http_open(int family, const uint8_t *addr, uint16_t port,
				 const struct prom_source *src, char *err, size_t errlen)
{
	struct prom_http *h;
	char text[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, text, sizeof(text));
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		snprintf(err, errlen, "stats-http: out of memory");
		return NULL;
	}
	h->src = *src;
	for (unsigned i = 0; i < PROM_HTTP_CONNS; i++)
		h->conns[i].fd = -1;
	h->listen_fd = inaddr_listen_tcp(family, addr, port);
	if (h->listen_fd < 0) {
		snprintf(err, errlen, "stats-http %s%s%s:%u: %s", family == AF_INET6 ? "[" : "",
			 text, family == AF_INET6 ? "]" : "", port, strerror(errno));
		free(h);
		return NULL;
	}
	return h;
}

static void conn_close(struct prom_conn *c)
{
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->req_len = c->out_len = c->out_sent = 0;
}

static void accept_all(struct prom_http *h, time_t now)
{
	for (;;) {
		int fd = accept4(h->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		unsigned i;

		if (fd < 0)
			return;
		for (i = 0; i < PROM_HTTP_CONNS && h->conns[i].fd >= 0; i++)
			;
		if (i == PROM_HTTP_CONNS) {
			close(fd);          /* busy: the client sees the connection closed */
			continue;
		}
		h->conns[i].fd = fd;
		h->conns[i].since = now;
	}
}

/* Write what is left of the response; close when it is all out (or on an error). */
static void write_more(struct prom_conn *c)
{
	while (c->out_sent < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;         /* poll for POLLOUT */
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->out_sent += (size_t)n;
	}
	shutdown(c->fd, SHUT_WR);
	conn_close(c);
}

/* The response to @what: head and (for GET) the rendered page, in c->out. */
static void respond(struct prom_http *h, struct prom_conn *c, enum prom_http_req what)
{
	char head[512];
	const char *body;
	char *page = NULL;
	size_t page_len = 0, hlen;

	if (what == PROM_HTTP_METRICS || what == PROM_HTTP_METRICS_HEAD) {
		page = prom_render_alloc(&h->src, PROM_HTTP_BODY_MAX, &page_len);
		if (page == NULL)
			what = PROM_HTTP_SERVER_ERROR;
	}
	hlen = prom_http_head(what, page_len, head, sizeof(head), &body);
	if (body != NULL) {
		page_len = strlen(body);
		free(page);
		page = NULL;
	}
	if (what == PROM_HTTP_METRICS_HEAD)
		page_len = 0;
	c->out = malloc(hlen + page_len);
	if (c->out == NULL) {
		free(page);
		conn_close(c);
		return;
	}
	memcpy(c->out, head, hlen);
	if (page_len > 0)
		memcpy(c->out + hlen, page != NULL ? page : body, page_len);
	free(page);
	c->out_len = hlen + page_len;
	write_more(c);
}

/* Read what the client sent; answer once the request is whole (or cannot be). */
static void read_more(struct prom_http *h, struct prom_conn *c)
{
	ssize_t n = recv(c->fd, c->req + c->req_len, sizeof(c->req) - c->req_len, 0);
	enum prom_http_req what;

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {                   /* gone before asking, or an error */
		conn_close(c);
		return;
	}
	c->req_len += (size_t)n;
	what = prom_http_parse(c->req, c->req_len);
	if (what == PROM_HTTP_INCOMPLETE && c->req_len == sizeof(c->req))
		what = PROM_HTTP_BAD_REQUEST;   /* headers too long */
	if (what != PROM_HTTP_INCOMPLETE)
		respond(h, c, what);
}

unsigned prom_http_pollfds(struct prom_http *h, struct pollfd *pfd, unsigned cap, time_t now)
{
	unsigned n = 0;

	if (cap == 0)
		return 0;
	pfd[n].fd = h->listen_fd;
	pfd[n].events = POLLIN;
	h->polled[n++] = -1;
	for (unsigned i = 0; i < PROM_HTTP_CONNS && n < cap; i++) {
		struct prom_conn *c = &h->conns[i];

		if (c->fd < 0)
			continue;
		if (now - c->since > PROM_HTTP_TIMEOUT_S) {
			conn_close(c);
			continue;
		}
		pfd[n].fd = c->fd;
		pfd[n].events = c->out != NULL ? POLLOUT : POLLIN;
		h->polled[n++] = (int)i;
	}
	h->n_polled = n;
	return n;
}

void prom_http_handle(struct prom_http *h, const struct pollfd *pfd, unsigned n, time_t now)
{
	bool accept_ready = false;

	for (unsigned k = 0; k < n && k < h->n_polled; k++) {
		struct prom_conn *c;

		if (pfd[k].revents == 0)
			continue;
		if (h->polled[k] < 0) {
			accept_ready = (pfd[k].revents & POLLIN) != 0;
			continue;
		}
		c = &h->conns[h->polled[k]];
		if (c->fd != pfd[k].fd)
			continue;
		if (c->out != NULL)
			write_more(c);
		else
			read_more(h, c);
	}
	/* after the connections: a slot closed above is free for a new one */
	if (accept_ready)
		accept_all(h, now);
}

uint16_t prom_http_port(const struct prom_http *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(h->listen_fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
					       ((struct sockaddr_in6 *)&ss)->sin6_port);
}

void prom_http_close(struct prom_http *h)
{
	if (h == NULL)
		return;
	for (unsigned i = 0; i < PROM_HTTP_CONNS; i++)
		if (h->conns[i].fd >= 0)
			conn_close(&h->conns[i]);
	close(h->listen_fd);
	free(h);
}
