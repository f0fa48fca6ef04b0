/*
 * dataplane/aggressive.c - RFC 8198 on a worker: keep the NSEC/NSEC3 records of
 * secure negative answers, answer later misses from them (see aggressive.h).
 * Worker lcores: no lock of its own, no allocation, no syscall.
 */
#include <string.h>

#include "aggressive.h"
#include "validate.h"

static inline uint32_t
min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

void
aggressive_init(struct aggressive *ag, struct cache *cache, unsigned int lcore,
		const struct validate_chain_conf *conf)
{
	memset(ag, 0, sizeof(*ag));
	ag->cache = cache;
	ag->lcore = lcore;
	ag->conf = conf;
}

/* ---- learning: which records the chain checked -------------------------------------- */

static bool
in_authority(const struct validate_chain_rr *r)
{
	return r->section == WIRE_SECTION_AUTHORITY;
}

/* NXDOMAIN or NODATA for the question itself. Behind a CNAME chain the proof is about
 * another name: that name's own question will bring its records. */
static bool
plain_negative(const struct validate_chain_answer *a)
{
	if (a->rcode != WIRE_RCODE_NXDOMAIN && a->rcode != WIRE_RCODE_NOERROR)
		return false;
	for (unsigned int i = 0; i < a->n_rr; i++)
		if (a->rr[i].section == WIRE_SECTION_ANSWER)
			return false;
	return true;
}

/* Record @r parsed into @sig when it is an RRSIG over NSEC or NSEC3 in the authority
 * section. */
static bool
denial_sig(const struct validate_chain_rr *r, struct validate_rrsig *sig)
{
	return in_authority(r) && r->type == WIRE_TYPE_RRSIG &&
	       validate_rrsig_parse(r->rdata, r->rdlen, sig) == 0 &&
	       (sig->type_covered == WIRE_TYPE_NSEC || sig->type_covered == WIRE_TYPE_NSEC3);
}

/* The zone the chain took the proof from: the deepest signer of denial RRSIGs whose
 * zone holds both the record and the question (validate_chain_denial_signer's rule). */
static bool
denial_signer(const struct validate_chain_answer *a, const uint8_t **zone, size_t *zlen)
{
	int best = -1;

	for (unsigned int i = 0; i < a->n_rr; i++) {
		const struct validate_chain_rr *r = &a->rr[i];
		struct validate_rrsig sig;

		if (!denial_sig(r, &sig) ||
		    !wire_name_is_subdomain(r->owner, r->owner_len, sig.signer, sig.signer_len) ||
		    !wire_name_is_subdomain(a->qname, a->qname_len, sig.signer, sig.signer_len))
			continue;
		int labels = wire_name_label_count(sig.signer, sig.signer_len);

		if (labels > best) {
			best = labels;
			*zone = sig.signer;
			*zlen = sig.signer_len;
		}
	}
	return best >= 0;
}

/* Does an RRSIG of @zone in the same section cover record @i's RRset? */
static bool
signed_by(const struct validate_chain_answer *a, unsigned int i, const uint8_t *zone,
	  size_t zlen)
{
	const struct validate_chain_rr *r = &a->rr[i];

	for (unsigned int j = 0; j < a->n_rr; j++) {
		const struct validate_chain_rr *s = &a->rr[j];
		struct validate_rrsig sig;

		if (s->type == WIRE_TYPE_RRSIG && s->section == r->section &&
		    wire_name_equal(s->owner, s->owner_len, r->owner, r->owner_len) &&
		    validate_rrsig_parse(s->rdata, s->rdlen, &sig) == 0 &&
		    sig.type_covered == r->type &&
		    wire_name_equal(sig.signer, sig.signer_len, zone, zlen))
			return true;
	}
	return false;
}

/* NSEC when the zone sent NSEC it signed, else NSEC3: the chain's choice, so that
 * every record kept is one it verified. */
static uint16_t
denial_type(const struct validate_chain_answer *a, const uint8_t *zone, size_t zlen)
{
	for (unsigned int i = 0; i < a->n_rr; i++)
		if (in_authority(&a->rr[i]) && a->rr[i].type == WIRE_TYPE_NSEC &&
		    signed_by(a, i, zone, zlen))
			return WIRE_TYPE_NSEC;
	return WIRE_TYPE_NSEC3;
}

/* The zone's SOA in the authority section (the chain verified it); -1: none. */
static int
soa_of(const struct validate_chain_answer *a, const uint8_t *zone, size_t zlen)
{
	for (unsigned int i = 0; i < a->n_rr; i++) {
		const struct validate_chain_rr *r = &a->rr[i];

		if (in_authority(r) && r->type == WIRE_TYPE_SOA && r->rdlen >= 22 &&
		    wire_name_equal(r->owner, r->owner_len, zone, zlen))
			return (int)i;
	}
	return -1;
}

/* RFC 2308 §5, RFC 9077: denial lives min(SOA TTL, SOA MINIMUM), the last field. */
static uint32_t
soa_negative_ttl(const struct validate_chain_rr *soa)
{
	return min32(soa->ttl, wire_get_u32(soa->rdata + soa->rdlen - 4));
}

bool
aggressive_learn(struct aggressive *ag, const struct validate_chain_answer *a,
		 uint32_t ttl_cap, uint32_t now)
{
	struct cache_denial *d = &ag->d;
	struct cache_denial_key k;
	const uint8_t *zone = NULL;
	size_t zlen = 0;
	uint16_t type;
	uint32_t ttl;
	int soa;

	if (!plain_negative(a) || !denial_signer(a, &zone, &zlen))
		return false;
	soa = soa_of(a, zone, zlen);
	if (soa < 0)
		return false;   /* nothing to answer with */
	ttl = min32(soa_negative_ttl(&a->rr[soa]), ttl_cap);
	type = denial_type(a, zone, zlen);
	if (cache_denial_init(d, type, a->rr[soa].rdata, a->rr[soa].rdlen, ttl) != 0)
		return false;
	for (unsigned int i = 0; i < a->n_rr; i++) {
		const struct validate_chain_rr *r = &a->rr[i];

		/* a record too large to keep only leaves the set smaller, never wrong */
		if (in_authority(r) && r->type == type && signed_by(a, i, zone, zlen))
			(void)cache_denial_add(d, r->owner, r->owner_len, r->rdata, r->rdlen,
					       min32(r->ttl, ttl));
	}
	return d->count > 0 && cache_denial_key_init(ag->cache, &k, zone, zlen) == 0 &&
	       cache_denial_insert(ag->cache, ag->lcore, &k, d, now) >= 0;
}

/* ---- answering: the proof ------------------------------------------------------------- */

/* The chain's NSEC3 limits (RFC 9276), so a proof here holds exactly when it would
 * have held in a fresh answer. */
static void
nsec3_policy(const struct aggressive *ag, struct validate_nsec3_policy *p)
{
	validate_nsec3_policy_default(p);
	if (ag->conf != NULL) {
		p->insecure_above = ag->conf->nsec3_insecure_above;
		p->bogus_above = ag->conf->nsec3_bogus_above;
	}
}

/* A negative trust anchor (RFC 7646) says: do not vouch for anything below it. */
static bool
under_nta(const struct aggressive *ag, const uint8_t *name, size_t len, uint64_t unix_now)
{
	for (unsigned int i = 0; ag->conf != NULL && i < ag->conf->n_ntas &&
			     i < VALIDATE_CHAIN_NTAS_MAX; i++) {
		const struct validate_nta *t = &ag->conf->ntas[i];

		if ((t->expires == 0 || t->expires > unix_now) &&
		    wire_name_is_subdomain(name, len, t->name, t->name_len))
			return true;
	}
	return false;
}

/* Where the search for a zone starts: a DS record lives in the parent, whose NSEC at
 * the child's name says whether it exists; the child apex's own NSEC cannot. */
static size_t
search_start(const struct cache_key *k)
{
	if (k->qtype == WIRE_TYPE_DS && k->name_len > 1)
		return (size_t)k->name[0] + 1;
	return 0;
}

/* The index of the record whose owner is @name or the last before it in canonical
 * order (records are kept in that order), or -1. */
static int
at_or_before(const struct cache_denial *d, const uint8_t *name, size_t len)
{
	int lo = 0, hi = (int)d->count - 1, found = -1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (wire_name_canonical_cmp(cache_denial_owner(d, (unsigned int)mid),
					    d->rr[mid].owner_len, name, len) <= 0) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

/*
 * NSEC3 hashes cost next to nothing at 0 iterations (RFC 9276's advice): then the
 * records are picked by hash like NSEC by name. With more iterations the proof's own
 * hashing dominates and hashing twice to pick would not pay; nor past this many
 * labels between the name and the zone (the proof's hash budget ends near there).
 */
#define PICK_NSEC3_ITERATIONS_MAX 10
#define PICK_LABELS_MAX 16

/* Lowercase base32hex (RFC 4648 §7) of an NSEC3 hash: the owner label it gets. */
static void
base32hex(const uint8_t h[VALIDATE_NSEC3_HASH_LEN], uint8_t out[32])
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";

	for (unsigned int i = 0; i < 32; i++) {
		unsigned int bit = i * 5, byte = bit / 8, shift = bit % 8;
		unsigned int v = (unsigned int)h[byte] << 8 |
				 (byte + 1 < VALIDATE_NSEC3_HASH_LEN ? h[byte + 1] : 0);

		out[i] = (uint8_t)digits[(v >> (11 - shift)) & 0x1f];
	}
}

/*
 * Mark the record a proof about @name would look at: NSEC, the one whose owner is
 * @name or comes last before it (matching or covering it); NSEC3 (@p: the hash
 * parameters), the same for the owner that @name's hash gives, and the last record
 * when the hash sorts before every owner (the chain wraps around). False when the
 * name cannot be hashed.
 */
static bool
mark(struct aggressive *ag, const struct validate_nsec3 *p, const uint8_t *name, size_t len,
     const struct cache_denial_key *zk, bool *pick)
{
	uint8_t h[VALIDATE_NSEC3_HASH_LEN], owner[WIRE_NAME_MAX];
	int i;

	if (p == NULL) {
		i = at_or_before(&ag->d, name, len);
	} else {
		if (33 + (size_t)zk->zone_len > sizeof(owner) ||
		    validate_nsec3_hash(name, len, p->salt, p->salt_len, p->iterations, h) != 0)
			return false;
		owner[0] = 32;
		base32hex(h, owner + 1);
		memcpy(owner + 33, zk->zone, zk->zone_len);
		i = at_or_before(&ag->d, owner, 33 + (size_t)zk->zone_len);
		if (i < 0)
			i = (int)ag->d.count - 1;
	}
	if (i >= 0)
		pick[i] = true;
	return true;
}

/*
 * The records a proof about the question can turn on, by binary search in the
 * entry's canonical order: for the name itself (matching it, or covering it and
 * saying whether it is an empty non-terminal), and for each ancestor down to the zone
 * and the wildcard under it (a delegation or DNAME above the name, the closest
 * encloser and its wildcard). In a consistent chain no other record can change the
 * proof; handing it only these keeps its cost flat however many records the zone's
 * entry holds. False: hand it everything.
 */
static bool
pick_records(struct aggressive *ag, const struct validate_nsec3 *p, const struct cache_key *k,
	     const struct cache_denial_key *zk, bool *pick)
{
	uint8_t wc[WIRE_NAME_MAX];
	const uint8_t *n = k->name;
	size_t len = k->name_len;

	if (!mark(ag, p, n, len, zk, pick))
		return false;
	for (unsigned int depth = 0; len > zk->zone_len && n[0] != 0; depth++) {
		if (p != NULL && depth == PICK_LABELS_MAX)
			return false;
		len -= (size_t)n[0] + 1;
		n += n[0] + 1;
		int wlen = validate_name_wildcard(n, len, wc, sizeof(wc));

		if (!mark(ag, p, n, len, zk, pick) ||
		    (wlen > 0 && !mark(ag, p, wc, (size_t)wlen, zk, pick)))
			return false;
	}
	return true;
}

/* ag->sel: the records handed to the proof. */
static void
select_records(struct aggressive *ag, const struct cache_key *k,
	       const struct cache_denial_key *zk)
{
	bool pick[CACHE_DENIAL_RR_MAX] = { false };
	struct validate_denial_rr first;
	struct validate_nsec3 p, *pp = NULL;
	bool all = false;

	if (ag->d.type == WIRE_TYPE_NSEC3) {
		first = (struct validate_denial_rr){ .owner = cache_denial_owner(&ag->d, 0),
			.owner_len = ag->d.rr[0].owner_len, .rdata = cache_denial_rdata(&ag->d, 0),
			.rdlen = ag->d.rr[0].rdlen };
		all = validate_nsec3_parse(&first, &p) != VALIDATE_DENIAL_OK ||
		      p.iterations > PICK_NSEC3_ITERATIONS_MAX;
		pp = &p;
	}
	all = all || !pick_records(ag, pp, k, zk, pick);
	ag->n_sel = 0;
	for (unsigned int j = 0; j < ag->d.count; j++)
		if (all || pick[j])
			ag->sel[ag->n_sel++] = (uint8_t)j;
}

static enum validate_aggressive
prove(struct aggressive *ag, const struct cache_denial_key *zk, const struct cache_key *k,
      struct validate_denial_info *info)
{
	struct validate_denial_set set = { .zone = zk->zone, .zone_len = zk->zone_len,
					   .rr = ag->rr };
	struct validate_nsec3_policy pol;

	select_records(ag, k, zk);
	for (unsigned int j = 0; j < ag->n_sel; j++) {
		unsigned int i = ag->sel[j];

		ag->rr[j] = (struct validate_denial_rr){
			.owner = cache_denial_owner(&ag->d, i), .owner_len = ag->d.rr[i].owner_len,
			.rdata = cache_denial_rdata(&ag->d, i), .rdlen = ag->d.rr[i].rdlen,
		};
	}
	set.count = ag->n_sel;
	if (ag->d.type != WIRE_TYPE_NSEC3)
		return validate_nsec_aggressive(&set, k->name, k->name_len, k->qtype, info);
	nsec3_policy(ag, &pol);
	return validate_nsec3_aggressive(&set, &pol, k->name, k->name_len, k->qtype, info);
}

/* ---- answering: which records to show ------------------------------------------------ */

/* "*." + the closest encloser the proof found; -1 when it found none (an exact
 * NODATA match needs no wildcard). */
static int
wildcard_of(const struct validate_denial_info *info, uint8_t *wc)
{
	if (info->closest_encloser == NULL)
		return -1;
	return validate_name_wildcard(info->closest_encloser, info->closest_encloser_len, wc,
				      WIRE_NAME_MAX);
}

/* NSEC: the records matching or covering the name, or the wildcard at its closest
 * encloser: what the proof looked at (RFC 4035 §3.1.3). */
static unsigned int
show_nsec(struct aggressive *ag, const struct cache_key *k,
	  const struct validate_denial_info *info)
{
	uint8_t wc[WIRE_NAME_MAX];
	int wlen = wildcard_of(info, wc);
	unsigned int n = 0;

	for (unsigned int i = 0; i < ag->n_sel; i++) {
		struct validate_nsec x;
		bool use = validate_nsec_parse(&ag->rr[i], &x) == VALIDATE_DENIAL_OK &&
			   (validate_nsec_matches(&x, k->name, k->name_len) ||
			    validate_nsec_covers(&x, k->name, k->name_len) ||
			    (wlen > 0 && (validate_nsec_matches(&x, wc, (size_t)wlen) ||
					  validate_nsec_covers(&x, wc, (size_t)wlen))));

		ag->used[i] = use;
		n += use;
	}
	return n;
}

/* The hashes an NSEC3 proof turns on (RFC 5155 §7.2): the name's own (matched), and
 * with a closest encloser: its hash (matched), the next closer name's (covered) and
 * the wildcard's (covered, or matched for a wildcard NODATA). */
enum { H_NAME, H_CE, H_NC, H_WC, H_N };

struct n3_hashes {
	bool ok[H_N];
	uint8_t h[H_N][VALIDATE_NSEC3_HASH_LEN];
};

static void
hash_one(const struct validate_nsec3 *p, const uint8_t *name, int len, struct n3_hashes *hs,
	 int which)
{
	hs->ok[which] = len > 0 && validate_nsec3_hash(name, (size_t)len, p->salt, p->salt_len,
						       p->iterations, hs->h[which]) == 0;
}

static void
nsec3_hashes(const struct validate_nsec3 *p, const struct cache_key *k,
	     const struct validate_denial_info *info, struct n3_hashes *hs)
{
	uint8_t wc[WIRE_NAME_MAX];
	const uint8_t *ce = info->closest_encloser;
	int nc;

	memset(hs, 0, sizeof(*hs));
	hash_one(p, k->name, k->name_len, hs, H_NAME);
	if (ce == NULL)
		return;
	hash_one(p, ce, (int)info->closest_encloser_len, hs, H_CE);
	nc = validate_name_ancestor(k->name, k->name_len,
				    validate_name_labels(ce, info->closest_encloser_len) + 1);
	if (nc >= 0)
		hash_one(p, k->name + nc, (int)(k->name_len - (size_t)nc), hs, H_NC);
	hash_one(p, wc, wildcard_of(info, wc), hs, H_WC);
}

static bool
nsec3_shown(const struct validate_nsec3 *x, const struct n3_hashes *hs)
{
	const size_t hl = VALIDATE_NSEC3_HASH_LEN;

	return (hs->ok[H_NAME] && validate_nsec3_matches(x, hs->h[H_NAME], hl)) ||
	       (hs->ok[H_CE] && validate_nsec3_matches(x, hs->h[H_CE], hl)) ||
	       (hs->ok[H_NC] && validate_nsec3_covers(x, hs->h[H_NC], hl)) ||
	       (hs->ok[H_WC] && (validate_nsec3_covers(x, hs->h[H_WC], hl) ||
				 validate_nsec3_matches(x, hs->h[H_WC], hl)));
}

/* NSEC3: hashed with the parameters of the entry's records (one family: the denial
 * store drops records of another salt or iteration count). */
static unsigned int
show_nsec3(struct aggressive *ag, const struct cache_key *k,
	   const struct validate_denial_info *info)
{
	struct validate_nsec3 p, x;
	struct n3_hashes hs;
	unsigned int n = 0;

	if (ag->n_sel == 0 || validate_nsec3_parse(&ag->rr[0], &p) != VALIDATE_DENIAL_OK)
		return 0;
	nsec3_hashes(&p, k, info, &hs);
	for (unsigned int i = 0; i < ag->n_sel; i++) {
		bool use = validate_nsec3_parse(&ag->rr[i], &x) == VALIDATE_DENIAL_OK &&
			   nsec3_shown(&x, &hs);

		ag->used[i] = use;
		n += use;
	}
	return n;
}

/* ---- answering: the response --------------------------------------------------------- */

/*
 * With DO, a record goes out with its RRSIGs, which the denial store does not keep:
 * the RRset store has them, from the same responses, as received. They are used only
 * when the store holds exactly the RDATA that was validated, and only RRSIGs by the
 * zone; without one the answer is not built (the client will be asked upstream for).
 */
static bool
put_sigs(struct aggressive *ag, struct wire_builder *b, const uint8_t *owner, size_t olen,
	 uint16_t type, const uint8_t *rdata, uint16_t rdlen, uint32_t ttl,
	 const struct cache_denial_key *zk, uint32_t now)
{
	struct cache_rrset *rs = &ag->rs;
	struct cache_rrset_key k;
	unsigned int n = 0;

	if (cache_rrset_key_init(ag->cache, &k, owner, olen, type, WIRE_CLASS_IN) != 0 ||
	    cache_rrset_lookup(ag->cache, ag->lcore, &k, now, rs) != CACHE_RRSET_HIT ||
	    rs->rr_count != 1 || rs->rdlen[0] != rdlen ||
	    memcmp(cache_rrset_rdata(rs, 0), rdata, rdlen) != 0)
		return false;
	for (unsigned int i = 0; i < rs->sig_count; i++) {
		const uint8_t *sig = cache_rrset_sig(rs, i);
		uint16_t slen = rs->rdlen[rs->rr_count + i];
		struct validate_rrsig s;

		if (validate_rrsig_parse(sig, slen, &s) != 0 ||
		    !wire_name_equal(s.signer, s.signer_len, zk->zone, zk->zone_len))
			continue;
		if (wire_build_rr(b, WIRE_SECTION_AUTHORITY, owner, olen, WIRE_TYPE_RRSIG,
				  WIRE_CLASS_IN, ttl, sig, slen) != WIRE_OK)
			return false;
		n++;
	}
	return n > 0;
}

/* One record in the authority section (with its RRSIGs for DO). */
static bool
put_record(struct aggressive *ag, struct wire_builder *b, const uint8_t *owner, size_t olen,
	   uint16_t type, const uint8_t *rdata, uint16_t rdlen, uint32_t ttl, bool dnssec,
	   const struct cache_denial_key *zk, uint32_t now)
{
	if (wire_build_rr(b, WIRE_SECTION_AUTHORITY, owner, olen, type, WIRE_CLASS_IN, ttl,
			  rdata, rdlen) != WIRE_OK)
		return false;
	return !dnssec || put_sigs(ag, b, owner, olen, type, rdata, rdlen, ttl, zk, now);
}

/* Every record of the answer lives as long as the shortest of the SOA and the records
 * shown: the negative answer is no stronger than its weakest part. */
static uint32_t
answer_ttl(const struct aggressive *ag)
{
	uint32_t ttl = ag->d.soa_ttl;

	for (unsigned int j = 0; j < ag->n_sel; j++)
		if (ag->used[j])
			ttl = min32(ttl, ag->d.rr[ag->sel[j]].ttl);
	return ttl;
}

static bool
build(struct aggressive *ag, const struct cache_key *k, const struct cache_denial_key *zk,
      uint8_t rcode, uint32_t now, struct wire_builder *b, uint8_t *buf, size_t cap)
{
	uint16_t flags = WIRE_FLAG_QR | WIRE_FLAG_RA | WIRE_FLAG_AD | rcode;
	bool dnssec = (k->flags & CACHE_KEY_DO) != 0;
	uint32_t ttl = answer_ttl(ag);
	const struct cache_denial *d = &ag->d;

	wire_build_init(b, buf, cap, cap);
	if (wire_build_header(b, 0, flags) != WIRE_OK ||
	    wire_build_question(b, k->name, k->name_len, k->qtype, k->qclass) != WIRE_OK ||
	    !put_record(ag, b, zk->zone, zk->zone_len, WIRE_TYPE_SOA, cache_denial_soa(d),
			d->soa_rdlen, ttl, dnssec, zk, now))
		return false;
	for (unsigned int j = 0; dnssec && j < ag->n_sel; j++) {
		unsigned int i = ag->sel[j];

		if (ag->used[j] &&
		    !put_record(ag, b, cache_denial_owner(d, i), d->rr[i].owner_len, d->type,
				cache_denial_rdata(d, i), d->rr[i].rdlen, ttl, true, zk, now))
			return false;
	}
	return !b->ttl_overflow;
}

enum aggressive_result
aggressive_answer(struct aggressive *ag, const struct cache_key *k, uint32_t now,
		  uint64_t unix_now, struct wire_builder *b, uint8_t *buf, size_t cap)
{
	struct cache_denial_key zk;
	struct validate_denial_info info;
	size_t start = search_start(k);
	enum validate_aggressive v;
	unsigned int shown;

	if (k->qclass != WIRE_CLASS_IN ||
	    cache_denial_find(ag->cache, ag->lcore, k->name + start, k->name_len - start, now,
			      &zk, &ag->d) < 0)
		return AGGRESSIVE_NONE;
	if (under_nta(ag, k->name, k->name_len, unix_now))
		return AGGRESSIVE_UNPROVEN;
	v = prove(ag, &zk, k, &info);
	if (v != VALIDATE_AGGR_NXDOMAIN && v != VALIDATE_AGGR_NODATA)
		return AGGRESSIVE_UNPROVEN;
	shown = ag->d.type == WIRE_TYPE_NSEC3 ? show_nsec3(ag, k, &info) : show_nsec(ag, k, &info);
	if (shown == 0 ||
	    !build(ag, k, &zk, v == VALIDATE_AGGR_NXDOMAIN ? WIRE_RCODE_NXDOMAIN : WIRE_RCODE_NOERROR,
		   now, b, buf, cap))
		return AGGRESSIVE_UNPROVEN;
	return v == VALIDATE_AGGR_NXDOMAIN ? AGGRESSIVE_NXDOMAIN : AGGRESSIVE_NODATA;
}
