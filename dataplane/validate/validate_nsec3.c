/*
 * validate_nsec3.c - what NSEC3 records prove (RFC 5155 §8, RFC 9276, RFC 8198).
 *
 * Pure C, no allocation. Signatures were checked by the caller; names are
 * hashed with validate_nsec3_hash() from validate.h, never here.
 *
 * How an NSEC3 chain denies a name
 * --------------------------------
 * NSEC3 orders the hashes of a zone's names instead of the names. An NSEC3
 * "matches" a name whose hash is its owner label and "covers" a name whose
 * hash falls strictly between its owner hash and its next hash (wrapping
 * around at the end of the ring). Because hashing destroys the tree, a denial
 * needs a closest encloser proof (§8.3): an ancestor X that is matched (it
 * exists) whose child towards the name, the "next closer name", is covered
 * (it does not). NXDOMAIN adds that the wildcard at X is covered too.
 *
 * Opt-out (§6): an opt-out NSEC3 skips unsigned delegations, so a name it
 * covers may still exist as one. Anything proven through an opt-out span is
 * therefore only insecure.
 *
 * Cost: every candidate name costs (iterations + 1) SHA-1 runs, and a
 * closest encloser walk hashes each ancestor of the qname. Iterations are
 * checked against the RFC 9276 policy before any hashing, and a proof stops
 * after policy.max_hashes hashes (CVE-2023-50868).
 */
#include <string.h>

#include "validate.h"
#include "validate_denial.h"

/* validate_nsec3_hash() writes VALIDATE_NSEC3_HASH_LEN bytes; proofs use SHA-1 only. */
_Static_assert(VALIDATE_NSEC3_HASH_LEN == VALIDATE_NSEC3_SHA1_LEN, "NSEC3 SHA-1 hash length");

/* ---- Records -------------------------------------------------------------------------- */

static int b32hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'V')
		return c - 'A' + 10;
	return -1;
}

int validate_base32hex_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t w = 0;

	for (size_t i = 0; i < inlen; i++) {
		int v = b32hex_value(in[i]);
		if (v < 0)
			return VALIDATE_DENIAL_EOWNER;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (w >= cap)
				return VALIDATE_DENIAL_ERDATA;
			out[w++] = (uint8_t)(acc >> bits);
		}
		acc &= (1u << bits) - 1;
	}
	/* Leftover bits are padding: non-zero means the text is not a hash. */
	return acc != 0 ? VALIDATE_DENIAL_EOWNER : (int)w;
}

/* The fixed fields; returns the offset of the type bitmap or a negative code. */
static int parse_fields(const uint8_t *rd, size_t len, struct validate_nsec3 *out)
{
	if (len < 5)
		return VALIDATE_DENIAL_ERDATA;
	out->alg = rd[0];
	out->flags = rd[1];
	out->iterations = wire_get_u16(rd + 2);
	out->salt_len = rd[4];
	size_t pos = 5;
	if ((size_t)out->salt_len + 1 > len - pos)
		return VALIDATE_DENIAL_ERDATA;
	out->salt = rd + pos;
	pos += out->salt_len;
	out->next_len = rd[pos++];
	if (out->next_len == 0 || out->next_len > len - pos)
		return VALIDATE_DENIAL_ERDATA;
	out->next = rd + pos;
	return (int)(pos + out->next_len);
}

int validate_nsec3_parse(const struct validate_denial_rr *rr, struct validate_nsec3 *out)
{
	int olen = wire_name_length(rr->owner, rr->owner_len);
	if (olen < 0 || (size_t)olen != rr->owner_len || rr->owner[0] == 0)
		return VALIDATE_DENIAL_ENAME;
	int bm = parse_fields(rr->rdata, rr->rdlen, out);
	if (bm < 0)
		return bm;

	out->owner = rr->owner;
	out->owner_len = rr->owner_len;
	out->bitmap = rr->rdata + bm;
	out->bitmap_len = rr->rdlen - (size_t)bm;
	int hlen = validate_base32hex_decode(rr->owner + 1, rr->owner[0], out->owner_hash,
					     sizeof(out->owner_hash));
	if (hlen <= 0)
		return VALIDATE_DENIAL_EOWNER;
	out->owner_hash_len = (uint8_t)hlen;
	return validate_bitmap_check(out->bitmap, out->bitmap_len);
}

bool validate_nsec3_usable(const struct validate_nsec3 *n, const uint8_t *zone, size_t zlen)
{
	if (n->alg != VALIDATE_NSEC3_ALG_SHA1 || (n->flags & ~VALIDATE_NSEC3_FLAG_OPTOUT) != 0)
		return false;
	if (n->owner_hash_len != VALIDATE_NSEC3_SHA1_LEN || n->next_len != VALIDATE_NSEC3_SHA1_LEN)
		return false;
	/* Directly below the zone: the owner minus its hash label is the zone. */
	size_t first = 1 + (size_t)n->owner[0];
	return wire_name_equal(n->owner + first, n->owner_len - first, zone, zlen);
}

bool validate_nsec3_matches(const struct validate_nsec3 *n, const uint8_t *hash, size_t hlen)
{
	return hlen == n->owner_hash_len && memcmp(n->owner_hash, hash, hlen) == 0;
}

bool validate_nsec3_covers(const struct validate_nsec3 *n, const uint8_t *hash, size_t hlen)
{
	if (hlen != n->owner_hash_len || hlen != n->next_len)
		return false;
	int after_owner = memcmp(hash, n->owner_hash, hlen) > 0;
	int before_next = memcmp(hash, n->next, hlen) < 0;
	/* The last NSEC3 of the ring points back to the smallest hash. */
	if (memcmp(n->owner_hash, n->next, hlen) >= 0)
		return after_owner || before_next;
	return after_owner && before_next;
}

bool validate_nsec3_has_type(const struct validate_nsec3 *n, uint16_t type)
{
	return validate_bitmap_has(n->bitmap, n->bitmap_len, type);
}

void validate_nsec3_policy_default(struct validate_nsec3_policy *p)
{
	p->insecure_above = VALIDATE_NSEC3_INSECURE_ABOVE_DEFAULT;
	p->bogus_above = VALIDATE_NSEC3_BOGUS_ABOVE_DEFAULT;
	p->max_hashes = VALIDATE_NSEC3_HASHES_DEFAULT;
}

/* ---- One proof's context ----------------------------------------------------------------- */

/* The hash parameters every record of a proof must share, the hashing budget
 * and a one-entry cache (NODATA hashes the qname, then the closest encloser
 * walk starts from the same name). */
struct n3ctx {
	const struct validate_denial_set *set;
	struct validate_denial_info *info;
	uint8_t alg;
	uint16_t iterations;
	const uint8_t *salt;
	uint8_t salt_len;
	unsigned hashes_left;
	uint8_t last_name[WIRE_NAME_MAX];
	size_t last_len;
	uint8_t last_hash[VALIDATE_NSEC3_SHA1_LEN];
};

static bool same_params(const struct n3ctx *c, const struct validate_nsec3 *n)
{
	return n->alg == c->alg && n->iterations == c->iterations && n->salt_len == c->salt_len &&
	       memcmp(n->salt, c->salt, c->salt_len) == 0;
}

/* Record @i parsed, if a proof may use it. */
static bool n3_at(const struct n3ctx *c, size_t i, struct validate_nsec3 *n)
{
	return validate_nsec3_parse(&c->set->rr[i], n) == VALIDATE_DENIAL_OK &&
	       validate_nsec3_usable(n, c->set->zone, c->set->zone_len) && same_params(c, n);
}

/* Takes the parameters of the first usable record; false when there is none. */
static bool pick_params(struct n3ctx *c)
{
	struct validate_nsec3 n;

	for (size_t i = 0; i < c->set->count; i++) {
		if (validate_nsec3_parse(&c->set->rr[i], &n) == VALIDATE_DENIAL_OK &&
		    validate_nsec3_usable(&n, c->set->zone, c->set->zone_len)) {
			c->alg = n.alg;
			c->iterations = n.iterations;
			c->salt = n.salt;
			c->salt_len = n.salt_len;
			return true;
		}
	}
	return false;
}

static bool n3_hash(struct n3ctx *c, const uint8_t *name, size_t len,
		    uint8_t hash[VALIDATE_NSEC3_SHA1_LEN])
{
	uint8_t lc[WIRE_NAME_MAX];

	if (len > WIRE_NAME_MAX)
		return false;
	memcpy(lc, name, len);
	wire_name_to_lower(lc, len);
	if (len == c->last_len && memcmp(lc, c->last_name, len) == 0) {
		memcpy(hash, c->last_hash, VALIDATE_NSEC3_SHA1_LEN);
		return true;
	}
	if (c->hashes_left == 0) {
		if (c->info != NULL)
			c->info->hash_budget_spent = true;
		return false;
	}
	c->hashes_left--;
	if (validate_nsec3_hash(lc, len, c->salt, c->salt_len, c->iterations, hash) != 0)
		return false;
	memcpy(c->last_name, lc, len);
	c->last_len = len;
	memcpy(c->last_hash, hash, VALIDATE_NSEC3_SHA1_LEN);
	return true;
}

static bool find_match(const struct n3ctx *c, const uint8_t *hash, struct validate_nsec3 *out)
{
	for (size_t i = 0; i < c->set->count; i++) {
		if (n3_at(c, i, out) && validate_nsec3_matches(out, hash, VALIDATE_NSEC3_SHA1_LEN))
			return true;
	}
	return false;
}

static bool find_cover(const struct n3ctx *c, const uint8_t *hash, struct validate_nsec3 *out)
{
	for (size_t i = 0; i < c->set->count; i++) {
		if (n3_at(c, i, out) && validate_nsec3_covers(out, hash, VALIDATE_NSEC3_SHA1_LEN))
			return true;
	}
	return false;
}

/* The matching NSEC3 for @name, hashing it first. */
static bool match_name(struct n3ctx *c, const uint8_t *name, size_t len, struct validate_nsec3 *out)
{
	uint8_t h[VALIDATE_NSEC3_SHA1_LEN];
	return n3_hash(c, name, len, h) && find_match(c, h, out);
}

static bool cover_name(struct n3ctx *c, const uint8_t *name, size_t len, struct validate_nsec3 *out)
{
	uint8_t h[VALIDATE_NSEC3_SHA1_LEN];
	return n3_hash(c, name, len, h) && find_cover(c, h, out);
}

static enum validate_denial args_check(const struct validate_denial_set *set,
				       const uint8_t *qname, size_t qlen)
{
	if (set == NULL || qname == NULL || set->zone == NULL ||
	    (set->count > 0 && set->rr == NULL))
		return VALIDATE_DENIAL_EINVAL;
	int ql = wire_name_length(qname, qlen);
	int zl = wire_name_length(set->zone, set->zone_len);
	if (ql < 0 || (size_t)ql != qlen || zl < 0 || (size_t)zl != set->zone_len)
		return VALIDATE_DENIAL_EINVAL;
	return VALIDATE_DENIAL_PROVEN;
}

/*
 * Starts a proof: argument checks, parameters, the RFC 9276 limits. Returns
 * PROVEN to go on, else the result to give (EINVAL, MISSING, *_ITERATIONS,
 * BOGUS for a qname outside the zone).
 */
static enum validate_denial n3_begin(struct n3ctx *c, const struct validate_denial_set *set,
				     const struct validate_nsec3_policy *policy,
				     const uint8_t *qname, size_t qlen,
				     struct validate_denial_info *info)
{
	struct validate_nsec3_policy def;

	if (info != NULL)
		memset(info, 0, sizeof(*info));
	memset(c, 0, sizeof(*c));
	c->set = set;
	c->info = info;
	enum validate_denial r = args_check(set, qname, qlen);
	if (r != VALIDATE_DENIAL_PROVEN)
		return r;
	if (policy == NULL) {
		validate_nsec3_policy_default(&def);
		policy = &def;
	}
	if (!pick_params(c))
		return VALIDATE_DENIAL_MISSING;
	if (info != NULL)
		info->iterations = c->iterations;
	if (c->iterations > policy->bogus_above)
		return VALIDATE_DENIAL_BOGUS_ITERATIONS;
	if (c->iterations > policy->insecure_above)
		return VALIDATE_DENIAL_INSECURE_ITERATIONS;
	if (!wire_name_is_subdomain(qname, qlen, set->zone, set->zone_len))
		return VALIDATE_DENIAL_BOGUS;
	c->hashes_left = policy->max_hashes;
	return VALIDATE_DENIAL_PROVEN;
}

/* ---- Closest encloser proof (§8.3) ---------------------------------------------------- */

struct ce_proof {
	int ce_labels;             /* labels of the closest encloser */
	struct validate_nsec3 nc;  /* the NSEC3 covering the next closer name */
};

/* The NSEC3 at a closest encloser must be the zone's own, not a delegation's
 * or a DNAME's: below those, the names belong to someone else. */
static bool ce_record_ok(const struct validate_nsec3 *m)
{
	if (validate_nsec3_has_type(m, WIRE_TYPE_DNAME))
		return false;
	return !validate_nsec3_has_type(m, WIRE_TYPE_NS) ||
	       validate_nsec3_has_type(m, WIRE_TYPE_SOA);
}

/*
 * Walks from @qname up to the zone apex: the first matched ancestor is the
 * closest encloser candidate and its child must have been covered. A match on
 * qname itself means qname exists: no closest encloser proof (false, as no
 * child was covered yet).
 */
static bool closest_encloser(struct n3ctx *c, const uint8_t *qname, size_t qlen,
			     struct ce_proof *p)
{
	int top = validate_name_labels(qname, qlen);
	int zone = validate_name_labels(c->set->zone, c->set->zone_len);
	bool child_covered = false;
	struct validate_nsec3 m;

	for (int k = top; k >= zone; k--) {
		int off = validate_name_ancestor(qname, qlen, k);
		uint8_t h[VALIDATE_NSEC3_SHA1_LEN];
		if (off < 0 || !n3_hash(c, qname + off, qlen - (size_t)off, h))
			return false;
		if (find_match(c, h, &m)) {
			p->ce_labels = k;
			return child_covered && ce_record_ok(&m);
		}
		child_covered = find_cover(c, h, &p->nc);
	}
	return false;
}

static bool nc_opt_out(const struct ce_proof *p)
{
	return (p->nc.flags & VALIDATE_NSEC3_FLAG_OPTOUT) != 0;
}

static void info_set_ce(struct n3ctx *c, const uint8_t *qname, size_t qlen, int ce_labels,
			bool opt_out)
{
	int off = validate_name_ancestor(qname, qlen, ce_labels);
	if (c->info == NULL || off < 0)
		return;
	c->info->closest_encloser = qname + off;
	c->info->closest_encloser_len = qlen - (size_t)off;
	c->info->opt_out = opt_out;
}

/* PROVEN, or INSECURE_OPTOUT when the next closer lies in an opt-out span. */
static enum validate_denial secure_unless_opt_out(const struct ce_proof *p)
{
	return nc_opt_out(p) ? VALIDATE_DENIAL_INSECURE_OPTOUT : VALIDATE_DENIAL_PROVEN;
}

/* The wildcard at the closest encloser of @qname, into @wc. */
static int wildcard_at(const uint8_t *qname, size_t qlen, int ce_labels, uint8_t *wc)
{
	int off = validate_name_ancestor(qname, qlen, ce_labels);
	if (off < 0)
		return off;
	return validate_name_wildcard(qname + off, qlen - (size_t)off, wc, WIRE_NAME_MAX);
}

/* ---- Proofs ----------------------------------------------------------------------------- */

enum validate_denial validate_nsec3_prove_nxdomain(const struct validate_denial_set *set,
						   const struct validate_nsec3_policy *policy,
						   const uint8_t *qname, size_t qlen,
						   struct validate_denial_info *info)
{
	struct n3ctx c;
	struct ce_proof p;
	struct validate_nsec3 w;
	uint8_t wc[WIRE_NAME_MAX];

	enum validate_denial r = n3_begin(&c, set, policy, qname, qlen, info);
	if (r != VALIDATE_DENIAL_PROVEN)
		return r;
	if (!closest_encloser(&c, qname, qlen, &p))
		return VALIDATE_DENIAL_BOGUS;
	info_set_ce(&c, qname, qlen, p.ce_labels, nc_opt_out(&p));

	int wlen = wildcard_at(qname, qlen, p.ce_labels, wc);
	uint8_t h[VALIDATE_NSEC3_SHA1_LEN];
	if (wlen < 0 || !n3_hash(&c, wc, (size_t)wlen, h) || find_match(&c, h, &w) ||
	    !find_cover(&c, h, &w))
		return VALIDATE_DENIAL_BOGUS;
	return secure_unless_opt_out(&p);
}

/* NODATA from the NSEC3 matching the name itself (same rules as for NSEC). */
static enum validate_denial nodata_at_match(const struct validate_nsec3 *m, uint16_t qtype)
{
	if (validate_nsec3_has_type(m, qtype) || validate_nsec3_has_type(m, WIRE_TYPE_CNAME))
		return VALIDATE_DENIAL_BOGUS;
	bool ns = validate_nsec3_has_type(m, WIRE_TYPE_NS);
	bool soa = validate_nsec3_has_type(m, WIRE_TYPE_SOA);
	/* DS is the parent's: the child apex NSEC3 cannot deny it, while every
	 * other type at a delegation is the child's. */
	if (qtype == WIRE_TYPE_DS)
		return soa ? VALIDATE_DENIAL_BOGUS : VALIDATE_DENIAL_PROVEN;
	return ns && !soa ? VALIDATE_DENIAL_BOGUS : VALIDATE_DENIAL_PROVEN;
}

/* §8.7: the wildcard at the closest encloser exists without qtype and CNAME. */
static bool wildcard_nodata(struct n3ctx *c, const uint8_t *qname, size_t qlen,
			    const struct ce_proof *p, uint16_t qtype)
{
	uint8_t wc[WIRE_NAME_MAX];
	struct validate_nsec3 w;

	int wlen = wildcard_at(qname, qlen, p->ce_labels, wc);
	return wlen > 0 && match_name(c, wc, (size_t)wlen, &w) &&
	       !validate_nsec3_has_type(&w, qtype) && !validate_nsec3_has_type(&w, WIRE_TYPE_CNAME);
}

enum validate_denial validate_nsec3_prove_nodata(const struct validate_denial_set *set,
						 const struct validate_nsec3_policy *policy,
						 const uint8_t *qname, size_t qlen, uint16_t qtype,
						 struct validate_denial_info *info)
{
	struct n3ctx c;
	struct ce_proof p;
	struct validate_nsec3 m;

	enum validate_denial r = n3_begin(&c, set, policy, qname, qlen, info);
	if (r != VALIDATE_DENIAL_PROVEN)
		return r;
	if (match_name(&c, qname, qlen, &m))
		return nodata_at_match(&m, qtype);
	if (!closest_encloser(&c, qname, qlen, &p))
		return VALIDATE_DENIAL_BOGUS;
	info_set_ce(&c, qname, qlen, p.ce_labels, nc_opt_out(&p));
	if (qtype != WIRE_TYPE_DS && wildcard_nodata(&c, qname, qlen, &p, qtype)) {
		if (info != NULL)
			info->wildcard = true;
		return secure_unless_opt_out(&p);
	}
	/* No NSEC3 for the name, but it may sit in an opt-out span: a DS query
	 * at an unsigned delegation, or an empty non-terminal above only unsigned
	 * delegations, which opt-out zones give no NSEC3 either. */
	return nc_opt_out(&p) ? VALIDATE_DENIAL_INSECURE_OPTOUT : VALIDATE_DENIAL_BOGUS;
}

enum validate_denial validate_nsec3_prove_wildcard(const struct validate_denial_set *set,
						   const struct validate_nsec3_policy *policy,
						   const uint8_t *qname, size_t qlen,
						   uint8_t rrsig_labels,
						   struct validate_denial_info *info)
{
	struct n3ctx c;
	struct ce_proof p;

	enum validate_denial r = n3_begin(&c, set, policy, qname, qlen, info);
	if (r == VALIDATE_DENIAL_EINVAL)
		return r;
	/* Labels as RRSIGs count them: a literal "*" label is not counted. */
	if (rrsig_labels >= wire_name_label_count(qname, qlen))
		return VALIDATE_DENIAL_EINVAL;
	if (r != VALIDATE_DENIAL_PROVEN)
		return r;

	int ce_off = validate_name_ancestor(qname, qlen, rrsig_labels);
	int nc_off = validate_name_ancestor(qname, qlen, rrsig_labels + 1);
	if (ce_off < 0 || nc_off < 0 ||
	    !wire_name_is_subdomain(qname + ce_off, qlen - (size_t)ce_off, set->zone, set->zone_len))
		return VALIDATE_DENIAL_BOGUS;
	if (!cover_name(&c, qname + nc_off, qlen - (size_t)nc_off, &p.nc))
		return VALIDATE_DENIAL_BOGUS;
	p.ce_labels = rrsig_labels;
	info_set_ce(&c, qname, qlen, p.ce_labels, nc_opt_out(&p));
	return secure_unless_opt_out(&p);
}

enum validate_denial validate_nsec3_prove_insecure_delegation(
	const struct validate_denial_set *set, const struct validate_nsec3_policy *policy,
	const uint8_t *child, size_t clen, struct validate_denial_info *info)
{
	struct n3ctx c;
	struct ce_proof p;
	struct validate_nsec3 m;

	enum validate_denial r = n3_begin(&c, set, policy, child, clen, info);
	if (r != VALIDATE_DENIAL_PROVEN)
		return r;
	/* At the zone apex itself this finds the apex NSEC3, whose SOA bit fails it. */
	if (match_name(&c, child, clen, &m)) {
		bool ok = validate_nsec3_has_type(&m, WIRE_TYPE_NS) &&
			  !validate_nsec3_has_type(&m, WIRE_TYPE_DS) &&
			  !validate_nsec3_has_type(&m, WIRE_TYPE_SOA);
		return ok ? VALIDATE_DENIAL_PROVEN : VALIDATE_DENIAL_BOGUS;
	}
	if (!closest_encloser(&c, child, clen, &p))
		return VALIDATE_DENIAL_BOGUS;
	info_set_ce(&c, child, clen, p.ce_labels, nc_opt_out(&p));
	return nc_opt_out(&p) ? VALIDATE_DENIAL_INSECURE_OPTOUT : VALIDATE_DENIAL_BOGUS;
}

/* ---- RFC 8198 ------------------------------------------------------------------------ */

/* qname is proven absent (closest encloser proof without opt-out): what does
 * the wildcard at the closest encloser say? */
static enum validate_aggressive aggressive_absent(struct n3ctx *c, const uint8_t *qname,
						  size_t qlen, const struct ce_proof *p,
						  uint16_t qtype)
{
	uint8_t wc[WIRE_NAME_MAX], h[VALIDATE_NSEC3_SHA1_LEN];
	struct validate_nsec3 w;

	int wlen = wildcard_at(qname, qlen, p->ce_labels, wc);
	if (wlen < 0 || !n3_hash(c, wc, (size_t)wlen, h))
		return VALIDATE_AGGR_NONE;
	if (!find_match(c, h, &w))
		return find_cover(c, h, &w) ? VALIDATE_AGGR_NXDOMAIN : VALIDATE_AGGR_NONE;
	if (qtype == WIRE_TYPE_DS)
		return VALIDATE_AGGR_NONE;
	if (validate_nsec3_has_type(&w, qtype) || validate_nsec3_has_type(&w, WIRE_TYPE_CNAME))
		return VALIDATE_AGGR_WILDCARD;
	if (c->info != NULL)
		c->info->wildcard = true;
	return VALIDATE_AGGR_NODATA;
}

enum validate_aggressive validate_nsec3_aggressive(const struct validate_denial_set *set,
						   const struct validate_nsec3_policy *policy,
						   const uint8_t *qname, size_t qlen,
						   uint16_t qtype,
						   struct validate_denial_info *info)
{
	struct n3ctx c;
	struct ce_proof p;
	struct validate_nsec3 m;
	enum validate_aggressive a = VALIDATE_AGGR_NONE;

	if (n3_begin(&c, set, policy, qname, qlen, info) != VALIDATE_DENIAL_PROVEN)
		return VALIDATE_AGGR_NONE;
	if (match_name(&c, qname, qlen, &m)) {
		if (nodata_at_match(&m, qtype) == VALIDATE_DENIAL_PROVEN)
			a = VALIDATE_AGGR_NODATA;
	} else if (closest_encloser(&c, qname, qlen, &p) && !nc_opt_out(&p)) {
		info_set_ce(&c, qname, qlen, p.ce_labels, false);
		a = aggressive_absent(&c, qname, qlen, &p, qtype);
	}
	if (a == VALIDATE_AGGR_NONE && info != NULL)
		memset(info, 0, sizeof(*info));
	return a;
}
