/*
 * wire.h - DNS wire format: header, constants, error codes and the message parser.
 *
 * Plain C over byte buffers: no DPDK, no allocation, no global state. Every
 * function takes a buffer together with its length and checks bounds where the
 * data enters. Errors are negative values of enum wire_err; 0 means success.
 *
 * The rest of the codec lives in:
 *   wire_name.h   domain names: unpack (compression), compare, canonical order, text
 *   wire_edns.h   EDNS(0) OPT record and its options
 *   wire_build.h  response builder with name compression and truncation
 */
#ifndef SEKISHO_WIRE_H
#define SEKISHO_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Errors. Everything up to WIRE_EOPT_OPTION describes a malformed message:
 * answer it with FORMERR (or drop it); see wire_err_is_malformed(). */
enum wire_err {
	WIRE_OK = 0,
	WIRE_ESHORT = -1,      /* data ends before the structure does */
	WIRE_EPTR = -2,        /* bad compression pointer: not strictly backward, into the header, loop */
	WIRE_ELABEL = -3,      /* label longer than 63 or reserved label type (0x40, 0x80) */
	WIRE_ENAME = -4,       /* name longer than 255 octets */
	WIRE_ECOUNT = -5,      /* section counts cannot fit in the message */
	WIRE_EQDCOUNT = -6,    /* more than one question */
	WIRE_ERDATA = -7,      /* RDLENGTH past the end, or RDATA inconsistent with its type */
	WIRE_EOPT_DUP = -8,    /* two OPT records */
	WIRE_EOPT_SECTION = -9,/* OPT outside the additional section */
	WIRE_EOPT_OWNER = -10, /* OPT owner is not the root */
	WIRE_EOPT_OPTION = -11,/* EDNS option overruns the OPT RDATA or has a bad length */
	WIRE_ECAPACITY = -12,  /* more records than the caller's wire_rr_ref array holds */
	WIRE_ENOSPC = -13,     /* builder: does not fit under the size limit */
	WIRE_EINVAL = -14,     /* bad argument (invalid name given to a builder, wrong order) */
	WIRE_EBADVERS = -15,   /* EDNS version we do not speak: answer BADVERS */
};

/* True when err means "the message is malformed" (FORMERR material). */
static inline bool wire_err_is_malformed(int err)
{
	return err <= WIRE_ESHORT && err >= WIRE_EOPT_OPTION;
}

/* Short constant text for logs; never NULL. */
const char *wire_strerror(int err);

/* ---- Header ---------------------------------------------------------------------- */

#define WIRE_HDR_LEN 12
#define WIRE_UDP_MIN 512 /* RFC 1035 limit without EDNS */
#define WIRE_MSG_MAX 65535

struct wire_hdr {
	uint16_t id, flags, qdcount, ancount, nscount, arcount;
};

#define WIRE_FLAG_QR 0x8000
#define WIRE_FLAG_AA 0x0400
#define WIRE_FLAG_TC 0x0200
#define WIRE_FLAG_RD 0x0100
#define WIRE_FLAG_RA 0x0080
#define WIRE_FLAG_Z 0x0040
#define WIRE_FLAG_AD 0x0020
#define WIRE_FLAG_CD 0x0010

#define WIRE_QR(f) (((f) & WIRE_FLAG_QR) != 0)
#define WIRE_AA(f) (((f) & WIRE_FLAG_AA) != 0)
#define WIRE_TC(f) (((f) & WIRE_FLAG_TC) != 0)
#define WIRE_RD(f) (((f) & WIRE_FLAG_RD) != 0)
#define WIRE_RA(f) (((f) & WIRE_FLAG_RA) != 0)
#define WIRE_AD(f) (((f) & WIRE_FLAG_AD) != 0)
#define WIRE_CD(f) (((f) & WIRE_FLAG_CD) != 0)
#define WIRE_OPCODE(f) ((uint8_t)(((f) >> 11) & 0xF))
#define WIRE_RCODE(f) ((uint8_t)((f) & 0xF))

/* flags with the opcode / the low 4 rcode bits replaced. */
static inline uint16_t wire_flags_set_opcode(uint16_t flags, uint8_t opcode)
{
	return (uint16_t)((flags & ~0x7800u) | ((opcode & 0xFu) << 11));
}

static inline uint16_t wire_flags_set_rcode(uint16_t flags, uint8_t rcode)
{
	return (uint16_t)((flags & ~0xFu) | (rcode & 0xFu));
}

enum wire_opcode {
	WIRE_OPCODE_QUERY = 0,
	WIRE_OPCODE_IQUERY = 1,
	WIRE_OPCODE_STATUS = 2,
	WIRE_OPCODE_NOTIFY = 4,
	WIRE_OPCODE_UPDATE = 5,
};

/* RCODEs. Values above 15 are extended: low 4 bits in the header, the upper 8 bits
 * in the OPT record's ext_rcode (BADVERS = ext_rcode 1, header rcode 0). */
enum wire_rcode {
	WIRE_RCODE_NOERROR = 0,
	WIRE_RCODE_FORMERR = 1,
	WIRE_RCODE_SERVFAIL = 2,
	WIRE_RCODE_NXDOMAIN = 3,
	WIRE_RCODE_NOTIMP = 4,
	WIRE_RCODE_REFUSED = 5,
	WIRE_RCODE_YXDOMAIN = 6,
	WIRE_RCODE_YXRRSET = 7,
	WIRE_RCODE_NXRRSET = 8,
	WIRE_RCODE_NOTAUTH = 9,
	WIRE_RCODE_NOTZONE = 10,
	WIRE_RCODE_BADVERS = 16, /* also BADSIG in TSIG RDATA */
	WIRE_RCODE_BADKEY = 17,
	WIRE_RCODE_BADTIME = 18,
	WIRE_RCODE_BADCOOKIE = 23,
};

/* RR types and classes are macros, not enums, so that wire_text.h may define the
 * same names with the same values (an identical redefinition is valid C) and the
 * two headers can be included in any order. */
#define WIRE_TYPE_A 1
#define WIRE_TYPE_NS 2
#define WIRE_TYPE_CNAME 5
#define WIRE_TYPE_SOA 6
#define WIRE_TYPE_PTR 12
#define WIRE_TYPE_HINFO 13
#define WIRE_TYPE_MX 15
#define WIRE_TYPE_TXT 16
#define WIRE_TYPE_SIG 24
#define WIRE_TYPE_KEY 25
#define WIRE_TYPE_AAAA 28
#define WIRE_TYPE_SRV 33
#define WIRE_TYPE_NAPTR 35
#define WIRE_TYPE_DNAME 39
#define WIRE_TYPE_OPT 41
#define WIRE_TYPE_DS 43
#define WIRE_TYPE_SSHFP 44
#define WIRE_TYPE_RRSIG 46
#define WIRE_TYPE_NSEC 47
#define WIRE_TYPE_DNSKEY 48
#define WIRE_TYPE_NSEC3 50
#define WIRE_TYPE_NSEC3PARAM 51
#define WIRE_TYPE_TLSA 52
#define WIRE_TYPE_CDS 59
#define WIRE_TYPE_CDNSKEY 60
#define WIRE_TYPE_SVCB 64
#define WIRE_TYPE_HTTPS 65
#define WIRE_TYPE_TKEY 249
#define WIRE_TYPE_TSIG 250
#define WIRE_TYPE_IXFR 251
#define WIRE_TYPE_AXFR 252
#define WIRE_TYPE_ANY 255
#define WIRE_TYPE_CAA 257

#define WIRE_CLASS_IN 1
#define WIRE_CLASS_CH 3
#define WIRE_CLASS_HS 4
#define WIRE_CLASS_NONE 254
#define WIRE_CLASS_ANY 255

enum wire_section {
	WIRE_SECTION_QUESTION = 0,
	WIRE_SECTION_ANSWER = 1,
	WIRE_SECTION_AUTHORITY = 2,
	WIRE_SECTION_ADDITIONAL = 3,
};

/* Big-endian helpers; callers have checked the bounds. */
static inline uint16_t wire_get_u16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t wire_get_u32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void wire_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wire_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#include "wire_name.h"
#include "wire_edns.h"

/* ---- Message parser ---------------------------------------------------------------- */

/* The question as it sits in the packet. pkt[name_off, end_off) are the client's
 * question bytes (name, QTYPE, QCLASS) with their letter case, ready to be copied
 * into a response by wire_build_question_raw(). */
struct wire_question {
	uint16_t name_off;      /* offset of QNAME in the packet */
	uint16_t name_wire_len; /* bytes QNAME occupies in the packet */
	uint16_t qtype, qclass;
	uint16_t end_off;       /* offset just after QCLASS */
	uint8_t name_len;       /* length of name[] (uncompressed, case kept) */
	uint8_t name[WIRE_NAME_MAX];
};

/* One resource record's position in a parsed message. Offsets are into the packet.
 * The owner at name_off may be compressed: unpack it with wire_name_unpack(). */
struct wire_rr_ref {
	uint16_t off;       /* first byte of the record (= name_off) */
	uint16_t name_off;  /* owner name */
	uint16_t type, class;
	uint32_t ttl;       /* raw 32-bit TTL; for OPT this carries ext_rcode/version/flags */
	uint16_t rdata_off, rdlen;
	uint8_t section;    /* enum wire_section */
};

/* A parsed message. Before wire_parse_msg(), set rr/rr_cap to the caller's array
 * (rr may be NULL with rr_cap 0: the message is then checked but no positions are
 * kept). rr[] then holds the answer records, then authority, then additional, in
 * packet order; hdr.ancount etc. give the split. The OPT record is in rr[] too. */
struct wire_msg {
	struct wire_rr_ref *rr;
	uint16_t rr_cap;
	uint16_t rr_count;       /* records stored in rr[] (all of them on success) */
	struct wire_hdr hdr;
	bool has_question;       /* qdcount was 1 */
	struct wire_question q;
	struct wire_edns edns;   /* edns.present is false without an OPT */
	int opt_index;           /* index of OPT in rr[], -1 if none or not stored */
	uint16_t end_off;        /* offset after the last record */
};

/*
 * wire_parse_header - read the 12-byte header.
 * @pkt, @len: the message. @h: filled on success.
 * Returns WIRE_OK or WIRE_ESHORT when len < 12.
 */
int wire_parse_header(const uint8_t *pkt, size_t len, struct wire_hdr *h);

/*
 * wire_parse_question - read one question entry starting at @off.
 * @q: filled on success (name unpacked with case kept, offsets as in the packet).
 * Returns WIRE_OK, or a malformed code (name errors, WIRE_ESHORT).
 */
int wire_parse_question(const uint8_t *pkt, size_t len, size_t off, struct wire_question *q);

/*
 * wire_parse_msg - check a whole message and locate every record.
 *
 * Walks the header, the question (0 or 1; 2+ is WIRE_EQDCOUNT), and every record
 * of every section: counts are checked against the room left before the loop
 * (every record needs at least 11 bytes), names follow the rules of
 * wire_name_unpack(), RDLENGTH must stay inside the message, and the RDATA of
 * A, AAAA, NS, CNAME, PTR, DNAME, MX, SOA and SRV must hold exactly what its type
 * says (names checked, compressed or not). The OPT record is decoded into m->edns
 * (see wire_edns.h for its rules). Bytes after the last record are tolerated
 * (m->end_off says where the records ended). No allocation.
 *
 * @m: m->rr and m->rr_cap set by the caller; everything else is filled.
 * Returns WIRE_OK; a malformed code; or WIRE_ECAPACITY when the message holds more
 * records than m->rr_cap (only when m->rr is not NULL). Message longer than 65535
 * bytes: WIRE_EINVAL.
 */
int wire_parse_msg(const uint8_t *pkt, size_t len, struct wire_msg *m);

/*
 * wire_rdata_decompress - copy one record's RDATA with its embedded names expanded.
 *
 * For NS, CNAME, PTR, DNAME, MX, SOA and SRV, names inside RDATA may be compressed
 * against the whole packet; this writes the RDATA in uncompressed form (what a
 * cache stores and what DNSSEC canonical form starts from). Other types are copied
 * as they are. Letter case is kept.
 * @rr: a record located by wire_parse_msg() in @pkt.
 * @out, @cap: destination. @outlen: bytes written.
 * Returns WIRE_OK, a malformed code, or WIRE_ENOSPC when @cap is too small.
 */
int wire_rdata_decompress(const uint8_t *pkt, size_t len, const struct wire_rr_ref *rr,
			  uint8_t *out, size_t cap, size_t *outlen);

#include "wire_build.h"

#endif /* SEKISHO_WIRE_H */
