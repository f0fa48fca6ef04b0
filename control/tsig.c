/*
 * tsig.c - TSIG (RFC 8945): the HMAC through ipsec-mb, signing and verifying messages.
 * Key files and key generation are in tsig_keyfile.c.
 *
 * What the MAC covers (RFC 8945 §4.3.3), laid out contiguously in a thread-local
 * scratch buffer because ipsec-mb hashes one contiguous buffer per job:
 *
 *   [MAC size, request MAC]   only in a response: chains it to the request
 *   the message               with the original ID and ARCOUNT not counting the TSIG
 *   TSIG variables            key name and algorithm name (lowercase, uncompressed),
 *                             class, TTL, time signed, fudge, error, other len/data
 *
 * The HMAC's inner and outer key blocks are hashed once per call with the
 * manager's one-block SHA functions; the job then runs HMAC over the scratch.
 * Never allocates after the thread's manager exists; never blocks.
 */
#define NO_COMPAT_IMB_API_053
#include <intel-ipsec-mb.h>

#include <string.h>
#include <strings.h>

#include "tsig.h"
#include "validate.h"

/* Largest digest input: request MAC, a whole message, the variables (the names may
 * be longer uncompressed than in the record; every other field is in the message). */
#define TSIG_DIGEST_MAX (2 + TSIG_MAC_MAX + WIRE_MSG_MAX + 2 * WIRE_NAME_MAX + 32)
#define HMAC_BLOCK_MAX 128

static _Thread_local uint8_t tls_digest[TSIG_DIGEST_MAX];

/* ---- Errors and algorithms --------------------------------------------------------- */

const char *tsig_strerror(int err)
{
	switch (err) {
	case TSIG_OK: return "ok";
	case TSIG_EFORMERR: return "malformed message or TSIG record";
	case TSIG_ENOSIG: return "message not signed";
	case TSIG_EBADKEY: return "unknown TSIG key or algorithm";
	case TSIG_EBADSIG: return "TSIG MAC does not match";
	case TSIG_EBADTIME: return "TSIG time signed outside the fudge";
	case TSIG_ENOSPC: return "no room for the TSIG record";
	case TSIG_EINVAL: return "invalid argument";
	case TSIG_ENOMEM: return "out of memory";
	case TSIG_EIO: return "I/O error";
	case TSIG_EPARSE: return "key file error";
	default: return "unknown TSIG error";
	}
}

uint16_t tsig_err_rcode(int err)
{
	switch (err) {
	case TSIG_EFORMERR: return WIRE_RCODE_FORMERR;
	case TSIG_EBADSIG: return WIRE_RCODE_BADVERS; /* BADSIG shares 16 */
	case TSIG_EBADKEY: return WIRE_RCODE_BADKEY;
	case TSIG_EBADTIME: return WIRE_RCODE_BADTIME;
	default: return 0;
	}
}

/* The algorithms' names in wire form (RFC 4635 §2), indexed by enum tsig_alg. */
static const struct {
	const char *text;
	uint8_t wire[13];
	uint8_t wire_len;
	size_t mac_len;
	size_t block_len;
	IMB_HASH_ALG hmac;
} algs[] = {
	[TSIG_ALG_HMAC_SHA256] = { "hmac-sha256", "\x0bhmac-sha256", 13,
				   IMB_SHA256_DIGEST_SIZE_IN_BYTES, IMB_SHA_256_BLOCK_SIZE,
				   IMB_AUTH_HMAC_SHA_256 },
	[TSIG_ALG_HMAC_SHA384] = { "hmac-sha384", "\x0bhmac-sha384", 13,
				   IMB_SHA384_DIGEST_SIZE_IN_BYTES, IMB_SHA_384_BLOCK_SIZE,
				   IMB_AUTH_HMAC_SHA_384 },
	[TSIG_ALG_HMAC_SHA512] = { "hmac-sha512", "\x0bhmac-sha512", 13,
				   IMB_SHA512_DIGEST_SIZE_IN_BYTES, IMB_SHA_512_BLOCK_SIZE,
				   IMB_AUTH_HMAC_SHA_512 },
};
#define ALG_COUNT (sizeof(algs) / sizeof(algs[0]))

static bool alg_known(enum tsig_alg alg)
{
	return (unsigned)alg < ALG_COUNT;
}

size_t tsig_alg_mac_len(enum tsig_alg alg)
{
	return alg_known(alg) ? algs[alg].mac_len : 0;
}

const char *tsig_alg_name(enum tsig_alg alg)
{
	return alg_known(alg) ? algs[alg].text : NULL;
}

int tsig_alg_from_name(const char *text, size_t len, enum tsig_alg *alg)
{
	if (len > 0 && text[len - 1] == '.')
		len--;
	for (unsigned i = 0; i < ALG_COUNT; i++) {
		if (strlen(algs[i].text) == len && strncasecmp(text, algs[i].text, len) == 0) {
			*alg = (enum tsig_alg)i;
			return TSIG_OK;
		}
	}
	return TSIG_EINVAL;
}

/* Algorithm from its wire-form name (case-insensitive). */
static int alg_from_wire(const uint8_t *name, size_t len, enum tsig_alg *alg)
{
	for (unsigned i = 0; i < ALG_COUNT; i++) {
		if (wire_name_equal(name, len, algs[i].wire, algs[i].wire_len)) {
			*alg = (enum tsig_alg)i;
			return TSIG_OK;
		}
	}
	return TSIG_EBADKEY;
}

/* ---- HMAC through ipsec-mb --------------------------------------------------------- */

/* The manager is the validator's (validate_imb_mgr): one per thread for both. */
void tsig_thread_cleanup(void)
{
	validate_thread_cleanup();
}

static void sha_full(IMB_MGR *m, enum tsig_alg alg, const uint8_t *data, size_t len,
		     uint8_t *out)
{
	switch (alg) {
	case TSIG_ALG_HMAC_SHA256: IMB_SHA256(m, data, len, out); break;
	case TSIG_ALG_HMAC_SHA384: IMB_SHA384(m, data, len, out); break;
	case TSIG_ALG_HMAC_SHA512: IMB_SHA512(m, data, len, out); break;
	}
}

static void sha_one_block(IMB_MGR *m, enum tsig_alg alg, const uint8_t *block, uint8_t *state)
{
	switch (alg) {
	case TSIG_ALG_HMAC_SHA256: IMB_SHA256_ONE_BLOCK(m, block, state); break;
	case TSIG_ALG_HMAC_SHA384: IMB_SHA384_ONE_BLOCK(m, block, state); break;
	case TSIG_ALG_HMAC_SHA512: IMB_SHA512_ONE_BLOCK(m, block, state); break;
	}
}

/* The hash states after one block of key^ipad and key^opad (RFC 2104: a key longer
 * than a block is hashed first, a shorter one padded with zeros). */
static void hmac_pads(IMB_MGR *m, enum tsig_alg alg, const uint8_t *key, size_t key_len,
		      uint8_t *ipad_state, uint8_t *opad_state)
{
	size_t block = algs[alg].block_len;
	uint8_t k0[HMAC_BLOCK_MAX] = { 0 };
	uint8_t buf[HMAC_BLOCK_MAX];

	if (key_len > block)
		sha_full(m, alg, key, key_len, k0);
	else if (key_len > 0)
		memcpy(k0, key, key_len);
	for (size_t i = 0; i < block; i++)
		buf[i] = k0[i] ^ 0x36;
	sha_one_block(m, alg, buf, ipad_state);
	for (size_t i = 0; i < block; i++)
		buf[i] = k0[i] ^ 0x5c;
	sha_one_block(m, alg, buf, opad_state);
	explicit_bzero(k0, sizeof(k0));
	explicit_bzero(buf, sizeof(buf));
}

/* Runs one HMAC job to completion. The manager is this thread's and holds no other
 * job, so what comes back is ours. */
static int hmac_run(IMB_MGR *m, enum tsig_alg alg, const uint8_t *ipad_state,
		    const uint8_t *opad_state, const uint8_t *data, size_t len, uint8_t *out)
{
	IMB_JOB *job = IMB_GET_NEXT_JOB(m);

	memset(job, 0, sizeof(*job));
	job->cipher_mode = IMB_CIPHER_NULL;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_HASH_CIPHER;
	job->hash_alg = algs[alg].hmac;
	job->src = data;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = len;
	job->auth_tag_output = out;
	job->auth_tag_output_len_in_bytes = algs[alg].mac_len;
	job->u.HMAC._hashed_auth_key_xor_ipad = ipad_state;
	job->u.HMAC._hashed_auth_key_xor_opad = opad_state;
	job = IMB_SUBMIT_JOB(m);
	while (job == NULL)
		job = IMB_FLUSH_JOB(m);
	return job->status == IMB_STATUS_COMPLETED ? TSIG_OK : TSIG_EINVAL;
}

int tsig_hmac(enum tsig_alg alg, const uint8_t *key, size_t key_len,
	      const uint8_t *data, size_t len, uint8_t *out)
{
	_Alignas(64) uint8_t ipad_state[TSIG_MAC_MAX];
	_Alignas(64) uint8_t opad_state[TSIG_MAC_MAX];
	IMB_MGR *m;
	int rc;

	if (!alg_known(alg) || (key == NULL && key_len > 0) || (data == NULL && len > 0))
		return TSIG_EINVAL;
	m = validate_imb_mgr();
	if (m == NULL)
		return TSIG_ENOMEM;
	hmac_pads(m, alg, key, key_len, ipad_state, opad_state);
	rc = hmac_run(m, alg, ipad_state, opad_state, data, len, out);
	explicit_bzero(ipad_state, sizeof(ipad_state));
	explicit_bzero(opad_state, sizeof(opad_state));
	return rc == TSIG_OK ? (int)algs[alg].mac_len : rc;
}

/* ---- The digest input -------------------------------------------------------------- */

/* The TSIG variables of §4.3.3 (and the record's fields that are not in them). */
struct tsig_vars {
	const uint8_t *key_name;
	size_t key_name_len;
	uint16_t rclass;
	uint32_t ttl;
	enum tsig_alg alg;
	uint64_t time_signed;
	uint16_t fudge;
	uint16_t error;
	const uint8_t *other;
	uint16_t other_len;
};

static void put_u48(uint8_t *p, uint64_t v)
{
	wire_put_u16(p, (uint16_t)(v >> 32));
	wire_put_u32(p + 2, (uint32_t)v);
}

static uint64_t get_u48(const uint8_t *p)
{
	return ((uint64_t)wire_get_u16(p) << 32) | wire_get_u32(p + 2);
}

static size_t put_name_lower(uint8_t *p, const uint8_t *name, size_t len)
{
	memcpy(p, name, len);
	wire_name_to_lower(p, len);
	return len;
}

/* Time signed, fudge: shared by the variables and the record. */
static size_t put_time_fudge(uint8_t *p, const struct tsig_vars *v)
{
	put_u48(p, v->time_signed);
	wire_put_u16(p + 6, v->fudge);
	return 8;
}

/* Error, other len, other data: shared by the variables and the record. */
static size_t put_error_other(uint8_t *p, const struct tsig_vars *v)
{
	wire_put_u16(p, v->error);
	wire_put_u16(p + 2, v->other_len);
	if (v->other_len > 0)
		memcpy(p + 4, v->other, v->other_len);
	return 4 + (size_t)v->other_len;
}

static size_t put_vars(uint8_t *p, const struct tsig_vars *v)
{
	size_t n = put_name_lower(p, v->key_name, v->key_name_len);

	wire_put_u16(p + n, v->rclass);
	wire_put_u32(p + n + 2, v->ttl);
	n += 6;
	n += put_name_lower(p + n, algs[v->alg].wire, algs[v->alg].wire_len);
	n += put_time_fudge(p + n, v);
	return n + put_error_other(p + n, v);
}

/*
 * The MAC over [request MAC] msg[0, msg_len) vars, with the header's ID and ARCOUNT
 * replaced by @id and @arcount. @mac receives the full-length MAC.
 */
static int compute_mac(const struct tsig_key *key, const uint8_t *req_mac,
		       size_t req_mac_len, const uint8_t *msg, size_t msg_len, uint16_t id,
		       uint16_t arcount, const struct tsig_vars *v, uint8_t *mac)
{
	uint8_t *d = tls_digest;
	size_t n = 0;
	int rc;

	size_t need = 2 + req_mac_len + msg_len + v->key_name_len + 6 + algs[v->alg].wire_len +
		      8 + 4 + v->other_len;

	if (req_mac_len > TSIG_MAC_MAX || (req_mac == NULL && req_mac_len > 0) ||
	    msg_len < WIRE_HDR_LEN || need > sizeof(tls_digest))
		return TSIG_EINVAL;
	if (req_mac != NULL) {
		wire_put_u16(d, (uint16_t)req_mac_len);
		memcpy(d + 2, req_mac, req_mac_len);
		n = 2 + req_mac_len;
	}
	memcpy(d + n, msg, msg_len);
	wire_put_u16(d + n, id);
	wire_put_u16(d + n + 10, arcount);
	n += msg_len;
	n += put_vars(d + n, v);
	rc = tsig_hmac(key->alg, key->secret, key->secret_len, d, n, mac);
	return rc < 0 ? rc : TSIG_OK;
}

/* ---- Finding the TSIG record ------------------------------------------------------- */

/*
 * Checks the message and finds its last record. Returns TSIG_OK with *tsig_off at
 * the TSIG record, TSIG_ENOSIG when the last additional record is not a TSIG, or
 * TSIG_EFORMERR (malformed, bytes after the records, a TSIG that is not last).
 */
static int locate_tsig(const uint8_t *msg, size_t len, size_t *tsig_off)
{
	struct wire_msg m = { .rr = NULL, .rr_cap = 0 };
	size_t off = WIRE_HDR_LEN, last = 0;
	uint16_t last_type = 0;
	unsigned total;

	if (wire_parse_msg(msg, len, &m) != WIRE_OK || m.end_off != len)
		return TSIG_EFORMERR;
	if (m.has_question)
		off = m.q.end_off;
	total = (unsigned)m.hdr.ancount + m.hdr.nscount + m.hdr.arcount;
	for (unsigned i = 0; i < total; i++) {
		size_t next;

		/* wire_parse_msg() has checked every name and length. */
		if (wire_name_skip(msg, len, off, &next) != WIRE_OK || next + 10 > len)
			return TSIG_EFORMERR;
		if (last_type == WIRE_TYPE_TSIG)
			return TSIG_EFORMERR;
		last = off;
		last_type = wire_get_u16(msg + next);
		off = next + 10 + wire_get_u16(msg + next + 8);
	}
	if (m.hdr.arcount == 0 || last_type != WIRE_TYPE_TSIG)
		return TSIG_ENOSIG;
	*tsig_off = last;
	return TSIG_OK;
}

/* A TSIG record read from a message. */
struct tsig_rr {
	uint8_t key_name[WIRE_NAME_MAX];
	const uint8_t *alg_name;
	size_t alg_name_len;
	const uint8_t *mac;
	struct tsig_vars v;
	uint16_t mac_len;
	uint16_t orig_id;
};

/* Reads the TSIG record at @off (the message's last record). */
static int read_tsig_rr(const uint8_t *msg, size_t len, size_t off, struct tsig_rr *r)
{
	size_t next, rd, end;
	int n;

	if (wire_name_unpack(msg, len, off, r->key_name, &r->v.key_name_len, &next) != WIRE_OK)
		return TSIG_EFORMERR;
	r->v.key_name = r->key_name;
	r->v.rclass = wire_get_u16(msg + next + 2);
	r->v.ttl = wire_get_u32(msg + next + 4);
	rd = next + 10;
	end = rd + wire_get_u16(msg + next + 8);
	if (r->v.rclass != WIRE_CLASS_ANY || end != len)
		return TSIG_EFORMERR;
	n = wire_name_length(msg + rd, end - rd); /* never compressed */
	if (n < 0 || end - rd < (size_t)n + 10)
		return TSIG_EFORMERR;
	r->alg_name = msg + rd;
	r->alg_name_len = (size_t)n;
	rd += (size_t)n;
	r->v.time_signed = get_u48(msg + rd);
	r->v.fudge = wire_get_u16(msg + rd + 6);
	r->mac_len = wire_get_u16(msg + rd + 8);
	rd += 10;
	if (end - rd < (size_t)r->mac_len + 6 || r->mac_len > TSIG_MAC_MAX)
		return TSIG_EFORMERR;
	r->mac = msg + rd;
	rd += r->mac_len;
	r->orig_id = wire_get_u16(msg + rd);
	r->v.error = wire_get_u16(msg + rd + 2);
	r->v.other_len = wire_get_u16(msg + rd + 4);
	rd += 6;
	if (end - rd != r->v.other_len)
		return TSIG_EFORMERR;
	r->v.other = msg + rd;
	return TSIG_OK;
}

static void info_from_rr(struct tsig_info *info, const struct tsig_rr *r)
{
	info->key = NULL;
	info->time_signed = r->v.time_signed;
	info->fudge = r->v.fudge;
	info->orig_id = r->orig_id;
	info->error = r->v.error;
	info->mac_len = (uint8_t)r->mac_len;
	memcpy(info->mac, r->mac, r->mac_len);
}

/* ---- Verify ------------------------------------------------------------------------ */

static bool equal_const_time(const uint8_t *a, const uint8_t *b, size_t len)
{
	volatile uint8_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

static bool time_within_fudge(uint64_t now, uint64_t signed_at, uint16_t fudge)
{
	uint64_t delta = now > signed_at ? now - signed_at : signed_at - now;

	return delta <= fudge;
}

int tsig_verify(uint8_t *msg, size_t len, const struct tsig_keyring *keys, uint64_t now,
		const uint8_t *req_mac, size_t req_mac_len, size_t *out_len,
		struct tsig_info *info)
{
	struct tsig_rr r;
	const struct tsig_key *key;
	uint8_t mac[TSIG_MAC_MAX];
	size_t off;
	uint16_t arcount;
	int rc;

	if (msg == NULL || keys == NULL || out_len == NULL || len > WIRE_MSG_MAX ||
	    req_mac_len > TSIG_MAC_MAX || (req_mac == NULL && req_mac_len > 0))
		return TSIG_EINVAL;
	rc = locate_tsig(msg, len, &off);
	if (rc == TSIG_OK)
		rc = read_tsig_rr(msg, len, off, &r);
	if (rc != TSIG_OK)
		return rc;
	if (info != NULL)
		info_from_rr(info, &r);
	if (alg_from_wire(r.alg_name, r.alg_name_len, &r.v.alg) != TSIG_OK)
		return TSIG_EBADKEY;
	key = tsig_key_find(keys, r.key_name, r.v.key_name_len, r.v.alg);
	if (key == NULL)
		return TSIG_EBADKEY;
	if (info != NULL)
		info->key = key;
	/* Truncated MACs (RFC 8945 §5.2.2.1) are not accepted. */
	if (r.mac_len > algs[key->alg].mac_len)
		return TSIG_EFORMERR;
	if (r.mac_len < algs[key->alg].mac_len)
		return TSIG_EBADSIG;
	arcount = (uint16_t)(wire_get_u16(msg + 10) - 1);
	rc = compute_mac(key, req_mac, req_mac_len, msg, off, r.orig_id, arcount, &r.v, mac);
	if (rc != TSIG_OK)
		return rc;
	if (!equal_const_time(mac, r.mac, r.mac_len))
		return TSIG_EBADSIG;
	/* The MAC is good: hand back the plain message, even when the time is off. */
	wire_put_u16(msg, r.orig_id);
	wire_put_u16(msg + 10, arcount);
	*out_len = off;
	if (!time_within_fudge(now, r.v.time_signed, r.v.fudge))
		return TSIG_EBADTIME;
	return TSIG_OK;
}

/* ---- Sign -------------------------------------------------------------------------- */

static bool sign_params_ok(const struct tsig_key *key, const struct tsig_sign_params *p)
{
	return key != NULL && p != NULL && alg_known(key->alg) &&
	       key->secret_len <= TSIG_SECRET_MAX &&
	       wire_name_length(key->name, key->name_len) == (int)key->name_len &&
	       p->now < ((uint64_t)1 << 48) && p->other_len <= 6 &&
	       (p->other != NULL || p->other_len == 0) &&
	       p->req_mac_len <= TSIG_MAC_MAX && (p->req_mac != NULL || p->req_mac_len == 0);
}

/* Writes the TSIG record at @p; returns its length. */
static size_t put_tsig_rr(uint8_t *p, const struct tsig_vars *v, const uint8_t *mac,
			  size_t mac_len, uint16_t orig_id)
{
	size_t n = put_name_lower(p, v->key_name, v->key_name_len);
	size_t rd;

	wire_put_u16(p + n, WIRE_TYPE_TSIG);
	wire_put_u16(p + n + 2, v->rclass);
	wire_put_u32(p + n + 4, v->ttl);
	n += 10;
	rd = n;
	n += put_name_lower(p + n, algs[v->alg].wire, algs[v->alg].wire_len);
	n += put_time_fudge(p + n, v);
	wire_put_u16(p + n, (uint16_t)mac_len);
	memcpy(p + n + 2, mac, mac_len);
	n += 2 + mac_len;
	wire_put_u16(p + n, orig_id);
	n += 2;
	n += put_error_other(p + n, v);
	wire_put_u16(p + rd - 2, (uint16_t)(n - rd));
	return n;
}

int tsig_sign(uint8_t *msg, size_t len, size_t cap, const struct tsig_key *key,
	      const struct tsig_sign_params *p, size_t *out_len, struct tsig_info *info)
{
	struct tsig_vars v;
	uint8_t mac[TSIG_MAC_MAX];
	size_t off, mac_len, rr_len;
	uint16_t id, arcount;
	int rc;

	if (msg == NULL || out_len == NULL || !sign_params_ok(key, p) || len > WIRE_MSG_MAX)
		return TSIG_EINVAL;
	rc = locate_tsig(msg, len, &off);
	if (rc != TSIG_ENOSIG)
		return rc == TSIG_OK ? TSIG_EFORMERR : rc;
	id = wire_get_u16(msg);
	arcount = wire_get_u16(msg + 10);
	mac_len = algs[key->alg].mac_len;
	rr_len = key->name_len + 10 + algs[key->alg].wire_len + 10 + mac_len + 6 + p->other_len;
	if (arcount == UINT16_MAX)
		return TSIG_EFORMERR;
	if (cap < len || rr_len > cap - len || len + rr_len > WIRE_MSG_MAX)
		return TSIG_ENOSPC;
	v = (struct tsig_vars){
		.key_name = key->name, .key_name_len = key->name_len,
		.rclass = WIRE_CLASS_ANY, .ttl = 0, .alg = key->alg,
		.time_signed = p->now, .fudge = p->fudge, .error = p->error,
		.other = p->other, .other_len = p->other_len,
	};
	rc = compute_mac(key, p->req_mac, p->req_mac_len, msg, len, id, arcount, &v, mac);
	if (rc != TSIG_OK)
		return rc;
	put_tsig_rr(msg + len, &v, mac, mac_len, id);
	wire_put_u16(msg + 10, (uint16_t)(arcount + 1));
	*out_len = len + rr_len;
	if (info != NULL) {
		*info = (struct tsig_info){
			.key = key, .time_signed = p->now, .fudge = p->fudge,
			.orig_id = id, .error = p->error, .mac_len = (uint8_t)mac_len,
		};
		memcpy(info->mac, mac, mac_len);
	}
	explicit_bzero(mac, sizeof(mac));
	return TSIG_OK;
}
