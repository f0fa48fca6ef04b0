/*
 * ctl.c - control channel messages (see ctl.h): verify a request, run its command,
 * build and sign the reply; and the client's request builder and reply reader.
 * Control thread and sekishoctl only: no sockets here, nothing allocated.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "wire.h"

const char *const ctl_counter_names[] = {
#define CTL_COUNTER_NAME(name, help) #name,
	CTL_COUNTERS(CTL_COUNTER_NAME)
#undef CTL_COUNTER_NAME
};

/* TXT records are closed at this RDATA size: any length works, this keeps them small. */
#define CTL_TXT_RDATA_MAX 4000
/* Room kept while a command runs, for the line that says the reply was cut. */
#define CTL_TRUNC_ROOM 64

static const uint8_t ctl_suffix[] = "\7sekisho";

/* ---- Walking a message's records ---------------------------------------------- */

/* Where the TSIG record that ends @msg is: its owner and RDATA. -1 when none. */
struct tsig_pos {
	size_t owner_off, rdata_off, rdlen;
};

static int find_last_tsig(const uint8_t *msg, size_t len, struct tsig_pos *t)
{
	struct wire_hdr h;
	struct wire_question q;
	size_t off = WIRE_HDR_LEN, n;

	if (wire_parse_header(msg, len, &h) != WIRE_OK || h.arcount == 0)
		return -1;
	if (h.qdcount == 1) {
		if (wire_parse_question(msg, len, off, &q) != WIRE_OK)
			return -1;
		off = q.end_off;
	} else if (h.qdcount != 0) {
		return -1;
	}
	n = (size_t)h.ancount + h.nscount + h.arcount;
	for (size_t i = 0; i < n; i++) {
		size_t owner = off;

		if (wire_name_skip(msg, len, off, &off) != WIRE_OK || off + 10 > len)
			return -1;
		t->owner_off = owner;
		t->rdata_off = off + 10;
		t->rdlen = wire_get_u16(msg + off + 8);
		if (t->rdata_off + t->rdlen > len)
			return -1;
		if (i == n - 1)
			return wire_get_u16(msg + off) == WIRE_TYPE_TSIG ? 0 : -1;
		off = t->rdata_off + t->rdlen;
	}
	return -1;
}

int ctl_tsig_error(const uint8_t *msg, size_t len)
{
	struct tsig_pos t;
	size_t p;

	if (find_last_tsig(msg, len, &t) != 0 ||
	    wire_name_skip(msg, t.rdata_off + t.rdlen, t.rdata_off, &p) != WIRE_OK ||
	    p + 10 > t.rdata_off + t.rdlen)
		return -1;
	p += 8 + 2 + wire_get_u16(msg + p + 8); /* time, fudge, MAC size, MAC */
	if (p + 4 > t.rdata_off + t.rdlen)
		return -1;
	return wire_get_u16(msg + p + 2);
}

/* ---- Replies ---------------------------------------------------------------------- */

static int reply_open_record(struct ctl_reply *r)
{
	uint8_t *p = r->buf + r->len;

	if (r->len + 12 > r->cap)
		return -ENOSPC;
	wire_put_u16(p, 0xC000 | WIRE_HDR_LEN); /* the question's name */
	wire_put_u16(p + 2, WIRE_TYPE_TXT);
	wire_put_u16(p + 4, WIRE_CLASS_ANY);
	wire_put_u32(p + 6, 0);
	wire_put_u16(p + 10, 0);
	r->rdlen_off = r->len + 10;
	r->len += 12;
	r->ancount++;
	return 0;
}

int ctl_reply_line(struct ctl_reply *r, const char *fmt, ...)
{
	char line[CTL_LINE_MAX + 1];
	va_list ap;
	size_t n, rdlen;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (k < 0)
		return -EINVAL;
	n = (size_t)k > CTL_LINE_MAX ? CTL_LINE_MAX : (size_t)k;
	rdlen = r->rdlen_off ? wire_get_u16(r->buf + r->rdlen_off) : 0;
	if ((r->rdlen_off == 0 || rdlen + 1 + n > CTL_TXT_RDATA_MAX) && reply_open_record(r) != 0)
		goto full;
	if (r->len + 1 + n > r->cap)
		goto full;
	rdlen = wire_get_u16(r->buf + r->rdlen_off);
	r->buf[r->len] = (uint8_t)n;
	memcpy(r->buf + r->len + 1, line, n);
	r->len += 1 + n;
	wire_put_u16(r->buf + r->rdlen_off, (uint16_t)(rdlen + 1 + n));
	return 0;
full:
	r->overflow = 1;
	return -ENOSPC;
}

/* Header and question of a reply to @req (whose question ends at @q_end). */
static size_t reply_start(const uint8_t *req, size_t q_end, uint8_t rcode, uint8_t *out,
			  size_t cap)
{
	uint16_t flags = wire_get_u16(req + 2);

	if (q_end > cap)
		q_end = WIRE_HDR_LEN;
	memcpy(out, req, q_end);
	flags = (uint16_t)(WIRE_FLAG_QR | WIRE_FLAG_AA | (flags & (0xF << 11)) |
			   (flags & WIRE_FLAG_RD));
	wire_put_u16(out + 2, wire_flags_set_rcode(flags, rcode));
	wire_put_u16(out + 4, q_end > WIRE_HDR_LEN ? 1 : 0);
	memset(out + 6, 0, 6);
	return q_end;
}

/*
 * BADKEY and BADSIG (RFC 8945 §5.3.2): a TSIG record with the request's key and
 * algorithm names, no MAC, and the error. Unsigned: we do not hold (the right) key.
 */
static size_t append_unsigned_tsig(const uint8_t *req, size_t req_len, uint64_t now,
				   uint16_t error, uint8_t *out, size_t len, size_t cap)
{
	uint8_t owner[WIRE_NAME_MAX], alg[WIRE_NAME_MAX];
	size_t olen, alen, rdlen;
	struct tsig_pos t;
	uint8_t *p;

	if (find_last_tsig(req, req_len, &t) != 0 ||
	    wire_name_unpack(req, req_len, t.owner_off, owner, &olen, NULL) != WIRE_OK ||
	    wire_name_unpack(req, req_len, t.rdata_off, alg, &alen, NULL) != WIRE_OK)
		return len;
	rdlen = alen + 6 + 2 + 2 + 2 + 2 + 2;
	if (len + olen + 10 + rdlen > cap)
		return len;
	p = out + len;
	memcpy(p, owner, olen);
	p += olen;
	wire_put_u16(p, WIRE_TYPE_TSIG);
	wire_put_u16(p + 2, WIRE_CLASS_ANY);
	wire_put_u32(p + 4, 0);
	wire_put_u16(p + 8, (uint16_t)rdlen);
	p += 10;
	memcpy(p, alg, alen);
	p += alen;
	wire_put_u16(p, (uint16_t)(now >> 32));
	wire_put_u32(p + 2, (uint32_t)now);
	wire_put_u16(p + 6, TSIG_FUDGE_DEFAULT);
	wire_put_u16(p + 8, 0);                     /* MAC size */
	memcpy(p + 10, req, 2);                     /* original ID */
	wire_put_u16(p + 12, error);
	wire_put_u16(p + 14, 0);                    /* other len */
	wire_put_u16(out + 10, (uint16_t)(wire_get_u16(out + 10) + 1));
	return len + olen + 10 + rdlen;
}

/* A reply signed with the request's key, chained to its MAC; 0 if it cannot be. */
static size_t sign_reply(const struct tsig_info *ri, uint64_t now, uint16_t error,
			 uint8_t *out, size_t len, size_t cap)
{
	uint8_t other[6];
	struct tsig_sign_params p = {
		.now = now,
		.fudge = TSIG_FUDGE_DEFAULT,
		.error = error,
		.req_mac = ri->mac,
		.req_mac_len = ri->mac_len,
	};
	size_t out_len;

	if (error == WIRE_RCODE_BADTIME) {
		wire_put_u16(other, (uint16_t)(now >> 32));
		wire_put_u32(other + 2, (uint32_t)now);
		p.other = other;
		p.other_len = 6;
	}
	if (tsig_sign(out, len, cap, ri->key, &p, &out_len, NULL) != TSIG_OK)
		return 0;
	return out_len;
}

/* ---- Replay ring -------------------------------------------------------------------- */

/* True when @mac was accepted within twice the fudge (either side of a signed time). */
static bool replay_seen(const struct ctl_server *s, const struct tsig_info *ri, uint64_t now)
{
	for (unsigned i = 0; i < CTL_REPLAY_RING; i++) {
		const struct ctl_seen_mac *e = &s->recent[i];

		if (e->mac_len == ri->mac_len && e->mac_len != 0 &&
		    now - e->seen <= 2u * ri->fudge && memcmp(e->mac, ri->mac, e->mac_len) == 0)
			return true;
	}
	return false;
}

static void replay_remember(struct ctl_server *s, const struct tsig_info *ri, uint64_t now)
{
	struct ctl_seen_mac *e = &s->recent[s->recent_next];

	s->recent_next = (s->recent_next + 1) % CTL_REPLAY_RING;
	e->seen = now;
	e->mac_len = ri->mac_len;
	memcpy(e->mac, ri->mac, ri->mac_len);
}

/* ---- Requests ------------------------------------------------------------------------ */

void ctl_server_init(struct ctl_server *s, const struct tsig_keyring *keys,
		     ctl_command_fn run, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->keys = keys;
	s->run = run;
	s->arg = arg;
}

/* The command of QNAME COMMAND.sekisho. (lowercased into @cmd), or -1. */
static int command_name(const struct wire_question *q, char cmd[64])
{
	uint8_t n = q->name[0];

	if (q->name_len < 1 || n == 0 || (size_t)n + 1 + sizeof(ctl_suffix) != q->name_len ||
	    strncasecmp((const char *)q->name + 1 + n, (const char *)ctl_suffix,
			sizeof(ctl_suffix)) != 0)
		return -1;
	for (uint8_t i = 0; i < n; i++) {
		char c = (char)q->name[1 + i];

		cmd[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	cmd[n] = '\0';
	return 0;
}

/* A command's arguments: storage for their strings. */
struct ctl_args {
	int argc;
	char *argv[CTL_ARGS_MAX + 1];
	char buf[CTL_ARGS_MAX][CTL_LINE_MAX + 1];
};

/*
 * The arguments of a verified request (@len: without its TSIG record): the strings of
 * the TXT record in the additional section. Returns 0, or -1 when the records are
 * malformed or there are too many strings.
 */
static int request_args(const uint8_t *req, size_t len, const struct wire_question *q,
			struct ctl_args *a)
{
	struct wire_hdr h;
	size_t off = q->end_off;

	a->argc = 0;
	a->argv[0] = NULL;
	if (wire_parse_header(req, len, &h) != WIRE_OK)
		return -1;
	for (unsigned i = 0; i < (unsigned)h.ancount + h.nscount + h.arcount; i++) {
		size_t rd, end;

		if (wire_name_skip(req, len, off, &off) != WIRE_OK || off + 10 > len)
			return -1;
		rd = off + 10;
		end = rd + wire_get_u16(req + off + 8);
		if (end > len)
			return -1;
		if (wire_get_u16(req + off) == WIRE_TYPE_TXT &&
		    i >= (unsigned)h.ancount + h.nscount) {
			while (rd < end) {
				size_t n = req[rd];

				if (rd + 1 + n > end || a->argc == CTL_ARGS_MAX)
					return -1;
				memcpy(a->buf[a->argc], req + rd + 1, n);
				a->buf[a->argc][n] = '\0';
				a->argv[a->argc] = a->buf[a->argc];
				a->argv[++a->argc] = NULL;
				rd += 1 + n;
			}
		}
		off = end;
	}
	return 0;
}

/* The rcode of a command's return value (ctl_command_fn). */
static uint8_t command_rcode(int rc)
{
	switch (rc) {
	case 0:
		return WIRE_RCODE_NOERROR;
	case -ENOENT:
		return WIRE_RCODE_NXDOMAIN;
	case -EINVAL:
		return WIRE_RCODE_FORMERR;
	default:
		return WIRE_RCODE_SERVFAIL;
	}
}

/* The request verified (@plain: its length without TSIG): run its command into the
 * answer and sign the reply. */
static size_t run_command(struct ctl_server *s, const uint8_t *req, size_t plain,
			  const struct wire_question *q, const struct tsig_info *ri,
			  uint64_t now, uint8_t *out, size_t cap)
{
	struct ctl_reply r = { .buf = out, .cap = cap - TSIG_RR_MAX - CTL_TRUNC_ROOM };
	static struct ctl_args args; /* control thread only; 4 KiB off its stack */
	uint8_t rcode = WIRE_RCODE_NOERROR;
	char cmd[64];
	int rc;

	r.len = reply_start(req, q->end_off, WIRE_RCODE_NOERROR, out, cap);
	if (command_name(q, cmd) != 0) {
		rcode = WIRE_RCODE_REFUSED;
		ctl_reply_line(&r, "not a command: the question must be COMMAND.sekisho.");
	} else if (request_args(req, plain, q, &args) != 0) {
		rcode = WIRE_RCODE_FORMERR;
		ctl_reply_line(&r, "malformed arguments (at most %u TXT strings)", CTL_ARGS_MAX);
	} else {
		rc = s->run == NULL ? -ENOENT : s->run(cmd, args.argc, args.argv, &r, s->arg);
		rcode = command_rcode(rc);
		if (rc == -ENOENT) {
			r.len = q->end_off;
			r.rdlen_off = 0;
			r.ancount = 0;
			r.overflow = 0;
			ctl_reply_line(&r, "unknown command '%s'", cmd);
		}
	}
	if (r.overflow) {
		r.cap += CTL_TRUNC_ROOM;
		r.rdlen_off = 0;
		ctl_reply_line(&r, "(reply cut: more than %u bytes)", CTL_MSG_MAX);
	}
	wire_put_u16(out + 2, wire_flags_set_rcode(wire_get_u16(out + 2), rcode));
	wire_put_u16(out + 6, r.ancount);
	s->ctr.ok++;
	return sign_reply(ri, now, 0, out, r.len, cap);
}

size_t ctl_handle(struct ctl_server *s, uint8_t *req, size_t len, uint64_t now,
		  uint8_t *out, size_t cap)
{
	struct wire_msg m = { .rr = NULL, .rr_cap = 0 };
	struct tsig_info ri;
	size_t plain;
	int rc;

	if (len < WIRE_HDR_LEN || cap < CTL_MSG_MAX || WIRE_QR(wire_get_u16(req + 2))) {
		s->ctr.malformed++;
		return 0;
	}
	s->ctr.requests++;
	if (wire_parse_msg(req, len, &m) != WIRE_OK || !m.has_question ||
	    WIRE_OPCODE(m.hdr.flags) != 0) {
		s->ctr.malformed++;
		return reply_start(req, WIRE_HDR_LEN, WIRE_RCODE_FORMERR, out, cap);
	}
	memset(&ri, 0, sizeof(ri));
	rc = tsig_verify(req, len, s->keys, now, NULL, 0, &plain, &ri);
	switch (rc) {
	case TSIG_OK:
		if (!replay_seen(s, &ri, now)) {
			replay_remember(s, &ri, now);
			return run_command(s, req, plain, &m.q, &ri, now, out, cap);
		}
		s->ctr.replays++;
		return sign_reply(&ri, now, WIRE_RCODE_BADTIME, out,
				  reply_start(req, m.q.end_off, WIRE_RCODE_NOTAUTH, out, cap), cap);
	case TSIG_EBADTIME:
		s->ctr.badtime++;
		return sign_reply(&ri, now, WIRE_RCODE_BADTIME, out,
				  reply_start(req, m.q.end_off, WIRE_RCODE_NOTAUTH, out, cap), cap);
	case TSIG_EBADKEY:
	case TSIG_EBADSIG:
		if (rc == TSIG_EBADKEY)
			s->ctr.badkey++;
		else
			s->ctr.badsig++;
		return append_unsigned_tsig(req, len, now, tsig_err_rcode(rc), out,
					    reply_start(req, m.q.end_off, WIRE_RCODE_NOTAUTH, out,
							cap), cap);
	case TSIG_ENOSIG:
		s->ctr.unsigned_requests++;
		return reply_start(req, m.q.end_off, WIRE_RCODE_REFUSED, out, cap);
	default:
		s->ctr.malformed++;
		return reply_start(req, m.q.end_off, WIRE_RCODE_FORMERR, out, cap);
	}
}

/* ---- Client side ------------------------------------------------------------------- */

static bool command_name_ok(const char *cmd, size_t n)
{
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = cmd[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* The arguments as one TXT record (owner: the question's name) at @off. */
static int put_args(int argc, char *const argv[], uint8_t *buf, size_t off, size_t cap)
{
	size_t rdlen = 0, p = off + 12;

	if (argc > CTL_ARGS_MAX)
		return -EINVAL;
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);

		if (n == 0 || n > CTL_LINE_MAX)
			return -EINVAL;
		if (p + 1 + n > cap || rdlen + 1 + n > UINT16_MAX)
			return -ENOSPC;
		buf[p] = (uint8_t)n;
		memcpy(buf + p + 1, argv[i], n);
		p += 1 + n;
		rdlen += 1 + n;
	}
	if (off + 12 > cap)
		return -ENOSPC;
	wire_put_u16(buf + off, 0xC000 | WIRE_HDR_LEN);
	wire_put_u16(buf + off + 2, WIRE_TYPE_TXT);
	wire_put_u16(buf + off + 4, WIRE_CLASS_ANY);
	wire_put_u32(buf + off + 6, 0);
	wire_put_u16(buf + off + 10, (uint16_t)rdlen);
	wire_put_u16(buf + 10, 1); /* ARCOUNT */
	return (int)p;
}

int ctl_build_request(const char *cmd, int argc, char *const argv[], uint16_t id,
		      uint8_t *buf, size_t cap)
{
	size_t n = strlen(cmd), len;

	if (!command_name_ok(cmd, n) || argc < 0)
		return -EINVAL;
	len = WIRE_HDR_LEN + 1 + n + sizeof(ctl_suffix) + 4;
	if (len > cap)
		return -ENOSPC;
	memset(buf, 0, WIRE_HDR_LEN);
	wire_put_u16(buf, id);
	wire_put_u16(buf + 4, 1);
	buf[WIRE_HDR_LEN] = (uint8_t)n;
	memcpy(buf + WIRE_HDR_LEN + 1, cmd, n);
	memcpy(buf + WIRE_HDR_LEN + 1 + n, ctl_suffix, sizeof(ctl_suffix)); /* with the root */
	wire_put_u16(buf + len - 4, WIRE_TYPE_TXT);
	wire_put_u16(buf + len - 2, WIRE_CLASS_ANY);
	return argc == 0 ? (int)len : put_args(argc, argv, buf, len, cap);
}

int ctl_reply_lines(const uint8_t *msg, size_t len,
		    void (*fn)(const char *line, size_t len, void *arg), void *arg)
{
	struct wire_hdr h;
	struct wire_question q;
	size_t off;
	int count = 0;

	if (wire_parse_header(msg, len, &h) != WIRE_OK || h.qdcount != 1 ||
	    wire_parse_question(msg, len, WIRE_HDR_LEN, &q) != WIRE_OK)
		return -EBADMSG;
	off = q.end_off;
	for (unsigned i = 0; i < h.ancount; i++) {
		size_t rd, end;

		if (wire_name_skip(msg, len, off, &off) != WIRE_OK || off + 10 > len)
			return -EBADMSG;
		rd = off + 10;
		end = rd + wire_get_u16(msg + off + 8);
		if (end > len)
			return -EBADMSG;
		if (wire_get_u16(msg + off) == WIRE_TYPE_TXT) {
			while (rd < end) {
				size_t n = msg[rd];

				if (rd + 1 + n > end)
					return -EBADMSG;
				fn((const char *)msg + rd + 1, n, arg);
				count++;
				rd += 1 + n;
			}
		}
		off = end;
	}
	return count;
}
