/*
 * resolve_probe.c - drive dataplane/resolve against real servers with kernel sockets.
 *
 *   resolve_probe --hints FILE [--edns N] [--do] [--no-qmin] [--no-ip6] [--no-ip4]
 *                 [--forward ZONE=ADDR] [--stub ZONE=ADDR] NAME TYPE
 *
 * Prints the final rcode (or SERVFAIL with its EDE), the result records in zone-file
 * form, the number of upstream queries (UDP and TCP), and what the resolver
 * recorded (lame servers, dangling CNAMEs). A lab tool, not part of the daemon: it
 * blocks in poll(), one upstream query at a time, exactly as the state machine asks.
 * Exit status: 0 when resolution finished (DONE or FAIL), 2 on usage or set-up errors.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "resolve.h"
#include "wire_text.h"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static socklen_t to_sockaddr(const struct resolve_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->ip, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	s4->sin_family = AF_INET;
	s4->sin_port = htons(a->port);
	memcpy(&s4->sin_addr, a->ip, 4);
	return sizeof(*s4);
}

/* Wait for @fd to become readable until @deadline; false on timeout. */
static bool wait_readable(int fd, uint64_t deadline)
{
	for (;;) {
		uint64_t t = now_ms();
		if (t >= deadline)
			return false;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, (int)(deadline - t));
		if (r > 0)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
	}
}

static uint8_t rbuf[65536];

/* UDP: a connected socket only hears from the server; feed every datagram until one
 * is accepted or the deadline passes. */
static void exchange_udp(struct resolve_ctx *ctx, struct resolve_query *rq,
			 const struct resolve_action *act)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(&act->server, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, sl) < 0 ||
	    send(fd, act->buf, act->len, 0) < 0) {
		if (fd >= 0)
			close(fd);
		return; /* the timeout will move on */
	}
	while (wait_readable(fd, act->deadline)) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);
		if (n <= 0)
			break;
		if (resolve_response(ctx, rq, rbuf, (size_t)n, &act->server, now_ms()) ==
		    RESOLVE_RESP_ACCEPTED)
			break;
	}
	close(fd);
}

static bool read_full(int fd, uint8_t *p, size_t n, uint64_t deadline)
{
	while (n) {
		if (!wait_readable(fd, deadline))
			return false;
		ssize_t r = recv(fd, p, n, 0);
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
	}
	return true;
}

static void exchange_tcp(struct resolve_ctx *ctx, struct resolve_query *rq,
			 const struct resolve_action *act)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(&act->server, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	uint8_t hdr[2];
	wire_put_u16(hdr, (uint16_t)act->len);
	struct timeval tv = {.tv_sec = 2};
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0 && send(fd, hdr, 2, MSG_MORE) == 2 &&
	    send(fd, act->buf, act->len, 0) == (ssize_t)act->len &&
	    read_full(fd, hdr, 2, act->deadline) &&
	    read_full(fd, rbuf, wire_get_u16(hdr), act->deadline))
		resolve_response(ctx, rq, rbuf, wire_get_u16(hdr), &act->server, now_ms());
	close(fd);
}

/* ---- printing ------------------------------------------------------------------------ */

static const char *rcode_name(unsigned r)
{
	static const char *const n[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
					"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
					"NOTZONE"};
	return r < sizeof(n) / sizeof(n[0]) ? n[r] : "RCODE?";
}

static void print_name(const uint8_t *name, size_t len)
{
	char t[WIRE_NAME_TEXT_MAX];
	wire_name_to_text(name, len, t, sizeof(t));
	printf("%s", t);
}

static void print_rdata(uint16_t type, const uint8_t *rd, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	if (type == WIRE_TYPE_A && len == 4) {
		printf("%s", inet_ntop(AF_INET, rd, ip, sizeof(ip)));
	} else if (type == WIRE_TYPE_AAAA && len == 16) {
		printf("%s", inet_ntop(AF_INET6, rd, ip, sizeof(ip)));
	} else if (type == WIRE_TYPE_CNAME || type == WIRE_TYPE_NS || type == WIRE_TYPE_DNAME ||
		   type == WIRE_TYPE_PTR) {
		print_name(rd, len);
	} else if (type == WIRE_TYPE_TXT) {
		size_t strings = 0, total = 0;
		for (size_t i = 0; i < len; i += (size_t)rd[i] + 1) {
			strings++;
			total += rd[i];
		}
		printf("; %zu strings, %zu bytes of text", strings, total);
	} else if (type == WIRE_TYPE_SOA) {
		int n1 = wire_name_length(rd, len);
		int n2 = n1 > 0 ? wire_name_length(rd + n1, len - (size_t)n1) : -1;
		if (n1 > 0 && n2 > 0 && (size_t)(n1 + n2 + 20) == len) {
			print_name(rd, (size_t)n1);
			printf(" ");
			print_name(rd + n1, (size_t)n2);
			printf(" %u", wire_get_u32(rd + n1 + n2));
		}
	} else {
		printf("\\# %zu ...", len);
	}
}

static void print_type(uint16_t type)
{
	const char *t = wire_text_type_name(type);
	if (t)
		printf("%s", t);
	else
		printf("TYPE%u", type);
}

static void print_lame(const struct resolve_lame_entry *e, void *arg)
{
	(void)arg;
	char a[64];
	resolve_addr_to_text(&e->addr, a, sizeof(a));
	printf("lame: ");
	print_name(e->zone, e->zone_len);
	printf(" %s %s count %u\n", a, resolve_lame_reason_name((enum resolve_lame_reason)e->reason),
	       e->count);
}

static void print_dangling(const struct resolve_dangling *d, void *arg)
{
	(void)arg;
	printf("dangling: ");
	print_name(d->owner, d->owner_len);
	printf(" -> ");
	print_name(d->target, d->target_len);
	printf("\n");
}

static void print_result(const struct resolve_ctx *ctx, const struct resolve_query *rq,
			 const struct resolve_action *act)
{
	if (act->kind == RESOLVE_FAIL)
		printf("rcode SERVFAIL ede %d \"%s\"\n", act->ede, act->ede_text ? act->ede_text : "");
	else
		printf("rcode %s\n", rcode_name(act->rcode));
	for (uint16_t i = 0; act->kind == RESOLVE_DONE && i < rq->rr_count; i++) {
		const struct resolve_rr *r = &rq->rr[i];
		printf("%s ", r->section == WIRE_SECTION_ANSWER ? "answer:" : "authority:");
		print_name(resolve_rr_owner(rq, i), r->owner_len);
		printf(" %u IN ", r->ttl);
		print_type(r->type);
		printf(" ");
		print_rdata(r->type, resolve_rr_rdata(rq, i), r->rdlen);
		printf("\n");
	}
	printf("upstream queries %u (tcp %llu) referrals %u cnames %u\n", rq->sends,
	       (unsigned long long)ctx->stats.sends_tcp, rq->referrals, rq->cname_count);
	resolve_report_lame(ctx, print_lame, NULL);
	resolve_report_dangling(ctx, print_dangling, NULL);
}

/* ---- set-up ----------------------------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr, "usage: resolve_probe --hints FILE [--edns N] [--do] [--no-qmin] "
			"[--no-ip4] [--no-ip6] [--forward ZONE=ADDR] [--stub ZONE=ADDR] NAME TYPE\n");
	return 2;
}

static int load_hints(struct resolve_ctx *ctx, const char *path)
{
	static char text[1 << 20];
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t n = fread(text, 1, sizeof(text), f);
	fclose(f);
	int line = 0;
	int r = resolve_hints_load(ctx, text, n, &line);
	if (r < 0)
		fprintf(stderr, "%s:%d: %s\n", path, line, wire_text_strerror(r));
	return r;
}

static int add_zone(struct resolve_ctx *ctx, const char *spec, bool forward)
{
	const char *eq = strchr(spec, '=');
	uint8_t zone[WIRE_NAME_MAX];
	struct resolve_addr a;
	int zlen = eq ? wire_text_name(spec, (size_t)(eq - spec), NULL, zone, sizeof(zone)) : -1;
	if (zlen <= 0 || resolve_addr_from_text(eq + 1, &a) < 0)
		return -1;
	return resolve_zone_add(ctx, zone, (size_t)zlen, forward, &a, 1);
}

int main(int argc, char **argv)
{
	static struct resolve_query rq;
	static uint8_t qbuf[1024];
	struct resolve_config cfg;
	struct resolve_ctx *ctx = calloc(1, sizeof(*ctx));
	const char *hints = NULL, *zones[8];
	bool zone_fwd[8];
	int nzones = 0, i;
	if (!ctx)
		return 2;
	resolve_config_default(&cfg);
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		const char *o = argv[i];
		if (!strcmp(o, "--hints") && i + 1 < argc)
			hints = argv[++i];
		else if (!strcmp(o, "--edns") && i + 1 < argc)
			cfg.edns_size = (uint16_t)atoi(argv[++i]);
		else if (!strcmp(o, "--do"))
			cfg.do_bit = true;
		else if (!strcmp(o, "--no-qmin"))
			cfg.qname_minimisation = false;
		else if (!strcmp(o, "--no-ip4"))
			cfg.ip4 = false;
		else if (!strcmp(o, "--no-ip6"))
			cfg.ip6 = false;
		else if ((!strcmp(o, "--forward") || !strcmp(o, "--stub")) && i + 1 < argc &&
			 nzones < 8) {
			zone_fwd[nzones] = !strcmp(o, "--forward");
			zones[nzones++] = argv[++i];
		} else
			return usage();
	}
	if (!hints || argc - i != 2)
		return usage();
	uint8_t name[WIRE_NAME_MAX];
	uint16_t type;
	int nlen = wire_text_name(argv[i], strlen(argv[i]), NULL, name, sizeof(name));
	if (nlen <= 0 || wire_text_type(argv[i + 1], strlen(argv[i + 1]), &type) < 0)
		return usage();

	uint64_t seed = 0;
	FILE *ur = fopen("/dev/urandom", "r");
	if (!ur || fread(&seed, sizeof(seed), 1, ur) != 1)
		seed = now_ms();
	if (ur)
		fclose(ur);
	resolve_ctx_init(ctx, &cfg, seed);
	if (load_hints(ctx, hints) < 0)
		return 2;
	for (int z = 0; z < nzones; z++)
		if (add_zone(ctx, zones[z], zone_fwd[z]) < 0) {
			fprintf(stderr, "bad zone: %s\n", zones[z]);
			return 2;
		}

	resolve_start(&rq, name, (size_t)nlen, type, WIRE_CLASS_IN, now_ms());
	struct resolve_action act;
	for (;;) {
		act.buf = qbuf;
		act.buf_cap = sizeof(qbuf);
		enum resolve_action_kind k = resolve_next(ctx, &rq, now_ms(), &act);
		if (k == RESOLVE_DONE || k == RESOLVE_FAIL)
			break;
		if (k == RESOLVE_SEND) {
			if (act.tcp)
				exchange_tcp(ctx, &rq, &act);
			else
				exchange_udp(ctx, &rq, &act);
		}
		/* nothing accepted before the deadline: that try timed out */
		uint64_t t = now_ms();
		if (rq.pending) {
			if (t < act.deadline) {
				struct timespec ts = {0, (long)(act.deadline - t) * 1000000L};
				nanosleep(&ts, NULL);
			}
			resolve_timeout(ctx, &rq, act.deadline);
		}
	}
	print_result(ctx, &rq, &act);
	free(ctx);
	return 0;
}
