/*
 * validate_nsec.c - what NSEC records prove (RFC 4035 §5.4, RFC 6840 §4.1,
 * RFC 7129), type bitmaps (RFC 4034 §4.1.2) and the denial result helpers.
 *
 * Pure C, no allocation. Signatures were checked by the caller; this file
 * only decides what the signed records say about a name.
 *
 * How an NSEC chain denies a name
 * -------------------------------
 * A signed zone's names, sorted in canonical order (RFC 4034 §6.1), form a
 * ring: each NSEC names the next existing name, the last one names the apex.
 * A name strictly between an owner and its next name does not exist ("is
 * covered"), unless the next name lies below it: then it is an empty
 * non-terminal, which exists without records. The closest encloser of a
 * covered name, its deepest existing ancestor, is the deeper of its common
 * ancestors with the owner and with the next name: both ends exist, so do
 * their ancestors, and nothing between them does.
 *
 * An NSEC at a delegation point is the parent's (NS set, SOA not set), and one
 * with DNAME redirects everything below its owner: neither may be believed
 * about names below its owner (RFC 6840 §4.1), because those names live in
 * another zone, and an attacker could otherwise replay the parent's NSEC to
 * deny the child's data.
 */
#include <string.h>

#include "validate_denial.h"

/* ---- Results ------------------------------------------------------------------------ */

int validate_denial_ede(enum validate_denial r)
{
	switch (r) {
	case VALIDATE_DENIAL_PROVEN:
	case VALIDATE_DENIAL_INSECURE_OPTOUT:
		return WIRE_EDE_NONE;
	case VALIDATE_DENIAL_BOGUS:
		return WIRE_EDE_DNSSEC_BOGUS;
	case VALIDATE_DENIAL_MISSING:
		return WIRE_EDE_NSEC_MISSING;
	case VALIDATE_DENIAL_INSECURE_ITERATIONS:
	case VALIDATE_DENIAL_BOGUS_ITERATIONS:
		return VALIDATE_EDE_NSEC3_ITERATIONS;
	case VALIDATE_DENIAL_EINVAL:
		break;
	}
	return WIRE_EDE_OTHER;
}

const char *validate_denial_name(enum validate_denial r)
{
	switch (r) {
	case VALIDATE_DENIAL_PROVEN:
		return "proven";
	case VALIDATE_DENIAL_BOGUS:
		return "bogus";
	case VALIDATE_DENIAL_MISSING:
		return "missing";
	case VALIDATE_DENIAL_INSECURE_OPTOUT:
		return "insecure-optout";
	case VALIDATE_DENIAL_INSECURE_ITERATIONS:
		return "insecure-iterations";
	case VALIDATE_DENIAL_BOGUS_ITERATIONS:
		return "bogus-iterations";
	case VALIDATE_DENIAL_EINVAL:
		return "invalid-arguments";
	}
	return "unknown";
}

bool validate_denial_is_insecure(enum validate_denial r)
{
	return r == VALIDATE_DENIAL_INSECURE_OPTOUT || r == VALIDATE_DENIAL_INSECURE_ITERATIONS;
}

/* ---- Type bitmaps ----------------------------------------------------------------------- */

/*
 * The field is a run of (window, length, octets) blocks. Window w, octet i,
 * bit b (from the most significant) stands for type w*256 + i*8 + b.
 */
int validate_bitmap_check(const uint8_t *bm, size_t len)
{
	size_t pos = 0;
	int last_window = -1;

	while (pos < len) {
		if (len - pos < 2)
			return VALIDATE_DENIAL_EBITMAP;
		uint8_t window = bm[pos], blen = bm[pos + 1];
		if ((int)window <= last_window || blen == 0 || blen > 32 ||
		    (size_t)blen > len - pos - 2)
			return VALIDATE_DENIAL_EBITMAP;
		last_window = window;
		pos += 2 + (size_t)blen;
	}
	return VALIDATE_DENIAL_OK;
}

bool validate_bitmap_has(const uint8_t *bm, size_t len, uint16_t type)
{
	uint8_t want = (uint8_t)(type >> 8), octet = (uint8_t)((type & 0xFF) >> 3);
	uint8_t mask = (uint8_t)(0x80 >> (type & 7));
	size_t pos = 0;

	if (validate_bitmap_check(bm, len) != VALIDATE_DENIAL_OK)
		return false;
	while (pos < len) {
		uint8_t window = bm[pos], blen = bm[pos + 1];
		if (window == want)
			return octet < blen && (bm[pos + 2 + octet] & mask) != 0;
		if (window > want)
			return false;
		pos += 2 + (size_t)blen;
	}
	return false;
}

/* ---- One NSEC ------------------------------------------------------------------------ */

int validate_nsec_parse(const struct validate_denial_rr *rr, struct validate_nsec *out)
{
	int olen = wire_name_length(rr->owner, rr->owner_len);
	if (olen < 0 || (size_t)olen != rr->owner_len)
		return VALIDATE_DENIAL_ENAME;
	int nlen = wire_name_length(rr->rdata, rr->rdlen);
	if (nlen < 0)
		return nlen == WIRE_ESHORT ? VALIDATE_DENIAL_ERDATA : VALIDATE_DENIAL_ENAME;

	out->owner = rr->owner;
	out->owner_len = rr->owner_len;
	out->next = rr->rdata;
	out->next_len = (size_t)nlen;
	out->bitmap = rr->rdata + nlen;
	out->bitmap_len = rr->rdlen - (size_t)nlen;
	return validate_bitmap_check(out->bitmap, out->bitmap_len);
}

bool validate_nsec_matches(const struct validate_nsec *n, const uint8_t *name, size_t len)
{
	return wire_name_equal(n->owner, n->owner_len, name, len);
}

bool validate_nsec_covers(const struct validate_nsec *n, const uint8_t *name, size_t len)
{
	if (validate_name_canonical_cmp(n->owner, n->owner_len, name, len) >= 0)
		return false;
	if (validate_name_canonical_cmp(n->owner, n->owner_len, n->next, n->next_len) < 0)
		return validate_name_canonical_cmp(name, len, n->next, n->next_len) < 0;
	/* The last NSEC: its next name is the apex, so everything after the owner
	 * up to the end of the apex's zone is covered, and nothing outside it. */
	return wire_name_is_subdomain(name, len, n->next, n->next_len);
}

bool validate_nsec_has_type(const struct validate_nsec *n, uint16_t type)
{
	return validate_bitmap_has(n->bitmap, n->bitmap_len, type);
}

/* ---- Looking through a set ---------------------------------------------------------- */

/* Record @i parsed, if it is well formed and belongs to the signer's zone. */
static bool nsec_at(const struct validate_denial_set *set, size_t i, struct validate_nsec *n)
{
	if (validate_nsec_parse(&set->rr[i], n) != VALIDATE_DENIAL_OK)
		return false;
	return wire_name_is_subdomain(n->owner, n->owner_len, set->zone, set->zone_len) &&
	       wire_name_is_subdomain(n->next, n->next_len, set->zone, set->zone_len);
}

static size_t usable_count(const struct validate_denial_set *set)
{
	struct validate_nsec n;
	size_t count = 0;

	for (size_t i = 0; i < set->count; i++)
		count += nsec_at(set, i, &n);
	return count;
}

/* RFC 6840 §4.1: may this NSEC be believed about @name? */
static bool speaks_for(const struct validate_nsec *n, const uint8_t *name, size_t len)
{
	if (!validate_name_is_below(name, len, n->owner, n->owner_len))
		return true;
	if (validate_nsec_has_type(n, WIRE_TYPE_DNAME))
		return false;
	return !(validate_nsec_has_type(n, WIRE_TYPE_NS) &&
		 !validate_nsec_has_type(n, WIRE_TYPE_SOA));
}

static bool find_match(const struct validate_denial_set *set, const uint8_t *name, size_t len,
		       struct validate_nsec *out)
{
	for (size_t i = 0; i < set->count; i++) {
		if (nsec_at(set, i, out) && validate_nsec_matches(out, name, len))
			return true;
	}
	return false;
}

static bool find_cover(const struct validate_denial_set *set, const uint8_t *name, size_t len,
		       struct validate_nsec *out)
{
	for (size_t i = 0; i < set->count; i++) {
		if (nsec_at(set, i, out) && validate_nsec_covers(out, name, len) &&
		    speaks_for(out, name, len))
			return true;
	}
	return false;
}

/* A covering NSEC whose next name lies below @name: @name is an empty
 * non-terminal and exists. */
static bool covers_as_ent(const struct validate_nsec *n, const uint8_t *name, size_t len)
{
	return validate_name_is_below(n->next, n->next_len, name, len);
}

static int nsec_ce_labels(const struct validate_nsec *n, const uint8_t *name, size_t len)
{
	int a = validate_name_common_labels(name, len, n->owner, n->owner_len);
	int b = validate_name_common_labels(name, len, n->next, n->next_len);
	return a > b ? a : b;
}

/*
 * @name does not exist: covered, not matched, not an empty non-terminal.
 * *ce_labels: the label count of its closest encloser.
 */
static bool proves_absent(const struct validate_denial_set *set, const uint8_t *name, size_t len,
			  int *ce_labels)
{
	struct validate_nsec n;

	if (find_match(set, name, len, &n) || !find_cover(set, name, len, &n) ||
	    covers_as_ent(&n, name, len))
		return false;
	*ce_labels = nsec_ce_labels(&n, name, len);
	return true;
}

/* The wildcard at the ancestor of @qname with @ce_labels labels, into @wc. */
static int wildcard_at(const uint8_t *qname, size_t qlen, int ce_labels, uint8_t *wc)
{
	int off = validate_name_ancestor(qname, qlen, ce_labels);
	if (off < 0)
		return off;
	return validate_name_wildcard(qname + off, qlen - (size_t)off, wc, WIRE_NAME_MAX);
}

static void info_reset(struct validate_denial_info *info)
{
	if (info != NULL)
		memset(info, 0, sizeof(*info));
}

static void info_set_ce(struct validate_denial_info *info, const uint8_t *qname, size_t qlen,
			int ce_labels)
{
	int off = validate_name_ancestor(qname, qlen, ce_labels);
	if (info == NULL || off < 0)
		return;
	info->closest_encloser = qname + off;
	info->closest_encloser_len = qlen - (size_t)off;
}

/*
 * Common entry checks: EINVAL for invalid names, MISSING without a usable
 * record. PROVEN means "go on". A qname outside the signer's zone needs no
 * test of its own: the zone's names form one stretch of the canonical order
 * (the wrap-around NSEC is held to the apex's subtree), so no record of the
 * zone covers or matches it.
 */
static enum validate_denial entry_check(const struct validate_denial_set *set,
					const uint8_t *qname, size_t qlen,
					struct validate_denial_info *info)
{
	info_reset(info);
	if (set == NULL || qname == NULL || set->zone == NULL ||
	    (set->count > 0 && set->rr == NULL))
		return VALIDATE_DENIAL_EINVAL;
	int ql = wire_name_length(qname, qlen);
	int zl = wire_name_length(set->zone, set->zone_len);
	if (ql < 0 || (size_t)ql != qlen || zl < 0 || (size_t)zl != set->zone_len)
		return VALIDATE_DENIAL_EINVAL;
	if (usable_count(set) == 0)
		return VALIDATE_DENIAL_MISSING;
	return VALIDATE_DENIAL_PROVEN;
}

/* ---- Proofs ----------------------------------------------------------------------------- */

enum validate_denial validate_nsec_prove_nxdomain(const struct validate_denial_set *set,
						  const uint8_t *qname, size_t qlen,
						  struct validate_denial_info *info)
{
	enum validate_denial r = entry_check(set, qname, qlen, info);
	if (r != VALIDATE_DENIAL_PROVEN)
		return r;

	int ce_labels;
	if (!proves_absent(set, qname, qlen, &ce_labels))
		return VALIDATE_DENIAL_BOGUS;
	info_set_ce(info, qname, qlen, ce_labels);

	/* No wildcard at the closest encloser, or the answer should have come from it. */
	uint8_t wc[WIRE_NAME_MAX];
	int wlen = wildcard_at(qname, qlen, ce_labels, wc);
	struct validate_nsec n;
	if (wlen < 0 || find_match(set, wc, (size_t)wlen, &n) ||
	    !find_cover(set, wc, (size_t)wlen, &n))
		return VALIDATE_DENIAL_BOGUS;
	return VALIDATE_DENIAL_PROVEN;
}

/* NODATA from the NSEC at the name itself. */
static enum validate_denial nodata_at_match(const struct validate_nsec *n, uint16_t qtype)
{
	if (validate_nsec_has_type(n, qtype) || validate_nsec_has_type(n, WIRE_TYPE_CNAME))
		return VALIDATE_DENIAL_BOGUS;
	bool ns = validate_nsec_has_type(n, WIRE_TYPE_NS);
	bool soa = validate_nsec_has_type(n, WIRE_TYPE_SOA);
	/* DS lives on the parent side: the child's apex NSEC cannot deny it. The root
	 * has no parent: its own NSEC answers ". DS" (RFC 4035 §3.1.4.1). */
	if (qtype == WIRE_TYPE_DS)
		return soa && n->owner_len > 1 ? VALIDATE_DENIAL_BOGUS : VALIDATE_DENIAL_PROVEN;
	/* Every other type at a delegation lives in the child: the parent's NSEC
	 * cannot deny it. */
	return ns && !soa ? VALIDATE_DENIAL_BOGUS : VALIDATE_DENIAL_PROVEN;
}

/* Wildcard NODATA: qname absent, and the wildcard at its closest encloser
 * exists without qtype and without CNAME. */
static bool wildcard_nodata(const struct validate_denial_set *set, const uint8_t *qname,
			    size_t qlen, uint16_t qtype, struct validate_denial_info *info)
{
	int ce_labels;
	uint8_t wc[WIRE_NAME_MAX];
	struct validate_nsec w;

	if (!proves_absent(set, qname, qlen, &ce_labels))
		return false;
	int wlen = wildcard_at(qname, qlen, ce_labels, wc);
	if (wlen < 0 || !find_match(set, wc, (size_t)wlen, &w) ||
	    validate_nsec_has_type(&w, qtype) || validate_nsec_has_type(&w, WIRE_TYPE_CNAME))
		return false;
	info_set_ce(info, qname, qlen, ce_labels);
	if (info != NULL)
		info->wildcard = true;
	return true;
}

enum validate_denial validate_nsec_prove_nodata(const struct validate_denial_set *set,
						const uint8_t *qname, size_t qlen, uint16_t qtype,
						struct validate_denial_info *info)
{
	enum validate_denial r = entry_check(set, qname, qlen, info);
	if (r != VALIDATE_DENIAL_PROVEN)
		return r;

	struct validate_nsec n;
	if (find_match(set, qname, qlen, &n))
		return nodata_at_match(&n, qtype);
	if (find_cover(set, qname, qlen, &n) && covers_as_ent(&n, qname, qlen))
		return VALIDATE_DENIAL_PROVEN;
	if (qtype != WIRE_TYPE_DS && wildcard_nodata(set, qname, qlen, qtype, info))
		return VALIDATE_DENIAL_PROVEN;
	return VALIDATE_DENIAL_BOGUS;
}

enum validate_denial validate_nsec_prove_wildcard(const struct validate_denial_set *set,
						  const uint8_t *qname, size_t qlen,
						  uint8_t rrsig_labels,
						  struct validate_denial_info *info)
{
	enum validate_denial r = entry_check(set, qname, qlen, info);
	if (r == VALIDATE_DENIAL_EINVAL)
		return r;
	/* Labels as RRSIGs count them: a literal "*" label is not counted. */
	if (rrsig_labels >= wire_name_label_count(qname, qlen))
		return VALIDATE_DENIAL_EINVAL;
	if (r != VALIDATE_DENIAL_PROVEN)
		return r;

	/* qname is absent and its closest encloser is the wildcard's parent: a
	 * deeper one would have answered instead of the wildcard, a shallower one
	 * means the wildcard's parent does not exist. The closest encloser comes
	 * from the zone's own names, so the wildcard lies in the zone too. */
	int ce_labels;
	if (!proves_absent(set, qname, qlen, &ce_labels) || ce_labels != rrsig_labels)
		return VALIDATE_DENIAL_BOGUS;
	info_set_ce(info, qname, qlen, rrsig_labels);
	return VALIDATE_DENIAL_PROVEN;
}

enum validate_denial validate_nsec_prove_insecure_delegation(
	const struct validate_denial_set *set, const uint8_t *child, size_t clen,
	struct validate_denial_info *info)
{
	enum validate_denial r = entry_check(set, child, clen, info);
	if (r != VALIDATE_DENIAL_PROVEN)
		return r;

	/* At the zone apex itself this finds the apex NSEC, whose SOA bit fails it. */
	struct validate_nsec n;
	if (!find_match(set, child, clen, &n) || !validate_nsec_has_type(&n, WIRE_TYPE_NS) ||
	    validate_nsec_has_type(&n, WIRE_TYPE_DS) || validate_nsec_has_type(&n, WIRE_TYPE_SOA))
		return VALIDATE_DENIAL_BOGUS;
	return VALIDATE_DENIAL_PROVEN;
}

/* ---- RFC 8198 ------------------------------------------------------------------------ */

/* qname absent and the wildcard at its closest encloser holds qtype (or a
 * CNAME, which the synthesised answer would follow). */
static bool wildcard_positive(const struct validate_denial_set *set, const uint8_t *qname,
			      size_t qlen, uint16_t qtype, struct validate_denial_info *info)
{
	int ce_labels;
	uint8_t wc[WIRE_NAME_MAX];
	struct validate_nsec w;

	if (!proves_absent(set, qname, qlen, &ce_labels))
		return false;
	int wlen = wildcard_at(qname, qlen, ce_labels, wc);
	if (wlen < 0 || !find_match(set, wc, (size_t)wlen, &w) ||
	    !(validate_nsec_has_type(&w, qtype) || validate_nsec_has_type(&w, WIRE_TYPE_CNAME)))
		return false;
	info_set_ce(info, qname, qlen, ce_labels);
	return true;
}

enum validate_aggressive validate_nsec_aggressive(const struct validate_denial_set *set,
						  const uint8_t *qname, size_t qlen,
						  uint16_t qtype,
						  struct validate_denial_info *info)
{
	if (validate_nsec_prove_nxdomain(set, qname, qlen, info) == VALIDATE_DENIAL_PROVEN)
		return VALIDATE_AGGR_NXDOMAIN;
	if (validate_nsec_prove_nodata(set, qname, qlen, qtype, info) == VALIDATE_DENIAL_PROVEN)
		return VALIDATE_AGGR_NODATA;
	/* entry_check() clears what the failed proofs left in info. */
	if (qtype != WIRE_TYPE_DS && entry_check(set, qname, qlen, info) == VALIDATE_DENIAL_PROVEN &&
	    wildcard_positive(set, qname, qlen, qtype, info))
		return VALIDATE_AGGR_WILDCARD;
	return VALIDATE_AGGR_NONE;
}
