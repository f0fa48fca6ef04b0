/*
 * sekishoctl - the control client: sends one TSIG-signed command to sekishod's control
 * socket and prints the reply's lines (ctl.h says what goes over the socket).
 *
 *   sekishoctl [-c CONFIG] [-s SOCKET] [-k KEYFILE] COMMAND [ARG...]
 *   sekishoctl keygen [NAME] [--alg hmac-sha256|hmac-sha384|hmac-sha512]
 *
 * SOCKET is a Unix socket path or tcp:ADDRESS:PORT (loopback: control-tcp).
 * SOCKET and KEYFILE default to control-socket (else control-tcp) and control-key-file of CONFIG
 * (default /etc/sekisho/sekishod.conf when it can be read), else to
 * /run/sekishod.ctl and /etc/sekisho/control.key. The first key of the file signs.
 * Exit status: 0 answered, 1 refused or failed, 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "inaddr.h"
#include "tsig.h"

#define DEFAULT_CONFIG  "/etc/sekisho/sekishod.conf"
#define DEFAULT_SOCKET  "/run/sekishod.ctl"
#define DEFAULT_KEYFILE "/etc/sekisho/control.key"
#define DEFAULT_KEYNAME "sekishoctl."

static int usage(void)
{
	fprintf(stderr,
		"usage: sekishoctl [-c CONFIG] [-s SOCKET] [-k KEYFILE] COMMAND [ARG...]\n"
		"       sekishoctl keygen [NAME] [--alg hmac-sha256|hmac-sha384|hmac-sha512]\n"
		"commands: sekishoctl help\n");
	return 2;
}

static int keygen(int argc, char **argv)
{
	const char *name = DEFAULT_KEYNAME;
	enum tsig_alg alg = TSIG_ALG_HMAC_SHA256;
	struct tsig_key key;
	char out[512];
	int n;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--alg") == 0 && i + 1 < argc) {
			const char *a = argv[++i];
			char full[32];

			/* "384" is short for hmac-sha384 */
			if (strncmp(a, "hmac-", 5) != 0) {
				snprintf(full, sizeof(full), "hmac-sha%s", a);
				a = full;
			}
			if (tsig_alg_from_name(a, strlen(a), &alg) != 0) {
				fprintf(stderr, "sekishoctl: unknown algorithm '%s'\n", argv[i]);
				return 2;
			}
		} else if (argv[i][0] != '-') {
			name = argv[i];
		} else {
			return usage();
		}
	}
	if (tsig_key_generate(name, alg, &key) != TSIG_OK) {
		fprintf(stderr, "sekishoctl: cannot make a key named '%s'\n", name);
		return 1;
	}
	n = tsig_key_format(&key, out, sizeof(out));
	if (n < 0)
		return 1;
	fputs(out, stdout);
	return 0;
}

/* Socket and key file from the config when not given. */
static void defaults_from_config(const char *conf, char *sock, size_t scap, char *keyf,
				 size_t kcap, int explicit_conf)
{
	struct config cfg;
	char err[512];

	if (!explicit_conf && access(conf, R_OK) != 0)
		return;
	if (config_load(conf, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "sekishoctl: %s\n", err);
		if (explicit_conf)
			exit(2);
		return;
	}
	if (sock[0] == '\0' && cfg.server.control_socket[0] != '\0')
		snprintf(sock, scap, "%s", cfg.server.control_socket);
	if (sock[0] == '\0' && cfg.server.control_tcp.family != 0) {
		char a[64];

		inet_ntop(cfg.server.control_tcp.family, cfg.server.control_tcp.addr, a, sizeof(a));
		snprintf(sock, scap, cfg.server.control_tcp.family == AF_INET6 ? "tcp:[%s]:%u" :
			 "tcp:%s:%u", a, cfg.server.control_tcp_port);
	}
	if (keyf[0] == '\0' && cfg.server.control_key_file[0] != '\0') {
		const char *slash = strrchr(conf, '/');

		if (cfg.server.control_key_file[0] != '/' && slash != NULL &&
		    (size_t)(slash - conf) + 1 + strlen(cfg.server.control_key_file) < kcap) {
			memcpy(keyf, conf, (size_t)(slash - conf) + 1);
			strcpy(keyf + (slash - conf) + 1, cfg.server.control_key_file);
		} else
			snprintf(keyf, kcap, "%s", cfg.server.control_key_file);
	}
	config_free(&cfg);
}

/* Read exactly @len bytes (TCP). */
static int read_full(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, buf + got, len - got, 0);

		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* A connected socket to @where: a Unix socket path, or "tcp:ADDRESS:PORT" (loopback,
 * as control-tcp). -1 with a message on failure. */
static int connect_to(const char *where)
{
	struct timeval tv = { .tv_sec = 60 }; /* a selftest or lookup may take a while */
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (strncmp(where, "tcp:", 4) == 0) {
		struct config_prefix a;
		uint16_t port;
		const char *why;

		if (config_parse_loopback_port(where + 4, strlen(where + 4), &a, &port, &why) != 0) {
			fprintf(stderr, "sekishoctl: %s: %s\n", where, why);
			return -1;
		}
		sl = inaddr_fill(&ss, a.family, a.addr, port);
		fd = socket(a.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	} else {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;

		if (strlen(where) >= sizeof(sun->sun_path)) {
			fprintf(stderr, "sekishoctl: socket path too long\n");
			return -1;
		}
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, where, strlen(where) + 1);
		sl = sizeof(*sun);
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	}
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&ss, sl) != 0) {
		fprintf(stderr, "sekishoctl: %s: %s\n", where, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* One exchange: send @req, read the reply into @reply. Returns its length or -1. */
static ssize_t exchange(const char *where, const uint8_t *req, size_t len, uint8_t *reply,
			size_t cap)
{
	bool tcp = strncmp(where, "tcp:", 4) == 0;
	uint8_t hdr[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	ssize_t n;
	int fd = connect_to(where);

	if (fd < 0)
		return -1;
	if ((tcp && send(fd, hdr, 2, MSG_NOSIGNAL | MSG_MORE) != 2) ||
	    send(fd, req, len, MSG_NOSIGNAL) != (ssize_t)len) {
		fprintf(stderr, "sekishoctl: %s: %s\n", where, strerror(errno));
		close(fd);
		return -1;
	}
	if (tcp) {
		n = read_full(fd, hdr, 2) == 0 && (size_t)(hdr[0] << 8 | hdr[1]) <= cap &&
		    read_full(fd, reply, (size_t)(hdr[0] << 8 | hdr[1])) == 0 ?
		    (ssize_t)(hdr[0] << 8 | hdr[1]) : -1;
		if (n < 0)
			errno = errno ? errno : EPROTO;
	} else {
		n = recv(fd, reply, cap, 0);
	}
	if (n <= 0)
		fprintf(stderr, "sekishoctl: %s: %s\n", where,
			n == 0 ? "closed without a reply" : strerror(errno));
	close(fd);
	return n > 0 ? n : -1;
}

static void print_line(const char *line, size_t len, void *arg)
{
	fprintf(arg, "%.*s\n", (int)len, line);
}

static const char *refusal_text(int error)
{
	switch (error) {
	case WIRE_RCODE_BADVERS: /* = BADSIG in a TSIG error field */
		return "BADSIG (the key does not match sekishod's)";
	case WIRE_RCODE_BADKEY:
		return "BADKEY (sekishod does not know this key)";
	case WIRE_RCODE_BADTIME:
		return "BADTIME (clocks differ by more than the fudge, or a replayed request)";
	default:
		return NULL;
	}
}

/* Check and print a reply. Returns the exit status. */
static int show_reply(uint8_t *reply, size_t len, const struct tsig_keyring *keys,
		      const struct tsig_info *req)
{
	struct tsig_info info;
	size_t plain;
	int rc, rcode, terr;

	memset(&info, 0, sizeof(info));
	rc = tsig_verify(reply, len, keys, (uint64_t)time(NULL), req->mac, req->mac_len,
			 &plain, &info);
	if (rc != TSIG_OK) {
		terr = ctl_tsig_error(reply, len);
		if (refusal_text(terr) != NULL)
			fprintf(stderr, "sekishoctl: refused: %s\n", refusal_text(terr));
		else if (len >= WIRE_HDR_LEN && WIRE_RCODE(wire_get_u16(reply + 2)) ==
			 WIRE_RCODE_REFUSED)
			fprintf(stderr, "sekishoctl: refused\n");
		else
			fprintf(stderr, "sekishoctl: reply not trusted: %s\n", tsig_strerror(rc));
		return 1;
	}
	if (info.error != 0) {
		const char *t = refusal_text(info.error);

		fprintf(stderr, "sekishoctl: refused: %s\n", t ? t : "TSIG error");
		return 1;
	}
	rcode = WIRE_RCODE(wire_get_u16(reply + 2));
	if (ctl_reply_lines(reply, plain, print_line, rcode == 0 ? stdout : stderr) < 0) {
		fprintf(stderr, "sekishoctl: malformed reply\n");
		return 1;
	}
	return rcode == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	char sock[CONFIG_PATH_MAX] = "", keyf[CONFIG_PATH_MAX] = "", err[512];
	const char *conf = DEFAULT_CONFIG;
	static uint8_t req[CTL_MSG_MAX], reply[CTL_MSG_MAX];
	struct tsig_sign_params sp = { .fudge = TSIG_FUDGE_DEFAULT };
	static struct tsig_keyring keys;
	struct tsig_info ri;
	int opt, explicit_conf = 0, replay = 0, len, rc = 1;
	uint16_t id;
	size_t slen;
	ssize_t n;

	if (argc >= 2 && strcmp(argv[1], "keygen") == 0)
		return keygen(argc - 1, argv + 1);
	/* "+": options end at COMMAND, so that its own ("flush --all") reach sekishod */
	while ((opt = getopt(argc, argv, "+c:s:k:Rh")) != -1) {
		switch (opt) {
		case 'c':
			conf = optarg;
			explicit_conf = 1;
			break;
		case 's':
			snprintf(sock, sizeof(sock), "%s", optarg);
			break;
		case 'k':
			snprintf(keyf, sizeof(keyf), "%s", optarg);
			break;
		case 'R': /* tests: send the same signed request twice, show the second reply */
			replay = 1;
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	defaults_from_config(conf, sock, sizeof(sock), keyf, sizeof(keyf), explicit_conf);
	if (sock[0] == '\0')
		snprintf(sock, sizeof(sock), "%s", DEFAULT_SOCKET);
	if (keyf[0] == '\0')
		snprintf(keyf, sizeof(keyf), "%s", DEFAULT_KEYFILE);
	if (tsig_keys_load(keyf, &keys, err, sizeof(err)) != TSIG_OK || keys.count == 0) {
		fprintf(stderr, "sekishoctl: %s\n", keys.count == 0 && err[0] == '\0' ?
			"key file holds no key" : err);
		return 1;
	}
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)time(NULL);
	len = ctl_build_request(argv[optind], argc - optind - 1, argv + optind + 1, id, req,
				sizeof(req));
	if (len < 0) {
		fprintf(stderr, "sekishoctl: bad command '%s' or arguments (at most %u, "
			"1-%u bytes each)\n", argv[optind], CTL_ARGS_MAX, CTL_LINE_MAX);
		return 2;
	}
	sp.now = (uint64_t)time(NULL);
	if (tsig_sign(req, (size_t)len, sizeof(req), &keys.keys[0], &sp, &slen, &ri) != TSIG_OK) {
		fprintf(stderr, "sekishoctl: cannot sign the request\n");
		return 1;
	}
	n = exchange(sock, req, slen, reply, sizeof(reply));
	if (n > 0 && replay)
		n = exchange(sock, req, slen, reply, sizeof(reply));
	if (n > 0)
		rc = show_reply(reply, (size_t)n, &keys, &ri);
	tsig_thread_cleanup();
	return rc;
}
