/*
 * test_validate_chain.c - the chain of trust end to end (validate_chain.h): a small
 * signed hierarchy made at start with fresh keys, answers judged secure, insecure or
 * bogus with the EDE that says why, and the DS/DNSKEY fetches the chain asks for.
 *
 *   .            anchor: DS of its key (ECDSA P-256)
 *   test.        signed (P-256); NSEC proves insec.test. has no DS
 *   sec.test.    signed (P-256): www A, cn CNAME, d DNAME, *.wild A; NSEC
 *   rsa.test.    signed (RSA-2048, algorithm 8)
 *   n3.test.     signed (P-256), NSEC3 with 200 iterations
 *   alg.test.    DS of algorithm 253 only: insecure
 *   insec.test.  unsigned delegation
 *
 * The signer here is test code only: EVP_DigestSign over validate_signed_data(). The
 * store is an array that holds only what the chain has had "fetched" from the zones.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "validate_chain.h"
#include "validate_denial.h"
#include "validate_test.h"

#define NOW 1700000000u
#define INCEPTION (NOW - 3600)
#define EXPIRATION (NOW + 30 * 86400)
#define SET_RR_MAX 32

/* ---- Keys and signatures (test code only) ---------------------------------------------- */

struct t_key {
	EVP_PKEY *pkey;
	uint8_t alg;
	uint16_t tag;
	uint8_t rdata[600];
	size_t rdlen;
};

static void key_rdata_head(struct t_key *k)
{
	wire_put_u16(k->rdata, VALIDATE_DNSKEY_ZONE | VALIDATE_DNSKEY_SEP);
	k->rdata[2] = VALIDATE_DNSKEY_PROTOCOL;
	k->rdata[3] = k->alg;
}

static void key_ec(struct t_key *k)
{
	uint8_t pub[65];
	size_t len = 0;

	k->pkey = EVP_EC_gen("P-256");
	k->alg = VALIDATE_ALG_ECDSAP256SHA256;
	if (k->pkey == NULL ||
	    EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub),
					    &len) != 1 || len != 65)
		t_die("key", "P-256");
	key_rdata_head(k);
	memcpy(k->rdata + 4, pub + 1, 64); /* X | Y without the 0x04 prefix */
	k->rdlen = 68;
	k->tag = validate_key_tag(k->rdata, k->rdlen);
}

static void key_rsa(struct t_key *k)
{
	BIGNUM *n = NULL, *e = NULL;

	k->pkey = EVP_RSA_gen(2048);
	k->alg = VALIDATE_ALG_RSASHA256;
	if (k->pkey == NULL || EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
		t_die("key", "RSA");
	key_rdata_head(k);
	/* RFC 3110: exponent length, exponent, modulus. */
	k->rdata[4] = (uint8_t)BN_num_bytes(e);
	BN_bn2bin(e, k->rdata + 5);
	k->rdlen = 5 + (size_t)k->rdata[4];
	k->rdlen += (size_t)BN_bn2bin(n, k->rdata + k->rdlen);
	k->tag = validate_key_tag(k->rdata, k->rdlen);
	BN_free(n);
	BN_free(e);
}

/* A DNSSEC signature over @tbs: r | s for ECDSA, the PKCS #1 block for RSA. */
static size_t key_sign(const struct t_key *k, const uint8_t *tbs, size_t len, uint8_t *out)
{
	uint8_t der[512];
	size_t dlen = sizeof(der);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) != 1 ||
	    EVP_DigestSign(ctx, der, &dlen, tbs, len) != 1)
		t_die("sign", "EVP_DigestSign");
	EVP_MD_CTX_free(ctx);
	if (k->alg != VALIDATE_ALG_ECDSAP256SHA256) {
		memcpy(out, der, dlen);
		return dlen;
	}
	const uint8_t *p = der;
	const BIGNUM *r, *s;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	if (es == NULL)
		t_die("sign", "ECDSA DER");
	ECDSA_SIG_get0(es, &r, &s);
	BN_bn2binpad(r, out, 32);
	BN_bn2binpad(s, out + 32, 32);
	ECDSA_SIG_free(es);
	return 64;
}

/* ---- RRsets: records, then their RRSIGs, in one buffer (the store's layout) ------------ */

struct t_rrset {
	uint8_t owner[WIRE_NAME_MAX];
	size_t owner_len;
	uint16_t type;
	uint32_t ttl;
	uint16_t count, sig_count;
	uint16_t rdoff[SET_RR_MAX], rdlen[SET_RR_MAX];
	uint8_t data[4096];
	size_t used;
	struct validate_rrset view; /* the records, without RRSIGs */
};

struct t_zone {
	uint8_t name[WIRE_NAME_MAX];
	size_t len;
	struct t_key key;
};

static void set_init(struct t_rrset *s, const char *owner, uint16_t type, uint32_t ttl)
{
	memset(s, 0, sizeof(*s));
	s->owner_len = t_name(owner, s->owner);
	s->type = type;
	s->ttl = ttl;
}

static void set_put(struct t_rrset *s, const uint8_t *rd, size_t len, bool sig)
{
	unsigned i = s->count + s->sig_count;

	if (i == SET_RR_MAX || s->used + len > sizeof(s->data) || (!sig && s->sig_count > 0))
		t_die("rrset", "full, or a record after an RRSIG");
	memcpy(s->data + s->used, rd, len);
	s->rdoff[i] = (uint16_t)s->used;
	s->rdlen[i] = (uint16_t)len;
	s->used += len;
	if (sig)
		s->sig_count++;
	else
		s->count++;
	s->view = (struct validate_rrset){ .owner = s->owner, .owner_len = s->owner_len,
		.type = s->type, .rclass = WIRE_CLASS_IN, .count = s->count, .data = s->data,
		.rdoff = s->rdoff, .rdlen = s->rdlen };
}

/* A record from its presentation-form RDATA ("192.0.2.1", "www.rsa.test."). */
static void set_add_text(struct t_rrset *s, const char *rdata)
{
	static struct wire_text_rr wrr;
	char line[WIRE_NAME_TEXT_MAX + 512], owner[WIRE_NAME_TEXT_MAX];
	uint16_t type_code = s->type;
	const char *type = type_code == WIRE_TYPE_A ? "A" : type_code == WIRE_TYPE_AAAA ? "AAAA" :
			   type_code == WIRE_TYPE_CNAME ? "CNAME" :
			   type_code == WIRE_TYPE_DNAME ? "DNAME" : "SOA";

	wire_name_to_text(s->owner, s->owner_len, owner, sizeof(owner));
	snprintf(line, sizeof(line), "%s 3600 IN %s %s", owner, type, rdata);
	if (wire_text_rr(line, strlen(line), NULL, 3600, &wrr) != 0)
		t_die("record", line);
	set_put(s, wrr.rdata, wrr.rdlen, false);
}

/* RRSIG by @z over @s; @labels < 0: the owner's own label count. */
static void set_sign_as(struct t_rrset *s, const struct t_zone *z, uint32_t inception,
			uint32_t expiration, int labels)
{
	static uint8_t tbs[8192];
	uint8_t rd[1024];
	struct validate_rrsig sig;

	wire_put_u16(rd, s->type);
	rd[2] = z->key.alg;
	rd[3] = (uint8_t)(labels >= 0 ? labels : wire_name_label_count(s->owner, s->owner_len));
	wire_put_u32(rd + 4, s->ttl);
	wire_put_u32(rd + 8, expiration);
	wire_put_u32(rd + 12, inception);
	wire_put_u16(rd + 16, z->key.tag);
	memcpy(rd + 18, z->name, z->len);
	size_t pos = 18 + z->len;
	rd[pos] = 0; /* a placeholder signature, to parse the fields */
	if (validate_rrsig_parse(rd, pos + 1, &sig) != 0)
		t_die("rrsig", "parse");
	int n = validate_signed_data(&sig, &s->view, tbs, sizeof(tbs));
	if (n < 0)
		t_die("rrsig", "signed data");
	pos += key_sign(&z->key, tbs, (size_t)n, rd + pos);
	set_put(s, rd, pos, true);
}

static void set_sign(struct t_rrset *s, const struct t_zone *z)
{
	set_sign_as(s, z, INCEPTION, EXPIRATION, -1);
}

/* An RRSIG with algorithm 253 and junk for a signature: what no validator can check. */
static void set_sign_unknown_alg(struct t_rrset *s, const struct t_zone *z, uint16_t tag)
{
	uint8_t rd[256];

	wire_put_u16(rd, s->type);
	rd[2] = 253;
	rd[3] = (uint8_t)wire_name_label_count(s->owner, s->owner_len);
	wire_put_u32(rd + 4, s->ttl);
	wire_put_u32(rd + 8, EXPIRATION);
	wire_put_u32(rd + 12, INCEPTION);
	wire_put_u16(rd + 16, tag);
	memcpy(rd + 18, z->name, z->len);
	memset(rd + 18 + z->len, 0x5a, 64);
	set_put(s, rd, 18 + z->len + 64, true);
}

static void set_dnskey(struct t_rrset *s, const struct t_zone *z)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->owner, z->name, z->len);
	s->owner_len = z->len;
	s->type = WIRE_TYPE_DNSKEY;
	s->ttl = 3600;
	set_put(s, z->key.rdata, z->key.rdlen, false);
	set_sign(s, z);
}

/* DS at @owner's name naming @key's DNSKEY (SHA-256), signed by @parent. @owner and
 * @key differ only to make a DS that names no key of its zone. */
static void set_ds_as(struct t_rrset *s, const struct t_zone *owner, const struct t_zone *key,
		      const struct t_zone *parent)
{
	uint8_t rd[4 + VALIDATE_DIGEST_MAX];

	memset(s, 0, sizeof(*s));
	memcpy(s->owner, owner->name, owner->len);
	s->owner_len = owner->len;
	s->type = WIRE_TYPE_DS;
	s->ttl = 3600;
	wire_put_u16(rd, key->key.tag);
	rd[2] = key->key.alg;
	rd[3] = VALIDATE_DS_SHA256;
	int n = validate_ds_digest(VALIDATE_DS_SHA256, key->name, key->len, key->key.rdata,
				   key->key.rdlen, rd + 4, VALIDATE_DIGEST_MAX);
	if (n < 0)
		t_die("ds", "digest");
	set_put(s, rd, 4 + (size_t)n, false);
	set_sign(s, parent);
}

static void set_ds(struct t_rrset *s, const struct t_zone *child, const struct t_zone *parent)
{
	set_ds_as(s, child, child, parent);
}

/* A type bitmap of window 0 (every type used here is below 256). */
static size_t bitmap(const uint16_t *types, unsigned n, uint8_t *out)
{
	uint8_t len = 0;

	memset(out, 0, 34);
	for (unsigned i = 0; i < n; i++) {
		uint8_t octet = (uint8_t)(types[i] >> 3);
		out[2 + octet] |= (uint8_t)(0x80 >> (types[i] & 7));
		len = octet + 1 > len ? (uint8_t)(octet + 1) : len;
	}
	out[1] = len;
	return 2 + (size_t)len;
}

#define TYPES(...) (const uint16_t[]){ __VA_ARGS__ }, \
	sizeof((const uint16_t[]){ __VA_ARGS__ }) / sizeof(uint16_t)

static void set_nsec(struct t_rrset *s, const char *owner, const char *next,
		     const uint16_t *types, unsigned n, const struct t_zone *z)
{
	uint8_t rd[WIRE_NAME_MAX + 34];
	size_t len = t_name(next, rd);

	set_init(s, owner, WIRE_TYPE_NSEC, 3600);
	len += bitmap(types, n, rd + len);
	set_put(s, rd, len, false);
	set_sign(s, z);
}

static void base32hex(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";
	uint32_t acc = 0;
	int bits = 0;

	for (size_t i = 0; i < len; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			*out++ = digits[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		*out++ = digits[(acc << (5 - bits)) & 31];
	*out = '\0';
}

/* An NSEC3 spanning the whole hash space (owner hash 00.., next ff..). */
static void set_nsec3(struct t_rrset *s, const struct t_zone *z, uint16_t iterations)
{
	uint8_t lo[20] = { 0 }, rd[64 + 34];
	char label[40], owner[WIRE_NAME_TEXT_MAX + 64], zone[WIRE_NAME_TEXT_MAX];

	base32hex(lo, sizeof(lo), label);
	wire_name_to_text(z->name, z->len, zone, sizeof(zone));
	snprintf(owner, sizeof(owner), "%s.%s", label, zone);
	set_init(s, owner, WIRE_TYPE_NSEC3, 3600);
	rd[0] = VALIDATE_NSEC3_ALG_SHA1;
	rd[1] = 0;
	wire_put_u16(rd + 2, iterations);
	rd[4] = 0;  /* no salt */
	rd[5] = 20;
	memset(rd + 6, 0xff, 20);
	size_t len = 26 + bitmap(TYPES(WIRE_TYPE_NS, WIRE_TYPE_SOA, WIRE_TYPE_RRSIG), rd + 26);
	set_put(s, rd, len, false);
	set_sign(s, z);
}

/* ---- The zones ---------------------------------------------------------------------------- */

static struct t_zone z_root, z_test, z_sec, z_rsa, z_n3, z_alg;

static struct {
	struct t_rrset dnskey_root, dnskey_test, dnskey_sec, dnskey_rsa, dnskey_n3;
	struct t_rrset ds_test, ds_sec, ds_rsa, ds_n3, ds_alg, ds_alg_sha1;
	struct t_rrset ds_sec_wrong, ds_sec_badsig;
	struct t_rrset soa_test, nsec_insec, nsec_insec_unsigned, nsec_stray_badsig;
	struct t_rrset soa_root, nsec_root;
	struct t_rrset www_a, www_a_unsigned, www_a_badsig, www_a_expired, www_a_future;
	struct t_rrset www_a_by_parent;
	struct t_rrset cn, dname, synth, synth_elsewhere, www_rsa_a, wild_a, cn_insec;
	struct t_rrset soa_sec, nsec_apex, nsec_d, nsec_wild, nsec_www;
	struct t_rrset soa_n3, nsec3_n3;
	struct t_rrset alg_a, insec_a, deep_insec_a;
} w;

static struct validate_chain_conf conf;
static uint8_t root_ds[4 + VALIDATE_DIGEST_MAX];

static void zone_init(struct t_zone *z, const char *name, bool rsa)
{
	z->len = t_name(name, z->name);
	if (rsa)
		key_rsa(&z->key);
	else
		key_ec(&z->key);
}

static void build_keys_and_ds(void)
{
	set_dnskey(&w.dnskey_root, &z_root);
	set_dnskey(&w.dnskey_test, &z_test);
	set_dnskey(&w.dnskey_sec, &z_sec);
	set_dnskey(&w.dnskey_rsa, &z_rsa);
	set_dnskey(&w.dnskey_n3, &z_n3);
	set_ds(&w.ds_test, &z_test, &z_root);
	set_ds(&w.ds_sec, &z_sec, &z_test);
	set_ds(&w.ds_rsa, &z_rsa, &z_test);
	set_ds(&w.ds_n3, &z_n3, &z_test);
	w.ds_sec_badsig = w.ds_sec;
	w.ds_sec_badsig.data[w.ds_sec_badsig.used - 3] ^= 0x40;
	/* The wrong DS for sec.test.: it names rsa.test.'s key. */
	set_ds_as(&w.ds_sec_wrong, &z_sec, &z_rsa, &z_test);
	/* alg.test.: a DS of algorithm 253, which nobody implements. */
	set_init(&w.ds_alg, "alg.test.", WIRE_TYPE_DS, 3600);
	uint8_t ds[36] = { 0x12, 0x34, 253, VALIDATE_DS_SHA256 };
	set_put(&w.ds_alg, ds, sizeof(ds), false);
	set_sign(&w.ds_alg, &z_test);
	/* ... or a DS of a known algorithm with a SHA-1 digest, off by default policy. */
	set_init(&w.ds_alg_sha1, "alg.test.", WIRE_TYPE_DS, 3600);
	uint8_t ds1[24] = { 0x12, 0x34, VALIDATE_ALG_ECDSAP256SHA256, VALIDATE_DS_SHA1 };
	set_put(&w.ds_alg_sha1, ds1, sizeof(ds1), false);
	set_sign(&w.ds_alg_sha1, &z_test);
}

static void build_test_zone(void)
{
	set_init(&w.soa_test, "test.", WIRE_TYPE_SOA, 3600);
	set_add_text(&w.soa_test, "ns.test. host.test. 1 7200 3600 1209600 300");
	set_sign(&w.soa_test, &z_test);
	set_nsec(&w.nsec_insec, "insec.test.", "n3.test.",
		 TYPES(WIRE_TYPE_NS, WIRE_TYPE_RRSIG, WIRE_TYPE_NSEC), &z_test);
	w.nsec_insec_unsigned = w.nsec_insec;
	w.nsec_insec_unsigned.sig_count = 0;
	set_nsec(&w.nsec_stray_badsig, "zz.test.", "test.",
		 TYPES(WIRE_TYPE_A, WIRE_TYPE_RRSIG, WIRE_TYPE_NSEC), &z_test);
	w.nsec_stray_badsig.data[w.nsec_stray_badsig.used - 4] ^= 0x10;
	set_init(&w.soa_root, ".", WIRE_TYPE_SOA, 3600);
	set_add_text(&w.soa_root, "a.root.test. host.test. 1 7200 3600 1209600 300");
	set_sign(&w.soa_root, &z_root);
	set_nsec(&w.nsec_root, ".", "test.", TYPES(WIRE_TYPE_NS, WIRE_TYPE_SOA, WIRE_TYPE_RRSIG,
		 WIRE_TYPE_NSEC, WIRE_TYPE_DNSKEY), &z_root);
}

static void build_sec_zone(void)
{
	set_init(&w.www_a, "www.sec.test.", WIRE_TYPE_A, 300);
	set_add_text(&w.www_a, "192.0.2.1");
	w.www_a_unsigned = w.www_a;
	w.www_a_expired = w.www_a;
	w.www_a_future = w.www_a;
	w.www_a_by_parent = w.www_a;
	set_sign(&w.www_a_by_parent, &z_test);
	set_sign(&w.www_a, &z_sec);
	w.www_a_badsig = w.www_a;
	w.www_a_badsig.data[w.www_a_badsig.used - 5] ^= 0x01;
	set_sign_as(&w.www_a_expired, &z_sec, NOW - 86400, NOW - 3600, -1);
	set_sign_as(&w.www_a_future, &z_sec, NOW + 3600, NOW + 86400, -1);

	set_init(&w.cn, "cn.sec.test.", WIRE_TYPE_CNAME, 3600);
	set_add_text(&w.cn, "www.rsa.test.");
	set_sign(&w.cn, &z_sec);
	set_init(&w.dname, "d.sec.test.", WIRE_TYPE_DNAME, 3600);
	set_add_text(&w.dname, "sec.test.");
	set_sign(&w.dname, &z_sec);
	set_init(&w.synth, "www.d.sec.test.", WIRE_TYPE_CNAME, 3600);
	set_add_text(&w.synth, "www.sec.test.");
	set_init(&w.synth_elsewhere, "www.d.sec.test.", WIRE_TYPE_CNAME, 3600);
	set_add_text(&w.synth_elsewhere, "www.rsa.test.");
	set_init(&w.cn_insec, "cn.sec.test.", WIRE_TYPE_CNAME, 3600);
	set_add_text(&w.cn_insec, "www.insec.test.");
	set_sign(&w.cn_insec, &z_sec);
	/* x.wild.sec.test. A, expanded from *.wild.sec.test. (RRSIG labels 3). */
	set_init(&w.wild_a, "x.wild.sec.test.", WIRE_TYPE_A, 3600);
	set_add_text(&w.wild_a, "192.0.2.9");
	set_sign_as(&w.wild_a, &z_sec, INCEPTION, EXPIRATION, 3);

	set_init(&w.soa_sec, "sec.test.", WIRE_TYPE_SOA, 3600);
	set_add_text(&w.soa_sec, "ns.sec.test. host.sec.test. 1 7200 3600 1209600 300");
	set_sign(&w.soa_sec, &z_sec);
	/* The NSEC chain: sec.test. cn. d. *.wild. www. (cn.'s NSEC is not needed) */
	set_nsec(&w.nsec_apex, "sec.test.", "cn.sec.test.", TYPES(WIRE_TYPE_NS, WIRE_TYPE_SOA,
		 WIRE_TYPE_RRSIG, WIRE_TYPE_NSEC, WIRE_TYPE_DNSKEY), &z_sec);
	set_nsec(&w.nsec_d, "d.sec.test.", "*.wild.sec.test.",
		 TYPES(WIRE_TYPE_DNAME, WIRE_TYPE_RRSIG, WIRE_TYPE_NSEC), &z_sec);
	set_nsec(&w.nsec_wild, "*.wild.sec.test.", "www.sec.test.",
		 TYPES(WIRE_TYPE_A, WIRE_TYPE_RRSIG, WIRE_TYPE_NSEC), &z_sec);
	set_nsec(&w.nsec_www, "www.sec.test.", "sec.test.",
		 TYPES(WIRE_TYPE_A, WIRE_TYPE_RRSIG, WIRE_TYPE_NSEC), &z_sec);
}

static void build_other_zones(void)
{
	set_init(&w.www_rsa_a, "www.rsa.test.", WIRE_TYPE_A, 3600);
	set_add_text(&w.www_rsa_a, "192.0.2.2");
	set_sign(&w.www_rsa_a, &z_rsa);

	set_init(&w.soa_n3, "n3.test.", WIRE_TYPE_SOA, 3600);
	set_add_text(&w.soa_n3, "ns.n3.test. host.n3.test. 1 7200 3600 1209600 300");
	set_sign(&w.soa_n3, &z_n3);
	set_nsec3(&w.nsec3_n3, &z_n3, 200);

	set_init(&w.alg_a, "www.alg.test.", WIRE_TYPE_A, 3600);
	set_add_text(&w.alg_a, "192.0.2.3");
	set_sign_unknown_alg(&w.alg_a, &z_alg, 0x1234);

	set_init(&w.insec_a, "www.insec.test.", WIRE_TYPE_A, 3600);
	set_add_text(&w.insec_a, "192.0.2.4");
	set_init(&w.deep_insec_a, "www.deep.insec.test.", WIRE_TYPE_A, 3600);
	set_add_text(&w.deep_insec_a, "192.0.2.5");
}

static void world_build(void)
{
	zone_init(&z_root, ".", false);
	zone_init(&z_test, "test.", false);
	zone_init(&z_sec, "sec.test.", false);
	zone_init(&z_rsa, "rsa.test.", true);
	zone_init(&z_n3, "n3.test.", false);
	z_alg.len = t_name("alg.test.", z_alg.name);
	build_keys_and_ds();
	build_test_zone();
	build_sec_zone();
	build_other_zones();

	/* The trust anchor: the root key's DS, as the config gives it. */
	validate_chain_conf_init(&conf);
	wire_put_u16(root_ds, z_root.key.tag);
	root_ds[2] = z_root.key.alg;
	root_ds[3] = VALIDATE_DS_SHA256;
	int n = validate_ds_digest(VALIDATE_DS_SHA256, z_root.name, z_root.len, z_root.key.rdata,
				   z_root.key.rdlen, root_ds + 4, VALIDATE_DIGEST_MAX);
	conf.n_anchors = 1;
	conf.anchors[0] = (struct validate_anchor){ .owner = { 0 }, .owner_len = 1,
		.type = WIRE_TYPE_DS, .rdlen = (uint16_t)(4 + n), .rdata = root_ds };
}

/* ---- What the authoritative side serves, and the store ------------------------------------ */

#define POOL_MAX 32
#define STORE_MAX 32

static const struct t_rrset *pool[POOL_MAX];
static unsigned pool_n;

/* A negative answer to a DS or DNSKEY query. */
struct t_neg {
	uint8_t name[WIRE_NAME_MAX];
	size_t len;
	uint16_t type;
	struct validate_chain_rr rr[16];
	unsigned n;
};
static struct t_neg negs[4];
static unsigned negs_n;

static struct {
	const struct t_rrset *set[STORE_MAX];
	enum validate_chain_status status[STORE_MAX];
	uint16_t ede[STORE_MAX];
	unsigned n, marks;
} store;

/* What the test's "resolver" does with a FETCH. */
static struct {
	char log[512];
	unsigned fetches;
	uint8_t fail_name[WIRE_NAME_MAX]; /* this fetch fails (SERVFAIL) */
	size_t fail_len;
	uint16_t fail_type;
	bool keep_nothing;                /* resolved, but the store does not keep it */
} net;

static void add_rr(struct validate_chain_rr *rr, const struct t_rrset *s, unsigned i,
		   uint8_t section)
{
	bool sig = i >= s->count;
	*rr = (struct validate_chain_rr){ .owner = s->owner, .owner_len = (uint8_t)s->owner_len,
		.section = section, .type = sig ? WIRE_TYPE_RRSIG : s->type,
		.rclass = WIRE_CLASS_IN, .ttl = s->ttl, .rdata = s->data + s->rdoff[i],
		.rdlen = s->rdlen[i] };
}

static void neg_add(const char *name, uint16_t type, const struct t_rrset *const *sets,
		    unsigned nsets)
{
	struct t_neg *g = &negs[negs_n++];

	g->len = t_name(name, g->name);
	g->type = type;
	g->n = 0;
	for (unsigned k = 0; k < nsets; k++) {
		for (unsigned i = 0; i < sets[k]->count + sets[k]->sig_count; i++)
			add_rr(&g->rr[g->n++], sets[k], i, WIRE_SECTION_AUTHORITY);
	}
}

static void world_reset(void)
{
	const struct t_rrset *served[] = { &w.dnskey_root, &w.dnskey_test, &w.dnskey_sec,
		&w.dnskey_rsa, &w.dnskey_n3, &w.ds_test, &w.ds_sec, &w.ds_rsa, &w.ds_n3,
		&w.ds_alg };
	const struct t_rrset *insec_denial[] = { &w.soa_test, &w.nsec_insec };

	pool_n = 0;
	for (unsigned i = 0; i < sizeof(served) / sizeof(served[0]); i++)
		pool[pool_n++] = served[i];
	negs_n = 0;
	neg_add("insec.test.", WIRE_TYPE_DS, insec_denial, 2);
	memset(&store, 0, sizeof(store));
	memset(&net, 0, sizeof(net));
}

/* Serve @with in place of what the zones hold under the same name and type. */
static void pool_replace(const struct t_rrset *with)
{
	for (unsigned i = 0; i < pool_n; i++) {
		const struct t_rrset *p = pool[i];
		if (p->type == with->type &&
		    wire_name_equal(p->owner, p->owner_len, with->owner, with->owner_len))
			pool[i] = with;
	}
}

/* The zones no longer serve this RRset (a DS stripped on the way). */
static void pool_remove(const struct t_rrset *what)
{
	for (unsigned i = 0; i < pool_n; i++) {
		if (pool[i] == what)
			pool[i--] = pool[--pool_n];
	}
}

static int store_find(const uint8_t *name, size_t len, uint16_t type)
{
	for (unsigned i = 0; i < store.n; i++) {
		if (store.set[i]->type == type &&
		    wire_name_equal(store.set[i]->owner, store.set[i]->owner_len, name, len))
			return (int)i;
	}
	return -1;
}

/* The copy a lookup hands out, valid until the next lookup in the same slot. */
static struct {
	uint8_t owner[WIRE_NAME_MAX];
	uint16_t rdoff[SET_RR_MAX], rdlen[SET_RR_MAX];
	uint8_t data[4096];
} slots[2];

static bool store_lookup(void *arg, unsigned slot, const uint8_t *name, size_t len,
			 uint16_t type, struct validate_chain_rrset *out)
{
	int i = store_find(name, len, type);

	(void)arg;
	CHECK(slot < 2);
	if (i < 0 || slot >= 2)
		return false;
	const struct t_rrset *s = store.set[i];
	/* Scribble over the slot first: a pointer kept past its time reads junk. */
	memset(&slots[slot], 0xa5, sizeof(slots[slot]));
	memcpy(slots[slot].owner, s->owner, s->owner_len);
	memcpy(slots[slot].data, s->data, s->used);
	memcpy(slots[slot].rdoff, s->rdoff, sizeof(s->rdoff));
	memcpy(slots[slot].rdlen, s->rdlen, sizeof(s->rdlen));
	*out = (struct validate_chain_rrset){ .rs = { .owner = slots[slot].owner,
		.owner_len = s->owner_len, .type = s->type, .rclass = WIRE_CLASS_IN,
		.count = s->count, .data = slots[slot].data, .rdoff = slots[slot].rdoff,
		.rdlen = slots[slot].rdlen }, .sig_count = s->sig_count, .ttl = s->ttl,
		.status = store.status[i], .ede = store.ede[i] };
	return true;
}

static void store_mark(void *arg, const uint8_t *name, size_t len, uint16_t type,
		       enum validate_chain_status status, uint16_t ede, uint32_t ttl_cap)
{
	int i = store_find(name, len, type);

	(void)arg;
	(void)ttl_cap;
	CHECK(i >= 0);
	if (i < 0)
		return;
	store.status[i] = status;
	store.ede[i] = ede;
	store.marks++;
}

static enum validate_chain_status store_status(const struct t_rrset *s)
{
	int i = store_find(s->owner, s->owner_len, s->type);
	return i < 0 ? VALIDATE_CHAIN_INDETERMINATE : store.status[i];
}

static void serve(struct validate_chain *vc, const struct validate_chain_fetch *f)
{
	char name[WIRE_NAME_TEXT_MAX];

	wire_name_to_text(f->name, f->name_len, name, sizeof(name));
	snprintf(net.log + strlen(net.log), sizeof(net.log) - strlen(net.log), "%s%s %s",
		 net.fetches++ ? ", " : "", f->type == WIRE_TYPE_DS ? "DS" : "DNSKEY", name);
	if (f->type == net.fail_type &&
	    wire_name_equal(f->name, f->name_len, net.fail_name, net.fail_len)) {
		validate_chain_fetch_failed(vc);
		return;
	}
	for (unsigned i = 0; i < pool_n; i++) {
		if (pool[i]->type != f->type ||
		    !wire_name_equal(pool[i]->owner, pool[i]->owner_len, f->name, f->name_len))
			continue;
		if (!net.keep_nothing && store.n < STORE_MAX)
			store.set[store.n++] = pool[i];
		return;
	}
	for (unsigned i = 0; i < negs_n; i++) {
		if (negs[i].type == f->type &&
		    wire_name_equal(negs[i].name, negs[i].len, f->name, f->name_len)) {
			CHECK_INT(validate_chain_supply_negative(vc, WIRE_RCODE_NOERROR, negs[i].rr,
								 negs[i].n), 0);
			return;
		}
	}
	validate_chain_fetch_failed(vc);
}

/* ---- Answers and the validation loop ------------------------------------------------------- */

static struct validate_key_cache *kc;
static struct validate_batch *batch;
static struct validate_chain vc;

struct t_answer {
	struct validate_chain_answer a;
	struct validate_chain_rr rr[64];
	uint8_t qname[WIRE_NAME_MAX], zone[WIRE_NAME_MAX];
};

static void answer_init(struct t_answer *t, const char *qname, uint16_t qtype, uint8_t rcode,
			const char *zone)
{
	memset(t, 0, sizeof(*t));
	t->a.qname = t->qname;
	t->a.qname_len = (uint8_t)t_name(qname, t->qname);
	t->a.qtype = qtype;
	t->a.qclass = WIRE_CLASS_IN;
	t->a.rcode = rcode;
	t->a.rr = t->rr;
	t->a.zone = t->zone;
	t->a.zone_len = (uint8_t)t_name(zone, t->zone);
}

/* The records of @s and its RRSIGs into @section. */
static void answer_add(struct t_answer *t, const struct t_rrset *s, uint8_t section)
{
	for (unsigned i = 0; i < s->count + s->sig_count; i++)
		add_rr(&t->rr[t->a.n_rr++], s, i, section);
}

static struct validate_chain_stats cstats;

static struct validate_chain_env env_of(struct validate_batch *b)
{
	return (struct validate_chain_env){ .keys = kc, .batch = b, .lookup = store_lookup,
		.mark = store_mark, .stats = &cstats };
}

/* One action of @v, as a worker would take it for a chain alone: serve a FETCH, run the
 * batch for CRYPTO. True when done. */
static bool advance(struct validate_chain *v, const struct validate_chain_env *env)
{
	struct validate_chain_fetch f;

	switch (validate_chain_next(v, env, &f)) {
	case VALIDATE_CHAIN_DONE:
		CHECK(v->result.why != NULL && v->result.why[0] != '\0');
		return true;
	case VALIDATE_CHAIN_FETCH:
		serve(v, &f);
		return false;
	case VALIDATE_CHAIN_CRYPTO:
		validate_chain_run_batch(env);
		return false;
	}
	CHECK(!"unknown action");
	return true;
}

static enum validate_chain_status run_with(const struct validate_chain_conf *c,
					   const struct t_answer *t)
{
	struct validate_chain_env env = env_of(batch);

	validate_chain_start(&vc, c, &t->a, NOW);
	for (int i = 0; i < 128; i++) {
		if (advance(&vc, &env))
			return vc.result.status;
	}
	CHECK(!"validation never finished");
	return VALIDATE_CHAIN_INDETERMINATE;
}

static enum validate_chain_status run(const struct t_answer *t)
{
	return run_with(&conf, t);
}

#define CHECK_CHAIN(got, want) do { \
	enum validate_chain_status g_ = (got), w_ = (want); \
	if (g_ != w_) { \
		unit_failures++; \
		fprintf(stderr, "%s:%d: %s: %s is %s (ede %u, %s), want %s\n", __FILE__, \
			__LINE__, __func__, #got, validate_chain_status_name(g_), vc.result.ede, \
			vc.result.why, validate_chain_status_name(w_)); \
	} \
} while (0)

static void answer_www(struct t_answer *t, const struct t_rrset *a)
{
	answer_init(t, "www.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "sec.test.");
	answer_add(t, a, WIRE_SECTION_ANSWER);
}

/* ---- Tests --------------------------------------------------------------------------------- */

static void test_secure_answer_fetches_keys_top_down(void)
{
	struct t_answer t;

	world_reset();
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_SECURE);
	CHECK_INT(vc.result.ede, 0);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test., DS sec.test., DNSKEY sec.test.");
	CHECK_INT(vc.result.ttl_cap, 300); /* the A RRset's TTL, under the original TTL */
	/* Every DS and DNSKEY on the way is marked secure in the store. */
	CHECK_INT(store.marks, 5);
	CHECK_INT(store_status(&w.dnskey_root), VALIDATE_CHAIN_SECURE);
	CHECK_INT(store_status(&w.ds_test), VALIDATE_CHAIN_SECURE);
	CHECK_INT(store_status(&w.dnskey_test), VALIDATE_CHAIN_SECURE);
	CHECK_INT(store_status(&w.ds_sec), VALIDATE_CHAIN_SECURE);
	CHECK_INT(store_status(&w.dnskey_sec), VALIDATE_CHAIN_SECURE);
}

/* No chain waits: the batch is emptied, as a worker does when the last one is done. */
static void batch_idle(struct validate_batch *b)
{
	validate_batch_reset(b);
	validate_key_cache_release(kc);
}

static void test_marked_keys_are_not_verified_again(void)
{
	struct validate_batch_stats before, after;
	struct validate_chain_stats cs;
	struct t_answer t;

	world_reset();
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_SECURE);
	batch_idle(batch); /* nothing deduplicates from here on */
	validate_batch_get_stats(batch, &before);
	cs = cstats;
	net.fetches = 0;
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_SECURE);
	validate_batch_get_stats(batch, &after);
	CHECK_INT(net.fetches, 0);
	CHECK_INT(cstats.jobs_added - cs.jobs_added, 1); /* the A RRset's RRSIG only */
	CHECK_INT(after.verified - before.verified, 1);
	/* The call after the run found the job with its status: read, not verified again. */
	CHECK_INT(cstats.jobs_reused - cs.jobs_reused, 1);
}

static void test_bad_signature_is_bogus_ede6(void)
{
	struct t_answer t;

	world_reset();
	answer_www(&t, &w.www_a_badsig);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSSEC_BOGUS);
}

static void test_expired_signature_is_bogus_ede7(void)
{
	struct t_answer t;

	world_reset();
	answer_www(&t, &w.www_a_expired);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_SIGNATURE_EXPIRED);
	answer_www(&t, &w.www_a_future);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_SIGNATURE_NOT_YET_VALID);
}

static void test_missing_rrsig_in_signed_zone_is_bogus_ede10(void)
{
	struct t_answer t;

	world_reset();
	answer_www(&t, &w.www_a_unsigned);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_RRSIGS_MISSING);
	/* The chain found sec.test. signed: its DS was fetched and verified. */
	CHECK_INT(store_status(&w.ds_sec), VALIDATE_CHAIN_SECURE);
}

static void test_dnskey_fetch_failed_is_bogus_ede9(void)
{
	struct t_answer t;

	world_reset();
	net.fail_len = t_name("sec.test.", net.fail_name);
	net.fail_type = WIRE_TYPE_DNSKEY;
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSKEY_MISSING);
}

static void test_fetch_the_store_did_not_keep_fails_instead_of_looping(void)
{
	struct t_answer t;

	world_reset();
	net.keep_nothing = true;
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSKEY_MISSING);
	CHECK_INT(net.fetches, 1); /* DNSKEY . once, then given up */
}

/* A fetch the caller could not start (no slot) is asked for again after
 * validate_chain_fetch_later(), not taken as failed, and does not count twice. */
static void test_fetch_put_off_is_asked_again(void)
{
	struct validate_chain_env env = env_of(batch);
	struct validate_chain_fetch f, g;
	struct t_answer t;
	unsigned int later = 0;

	world_reset();
	answer_www(&t, &w.www_a);
	validate_chain_start(&vc, &conf, &t.a, NOW);
	CHECK_INT(validate_chain_next(&vc, &env, &f), VALIDATE_CHAIN_FETCH);
	for (int i = 0; i < 3; i++) {
		validate_chain_fetch_later(&vc);
		later++;
		CHECK_INT(validate_chain_next(&vc, &env, &g), VALIDATE_CHAIN_FETCH);
		CHECK_INT(g.type, f.type);
		CHECK(g.name_len == f.name_len && memcmp(g.name, f.name, f.name_len) == 0);
	}
	CHECK_INT(later, 3);
	serve(&vc, &g);
	for (int i = 0; i < 128 && !advance(&vc, &env); i++)
		;
	CHECK_CHAIN(vc.result.status, VALIDATE_CHAIN_SECURE);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test., DS sec.test., DNSKEY sec.test.");
}

static void test_ds_naming_no_key_is_bogus_ede9(void)
{
	struct t_answer t;

	world_reset();
	pool_replace(&w.ds_sec_wrong);
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSKEY_MISSING);
	CHECK_INT(store_status(&w.dnskey_sec), VALIDATE_CHAIN_BOGUS);
}

static void test_ds_with_bad_signature_is_bogus_and_remembered(void)
{
	struct t_answer t;

	world_reset();
	pool_replace(&w.ds_sec_badsig);
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSSEC_BOGUS);
	CHECK_INT(store_status(&w.ds_sec_badsig), VALIDATE_CHAIN_BOGUS);
	/* The store's verdict stands the next time: no fetch, the same EDE. */
	net.fetches = 0;
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSSEC_BOGUS);
	CHECK_INT(net.fetches, 0);
}

static void test_root_key_not_named_by_the_anchor_is_bogus_ede9(void)
{
	static struct validate_chain_conf wrong;
	struct t_answer t;

	world_reset();
	wrong = conf;
	wrong.anchors[0].rdata = w.ds_test.data; /* the DS of test.'s key, at the root */
	wrong.anchors[0].rdlen = w.ds_test.rdlen[0];
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run_with(&wrong, &t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSKEY_MISSING);
	CHECK_STR(net.log, "DNSKEY .");
}

static void test_stripped_ds_is_bogus(void)
{
	const struct t_rrset *denial[] = { &w.soa_test, &w.nsec_insec };
	struct t_answer t;

	world_reset();
	/* An attacker answers "no DS" for sec.test. with a real but unrelated NSEC. */
	pool_remove(&w.ds_sec);
	neg_add("sec.test.", WIRE_TYPE_DS, denial, 2);
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSSEC_BOGUS);
}

static void test_fake_zone_cut_inside_signed_zone_is_bogus_ede10(void)
{
	const struct t_rrset *denial[] = { &w.soa_sec, &w.nsec_www };
	struct t_answer t;

	world_reset();
	/* Unsigned data claimed to come from a zone www.sec.test.: sec.test. proves
	 * there is no zone cut there, so the data is sec.test.'s and needed RRSIGs. */
	neg_add("www.sec.test.", WIRE_TYPE_DS, denial, 2);
	answer_init(&t, "www.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "www.sec.test.");
	answer_add(&t, &w.www_a_unsigned, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_RRSIGS_MISSING);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test., DS sec.test., DNSKEY sec.test., "
		  "DS www.sec.test.");
}

static void test_dnskey_anchor_below_the_root_rules_its_subtree(void)
{
	static struct validate_chain_conf island;
	struct t_answer t;

	world_reset();
	island = conf;
	island.n_anchors = 2;
	island.anchors[1] = (struct validate_anchor){ .owner_len = (uint8_t)z_sec.len,
		.type = WIRE_TYPE_DNSKEY, .rdlen = (uint16_t)z_sec.key.rdlen,
		.rdata = z_sec.key.rdata };
	memcpy(island.anchors[1].owner, z_sec.name, z_sec.len);
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run_with(&island, &t), VALIDATE_CHAIN_SECURE);
	CHECK_STR(net.log, "DNSKEY sec.test.");
	/* test.'s key may not sign for sec.test.'s names once sec.test. has an anchor. */
	answer_www(&t, &w.www_a_by_parent);
	CHECK_CHAIN(run_with(&island, &t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSSEC_BOGUS);
}

static void test_insecure_delegation_proven_by_nsec(void)
{
	struct t_answer t;

	world_reset();
	answer_init(&t, "www.insec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "insec.test.");
	answer_add(&t, &w.insec_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_INSECURE);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test., DS insec.test.");
}

static void test_unsigned_answer_below_insecure_delegation_is_insecure(void)
{
	struct t_answer t;

	world_reset();
	/* From a zone cut further down: nothing below insec.test. is fetched. */
	answer_init(&t, "www.deep.insec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR,
		    "deep.insec.test.");
	answer_add(&t, &w.deep_insec_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_INSECURE);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test., DS insec.test.");
}

static void test_unsigned_ds_denial_from_signed_parent_is_bogus(void)
{
	const struct t_rrset *denial[] = { &w.nsec_insec_unsigned };
	struct t_answer t;

	world_reset();
	negs_n = 0;
	neg_add("insec.test.", WIRE_TYPE_DS, denial, 1);
	answer_init(&t, "www.insec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "insec.test.");
	answer_add(&t, &w.insec_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_RRSIGS_MISSING);
}

static void test_nta_makes_a_bogus_zone_insecure(void)
{
	static struct validate_chain_conf with_nta;
	struct t_answer t;

	world_reset();
	with_nta = conf;
	with_nta.n_ntas = 1;
	with_nta.ntas[0].name_len = (uint8_t)t_name("sec.test.", with_nta.ntas[0].name);
	answer_www(&t, &w.www_a_badsig);
	CHECK_CHAIN(run_with(&with_nta, &t), VALIDATE_CHAIN_INSECURE);
	CHECK_INT(net.fetches, 0);
	/* An NTA that has expired protects nothing. */
	with_nta.ntas[0].expires = NOW - 1;
	CHECK_CHAIN(run_with(&with_nta, &t), VALIDATE_CHAIN_BOGUS);
}

static void test_cname_from_secure_zone_into_another_secure_zone(void)
{
	struct t_answer t;

	world_reset();
	answer_init(&t, "cn.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "rsa.test.");
	answer_add(&t, &w.cn, WIRE_SECTION_ANSWER);
	answer_add(&t, &w.www_rsa_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_SECURE);
	CHECK(strstr(net.log, "DNSKEY rsa.test.") != NULL);
	/* The RSA zone's answer must count: tampering with it is caught. */
	static struct t_rrset bad;
	bad = w.www_rsa_a;
	bad.data[bad.used - 1] ^= 0x80;
	answer_init(&t, "cn.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "rsa.test.");
	answer_add(&t, &w.cn, WIRE_SECTION_ANSWER);
	answer_add(&t, &bad, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
}

static void test_cname_from_secure_zone_into_insecure_zone_is_insecure(void)
{
	struct t_answer t;

	world_reset();
	answer_init(&t, "cn.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "insec.test.");
	answer_add(&t, &w.cn_insec, WIRE_SECTION_ANSWER);
	answer_add(&t, &w.insec_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_INSECURE);
	CHECK_INT(vc.result.ttl_cap, 3600); /* the CNAME's RRSIG verified */
}

static void test_dname_synthesised_cname_is_accepted(void)
{
	struct t_answer t;

	world_reset();
	answer_init(&t, "www.d.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "sec.test.");
	answer_add(&t, &w.dname, WIRE_SECTION_ANSWER);
	answer_add(&t, &w.synth, WIRE_SECTION_ANSWER);
	answer_add(&t, &w.www_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_SECURE);
	/* A "synthesised" CNAME that the DNAME does not give. */
	answer_init(&t, "www.d.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "rsa.test.");
	answer_add(&t, &w.dname, WIRE_SECTION_ANSWER);
	answer_add(&t, &w.synth_elsewhere, WIRE_SECTION_ANSWER);
	answer_add(&t, &w.www_rsa_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_RRSIGS_MISSING);
	/* Without its DNAME the unsigned CNAME is just unsigned data. */
	answer_init(&t, "www.d.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "sec.test.");
	answer_add(&t, &w.synth, WIRE_SECTION_ANSWER);
	answer_add(&t, &w.www_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_RRSIGS_MISSING);
}

static void test_wildcard_answer_needs_its_proof(void)
{
	struct t_answer t;

	world_reset();
	answer_init(&t, "x.wild.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "sec.test.");
	answer_add(&t, &w.wild_a, WIRE_SECTION_ANSWER);
	answer_add(&t, &w.nsec_wild, WIRE_SECTION_AUTHORITY);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_SECURE);
	/* Without the NSEC that proves x.wild.sec.test. absent: bogus. */
	answer_init(&t, "x.wild.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "sec.test.");
	answer_add(&t, &w.wild_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_NSEC_MISSING);
	/* An NSEC that covers something else proves nothing. */
	answer_add(&t, &w.nsec_www, WIRE_SECTION_AUTHORITY);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSSEC_BOGUS);
}

static void test_nxdomain_proven_by_nsec(void)
{
	struct t_answer t;

	world_reset();
	answer_init(&t, "nx.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NXDOMAIN, "sec.test.");
	answer_add(&t, &w.soa_sec, WIRE_SECTION_AUTHORITY);
	answer_add(&t, &w.nsec_d, WIRE_SECTION_AUTHORITY);    /* covers nx.sec.test. */
	answer_add(&t, &w.nsec_apex, WIRE_SECTION_AUTHORITY); /* covers *.sec.test. */
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_SECURE);
	/* Without the wildcard's denial the name might have been synthesised. */
	answer_init(&t, "nx.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NXDOMAIN, "sec.test.");
	answer_add(&t, &w.soa_sec, WIRE_SECTION_AUTHORITY);
	answer_add(&t, &w.nsec_d, WIRE_SECTION_AUTHORITY);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSSEC_BOGUS);
	/* Without any NSEC at all. */
	answer_init(&t, "nx.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NXDOMAIN, "sec.test.");
	answer_add(&t, &w.soa_sec, WIRE_SECTION_AUTHORITY);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_NSEC_MISSING);
}

static void test_nodata_proven_by_nsec(void)
{
	struct t_answer t;

	world_reset();
	answer_init(&t, "www.sec.test.", WIRE_TYPE_AAAA, WIRE_RCODE_NOERROR, "sec.test.");
	answer_add(&t, &w.soa_sec, WIRE_SECTION_AUTHORITY);
	answer_add(&t, &w.nsec_www, WIRE_SECTION_AUTHORITY);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_SECURE);
	/* The same NSEC says A exists: it cannot deny A. */
	answer_init(&t, "www.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "sec.test.");
	answer_add(&t, &w.soa_sec, WIRE_SECTION_AUTHORITY);
	answer_add(&t, &w.nsec_www, WIRE_SECTION_AUTHORITY);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	/* A tampered NSEC fails its signature. */
	static struct t_rrset bad;
	bad = w.nsec_www;
	bad.data[bad.rdoff[0] + bad.rdlen[0] - 1] ^= 0x08; /* AAAA's bit */
	answer_init(&t, "www.sec.test.", WIRE_TYPE_AAAA, WIRE_RCODE_NOERROR, "sec.test.");
	answer_add(&t, &w.soa_sec, WIRE_SECTION_AUTHORITY);
	answer_add(&t, &bad, WIRE_SECTION_AUTHORITY);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSSEC_BOGUS);
}

static void test_unsupported_algorithm_zone_is_insecure(void)
{
	struct t_answer t;

	world_reset();
	answer_init(&t, "www.alg.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "alg.test.");
	answer_add(&t, &w.alg_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_INSECURE);
	CHECK_INT(vc.result.ede, WIRE_EDE_UNSUPPORTED_DNSKEY_ALG);
	CHECK_INT(store_status(&w.ds_alg), VALIDATE_CHAIN_SECURE); /* the DS itself held */
	world_reset();
	pool_replace(&w.ds_alg_sha1);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_INSECURE);
	CHECK_INT(vc.result.ede, WIRE_EDE_UNSUPPORTED_DS_DIGEST);
}

static void test_nsec3_iterations_over_the_limits(void)
{
	static struct validate_chain_conf strict;
	struct t_answer t;

	world_reset();
	answer_init(&t, "nx.n3.test.", WIRE_TYPE_A, WIRE_RCODE_NXDOMAIN, "n3.test.");
	answer_add(&t, &w.soa_n3, WIRE_SECTION_AUTHORITY);
	answer_add(&t, &w.nsec3_n3, WIRE_SECTION_AUTHORITY);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_INSECURE); /* 200 > 150 */
	CHECK_INT(vc.result.ede, VALIDATE_EDE_NSEC3_ITERATIONS);
	strict = conf;
	strict.nsec3_bogus_above = 100;
	CHECK_CHAIN(run_with(&strict, &t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, VALIDATE_EDE_NSEC3_ITERATIONS);
}

static void test_answer_with_too_many_records_is_refused(void)
{
	static struct t_answer t;

	world_reset();
	answer_www(&t, &w.www_a);
	t.a.n_rr = VALIDATE_CHAIN_RR_MAX + 1; /* t.rr holds 64: reading on would overflow */
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(net.fetches, 0);
}

static void test_no_anchor_is_indeterminate(void)
{
	static struct validate_chain_conf none;
	struct t_answer t;

	world_reset();
	validate_chain_conf_init(&none);
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run_with(&none, &t), VALIDATE_CHAIN_INDETERMINATE);
	CHECK_INT(net.fetches, 0);
}

/* ---- Bogus data: where it came from, and trying again ------------------------------------ */

#define CHECK_ORIGIN(kind, name, above) do { \
	uint8_t n_[WIRE_NAME_MAX]; \
	size_t l_ = t_name(name, n_); \
	CHECK_INT(vc.result.origin_kind, kind); \
	CHECK_INT(vc.result.origin_above, above); \
	CHECK(vc.result.origin_len == l_ && memcmp(vc.result.origin, n_, l_) == 0); \
} while (0)

static void test_bogus_answer_names_its_own_zone_as_origin(void)
{
	struct t_answer t;

	world_reset();
	answer_www(&t, &w.www_a_badsig);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_ORIGIN(VALIDATE_ORIGIN_ANSWER, "sec.test.", false);
}

/* A DS the parent's server sent (fetched now) or a DNSKEY RRset the zone's server sent:
 * the caller may ask another server of the zone that served it. */
static void test_bogus_fetched_ds_or_dnskey_names_who_served_it(void)
{
	struct t_answer t;

	world_reset();
	pool_replace(&w.ds_sec_badsig);
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_ORIGIN(VALIDATE_ORIGIN_FETCH, "sec.test.", true);
	world_reset();
	pool_replace(&w.ds_sec_wrong);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_ORIGIN(VALIDATE_ORIGIN_FETCH, "sec.test.", false);
}

/* A bad DS the store had (a referral brought it) was not fetched by this validation. */
static void test_bogus_ds_from_the_store_says_so(void)
{
	struct t_answer t;

	world_reset();
	store.set[store.n++] = &w.ds_sec_badsig;
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_ORIGIN(VALIDATE_ORIGIN_STORE, "sec.test.", true);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test.");
}

/* A fetch that failed, a limit, a policy: no other server's data would mend it. */
static void test_failed_fetch_names_no_origin(void)
{
	static struct validate_chain_conf strict;
	struct t_answer t;

	world_reset();
	net.fail_len = t_name("sec.test.", net.fail_name);
	net.fail_type = WIRE_TYPE_DNSKEY;
	answer_www(&t, &w.www_a);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.origin_kind, VALIDATE_ORIGIN_NONE);
	CHECK_INT(vc.result.origin_len, 0);
	world_reset();
	t.a.n_rr = VALIDATE_CHAIN_RR_MAX + 1;
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.origin_kind, VALIDATE_ORIGIN_NONE);
	world_reset();
	strict = conf;
	strict.nsec3_bogus_above = 100;
	answer_init(&t, "nx.n3.test.", WIRE_TYPE_A, WIRE_RCODE_NXDOMAIN, "n3.test.");
	answer_add(&t, &w.soa_n3, WIRE_SECTION_AUTHORITY);
	answer_add(&t, &w.nsec3_n3, WIRE_SECTION_AUTHORITY);
	CHECK_CHAIN(run_with(&strict, &t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, VALIDATE_EDE_NSEC3_ITERATIONS);
	CHECK_INT(vc.result.origin_kind, VALIDATE_ORIGIN_NONE);
}

/* A second try validates the new answer from scratch, within what the first one left
 * of the budgets: retries do not multiply the fetches one client query may cause. */
static void test_restart_goes_on_with_the_first_tries_budget(void)
{
	struct validate_chain_env env = env_of(batch);
	struct t_answer bad, good;

	world_reset();
	answer_www(&bad, &w.www_a_badsig);
	CHECK_CHAIN(run(&bad), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.fetches, 5);
	answer_www(&good, &w.www_a);
	validate_chain_restart(&vc, &good.a, NOW);
	CHECK_INT(vc.result.status, VALIDATE_CHAIN_INDETERMINATE);
	CHECK_INT(vc.fetches, 5);
	for (int i = 0; i < 128 && !advance(&vc, &env); i++)
		;
	CHECK_CHAIN(vc.result.status, VALIDATE_CHAIN_SECURE);
	CHECK_INT(vc.result.origin_kind, VALIDATE_ORIGIN_NONE);
	CHECK_INT(vc.fetches, 5); /* the keys were in the store */
}

/* ---- DS queries, islands of trust, the parent's proof of no DS ---------------------------- */

/* "sec.test. DS" with anchors at the root and at sec.test.: the DS is the parent's
 * data, judged with test.'s keys, not against the anchor at its owner. */
static void test_ds_at_an_anchor_is_the_parents_data(void)
{
	static struct validate_chain_conf island;
	struct t_answer t;

	world_reset();
	island = conf;
	island.n_anchors = 2;
	island.anchors[1] = (struct validate_anchor){ .owner_len = (uint8_t)z_sec.len,
		.type = WIRE_TYPE_DNSKEY, .rdlen = (uint16_t)z_sec.key.rdlen,
		.rdata = z_sec.key.rdata };
	memcpy(island.anchors[1].owner, z_sec.name, z_sec.len);
	answer_init(&t, "sec.test.", WIRE_TYPE_DS, WIRE_RCODE_NOERROR, "test.");
	answer_add(&t, &w.ds_sec, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run_with(&island, &t), VALIDATE_CHAIN_SECURE);
}

/* Only an island at sec.test.: test., above it, says a name under it does not exist.
 * test. cannot be validated, so the answer is indeterminate (as Unbound has it),
 * while data test. signs for names under the island stays bogus. */
static void test_nxdomain_from_above_an_island_is_indeterminate(void)
{
	static struct validate_chain_conf island;
	struct t_answer t;

	world_reset();
	validate_chain_conf_init(&island);
	island.n_anchors = 1;
	island.anchors[0] = (struct validate_anchor){ .owner_len = (uint8_t)z_sec.len,
		.type = WIRE_TYPE_DNSKEY, .rdlen = (uint16_t)z_sec.key.rdlen,
		.rdata = z_sec.key.rdata };
	memcpy(island.anchors[0].owner, z_sec.name, z_sec.len);
	answer_init(&t, "www.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NXDOMAIN, "test.");
	answer_add(&t, &w.soa_test, WIRE_SECTION_AUTHORITY);
	answer_add(&t, &w.nsec_insec, WIRE_SECTION_AUTHORITY);
	CHECK_CHAIN(run_with(&island, &t), VALIDATE_CHAIN_INDETERMINATE);
	answer_www(&t, &w.www_a_by_parent);
	CHECK_CHAIN(run_with(&island, &t), VALIDATE_CHAIN_BOGUS);
}

/* The referral to insec.test. brought test.'s signed NSEC at insec.test. into the
 * store: it proves the delegation unsigned without asking for the DS (which nobody
 * would answer here). */
static void test_nsec_in_the_store_proves_no_ds_without_a_fetch(void)
{
	struct t_answer t;

	world_reset();
	negs_n = 0;
	store.set[store.n++] = &w.nsec_insec;
	answer_init(&t, "www.insec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "insec.test.");
	answer_add(&t, &w.insec_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_INSECURE);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test.");
	/* Unsigned, it proves nothing: the DS is asked for (and cannot be had). */
	world_reset();
	negs_n = 0;
	store.set[store.n++] = &w.nsec_insec_unsigned;
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test., DS insec.test.");
}

/* ---- A referral's NSEC3 proof of no DS, kept with the answer ----------------------------- */

/* An NSEC3 of @z (SHA-1, no salt, 0 iterations) from hash @from to hash @to. */
static void set_nsec3_span(struct t_rrset *s, const struct t_zone *z, const uint8_t *from,
			   const uint8_t *to, uint8_t flags, const uint16_t *types, unsigned nt)
{
	uint8_t rd[26 + 64];
	char label[40], owner[WIRE_NAME_TEXT_MAX + 64], zone[WIRE_NAME_TEXT_MAX];

	base32hex(from, VALIDATE_NSEC3_HASH_LEN, label);
	wire_name_to_text(z->name, z->len, zone, sizeof(zone));
	snprintf(owner, sizeof(owner), "%s.%s", label, zone);
	set_init(s, owner, WIRE_TYPE_NSEC3, 3600);
	rd[0] = VALIDATE_NSEC3_ALG_SHA1;
	rd[1] = flags;
	wire_put_u16(rd + 2, 0);
	rd[4] = 0;
	rd[5] = VALIDATE_NSEC3_HASH_LEN;
	memcpy(rd + 6, to, VALIDATE_NSEC3_HASH_LEN);
	set_put(s, rd, 26 + bitmap(types, nt, rd + 26), false);
	set_sign(s, z);
}

static void hash_step(uint8_t *h, int by)
{
	for (int i = VALIDATE_NSEC3_HASH_LEN - 1; i >= 0; i--) {
		int v = h[i] + by;
		h[i] = (uint8_t)v;
		if (v >= 0 && v <= 0xff)
			break;
	}
}

/* What n3.test. sends with its referral to the unsigned kid.n3.test. (RFC 5155 §7.2.7,
 * Deckard val_nsec3_b3_optout_negcache): the NSEC3 matching the apex (the closest
 * provable encloser) and an opt-out NSEC3 covering H(kid.n3.test.). */
static struct t_rrset n3_apex, n3_kid_optout, n3_kid_optout_badsig;

static void build_referral_proof(void)
{
	uint8_t apex[VALIDATE_NSEC3_HASH_LEN], kid[VALIDATE_NSEC3_HASH_LEN];
	uint8_t lo[VALIDATE_NSEC3_HASH_LEN], hi[VALIDATE_NSEC3_HASH_LEN], name[WIRE_NAME_MAX];
	size_t len = t_name("kid.n3.test.", name);

	CHECK_INT(validate_nsec3_hash(z_n3.name, z_n3.len, NULL, 0, 0, apex), 0);
	CHECK_INT(validate_nsec3_hash(name, len, NULL, 0, 0, kid), 0);
	memcpy(hi, apex, sizeof(hi));
	hash_step(hi, 1);
	set_nsec3_span(&n3_apex, &z_n3, apex, hi, 0, TYPES(WIRE_TYPE_NS, WIRE_TYPE_SOA,
		       WIRE_TYPE_RRSIG, WIRE_TYPE_DNSKEY, WIRE_TYPE_NSEC3PARAM));
	memcpy(lo, kid, sizeof(lo));
	hash_step(lo, -1);
	memcpy(hi, kid, sizeof(hi));
	hash_step(hi, 1);
	set_nsec3_span(&n3_kid_optout, &z_n3, lo, hi, VALIDATE_NSEC3_FLAG_OPTOUT,
		       TYPES(WIRE_TYPE_A, WIRE_TYPE_RRSIG));
	n3_kid_optout_badsig = n3_kid_optout;
	n3_kid_optout_badsig.data[n3_kid_optout_badsig.used - 3] ^= 0x20;
}

/* An unsigned answer from @zone whose referral brought @proof (NULL: none); the parent's
 * server answers SERVFAIL when asked for @zone's DS. */
static enum validate_chain_status run_referred(const char *qname, const char *zone,
					       const struct t_rrset *cover)
{
	static struct t_rrset a;
	static struct t_answer t;

	set_init(&a, qname, WIRE_TYPE_A, 3600);
	set_add_text(&a, "192.0.2.7");
	world_reset();
	net.fail_len = t_name(zone, net.fail_name);
	net.fail_type = WIRE_TYPE_DS;
	answer_init(&t, qname, WIRE_TYPE_A, WIRE_RCODE_NOERROR, zone);
	answer_add(&t, &a, WIRE_SECTION_ANSWER);
	if (cover != NULL) {
		answer_add(&t, &n3_apex, VALIDATE_CHAIN_SECTION_REFERRAL);
		answer_add(&t, cover, VALIDATE_CHAIN_SECTION_REFERRAL);
	}
	return run(&t);
}

static void test_referral_nsec3_optout_proves_no_ds_without_a_fetch(void)
{
	build_referral_proof();
	CHECK_CHAIN(run_referred("www.kid.n3.test.", "kid.n3.test.", &n3_kid_optout),
		    VALIDATE_CHAIN_INSECURE);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test., DS n3.test., DNSKEY n3.test.");
	/* Without the proof, the DS is asked for and cannot be had. */
	CHECK_CHAIN(run_referred("www.kid.n3.test.", "kid.n3.test.", NULL),
		    VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_RRSIGS_MISSING);
}

/* The proof is verified, not trusted because a referral brought it, and it speaks
 * only about the child it was made for. */
static void test_referral_proof_is_verified_and_only_for_its_child(void)
{
	build_referral_proof();
	CHECK_CHAIN(run_referred("www.kid.n3.test.", "kid.n3.test.", &n3_kid_optout_badsig),
		    VALIDATE_CHAIN_BOGUS);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test., DS n3.test., DNSKEY n3.test., "
		  "DS kid.n3.test.");
	CHECK_CHAIN(run_referred("www.other.n3.test.", "other.n3.test.", &n3_kid_optout),
		    VALIDATE_CHAIN_BOGUS);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test., DS n3.test., DNSKEY n3.test., "
		  "DS other.n3.test.");
	/* Nor for a zone below the child: its DS is the child's business, not n3.test.'s. */
	CHECK_CHAIN(run_referred("www.deep.kid.n3.test.", "deep.kid.n3.test.", &n3_kid_optout),
		    VALIDATE_CHAIN_INSECURE);
	CHECK_STR(net.log, "DNSKEY ., DS test., DNSKEY test., DS n3.test., DNSKEY n3.test.");
}

/* A DS reply with a good proof and a stray record whose RRSIG does not verify: the
 * proof stands on the records that verified. */
static void test_ds_denial_stands_beside_a_stray_bad_record(void)
{
	const struct t_rrset *denial[] = { &w.soa_test, &w.nsec_stray_badsig, &w.nsec_insec };
	const struct t_rrset *only_bad[] = { &w.soa_test, &w.nsec_stray_badsig };
	struct t_answer t;

	world_reset();
	negs_n = 0;
	neg_add("insec.test.", WIRE_TYPE_DS, denial, 3);
	answer_init(&t, "www.insec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "insec.test.");
	answer_add(&t, &w.insec_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_INSECURE);
	world_reset();
	negs_n = 0;
	neg_add("insec.test.", WIRE_TYPE_DS, only_bad, 2);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSSEC_BOGUS);
	CHECK_ORIGIN(VALIDATE_ORIGIN_FETCH, "insec.test.", true);
}

/* ". DS": the root has no parent, its own NSEC proves there is none. */
static void test_root_ds_nodata_is_proven_by_the_roots_nsec(void)
{
	struct t_answer t;

	world_reset();
	answer_init(&t, ".", WIRE_TYPE_DS, WIRE_RCODE_NOERROR, ".");
	answer_add(&t, &w.soa_root, WIRE_SECTION_AUTHORITY);
	answer_add(&t, &w.nsec_root, WIRE_SECTION_AUTHORITY);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_SECURE);
	CHECK_STR(net.log, "DNSKEY .");
}

/* ---- Several chains, one batch (the worker's protocol, validate_chain.h) ---------------------- */

#define TOGETHER_MAX 4

static struct validate_chain together[TOGETHER_MAX];

/* Validate @n answers side by side, as a worker does with the chains of one poll: each
 * goes as far as it can (fetches are served at once), then the batch runs once for all
 * that wait. Returns the runs that verified something. */
static unsigned run_together(struct t_answer *const *ts, unsigned n, struct validate_batch *b)
{
	struct validate_chain_env env = env_of(b);
	struct validate_chain_fetch f;
	bool done[TOGETHER_MAX] = { false };
	unsigned runs = 0, left = n;

	for (unsigned i = 0; i < n; i++)
		validate_chain_start(&together[i], &conf, &ts[i]->a, NOW);
	for (int round = 0; round < 128 && left > 0; round++) {
		for (unsigned i = 0; i < n; i++) {
			enum validate_chain_action a = VALIDATE_CHAIN_FETCH;
			while (!done[i] && a == VALIDATE_CHAIN_FETCH) {
				a = validate_chain_next(&together[i], &env, &f);
				if (a == VALIDATE_CHAIN_FETCH)
					serve(&together[i], &f);
			}
			if (!done[i] && a == VALIDATE_CHAIN_DONE) {
				done[i] = true;
				left--;
			}
		}
		if (left > 0 && validate_chain_run_batch(&env) > 0)
			runs++;
	}
	CHECK_INT(left, 0);
	batch_idle(b);
	return runs;
}

static void answers_three(struct t_answer *t)
{
	answer_www(&t[0], &w.www_a);
	answer_init(&t[1], "cn.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "rsa.test.");
	answer_add(&t[1], &w.cn, WIRE_SECTION_ANSWER);
	answer_add(&t[1], &w.www_rsa_a, WIRE_SECTION_ANSWER);
	answer_init(&t[2], "nx.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NXDOMAIN, "sec.test.");
	answer_add(&t[2], &w.soa_sec, WIRE_SECTION_AUTHORITY);
	answer_add(&t[2], &w.nsec_d, WIRE_SECTION_AUTHORITY);
	answer_add(&t[2], &w.nsec_apex, WIRE_SECTION_AUTHORITY);
}

static void test_chains_share_batch_runs_and_verify_each_signature_once(void)
{
	static struct t_answer t[3];
	struct t_answer *ts[3] = { &t[0], &t[1], &t[2] };
	struct validate_batch_stats before, after;
	struct validate_chain_stats cs = cstats;
	uint64_t one_by_one;

	answers_three(t);
	/* One after another, each with the batch to itself: what the three cost. */
	world_reset();
	batch_idle(batch);
	validate_batch_get_stats(batch, &before);
	for (unsigned i = 0; i < 3; i++) {
		CHECK_CHAIN(run(ts[i]), VALIDATE_CHAIN_SECURE);
		batch_idle(batch);
	}
	validate_batch_get_stats(batch, &after);
	one_by_one = after.verified - before.verified;

	/* Side by side from an empty store: they wait for the same keys at the same time. */
	world_reset();
	before = after;
	cs = cstats;
	unsigned runs = run_together(ts, 3, batch);
	validate_batch_get_stats(batch, &after);
	for (unsigned i = 0; i < 3; i++)
		CHECK_INT(together[i].result.status, VALIDATE_CHAIN_SECURE);
	/* Every signature verified once: identical jobs of different chains were one. */
	CHECK_INT(after.verified - before.verified, one_by_one);
	CHECK(cstats.jobs_shared - cs.jobs_shared >= 4); /* DNSKEY ., DS test. twice each */
	CHECK(after.deduped - before.deduped >= cstats.jobs_shared - cs.jobs_shared);
	/* ... and the runs carried several jobs each. */
	CHECK_INT(after.runs - before.runs, runs);
	CHECK(runs < one_by_one);
	CHECK_INT(cstats.batch_full - cs.batch_full, 0);
}

static void test_full_batch_makes_a_chain_wait_not_fail(void)
{
	struct validate_batch_config cfg = { .capacity = 1 };
	static struct t_answer t[2];
	struct t_answer *ts[2] = { &t[0], &t[1] };
	struct validate_chain_stats cs;
	struct validate_batch *one;

	world_reset();
	answer_www(&t[0], &w.www_a);
	answer_init(&t[1], "www.rsa.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "rsa.test.");
	answer_add(&t[1], &w.www_rsa_a, WIRE_SECTION_ANSWER);
	/* Keys judged first: each answer then needs one job, and the batch holds one. */
	CHECK_CHAIN(run(&t[0]), VALIDATE_CHAIN_SECURE);
	CHECK_CHAIN(run(&t[1]), VALIDATE_CHAIN_SECURE);
	batch_idle(batch);
	validate_policy_default(&cfg.policy);
	one = validate_batch_create(&cfg);
	CHECK(one != NULL);
	if (one == NULL)
		return;
	cs = cstats;
	run_together(ts, 2, one);
	CHECK_INT(together[0].result.status, VALIDATE_CHAIN_SECURE);
	CHECK_INT(together[1].result.status, VALIDATE_CHAIN_SECURE);
	CHECK(cstats.batch_full - cs.batch_full >= 1);
	validate_batch_destroy(one);
}

static void test_answer_larger_than_an_empty_batch_is_bogus_not_stuck(void)
{
	struct validate_batch_config cfg = { .capacity = 1 };
	static struct t_answer t;
	struct t_answer *ts[1] = { &t };
	struct validate_batch *one;

	world_reset();
	answer_init(&t, "cn.sec.test.", WIRE_TYPE_A, WIRE_RCODE_NOERROR, "rsa.test.");
	answer_add(&t, &w.cn, WIRE_SECTION_ANSWER);
	answer_add(&t, &w.www_rsa_a, WIRE_SECTION_ANSWER);
	CHECK_CHAIN(run(&t), VALIDATE_CHAIN_SECURE); /* keys judged */
	batch_idle(batch);
	validate_policy_default(&cfg.policy);
	one = validate_batch_create(&cfg);
	CHECK(one != NULL);
	if (one == NULL)
		return;
	/* Two RRSIGs to verify, room for one: waiting would never make room. */
	run_together(ts, 1, one);
	CHECK_INT(together[0].result.status, VALIDATE_CHAIN_BOGUS);
	CHECK_INT(together[0].result.ede, WIRE_EDE_OTHER);
	validate_batch_destroy(one);
}

static void test_store_change_while_waiting_is_verified_not_trusted(void)
{
	struct validate_chain_env env = env_of(batch);
	struct validate_chain_fetch f;
	bool swap = false;
	struct t_answer t;
	int i;

	world_reset();
	answer_www(&t, &w.www_a);
	validate_chain_start(&vc, &conf, &t.a, NOW);
	for (i = 0; i < 128; i++) {
		enum validate_chain_action a = validate_chain_next(&vc, &env, &f);
		if (a == VALIDATE_CHAIN_DONE)
			break;
		if (a == VALIDATE_CHAIN_FETCH) {
			serve(&vc, &f);
			swap |= f.type == WIRE_TYPE_DS && wire_name_equal(f.name, f.name_len,
								       z_sec.name, z_sec.len);
			continue;
		}
		/* The chain waits on its jobs over DS sec.test.; meanwhile the store gets
		 * another DS RRset under that name (a response of another resolution). */
		if (swap) {
			store.set[store_find(z_sec.name, z_sec.len, WIRE_TYPE_DS)] =
				&w.ds_sec_badsig;
			swap = false;
		}
		validate_chain_run_batch(&env);
	}
	batch_idle(batch);
	CHECK_CHAIN(vc.result.status, VALIDATE_CHAIN_BOGUS);
	CHECK_INT(vc.result.ede, WIRE_EDE_DNSSEC_BOGUS);
	CHECK_INT(store_status(&w.ds_sec_badsig), VALIDATE_CHAIN_BOGUS);
}

static void test_results_lost_to_a_reset_are_verified_again(void)
{
	struct validate_chain_env env = env_of(batch);
	struct validate_batch_stats before, after;
	struct validate_chain_fetch f;
	struct t_answer t;
	int resets = 0;

	world_reset();
	batch_idle(batch);
	answer_www(&t, &w.www_a);
	validate_batch_get_stats(batch, &before);
	validate_chain_start(&vc, &conf, &t.a, NOW);
	for (int i = 0; i < 128; i++) {
		enum validate_chain_action a = validate_chain_next(&vc, &env, &f);
		if (a == VALIDATE_CHAIN_DONE)
			break;
		if (a == VALIDATE_CHAIN_FETCH) {
			serve(&vc, &f);
			continue;
		}
		validate_chain_run_batch(&env);
		if (resets++ == 0)
			batch_idle(batch); /* against the protocol: the chain's results are gone */
	}
	validate_batch_get_stats(batch, &after);
	batch_idle(batch);
	CHECK_CHAIN(vc.result.status, VALIDATE_CHAIN_SECURE);
	/* Six signatures (five keys on the way, the answer): the first one twice. */
	CHECK_INT(after.verified - before.verified, 7);
}

int main(void)
{
	struct validate_batch_config cfg = { .capacity = 64 };

	validate_policy_default(&cfg.policy);
	kc = validate_key_cache_create(64);
	batch = validate_batch_create(&cfg);
	if (kc == NULL || batch == NULL)
		t_die("setup", "batch or key cache");
	world_build();
	RUN(test_secure_answer_fetches_keys_top_down);
	RUN(test_marked_keys_are_not_verified_again);
	RUN(test_bad_signature_is_bogus_ede6);
	RUN(test_expired_signature_is_bogus_ede7);
	RUN(test_missing_rrsig_in_signed_zone_is_bogus_ede10);
	RUN(test_dnskey_fetch_failed_is_bogus_ede9);
	RUN(test_fetch_the_store_did_not_keep_fails_instead_of_looping);
	RUN(test_fetch_put_off_is_asked_again);
	RUN(test_ds_naming_no_key_is_bogus_ede9);
	RUN(test_ds_with_bad_signature_is_bogus_and_remembered);
	RUN(test_root_key_not_named_by_the_anchor_is_bogus_ede9);
	RUN(test_stripped_ds_is_bogus);
	RUN(test_fake_zone_cut_inside_signed_zone_is_bogus_ede10);
	RUN(test_dnskey_anchor_below_the_root_rules_its_subtree);
	RUN(test_insecure_delegation_proven_by_nsec);
	RUN(test_unsigned_answer_below_insecure_delegation_is_insecure);
	RUN(test_unsigned_ds_denial_from_signed_parent_is_bogus);
	RUN(test_nta_makes_a_bogus_zone_insecure);
	RUN(test_cname_from_secure_zone_into_another_secure_zone);
	RUN(test_cname_from_secure_zone_into_insecure_zone_is_insecure);
	RUN(test_dname_synthesised_cname_is_accepted);
	RUN(test_wildcard_answer_needs_its_proof);
	RUN(test_nxdomain_proven_by_nsec);
	RUN(test_nodata_proven_by_nsec);
	RUN(test_unsupported_algorithm_zone_is_insecure);
	RUN(test_nsec3_iterations_over_the_limits);
	RUN(test_answer_with_too_many_records_is_refused);
	RUN(test_no_anchor_is_indeterminate);
	RUN(test_bogus_answer_names_its_own_zone_as_origin);
	RUN(test_bogus_fetched_ds_or_dnskey_names_who_served_it);
	RUN(test_bogus_ds_from_the_store_says_so);
	RUN(test_failed_fetch_names_no_origin);
	RUN(test_restart_goes_on_with_the_first_tries_budget);
	RUN(test_ds_at_an_anchor_is_the_parents_data);
	RUN(test_nxdomain_from_above_an_island_is_indeterminate);
	RUN(test_nsec_in_the_store_proves_no_ds_without_a_fetch);
	RUN(test_referral_nsec3_optout_proves_no_ds_without_a_fetch);
	RUN(test_referral_proof_is_verified_and_only_for_its_child);
	RUN(test_ds_denial_stands_beside_a_stray_bad_record);
	RUN(test_root_ds_nodata_is_proven_by_the_roots_nsec);
	RUN(test_chains_share_batch_runs_and_verify_each_signature_once);
	RUN(test_full_batch_makes_a_chain_wait_not_fail);
	RUN(test_answer_larger_than_an_empty_batch_is_bogus_not_stuck);
	RUN(test_store_change_while_waiting_is_verified_not_trusted);
	RUN(test_results_lost_to_a_reset_are_verified_again);

	validate_batch_destroy(batch);
	validate_key_cache_destroy(kc);
	EVP_PKEY_free(z_root.key.pkey);
	EVP_PKEY_free(z_test.key.pkey);
	EVP_PKEY_free(z_sec.key.pkey);
	EVP_PKEY_free(z_rsa.key.pkey);
	EVP_PKEY_free(z_n3.key.pkey);
	validate_thread_cleanup();
	return unit_check_exit();
}
