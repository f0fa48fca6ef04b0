/*
 * test_config.c - sekishod.conf parsing: fields, defaults, and the exact
 * "FILE:LINE: reason" of each class of error.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "unit_check.h"

static struct config cfg;
static char err[512];

static int load(const char *text)
{
	return config_load_string(text, strlen(text), "t.conf", &cfg, err, sizeof(err));
}

/* Load a config expected to fail and return its message. */
static const char *load_error(const char *text)
{
	int r = load(text);

	CHECK_INT(r, CONFIG_EPARSE);
	return err;
}

#define PORT_OK "port:\n name: wire\n device: net_null0\n"

static const char good[] =
	"# sekishod.conf for the lab\n"
	"server:\n"
	"    workers: 4                 # worker lcores\n"
	"    edns-buffer-size: 1400\n"
	"    idle-sleep-us: 0\n"
	"    idle-polls: 128\n"
	"    stats-interval: 10\n"
	"    local-zone: \"local.lab.\" static\n"
	"    local-data: \"www.local.lab. 300 IN A 192.0.2.80\"\n"
	"    local-data: \"local.lab. 3600 IN SOA ns.local.lab. host.local.lab. 1 3600 600 86400 300\"\n"
	"    local-data: \"txt.local.lab. TXT \\\"a b\\\" c\"\n"
	"\n"
	"port:\n"
	"    name: wire\n"
	"    device: \"net_tap0,iface=sk-wire\"\n"
	"    address: 192.0.2.53/24\n"
	"    address: 2001:db8:53::53/64\n"
	"    vlan: 12\n"
	"    mtu: 9000\n"
	"port:\n"
	"    name: up\n"
	"    device: 0000:03:00.0\n"
	"exception:\n"
	"    device: 'net_tap1,iface=sk-exc'\n";

static void test_good_file_sets_every_field(void)
{
	CHECK_INT(load(good), 0);
	CHECK_STR(err, "");
	CHECK_INT(cfg.server.workers, 4);
	CHECK_INT(cfg.server.edns_buffer_size, 1400);
	CHECK_INT(cfg.server.idle_sleep_us, 0);
	CHECK_INT(cfg.server.idle_polls, 128);
	CHECK_INT(cfg.server.stats_interval, 10);
	CHECK_INT(cfg.nports, 2);

	const struct config_port *p = &cfg.ports[0];
	CHECK_STR(p->name, "wire");
	CHECK_STR(p->device, "net_tap0,iface=sk-wire");
	CHECK_INT(p->naddrs, 2);
	CHECK_INT(p->addrs[0].family, AF_INET);
	CHECK_BYTES(p->addrs[0].addr, 4, 192, 0, 2, 53);
	CHECK_INT(p->addrs[0].prefixlen, 24);
	CHECK_INT(p->addrs[1].family, AF_INET6);
	CHECK_BYTES(p->addrs[1].addr, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0x53, 0, 0,
		    0, 0, 0, 0, 0, 0, 0, 0x53);
	CHECK_INT(p->addrs[1].prefixlen, 64);
	CHECK_INT(p->vlan, 12);
	CHECK_INT(p->mtu, 9000);
	CHECK_STR(cfg.ports[1].device, "0000:03:00.0");
	CHECK_INT(cfg.ports[1].mtu, CONFIG_DEFAULT_MTU);
	CHECK_INT(cfg.ports[1].vlan, 0);
	CHECK(cfg.exception.enabled);
	CHECK_STR(cfg.exception.device, "net_tap1,iface=sk-exc");

	CHECK_INT(cfg.local.nzones, 1);
	CHECK_INT(cfg.local.nrrs, 3);
	CHECK_INT(cfg.local.rrs[2].type, 16);
	CHECK_BYTES(cfg.local.rrs[2].rdata, cfg.local.rrs[2].rdlen, 3, 'a', ' ', 'b', 1, 'c');
	config_free(&cfg);
}

/* The example of docs/config-format.md, verbatim. */
static const char contract_example[] =
	"server:\n"
	"    workers: 1                 # worker lcores; each owns one RX/TX queue pair on every port\n"
	"    edns-buffer-size: 1232     # our UDP payload size, advertised in answers (512..4096)\n"
	"    idle-sleep-us: 50          # sleep this long after `idle-polls` empty polls; 0 = busy poll\n"
	"    idle-polls: 64\n"
	"    stats-interval: 0          # seconds between stats lines on stdout, 0 = off\n"
	"    local-zone: \"local.lab.\" static        # static|transparent|redirect|refuse|deny|always_nxdomain\n"
	"    local-data: \"www.local.lab. 300 IN A 192.0.2.80\"\n"
	"    local-data: \"local.lab. 3600 IN SOA ns.local.lab. host.local.lab. 1 3600 600 86400 300\"\n"
	"    # sekishoctl selftest (control/selftest.h): \"NAME [TYPE]\", TYPE defaults to A\n"
	"    selftest-good-name: isc.org. SOA              # default: validates (NOERROR, AD=1)\n"
	"    selftest-bogus-name: dnssec-failed.org. SOA   # default: SERVFAIL, data with CD=1\n"
	"    selftest-large-name: big.example. TXT         # no default: a ~4,000-byte answer\n"
	"    selftest-tcp-name: tc.example. A              # no default: its servers answer TC=1\n"
	"\n"
	"port:                          # one block per port; repeat for more\n"
	"    name: wire\n"
	"    device: \"net_tap0,iface=sk-wire\"   # DPDK devargs of a vdev, or a PCI address 0000:03:00.0\n"
	"    address: 192.0.2.53/24     # repeatable, IPv4 or IPv6 with prefix length\n"
	"    address: 2001:db8:53::53/64\n"
	"    vlan: 0                    # 802.1Q VLAN id on this port, 0 = untagged\n"
	"    mtu: 1500\n"
	"\n"
	"exception:                     # optional: kernel exception path (see drivers/README.md)\n"
	"    device: \"net_tap1,iface=sk-exc\"\n";

static void test_contract_example_parses(void)
{
	CHECK_INT(load(contract_example), 0);
	CHECK_STR(err, "");
	CHECK_INT(cfg.server.workers, 1);
	CHECK_INT(cfg.server.edns_buffer_size, 1232);
	CHECK_INT(cfg.nports, 1);
	CHECK_STR(cfg.ports[0].name, "wire");
	CHECK_STR(cfg.ports[0].device, "net_tap0,iface=sk-wire");
	CHECK_INT(cfg.ports[0].naddrs, 2);
	CHECK_INT(cfg.ports[0].mtu, 1500);
	CHECK(cfg.exception.enabled);
	CHECK_STR(cfg.exception.device, "net_tap1,iface=sk-exc");
	CHECK_INT(cfg.local.nzones, 1);
	CHECK_INT(cfg.local.nrrs, 2);
	CHECK_STR(cfg.server.selftest.large.name, "big.example.");
	CHECK_INT(cfg.server.selftest.large.type, 16);
	CHECK_STR(cfg.server.selftest.tcp.name, "tc.example.");
	config_free(&cfg);
}

static void test_good_file_builds_local_db(void)
{
	static const uint8_t www[] = "\003www\005local\003lab";
	struct local_db *db = NULL;
	struct local_answer ans;

	CHECK_INT(load(good), 0);
	CHECK_INT(local_db_build(&cfg.local, &db), 0);
	CHECK_INT(local_lookup(db, www, sizeof(www), 1, 1, &ans), LOCAL_ANSWER);
	local_db_free(db);
	config_free(&cfg);
}

static void test_defaults_apply_when_server_section_is_absent(void)
{
	CHECK_INT(load(PORT_OK), 0);
	CHECK_INT(cfg.server.workers, 1);
	CHECK_INT(cfg.server.edns_buffer_size, 1232);
	CHECK_INT(cfg.server.idle_sleep_us, 50);
	CHECK_INT(cfg.server.idle_polls, 64);
	CHECK_INT(cfg.server.stats_interval, 0);
	CHECK_INT(cfg.ports[0].mtu, 1500);
	CHECK(!cfg.exception.enabled);
	config_free(&cfg);
}

static void test_unknown_key_names_key_and_section(void)
{
	CHECK_STR(load_error("server:\n  worker: 2\n" PORT_OK),
		  "t.conf:2: unknown key 'worker' in section 'server'");
	CHECK_STR(load_error(PORT_OK "  local-data: \"a. A 192.0.2.1\"\n"),
		  "t.conf:4: unknown key 'local-data' in section 'port'");
	CHECK_STR(load_error("workers: 2\n"), "t.conf:1: key 'workers' outside any section");
	CHECK_STR(load_error("serve:\n"), "t.conf:1: unknown section 'serve'");
	CHECK_STR(load_error("server:\n  just words\n"),
		  "t.conf:2: expected 'key: value' or 'section:'");
}

static void test_number_out_of_range_gives_the_range(void)
{
	CHECK_STR(load_error("server:\n  edns-buffer-size: 100\n" PORT_OK),
		  "t.conf:2: edns-buffer-size must be 512..4096");
	CHECK_STR(load_error("server:\n  edns-buffer-size: 4097\n" PORT_OK),
		  "t.conf:2: edns-buffer-size must be 512..4096");
	CHECK_STR(load_error("server:\n  workers: 0\n" PORT_OK),
		  "t.conf:2: workers must be 1..128");
	CHECK_STR(load_error("server:\n  workers: many\n" PORT_OK),
		  "t.conf:2: workers must be 1..128");
	CHECK_STR(load_error(PORT_OK " vlan: 4095\n"), "t.conf:4: vlan must be 0..4094");
	CHECK_STR(load_error(PORT_OK " mtu: 500\n"), "t.conf:4: mtu must be 576..9000");
	CHECK_STR(load_error("server:\n  workers: 1 2\n"), "t.conf:2: workers takes 1 value, got 2");
}

static void test_bad_prefix_is_quoted_back(void)
{
	CHECK_STR(load_error(PORT_OK " address: 192.0.2.300/24\n"),
		  "t.conf:4: address '192.0.2.300/24' is not an IPv4/IPv6 prefix");
	CHECK_STR(load_error(PORT_OK " address: 192.0.2.1/33\n"),
		  "t.conf:4: address '192.0.2.1/33' is not an IPv4/IPv6 prefix");
	CHECK_STR(load_error(PORT_OK " address: 2001:db8::1\n"),
		  "t.conf:4: address '2001:db8::1' is not an IPv4/IPv6 prefix");
}

static void test_missing_port_is_an_error(void)
{
	CHECK_STR(load_error("server:\n  workers: 2\n"),
		  "t.conf:2: no port section (at least one port is required)");
	CHECK_STR(load_error("port:\n  name: x\n"), "t.conf:1: port 'x' has no device");
	CHECK_STR(load_error(PORT_OK PORT_OK), "t.conf:4: port name 'wire' used twice");
	CHECK_STR(load_error(PORT_OK "exception:\n"), "t.conf:4: exception section has no device");
}

static void test_local_data_errors(void)
{
	CHECK_STR(load_error("server:\n  local-data: \"x.lab. 300 IN AX 192.0.2.1\"\n" PORT_OK),
		  "t.conf:2: local-data: unknown type 'AX'");
	CHECK_STR(load_error("server:\n  local-data: \"x.lab. A\"\n" PORT_OK),
		  "t.conf:2: local-data: missing field");
	CHECK_STR(load_error("server:\n  local-data: \"x.lab. A 192.0.2.1 extra\"\n" PORT_OK),
		  "t.conf:2: local-data: trailing data after rdata 'extra'");
	CHECK_STR(load_error("server:\n  local-data: x.lab. A 192.0.2.1\n" PORT_OK),
		  "t.conf:2: local-data takes 1 value, got 3");
	CHECK_STR(load_error("server:\n local-zone: \"r.lab.\" redirect\n"
			     " local-data: \"a.r.lab. A 192.0.2.1\"\n" PORT_OK),
		  "t.conf:3: local-data below the apex of a redirect zone");
	CHECK_STR(load_error("server:\n local-zone: lab. static\n\n local-zone: lab. deny\n" PORT_OK),
		  "t.conf:4: duplicate local-zone");
	CHECK_STR(load_error("server:\n local-zone: lab. stat\n" PORT_OK),
		  "t.conf:2: local-zone: unknown type 'stat' (static, transparent, redirect, "
		  "refuse, deny, always_nxdomain)");
}

static void test_unterminated_quote(void)
{
	CHECK_STR(load_error("server:\n  local-data: \"x.lab. A 192.0.2.1\n" PORT_OK),
		  "t.conf:2: unterminated quote");
	CHECK_STR(load_error("server:\n  local-data: 'x.lab. TXT \"abc'\n" PORT_OK),
		  "t.conf:2: local-data: unterminated quote '\"abc'");
}

static void test_local_data_outside_zone_creates_implicit_transparent_zone(void)
{
	CHECK_INT(load("server:\n local-zone: lab. static\n"
		       " local-data: \"a.lab. A 192.0.2.1\"\n"
		       " local-data: \"b.example. A 192.0.2.2\"\n" PORT_OK), 0);
	CHECK_INT(cfg.local.nzones, 2);
	const struct local_conf_zone *z = &cfg.local.zones[0];
	if (!z->implicit)
		z = &cfg.local.zones[1];
	CHECK(z->implicit);
	CHECK_INT(z->type, LOCAL_ZONE_TRANSPARENT);
	CHECK_NAME(z->name, z->name_len, "\001b\007example");
	config_free(&cfg);
}

static void test_load_from_file_and_missing_file(void)
{
	char path[] = "/tmp/sekisho-config-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	FILE *f = fdopen(fd, "w");
	fputs("server:\n  workers: 3\n" PORT_OK, f);
	fclose(f);
	CHECK_INT(config_load(path, &cfg, err, sizeof(err)), 0);
	CHECK_INT(cfg.server.workers, 3);
	config_free(&cfg);

	f = fopen(path, "w");
	fputs("server:\n\n  workers: 300\n", f);
	fclose(f);
	CHECK_INT(config_load(path, &cfg, err, sizeof(err)), CONFIG_EPARSE);
	char want[128];
	snprintf(want, sizeof(want), "%s:3: workers must be 1..128", path);
	CHECK_STR(err, want);
	unlink(path);

	CHECK_INT(config_load(path, &cfg, err, sizeof(err)), CONFIG_EIO);
	CHECK(strncmp(err, path, strlen(path)) == 0);
}

static void test_recursion_options_and_gateways_parse(void)
{
	static const char text[] =
		"server:\n"
		"    root-hints: /etc/sekisho/root.hints\n"
		"    qname-minimisation: no\n"
		"    cache-size: 128\n"
		"    serve-stale: 0\n"
		"    prefetch: 20\n"
		"port:\n"
		"    name: wire\n"
		"    device: net_null0\n"
		"    address: 192.0.2.53/24\n"
		"    gateway: 192.0.2.1\n"
		"    gateway: 2001:db8:53::1\n";

	CHECK_INT(load(text), CONFIG_OK);
	CHECK(strcmp(cfg.server.root_hints, "/etc/sekisho/root.hints") == 0);
	CHECK_INT(cfg.server.qname_minimisation, 0);
	CHECK_INT(cfg.server.cache_size_mb, 128);
	CHECK_INT(cfg.server.serve_stale, 0);
	CHECK_INT(cfg.server.prefetch, 20);
	CHECK_INT(cfg.ports[0].gw4.family, AF_INET);
	CHECK(memcmp(cfg.ports[0].gw4.addr, "\xc0\x00\x02\x01", 4) == 0);
	CHECK_INT(cfg.ports[0].gw6.family, AF_INET6);
	config_free(&cfg);
}

static void test_bad_gateway_and_bool_are_rejected_with_line(void)
{
	const char *e = load_error(PORT_OK "    gateway: 192.0.2.300\n");

	CHECK(strstr(e, "t.conf:4: gateway '192.0.2.300'") != NULL);
	e = load_error(PORT_OK "    gateway: 192.0.2.1\n    gateway: 192.0.2.2\n");
	CHECK(strstr(e, "t.conf:5: a second IPv4 gateway") != NULL);
	e = load_error("server:\n    qname-minimisation: maybe\n" PORT_OK);
	CHECK(strstr(e, "t.conf:2: qname-minimisation must be yes or no") != NULL);
}

static void test_tcp_options_parse_and_default(void)
{
	CHECK_INT(load("server:\n    tcp-idle-timeout: 3\n    tcp-max-connections: 1000\n"
		       "    tcp-upstream-idle-timeout: 0\n" PORT_OK), CONFIG_OK);
	CHECK_INT(cfg.server.tcp_idle_timeout, 3);
	CHECK_INT(cfg.server.tcp_max_connections, 1000);
	CHECK_INT(cfg.server.tcp_upstream_idle_timeout, 0);
	config_free(&cfg);
	CHECK_INT(load(PORT_OK), CONFIG_OK);
	CHECK_INT(cfg.server.tcp_idle_timeout, 10);
	CHECK_INT(cfg.server.tcp_max_connections, 256);
	CHECK_INT(cfg.server.tcp_upstream_idle_timeout, 5);
	config_free(&cfg);
	CHECK(strstr(load_error("server:\n    tcp-idle-timeout: 0\n" PORT_OK),
		     "t.conf:2: tcp-idle-timeout must be 1..3600") != NULL);
	CHECK(strstr(load_error("server:\n    tcp-max-connections: 0\n" PORT_OK),
		     "t.conf:2: tcp-max-connections must be 1..65536") != NULL);
	CHECK(strstr(load_error("server:\n    tcp-upstream-idle-timeout: 3601\n" PORT_OK),
		     "t.conf:2: tcp-upstream-idle-timeout must be 0..3600") != NULL);
}

/* control-tcp: loopback only, a port, and a key file like control-socket. */
static void test_control_tcp_is_loopback_only(void)
{
	struct config_prefix a;
	uint16_t port = 0;
	const char *why = NULL;

	CHECK_INT(config_parse_loopback_port("127.0.0.1:8953", 14, &a, &port, &why), 0);
	CHECK_INT(a.family, AF_INET);
	CHECK_INT(port, 8953);
	CHECK_INT(config_parse_loopback_port("[::1]:53", 8, &a, &port, &why), 0);
	CHECK_INT(a.family, AF_INET6);
	CHECK_INT(config_parse_loopback_port("192.0.2.1:8953", 14, &a, &port, &why), -1);
	CHECK(strstr(why, "not a loopback address") != NULL);
	CHECK_INT(config_parse_loopback_port("[2001:db8::1]:8953", 18, &a, &port, &why), -1);
	CHECK_INT(config_parse_loopback_port("127.0.0.1", 9, &a, &port, &why), -1);
	CHECK_INT(config_parse_loopback_port("127.0.0.1:0", 11, &a, &port, &why), -1);
	CHECK_INT(config_parse_loopback_port("127.0.0.1:70000", 15, &a, &port, &why), -1);
	CHECK_INT(config_parse_loopback_port("[::1:8953", 9, &a, &port, &why), -1);
	CHECK(strstr(load_error("server:\n    workers: 1\n    control-tcp: 10.0.0.1:8953\n"
				"    control-key-file: \"k\"\n" PORT_OK),
		     "t.conf:3: control-tcp: not a loopback address") != NULL);
	CHECK(strstr(load_error("server:\n    control-tcp: 127.0.0.1:8953\n" PORT_OK),
		     "t.conf:2: control-tcp needs control-key-file") != NULL);
	CHECK_INT(load("server:\n    control-tcp: 127.0.0.1:8953\n    control-key-file: \"k\"\n"
		       PORT_OK), CONFIG_OK);
	CHECK_INT(cfg.server.control_tcp_port, 8953);
	config_free(&cfg);
}

static void test_control_socket_needs_a_key_file(void)
{
	CHECK_INT(load("server:\n    control-socket: \"/run/x.ctl\"\n"
		       "    control-key-file: \"ctl.key\"\n" PORT_OK), CONFIG_OK);
	CHECK_STR(cfg.server.control_socket, "/run/x.ctl");
	CHECK_STR(cfg.server.control_key_file, "ctl.key");
	config_free(&cfg);
	CHECK_INT(load(PORT_OK), CONFIG_OK);
	CHECK_STR(cfg.server.control_socket, "");
	config_free(&cfg);
	CHECK_INT(load("server:\n    control-socket: \"\"\n" PORT_OK), CONFIG_OK);
	config_free(&cfg);
	CHECK(strstr(load_error("server:\n    workers: 1\n    control-socket: \"/run/x.ctl\"\n"
				PORT_OK),
		     "t.conf:3: control-socket needs control-key-file") != NULL);
}

static void test_stats_http_is_loopback_address_and_port(void)
{
	const uint8_t v4[4] = { 127, 0, 0, 1 }, v6[16] = { [15] = 1 };

	CHECK_INT(load(PORT_OK), CONFIG_OK);
	CHECK_INT(cfg.server.stats_http_port, 0);          /* off by default */
	config_free(&cfg);
	CHECK_INT(load("server:\n    stats-http: 127.0.0.1:9153\n" PORT_OK), CONFIG_OK);
	CHECK_INT(cfg.server.stats_http_family, AF_INET);
	CHECK(memcmp(cfg.server.stats_http_addr, v4, 4) == 0);
	CHECK_INT(cfg.server.stats_http_port, 9153);
	config_free(&cfg);
	CHECK_INT(load("server:\n    stats-http: \"[::1]:80\"\n" PORT_OK), CONFIG_OK);
	CHECK_INT(cfg.server.stats_http_family, AF_INET6);
	CHECK(memcmp(cfg.server.stats_http_addr, v6, 16) == 0);
	CHECK_INT(cfg.server.stats_http_port, 80);
	config_free(&cfg);
	CHECK(strstr(load_error("server:\n    workers: 1\n    stats-http: 192.0.2.53:9153\n"
				PORT_OK),
		     "t.conf:3: stats-http: not a loopback address") != NULL);
	CHECK(strstr(load_error("server:\n    stats-http: [2001:db8::1]:9153\n" PORT_OK),
		     "t.conf:2: stats-http: not a loopback address") != NULL);
	CHECK(strstr(load_error("server:\n    stats-http: 127.0.0.1\n" PORT_OK),
		     "t.conf:2: stats-http: ADDRESS:PORT expected") != NULL);
	CHECK(strstr(load_error("server:\n    stats-http: 127.0.0.1:65536\n" PORT_OK),
		     "t.conf:2: stats-http: ADDRESS:PORT expected") != NULL);
	CHECK(strstr(load_error("server:\n    stats-http: 127.0.0.1:0\n" PORT_OK),
		     "t.conf:2: stats-http: ADDRESS:PORT expected") != NULL);
	CHECK(strstr(load_error("server:\n    stats-http: localhost:9153\n" PORT_OK),
		     "t.conf:2: stats-http: ADDRESS:PORT expected") != NULL);
	CHECK(strstr(load_error("server:\n    stats-http: ::1:9153\n" PORT_OK),
		     "t.conf:2: stats-http: ADDRESS:PORT expected") != NULL);
}

static void test_dnssec_options_parse_and_default(void)
{
	const struct config_dnssec *d = &cfg.server.dnssec;

	CHECK_INT(load(PORT_OK), CONFIG_OK);
	CHECK_INT(d->validation, 1);
	CHECK_INT(d->clock_skew, 300);
	CHECK_INT(d->nsec3_iterations, 150);
	CHECK_INT(d->nsec3_iterations_cap, 500);
	CHECK_INT(d->aggressive_nsec, 1);
	CHECK_INT(d->sha1, 0);
	CHECK_INT(d->rsa_min_bits, 1024);
	CHECK_INT(d->date_override, 0);
	config_free(&cfg);
	CHECK_INT(load("server:\n"
		       "    trust-anchor: \". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\"\n"
		       "    trust-anchor: \"lab. DNSKEY 257 3 13 AAECAw==\"\n"
		       "    trust-anchor-file: \"anchors.zone\"\n"
		       "    domain-insecure: broken.example\n"
		       "    negative-trust-anchor: bogus.example 3600\n"
		       "    validation-date-override: 20101010101010\n"
		       "    val-clock-skew: 60\n"
		       "    dnssec-sha1: yes\n"
		       "    dnssec-rsa-min-bits: 512\n"
		       "    nsec3-iterations: 50\n"
		       "    nsec3-iterations-cap: 100\n"
		       "    aggressive-nsec: no\n"
		       "    dnssec-validation: no\n" PORT_OK), CONFIG_OK);
	CHECK_INT(d->nanchors, 2);
	CHECK_INT(d->anchors[0].type, 43);
	CHECK_INT(d->anchors[0].owner_len, 1);
	CHECK_INT(d->anchors[0].rdlen, 36);
	CHECK_INT(d->anchors[0].line, 2);
	CHECK_INT(d->anchors[1].type, 48);
	CHECK_INT(d->anchors[1].rdlen, 8);
	CHECK_STR(d->anchor_file, "anchors.zone");
	CHECK_INT(d->nntas, 2);
	CHECK_INT(d->ntas[0].lifetime, 0);
	CHECK_INT(d->ntas[1].lifetime, 3600);
	CHECK_INT(d->ntas[1].name_len, 15);
	CHECK_INT(d->date_override, 1286705410);
	CHECK_INT(d->clock_skew, 60);
	CHECK_INT(d->sha1, 1);
	CHECK_INT(d->rsa_min_bits, 512);
	CHECK_INT(d->nsec3_iterations, 50);
	CHECK_INT(d->nsec3_iterations_cap, 100);
	CHECK_INT(d->aggressive_nsec, 0);
	CHECK_INT(d->validation, 0);
	config_free(&cfg);
	CHECK(strstr(load_error("server:\n    trust-anchor: \"x. A 192.0.2.1\"\n" PORT_OK),
		     "t.conf:2: trust-anchor: only DS or DNSKEY") != NULL);
	CHECK(strstr(load_error("server:\n    trust-anchor: \". DS 1 8 2 abc\"\n" PORT_OK),
		     "t.conf:2: trust-anchor: bad rdata field") != NULL);
	CHECK(strstr(load_error("server:\n    negative-trust-anchor: x.example 0\n" PORT_OK),
		     "t.conf:2: negative-trust-anchor: lifetime must be 1..604800") != NULL);
	CHECK(strstr(load_error("server:\n    validation-date-override: 2010-10-10\n" PORT_OK),
		     "t.conf:2: validation-date-override: YYYYMMDDHHMMSS") != NULL);
	CHECK(strstr(load_error("server:\n    dnssec-rsa-min-bits: 256\n" PORT_OK),
		     "t.conf:2: dnssec-rsa-min-bits must be 512..4096") != NULL);
	CHECK(strstr(load_error("server:\n    nsec3-iterations: 600\n" PORT_OK),
		     "nsec3-iterations (600) above nsec3-iterations-cap (500)") != NULL);
}

static void test_rfc5011_options_parse_and_default(void)
{
	const struct config_dnssec *d = &cfg.server.dnssec;

	CHECK_INT(load(PORT_OK), CONFIG_OK);
	CHECK_STR(d->state_file, "");
	CHECK_INT(d->rfc5011_add_holddown, 30 * 86400);
	CHECK_INT(d->rfc5011_remove_holddown, 30 * 86400);
	CHECK_INT(d->rfc5011_query_min, 3600);
	CHECK_INT(d->rfc5011_retry_min, 3600);
	config_free(&cfg);
	CHECK_INT(load("server:\n"
		       "    workers: 1\n"
		       "    trust-anchor-state-file: \"/var/lib/sekisho/root.state\"\n"
		       "    rfc5011-add-holddown: 20\n"
		       "    rfc5011-remove-holddown: 0\n"
		       "    rfc5011-query-min: 2\n"
		       "    rfc5011-retry-min: 3\n" PORT_OK), CONFIG_OK);
	CHECK_STR(d->state_file, "/var/lib/sekisho/root.state");
	CHECK_INT(d->state_file_line, 3);
	CHECK_INT(d->rfc5011_add_holddown, 20);
	CHECK_INT(d->rfc5011_remove_holddown, 0);
	CHECK_INT(d->rfc5011_query_min, 2);
	CHECK_INT(d->rfc5011_retry_min, 3);
	config_free(&cfg);
	/* "" turns RFC 5011 off again (over an earlier line or an included default) */
	CHECK_INT(load("server:\n    trust-anchor-state-file: \"x\"\n"
		       "    trust-anchor-state-file: \"\"\n" PORT_OK), CONFIG_OK);
	CHECK_STR(d->state_file, "");
	config_free(&cfg);
	CHECK(strstr(load_error("server:\n    rfc5011-add-holddown: 0\n" PORT_OK),
		     "t.conf:2: rfc5011-add-holddown must be 1..31536000") != NULL);
	CHECK(strstr(load_error("server:\n    rfc5011-query-min: 0\n" PORT_OK),
		     "t.conf:2: rfc5011-query-min must be 1..86400") != NULL);
	CHECK(strstr(load_error("server:\n    rfc5011-retry-min: 100000\n" PORT_OK),
		     "t.conf:2: rfc5011-retry-min must be 1..86400") != NULL);
}

static void test_forward_and_stub_zones_parse_and_are_checked(void)
{
	static const char text[] =
		PORT_OK
		"forward-zone:\n"
		"    name: \"corp.example.\"\n"
		"    forward-addr: 192.0.2.10\n"
		"    forward-addr: 2001:db8::10@5353\n"
		"stub-zone:\n"
		"    name: lab.example\n"
		"    stub-addr: 198.51.100.7\n";
	const char *e;

	CHECK_INT(load(text), CONFIG_OK);
	CHECK_INT(cfg.nzones, 2);
	CHECK(cfg.zones[0].forward && !cfg.zones[1].forward);
	CHECK_INT(cfg.zones[0].naddrs, 2);
	CHECK_INT(cfg.zones[0].ports[0], 53);
	CHECK_INT(cfg.zones[0].ports[1], 5353);
	CHECK_INT(cfg.zones[0].addrs[1].family, AF_INET6);
	CHECK_INT(cfg.zones[1].name_len, 13);
	config_free(&cfg);
	e = load_error(PORT_OK "stub-zone:\n    name: x.example.\n");
	CHECK(strstr(e, "t.conf:4: stub-zone without stub-addr") != NULL);
	e = load_error(PORT_OK "forward-zone:\n    name: x.example.\n    forward-addr: 192.0.2.1@99999\n");
	CHECK(strstr(e, "t.conf:6: forward-addr: bad port '99999'") != NULL);
}

static void test_selftest_names_parse_default_and_are_checked(void)
{
	const struct config_selftest *st = &cfg.server.selftest;

	CHECK_INT(load(PORT_OK), CONFIG_OK);
	CHECK_STR(st->good.name, "isc.org.");
	CHECK_INT(st->good.type, 6);
	CHECK_INT(st->good.line, 0);
	CHECK_STR(st->bogus.name, "dnssec-failed.org.");
	CHECK_INT(st->bogus.type, 6);
	CHECK_STR(st->large.name, "");
	CHECK_STR(st->tcp.name, "");
	config_free(&cfg);

	CHECK_INT(load("server:\n"
		       "    selftest-good-name: www.rsa.test\n"
		       "    selftest-bogus-name: \"www.expired.test.\" AAAA\n"
		       "    selftest-large-name: big.ecdsa.test TXT\n"
		       "    selftest-tcp-name: www.tc.insecure.test a\n" PORT_OK), CONFIG_OK);
	CHECK_STR(st->good.name, "www.rsa.test");
	CHECK_INT(st->good.type, 1);
	CHECK_INT(st->good.line, 2);
	CHECK_STR(st->bogus.name, "www.expired.test.");
	CHECK_INT(st->bogus.type, 28);
	CHECK_STR(st->large.name, "big.ecdsa.test");
	CHECK_INT(st->large.type, 16);
	CHECK_INT(st->large.line, 4);
	CHECK_STR(st->tcp.name, "www.tc.insecure.test");
	CHECK_INT(st->tcp.type, 1);
	config_free(&cfg);

	/* a later line wins (the lab appends a server: section to change one name) */
	CHECK_INT(load("server:\n    selftest-good-name: a.example\n" PORT_OK
		       "server:\n    selftest-good-name: b.example MX\n"), CONFIG_OK);
	CHECK_STR(st->good.name, "b.example");
	CHECK_INT(st->good.type, 15);
	CHECK_INT(st->good.line, 7);
	config_free(&cfg);

	CHECK(strstr(load_error("server:\n    workers: 1\n    selftest-large-name: big..test TXT\n"
				PORT_OK),
		     "t.conf:3: selftest-large-name: bad name 'big..test'") != NULL);
	CHECK(strstr(load_error("server:\n    selftest-tcp-name: tc.test NOSUCHTYPE\n" PORT_OK),
		     "t.conf:2: selftest-tcp-name: unknown type 'NOSUCHTYPE'") != NULL);
	CHECK(strstr(load_error("server:\n    selftest-good-name: x.test OPT\n" PORT_OK),
		     "t.conf:2: selftest-good-name: unknown type 'OPT'") != NULL);
	CHECK(strstr(load_error("server:\n    selftest-good-name: a.test A extra\n" PORT_OK),
		     "t.conf:2: selftest-good-name takes 1 to 2 values, got 3") != NULL);
	CHECK(strstr(load_error("server:\n    selftest-bogus-name:  \"\"\n" PORT_OK),
		     "t.conf:2: selftest-bogus-name: the name must be 1..255 characters") != NULL);
	/* options with a fixed count still say so */
	CHECK(strstr(load_error("server:\n    workers: 1 2\n" PORT_OK),
		     "t.conf:2: workers takes 1 value, got 2") != NULL);
}

int main(void)
{
	RUN(test_good_file_sets_every_field);
	RUN(test_contract_example_parses);
	RUN(test_good_file_builds_local_db);
	RUN(test_defaults_apply_when_server_section_is_absent);
	RUN(test_unknown_key_names_key_and_section);
	RUN(test_number_out_of_range_gives_the_range);
	RUN(test_bad_prefix_is_quoted_back);
	RUN(test_missing_port_is_an_error);
	RUN(test_local_data_errors);
	RUN(test_unterminated_quote);
	RUN(test_local_data_outside_zone_creates_implicit_transparent_zone);
	RUN(test_load_from_file_and_missing_file);
	RUN(test_recursion_options_and_gateways_parse);
	RUN(test_bad_gateway_and_bool_are_rejected_with_line);
	RUN(test_forward_and_stub_zones_parse_and_are_checked);
	RUN(test_tcp_options_parse_and_default);
	RUN(test_control_socket_needs_a_key_file);
	RUN(test_control_tcp_is_loopback_only);
	RUN(test_dnssec_options_parse_and_default);
	RUN(test_stats_http_is_loopback_address_and_port);
	RUN(test_rfc5011_options_parse_and_default);
	RUN(test_selftest_names_parse_default_and_are_checked);
	return unit_check_exit() || unit_failures != 0;
}
