/*
 * config.h - sekishod.conf parser (slow path, control thread only).
 *
 * Reads the Unbound-like format of docs/config-format.md into a plain,
 * owned struct config. The result holds no pointers into the input and
 * nothing shared, so it can be turned into an immutable snapshot and
 * published to workers by RCU on reload.
 *
 * Every error message has the form "FILE:LINE: reason".
 */
#ifndef SEKISHO_CONFIG_H
#define SEKISHO_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "local.h"

#define CONFIG_MAX_PORTS      8
#define CONFIG_MAX_ADDRS      8    /* addresses per port */
#define CONFIG_PORT_NAME_MAX  32   /* including the NUL */
#define CONFIG_DEVICE_MAX     256  /* devargs string, including the NUL */
#define CONFIG_SOURCE_MAX     256  /* file name kept for messages */
#define CONFIG_PATH_MAX       256  /* file paths in options, including the NUL */

/* Defaults (docs/config-format.md). */
#define CONFIG_DEFAULT_WORKERS        1
#define CONFIG_DEFAULT_EDNS_BUFFER    1232
#define CONFIG_DEFAULT_IDLE_SLEEP_US  50
#define CONFIG_DEFAULT_IDLE_POLLS     64
#define CONFIG_DEFAULT_STATS_INTERVAL 0
#define CONFIG_DEFAULT_MTU            1500
#define CONFIG_DEFAULT_TCP_IDLE_TIMEOUT 10
#define CONFIG_DEFAULT_TCP_MAX_CONNECTIONS 256
#define CONFIG_DEFAULT_TCP_UPSTREAM_IDLE_TIMEOUT 5
#define CONFIG_DEFAULT_CLOCK_SKEW     300
#define CONFIG_DEFAULT_NSEC3_ITERATIONS 150
#define CONFIG_DEFAULT_NSEC3_ITERATIONS_CAP 500
#define CONFIG_DEFAULT_RFC5011_HOLDDOWN (30u * 86400u) /* RFC 5011 §2.4.1, §2.4.2 */
#define CONFIG_DEFAULT_RFC5011_MIN    3600           /* §2.3: MAX(1 hr, ...) */
#define CONFIG_DEFAULT_RSA_MIN_BITS   1024
/* The self-test's names by default: a well-known signed zone and the well-known
 * deliberately broken one (the 2017 KSK rollover notice's checks); SOA because every
 * zone apex has one. No default for the large and TCP names: none is known to stay. */
#define CONFIG_DEFAULT_SELFTEST_GOOD  "isc.org."
#define CONFIG_DEFAULT_SELFTEST_BOGUS "dnssec-failed.org."
#define CONFIG_DEFAULT_SELFTEST_TYPE  6    /* SOA */

enum config_err {
	CONFIG_OK     = 0,
	CONFIG_EIO    = -1,  /* file cannot be read */
	CONFIG_EPARSE = -2,  /* syntax or value error; see the message */
	CONFIG_ENOMEM = -3,
};

/* An address with its prefix length, as given by "address:". */
struct config_prefix {
	int family;             /* AF_INET or AF_INET6 */
	uint8_t addr[16];       /* network byte order; IPv4 uses the first 4 */
	uint8_t prefixlen;      /* 0..32 or 0..128 */
};

#define CONFIG_MAX_ANCHORS    16   /* trust-anchor: lines */
#define CONFIG_ANCHOR_RDATA   1024 /* largest DS or DNSKEY RDATA of one anchor */
#define CONFIG_MAX_NTAS       64   /* domain-insecure + negative-trust-anchor */

/* A "trust-anchor:" line: a DS or DNSKEY record in wire form. */
struct config_anchor {
	uint8_t owner[255];
	uint8_t owner_len;
	uint16_t type;                      /* 43 (DS) or 48 (DNSKEY) */
	uint16_t rdlen;
	uint8_t rdata[CONFIG_ANCHOR_RDATA];
	unsigned line;
};

/* A negative trust anchor (RFC 7646): below this name nothing is validated. */
struct config_nta {
	uint8_t name[255];
	uint8_t name_len;
	uint32_t lifetime;                  /* seconds from start-up; 0: no expiry
	                                     * (domain-insecure:) */
};

/* DNSSEC validation: "server:" options (docs/config-format.md). */
struct config_dnssec {
	uint32_t validation;                /* 0/1: dnssec-validation */
	char anchor_file[CONFIG_PATH_MAX];  /* trust-anchor-file: DS/DNSKEY zone-file text */
	struct config_anchor anchors[CONFIG_MAX_ANCHORS];
	uint32_t nanchors;
	struct config_nta ntas[CONFIG_MAX_NTAS];
	uint32_t nntas;
	uint64_t date_override;             /* validation-date-override (UNIX time), 0: off */
	uint32_t clock_skew;                /* val-clock-skew: seconds either side */
	uint32_t sha1;                      /* 0/1: algorithms 5 and 7, DS digest 1 */
	uint32_t rsa_min_bits;              /* shorter RSA keys are unsupported (insecure) */
	uint32_t nsec3_iterations;          /* above: insecure, EDE 27 (RFC 9276) */
	uint32_t nsec3_iterations_cap;      /* above: bogus, EDE 27 */
	uint32_t aggressive_nsec;           /* 0/1: RFC 8198 */
	/* RFC 5011 management of the root's anchors: on when state_file is set */
	char state_file[CONFIG_PATH_MAX];   /* trust-anchor-state-file, "" = off */
	unsigned state_file_line;           /* where it was set (for messages) */
	uint32_t rfc5011_add_holddown;      /* seconds; the RFC's 30 days by default */
	uint32_t rfc5011_remove_holddown;   /* seconds a revoked key is kept */
	uint32_t rfc5011_query_min;         /* floor of the query interval (1 hour) */
	uint32_t rfc5011_retry_min;         /* floor of the retry time (1 hour) */
};

#define CONFIG_NAME_TEXT_MAX  256  /* a domain name in presentation form, with the NUL */

/* A name `sekishoctl selftest` asks for (control/selftest.h): "NAME [TYPE]". */
struct config_selftest_name {
	char name[CONFIG_NAME_TEXT_MAX];    /* presentation form; "" = not configured */
	uint16_t type;
	unsigned line;                      /* where it was set, 0: the default */
};

/* selftest-*-name: what the self-test checks (docs/config-format.md). */
struct config_selftest {
	struct config_selftest_name good;   /* validates: NOERROR, AD=1 */
	struct config_selftest_name bogus;  /* SERVFAIL, data with CD=1 */
	struct config_selftest_name large;  /* a ~4,000-byte answer over fragmented UDP */
	struct config_selftest_name tcp;    /* answered TC=1 over UDP: needs TCP */
};

/* "server:" section. */
struct config_server {
	uint32_t workers;           /* 1..128 */
	uint32_t edns_buffer_size;  /* 512..4096 */
	uint32_t idle_sleep_us;     /* 0 = busy poll */
	uint32_t idle_polls;
	uint32_t stats_interval;    /* seconds, 0 = off */
	/* recursion: on when root_hints names a file */
	char root_hints[CONFIG_PATH_MAX];  /* root hints file, "" = no recursion */
	uint32_t qname_minimisation;       /* 0/1 (yes/no) */
	uint32_t resolve_pool;             /* resolutions in flight per worker */
	/* the shared cache */
	uint32_t cache_size_mb;
	uint32_t cache_min_ttl;
	uint32_t cache_max_ttl;
	uint32_t cache_max_negative_ttl;
	uint32_t serve_stale;              /* seconds past expiry, 0 = off (RFC 8767) */
	uint32_t prefetch;                 /* refresh when < this % of TTL is left, 0 = off */
	/* DNS over TCP (control/tcp.c) */
	uint32_t tcp_idle_timeout;         /* seconds a silent client connection stays open */
	uint32_t tcp_max_connections;      /* client connections open at once */
	uint32_t tcp_upstream_idle_timeout; /* seconds an unused upstream connection is kept */
	uint32_t test_clock;               /* 0/1: telemetry /sekisho/test/clock_advance (tests) */
	/* the control socket (control/ctl.h): off when control_socket is "" */
	char control_socket[CONFIG_PATH_MAX];   /* Unix socket path for sekishoctl */
	char control_key_file[CONFIG_PATH_MAX]; /* TSIG keys (BIND key file) */
	unsigned control_line;                  /* where control-socket was set */
	/* control-tcp: the same channel on loopback TCP (family 0: off) */
	struct config_prefix control_tcp;       /* address (prefixlen unused) */
	uint16_t control_tcp_port;
	unsigned control_tcp_line;
	/* Prometheus text over HTTP (control/prom.h): off while stats_http_port is 0 */
	int stats_http_family;                  /* AF_INET or AF_INET6 */
	uint8_t stats_http_addr[16];            /* a loopback address, network order */
	uint16_t stats_http_port;
	struct config_dnssec dnssec;
	struct config_selftest selftest;
};

/* One "port:" section. */
struct config_port {
	char name[CONFIG_PORT_NAME_MAX];
	char device[CONFIG_DEVICE_MAX];     /* DPDK devargs or PCI address */
	struct config_prefix addrs[CONFIG_MAX_ADDRS];
	uint32_t naddrs;
	struct config_prefix gw4, gw6;      /* gateways (family 0: none) */
	uint32_t vlan;                      /* 0 = untagged, else 1..4094 */
	uint32_t mtu;                       /* 576..9000 */
	unsigned line;                      /* where the section starts */
};

/* Optional "exception:" section (kernel exception path). */
struct config_exception {
	bool enabled;
	char device[CONFIG_DEVICE_MAX];
	unsigned line;
};

#define CONFIG_MAX_ZONES      32   /* forward + stub zones */
#define CONFIG_ZONE_ADDRS     8    /* servers per forward/stub zone */

/* A "forward-zone:" or "stub-zone:" section. */
struct config_zone {
	bool forward;                       /* forward-zone (RD=1 to resolvers) or stub */
	uint8_t name[255];                  /* wire form */
	uint8_t name_len;                   /* 0: no name yet */
	struct config_prefix addrs[CONFIG_ZONE_ADDRS]; /* prefixlen unused */
	uint16_t ports[CONFIG_ZONE_ADDRS];  /* 53 unless "addr@port" */
	uint32_t naddrs;
	unsigned line;
};

struct config {
	char source[CONFIG_SOURCE_MAX];     /* file name used in messages */
	struct config_server server;
	struct config_port ports[CONFIG_MAX_PORTS];
	uint32_t nports;
	struct config_exception exception;
	struct config_zone zones[CONFIG_MAX_ZONES];
	uint32_t nzones;
	/* local-zone / local-data, records already in wire form, each record
	 * inside a zone (implicit transparent zones added). Build the lookup
	 * structure with local_db_build(&cfg->local, &db). */
	struct local_conf local;
};

/*
 * config_parse_loopback_port - "127.0.0.1:8953" or "[::1]:8953" (@text, @len) into
 * @a and @port: a loopback address (127.0.0.0/8 or ::1) and a port 1..65535.
 * Returns 0, or -1 with a reason in @why.
 */
int config_parse_loopback_port(const char *text, size_t len, struct config_prefix *a,
			       uint16_t *port, const char **why);

/*
 * Set every field to its default and empty the lists. Does not free:
 * use on a struct that owns nothing yet.
 */
void config_defaults(struct config *cfg);

/*
 * Read and check a config file.
 *
 * path:   file to read.
 * cfg:    filled on success (no need to initialise it first); left empty
 *         (as after config_free) on error.
 * err/errlen: receives "FILE:LINE: reason" (or "FILE: reason" when the file
 *         cannot be read) on error; may be NULL.
 *
 * Returns 0, CONFIG_EIO, CONFIG_EPARSE or CONFIG_ENOMEM.
 */
int config_load(const char *path, struct config *cfg, char *err, size_t errlen);

/*
 * Same as config_load() on text already in memory. name is the pseudo file
 * name used in messages (e.g. "test.conf").
 */
int config_load_string(const char *text, size_t len, const char *name,
		       struct config *cfg, char *err, size_t errlen);

/* Release what cfg owns; it holds defaults and no data afterwards. */
void config_free(struct config *cfg);

#endif /* SEKISHO_CONFIG_H */
