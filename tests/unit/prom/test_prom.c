/*
 * test_prom.c - control/prom: Prometheus text from a fake counter source (names made
 * valid, one HELP and one TYPE per family before its samples, gauges, per-worker
 * families with a worker label, duplicates left out, escaping, buffer sizes), the
 * HTTP request parser and response heads, and the HTTP side end to end on a loopback
 * port (driven by hand: one poll() per step, no threads, no timing).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "prom.h"
#include "unit_check.h"

/* ---- a fake source ---------------------------------------------------------------- */

struct fake {
	const char *const *names;
	const uint64_t *values;
	unsigned n;
	unsigned workers;
};

static void fake_totals(prom_visit_fn visit, void *visit_arg, void *arg)
{
	const struct fake *f = arg;

	for (unsigned i = 0; i < f->n; i++)
		visit(f->names[i], f->values[i], visit_arg);
}

/* Worker i: polls = 100 + i, queries = 10 * i, upstream_sent = 7 (names built on the
 * fly, like stats.c does, so the renderer must copy them). */
static void fake_worker(unsigned i, prom_visit_fn visit, void *visit_arg, void *arg)
{
	char name[32];

	(void)arg;
	visit("polls", 100 + i, visit_arg);
	visit("queries", 10 * i, visit_arg);
	snprintf(name, sizeof(name), "upstream_%s", "sent");
	visit(name, 7, visit_arg);
}

static void fake_describe(const char *name, const char **help, enum prom_type *type,
			  void *arg)
{
	(void)arg;
	if (strcmp(name, "tcp_open") == 0)
		*type = PROM_GAUGE;
	if (strcmp(name, "queries") == 0)
		*help = "DNS messages received on UDP port 53";
	else if (strcmp(name, "odd_help") == 0)
		*help = "a back\\slash and a\nline feed";
}

static const char *const names[] = {
	"queries", "tcp_open", "drop.bad-frame", "odd_help", "queries", "9lives", "",
};
static const uint64_t values[] = { 5, 3, 7, 1, 99, 2, 4 };

static struct fake fake = { names, values, 7, 3 };

static struct prom_source source(unsigned workers)
{
	fake.workers = workers;
	return (struct prom_source){
		.totals = fake_totals,
		.n_workers = workers,
		.worker = workers > 0 ? fake_worker : NULL,
		.describe = fake_describe,
		.arg = &fake,
	};
}

static char page[1 << 16];
static size_t page_len;

static void render(unsigned workers)
{
	struct prom_source s = source(workers);

	page_len = 0;
	CHECK_INT(prom_render(&s, page, sizeof(page) - 1, &page_len), 0);
	page[page_len] = '\0';
}

static bool line_in(const char *line)
{
	size_t n = strlen(line);

	for (const char *p = page; (p = strstr(p, line)) != NULL; p++)
		if ((p == page || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static bool has_line(const char *line)
{
	if (line_in(line))
		return true;
	fprintf(stderr, "  no line \"%s\" in:\n%s", line, page);
	return false;
}

/*
 * The page as Prometheus reads it (text format 0.0.4): every line a HELP, a TYPE or
 * a sample; every name valid and prefixed; per family one HELP then one TYPE, then
 * its samples, all together; a family never seen twice. Returns the number of
 * families, -1 when something is wrong (said on stderr).
 */
static int check_exposition(void)
{
	char fam[64][PROM_NAME_MAX];
	int n_fam = 0, state = 0;          /* 0: want HELP, 1: want TYPE, 2: samples */
	char *copy = strdup(page), *save = NULL;

	if (page_len == 0 || page[page_len - 1] != '\n') {
		fprintf(stderr, "  page does not end with a line feed\n");
		free(copy);
		return -1;
	}
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[PROM_NAME_MAX] = "", kind[16] = "";
		bool ok = true;

		if (strncmp(line, "# HELP ", 7) == 0) {
			ok = sscanf(line + 7, "%127s", name) == 1 && prom_name_valid(name);
			for (int i = 0; ok && i < n_fam; i++)
				ok = strcmp(fam[i], name) != 0;           /* a second HELP */
			if (ok && n_fam < 64)
				snprintf(fam[n_fam++], PROM_NAME_MAX, "%s", name);
			ok = ok && state != 1;
			state = 1;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			ok = state == 1 && sscanf(line + 7, "%127s %15s", name, kind) == 2 &&
			     strcmp(name, fam[n_fam - 1]) == 0 &&
			     (strcmp(kind, "counter") == 0 || strcmp(kind, "gauge") == 0);
			state = 2;
		} else {
			size_t len = strcspn(line, "{ ");
			unsigned long long v;
			char *end;

			snprintf(name, sizeof(name), "%.*s", (int)len, line);
			ok = state == 2 && strcmp(name, fam[n_fam - 1]) == 0;
			if (line[len] == '{') {
				char *close = strchr(line, '}');

				ok = ok && close != NULL && strncmp(line + len, "{worker=\"", 9) == 0 &&
				     close[-1] == '"';
				len = close != NULL ? (size_t)(close - line) + 1 : len;
			}
			ok = ok && line[len] == ' ';
			v = strtoull(line + len + 1, &end, 10);
			(void)v;
			ok = ok && *end == '\0' && end != line + len + 1;
		}
		ok = ok && (name[0] == '\0' || (prom_name_valid(name) &&
						strncmp(name, PROM_PREFIX, strlen(PROM_PREFIX)) == 0));
		if (!ok) {
			fprintf(stderr, "  bad line: \"%s\"\n", line);
			free(copy);
			return -1;
		}
	}
	free(copy);
	return state == 2 || n_fam == 0 ? n_fam : -1;
}

/* ---- rendering -------------------------------------------------------------------- */

static void test_names_are_valid_and_prefixed(void)
{
	CHECK(prom_name_valid("sekisho_queries"));
	CHECK(prom_name_valid("a:b_c9"));
	CHECK(!prom_name_valid("9lives"));
	CHECK(!prom_name_valid("drop.bad-frame"));
	CHECK(!prom_name_valid(""));
	render(0);
	CHECK(check_exposition() > 0);
	/* characters a name may not hold become '_'; a leading digit is fine after the prefix */
	CHECK(has_line("sekisho_drop_bad_frame 7"));
	CHECK(has_line("sekisho_9lives 2"));
	/* an empty name is no metric */
	CHECK(strstr(page, "sekisho_ ") == NULL && strstr(page, "sekisho_\n") == NULL);
}

static void test_totals_get_help_type_and_one_sample(void)
{
	render(0);
	CHECK(has_line("# HELP sekisho_queries DNS messages received on UDP port 53"));
	CHECK(has_line("# TYPE sekisho_queries counter"));
	CHECK(has_line("sekisho_queries 5"));
	CHECK(has_line("# TYPE sekisho_tcp_open gauge"));
	CHECK(has_line("sekisho_tcp_open 3"));
	/* no help text known: the name as sekishoctl stats shows it */
	CHECK(has_line("# HELP sekisho_drop_bad_frame drop.bad-frame"));
	CHECK(has_line("# TYPE sekisho_drop_bad_frame counter"));
	/* HELP escapes backslash and line feed */
	CHECK(has_line("# HELP sekisho_odd_help a back\\\\slash and a\\nline feed"));
	/* no labels on totals */
	CHECK(strstr(page, "sekisho_queries{") == NULL);
}

static void test_a_name_seen_twice_is_one_family(void)
{
	render(0);
	CHECK(check_exposition() == 5);     /* 7 names, one twice, one empty */
	CHECK(has_line("sekisho_queries 5"));
	CHECK(!line_in("sekisho_queries 99"));       /* the first one counts */
	CHECK(strstr(strstr(page, "# HELP sekisho_queries") + 1, "# HELP sekisho_queries") == NULL);
}

static void test_per_worker_values_are_a_labelled_family_of_their_own(void)
{
	render(3);
	CHECK(check_exposition() == 5 + 3);
	CHECK(has_line("# HELP sekisho_worker_queries DNS messages received on UDP port 53 "
		       "(per worker)"));
	CHECK(has_line("# TYPE sekisho_worker_queries counter"));
	CHECK(has_line("sekisho_worker_queries{worker=\"0\"} 0"));
	CHECK(has_line("sekisho_worker_queries{worker=\"1\"} 10"));
	CHECK(has_line("sekisho_worker_queries{worker=\"2\"} 20"));
	CHECK(has_line("sekisho_worker_polls{worker=\"2\"} 102"));
	CHECK(has_line("sekisho_worker_upstream_sent{worker=\"1\"} 7"));
	/* the totals stay as they were, unlabelled */
	CHECK(has_line("sekisho_queries 5"));
}

static void test_small_buffers_are_refused_and_alloc_grows(void)
{
	struct prom_source s = source(3);
	char small[64], *big;
	size_t len = 0;

	render(3);
	CHECK_INT(prom_render(&s, small, sizeof(small), &len), -ENOSPC);
	CHECK_INT(prom_render(&s, page, page_len - 1, &len), -ENOSPC);
	CHECK_INT(prom_render(&s, page, page_len, &len), 0);
	CHECK_INT(len, page_len);
	big = prom_render_alloc(&s, 1 << 20, &len);
	CHECK(big != NULL);
	CHECK_INT(len, page_len);
	CHECK(big != NULL && memcmp(big, page, len) == 0);
	free(big);
	CHECK(prom_render_alloc(&s, 16, &len) == NULL);     /* over its cap */
}

/* ---- HTTP requests and response heads ---------------------------------------------- */

#define PARSE(lit) prom_http_parse(lit, sizeof(lit) - 1)

static void test_requests_are_classified(void)
{
	CHECK_INT(PARSE("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9153\r\nAccept: */*\r\n\r\n"),
		  PROM_HTTP_METRICS);
	CHECK_INT(PARSE("GET /metrics HTTP/1.0\n\n"), PROM_HTTP_METRICS);
	CHECK_INT(PARSE("GET /metrics?name[]=x HTTP/1.1\r\n\r\n"), PROM_HTTP_METRICS);
	CHECK_INT(PARSE("GET http://127.0.0.1:9153/metrics HTTP/1.1\r\n\r\n"), PROM_HTTP_METRICS);
	CHECK_INT(PARSE("HEAD /metrics HTTP/1.1\r\n\r\n"), PROM_HTTP_METRICS_HEAD);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\n\r\n"), PROM_HTTP_NOT_FOUND);
	CHECK_INT(PARSE("GET /metricsx HTTP/1.1\r\n\r\n"), PROM_HTTP_NOT_FOUND);
	CHECK_INT(PARSE("GET /Metrics HTTP/1.1\r\n\r\n"), PROM_HTTP_NOT_FOUND);
	CHECK_INT(PARSE("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
		  PROM_HTTP_BAD_METHOD);
	CHECK_INT(PARSE("get /metrics HTTP/1.1\r\n\r\n"), PROM_HTTP_BAD_METHOD);
	CHECK_INT(PARSE("GET /metrics HTTP/2.0\r\n\r\n"), PROM_HTTP_BAD_REQUEST);
	CHECK_INT(PARSE("GET /metrics\r\n\r\n"), PROM_HTTP_BAD_REQUEST);
	CHECK_INT(PARSE("GET  /metrics HTTP/1.1\r\n\r\n"), PROM_HTTP_BAD_REQUEST);
	CHECK_INT(PARSE("GET /metrics HTTP/1.1 x\r\n\r\n"), PROM_HTTP_BAD_REQUEST);
	CHECK_INT(PARSE("GET metrics HTTP/1.1\r\n\r\n"), PROM_HTTP_BAD_REQUEST);
	CHECK_INT(PARSE("G\x01T /metrics HTTP/1.1\r\n\r\n"), PROM_HTTP_BAD_REQUEST);
	CHECK_INT(PARSE("GET /met\x01rics HTTP/1.1\r\n\r\n"), PROM_HTTP_BAD_REQUEST);
	CHECK_INT(PARSE("\r\n\r\n"), PROM_HTTP_BAD_REQUEST);
	CHECK_INT(PARSE("garbage\n\n"), PROM_HTTP_BAD_REQUEST);
	/* not yet a whole request */
	CHECK_INT(PARSE(""), PROM_HTTP_INCOMPLETE);
	CHECK_INT(PARSE("GET /metrics HTTP/1.1\r\n"), PROM_HTTP_INCOMPLETE);
	CHECK_INT(PARSE("GET /metrics HTTP/1.1\r\nHost: x\r\n\r"), PROM_HTTP_INCOMPLETE);
}

static void test_response_heads(void)
{
	char head[512];
	const char *body = "x";
	size_t n;

	n = prom_http_head(PROM_HTTP_METRICS, 1234, head, sizeof(head), &body);
	CHECK(n > 0 && body == NULL);
	CHECK_STR(head, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; "
		  "charset=utf-8\r\nContent-Length: 1234\r\nConnection: close\r\n\r\n");
	n = prom_http_head(PROM_HTTP_NOT_FOUND, 0, head, sizeof(head), &body);
	CHECK(n > 0 && body != NULL && strncmp(head, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
	CHECK(body != NULL && strstr(head, "Content-Length: ") != NULL &&
	      (size_t)atoi(strstr(head, "Content-Length: ") + 16) == strlen(body));
	prom_http_head(PROM_HTTP_BAD_METHOD, 0, head, sizeof(head), &body);
	CHECK(strncmp(head, "HTTP/1.1 405 ", 13) == 0 && strstr(head, "\r\nAllow: GET, HEAD\r\n"));
	prom_http_head(PROM_HTTP_BAD_REQUEST, 0, head, sizeof(head), &body);
	CHECK(strncmp(head, "HTTP/1.1 400 ", 13) == 0);
	CHECK_INT(prom_http_head(PROM_HTTP_METRICS, 1, head, 10, &body), 0);
}

/* ---- the HTTP side on a loopback port ------------------------------------------------ */

static struct prom_http *srv;
static uint16_t srv_port;

static void serve_once(void)
{
	struct pollfd pfd[PROM_HTTP_POLLFDS];
	unsigned n = prom_http_pollfds(srv, pfd, PROM_HTTP_POLLFDS, time(NULL));

	if (poll(pfd, n, 50) > 0)
		prom_http_handle(srv, pfd, n, time(NULL));
}

static int client(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(srv_port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	return fd;
}

/* Send @req on a new connection, serve until the server closes it; the reply in @out. */
static size_t exchange(const char *req, size_t len, char *out, size_t cap)
{
	int fd = client();
	size_t got = 0;

	CHECK(send(fd, req, len, MSG_NOSIGNAL) == (ssize_t)len);
	for (int step = 0; step < 200; step++) {
		ssize_t n;

		serve_once();
		n = recv(fd, out + got, cap - got - 1, MSG_DONTWAIT);
		if (n == 0)
			break;                      /* closed after the response */
		if (n > 0)
			got += (size_t)n;
	}
	out[got] = '\0';
	close(fd);
	return got;
}

static char reply[1 << 17];

static void test_http_get_head_404_405_400_over_loopback(void)
{
	struct prom_source s = source(2);
	static const char get[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	char err[256] = "";
	const uint8_t lo[4] = { 127, 0, 0, 1 };
	size_t n;
	char *body;

	srv = prom_http_open(AF_INET, lo, 0, &s, err, sizeof(err));
	CHECK(srv != NULL);
	if (srv == NULL) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	srv_port = prom_http_port(srv);
	CHECK(srv_port != 0);
	render(2);

	n = exchange(get, sizeof(get) - 1, reply, sizeof(reply));
	CHECK(strncmp(reply, "HTTP/1.1 200 OK\r\n", 17) == 0);
	CHECK(strstr(reply, "Content-Type: text/plain; version=0.0.4") != NULL);
	body = strstr(reply, "\r\n\r\n");
	CHECK(body != NULL && (size_t)(reply + n - (body + 4)) == page_len &&
	      memcmp(body + 4, page, page_len) == 0);

	n = exchange("HEAD /metrics HTTP/1.0\r\n\r\n", 26, reply, sizeof(reply));
	body = strstr(reply, "\r\n\r\n");
	CHECK(strncmp(reply, "HTTP/1.1 200 OK\r\n", 17) == 0 && body != NULL &&
	      body + 4 == reply + n);
	exchange("GET /other HTTP/1.1\r\n\r\n", 23, reply, sizeof(reply));
	CHECK(strncmp(reply, "HTTP/1.1 404 ", 13) == 0);
	exchange("PUT /metrics HTTP/1.1\r\n\r\n", 25, reply, sizeof(reply));
	CHECK(strncmp(reply, "HTTP/1.1 405 ", 13) == 0);
	exchange("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n\n", 13, reply, sizeof(reply));
	CHECK(strncmp(reply, "HTTP/1.1 400 ", 13) == 0);
}

static void test_http_long_requests_and_full_slots(void)
{
	static char big[PROM_HTTP_REQ_MAX + 100];
	int silent[PROM_HTTP_CONNS], extra;
	char buf[64];
	ssize_t n = -1;

	if (srv == NULL)
		return;
	/* headers that never end: 400 once the buffer is full */
	memcpy(big, "GET /metrics HTTP/1.1\r\n", 23);
	memset(big + 23, 'x', sizeof(big) - 23);
	exchange(big, sizeof(big), reply, sizeof(reply));
	CHECK(strncmp(reply, "HTTP/1.1 400 ", 13) == 0);

	/* every slot taken by a client that says nothing: one more is closed at once... */
	for (int i = 0; i < PROM_HTTP_CONNS; i++) {
		silent[i] = client();
		serve_once();
	}
	extra = client();
	for (int step = 0; step < 50 && n != 0; step++) {
		serve_once();
		n = recv(extra, buf, sizeof(buf), MSG_DONTWAIT);
	}
	CHECK_INT(n, 0);
	close(extra);
	/* ...and once one goes, the page is served again */
	close(silent[0]);
	serve_once();
	exchange("GET /metrics HTTP/1.1\r\n\r\n", 25, reply, sizeof(reply));
	CHECK(strncmp(reply, "HTTP/1.1 200 OK\r\n", 17) == 0);
	for (int i = 1; i < PROM_HTTP_CONNS; i++)
		close(silent[i]);
	prom_http_close(srv);
	srv = NULL;
}

static void test_http_open_reports_the_address(void)
{
	struct prom_source s = source(0);
	const uint8_t lo[4] = { 127, 0, 0, 1 };
	struct prom_http *a, *b;
	char err[256] = "";

	a = prom_http_open(AF_INET, lo, 0, &s, err, sizeof(err));
	CHECK(a != NULL);
	if (a == NULL)
		return;
	b = prom_http_open(AF_INET, lo, prom_http_port(a), &s, err, sizeof(err));
	CHECK(b == NULL);
	CHECK(strncmp(err, "stats-http 127.0.0.1:", 21) == 0 && strstr(err, "in use") != NULL);
	prom_http_close(b);
	prom_http_close(a);
}

int main(void)
{
	RUN(test_names_are_valid_and_prefixed);
	RUN(test_totals_get_help_type_and_one_sample);
	RUN(test_a_name_seen_twice_is_one_family);
	RUN(test_per_worker_values_are_a_labelled_family_of_their_own);
	RUN(test_small_buffers_are_refused_and_alloc_grows);
	RUN(test_requests_are_classified);
	RUN(test_response_heads);
	RUN(test_http_get_head_404_405_400_over_loopback);
	RUN(test_http_long_requests_and_full_slots);
	RUN(test_http_open_reports_the_address);
	return unit_check_exit() || unit_failures != 0;
}
