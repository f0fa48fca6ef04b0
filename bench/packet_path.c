/*
 * bench/packet_path: the cache-hit answer path of one worker lcore against a bare
 * reflector, measured in one process on the same ring vdev, so that the ratio of the
 * two says what sekisho's packet path costs over the cheapest possible forwarder.
 *
 *   sekisho-bench-packet-path [EAL options --] [--seconds N] [--warmup-ms N]
 *                             [--entries N] [--names N] [--local] [--local-names N]
 *                             [--rounds N] [--json FILE]
 *
 * Two rte_rings joined into two ethdev ports with rte_eth_from_rings():
 *
 *     generator port  tx -> ring A -> rx  DUT port
 *     (main lcore)    rx <- ring B <- tx  (worker lcore)
 *
 * The worker is set up as sekishod does with recursion on: a struct cache, the
 * shared upstream state, upstream_init() with a one-server root hints text, and
 * query_env.recursion. Before the runs the cache is filled with --entries distinct
 * names w<i>.bench.test. A (real response images built with wire_build, inserted
 * under the key a DO=0 CD=0 query looks up). The generator keeps BENCH_IN_FLIGHT
 * real DNS queries circulating (Ethernet, IPv4, UDP, DNS with EDNS 1232, valid
 * checksums, copied from pre-built frames that walk a random permutation of --names
 * of those names): what comes back on ring B is checked on a sample and rewritten
 * in place into the next query. The DUT lcore runs one of these on every burst:
 *   forward   send the burst back untouched: the harness's own ceiling
 *   reflect   swap MACs, IP addresses and UDP ports (testpmd's 5tswap), send back
 *   sekisho   worker_handle_burst() (+ upstream_poll()): every query a cache hit
 *   local     (--local) the same worker answering names of its local data
 * Each handler runs for a warm-up, then N seconds; the DUT lcore counts packets and
 * the TSC cycles spent inside the handler. No thresholds: this reports, never fails
 * on speed. Exit status 1 when set-up fails, sekisho's sampled answers are wrong, or
 * any query missed the cache (an upstream query was sent).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "cache.h"
#include "local.h"
#include "net.h"
#include "query.h"
#include "resolve.h"
#include "upstream.h"
#include "wire.h"
#include "worker.h"

/* As sekishod: room for the largest DNS message behind the largest headers. */
#define BENCH_MBUF_DATA_ROOM (RTE_PKTMBUF_HEADROOM + 4096 + 256)
#define BENCH_RING_SIZE 1024          /* like a NIC's descriptor ring */
#define BENCH_POOL_MBUFS 8191
#define BENCH_GEN_BURST 32
#define BENCH_IN_FLIGHT (BENCH_RING_SIZE - 2 * BENCH_GEN_BURST) /* queries circulating */
#define BENCH_LOCAL_FRAMES 1024       /* distinct frames of the local mode */
#define BENCH_LOCAL_NAMES_MAX 1024
#define BENCH_ENTRIES_DEFAULT 1000000
#define BENCH_ENTRIES_MAX (1u << 22)  /* addresses 100.64.0.0/10, clients 10/8 */
#define BENCH_FRAME_MAX 116
#define BENCH_SAMPLE_EVERY 16         /* generator checks one response in this many */
#define BENCH_MAX_ROUNDS 16
#define BENCH_EDNS_SIZE 1232
#define BENCH_ID_BASE 0x1000
#define BENCH_CLIENT_PORT_BASE 20000
#define BENCH_CACHE_TTL 86400         /* longer than any run: nothing expires */
#define BENCH_RESOLVE_SLOTS 256
#define BENCH_HIST_STEP 4             /* cycles per histogram bucket */
#define BENCH_HIST_BUCKETS 4096       /* up to 16384 cycles per packet */

static const char *const default_eal_args[] = {
	"-l", "0,1", "--no-huge", "-m", "3072", "--no-shconf", "--no-pci",
	"--log-level=error",
};

/* Root hints: one server that no query may ever reach (every query must hit). */
static const char bench_hints[] =
	". 3600000 NS a.root.bench.\n"
	"a.root.bench. 3600000 A 10.53.0.99\n";

enum bench_mode { MODE_FORWARD, MODE_REFLECT, MODE_SEKISHO, MODE_LOCAL, MODE_COUNT };
static const char *const mode_names[MODE_COUNT] = { "forward", "reflect", "sekisho",
						    "local" };

struct bench_opts {
	unsigned int seconds;
	unsigned int warmup_ms;
	unsigned int entries;       /* names in the cache */
	unsigned int names;         /* distinct names the sekisho queries cycle over */
	unsigned int local_names;   /* names of the local data (--local) */
	unsigned int rounds;
	bool local;                 /* also run the local-data mode */
	const char *json;
};

/* One pre-built query frame and the address its answer must carry. */
struct frame {
	uint16_t len;
	rte_be32_t addr;
	uint8_t bytes[BENCH_FRAME_MAX];
};

/* The frames one mode sends, in order, round and round. */
struct frame_set {
	struct frame *f;
	uint32_t n;
};

/* What the DUT lcore measured for one run of one mode. */
struct dut_result {
	uint64_t handled;      /* packets given to the handler in the window */
	uint64_t sent;         /* packets the handler transmitted in the window */
	uint64_t cycles;       /* TSC cycles inside the handler in the window */
	uint64_t empty_polls;  /* RX polls that found ring A empty in the window */
	uint64_t bursts;       /* RX polls that found packets, in the window */
	double median_cpp;     /* median over packets of their burst's cycles/packet */
	double window_s;       /* length of the window */
};

/* What the generator saw during one run. */
struct gen_result {
	uint64_t sent;
	uint64_t received;
	uint64_t checked;
	uint64_t errors;
	uint64_t cycles;       /* TSC cycles building, sending, receiving, freeing */
};

struct run_result {
	struct dut_result dut;
	struct gen_result gen;
	double steal;          /* share of the CPUs' time the hypervisor took, -1: unknown */
	bool ran;
};

/*
 * Steal time and total time of all CPUs so far (/proc/stat, clock ticks): on a VM
 * the hypervisor runs other guests on our CPUs, the TSC goes on counting, and a
 * mode's cycles per packet rise with it. Printed per run so that a disturbed run
 * shows as one. False when /proc/stat has no steal column.
 */
static bool cpu_ticks(uint64_t *steal, uint64_t *total)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (f == NULL)
		return false;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
		   &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return false;
	*steal = v[7];
	*total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
	return true;
}

/* Everything the two lcores share. */
struct bench {
	struct bench_opts opt;
	struct rte_mempool *pool;
	struct rte_mempool *indirect_pool;
	struct rte_ring *ring_a, *ring_b;
	uint16_t gen_port, dut_port;
	struct rte_ether_addr gen_mac, dut_mac;
	rte_be32_t dut_ip;
	struct frame_set cache_frames;      /* w<perm[i]>.bench.test. */
	struct frame_set local_frames;      /* www<i % local_names>.local.test. */
	struct local_db *local;
	struct query_env env;
	struct cache *cache;
	struct upstream_shared *up_shared;
	struct net_neigh *neigh;
	struct worker *worker;
	double fill_s;                      /* seconds to fill the cache */
	volatile bool worker_quit;          /* never set: worker_main is not run */
	/* per run */
	enum bench_mode mode;
	const struct frame_set *cur;        /* the frames this run sends */
	volatile bool dut_done;
	struct dut_result dut;
	/* packets by their burst's cycles per packet: a burst the kernel preempted
	 * lands in the tail and leaves the median alone */
	uint64_t hist[BENCH_HIST_BUCKETS];
};

/* ---- options ------------------------------------------------------------ */

static int usage(void)
{
	fprintf(stderr,
		"usage: sekisho-bench-packet-path [EAL options --] [--seconds N] [--warmup-ms N]\n"
		"         [--entries N] [--names N] [--local] [--local-names N] [--rounds N]\n"
		"         [--json FILE]\n"
		"  --entries N      names in the cache (default 1000000)\n"
		"  --names N        distinct cached names the queries cycle over (default: all)\n"
		"  --local          also measure answers from local data (the old figure)\n"
		"  --local-names N  local-data names the --local queries cycle over (default 64)\n"
		"  default EAL options: -l 0,1 --no-huge -m 3072 --no-shconf --no-pci "
		"--log-level=error\n");
	return 2;
}

static int parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < min || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct bench_opts *o)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "warmup-ms", required_argument, NULL, 'w' },
		{ "entries", required_argument, NULL, 'e' },
		{ "names", required_argument, NULL, 'n' },
		{ "local", no_argument, NULL, 'l' },
		{ "local-names", required_argument, NULL, 'L' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, bad = 0;

	o->seconds = 5;
	o->warmup_ms = 500;
	o->entries = BENCH_ENTRIES_DEFAULT;
	o->names = 0;
	o->local_names = 64;
	o->rounds = 1;
	o->local = false;
	o->json = NULL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': bad |= parse_uint(optarg, 1, 3600, &o->seconds); break;
		case 'w': bad |= parse_uint(optarg, 0, 60000, &o->warmup_ms); break;
		case 'e': bad |= parse_uint(optarg, 1, BENCH_ENTRIES_MAX, &o->entries); break;
		case 'n': bad |= parse_uint(optarg, 1, BENCH_ENTRIES_MAX, &o->names); break;
		case 'l': o->local = true; break;
		case 'L':
			bad |= parse_uint(optarg, 1, BENCH_LOCAL_NAMES_MAX, &o->local_names);
			break;
		case 'r': bad |= parse_uint(optarg, 1, BENCH_MAX_ROUNDS, &o->rounds); break;
		case 'j': o->json = optarg; break;
		default: return -1;
		}
	}
	if (o->names == 0)
		o->names = o->entries;
	if (o->names > o->entries) {
		fprintf(stderr, "bench: --names %u is more than --entries %u\n", o->names,
			o->entries);
		return -1;
	}
	return bad != 0 || optind != argc ? -1 : 0;
}

/*
 * EAL arguments come before "--"; without "--" every argument is the bench's and
 * the EAL gets the defaults. Returns the EAL argc; *bench_argv is what follows.
 */
static int split_args(int argc, char **argv, char **eal_argv, int eal_max,
		      char ***bench_argv, int *bench_argc)
{
	int dashes = -1, n = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			dashes = i;
			break;
		}
	}
	eal_argv[n++] = argv[0];
	if (dashes < 0) {
		for (size_t i = 0; i < RTE_DIM(default_eal_args) && n < eal_max; i++)
			eal_argv[n++] = (char *)(uintptr_t)default_eal_args[i];
		*bench_argv = argv;
		*bench_argc = argc;
	} else {
		for (int i = 1; i < dashes && n < eal_max; i++)
			eal_argv[n++] = argv[i];
		argv[dashes] = argv[0];
		*bench_argv = &argv[dashes];
		*bench_argc = argc - dashes;
	}
	return n;
}

/* ---- names and addresses ------------------------------------------------ */

/* Wire form of <prefix><i>.<zone> (zone in wire form with its root label). */
static size_t bench_name(const char *prefix, unsigned int i, const uint8_t *zone,
			 size_t zone_len, uint8_t *out)
{
	char label[24];
	int n = snprintf(label, sizeof(label), "%s%u", prefix, i);

	out[0] = (uint8_t)n;
	memcpy(out + 1, label, (size_t)n);
	memcpy(out + 1 + n, zone, zone_len);
	return 1 + (size_t)n + zone_len;
}

static const uint8_t cache_zone[] = "\5bench\4test";  /* sizeof: with the root label */
static const uint8_t local_zone[] = "\5local\4test";

/* w<i>.bench.test.: in the cache. */
static size_t cache_name(unsigned int i, uint8_t *out)
{
	return bench_name("w", i, cache_zone, sizeof(cache_zone), out);
}

/* www<i>.local.test.: in local data (a zone the cached names are not under). */
static size_t local_name(unsigned int i, uint8_t *out)
{
	return bench_name("www", i, local_zone, sizeof(local_zone), out);
}

/* The A record of w<i>.bench.test.: 100.64.0.0/10 holds BENCH_ENTRIES_MAX. */
static rte_be32_t cache_addr(unsigned int i)
{
	return rte_cpu_to_be_32(RTE_IPV4(100, 64 | ((i >> 16) & 0x3f), (i >> 8) & 0xff,
					 i & 0xff));
}

/* The A record of www<i>.local.test. */
static rte_be32_t local_addr(unsigned int i)
{
	return rte_cpu_to_be_32(RTE_IPV4(198, 18, (i >> 8) & 0xff, i & 0xff));
}

/* ---- local data: www<i>.local.test. A 198.18.<i/256>.<i%256> -------------- */

static int build_local_db(struct bench *b)
{
	struct local_conf lc;
	unsigned int bad_line = 0;
	int rc;

	local_conf_init(&lc);
	rc = local_conf_add_zone(&lc, local_zone, sizeof(local_zone), 1, LOCAL_ZONE_STATIC, 1);
	for (unsigned int i = 0; rc == 0 && i < b->opt.local_names; i++) {
		uint8_t name[LOCAL_NAME_MAX];
		rte_be32_t a = local_addr(i);
		size_t len = local_name(i, name);

		rc = local_conf_add_rr(&lc, name, len, 1 /* A */, 1 /* IN */, 300,
				       (const uint8_t *)&a, 4, i + 2);
	}
	if (rc == 0)
		rc = local_conf_finish(&lc, &bad_line);
	if (rc == 0)
		rc = local_db_build(&lc, &b->local);
	local_conf_free(&lc);
	if (rc != 0) {
		fprintf(stderr, "bench: local data: %s (line %u)\n", local_strerror(rc), bad_line);
		return -1;
	}
	/* As sekishod with recursion on: local data first, then the cache. */
	b->env.local = b->local;
	b->env.edns_buffer_size = BENCH_EDNS_SIZE;
	b->env.recursion = true;
	return 0;
}

/* ---- the cache, as control/sekishod.c start_recursion, then filled -------- */

static int create_cache(struct bench *b)
{
	struct cache_config cc;

	cache_config_default(&cc);
	/* Entries of one A record take the 256-byte class, which holds 30 % of the
	 * slab budget (dataplane/cache/README.md), plus the tables: room for all of
	 * them with the class's free low-water mark to spare, so nothing is evicted. */
	cc.memory_limit = (size_t)b->opt.entries * 256 * 10 / 3 +
			  (size_t)b->opt.entries * 160 + ((size_t)64 << 20);
	cc.socket_id = (int)rte_socket_id();
	b->cache = cache_create(&cc);
	if (b->cache == NULL) {
		fprintf(stderr, "bench: cannot create a %zu MiB cache: %s (give the EAL more "
			"memory: -m)\n", cc.memory_limit >> 20, rte_strerror(rte_errno));
		return -1;
	}
	if (cache_capacity(b->cache) < b->opt.entries) {
		fprintf(stderr, "bench: the cache has %u slots, fewer than %u entries\n",
			cache_capacity(b->cache), b->opt.entries);
		return -1;
	}
	b->up_shared = upstream_shared_create(b->cache, 1);
	if (b->up_shared == NULL) {
		fprintf(stderr, "bench: upstream set-up: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

/*
 * The response a resolver would have cached for w<i>.bench.test. A IN: header
 * QR|RA, the question, one A record (TTL offset recorded for the patch on a hit).
 */
static int insert_name(struct bench *b, unsigned int i, uint32_t now)
{
	uint8_t name[WIRE_NAME_MAX], msg[256];
	rte_be32_t a = cache_addr(i);
	size_t nlen = cache_name(i, name);
	struct wire_builder wb;
	struct cache_key k;

	wire_build_init(&wb, msg, sizeof(msg), sizeof(msg));
	if (wire_build_header(&wb, 0, WIRE_FLAG_QR | WIRE_FLAG_RA) != WIRE_OK ||
	    wire_build_question(&wb, name, nlen, 1 /* A */, 1 /* IN */) != WIRE_OK ||
	    wire_build_rr(&wb, WIRE_SECTION_ANSWER, name, nlen, 1, 1, BENCH_CACHE_TTL,
			  (const uint8_t *)&a, 4) != WIRE_OK)
		return -EINVAL;

	struct cache_response r = {
		.msg = msg, .len = wb.len, .ttl_off = wb.ttl_off, .ttl_count = wb.ttl_count,
		.negative = false, .ttl_if_none = 60,
	};

	/* The queries have EDNS with DO=0 and CD=0: key flags 0. */
	if (cache_key_init(b->cache, &k, msg + WIRE_HDR_LEN, nlen + 4, 0) != 0)
		return -EINVAL;
	return cache_insert(b->cache, rte_lcore_id(), &k, &r, now);
}

static int fill_cache(struct bench *b)
{
	uint32_t now = cache_now(b->cache);
	uint64_t t0 = rte_rdtsc();
	struct cache_stats st;
	int rc;

	for (unsigned int i = 0; i < b->opt.entries; i++) {
		rc = insert_name(b, i, now);
		if (rc != 0) {
			fprintf(stderr, "bench: filling the cache failed at entry %u: %s\n", i,
				strerror(-rc));
			return -1;
		}
	}
	b->fill_s = (double)(rte_rdtsc() - t0) / (double)rte_get_tsc_hz();
	cache_stats_sum(b->cache, &st);
	if (cache_count(b->cache) != b->opt.entries || st.evicted != 0) {
		fprintf(stderr, "bench: the cache holds %u entries (%" PRIu64 " evicted), "
			"not %u\n", cache_count(b->cache), st.evicted, b->opt.entries);
		return -1;
	}
	printf("cache: %u entries in %.2f s (%.0f inserts/s, one lcore), %zu MiB, %u slots\n",
	       b->opt.entries, b->fill_s, b->opt.entries / b->fill_s,
	       cache_memory(b->cache) >> 20, cache_capacity(b->cache));
	return 0;
}

/* ---- query frames --------------------------------------------------------- */

/* Frame i comes from client 10.<i> (24 bits), port 20000 + i % 16384, id 0x1000 + i. */
static rte_be32_t client_ip(uint32_t i)
{
	return rte_cpu_to_be_32(RTE_IPV4(10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff));
}

static uint16_t client_port(uint32_t i)
{
	return (uint16_t)(BENCH_CLIENT_PORT_BASE + (i & 0x3fff));
}

static uint16_t frame_id(uint32_t i)
{
	return (uint16_t)(BENCH_ID_BASE + i);
}

/* DNS query for a name, A IN, RD, with an OPT of size 1232 (DO=0). */
static size_t build_dns_query(uint8_t *p, uint16_t id, const uint8_t *name, size_t nlen)
{
	static const uint8_t opt[11] = { 0, 0, 41, BENCH_EDNS_SIZE >> 8, BENCH_EDNS_SIZE & 0xff,
					 0, 0, 0, 0, 0, 0 };
	size_t len;

	p[0] = (uint8_t)(id >> 8);
	p[1] = (uint8_t)id;
	p[2] = 0x01; p[3] = 0x00;            /* RD */
	p[4] = 0; p[5] = 1;                  /* QDCOUNT */
	p[6] = 0; p[7] = 0;
	p[8] = 0; p[9] = 0;
	p[10] = 0; p[11] = 1;                /* ARCOUNT: the OPT */
	memcpy(p + 12, name, nlen);
	len = 12 + nlen;
	p[len++] = 0; p[len++] = 1;          /* A */
	p[len++] = 0; p[len++] = 1;          /* IN */
	memcpy(p + len, opt, sizeof(opt));
	return len + sizeof(opt);
}

static void build_frame(const struct bench *b, uint32_t i, const uint8_t *name, size_t nlen,
			rte_be32_t addr, struct frame *f)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f->bytes;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	size_t dns_len = build_dns_query((uint8_t *)(udp + 1), frame_id(i), name, nlen);

	eth->src_addr = b->gen_mac;
	eth->dst_addr = b->dut_mac;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*udp) + dns_len));
	ip->packet_id = rte_cpu_to_be_16((uint16_t)i);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = client_ip(i);
	ip->dst_addr = b->dut_ip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(client_port(i));
	udp->dst_port = rte_cpu_to_be_16(NET_DNS_PORT);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + dns_len));
	udp->dgram_cksum = 0;
	udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	f->len = (uint16_t)(sizeof(*eth) + sizeof(*ip) + sizeof(*udp) + dns_len);
	f->addr = addr;
}

/* xorshift64*: a fixed permutation from run to run. */
static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/*
 * Cached names in a random order: frame i asks for w<perm[i]>, perm a random
 * permutation of the entries cut to --names, so consecutive queries touch unrelated
 * hash buckets and entries (CPU cache misses, as real traffic over a big cache).
 */
static int build_frames(struct bench *b)
{
	uint32_t n = b->opt.entries, *perm = malloc(sizeof(*perm) * n);
	uint64_t seed = 0x5e415e0ull;

	b->cache_frames.n = b->opt.names;
	b->cache_frames.f = malloc(sizeof(struct frame) * b->opt.names);
	b->local_frames.n = BENCH_LOCAL_FRAMES;
	b->local_frames.f = malloc(sizeof(struct frame) * BENCH_LOCAL_FRAMES);
	if (perm == NULL || b->cache_frames.f == NULL || b->local_frames.f == NULL) {
		free(perm);
		return -1;
	}
	for (uint32_t i = 0; i < n; i++)
		perm[i] = i;
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(xorshift(&seed) % (i + 1)), t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (uint32_t i = 0; i < b->opt.names; i++) {
		uint8_t name[WIRE_NAME_MAX];
		size_t nlen = cache_name(perm[i], name);

		build_frame(b, i, name, nlen, cache_addr(perm[i]), &b->cache_frames.f[i]);
	}
	for (uint32_t i = 0; i < BENCH_LOCAL_FRAMES; i++) {
		uint8_t name[WIRE_NAME_MAX];
		unsigned int k = i % b->opt.local_names;
		size_t nlen = local_name(k, name);

		build_frame(b, i, name, nlen, local_addr(k), &b->local_frames.f[i]);
	}
	free(perm);
	return 0;
}

/* ---- ports ------------------------------------------------------------------ */

static int start_ring_port(uint16_t port, struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, BENCH_RING_SIZE, (int)rte_socket_id(),
					    NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, BENCH_RING_SIZE, (int)rte_socket_id(), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	return rc;
}

static int make_port(const char *name, struct rte_ring *rx, struct rte_ring *tx,
		     struct rte_mempool *pool, uint16_t *port, struct rte_ether_addr *mac)
{
	int id = rte_eth_from_rings(name, &rx, 1, &tx, 1, rte_socket_id());

	if (id < 0 || start_ring_port((uint16_t)id, pool) != 0) {
		fprintf(stderr, "bench: ring port %s: %s\n", name, rte_strerror(rte_errno));
		return -1;
	}
	*port = (uint16_t)id;
	return rte_eth_macaddr_get(*port, mac);
}

static int setup_ports(struct bench *b)
{
	unsigned int flags = RING_F_SP_ENQ | RING_F_SC_DEQ;
	int socket = (int)rte_socket_id();

	b->pool = rte_pktmbuf_pool_create("bench_mbuf", BENCH_POOL_MBUFS, 256, 0,
					  BENCH_MBUF_DATA_ROOM, socket);
	b->indirect_pool = rte_pktmbuf_pool_create("bench_indirect", 8191, 256, 0, 0, socket);
	b->ring_a = rte_ring_create("bench_a", BENCH_RING_SIZE, socket, flags);
	b->ring_b = rte_ring_create("bench_b", BENCH_RING_SIZE, socket, flags);
	if (b->pool == NULL || b->indirect_pool == NULL || b->ring_a == NULL ||
	    b->ring_b == NULL) {
		fprintf(stderr, "bench: pools/rings: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	if (make_port("bench_gen", b->ring_b, b->ring_a, b->pool, &b->gen_port, &b->gen_mac) ||
	    make_port("bench_dut", b->ring_a, b->ring_b, b->pool, &b->dut_port, &b->dut_mac))
		return -1;
	b->dut_ip = rte_cpu_to_be_32(RTE_IPV4(10, 53, 0, 1));
	return 0;
}

/* ---- the worker, as control/sekishod.c init_worker / init_port_ctx / init_upstream */

static int init_bench_worker(struct bench *b, unsigned int lcore)
{
	struct worker_params prm = {
		.lcore_id = lcore,
		.queue = 0,
		.pool = b->pool,
		.indirect_pool = b->indirect_pool,
		.env = &b->env,
		.idle_polls = 0,
		.idle_sleep_us = 0,
		.quit = &b->worker_quit,
	};
	struct rte_eth_dev_info info;
	struct resolve_config rc;
	struct net_port_conf pc;
	struct worker *w;
	int rc_init;

	w = rte_zmalloc_socket("bench_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       (int)rte_lcore_to_socket_id(lcore));
	b->neigh = rte_zmalloc("bench_neigh", sizeof(*b->neigh), RTE_CACHE_LINE_SIZE);
	if (w == NULL || b->neigh == NULL || rte_eth_dev_info_get(b->dut_port, &info) != 0)
		return -1;
	b->worker = w;
	/* A gateway whose MAC is known (the generator's): a query that missed the cache
	 * would really leave, be counted in `sent` and fail the generator's check. */
	b->neigh->has_gw4 = true;
	b->neigh->gw4 = rte_cpu_to_be_32(RTE_IPV4(10, 53, 0, 254));
	b->neigh->mac4 = NET_NEIGH_VALID;
	for (int i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		b->neigh->mac4 |= (uint64_t)b->gen_mac.addr_bytes[i] << (8 * (5 - i));
	memset(&pc, 0, sizeof(pc));
	pc.port_id = b->dut_port;
	pc.mtu = 1500;
	pc.mac = b->dut_mac;
	/* What drivers/port.c would enable: whatever the PMD offers (the ring PMD: none). */
	pc.tx_offloads = info.tx_offload_capa &
		(RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM);
	pc.n_ip4 = 1;
	pc.ip4[0] = b->dut_ip;
	pc.neigh = b->neigh;
	if (worker_init(w, &prm) != 0 || worker_add_port(w, &pc) != 0) {
		fprintf(stderr, "bench: worker set-up failed\n");
		return -1;
	}
	resolve_config_default(&rc);
	rc.edns_size = BENCH_EDNS_SIZE;
	rc.ip4 = true;
	rc.ip6 = false;
	w->up = rte_zmalloc("bench_upstream", sizeof(*w->up), RTE_CACHE_LINE_SIZE);
	if (w->up == NULL)
		return -1;
	rc_init = upstream_init(w->up, b->up_shared, w, 0, &rc, bench_hints,
				sizeof(bench_hints) - 1, BENCH_RESOLVE_SLOTS, b->pool);
	if (rc_init != 0) {
		fprintf(stderr, "bench: resolver set-up failed (%s)\n", strerror(-rc_init));
		rte_free(w->up);
		w->up = NULL;
		return -1;
	}
	return 0;
}

/* ---- DUT lcore -------------------------------------------------------------- */

static uint16_t send_or_free(uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = rte_eth_tx_burst(port, 0, pkts, n);

	if (sent < n)
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	return sent;
}

/* testpmd's 5tswap: MACs, then IPv4/IPv6 addresses, then UDP/TCP ports. Nothing else. */
static void swap_5tuple(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ether_addr mac = eth->dst_addr;
	uint8_t *l3 = (uint8_t *)(eth + 1), *l4, proto;

	eth->dst_addr = eth->src_addr;
	eth->src_addr = mac;
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)l3;
		rte_be32_t a = ip->src_addr;

		ip->src_addr = ip->dst_addr;
		ip->dst_addr = a;
		proto = ip->next_proto_id;
		l4 = l3 + rte_ipv4_hdr_len(ip);
	} else if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)l3;
		uint8_t a[16];

		memcpy(a, ip->src_addr, 16);
		memcpy(ip->src_addr, ip->dst_addr, 16);
		memcpy(ip->dst_addr, a, 16);
		proto = ip->proto;
		l4 = l3 + sizeof(*ip);
	} else {
		return;
	}
	if (proto == IPPROTO_UDP || proto == IPPROTO_TCP) {
		uint16_t *ports = (uint16_t *)l4, p = ports[0];

		ports[0] = ports[1];
		ports[1] = p;
	}
}

/* Handle one burst in the current mode; returns the packets transmitted. */
static uint64_t dut_handle(struct bench *b, struct rte_mbuf **pkts, uint16_t n, uint64_t tsc)
{
	struct worker *w = b->worker;
	uint64_t before;

	switch (b->mode) {
	case MODE_SEKISHO:
	case MODE_LOCAL:
		/* What worker_main does with a burst: handle it, then the upstream poll
		 * (hand-offs, timers, the cache's RCU quiescent state). */
		before = w->stats.tx_sent;
		worker_handle_burst(w, &w->ports[0], pkts, n, tsc);
		upstream_poll(w->up, tsc);
		return w->stats.tx_sent - before;
	case MODE_REFLECT:
		for (uint16_t i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
			swap_5tuple(pkts[i]);
		}
		return send_or_free(b->dut_port, pkts, n);
	case MODE_FORWARD:
	default:
		return send_or_free(b->dut_port, pkts, n);
	}
}

static void hist_add(struct bench *b, uint64_t cycles, uint16_t n)
{
	uint64_t k = cycles / n / BENCH_HIST_STEP;

	b->hist[k < BENCH_HIST_BUCKETS ? k : BENCH_HIST_BUCKETS - 1] += n;
}

static double hist_median(const struct bench *b, uint64_t total)
{
	uint64_t seen = 0;

	for (unsigned int k = 0; k < BENCH_HIST_BUCKETS; k++) {
		seen += b->hist[k];
		if (total > 0 && seen * 2 >= total)
			return (k + 0.5) * BENCH_HIST_STEP;
	}
	return 0.0;
}

/*
 * Poll the DUT port for warm-up + seconds (bounded by time only: each poll is
 * short), counting in the window after the warm-up.
 */
static int dut_main(void *arg)
{
	struct bench *b = arg;
	struct rte_mbuf *pkts[WORKER_BURST];
	uint64_t hz = rte_get_tsc_hz(), start = rte_rdtsc(), now = start;
	uint64_t warm_end = start + hz * b->opt.warmup_ms / 1000;
	uint64_t end = warm_end + hz * b->opt.seconds;
	struct dut_result r = { 0, 0, 0, 0, 0, 0.0, 0.0 };

	while (now < end) {
		uint16_t n = rte_eth_rx_burst(b->dut_port, 0, pkts, WORKER_BURST);
		uint64_t t0, t1, sent;

		if (n == 0) {
			now = rte_rdtsc();
			if (b->mode == MODE_SEKISHO || b->mode == MODE_LOCAL)
				upstream_poll(b->worker->up, now); /* as worker_main */
			r.empty_polls += now >= warm_end;
			continue;
		}
		t0 = rte_rdtsc();
		sent = dut_handle(b, pkts, n, t0);
		t1 = rte_rdtsc();
		if (t0 >= warm_end) {
			r.handled += n;
			r.sent += sent;
			r.cycles += t1 - t0;
			r.bursts++;
			hist_add(b, t1 - t0, n);
		}
		now = t1;
	}
	r.window_s = (double)(now - warm_end) / (double)hz;
	r.median_cpp = hist_median(b, r.handled);
	b->dut = r;
	b->dut_done = true;
	return 0;
}

/* ---- generator (main lcore) --------------------------------------------- */

/* The generator's own check, independent of the code under test (0 = no checksum). */
static bool udp_cksum_ok(const struct rte_ipv4_hdr *ip, const struct rte_udp_hdr *udp)
{
	uint32_t sum;

	if (udp->dgram_cksum == 0)
		return true;
	sum = (uint32_t)rte_ipv4_phdr_cksum(ip, 0) +
	      rte_raw_cksum(udp, rte_be_to_cpu_16(udp->dgram_len));
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Skip a name at p (labels or a compression pointer); NULL when it runs past end. */
static const uint8_t *skip_name(const uint8_t *p, const uint8_t *end)
{
	while (p < end) {
		if ((*p & 0xc0) == 0xc0)
			return p + 2 <= end ? p + 2 : NULL;
		if (*p == 0)
			return p + 1;
		p += *p + 1;
	}
	return NULL;
}

/*
 * Is this a correct sekisho answer to one of our frames? The client address gives
 * the frame; its port, DNS id, QR, RA, NOERROR, ANCOUNT 1 and the A record's address
 * must be those of that frame's name.
 */
static bool answer_ok(const struct bench *b, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const uint8_t *pkt_end = rte_pktmbuf_mtod(m, const uint8_t *) + m->data_len;
	const struct rte_udp_hdr *udp;
	const uint8_t *dns, *end, *p;
	const struct frame *f;
	uint32_t idx;

	if (m->nb_segs != 1 || m->data_len < sizeof(*eth) + sizeof(*ip) + 8 + 12 ||
	    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    !rte_is_same_ether_addr(&eth->dst_addr, &b->gen_mac) ||
	    ip->next_proto_id != IPPROTO_UDP || rte_ipv4_cksum(ip) != 0)
		return false;
	udp = (const struct rte_udp_hdr *)((const uint8_t *)ip + rte_ipv4_hdr_len(ip));
	dns = (const uint8_t *)(udp + 1);
	end = (const uint8_t *)udp + rte_be_to_cpu_16(udp->dgram_len);
	if (dns + 12 > pkt_end || end > pkt_end || end < dns + 12 ||
	    udp->src_port != rte_cpu_to_be_16(NET_DNS_PORT) ||
	    !udp_cksum_ok(ip, udp))
		return false;
	idx = rte_be_to_cpu_32(ip->dst_addr);
	if ((idx >> 24) != 10 || (idx &= 0xffffff) >= b->cur->n)
		return false;
	f = &b->cur->f[idx];
	if (udp->dst_port != rte_cpu_to_be_16(client_port(idx)) ||
	    (uint16_t)(dns[0] << 8 | dns[1]) != frame_id(idx) ||
	    (dns[2] & 0x80) == 0 ||                 /* QR */
	    (dns[3] & 0x80) == 0 ||                 /* RA: recursion is on */
	    (dns[3] & 0x0f) != 0 ||                 /* NOERROR */
	    dns[4] != 0 || dns[5] != 1 ||           /* QDCOUNT 1 */
	    dns[6] != 0 || dns[7] != 1)             /* ANCOUNT 1 */
		return false;
	p = skip_name(dns + 12, end);               /* the question */
	if (p == NULL || p + 4 > end)
		return false;
	p = skip_name(p + 4, end);                  /* the answer's owner */
	if (p == NULL || p + 14 > end)
		return false;
	return p[0] == 0 && p[1] == 1 &&            /* A */
	       p[2] == 0 && p[3] == 1 &&            /* IN */
	       p[8] == 0 && p[9] == 4 &&            /* RDLENGTH 4 */
	       memcmp(p + 10, &f->addr, 4) == 0;
}

/* Write template *next into m (a reset single-segment mbuf of the pool). */
static void fill_query(struct bench *b, struct rte_mbuf *m, unsigned int *next)
{
	const struct frame *f = &b->cur->f[*next];

	rte_memcpy(rte_pktmbuf_mtod(m, void *), f->bytes, f->len);
	m->data_len = f->len;
	m->pkt_len = f->len;
	if (++*next == b->cur->n)
		*next = 0;
}

/*
 * Turn what came back into the next queries in the same mbufs: no trip through the
 * mempool, and the data lines are asked for all at once (the DUT core wrote them
 * last). An mbuf that is not a plain one of our pool is swapped for a fresh one.
 */
static uint16_t rearm(struct bench *b, struct rte_mbuf **pkts, uint16_t n, unsigned int *next)
{
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (m->nb_segs != 1 || m->pool != b->pool || !RTE_MBUF_DIRECT(m) ||
		    rte_mbuf_refcnt_read(m) != 1) {
			rte_pktmbuf_free(m);
			m = rte_pktmbuf_alloc(b->pool);
			if (m == NULL)
				continue;
		} else {
			rte_pktmbuf_reset(m);
		}
		__builtin_prefetch(rte_pktmbuf_mtod(m, uint8_t *), 1, 3);
		__builtin_prefetch(rte_pktmbuf_mtod(m, uint8_t *) + RTE_CACHE_LINE_SIZE, 1, 3);
		pkts[k++] = m;
	}
	for (uint16_t i = 0; i < k; i++)
		fill_query(b, pkts[i], next);
	return k;
}

/* Check one response in BENCH_SAMPLE_EVERY (sekisho and local modes). */
static void check_sample(struct bench *b, struct gen_result *g, struct rte_mbuf **pkts,
			 uint16_t n)
{
	if (b->mode != MODE_SEKISHO && b->mode != MODE_LOCAL)
		return;
	for (uint16_t i = 0; i < n; i++) {
		if ((g->received + i) % BENCH_SAMPLE_EVERY != 0)
			continue;
		g->checked++;
		if (!answer_ok(b, pkts[i]))
			g->errors++;
	}
}

/*
 * One generator step: take the responses, re-arm them as queries, top the number
 * in flight up to BENCH_IN_FLIGHT with fresh mbufs, send. BENCH_IN_FLIGHT is below
 * either ring's capacity, so neither side ever finds its TX ring full.
 */
static void gen_step(struct bench *b, struct gen_result *g, unsigned int *next)
{
	struct rte_mbuf *pkts[BENCH_GEN_BURST * 3];
	uint16_t n = rte_eth_rx_burst(b->gen_port, 0, pkts, BENCH_GEN_BURST * 2);
	uint64_t in_flight;

	check_sample(b, g, pkts, n);
	g->received += n;
	n = rearm(b, pkts, n, next);
	in_flight = g->sent - g->received;
	if (in_flight + n + BENCH_GEN_BURST <= BENCH_IN_FLIGHT &&
	    rte_pktmbuf_alloc_bulk(b->pool, &pkts[n], BENCH_GEN_BURST) == 0) {
		for (uint16_t i = n; i < n + BENCH_GEN_BURST; i++)
			fill_query(b, pkts[i], next);
		n += BENCH_GEN_BURST;
	}
	if (n > 0)
		g->sent += send_or_free(b->gen_port, pkts, n);
}

static void drain_port(uint16_t port)
{
	struct rte_mbuf *pkts[64];
	uint16_t n;

	for (int i = 0; i < 1024; i++) {
		n = rte_eth_rx_burst(port, 0, pkts, RTE_DIM(pkts));
		if (n == 0)
			break;
		rte_pktmbuf_free_bulk(pkts, n);
	}
}

/* One measured run of one mode: DUT on its lcore, the generator here. */
static int run_mode(struct bench *b, enum bench_mode mode, unsigned int dut_lcore,
		    struct run_result *out)
{
	uint64_t hz = rte_get_tsc_hz();
	uint64_t hard_end = rte_rdtsc() + hz * (b->opt.seconds + b->opt.warmup_ms / 1000 + 10);
	struct gen_result g = { 0, 0, 0, 0, 0 };
	unsigned int next = 0;
	uint64_t t0, steal0 = 0, total0 = 0, steal1, total1;
	bool ticks = cpu_ticks(&steal0, &total0);

	b->mode = mode;
	b->cur = mode == MODE_LOCAL ? &b->local_frames : &b->cache_frames;
	b->dut_done = false;
	memset(b->hist, 0, sizeof(b->hist));
	if (rte_eal_remote_launch(dut_main, b, dut_lcore) != 0)
		return -1;
	t0 = rte_rdtsc();
	while (!b->dut_done && rte_rdtsc() < hard_end) {
		gen_step(b, &g, &next);
	}
	g.cycles = rte_rdtsc() - t0;
	rte_eal_wait_lcore(dut_lcore);
	drain_port(b->dut_port);
	drain_port(b->gen_port);
	out->dut = b->dut;
	out->gen = g;
	out->steal = -1.0;
	if (ticks && cpu_ticks(&steal1, &total1) && total1 > total0)
		out->steal = (double)(steal1 - steal0) / (double)(total1 - total0);
	return b->dut_done ? 0 : -1;
}

/* ---- report ----------------------------------------------------------------- */

static double pps(const struct run_result *r)
{
	return r->dut.window_s > 0 ? (double)r->dut.sent / r->dut.window_s : 0.0;
}

static double cycles_per_packet(const struct run_result *r)
{
	return r->dut.handled > 0 ? (double)r->dut.cycles / (double)r->dut.handled : 0.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double busy(const struct run_result *r, double tsc_hz)
{
	return r->dut.window_s > 0 ? (double)r->dut.cycles / (r->dut.window_s * tsc_hz) : 0.0;
}

/* Medians over the rounds, so that one round disturbed by another process does not
 * decide the figures. */
struct summary {
	double pps[MODE_COUNT];
	double cpp[MODE_COUNT];          /* mean cycles per packet (per answer) */
	double median_cpp[MODE_COUNT];   /* median of per-burst cycles per packet */
	double busy[MODE_COUNT];         /* share of the window the DUT spent handling */
	double round_ratio;              /* median of each round's sekisho/reflect */
	uint64_t checked, errors, sekisho_sent;
};

static double median_of(const struct run_result (*runs)[MODE_COUNT], unsigned int rounds,
			int m, double (*f)(const struct run_result *))
{
	double v[BENCH_MAX_ROUNDS];

	for (unsigned int r = 0; r < rounds; r++)
		v[r] = f(&runs[r][m]);
	return median(v, rounds);
}

static double median_cpp_of(const struct run_result *r)
{
	return r->dut.median_cpp;
}

static double busy_of(const struct run_result *r)
{
	return busy(r, (double)rte_get_tsc_hz());
}

static void summarize(const struct run_result (*runs)[MODE_COUNT], unsigned int rounds,
		      struct summary *s)
{
	double ratio[BENCH_MAX_ROUNDS];

	memset(s, 0, sizeof(*s));
	for (int m = 0; m < MODE_COUNT; m++) {
		s->pps[m] = median_of(runs, rounds, m, pps);
		s->cpp[m] = median_of(runs, rounds, m, cycles_per_packet);
		s->median_cpp[m] = median_of(runs, rounds, m, median_cpp_of);
		s->busy[m] = median_of(runs, rounds, m, busy_of);
	}
	for (unsigned int r = 0; r < rounds; r++) {
		double refl = pps(&runs[r][MODE_REFLECT]);

		ratio[r] = refl > 0 ? pps(&runs[r][MODE_SEKISHO]) / refl : 0.0;
		s->checked += runs[r][MODE_SEKISHO].gen.checked + runs[r][MODE_LOCAL].gen.checked;
		s->errors += runs[r][MODE_SEKISHO].gen.errors + runs[r][MODE_LOCAL].gen.errors;
		s->sekisho_sent += runs[r][MODE_SEKISHO].dut.sent;
	}
	s->round_ratio = median(ratio, rounds);
}

static void print_run(unsigned int round, enum bench_mode m, const struct run_result *r)
{
	double gen_cpp = r->gen.sent > 0 ? (double)r->gen.cycles / (double)r->gen.sent : 0;

	printf("round %u %-8s %11.0f pps %8.1f cycles/pkt (median %6.1f), DUT busy %3.0f%%, "
	       "%" PRIu64 " empty polls, %.1f per burst, generator %.0f cycles/pkt, steal %.0f%%\n",
	       round + 1,
	       mode_names[m], pps(r), cycles_per_packet(r), r->dut.median_cpp,
	       100.0 * busy(r, (double)rte_get_tsc_hz()), r->dut.empty_polls,
	       r->dut.bursts > 0 ? (double)r->dut.handled / (double)r->dut.bursts : 0.0, gen_cpp,
	       100.0 * r->steal);
}

static void print_worker_counters(const struct bench *b, unsigned int dut_lcore)
{
	const struct worker *w = b->worker;
	const struct net_counters *c = &w->ports[0].net.ctr;
	const struct upstream_stats *u = &w->up->stats;
	const struct cache_stats *cs = cache_lcore_stats(b->cache, dut_lcore);

	printf("sekisho counters: responses %" PRIu64 ", noerror %" PRIu64 ", refused %"
	       PRIu64 ", servfail %" PRIu64 ", reply_error %" PRIu64 ", tx_dropped %" PRIu64,
	       w->qstats.responses, w->qstats.rcode_noerror, w->qstats.rcode_refused,
	       w->qstats.rcode_servfail, w->stats.reply_error, w->stats.tx_dropped);
	for (int i = 0; i < NET_CTR_MAX; i++)
		if (strncmp(net_counter_names[i], "drop_", 5) == 0 && c->c[i] != 0)
			printf(", %s %" PRIu64, net_counter_names[i], c->c[i]);
	printf("\nupstream counters: cache_answers %" PRIu64 ", resolutions %" PRIu64
	       ", sent %" PRIu64 ", pool_full %" PRIu64 "; cache (DUT lcore): lookups %"
	       PRIu64 ", hits %" PRIu64 ", misses %" PRIu64 ", prefetch_hints %" PRIu64 "\n",
	       u->cache_answers, u->resolutions, u->sent, u->pool_full, cs->lookups, cs->hits,
	       cs->misses, cs->prefetch_hints);
}

static double ratio_of(const struct summary *s)
{
	return s->pps[MODE_REFLECT] > 0 ? s->pps[MODE_SEKISHO] / s->pps[MODE_REFLECT] : 0.0;
}

/* Cost ratio that does not depend on the generator keeping up. */
static double cycle_ratio_of(const struct summary *s)
{
	return s->cpp[MODE_SEKISHO] > 0 ? s->cpp[MODE_REFLECT] / s->cpp[MODE_SEKISHO] : 0.0;
}

static int write_json(const struct bench *b, const struct summary *s)
{
	const struct upstream_stats *u = &b->worker->up->stats;
	FILE *f = fopen(b->opt.json, "w");

	if (f == NULL) {
		perror(b->opt.json);
		return -1;
	}
	fprintf(f, "{\"sekisho_pps\": %.0f, \"reflect_pps\": %.0f, \"cycles_per_answer\": %.1f, "
		"\"ratio\": %.4f,\n \"ratio_median_of_rounds\": %.4f, "
		"\"cycles_per_answer_median\": %.1f, \"reflect_cycles_per_packet\": %.1f, "
		"\"reflect_cycles_per_packet_median\": %.1f,\n \"forward_pps\": %.0f, "
		"\"forward_cycles_per_packet\": %.1f, \"cycle_ratio\": %.4f,\n "
		"\"sekisho_dut_busy\": %.3f, \"reflect_dut_busy\": %.3f, "
		"\"forward_dut_busy\": %.3f,\n \"seconds\": %u, \"rounds\": %u, "
		"\"names\": %u, \"cache_entries\": %u, \"tsc_hz\": %" PRIu64
		", \"checked\": %" PRIu64 ", \"errors\": %" PRIu64 ",\n "
		"\"cache_answers\": %" PRIu64 ", \"upstream_sent\": %" PRIu64
		", \"cache_fill_inserts_per_s\": %.0f",
		s->pps[MODE_SEKISHO], s->pps[MODE_REFLECT], s->cpp[MODE_SEKISHO], ratio_of(s),
		s->round_ratio, s->median_cpp[MODE_SEKISHO], s->cpp[MODE_REFLECT],
		s->median_cpp[MODE_REFLECT], s->pps[MODE_FORWARD], s->cpp[MODE_FORWARD],
		cycle_ratio_of(s), s->busy[MODE_SEKISHO], s->busy[MODE_REFLECT],
		s->busy[MODE_FORWARD], b->opt.seconds, b->opt.rounds, b->opt.names,
		b->opt.entries, rte_get_tsc_hz(), s->checked, s->errors, u->cache_answers,
		u->sent, b->fill_s > 0 ? b->opt.entries / b->fill_s : 0.0);
	if (b->opt.local)
		fprintf(f, ",\n \"local_pps\": %.0f, \"local_cycles_per_answer\": %.1f, "
			"\"local_cycles_per_answer_median\": %.1f, \"local_dut_busy\": %.3f, "
			"\"local_names\": %u", s->pps[MODE_LOCAL], s->cpp[MODE_LOCAL],
			s->median_cpp[MODE_LOCAL], s->busy[MODE_LOCAL], b->opt.local_names);
	fprintf(f, "}\n");
	return fclose(f) == 0 ? 0 : -1;
}

static int report(const struct bench *b, const struct run_result (*runs)[MODE_COUNT],
		  unsigned int dut_lcore)
{
	const struct upstream_stats *u = &b->worker->up->stats;
	struct summary s;

	summarize(runs, b->opt.rounds, &s);
	print_worker_counters(b, dut_lcore);
	printf("\n%s over %u round(s) of %u s; cycles are TSC cycles at %.0f MHz on the DUT "
	       "lcore\n", b->opt.rounds > 1 ? "medians" : "figures", b->opt.rounds,
	       b->opt.seconds, (double)rte_get_tsc_hz() / 1e6);
	printf("forward (harness ceiling) %11.0f pps %8.1f cycles/pkt    (median %.1f)\n",
	       s.pps[MODE_FORWARD], s.cpp[MODE_FORWARD], s.median_cpp[MODE_FORWARD]);
	printf("reflect (5tswap)          %11.0f pps %8.1f cycles/pkt    (median %.1f)\n",
	       s.pps[MODE_REFLECT], s.cpp[MODE_REFLECT], s.median_cpp[MODE_REFLECT]);
	printf("sekisho (cache hits)      %11.0f pps %8.1f cycles/answer (median %.1f), "
	       "%u entries, %u names queried\n", s.pps[MODE_SEKISHO], s.cpp[MODE_SEKISHO],
	       s.median_cpp[MODE_SEKISHO], b->opt.entries, b->opt.names);
	if (b->opt.local)
		printf("local data (--local)      %11.0f pps %8.1f cycles/answer (median %.1f), "
		       "%u names\n", s.pps[MODE_LOCAL], s.cpp[MODE_LOCAL],
		       s.median_cpp[MODE_LOCAL], b->opt.local_names);
	printf("ratio sekisho/reflect     %11.3f     (median of rounds %.3f)\n",
	       ratio_of(&s), s.round_ratio);
	printf("cycle ratio reflect/sekisho %9.3f     (DUT busy: sekisho %.0f%%, reflect %.0f%%)\n",
	       cycle_ratio_of(&s), 100 * s.busy[MODE_SEKISHO], 100 * s.busy[MODE_REFLECT]);
	if (s.busy[MODE_REFLECT] < 0.9)
		printf("note: the reflector waited for the generator %.0f%% of the time: "
		       "reflect_pps is a floor, the ratio a ceiling\n",
		       100 * (1 - s.busy[MODE_REFLECT]));
	printf("answers checked %" PRIu64 ", wrong %" PRIu64 "\n", s.checked, s.errors);
	if (b->opt.json != NULL && write_json(b, &s) != 0)
		return 1;
	if (s.checked == 0 || s.errors != 0 || s.sekisho_sent == 0) {
		fprintf(stderr, "bench: sekisho's answers are missing or wrong\n");
		return 1;
	}
	if (u->sent != 0 || u->resolutions != 0) {
		fprintf(stderr, "bench: %" PRIu64 " queries missed the cache (%" PRIu64
			" sent upstream): this is not the cache-hit path\n", u->resolutions,
			u->sent);
		return 1;
	}
	return 0;
}

/* ---- main ------------------------------------------------------------------- */

static int setup(struct bench *b)
{
	if (setup_ports(b) != 0 || build_local_db(b) != 0 || create_cache(b) != 0 ||
	    fill_cache(b) != 0 || build_frames(b) != 0)
		return -1;
	return 0;
}

static int run_all(struct bench *b, unsigned int dut_lcore)
{
	static struct run_result runs[BENCH_MAX_ROUNDS][MODE_COUNT];

	for (unsigned int r = 0; r < b->opt.rounds; r++) {
		for (int m = 0; m < MODE_COUNT; m++) {
			if (m == MODE_LOCAL && !b->opt.local)
				continue;
			if (run_mode(b, (enum bench_mode)m, dut_lcore, &runs[r][m]) != 0) {
				fprintf(stderr, "bench: %s run did not finish\n", mode_names[m]);
				return 1;
			}
			print_run(r, (enum bench_mode)m, &runs[r][m]);
		}
	}
	return report(b, (const struct run_result (*)[MODE_COUNT])runs, dut_lcore);
}

int main(int argc, char **argv)
{
	static struct bench b;
	char *eal_argv[64], **bench_argv;
	int eal_argc, bench_argc, rc;
	unsigned int dut_lcore;

	eal_argc = split_args(argc, argv, eal_argv, (int)RTE_DIM(eal_argv), &bench_argv,
			     &bench_argc);
	if (parse_opts(bench_argc, bench_argv, &b.opt) != 0)
		return usage();
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "bench: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	dut_lcore = rte_get_next_lcore(rte_get_main_lcore(), 1, 0);
	if (dut_lcore >= RTE_MAX_LCORE) {
		fprintf(stderr, "bench: needs two lcores (-l 0,1): generator and DUT\n");
		rte_eal_cleanup();
		return 1;
	}
	rc = 1;
	if (setup(&b) == 0 && init_bench_worker(&b, dut_lcore) == 0) {
		printf("packet-path: generator lcore %u, DUT lcore %u, %u s per mode after "
		       "%u ms warm-up, %u cached names queried of %u%s, %u round(s)\n",
		       rte_get_main_lcore(), dut_lcore, b.opt.seconds, b.opt.warmup_ms,
		       b.opt.names, b.opt.entries, b.opt.local ? ", local data too" : "",
		       b.opt.rounds);
		rc = run_all(&b, dut_lcore);
	}
	if (b.worker != NULL) {
		if (b.worker->up != NULL) {
			cache_reader_unregister(b.cache, dut_lcore);
			upstream_free(b.worker->up);
			rte_free(b.worker->up);
		}
		worker_free(b.worker);
	}
	upstream_shared_free(b.up_shared);
	cache_free(b.cache);
	rte_free(b.neigh);
	free(b.cache_frames.f);
	free(b.local_frames.f);
	local_db_free(b.local);
	rte_eal_cleanup();
	return rc;
}
