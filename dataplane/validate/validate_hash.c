/*
 * validate_hash.c - every hash of the validator goes through Intel ipsec-mb here: the
 * digests of signed data (one at a time, or many through the multi-buffer job API),
 * DS digests' SHA, and NSEC3's iterated SHA-1 (RFC 5155 §5).
 *
 * Each thread has its own ipsec-mb manager (IMB_MGR is not thread-safe), made on first
 * use and freed by validate_thread_cleanup(). This is the only file that includes
 * intel-ipsec-mb.h: with NO_COMPAT_IMB_API_053 unset it defines SHA1 and friends as
 * macros, which breaks OpenSSL's headers in the same translation unit.
 *
 * Never allocates after the manager exists; never blocks.
 */
#define NO_COMPAT_IMB_API_053
#include <intel-ipsec-mb.h>

#include <errno.h>
#include <string.h>

#include "validate_priv.h"
#include "wire.h"

static _Thread_local IMB_MGR *tls_mgr;

/* The thread's manager, made on first use with the best code path for this CPU. */
IMB_MGR *validate_imb_mgr(void)
{
	IMB_MGR *m = tls_mgr;

	if (m != NULL)
		return m;
	m = alloc_mb_mgr(0);
	if (m == NULL)
		return NULL;
	init_mb_mgr_auto(m, NULL);
	if (imb_get_errno(m) != 0) {
		free_mb_mgr(m);
		return NULL;
	}
	tls_mgr = m;
	return m;
}

void validate_thread_cleanup(void)
{
	if (tls_mgr != NULL) {
		free_mb_mgr(tls_mgr);
		tls_mgr = NULL;
	}
}

size_t validate_hash_len(enum validate_hash_alg alg)
{
	switch (alg) {
	case VALIDATE_HASH_SHA1:
		return IMB_SHA1_DIGEST_SIZE_IN_BYTES;
	case VALIDATE_HASH_SHA256:
		return IMB_SHA256_DIGEST_SIZE_IN_BYTES;
	case VALIDATE_HASH_SHA384:
		return IMB_SHA384_DIGEST_SIZE_IN_BYTES;
	case VALIDATE_HASH_SHA512:
		return IMB_SHA512_DIGEST_SIZE_IN_BYTES;
	default:
		return 0;
	}
}

static IMB_HASH_ALG imb_alg(enum validate_hash_alg alg)
{
	switch (alg) {
	case VALIDATE_HASH_SHA1:
		return IMB_AUTH_SHA_1;
	case VALIDATE_HASH_SHA256:
		return IMB_AUTH_SHA_256;
	case VALIDATE_HASH_SHA384:
		return IMB_AUTH_SHA_384;
	case VALIDATE_HASH_SHA512:
		return IMB_AUTH_SHA_512;
	default:
		return IMB_AUTH_NULL;
	}
}

int validate_hash_one(enum validate_hash_alg alg, const uint8_t *data, size_t len,
		      uint8_t *out)
{
	IMB_MGR *m = validate_imb_mgr();

	if (m == NULL)
		return -ENOMEM;
	switch (alg) {
	case VALIDATE_HASH_SHA1:
		IMB_SHA1(m, data, len, out);
		break;
	case VALIDATE_HASH_SHA256:
		IMB_SHA256(m, data, len, out);
		break;
	case VALIDATE_HASH_SHA384:
		IMB_SHA384(m, data, len, out);
		break;
	case VALIDATE_HASH_SHA512:
		IMB_SHA512(m, data, len, out);
		break;
	default:
		return -EINVAL;
	}
	return (int)validate_hash_len(alg);
}

/* ---- Multi-buffer ------------------------------------------------------------------ */

/* A plain hash job: no cipher, the whole buffer hashed, the full digest written out. */
static void fill_job(IMB_JOB *job, struct validate_hash_req *r)
{
	memset(job, 0, sizeof(*job));
	job->cipher_mode = IMB_CIPHER_NULL;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_HASH_CIPHER;
	job->hash_alg = imb_alg(r->alg);
	job->src = r->data;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = r->len;
	job->auth_tag_output = r->out;
	job->auth_tag_output_len_in_bytes = validate_hash_len(r->alg);
	job->user_data = r;
}

/* Marks the jobs the manager hands back as done; returns how many succeeded. */
static unsigned collect(IMB_MGR *m, IMB_JOB *job)
{
	unsigned ok = 0;

	while (job != NULL) {
		struct validate_hash_req *r = job->user_data;

		if (job->status == IMB_STATUS_COMPLETED) {
			r->rc = 0;
			ok++;
		}
		job = IMB_GET_COMPLETED_JOB(m);
	}
	return ok;
}

int validate_hash_many(struct validate_hash_req *reqs, unsigned n)
{
	IMB_MGR *m = validate_imb_mgr();
	unsigned ok = 0;
	IMB_JOB *job;

	if (m == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		reqs[i].rc = -EINVAL;
		if (validate_hash_len(reqs[i].alg) == 0)
			continue;
		fill_job(IMB_GET_NEXT_JOB(m), &reqs[i]);
		ok += collect(m, IMB_SUBMIT_JOB(m));
	}
	/* Lanes wait for more jobs; flushing runs the partly filled ones. */
	while ((job = IMB_FLUSH_JOB(m)) != NULL)
		ok += collect(m, job);
	return (int)ok;
}

/* ---- NSEC3 (RFC 5155 §5) ----------------------------------------------------------- */

/*
 * IH(salt, x, 0) = H(x || salt); IH(salt, x, k) = H(IH(salt, x, k-1) || salt).
 * Each lane keeps two buffers: name||salt for the first round, digest||salt for the
 * rest (the salt copied once, the digest overwritten each round).
 */
struct nsec3_lane {
	uint8_t first[WIRE_NAME_MAX + VALIDATE_NSEC3_SALT_MAX];
	uint8_t next[VALIDATE_NSEC3_HASH_LEN + VALIDATE_NSEC3_SALT_MAX];
	uint8_t digest[VALIDATE_NSEC3_HASH_LEN];
	size_t first_len;
	size_t next_len;
	unsigned left;           /* hashes still to compute */
};

/* Checks a request and fills its lane; returns 0 or -EINVAL. */
static int nsec3_lane_init(struct nsec3_lane *l, const uint8_t *name, size_t len,
			   const uint8_t *salt, size_t salt_len, unsigned iterations)
{
	int nlen = wire_name_length(name, len);

	if (nlen < 0 || (size_t)nlen != len || salt_len > VALIDATE_NSEC3_SALT_MAX ||
	    iterations > VALIDATE_NSEC3_ITER_MAX || (salt_len > 0 && salt == NULL))
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		l->first[i] = validate_lower(name[i]);
	if (salt_len > 0) {
		memcpy(l->first + len, salt, salt_len);
		memcpy(l->next + VALIDATE_NSEC3_HASH_LEN, salt, salt_len);
	}
	l->first_len = len + salt_len;
	l->next_len = VALIDATE_NSEC3_HASH_LEN + salt_len;
	l->left = iterations + 1;
	return 0;
}

int validate_nsec3_hash(const uint8_t *name, size_t len, const uint8_t *salt,
			size_t salt_len, unsigned iterations,
			uint8_t out[VALIDATE_NSEC3_HASH_LEN])
{
	struct nsec3_lane l;
	IMB_MGR *m;
	int rc = nsec3_lane_init(&l, name, len, salt, salt_len, iterations);

	if (rc != 0)
		return rc;
	m = validate_imb_mgr();
	if (m == NULL)
		return -ENOMEM;
	IMB_SHA1(m, l.first, l.first_len, l.digest);
	while (--l.left > 0) {
		memcpy(l.next, l.digest, VALIDATE_NSEC3_HASH_LEN);
		IMB_SHA1(m, l.next, l.next_len, l.digest);
	}
	memcpy(out, l.digest, VALIDATE_NSEC3_HASH_LEN);
	return 0;
}

/* Lanes one round of validate_nsec3_hash_batch() runs side by side (AVX-512 SHA-1
 * has 16). */
#define NSEC3_LANES 16

/* One round: every lane with hashes left hashes its current buffer once. */
static int nsec3_round(struct nsec3_lane *lanes, unsigned n, bool first)
{
	struct validate_hash_req reqs[NSEC3_LANES];
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		struct nsec3_lane *l = &lanes[i];

		if (l->left == 0)
			continue;
		if (!first)
			memcpy(l->next, l->digest, VALIDATE_NSEC3_HASH_LEN);
		reqs[k] = (struct validate_hash_req){
			.data = first ? l->first : l->next,
			.len = first ? l->first_len : l->next_len,
			.alg = VALIDATE_HASH_SHA1, .out = l->digest };
		l->left--;
		k++;
	}
	if (k == 0)
		return 0;
	int ok = validate_hash_many(reqs, k);
	if (ok < 0)
		return ok;
	return (unsigned)ok == k ? (int)k : -EIO;
}

/* Up to NSEC3_LANES requests. Returns how many succeeded, or -ENOMEM. */
static int nsec3_chunk(struct validate_nsec3_req *reqs, unsigned n)
{
	struct nsec3_lane lanes[NSEC3_LANES];
	int ok = 0, rc;
	bool first = true;

	for (unsigned i = 0; i < n; i++) {
		reqs[i].rc = nsec3_lane_init(&lanes[i], reqs[i].name, reqs[i].name_len,
					     reqs[i].salt, reqs[i].salt_len, reqs[i].iterations);
		if (reqs[i].rc != 0)
			lanes[i].left = 0;
	}
	while ((rc = nsec3_round(lanes, n, first)) > 0)
		first = false;
	if (rc < 0)
		return rc == -ENOMEM ? rc : -EIO;
	for (unsigned i = 0; i < n; i++) {
		if (reqs[i].rc != 0)
			continue;
		memcpy(reqs[i].hash, lanes[i].digest, VALIDATE_NSEC3_HASH_LEN);
		ok++;
	}
	return ok;
}

int validate_nsec3_hash_batch(struct validate_nsec3_req *reqs, unsigned n)
{
	int total = 0;

	for (unsigned i = 0; i < n; i += NSEC3_LANES) {
		unsigned k = n - i < NSEC3_LANES ? n - i : NSEC3_LANES;
		int ok = nsec3_chunk(reqs + i, k);

		if (ok == -ENOMEM)
			return ok;
		if (ok < 0) {
			for (unsigned j = i; j < i + k; j++)
				reqs[j].rc = ok;
			continue;
		}
		total += ok;
	}
	return total;
}

/* ---- A fast non-cryptographic hash -------------------------------------------------- */

/* 64x64->128 multiply folded to 64 bits: one multiply mixes every input bit. */
static inline uint64_t mum(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t validate_hash64(uint64_t seed, const uint8_t *data, size_t len)
{
	uint64_t h = seed ^ mum(len, 0x9e3779b97f4a7c15ull);
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, data, 8);
		h = mum(h ^ w, 0xa0761d6478bd642full) + 0xe7037ed1a0b428dbull;
		data += 8;
		len -= 8;
	}
	w = 0;
	memcpy(&w, data, len);
	h = mum(h ^ w, 0x8ebc6af09c88c6e3ull);
	return mum(h, 0x589965cc75374cc3ull) ^ h;
}
