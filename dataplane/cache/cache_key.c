/*
 * cache_key.c - cache keys: the lowercased question and its seeded 64-bit hash.
 *
 * The hash is a multiply-fold over 16-byte blocks (each block xored with the
 * secret seed, the two halves multiplied to 128 bits, the halves of the product
 * xored into the state), finished by a fold with the type, class, bits and length.
 * The seed is random per process, so a client cannot choose names that land in
 * one bucket without learning it. The hash only picks the shard and the bucket:
 * an entry found by it is confirmed against the full key, so a collision is a
 * miss, never a wrong answer. Runs on the packet path: no allocation, no calls.
 */
#include <errno.h>
#include <string.h>

#include "cache_priv.h"

/* Bytes of every buffer a lowercased name is written to (cache_name_lower). */
#define CACHE_NAME_BUF 255

static inline uint64_t
fold_mul(uint64_t a, uint64_t b)
{
	__uint128_t p = (__uint128_t)a * b;

	return (uint64_t)p ^ (uint64_t)(p >> 64);
}

static inline uint64_t
load64(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, p, n);
	return v;
}

/* The name's part of the hash: its 16-byte blocks (two words each) folded into the
 * state; a last partial block zero-padded. */
static inline uint64_t
hash_start(const uint64_t seed[2], size_t len)
{
	return seed[0] ^ (len * 0x9e3779b97f4a7c15ull);
}

static inline uint64_t
hash_block(const uint64_t seed[2], uint64_t h, uint64_t a, uint64_t b, bool last)
{
	return fold_mul(a ^ seed[0] ^ h, b ^ seed[1] ^ (last ? 0xd6e8feb86659fd93ull : 0));
}

/* Type, class and key bits folded in: the key's hash. */
static inline uint64_t
hash_finish(const uint64_t seed[2], uint64_t h, uint16_t qtype, uint16_t qclass,
	    uint8_t flags)
{
	const uint64_t k0 = 0x9e3779b97f4a7c15ull, k1 = 0xd6e8feb86659fd93ull;

	h = fold_mul(h ^ k1, ((uint64_t)qtype << 32 | (uint64_t)qclass << 16 | flags) ^ seed[1] ^ k0);
	return fold_mul(h, k0 ^ seed[0]) ^ h;
}

uint64_t
cache_hash_key(const uint64_t seed[2], const uint8_t *name, size_t len,
	       uint16_t qtype, uint16_t qclass, uint8_t flags)
{
	uint64_t h = hash_start(seed, len);
	size_t i = 0;

	for (; i + 16 <= len; i += 16)
		h = hash_block(seed, h, load64(name + i, 8), load64(name + i + 8, 8), false);
	if (i < len) {
		size_t rest = len - i;
		uint64_t a = load64(name + i, rest < 8 ? rest : 8);
		uint64_t b = rest > 8 ? load64(name + i + 8, rest - 8) : 0;

		h = hash_block(seed, h, a, b, true);
	}
	return hash_finish(seed, h, qtype, qclass, flags);
}

/* Length of the uncompressed name at the start of @q (root label included), or
 * -EINVAL when it is not a valid name inside @qlen: one hop per label. Every label
 * must start before the end of both the buffer and the 255 bytes a name may take,
 * so one bound serves both checks. */
static int
name_length(const uint8_t *q, size_t qlen)
{
	size_t lim = qlen < 255 ? qlen : 255;
	size_t off = 0;

	while (off < lim) {
		uint8_t l = q[off];

		if (l == 0)
			return (int)off + 1;
		if (l > 63)
			return -EINVAL;
		off += 1 + (size_t)l;
	}
	return -EINVAL;
}

/* Eight bytes lowercased at once: 'A'..'Z' gain 0x20, every other byte (label
 * lengths are below 64, so never letters) stays as it is. */
static inline uint64_t
lower8(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t low7 = x & ~high;
	uint64_t ge_a = low7 + ones * (0x80 - 'A');        /* high bit: >= 'A' */
	uint64_t gt_z = low7 + ones * (0x80 - 'Z' - 1);    /* high bit: > 'Z' */
	uint64_t upper = ge_a & ~gt_z & ~x & high;

	return x | (upper >> 2);
}

/*
 * Word @i of the name lowercased, zero past its @n bytes, and stored at out + i
 * (out holds 255 bytes). Whole 8-byte loads and stores where the buffers allow
 * them: a libc call for a few bytes, and stores the hash then reads back in other
 * widths, cost more than the word itself.
 */
static inline uint64_t
lower_word(const uint8_t *q, size_t qlen, size_t i, size_t n, uint8_t *out)
{
	size_t take = n - i < 8 ? n - i : 8;
	uint64_t w = 0;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (i + 8 <= qlen) {
		memcpy(&w, q + i, 8);
		if (take < 8)
			w &= (1ull << (8 * take)) - 1;   /* the name's bytes are the low ones */
	} else
#endif
	{
		memcpy(&w, q + i, take);
	}
	w = lower8(w);
	if (i + 8 <= CACHE_NAME_BUF)
		memcpy(out + i, &w, 8);
	else
		memcpy(out + i, &w, take);
	return w;
}

int
cache_name_lower_hash(const struct cache *c, const uint8_t *q, size_t qlen, uint8_t *out,
		      uint64_t *hash)
{
	int n = name_length(q, qlen);
	uint64_t h;
	size_t i = 0;

	if (n < 0)
		return n;
	h = hash_start(c->seed, (size_t)n);
	/* whole blocks lie inside the name (and so inside q and out): no bounds to test */
	for (; i + 16 <= (size_t)n; i += 16) {
		uint64_t a = lower8(load64(q + i, 8)), b = lower8(load64(q + i + 8, 8));

		memcpy(out + i, &a, 8);
		memcpy(out + i + 8, &b, 8);
		h = hash_block(c->seed, h, a, b, false);
	}
	if (i < (size_t)n) {
		uint64_t a = lower_word(q, qlen, i, (size_t)n, out);
		uint64_t b = i + 8 < (size_t)n ? lower_word(q, qlen, i + 8, (size_t)n, out) : 0;

		h = hash_block(c->seed, h, a, b, true);
	}
	*hash = h;
	return n;
}

int
cache_name_lower(const uint8_t *q, size_t qlen, uint8_t *out)
{
	int n = name_length(q, qlen);

	if (n < 0)
		return n;
	for (size_t i = 0; i < (size_t)n; i += 8)
		lower_word(q, qlen, i, (size_t)n, out);
	return n;
}

/* The key's fields beside its name (already in k->name) and hash. */
static void
key_fill(const struct cache *c, struct cache_key *k, const uint8_t *q, size_t qlen,
	 uint64_t name_hash, unsigned int flags)
{
	size_t n = qlen - 4;

	k->name_len = (uint16_t)n;
	k->question = q;
	k->qlen = (uint16_t)qlen;
	k->qtype = (uint16_t)(q[n] << 8 | q[n + 1]);
	k->qclass = (uint16_t)(q[n + 2] << 8 | q[n + 3]);
	k->flags = (uint8_t)flags;
	k->hash = hash_finish(c->seed, name_hash, k->qtype, k->qclass, k->flags);
}

void
cache_key_init_lower(const struct cache *c, struct cache_key *k, const uint8_t *q,
		     size_t qlen, const uint8_t *lname, uint64_t name_hash, unsigned int flags)
{
	if (lname != k->name)
		memcpy(k->name, lname, qlen - 4);
	key_fill(c, k, q, qlen, name_hash, flags);
}

int
cache_key_init(const struct cache *c, struct cache_key *k, const uint8_t *q,
	       size_t qlen, unsigned int flags)
{
	uint64_t name_hash;
	int n = cache_name_lower_hash(c, q, qlen, k->name, &name_hash);

	if (n < 0 || qlen != (size_t)n + 4 || (flags & ~(CACHE_KEY_DO | CACHE_KEY_CD)))
		return -EINVAL;
	key_fill(c, k, q, qlen, name_hash, flags);
	return 0;
}
