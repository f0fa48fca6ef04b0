/*
 * dataplane/query: from a query message to its response message (see query.h).
 *
 * Order of the checks, each answered in the cheapest correct way:
 *   too short for a header, or QR=1      drop (a response is never answered)
 *   malformed message / QDCOUNT != 1     FORMERR, header only
 *   opcode other than QUERY              NOTIMP
 *   EDNS version above 0                 BADVERS
 *   then the answer source: local data now, the cache and resolver later;
 *   anything no source serves is REFUSED.
 * Runs on worker lcores: no allocation, lock or syscall.
 */
#include <string.h>

#include "local.h"
#include "query.h"
#include "wire.h"
#include "wire_build.h"
#include "wire_csum.h"

const char *const query_counter_names[] = {
#define QUERY_COUNTER_NAME(name, help) #name,
	QUERY_COUNTERS(QUERY_COUNTER_NAME)
#undef QUERY_COUNTER_NAME
};
const char *const query_counter_help[] = {
#define QUERY_COUNTER_HELP(name, help) help,
	QUERY_COUNTERS(QUERY_COUNTER_HELP)
#undef QUERY_COUNTER_HELP
};

/* One response being built. */
struct reply {
	const struct query_env *env;
	const uint8_t *req;
	const struct wire_msg *msg;   /* NULL when the request did not parse */
	struct wire_builder b;
	struct query_stats *st;
	bool with_opt;                /* the request had a usable OPT */
	bool resolve;                 /* no local answer: for the cache and resolver */
	bool may_grow;                /* resp is smaller than the client's limit */
	bool grow;                    /* ran out of resp: ask for a larger one */
};

/* Out of buffer: when the buffer, not the client's size, was short, the caller
 * gives a larger one rather than the client a truncated answer. */
static bool reply_out_of_room(struct reply *r)
{
	if (r->may_grow)
		r->grow = true;
	return r->grow;
}

/* Flags every response carries: QR, the request's opcode, RD and CD copied, and RA
 * when this server recurses. */
static uint16_t reply_flags(uint16_t req_flags, bool aa, bool ra)
{
	uint16_t f = WIRE_FLAG_QR | (req_flags & (0x7800 | WIRE_FLAG_RD | WIRE_FLAG_CD));

	if (ra)
		f |= WIRE_FLAG_RA;
	return aa ? (uint16_t)(f | WIRE_FLAG_AA) : f;
}

static void count_rcode(struct query_stats *st, int rcode)
{
	switch (rcode) {
	case WIRE_RCODE_NOERROR: st->rcode_noerror++; break;
	case WIRE_RCODE_FORMERR: st->rcode_formerr++; break;
	case WIRE_RCODE_SERVFAIL: st->rcode_servfail++; break;
	case WIRE_RCODE_NXDOMAIN: st->rcode_nxdomain++; break;
	case WIRE_RCODE_NOTIMP: st->rcode_notimp++; break;
	case WIRE_RCODE_REFUSED: st->rcode_refused++; break;
	case WIRE_RCODE_BADVERS: st->rcode_badvers++; break;
	default: break;
	}
}

static struct wire_opt_params reply_opt(const struct reply *r, int rcode)
{
	struct wire_opt_params o;

	memset(&o, 0, sizeof(o));
	o.udp_size = r->env->edns_buffer_size;
	o.ext_rcode = (uint8_t)(rcode >> 4);
	o.do_bit = r->msg->edns.do_bit;
	o.ede_code = WIRE_EDE_NONE;
	return o;
}

/* Header, the client's question bytes, and room kept for the OPT record. */
static int reply_start(struct reply *r, int rcode, bool aa, bool with_question)
{
	uint16_t id = wire_get_u16(r->req), req_flags = wire_get_u16(r->req + 2);
	int rc;

	rc = wire_build_header(&r->b, id, reply_flags(req_flags, aa, r->env->recursion));
	if (rc == WIRE_OK && with_question)
		rc = wire_build_question_raw(&r->b, r->req + r->msg->q.name_off,
					     r->msg->q.end_off - r->msg->q.name_off);
	if (rc == WIRE_OK && r->with_opt) {
		struct wire_opt_params o = reply_opt(r, rcode);

		rc = wire_build_reserve(&r->b, wire_build_opt_size(&o));
	}
	wire_build_set_rcode(&r->b, (uint8_t)(rcode & 0xF));
	return rc;
}

static size_t reply_finish(struct reply *r, int rcode)
{
	if (r->grow)
		return 0;
	if (r->with_opt) {
		struct wire_opt_params o = reply_opt(r, rcode);

		if (wire_build_opt(&r->b, &o) != WIRE_OK) {
			r->st->drop_nospace++;
			return 0;
		}
	}
	count_rcode(r->st, rcode);
	r->st->responses++;
	return r->b.len;
}

/* A response with no records: FORMERR, NOTIMP, REFUSED, BADVERS. */
static size_t reply_empty(struct reply *r, int rcode, bool with_question)
{
	if (reply_start(r, rcode, false, with_question) != WIRE_OK) {
		if (!reply_out_of_room(r))
			r->st->drop_nospace++;
		return 0;
	}
	return reply_finish(r, rcode);
}

/* Add records; the first that does not fit truncates the response (TC=1). */
static bool reply_add(struct reply *r, uint8_t section, const struct local_answer_rr *rrs,
		      unsigned int n, uint32_t ttl_cap)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct local_rr *rr = rrs[i].rr;
		uint32_t ttl = rr->ttl < ttl_cap ? rr->ttl : ttl_cap;
		int rc = wire_build_rr(&r->b, section, rrs[i].owner, rrs[i].owner_len, rr->type,
				       rr->rclass, ttl, rr->rdata, rr->rdlen);

		if (rc == WIRE_ENOSPC) {
			if (reply_out_of_room(r))
				return false;
			wire_build_set_tc(&r->b);
			r->st->truncated++;
			return false;
		}
		if (rc != WIRE_OK)
			return false;
	}
	return true;
}

static size_t reply_local(struct reply *r, enum local_result res, const struct local_answer *a)
{
	int rcode = res == LOCAL_NXDOMAIN ? WIRE_RCODE_NXDOMAIN : WIRE_RCODE_NOERROR;

	if (reply_start(r, rcode, a->aa != 0, true) != WIRE_OK) {
		if (!reply_out_of_room(r))
			r->st->drop_nospace++;
		return 0;
	}
	/* RFC 2308 §3: the SOA of a negative answer lives min(TTL, MINIMUM). */
	if (reply_add(r, WIRE_SECTION_ANSWER, a->answer, a->an_count, UINT32_MAX))
		reply_add(r, WIRE_SECTION_AUTHORITY, a->authority, a->ns_count,
			  a->negative_ttl ? a->negative_ttl : UINT32_MAX);
	return reply_finish(r, rcode);
}

static size_t answer_question(struct reply *r)
{
	const struct wire_question *q = &r->msg->q;
	struct local_answer a;
	enum local_result res = LOCAL_NONE;

	if (q->qtype == WIRE_TYPE_AXFR || q->qtype == WIRE_TYPE_IXFR)
		return reply_empty(r, WIRE_RCODE_REFUSED, true);
	if (r->env->local != NULL)
		res = local_lookup(r->env->local, q->name, q->name_len, q->qtype, q->qclass, &a);
	switch (res) {
	case LOCAL_ANSWER:
	case LOCAL_NODATA:
	case LOCAL_NXDOMAIN:
		return reply_local(r, res, &a);
	case LOCAL_DROP:
		r->st->drop_policy++;
		return 0;
	case LOCAL_NONE:
		/* Without recursion what local data does not serve is refused. */
		if (!r->env->recursion)
			return reply_empty(r, WIRE_RCODE_REFUSED, true);
		r->resolve = true;
		return 0;
	case LOCAL_REFUSE:
	default:
		return reply_empty(r, WIRE_RCODE_REFUSED, true);
	}
}

/* The rcode rules in the order of the file comment, then the answer sources. */
static size_t check_and_answer(struct reply *r, const struct wire_msg *msg, int parse_rc)
{
	if (parse_rc != WIRE_OK)
		return reply_empty(r, WIRE_RCODE_FORMERR, false);
	if (WIRE_OPCODE(msg->hdr.flags) != WIRE_OPCODE_QUERY)
		return reply_empty(r, WIRE_RCODE_NOTIMP, msg->has_question);
	if (!msg->has_question)
		return reply_empty(r, WIRE_RCODE_FORMERR, false);
	if (wire_edns_check(&msg->edns) == WIRE_EBADVERS)
		return reply_empty(r, WIRE_RCODE_BADVERS, true);
	return answer_question(r);
}

static void fill_info(const struct wire_msg *msg, const struct reply *r, size_t limit,
		      struct query_info *qi)
{
	qi->id = msg->hdr.id;
	qi->flags = msg->hdr.flags;
	qi->q_off = msg->q.name_off;
	qi->q_len = (uint16_t)(msg->q.end_off - msg->q.name_off);
	qi->qtype = msg->q.qtype;
	qi->qclass = msg->q.qclass;
	qi->qname_len = msg->q.name_len;
	memcpy(qi->qname, msg->q.name, msg->q.name_len);
	qi->edns = r->with_opt;
	qi->do_bit = r->with_opt && msg->edns.do_bit;
	qi->limit = (uint16_t)limit;
}

/* stream: the query came over TCP, where no UDP size limit applies (RFC 7766). */
static enum query_verdict process(const struct query_env *env, const uint8_t *req,
				  size_t req_len, uint8_t *resp, size_t resp_cap,
				  struct query_stats *st, size_t *resp_len,
				  struct query_info *qi, bool stream, bool allow_grow)
{
	struct wire_msg msg;
	struct reply r;
	size_t limit;
	int rc;

	*resp_len = 0;

	if (req_len < WIRE_HDR_LEN || resp_cap < QUERY_MIN_RESPONSE) {
		st->queries++;
		st->drop_short++;
		return QUERY_DROP;
	}
	if (WIRE_QR(wire_get_u16(req + 2))) {
		st->queries++;
		st->drop_response++;
		return QUERY_DROP;
	}
	/* No memset of msg or r: the parser and wire_build_init fill what they use,
	 * and clearing ~1 KB per query was a visible share of an answer's cost. */
	msg.rr = NULL;
	msg.rr_cap = 0;
	rc = wire_parse_msg(req, req_len, &msg);
	r.env = env;
	r.req = req;
	r.msg = &msg;
	r.st = st;
	r.with_opt = rc == WIRE_OK && msg.edns.present;
	r.resolve = false;
	r.grow = false;
	limit = r.with_opt ? wire_response_limit(&msg.edns, env->edns_buffer_size) : WIRE_UDP_MIN;
	if (stream)
		limit = resp_cap < WIRE_MSG_MAX ? resp_cap : WIRE_MSG_MAX;
	r.may_grow = allow_grow && resp_cap < limit;
	wire_build_init(&r.b, resp, resp_cap, limit);
	*resp_len = check_and_answer(&r, &msg, rc);
	if (r.grow) {
		*resp_len = 0;
		return QUERY_GROW;
	}
	/* Counted once the query is done with (not for QUERY_GROW: it comes again). */
	st->queries++;
	if (rc == WIRE_OK && r.with_opt) {
		st->edns++;
		st->do_bit += msg.edns.do_bit;
	}
	if (r.resolve) {
		fill_info(&msg, &r, limit, qi);
		return QUERY_RESOLVE;
	}
	return *resp_len > 0 ? QUERY_REPLY : QUERY_DROP;
}

enum query_verdict query_process(const struct query_env *env, const uint8_t *req,
				 size_t req_len, uint8_t *resp, size_t resp_cap,
				 struct query_stats *st, size_t *resp_len, struct query_info *qi)
{
	return process(env, req, req_len, resp, resp_cap, st, resp_len, qi, false, true);
}

enum query_verdict query_process_stream(const struct query_env *env, const uint8_t *req,
					size_t req_len, uint8_t *resp, size_t resp_cap,
					struct query_stats *st, size_t *resp_len,
					struct query_info *qi)
{
	return process(env, req, req_len, resp, resp_cap, st, resp_len, qi, true, false);
}

/* Bytes of an OPT record without options: root owner, type, class, TTL, RDLENGTH. */
#define OPT_BARE_LEN 11

/* The OPT record that may end a common query: EDNS version 0 and no options. On
 * true, *udp_size and *do_bit are what the general parser would have read. */
static bool fast_opt(const uint8_t *opt, uint16_t *udp_size, bool *do_bit)
{
	if (opt[0] != 0 || wire_get_u16(opt + 1) != WIRE_TYPE_OPT || opt[5] != 0 ||
	    opt[6] != WIRE_EDNS_VERSION || wire_get_u16(opt + 9) != 0)
		return false;
	*udp_size = wire_get_u16(opt + 3);
	*do_bit = (wire_get_u16(opt + 7) & WIRE_EDNS_FLAG_DO) != 0;
	return true;
}

bool query_fast(const struct query_env *env, const uint8_t *req, size_t req_len,
		const uint8_t *lname, size_t name_len, struct query_stats *st,
		struct query_info *qi)
{
	size_t end = WIRE_HDR_LEN + name_len + 4;
	uint16_t flags, arcount, udp_size = 0, qtype, qclass;
	bool do_bit = false;

	if (!env->recursion || end > req_len)
		return false;
	flags = wire_get_u16(req + 2);
	arcount = wire_get_u16(req + 10);
	/* QR=0, opcode QUERY; QD=1, AN=NS=0, AR at most the OPT */
	if ((flags & (WIRE_FLAG_QR | 0x7800)) != 0 || wire_get_u16(req + 4) != 1 ||
	    wire_get_u16(req + 6) != 0 || wire_get_u16(req + 8) != 0 || arcount > 1)
		return false;
	qtype = wire_get_u16(req + end - 4);
	qclass = wire_get_u16(req + end - 2);
	if (qclass != WIRE_CLASS_IN || qtype == WIRE_TYPE_AXFR || qtype == WIRE_TYPE_IXFR)
		return false;
	if (req_len != end + (arcount ? OPT_BARE_LEN : 0) ||
	    (arcount && !fast_opt(req + end, &udp_size, &do_bit)))
		return false;
	if (env->local != NULL && local_covers(env->local, lname, name_len, qclass))
		return false;

	st->queries++;
	st->edns += arcount;
	st->do_bit += do_bit;
	qi->id = wire_get_u16(req);
	qi->flags = flags;
	qi->q_off = WIRE_HDR_LEN;
	qi->q_len = (uint16_t)(name_len + 4);
	qi->qtype = qtype;
	qi->qclass = qclass;
	qi->qname_len = (uint8_t)name_len;
	memcpy(qi->qname, req + WIRE_HDR_LEN, name_len);
	qi->edns = arcount != 0;
	qi->do_bit = do_bit;
	qi->limit = (uint16_t)(arcount ? wire_response_limit_edns(udp_size, env->edns_buffer_size)
				       : WIRE_UDP_MIN);
	return true;
}

size_t query_respond(const struct query_env *env, const uint8_t *req, size_t req_len,
		     uint8_t *resp, size_t resp_cap, struct query_stats *st)
{
	struct query_info qi;
	size_t len;

	if (process(env, req, req_len, resp, resp_cap, st, &len, &qi, false, false) ==
	    QUERY_REPLY)
		return len;
	return 0;
}

/* The OPT record we send to a client that used EDNS. */
static struct wire_opt_params client_opt(const struct query_env *env,
					 const struct query_info *qi, int ede,
					 const char *ede_text)
{
	struct wire_opt_params o;

	memset(&o, 0, sizeof(o));
	o.udp_size = env->edns_buffer_size;
	o.do_bit = qi->do_bit;
	o.ede_code = ede;
	o.ede_text = ede_text;
	o.ede_text_len = ede_text != NULL ? (uint16_t)strlen(ede_text) : 0;
	return o;
}

size_t query_answer_size(const struct query_env *env, const struct query_info *qi,
			 size_t len, int ede, const char *ede_text)
{
	struct wire_opt_params o = client_opt(env, qi, ede, ede_text);

	return len + (qi->edns ? wire_build_opt_size(&o) : 0);
}

size_t query_answer_image(const struct query_env *env, const struct query_info *qi,
			  uint8_t *resp, size_t len, size_t cap, int ede, const char *ede_text,
			  struct query_stats *st)
{
	return query_answer_image_sum(env, qi, resp, len, cap, ede, ede_text, st, NULL);
}

/* The sum of the bare OPT record (wire_csum.h) written at offset @at: a root byte
 * (0), then TYPE, CLASS, the TTL's halves and RDLENGTH as 16-bit fields. */
static uint16_t bare_opt_sum(uint16_t udp_size, bool do_bit, size_t at)
{
	uint32_t fields = WIRE_TYPE_OPT + udp_size + (do_bit ? WIRE_EDNS_FLAG_DO : 0);

	return wire_csum_at(wire_csum_fold(fields), at + 1);
}

size_t query_answer_image_sum(const struct query_env *env, const struct query_info *qi,
			      uint8_t *resp, size_t len, size_t cap, int ede,
			      const char *ede_text, struct query_stats *st, uint32_t *sum)
{
	/* The common case, no EDE: a bare OPT, no parameters to put together. */
	bool bare = ede == WIRE_EDE_NONE;
	struct wire_opt_params o = { 0 };
	size_t opt = qi->edns ? OPT_BARE_LEN : 0;
	uint16_t flags = wire_get_u16(resp + 2), old_flags = flags;
	uint16_t arcount = wire_get_u16(resp + 10);

	if (qi->edns && !bare) {
		o = client_opt(env, qi, ede, ede_text);
		opt = wire_build_opt_size(&o);
	}

	/* TC stays: an image that is only header and question says so itself. */
	flags = (uint16_t)((flags & ~(WIRE_FLAG_RD | WIRE_FLAG_CD | WIRE_FLAG_AA)) |
			   (qi->flags & (WIRE_FLAG_RD | WIRE_FLAG_CD)) | WIRE_FLAG_QR | WIRE_FLAG_RA);
	/* RFC 6840 §5.8: AD (set in images validated secure) only for clients that asked
	 * with DO or AD. */
	if (!qi->do_bit && !(qi->flags & WIRE_FLAG_AD))
		flags &= (uint16_t)~WIRE_FLAG_AD;
	if (len + opt > qi->limit || len + opt > cap) {
		/* Too big for this client: header and question with TC=1, it retries
		 * over TCP (RFC 7766). */
		len = WIRE_HDR_LEN + qi->q_len;
		flags |= WIRE_FLAG_TC;
		wire_put_u16(resp + 6, 0);
		wire_put_u16(resp + 8, 0);
		wire_put_u16(resp + 10, 0);
		arcount = 0;
		st->truncated++;
		if (sum != NULL)
			*sum = WIRE_CSUM_UNKNOWN;   /* rare: the sender sums the bytes */
	}
	wire_put_u16(resp + 2, flags);
	if (sum != NULL && *sum != WIRE_CSUM_UNKNOWN)
		*sum = wire_csum_replace16((uint16_t)*sum, old_flags, flags);
	if (qi->edns && bare) {
		/* The common OPT, without options: the bytes the builder would write. */
		uint8_t *rr = resp + len;

		rr[0] = 0;
		wire_put_u16(rr + 1, WIRE_TYPE_OPT);
		wire_put_u16(rr + 3, env->edns_buffer_size);
		wire_put_u16(rr + 5, 0);                /* extended rcode, version */
		wire_put_u16(rr + 7, qi->do_bit ? WIRE_EDNS_FLAG_DO : 0);
		wire_put_u16(rr + 9, 0);                /* RDLENGTH */
		wire_put_u16(resp + 10, (uint16_t)(arcount + 1));
		if (sum != NULL && *sum != WIRE_CSUM_UNKNOWN)
			*sum = wire_csum_add(wire_csum_replace16((uint16_t)*sum, arcount,
								 (uint16_t)(arcount + 1)),
					     bare_opt_sum(env->edns_buffer_size, qi->do_bit, len));
		len += OPT_BARE_LEN;
	} else if (qi->edns) {
		struct wire_builder b;

		/* Append the OPT record behind what is there. */
		wire_build_init(&b, resp, cap, cap);
		b.len = len;
		b.section = WIRE_SECTION_ADDITIONAL;
		b.count[0] = wire_get_u16(resp + 4);
		b.count[1] = wire_get_u16(resp + 6);
		b.count[2] = wire_get_u16(resp + 8);
		b.count[3] = arcount;
		if (wire_build_opt(&b, &o) != WIRE_OK) {
			st->drop_nospace++;
			return 0;
		}
		len = b.len;
		if (sum != NULL)
			*sum = WIRE_CSUM_UNKNOWN;   /* an EDE: the sender sums the bytes */
	}
	count_rcode(st, WIRE_RCODE(flags));
	st->responses++;
	return len;
}

size_t query_answer_error(const struct query_env *env, const struct query_info *qi,
			  uint8_t rcode, uint8_t *resp, size_t cap, int ede,
			  const char *ede_text, struct query_stats *st)
{
	struct wire_builder b;

	wire_build_init(&b, resp, cap, qi->limit);
	if (wire_build_header(&b, qi->id, reply_flags(qi->flags, false, env->recursion)) !=
		    WIRE_OK ||
	    wire_build_question(&b, qi->qname, qi->qname_len, qi->qtype, qi->qclass) != WIRE_OK) {
		st->drop_nospace++;
		return 0;
	}
	wire_build_set_rcode(&b, rcode);
	return query_answer_image(env, qi, resp, b.len, cap, ede, ede_text, st);
}
