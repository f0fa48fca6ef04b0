/*
 * resolve_reply.c - what one accepted upstream response means for the active frame.
 *
 * The order of the checks (after resolve_response() matched address, port, ID and
 * question, and the message parsed):
 *   1. FORMERR/NOTIMP without OPT to a query with EDNS: the server does not speak
 *      EDNS; ask it again without (remembered per server).
 *   2. TC=1 over UDP: ask the same server over TCP.
 *   3. A minimised query (RFC 9156) that met NXDOMAIN, FORMERR, NOTIMP, SERVFAIL or
 *      YXDOMAIN: relaxed mode, ask the full name instead (RFC 8020 says NXDOMAIN
 *      would end the matter, but servers exist that get empty non-terminals wrong).
 *   4. Any rcode but NOERROR/NXDOMAIN: the server is lame for the zone; but YXDOMAIN
 *      with a DNAME that makes the name asked too long is an answer (RFC 6672 §2.2).
 *   5. Not authoritative (AA=0, not a forwarder): a referral to a zone below the one
 *      asked is followed; an answer carrying the data (records of the name asked, or
 *      a negative answer with the zone's SOA) goes on as in 6; an upward referral or
 *      anything else makes the server lame.
 *   6. Authoritative but empty, without SOA, with an NS set: one below the zone is
 *      a referral (servers exist that set AA on everything), one above or outside
 *      it an upward referral (lame).
 *   7. Authoritative: the answer chain (the name, CNAMEs, DNAMEs) is taken only as
 *      far as its owners lie inside the zone the server was asked as (RFC 2181
 *      §5.4.1 trust ranking: answer data only from the zone authoritative for it);
 *      a CNAME leaving the zone is followed with a new lookup. A CNAME under a DNAME
 *      must be the one the DNAME synthesises, else the response contradicts itself
 *      and the server is lame (malformed); a name met twice is a loop (SERVFAIL).
 * Glue is taken only for NS names of the referral and only when its owner lies
 * inside the zone of the server that sent it (out-of-bailiwick glue is ignored).
 */
#include <string.h>

#include "resolve_internal.h"

enum chain_result {
	CHAIN_NONE,      /* nothing for the name in the answer section */
	CHAIN_ANSWERED,  /* the RRset asked for was found (after any aliases) */
	CHAIN_MOVED,     /* aliases followed; the target's data is not in this message */
	CHAIN_FINISHED,  /* the frame was finished or failed (limit, YXDOMAIN) */
};

enum referral_kind {
	REFERRAL_NONE,
	REFERRAL_DOWN,   /* NS set of a zone below the one asked */
	REFERRAL_UPWARD, /* NS set of the zone itself or of an unrelated/higher zone */
};

/* ---- reading records ----------------------------------------------------------------------- */

static bool rr_owner(const uint8_t *pkt, size_t len, const struct wire_rr_ref *r,
		     uint8_t *out, size_t *olen)
{
	return wire_name_unpack(pkt, len, r->name_off, out, olen, NULL) == WIRE_OK;
}

static bool owner_is(const uint8_t *pkt, size_t len, const struct wire_rr_ref *r,
		     const uint8_t *name, size_t nlen)
{
	uint8_t o[WIRE_NAME_MAX];
	size_t olen;
	return rr_owner(pkt, len, r, o, &olen) && wire_name_equal(o, olen, name, nlen);
}

static uint16_t rrsig_covers(const uint8_t *pkt, const struct wire_rr_ref *r)
{
	return r->type == WIRE_TYPE_RRSIG && r->rdlen >= 2 ? wire_get_u16(pkt + r->rdata_off) : 0;
}

static bool rdata_name(const uint8_t *pkt, size_t len, const struct wire_rr_ref *r,
		       uint8_t *out, size_t *olen)
{
	return wire_name_unpack(pkt, len, r->rdata_off, out, olen, NULL) == WIRE_OK;
}

/* Section bounds in m->rr[]. */
static void section_range(const struct wire_msg *m, uint8_t section, int *from, int *to)
{
	int an = m->hdr.ancount, ns = m->hdr.nscount;
	if (section == WIRE_SECTION_ANSWER) {
		*from = 0;
		*to = an;
	} else if (section == WIRE_SECTION_AUTHORITY) {
		*from = an;
		*to = an + ns;
	} else {
		*from = an + ns;
		*to = m->rr_count;
	}
	if (*to > m->rr_count)
		*to = m->rr_count;
}

/* Keep one record of the message for the client (frame 0), or its address for the
 * frame below (NS_ADDR frames). RDATA is stored uncompressed. */
static void keep_ref(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
		     size_t len, const struct wire_rr_ref *r, uint8_t section, uint64_t now)
{
	if (rq->depth > 0) {
		if (section == WIRE_SECTION_ANSWER)
			resolve_keep_address(ctx, rq, r->type, pkt + r->rdata_off, r->rdlen, now);
		return;
	}
	uint8_t owner[WIRE_NAME_MAX];
	size_t olen, rdlen;
	if (!rr_owner(pkt, len, r, owner, &olen))
		return;
	if (rq->rr_count >= RESOLVE_RR_MAX || rq->data_used + olen > RESOLVE_DATA_MAX) {
		rq->truncated = true;
		return;
	}
	/* decompress straight into the result area, then record it */
	size_t room = RESOLVE_DATA_MAX - rq->data_used - olen;
	uint8_t *dst = rq->data + rq->data_used + olen;
	if (wire_rdata_decompress(pkt, len, r, dst, room, &rdlen) != WIRE_OK) {
		rq->truncated = true;
		return;
	}
	uint8_t rdata[WIRE_NAME_MAX * 2];
	if (rdlen <= sizeof(rdata)) {
		memcpy(rdata, dst, rdlen);
		resolve_keep_rr(rq, section, owner, olen, r->type, r->class, r->ttl, rdata, rdlen);
		return;
	}
	/* large RDATA (TXT, DNSKEY...): it is already in place after the owner */
	struct resolve_rr *k = &rq->rr[rq->rr_count++];
	k->section = section;
	k->owner_off = rq->data_used;
	k->owner_len = (uint8_t)olen;
	memcpy(rq->data + rq->data_used, owner, olen);
	k->rdata_off = (uint16_t)(rq->data_used + olen);
	k->rdlen = (uint16_t)rdlen;
	k->type = r->type;
	k->class = r->class;
	k->ttl = r->ttl;
	rq->data_used = (uint16_t)(rq->data_used + olen + rdlen);
}

/* Does the answer section hold an RRset of @type (any type for ANY) at @name? */
static bool has_rrset(const uint8_t *pkt, size_t len, const struct wire_msg *m,
		      const uint8_t *name, size_t nlen, uint16_t type)
{
	int from, to;
	section_range(m, WIRE_SECTION_ANSWER, &from, &to);
	for (int i = from; i < to; i++) {
		const struct wire_rr_ref *r = &m->rr[i];
		if ((r->type == type || (type == WIRE_TYPE_ANY && r->type != WIRE_TYPE_RRSIG)) &&
		    owner_is(pkt, len, r, name, nlen))
			return true;
	}
	return false;
}

/* Keep the answer records of @type at @name and the RRSIGs that cover them. */
static void keep_rrset(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
		       size_t len, const struct wire_msg *m, const uint8_t *name, size_t nlen,
		       uint16_t type, uint64_t now)
{
	int from, to;
	section_range(m, WIRE_SECTION_ANSWER, &from, &to);
	for (int i = from; i < to; i++) {
		const struct wire_rr_ref *r = &m->rr[i];
		bool want = type == WIRE_TYPE_ANY || r->type == type || rrsig_covers(pkt, r) == type;
		if (want && owner_is(pkt, len, r, name, nlen))
			keep_ref(ctx, rq, pkt, len, r, WIRE_SECTION_ANSWER, now);
	}
}

/* The first answer record of @type at @name, or -1. */
static int find_rr(const uint8_t *pkt, size_t len, const struct wire_msg *m,
		   const uint8_t *name, size_t nlen, uint16_t type)
{
	int from, to;
	section_range(m, WIRE_SECTION_ANSWER, &from, &to);
	for (int i = from; i < to; i++)
		if (m->rr[i].type == type && owner_is(pkt, len, &m->rr[i], name, nlen))
			return i;
	return -1;
}

/* The deepest DNAME in the answer whose owner is a proper ancestor of @name and
 * lies in @zone; its owner goes to @owner. Returns its index or -1. */
static int find_dname(const uint8_t *pkt, size_t len, const struct wire_msg *m,
		      const uint8_t *name, size_t nlen, const uint8_t *zone, size_t zlen,
		      uint8_t *owner, size_t *olen)
{
	int from, to, best = -1;
	section_range(m, WIRE_SECTION_ANSWER, &from, &to);
	for (int i = from; i < to; i++) {
		uint8_t o[WIRE_NAME_MAX];
		size_t ol;
		if (m->rr[i].type != WIRE_TYPE_DNAME || !rr_owner(pkt, len, &m->rr[i], o, &ol))
			continue;
		if (ol < nlen && wire_name_is_subdomain(name, nlen, o, ol) &&
		    wire_name_is_subdomain(o, ol, zone, zlen) && (best < 0 || ol > *olen)) {
			memcpy(owner, o, ol);
			*olen = ol;
			best = i;
		}
	}
	return best;
}

enum synthesis {
	SYNTH_OK,
	SYNTH_TOO_LONG,  /* the new name would exceed 255 bytes: YXDOMAIN */
	SYNTH_BAD,       /* the DNAME's RDATA is no name */
};

/* The CNAME target the DNAME @d (owner @olen bytes long) makes of @name (RFC 6672
 * §2.2): @name with the owner replaced by the DNAME's target, into @out. */
static enum synthesis dname_synthesise(const uint8_t *pkt, size_t len,
				       const struct wire_rr_ref *d, const uint8_t *name,
				       size_t nlen, size_t olen, uint8_t *out, size_t *outlen)
{
	uint8_t target[WIRE_NAME_MAX];
	size_t tlen, prefix = nlen - olen;
	if (!rdata_name(pkt, len, d, target, &tlen))
		return SYNTH_BAD;
	if (prefix + tlen > WIRE_NAME_MAX)
		return SYNTH_TOO_LONG;
	memcpy(out, name, prefix);
	memcpy(out + prefix, target, tlen);
	*outlen = prefix + tlen;
	return SYNTH_OK;
}

/*
 * A CNAME of the answer section under a DNAME of the zone that is not the one the
 * DNAME synthesises. The resolver follows its own synthesis and drops the server's
 * copy, so without this check a forged or broken CNAME would pass unseen; a response
 * that contradicts its own DNAME is not taken at all (Deckard val_dname_bogus; RFC
 * 6672 §5.3.1: only a CNAME that matches its signed DNAME stands on its signature).
 */
static bool dname_contradicted(const uint8_t *pkt, size_t len, const struct wire_msg *m,
			       const struct resolve_dp *dp)
{
	int from, to;
	section_range(m, WIRE_SECTION_ANSWER, &from, &to);
	for (int i = from; i < to; i++) {
		uint8_t owner[WIRE_NAME_MAX], downer[WIRE_NAME_MAX], target[WIRE_NAME_MAX];
		uint8_t want[WIRE_NAME_MAX];
		size_t olen, dolen, tlen, wlen;
		if (m->rr[i].type != WIRE_TYPE_CNAME || !rr_owner(pkt, len, &m->rr[i], owner, &olen))
			continue;
		int d = find_dname(pkt, len, m, owner, olen, dp->zone, dp->zone_len, downer, &dolen);
		if (d < 0)
			continue;
		if (!rdata_name(pkt, len, &m->rr[i], target, &tlen) ||
		    dname_synthesise(pkt, len, &m->rr[d], owner, olen, dolen, want, &wlen) != SYNTH_OK ||
		    !wire_name_equal(want, wlen, target, tlen))
			return true;
	}
	return false;
}

/* An SOA of the zone (or below it) in the authority section: a negative answer. */
static bool has_soa(const uint8_t *pkt, size_t len, const struct wire_msg *m,
		    const struct resolve_dp *dp)
{
	int from, to;
	section_range(m, WIRE_SECTION_AUTHORITY, &from, &to);
	for (int i = from; i < to; i++) {
		uint8_t o[WIRE_NAME_MAX];
		size_t olen;
		if (m->rr[i].type == WIRE_TYPE_SOA && rr_owner(pkt, len, &m->rr[i], o, &olen) &&
		    wire_name_is_subdomain(o, olen, dp->zone, dp->zone_len))
			return true;
	}
	return false;
}

/* Keep what a negative answer needs (SOA for its TTL, NSEC/NSEC3 and signatures for
 * the validator), from the zone only. */
static void keep_negative(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
			  size_t len, const struct wire_msg *m, const struct resolve_dp *dp,
			  uint64_t now)
{
	int from, to;
	section_range(m, WIRE_SECTION_AUTHORITY, &from, &to);
	for (int i = from; i < to; i++) {
		const struct wire_rr_ref *r = &m->rr[i];
		uint8_t o[WIRE_NAME_MAX];
		size_t olen;
		if (r->type != WIRE_TYPE_SOA && r->type != WIRE_TYPE_NSEC &&
		    r->type != WIRE_TYPE_NSEC3 && r->type != WIRE_TYPE_RRSIG)
			continue;
		if (rr_owner(pkt, len, r, o, &olen) &&
		    wire_name_is_subdomain(o, olen, dp->zone, dp->zone_len))
			keep_ref(ctx, rq, pkt, len, r, WIRE_SECTION_AUTHORITY, now);
	}
}

/* An RRSIG in the answer section whose labels field is below its owner's label
 * count: the RRset it covers was expanded from a wildcard (RFC 4035 §5.3.1). */
static bool answer_from_wildcard(const uint8_t *pkt, size_t len, const struct wire_msg *m)
{
	int from, to;
	section_range(m, WIRE_SECTION_ANSWER, &from, &to);
	for (int i = from; i < to; i++) {
		const struct wire_rr_ref *r = &m->rr[i];
		uint8_t o[WIRE_NAME_MAX];
		size_t olen;
		if (r->type == WIRE_TYPE_RRSIG && r->rdlen >= 4 && rr_owner(pkt, len, r, o, &olen) &&
		    pkt[r->rdata_off + 3] < resolve_name_labels(o, olen))
			return true;
	}
	return false;
}

/* Keep the NSEC/NSEC3 records of a positive answer's authority section and their
 * RRSIGs, from the zone only, when the answer is a wildcard expansion: they prove it
 * (RFC 4035 §5.3.4), and the validator needs them with the answer. Other answers go
 * without them (a server may add its NSEC records to any answer). */
static void keep_proofs(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
			size_t len, const struct wire_msg *m, const struct resolve_dp *dp,
			uint64_t now)
{
	int from, to;
	if (!answer_from_wildcard(pkt, len, m))
		return;
	section_range(m, WIRE_SECTION_AUTHORITY, &from, &to);
	for (int i = from; i < to; i++) {
		const struct wire_rr_ref *r = &m->rr[i];
		uint16_t t = r->type == WIRE_TYPE_RRSIG ? rrsig_covers(pkt, r) : r->type;
		uint8_t o[WIRE_NAME_MAX];
		size_t olen;
		if (t != WIRE_TYPE_NSEC && t != WIRE_TYPE_NSEC3)
			continue;
		if (rr_owner(pkt, len, r, o, &olen) &&
		    wire_name_is_subdomain(o, olen, dp->zone, dp->zone_len))
			keep_ref(ctx, rq, pkt, len, r, WIRE_SECTION_AUTHORITY, now);
	}
}

/* ---- referrals ---------------------------------------------------------------------------- */

static unsigned referral_records_kept(const struct resolve_query *rq)
{
	unsigned n = 0;
	for (uint16_t i = 0; i < rq->rr_count; i++)
		n += rq->rr[i].section == RESOLVE_SECTION_REFERRAL;
	return n;
}

/* Keep a referral's NSEC/NSEC3 records and their RRSIGs from inside the sender's zone
 * @dp for the validator (RESOLVE_SECTION_REFERRAL): when the child is unsigned they
 * prove that it has no DS, which the parent's servers may not answer when asked.
 * Best effort and bounded: a proof that does not fit is left out (the validator then
 * asks for the DS), and never marks the result truncated. */
static void keep_referral_proof(struct resolve_ctx *ctx, struct resolve_query *rq,
				const uint8_t *pkt, size_t len, const struct wire_msg *m,
				const struct resolve_dp *dp, uint64_t now)
{
	bool truncated = rq->truncated;
	unsigned kept = referral_records_kept(rq);
	int from, to;

	if (rq->depth != 0)
		return;
	section_range(m, WIRE_SECTION_AUTHORITY, &from, &to);
	for (int i = from; i < to && kept < RESOLVE_REFERRAL_RR_MAX; i++) {
		const struct wire_rr_ref *r = &m->rr[i];
		uint16_t t = r->type == WIRE_TYPE_RRSIG ? rrsig_covers(pkt, r) : r->type;
		uint8_t o[WIRE_NAME_MAX];
		size_t olen;
		if (t != WIRE_TYPE_NSEC && t != WIRE_TYPE_NSEC3)
			continue;
		if (rq->rr_count >= RESOLVE_RR_MAX / 2 || rq->data_used >= RESOLVE_DATA_MAX / 2)
			break;
		if (rr_owner(pkt, len, r, o, &olen) &&
		    wire_name_is_subdomain(o, olen, dp->zone, dp->zone_len)) {
			keep_ref(ctx, rq, pkt, len, r, RESOLVE_SECTION_REFERRAL, now);
			kept++;
		}
	}
	rq->truncated = truncated;
}

static enum referral_kind find_referral(const uint8_t *pkt, size_t len, const struct wire_msg *m,
					const struct resolve_frame *f, uint8_t *cut,
					size_t *cut_len)
{
	int from, to;
	enum referral_kind kind = REFERRAL_NONE;
	section_range(m, WIRE_SECTION_AUTHORITY, &from, &to);
	for (int i = from; i < to; i++) {
		uint8_t o[WIRE_NAME_MAX];
		size_t olen;
		if (m->rr[i].type != WIRE_TYPE_NS || !rr_owner(pkt, len, &m->rr[i], o, &olen))
			continue;
		bool below = wire_name_is_subdomain(o, olen, f->dp.zone, f->dp.zone_len) &&
			     !wire_name_equal(o, olen, f->dp.zone, f->dp.zone_len);
		if (below && wire_name_is_subdomain(f->sent_name, f->sent_len, o, olen)) {
			memcpy(cut, o, olen);
			*cut_len = olen;
			return REFERRAL_DOWN;
		}
		kind = REFERRAL_UPWARD;
	}
	return kind;
}

static void follow_referral(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
			    size_t len, const struct wire_msg *m, const uint8_t *cut,
			    size_t cut_len, uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	if (++rq->referrals > ctx->cfg.max_referrals) {
		ctx->stats.limit_hits++;
		resolve_frame_fail(rq, WIRE_EDE_OTHER, "referral limit reached");
		return;
	}
	struct resolve_dp dp;
	resolve_dp_init(&dp, RESOLVE_DP_ITERATE, cut, cut_len);
	uint32_t ttl = UINT32_MAX;
	int from, to;
	section_range(m, WIRE_SECTION_AUTHORITY, &from, &to);
	for (int i = from; i < to; i++) {
		const struct wire_rr_ref *r = &m->rr[i];
		uint8_t ns[WIRE_NAME_MAX];
		size_t nslen;
		if (r->type != WIRE_TYPE_NS || !owner_is(pkt, len, r, cut, cut_len) ||
		    !rdata_name(pkt, len, r, ns, &nslen))
			continue;
		resolve_dp_add_ns(&dp, ns, nslen); /* beyond RESOLVE_NS_MAX names: dropped */
		if (r->ttl < ttl)
			ttl = r->ttl;
	}
	if (dp.ns_count == 0) {
		resolve_server_lame(ctx, rq, RESOLVE_LAME_NOT_AUTH, now);
		return;
	}
	/* glue: addresses of the NS names, only from inside the sender's zone */
	section_range(m, WIRE_SECTION_ADDITIONAL, &from, &to);
	for (int i = from; i < to; i++) {
		const struct wire_rr_ref *r = &m->rr[i];
		uint8_t o[WIRE_NAME_MAX];
		size_t olen;
		struct resolve_addr a;
		if ((r->type != WIRE_TYPE_A || r->rdlen != 4) &&
		    (r->type != WIRE_TYPE_AAAA || r->rdlen != 16))
			continue;
		if (!rr_owner(pkt, len, r, o, &olen) ||
		    !wire_name_is_subdomain(o, olen, f->dp.zone, f->dp.zone_len))
			continue;
		int ns = resolve_dp_find_ns(&dp, o, olen);
		if (ns < 0)
			continue;
		memset(&a, 0, sizeof(a));
		a.family = r->type == WIRE_TYPE_A ? 4 : 6;
		a.port = 53;
		memcpy(a.ip, pkt + r->rdata_off, r->rdlen);
		resolve_dp_add_addr(&dp, (uint8_t)ns, &a);
	}
	ctx->stats.referrals++;
	keep_referral_proof(ctx, rq, pkt, len, m, &f->dp, now);
	resolve_infra_zone_put(ctx, &dp, ttl, now);
	resolve_keep_parent_side(ctx, rq, now);
	resolve_frame_use_dp(f, &dp);
}

/* ---- the answer chain ------------------------------------------------------------------------ */

/* The chain ends here: SERVFAIL, and for the client's question the chain gathered so
 * far goes with it (rq->chain_cut; as Knot Resolver and BIND answer). */
static void chain_fail(struct resolve_query *rq, const char *why)
{
	rq->chain_cut = rq->depth == 0;
	resolve_frame_fail(rq, WIRE_EDE_OTHER, why);
}

/* One more alias, at @cur: false (the frame failed) when @cur has its CNAME in the
 * result already (a loop, RFC 1034 §3.6.2: signalled as an error) or the chain is
 * too long. Checked before the alias is kept, so the result holds each link once. */
static bool chain_step(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *cur,
		       size_t curlen)
{
	if (resolve_holds_rr(rq, cur, curlen, WIRE_TYPE_CNAME)) {
		chain_fail(rq, "CNAME loop");
		return false;
	}
	if (++rq->cname_count > ctx->cfg.max_cname) {
		ctx->stats.limit_hits++;
		chain_fail(rq, "CNAME chain too long");
		return false;
	}
	return true;
}

/* Follow the DNAME at answer record @d: keep it (once per result) and a CNAME
 * synthesised from it (RFC 6672 §2.2), and move @cur to the new name. */
static bool chain_dname(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
			size_t len, const struct wire_msg *m, int d, const uint8_t *owner,
			size_t olen, uint8_t *cur, size_t *curlen, uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	uint8_t next[WIRE_NAME_MAX];
	size_t nlen;
	enum synthesis syn = dname_synthesise(pkt, len, &m->rr[d], cur, *curlen, olen, next, &nlen);
	if (syn == SYNTH_BAD)
		return false;
	if (!resolve_holds_rr(rq, owner, olen, WIRE_TYPE_DNAME))
		keep_rrset(ctx, rq, pkt, len, m, owner, olen, WIRE_TYPE_DNAME, now);
	if (syn == SYNTH_TOO_LONG) {
		resolve_frame_done(ctx, rq, WIRE_RCODE_YXDOMAIN, now);
		return false;
	}
	if (!chain_step(ctx, rq, cur, *curlen))
		return false;
	resolve_keep_rr(rq, WIRE_SECTION_ANSWER, cur, *curlen, WIRE_TYPE_CNAME, f->qclass,
			m->rr[d].ttl, next, nlen);
	memcpy(f->last_cname, cur, *curlen);
	f->last_cname_len = (uint8_t)*curlen;
	*curlen = nlen;
	memcpy(cur, next, nlen);
	return true;
}

/*
 * The name, its aliases and the RRset asked for, as far as they lie in the zone. A
 * DNAME above the name comes first (RFC 6672 §2.4: nothing below a DNAME but what it
 * synthesises; the server's CNAME for the name is that synthesis): for a question of
 * type CNAME (or ANY) the synthesised CNAME is the answer, else it is followed.
 */
static enum chain_result answer_chain(struct resolve_ctx *ctx, struct resolve_query *rq,
				      const uint8_t *pkt, size_t len, const struct wire_msg *m,
				      uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	uint8_t cur[WIRE_NAME_MAX], owner[WIRE_NAME_MAX];
	size_t curlen = f->name_len, olen;
	bool moved = false;
	enum chain_result res = CHAIN_NONE;
	memcpy(cur, f->name, curlen);
	while (wire_name_is_subdomain(cur, curlen, f->dp.zone, f->dp.zone_len)) {
		int d = find_dname(pkt, len, m, cur, curlen, f->dp.zone, f->dp.zone_len, owner,
				   &olen);
		if (d >= 0) {
			if (!chain_dname(ctx, rq, pkt, len, m, d, owner, olen, cur, &curlen, now))
				return CHAIN_FINISHED;
			if (f->qtype == WIRE_TYPE_CNAME || f->qtype == WIRE_TYPE_ANY)
				return CHAIN_ANSWERED; /* not restarted (RFC 1034 §3.6.2) */
			moved = true;
			continue;
		}
		if (has_rrset(pkt, len, m, cur, curlen, f->qtype)) {
			keep_rrset(ctx, rq, pkt, len, m, cur, curlen, f->qtype, now);
			res = CHAIN_ANSWERED;
			break;
		}
		int c = find_rr(pkt, len, m, cur, curlen, WIRE_TYPE_CNAME);
		uint8_t target[WIRE_NAME_MAX];
		size_t tlen;
		if (c < 0 || !rdata_name(pkt, len, &m->rr[c], target, &tlen))
			break;
		if (!chain_step(ctx, rq, cur, curlen))
			return CHAIN_FINISHED;
		keep_rrset(ctx, rq, pkt, len, m, cur, curlen, WIRE_TYPE_CNAME, now);
		memcpy(f->last_cname, cur, curlen);
		f->last_cname_len = (uint8_t)curlen;
		memcpy(cur, target, tlen);
		curlen = tlen;
		moved = true;
	}
	if (moved) {
		memcpy(f->name, cur, curlen);
		f->name_len = (uint8_t)curlen;
		if (res == CHAIN_NONE)
			res = CHAIN_MOVED;
	}
	return res;
}

/* YXDOMAIN from a server whose DNAME (in the answer, inside the zone) makes the name
 * asked too long (RFC 6672 §2.2): an answer, when our own synthesis says so too. */
static bool yxdomain_confirmed(const uint8_t *pkt, size_t len, const struct wire_msg *m,
			       const struct resolve_frame *f)
{
	uint8_t owner[WIRE_NAME_MAX], out[WIRE_NAME_MAX];
	size_t olen, outlen;
	int d = find_dname(pkt, len, m, f->sent_name, f->sent_len, f->dp.zone, f->dp.zone_len,
			   owner, &olen);
	return d >= 0 && dname_synthesise(pkt, len, &m->rr[d], f->sent_name, f->sent_len, olen,
					  out, &outlen) == SYNTH_TOO_LONG;
}

/* ---- the cases ---------------------------------------------------------------------------------- */

static void record_dangling(struct resolve_ctx *ctx, const struct resolve_frame *f, uint64_t now)
{
	if (f->last_cname_len)
		resolve_infra_dangling(ctx, f->last_cname, f->last_cname_len, f->name, f->name_len,
				       now);
}

static enum resolve_lame_reason rcode_lame_reason(unsigned rcode)
{
	if (rcode == WIRE_RCODE_REFUSED)
		return RESOLVE_LAME_REFUSED;
	if (rcode == WIRE_RCODE_SERVFAIL)
		return RESOLVE_LAME_SERVFAIL;
	return RESOLVE_LAME_OTHER_RCODE;
}

/* ". NS" from a hints server: the root's NS set and addresses become the root
 * delegation in the infra store. */
/* A priming answer without glue for some root server names: the hints' addresses
 * for the same names stand in; with no address at all, the hints' servers stay the
 * way to the root (they answered), under the names the root now has. */
static void keep_hint_addresses(const struct resolve_ctx *ctx, struct resolve_dp *dp)
{
	const struct resolve_dp *h = &ctx->hints;
	bool glued[RESOLVE_NS_MAX];
	for (int i = 0; i < dp->ns_count; i++)
		glued[i] = dp->ns_flags[i] & RESOLVE_NS_HAS_ADDR;
	for (int i = 0; i < h->addr_count; i++) {
		uint8_t hn = h->addr[i].ns_index;
		int ns = hn < h->ns_count ? resolve_dp_find_ns(dp, resolve_dp_ns(h, hn), h->ns_len[hn])
					  : -1;
		if (ns >= 0 && !glued[ns])
			resolve_dp_add_addr(dp, (uint8_t)ns, &h->addr[i].addr);
	}
	if (dp->addr_count == 0 && dp->ns_count > 0)
		for (int i = 0; i < h->addr_count; i++)
			resolve_dp_add_addr(dp, 0xFF, &h->addr[i].addr);
}

static void prime_reply(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
			size_t len, const struct wire_msg *m, uint64_t now)
{
	static const uint8_t root[1] = {0};
	struct resolve_dp dp;
	uint32_t ttl = UINT32_MAX;
	int from, to;
	resolve_dp_init(&dp, RESOLVE_DP_ITERATE, root, 1);
	section_range(m, WIRE_SECTION_ANSWER, &from, &to);
	for (int i = from; i < to; i++) {
		const struct wire_rr_ref *r = &m->rr[i];
		uint8_t ns[WIRE_NAME_MAX];
		size_t nslen;
		if (r->type == WIRE_TYPE_NS && owner_is(pkt, len, r, root, 1) &&
		    rdata_name(pkt, len, r, ns, &nslen)) {
			resolve_dp_add_ns(&dp, ns, nslen);
			if (r->ttl < ttl)
				ttl = r->ttl;
		}
	}
	section_range(m, WIRE_SECTION_ADDITIONAL, &from, &to);
	for (int i = from; i < to; i++) {
		const struct wire_rr_ref *r = &m->rr[i];
		uint8_t o[WIRE_NAME_MAX];
		size_t olen;
		if (!((r->type == WIRE_TYPE_A && r->rdlen == 4) ||
		      (r->type == WIRE_TYPE_AAAA && r->rdlen == 16)) ||
		    !rr_owner(pkt, len, r, o, &olen))
			continue;
		int ns = resolve_dp_find_ns(&dp, o, olen);
		if (ns < 0)
			continue;
		struct resolve_addr a;
		memset(&a, 0, sizeof(a));
		a.family = r->type == WIRE_TYPE_A ? 4 : 6;
		a.port = 53;
		memcpy(a.ip, pkt + r->rdata_off, r->rdlen);
		resolve_dp_add_addr(&dp, (uint8_t)ns, &a);
	}
	keep_hint_addresses(ctx, &dp);
	/* No AA needed: the hints name servers of the root, not the root zone's own
	 * servers, and some answer priming from their cache (as Unbound and Knot
	 * Resolver accept). What matters is a root NS set with addresses. */
	if (dp.ns_count == 0 || dp.addr_count == 0) {
		resolve_server_lame(ctx, rq, RESOLVE_LAME_NOT_AUTH, now);
		return;
	}
	resolve_infra_zone_put(ctx, &dp, ttl, now);
	resolve_frame_done(ctx, rq, WIRE_RCODE_NOERROR, now);
}

/* Any record in the answer section owned by the name this query asked. */
static bool answers_sent_name(const uint8_t *pkt, size_t len, const struct wire_msg *m,
			      const struct resolve_frame *f)
{
	int from, to;
	section_range(m, WIRE_SECTION_ANSWER, &from, &to);
	for (int i = from; i < to; i++)
		if (owner_is(pkt, len, &m->rr[i], f->sent_name, f->sent_len))
			return true;
	return false;
}

/* AA=0 from a server asked as authoritative. A referral downwards is followed. An
 * answer that carries the data (the name's records or aliases, or a negative answer
 * with the zone's SOA) is taken as resolvers in the field take it: servers exist that
 * answer from a cache or forget AA, the data gets the lower non-authoritative rank in
 * the RRset store, and a signed zone's data is validated all the same. Anything else
 * (an upward referral, an empty message) makes the server lame for the zone.
 * Returns true when the caller should go on as with an authoritative answer. */
static bool non_auth_reply(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
			   size_t len, const struct wire_msg *m, unsigned rcode, uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	uint8_t cut[WIRE_NAME_MAX];
	size_t cut_len = 0;
	enum referral_kind k = find_referral(pkt, len, m, f, cut, &cut_len);
	if (k == REFERRAL_DOWN && rcode == WIRE_RCODE_NOERROR && m->hdr.ancount == 0) {
		follow_referral(ctx, rq, pkt, len, m, cut, cut_len, now);
		return false;
	}
	if (answers_sent_name(pkt, len, m, f) || has_soa(pkt, len, m, &f->dp)) {
		ctx->stats.non_aa_answers++;
		return true;
	}
	if (f->sent_len != f->name_len && k != REFERRAL_UPWARD) {
		/* relaxed minimisation: a server confused by the shorter name gets the
		 * full one before it is called lame */
		ctx->stats.qmin_fallbacks++;
		f->qmin_off = true;
		resolve_resend(rq, false);
		return false;
	}
	resolve_server_lame(ctx, rq, k == REFERRAL_UPWARD ? RESOLVE_LAME_UPWARD
							: RESOLVE_LAME_NOT_AUTH, now);
	return false;
}

/* An NS set in the authority section owned by a name outside the zone asked (a
 * parent or an unrelated zone). */
static bool ns_outside_zone(const uint8_t *pkt, size_t len, const struct wire_msg *m,
			    const struct resolve_dp *dp)
{
	int from, to;
	section_range(m, WIRE_SECTION_AUTHORITY, &from, &to);
	for (int i = from; i < to; i++) {
		uint8_t o[WIRE_NAME_MAX];
		size_t olen;
		if (m->rr[i].type == WIRE_TYPE_NS && rr_owner(pkt, len, &m->rr[i], o, &olen) &&
		    !wire_name_is_subdomain(o, olen, dp->zone, dp->zone_len))
			return true;
	}
	return false;
}

/* AA=1 on what is a referral (an empty NOERROR whose authority section holds an NS
 * set and no SOA): some servers set AA on every response. The NS set says more than
 * the flag: one below the zone is followed, one above it (or elsewhere) makes the
 * server lame, as an upward referral would. Returns true when it dealt with it. */
static bool aa_referral(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
			size_t len, const struct wire_msg *m, unsigned rcode, uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	uint8_t cut[WIRE_NAME_MAX];
	size_t cut_len = 0;
	if (rcode != WIRE_RCODE_NOERROR || m->hdr.ancount != 0 || has_soa(pkt, len, m, &f->dp))
		return false;
	if (find_referral(pkt, len, m, f, cut, &cut_len) == REFERRAL_DOWN) {
		follow_referral(ctx, rq, pkt, len, m, cut, cut_len, now);
		return true;
	}
	if (ns_outside_zone(pkt, len, m, &f->dp)) {
		resolve_server_lame(ctx, rq, RESOLVE_LAME_UPWARD, now);
		return true;
	}
	return false;
}

/* An authoritative NOERROR to a minimised query: no zone cut at that name (a cut
 * would have come as a referral); go one label further. */
static void qmin_no_cut(struct resolve_ctx *ctx, struct resolve_query *rq)
{
	struct resolve_frame *f = top_frame(rq);
	/* progress: the server that answered is as good as new for the next step */
	if (rq->pending_server < f->dp.addr_count)
		f->dp.addr[rq->pending_server].tries = 0;
	f->qmin_labels = (uint8_t)resolve_name_labels(f->sent_name, f->sent_len);
	if (++f->qmin_steps >= ctx->cfg.max_qmin_steps)
		f->qmin_off = true;
	f->state = RESOLVE_ST_QUERY_TARGET;
}

static void answer_reply(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
			 size_t len, const struct wire_msg *m, unsigned rcode, uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	if (dname_contradicted(pkt, len, m, &f->dp)) {
		ctx->stats.malformed++;
		resolve_server_lame(ctx, rq, RESOLVE_LAME_MALFORMED, now);
		return;
	}
	switch (answer_chain(ctx, rq, pkt, len, m, now)) {
	case CHAIN_FINISHED:
		return;
	case CHAIN_ANSWERED:
		/* the end of the answer: authority records may follow the answer section */
		keep_proofs(ctx, rq, pkt, len, m, &f->dp, now);
		resolve_frame_done(ctx, rq, WIRE_RCODE_NOERROR, now);
		return;
	case CHAIN_MOVED:
		/* NXDOMAIN speaks for the end of the chain, and this server may say it
		 * only when the end lies inside its zone. A NODATA is not taken from an
		 * alias's response (as Unbound does not): its SOA and NSEC records may be
		 * about the name asked rather than the end (Deckard val_dname), so the
		 * end is asked on its own and its proof comes with its own answer. */
		if (rcode == WIRE_RCODE_NXDOMAIN &&
		    wire_name_is_subdomain(f->name, f->name_len, f->dp.zone, f->dp.zone_len)) {
			record_dangling(ctx, f, now);
			keep_negative(ctx, rq, pkt, len, m, &f->dp, now);
			resolve_frame_done(ctx, rq, WIRE_RCODE_NXDOMAIN, now);
		} else {
			f->state = RESOLVE_ST_FOLLOW_CNAME;
		}
		return;
	case CHAIN_NONE:
		break;
	}
	if (rcode == WIRE_RCODE_NXDOMAIN)
		record_dangling(ctx, f, now);
	keep_negative(ctx, rq, pkt, len, m, &f->dp, now);
	resolve_frame_done(ctx, rq, (uint8_t)rcode, now);
}

void resolve_reply(struct resolve_ctx *ctx, struct resolve_query *rq, const uint8_t *pkt,
		   size_t len, const struct wire_msg *m, uint64_t now)
{
	struct resolve_frame *f = top_frame(rq);
	uint16_t flags = m->hdr.flags;
	unsigned rcode = WIRE_RCODE(flags) | (m->edns.present ? (unsigned)m->edns.ext_rcode << 4 : 0);
	bool minimised = f->sent_len != f->name_len;
	bool forward = f->dp.kind == RESOLVE_DP_FORWARD;

	if (rq->pending_edns && !m->edns.present &&
	    (rcode == WIRE_RCODE_FORMERR || rcode == WIRE_RCODE_NOTIMP)) {
		ctx->stats.edns_fallbacks++;
		resolve_infra_set_edns_off(ctx, &rq->pending_addr, now);
		resolve_resend(rq, false);
		return;
	}
	if (WIRE_TC(flags)) {
		if (rq->pending_tcp)
			resolve_server_lame(ctx, rq, RESOLVE_LAME_MALFORMED, now);
		else
			resolve_resend(rq, true);
		return;
	}
	if (minimised && (rcode == WIRE_RCODE_NXDOMAIN || rcode == WIRE_RCODE_FORMERR ||
			  rcode == WIRE_RCODE_NOTIMP || rcode == WIRE_RCODE_SERVFAIL ||
			  rcode == WIRE_RCODE_YXDOMAIN)) {
		ctx->stats.qmin_fallbacks++;
		f->qmin_off = true;
		resolve_resend(rq, false);
		return;
	}
	if (rcode != WIRE_RCODE_NOERROR && rcode != WIRE_RCODE_NXDOMAIN &&
	    !(rcode == WIRE_RCODE_YXDOMAIN && yxdomain_confirmed(pkt, len, m, f))) {
		resolve_server_lame(ctx, rq, rcode_lame_reason(rcode), now);
		return;
	}
	if (f->kind == RESOLVE_FRAME_PRIME) {
		prime_reply(ctx, rq, pkt, len, m, now);
		return;
	}
	if (!WIRE_AA(flags) && !forward && !non_auth_reply(ctx, rq, pkt, len, m, rcode, now))
		return;
	if (WIRE_AA(flags) && !forward && aa_referral(ctx, rq, pkt, len, m, rcode, now))
		return;
	if (minimised) {
		qmin_no_cut(ctx, rq);
		return;
	}
	answer_reply(ctx, rq, pkt, len, m, rcode, now);
}
