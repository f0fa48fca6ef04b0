/*
 * validate_denial.h - denial-of-existence proofs: what a set of NSEC or NSEC3
 * records proves about a name (RFC 4035 §5.4, RFC 5155 §8, RFC 6840 §4,
 * RFC 7129, RFC 9276, RFC 8198).
 *
 * Pure C over byte buffers: no DPDK, no allocation, no global state. These
 * functions check proofs only. The caller has already verified the RRSIGs over
 * the NSEC/NSEC3 RRsets it passes in, and passes the signer name of those
 * RRSIGs as the zone: a record is only believed about names in that zone.
 *
 * How a proof is asked for
 * ------------------------
 * The caller collects the NSEC (or NSEC3) records of a response's authority
 * section as (owner, RDATA) views, both uncompressed wire form, and asks one
 * question per response kind:
 *
 *   NXDOMAIN        validate_nsec_prove_nxdomain / validate_nsec3_prove_nxdomain
 *   NODATA          validate_nsec_prove_nodata / validate_nsec3_prove_nodata
 *                   (exact match, empty non-terminal, wildcard NODATA, DS)
 *   wildcard answer validate_nsec_prove_wildcard / validate_nsec3_prove_wildcard
 *                   (an RRSIG's Labels field says the answer was expanded)
 *   referral w/o DS validate_nsec_prove_insecure_delegation / validate_nsec3_...
 *   RFC 8198 reuse  validate_nsec_aggressive / validate_nsec3_aggressive
 *
 * Each returns an enum validate_denial. "Not proven" is VALIDATE_DENIAL_BOGUS
 * (records were usable but prove something else, or contradict the answer) or
 * VALIDATE_DENIAL_MISSING (nothing usable was given). validate_denial_ede()
 * turns a result into the Extended DNS Error to attach.
 *
 * For NXDOMAIN and wildcard proofs the closest encloser (the deepest existing
 * ancestor of the name) is reported in struct validate_denial_info as a
 * pointer into the caller's qname buffer: the chain-of-trust code and the
 * aggressive negative cache use it.
 *
 * Names: an uncompressed wire name is length-prefixed labels ending with the
 * root label, at most 255 bytes. Letter case never matters here.
 */
#ifndef SEKISHO_VALIDATE_DENIAL_H
#define SEKISHO_VALIDATE_DENIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* RFC 8914 INFO-CODE 27 "Unsupported NSEC3 Iterations Value" (RFC 9276 §3.2);
 * enum wire_ede stops at 24. */
#define VALIDATE_EDE_NSEC3_ITERATIONS 27

/* NSEC3 hash algorithm 1 (RFC 5155 §11): SHA-1, 20-byte hashes. */
#define VALIDATE_NSEC3_ALG_SHA1 1
#define VALIDATE_NSEC3_SHA1_LEN 20
/* Longest hash an owner label can carry: 63 base32hex characters. */
#define VALIDATE_NSEC3_HASH_MAX 39
#define VALIDATE_NSEC3_FLAG_OPTOUT 0x01

/* RFC 9276 policy defaults: above 150 iterations the answer is insecure (what
 * BIND, Unbound and Knot Resolver settled on); no hard cap by default, so
 * Deckard's val_iter_high (65535 iterations, expects insecure) holds. */
#define VALIDATE_NSEC3_INSECURE_ABOVE_DEFAULT 150
#define VALIDATE_NSEC3_BOGUS_ABOVE_DEFAULT 65535
/* Hash computations one proof may spend. A closest-encloser walk hashes every
 * ancestor of the qname (CVE-2023-50868: many labels times many iterations). */
#define VALIDATE_NSEC3_HASHES_DEFAULT 32

/* Errors of the record parsers (negative; 0 is success). */
enum validate_denial_err {
	VALIDATE_DENIAL_OK = 0,
	VALIDATE_DENIAL_ERDATA = -1,  /* RDATA shorter than its fields say */
	VALIDATE_DENIAL_EBITMAP = -2, /* type bitmap breaks RFC 4034 §4.1.2 */
	VALIDATE_DENIAL_ENAME = -3,   /* owner or next name is not a valid wire name */
	VALIDATE_DENIAL_EOWNER = -4,  /* NSEC3 owner label is not base32hex of a hash */
};

/* What a proof established. */
enum validate_denial {
	VALIDATE_DENIAL_PROVEN = 0,        /* secure proof */
	VALIDATE_DENIAL_BOGUS,             /* usable records that do not prove it: EDE 6 */
	VALIDATE_DENIAL_MISSING,           /* no usable NSEC/NSEC3 record at all: EDE 12 */
	VALIDATE_DENIAL_INSECURE_OPTOUT,   /* only an opt-out span covers the name: no AD */
	VALIDATE_DENIAL_INSECURE_ITERATIONS, /* NSEC3 iterations over the soft limit: EDE 27 */
	VALIDATE_DENIAL_BOGUS_ITERATIONS,  /* NSEC3 iterations over the hard cap: EDE 27 */
	VALIDATE_DENIAL_EINVAL,            /* bad arguments (invalid qname, wildcard labels) */
};

/* One NSEC or NSEC3 record: uncompressed owner and RDATA, as the caller holds them. */
struct validate_denial_rr {
	const uint8_t *owner;
	size_t owner_len;
	const uint8_t *rdata;
	size_t rdlen;
};

/* The records of one response (or one cache entry) signed by one zone. */
struct validate_denial_set {
	const uint8_t *zone;  /* signer name of the RRSIGs over these records */
	size_t zone_len;
	const struct validate_denial_rr *rr;
	size_t count;
};

/*
 * What a proof found besides its result; every field is reset by each call.
 * closest_encloser is meaningful when the result is PROVEN or INSECURE_OPTOUT
 * (a failed proof may leave the candidate it was checking there).
 */
struct validate_denial_info {
	const uint8_t *closest_encloser; /* into the caller's qname; NULL if not determined */
	size_t closest_encloser_len;
	bool wildcard;        /* NODATA proven through the wildcard at the closest encloser */
	bool opt_out;         /* an opt-out NSEC3 covers the next closer name */
	uint16_t iterations;  /* NSEC3 iterations of the records used */
	bool hash_budget_spent; /* NSEC3: the proof stopped at policy.max_hashes */
};

/* RFC 9276 limits and the work cap for NSEC3 proofs. */
struct validate_nsec3_policy {
	uint16_t insecure_above; /* more iterations: INSECURE_ITERATIONS (no hashing done) */
	uint16_t bogus_above;    /* more iterations: BOGUS_ITERATIONS; checked first */
	uint16_t max_hashes;     /* hash computations per proof; past it: BOGUS */
};

/* What an aggressively used (RFC 8198) cached NSEC/NSEC3 set allows. */
enum validate_aggressive {
	VALIDATE_AGGR_NONE = 0,  /* nothing proven: ask upstream */
	VALIDATE_AGGR_NXDOMAIN,  /* answer NXDOMAIN */
	VALIDATE_AGGR_NODATA,    /* answer NODATA (also wildcard NODATA) */
	VALIDATE_AGGR_WILDCARD,  /* qname absent, the wildcard at info.closest_encloser has
				  * qtype or a CNAME: synthesise the answer from the cached
				  * wildcard RRset */
};

/* Parsed views; pointers point into the caller's record. */
struct validate_nsec {
	const uint8_t *owner;
	size_t owner_len;
	const uint8_t *next;
	size_t next_len;
	const uint8_t *bitmap;
	size_t bitmap_len;
};

struct validate_nsec3 {
	const uint8_t *owner;
	size_t owner_len;
	uint8_t alg, flags;
	uint16_t iterations;
	const uint8_t *salt;
	uint8_t salt_len;
	const uint8_t *next;  /* next hashed owner, raw bytes */
	uint8_t next_len;
	const uint8_t *bitmap;
	size_t bitmap_len;
	uint8_t owner_hash[VALIDATE_NSEC3_HASH_MAX]; /* the owner's first label decoded */
	uint8_t owner_hash_len;
};

/* ---- Results ------------------------------------------------------------------------ */

/*
 * validate_denial_ede - the EDE for a result: WIRE_EDE_NONE for PROVEN and
 * INSECURE_OPTOUT, WIRE_EDE_DNSSEC_BOGUS (6), WIRE_EDE_NSEC_MISSING (12) or
 * VALIDATE_EDE_NSEC3_ITERATIONS (27); EINVAL gives WIRE_EDE_OTHER.
 */
int validate_denial_ede(enum validate_denial r);

/* validate_denial_name - short constant name for logs ("proven", "bogus", ...). */
const char *validate_denial_name(enum validate_denial r);

/* validate_denial_is_insecure - true for the two INSECURE_* results. */
bool validate_denial_is_insecure(enum validate_denial r);

/* ---- Names (validate_name.c) ----------------------------------------------------------- */

/*
 * validate_name_labels - number of labels of a name, root excluded, a leading
 * "*" included (unlike wire_name_label_count, which gives the RRSIG count).
 * Returns it, or a negative wire_err for an invalid name.
 */
int validate_name_labels(const uint8_t *name, size_t len);

/*
 * validate_name_ancestor - offset inside @name of its ancestor with @keep
 * labels (keep = labels gives 0, the name itself; keep 0 the root label).
 * Returns the offset, WIRE_EINVAL when @keep is negative or more than the
 * name's labels, or the wire_err of an invalid name.
 */
int validate_name_ancestor(const uint8_t *name, size_t len, int keep);

/* validate_name_common_labels - labels both names share from the right,
 * case-insensitively (the labels of their deepest common ancestor). */
int validate_name_common_labels(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* validate_name_is_below - true when @name lies strictly below @zone. */
bool validate_name_is_below(const uint8_t *name, size_t nlen, const uint8_t *zone, size_t zlen);

/* validate_name_is_wildcard - true when the first label is "*". */
bool validate_name_is_wildcard(const uint8_t *name, size_t len);

/*
 * validate_name_wildcard - write "*." + @name (the wildcard at a closest
 * encloser) into @out. Returns the length, WIRE_ENAME when it would exceed
 * 255 bytes, WIRE_ENOSPC when @cap is too small, or the wire_err of an
 * invalid @name.
 */
int validate_name_wildcard(const uint8_t *name, size_t len, uint8_t *out, size_t cap);

/*
 * validate_name_canonical_cmp - RFC 4034 §6.1 canonical order (<0, 0, >0).
 * The same order as wire_name_canonical_cmp(); here so that proof code reads
 * in one vocabulary.
 */
int validate_name_canonical_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* ---- Type bitmaps (RFC 4034 §4.1.2, shared by NSEC and NSEC3) ------------------------ */

/*
 * validate_bitmap_check - check a type bitmap field: window blocks in strictly
 * increasing order, each with a length of 1..32 octets that stays inside the
 * field. An empty field is valid (an NSEC3 for an empty non-terminal).
 * Trailing zero octets are tolerated: they change no answer.
 * Returns VALIDATE_DENIAL_OK or VALIDATE_DENIAL_EBITMAP.
 */
int validate_bitmap_check(const uint8_t *bm, size_t len);

/* validate_bitmap_has - true when @type is set; false for a malformed field. */
bool validate_bitmap_has(const uint8_t *bm, size_t len, uint16_t type);

/* ---- NSEC (validate_nsec.c) ---------------------------------------------------------- */

/*
 * validate_nsec_parse - split one NSEC record into owner, next name and bitmap.
 * Returns VALIDATE_DENIAL_OK, VALIDATE_DENIAL_ENAME (owner or next name
 * invalid or compressed), VALIDATE_DENIAL_EBITMAP.
 */
int validate_nsec_parse(const struct validate_denial_rr *rr, struct validate_nsec *out);

/* validate_nsec_matches - the NSEC's owner is @name. */
bool validate_nsec_matches(const struct validate_nsec *n, const uint8_t *name, size_t len);

/*
 * validate_nsec_covers - @name sorts strictly between owner and next (RFC 4034
 * §6.1 order). For the last NSEC of a zone, whose next name is the apex and
 * sorts before its owner, every name after the owner that lies in the apex's
 * zone is covered. Says nothing about delegations: see the proof functions.
 */
bool validate_nsec_covers(const struct validate_nsec *n, const uint8_t *name, size_t len);

/* validate_nsec_has_type - @type is set in the NSEC's bitmap. */
bool validate_nsec_has_type(const struct validate_nsec *n, uint16_t type);

/*
 * validate_nsec_prove_nxdomain - @qname does not exist: an NSEC covers it, no
 * NSEC matches it, no NSEC's next name lies below it (that would make it an
 * empty non-terminal), and an NSEC covers the wildcard at the closest encloser.
 * An NSEC from the parent side of a delegation (NS without SOA) or with DNAME
 * proves nothing below its owner (RFC 6840 §4.1). @info may be NULL.
 */
enum validate_denial validate_nsec_prove_nxdomain(const struct validate_denial_set *set,
						  const uint8_t *qname, size_t qlen,
						  struct validate_denial_info *info);

/*
 * validate_nsec_prove_nodata - @qname exists without @qtype. Proven by an NSEC
 * matching qname without qtype and without CNAME (a parent-side delegation
 * NSEC only for qtype DS; an apex NSEC, with SOA, never for DS), by an NSEC
 * covering qname whose next name lies below qname (an empty non-terminal), or
 * by a wildcard NODATA: qname covered, and the NSEC matching the wildcard at
 * the closest encloser lacks qtype and CNAME (info->wildcard set).
 */
enum validate_denial validate_nsec_prove_nodata(const struct validate_denial_set *set,
						const uint8_t *qname, size_t qlen, uint16_t qtype,
						struct validate_denial_info *info);

/*
 * validate_nsec_prove_wildcard - an answer for @qname signed with RRSIG
 * Labels @rrsig_labels (fewer than qname's labels) was expanded from the
 * wildcard "*.<the last rrsig_labels labels of qname>": prove that qname
 * itself does not exist and that no name between it and that wildcard's
 * parent exists (RFC 4035 §5.3.4). The closest encloser reported is the
 * wildcard's parent. EINVAL when rrsig_labels does not mean an expansion.
 */
enum validate_denial validate_nsec_prove_wildcard(const struct validate_denial_set *set,
						  const uint8_t *qname, size_t qlen,
						  uint8_t rrsig_labels,
						  struct validate_denial_info *info);

/*
 * validate_nsec_prove_insecure_delegation - a referral to @child carries no DS:
 * proven by the NSEC at @child with NS and without DS and SOA (RFC 4035
 * §5.2). PROVEN means "the child zone is unsigned".
 */
enum validate_denial validate_nsec_prove_insecure_delegation(
	const struct validate_denial_set *set, const uint8_t *child, size_t clen,
	struct validate_denial_info *info);

/*
 * validate_nsec_aggressive - RFC 8198: may these cached, validated NSEC
 * records answer (@qname, @qtype) without asking upstream? NXDOMAIN when
 * they prove it, NODATA likewise, WILDCARD when qname is proven absent and
 * the wildcard at its closest encloser has qtype or a CNAME
 * (info->closest_encloser says which wildcard to look up; never for DS),
 * NONE otherwise (info then says nothing).
 */
enum validate_aggressive validate_nsec_aggressive(const struct validate_denial_set *set,
						  const uint8_t *qname, size_t qlen,
						  uint16_t qtype,
						  struct validate_denial_info *info);

/* ---- NSEC3 (validate_nsec3.c) -------------------------------------------------------- */

/* validate_nsec3_policy_default - fill @p with the *_DEFAULT values above. */
void validate_nsec3_policy_default(struct validate_nsec3_policy *p);

/*
 * validate_base32hex_decode - RFC 4648 §7 "Extended Hex" alphabet, either
 * case, no padding (the form of NSEC3 owner labels). Bits left over after the
 * last whole octet must be zero.
 * Returns the number of bytes written, or VALIDATE_DENIAL_EOWNER for a bad
 * character or leftover bits, VALIDATE_DENIAL_ERDATA when @cap is too small.
 */
int validate_base32hex_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t cap);

/*
 * validate_nsec3_parse - split one NSEC3 record and decode its owner's first
 * label. Returns VALIDATE_DENIAL_OK, VALIDATE_DENIAL_ERDATA (fields overrun
 * the RDATA, empty hash), VALIDATE_DENIAL_EBITMAP, VALIDATE_DENIAL_ENAME,
 * VALIDATE_DENIAL_EOWNER.
 */
int validate_nsec3_parse(const struct validate_denial_rr *rr, struct validate_nsec3 *out);

/*
 * validate_nsec3_usable - whether a parsed NSEC3 may take part in a proof for
 * @zone (RFC 5155 §8.1, §8.2): hash algorithm known (SHA-1), no flag other than
 * opt-out, owner exactly one label below the zone, owner and next hashes of
 * the algorithm's length. Unusable records are ignored, not fatal.
 */
bool validate_nsec3_usable(const struct validate_nsec3 *n, const uint8_t *zone, size_t zlen);

/* validate_nsec3_matches / _covers - on a raw hash of VALIDATE_NSEC3_SHA1_LEN
 * bytes; covers wraps around at the last NSEC3 of the chain. */
bool validate_nsec3_matches(const struct validate_nsec3 *n, const uint8_t *hash, size_t hlen);
bool validate_nsec3_covers(const struct validate_nsec3 *n, const uint8_t *hash, size_t hlen);

/* validate_nsec3_has_type - @type is set in the NSEC3's bitmap. */
bool validate_nsec3_has_type(const struct validate_nsec3 *n, uint16_t type);

/*
 * The NSEC3 proofs below share these steps (RFC 5155 §8):
 *  - records that are not validate_nsec3_usable() are ignored, and so are
 *    records whose algorithm, iterations or salt differ from the first usable
 *    one (§8.2 allows treating a mix as bogus; ignoring is the gentler choice);
 *    none left: MISSING;
 *  - iterations above policy->bogus_above: BOGUS_ITERATIONS; above
 *    policy->insecure_above: INSECURE_ITERATIONS, both before any hashing;
 *  - names are hashed with validate_nsec3_hash() (validate.h), at most
 *    policy->max_hashes times; running out gives BOGUS with
 *    info->hash_budget_spent;
 *  - a closest encloser proof (§8.3) finds the deepest ancestor X of the name
 *    matched by an NSEC3 whose child towards the name is covered; the NSEC3
 *    at X must not have DNAME, nor NS without SOA;
 *  - when the NSEC3 covering the next closer name has opt-out, a name there
 *    may be an unsigned delegation: the result is INSECURE_OPTOUT instead of
 *    PROVEN (what Unbound and the Deckard B.1/B.4/B.5 scenarios expect).
 * @policy NULL means the defaults; @info may be NULL.
 */

/* NXDOMAIN (§8.4): closest encloser proof and the wildcard at it covered. */
enum validate_denial validate_nsec3_prove_nxdomain(const struct validate_denial_set *set,
						   const struct validate_nsec3_policy *policy,
						   const uint8_t *qname, size_t qlen,
						   struct validate_denial_info *info);

/*
 * NODATA (§8.5-8.7): a matching NSEC3 without qtype and CNAME (an empty
 * non-terminal has an empty bitmap; NS without SOA only for qtype DS; SOA never
 * for DS); otherwise, for qtype other than DS, a closest encloser proof and a
 * matching NSEC3 for the wildcard without qtype and CNAME (info->wildcard);
 * otherwise a closest encloser proof whose next closer is covered by an
 * opt-out NSEC3: INSECURE_OPTOUT (§8.6 for DS; RFC 5155 erratum 3441 for an
 * empty non-terminal over unsigned delegations).
 */
enum validate_denial validate_nsec3_prove_nodata(const struct validate_denial_set *set,
						 const struct validate_nsec3_policy *policy,
						 const uint8_t *qname, size_t qlen, uint16_t qtype,
						 struct validate_denial_info *info);

/* Wildcard answer (§8.8): the next closer name below the wildcard's parent
 * (the last @rrsig_labels labels of qname) is covered. */
enum validate_denial validate_nsec3_prove_wildcard(const struct validate_denial_set *set,
						   const struct validate_nsec3_policy *policy,
						   const uint8_t *qname, size_t qlen,
						   uint8_t rrsig_labels,
						   struct validate_denial_info *info);

/*
 * Referral without DS (§8.9): the NSEC3 matching @child has NS and neither DS
 * nor SOA (PROVEN: the child is unsigned), or a closest encloser proof whose
 * next closer is covered by an opt-out NSEC3 (INSECURE_OPTOUT).
 */
enum validate_denial validate_nsec3_prove_insecure_delegation(
	const struct validate_denial_set *set, const struct validate_nsec3_policy *policy,
	const uint8_t *child, size_t clen, struct validate_denial_info *info);

/* RFC 8198 with NSEC3: as validate_nsec_aggressive(). Opt-out spans and
 * iteration-limited records never allow an answer: an opt-out span may hide
 * an unsigned delegation (RFC 5155 §6), so a name in it may exist. */
enum validate_aggressive validate_nsec3_aggressive(const struct validate_denial_set *set,
						   const struct validate_nsec3_policy *policy,
						   const uint8_t *qname, size_t qlen,
						   uint16_t qtype,
						   struct validate_denial_info *info);

#endif /* SEKISHO_VALIDATE_DENIAL_H */
