/*
 * local.h - local zones and local data (Unbound's local-zone / local-data).
 *
 * Two halves:
 *  - struct local_conf: the configured zones and records, a plain owned
 *    list filled by the config parser (slow path, malloc allowed).
 *  - struct local_db: an immutable lookup structure built from a
 *    local_conf, queried per packet by local_lookup() on worker cores:
 *    no allocation, no locks, no system calls.
 *
 * Names are uncompressed wire format throughout. Zone names, record owners
 * and query names compare case-insensitively (ASCII).
 *
 * Zone types (the nearest enclosing local zone decides, as in Unbound):
 *  static          answer from local data; otherwise NODATA or NXDOMAIN
 *                  (with the apex SOA in authority when configured)
 *  transparent     answer from local data; a name with data but not this
 *                  type is NODATA; any other name goes to the resolver
 *  redirect        the apex's data answers every name at or below the apex
 *  refuse          answer from local data, otherwise REFUSED
 *  deny            answer from local data, otherwise drop the query
 *  always_nxdomain NXDOMAIN for every name, local data ignored
 */
#ifndef SEKISHO_LOCAL_H
#define SEKISHO_LOCAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOCAL_NAME_MAX      255 /* wire name octets */
#define LOCAL_ANSWER_MAX    32  /* records in the answer section */
#define LOCAL_AUTHORITY_MAX 2   /* records in the authority section */
#define LOCAL_CNAME_MAX     8   /* CNAMEs followed within local data */

enum local_zone_type {
	LOCAL_ZONE_STATIC,
	LOCAL_ZONE_TRANSPARENT,
	LOCAL_ZONE_REDIRECT,
	LOCAL_ZONE_REFUSE,
	LOCAL_ZONE_DENY,
	LOCAL_ZONE_ALWAYS_NXDOMAIN,
};

/* Outcome of a lookup. */
enum local_result {
	LOCAL_NONE,     /* not ours: resolve normally (REFUSED until the resolver exists) */
	LOCAL_ANSWER,   /* NOERROR with answer records */
	LOCAL_NODATA,   /* NOERROR, empty answer, SOA in authority if configured */
	LOCAL_NXDOMAIN, /* NXDOMAIN, SOA in authority if configured */
	LOCAL_REFUSE,   /* REFUSED */
	LOCAL_DROP,     /* send nothing */
};

/* Error codes (negative). */
enum local_err {
	LOCAL_OK           = 0,
	LOCAL_ENOMEM       = -1, /* allocation failed */
	LOCAL_EINVAL       = -2, /* bad name or argument */
	LOCAL_EDUPZONE     = -3, /* the same local-zone twice */
	LOCAL_ECNAME       = -4, /* CNAME next to other data at one name */
	LOCAL_EREDIRECT    = -5, /* data below the apex of a redirect zone */
	LOCAL_ENOZONE      = -6, /* a record outside every zone (finish not run) */
};

/* ---- configuration (slow path) ------------------------------------------ */

/* One configured zone. name is lowercase wire form. */
struct local_conf_zone {
	uint8_t name[LOCAL_NAME_MAX];
	uint8_t name_len;
	uint16_t rclass;
	enum local_zone_type type;
	bool implicit;          /* made for local-data outside every zone */
	unsigned line;          /* caller's tag (config line), for errors */
};

/* One configured record; owner/rdata are heap copies owned by the conf. */
struct local_conf_rr {
	uint8_t *owner;         /* as written (case kept) */
	uint8_t *owner_lc;      /* lowercase copy */
	uint8_t owner_len;
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint8_t *rdata;
	uint16_t rdlen;
	unsigned line;
};

struct local_conf {
	struct local_conf_zone *zones;
	size_t nzones, zones_cap;
	struct local_conf_rr *rrs;
	size_t nrrs, rrs_cap;
};

/* Make an empty conf (no allocation). */
void local_conf_init(struct local_conf *lc);

/* Release everything the conf owns; it is empty afterwards. */
void local_conf_free(struct local_conf *lc);

/*
 * Add a zone. name/len: wire name (lowercased on copy). line: the caller's
 * tag reported back by local_conf_finish(). Duplicates are found by
 * local_conf_finish(). Returns 0, LOCAL_EINVAL or LOCAL_ENOMEM.
 */
int local_conf_add_zone(struct local_conf *lc, const uint8_t *name, size_t len,
			uint16_t rclass, enum local_zone_type type, unsigned line);

/*
 * Add a record (copied). Returns 0, LOCAL_EINVAL (bad owner) or LOCAL_ENOMEM.
 */
int local_conf_add_rr(struct local_conf *lc, const uint8_t *owner, size_t owner_len,
		      uint16_t type, uint16_t rclass, uint32_t ttl,
		      const uint8_t *rdata, size_t rdlen, unsigned line);

/*
 * Check the whole conf after the last add, and give each record outside
 * every zone an implicit transparent zone at its owner name (as Unbound
 * does). Checks: duplicate zones, CNAME beside other data, data below a
 * redirect apex. On error *bad_line is the tag of the offending entry.
 * Returns 0, LOCAL_EDUPZONE, LOCAL_ECNAME, LOCAL_EREDIRECT or LOCAL_ENOMEM.
 */
int local_conf_finish(struct local_conf *lc, unsigned *bad_line);

/*
 * qsort comparator over pointers to records (const struct local_conf_rr *):
 * owner (lowercase), class, type, then RDATA. Equal records compare 0.
 */
int local_conf_rr_cmp(const void *a, const void *b);

/* Zone type name ("static", ...) to enum. Returns 0 or LOCAL_EINVAL. */
int local_zone_type_parse(const char *text, size_t len, enum local_zone_type *type);

/* Config spelling of a zone type ("always_nxdomain"). */
const char *local_zone_type_name(enum local_zone_type type);

/* Message for a LOCAL_E* code (never NULL). */
const char *local_strerror(int err);

/* ---- lookup database (immutable, worker-safe) --------------------------- */

/* One record stored in the db. Pointers stay valid until local_db_free(). */
struct local_rr {
	const uint8_t *owner;   /* wire, case as configured */
	uint16_t owner_len;
	uint16_t type;
	uint16_t rclass;
	uint16_t rdlen;
	uint32_t ttl;           /* the RRset's TTL (smallest in the set) */
	const uint8_t *rdata;   /* names inside are uncompressed */
};

/* A record placed in a response section. owner is usually rr->owner; for
 * a redirect zone it is the query name (the caller's qname_wire buffer). */
struct local_answer_rr {
	const uint8_t *owner;
	uint16_t owner_len;
	const struct local_rr *rr;
};

struct local_answer {
	struct local_answer_rr answer[LOCAL_ANSWER_MAX];
	unsigned an_count;
	struct local_answer_rr authority[LOCAL_AUTHORITY_MAX];
	unsigned ns_count;
	const uint8_t *zone_apex;   /* lowercase wire name of the deciding zone */
	uint16_t zone_apex_len;
	enum local_zone_type zone_type;
	uint32_t negative_ttl;      /* min(SOA TTL, SOA minimum), 0 without SOA */
	uint8_t aa;                 /* 1 for answers from local data */
	uint8_t truncated;          /* more records than LOCAL_ANSWER_MAX */
};

struct local_db;

/*
 * Build the lookup db from a finished conf (local_conf_finish() run).
 * The db copies what it needs; the conf may be freed afterwards.
 * Returns 0 with *out set, LOCAL_ENOMEM, or LOCAL_ENOZONE.
 */
int local_db_build(const struct local_conf *lc, struct local_db **out);

/* Free a db (NULL allowed). No lookup may be running on it. */
void local_db_free(struct local_db *db);

/* Number of zones / records in the db (for stats and tests). */
size_t local_db_zone_count(const struct local_db *db);
size_t local_db_rr_count(const struct local_db *db);

/*
 * Look a question up in the local data. Worker-safe: no allocation, no
 * lock, no system call; db is only read.
 *
 * qname_wire/qname_len: the query name in uncompressed wire form (any case).
 * qtype/qclass: from the question; qtype ANY returns every RRset at the
 *   name; qclass ANY matches every class.
 * ans: filled for every result (an_count/ns_count 0 when nothing to send).
 *   Answer owners may point into qname_wire (redirect zones): keep that
 *   buffer alive while using ans.
 *
 * A CNAME at the name answers any other type with the CNAME, followed
 * through local data up to LOCAL_CNAME_MAX links. DNAME is returned only
 * for its own name (no synthesis). Returns the enum local_result; a
 * malformed qname gives LOCAL_NONE.
 */
enum local_result local_lookup(const struct local_db *db, const uint8_t *qname_wire,
			       size_t qname_len, uint16_t qtype, uint16_t qclass,
			       struct local_answer *ans);

/*
 * True when a zone of the db encloses the name (lowercase, uncompressed, valid:
 * as cache keys hold it) in class @qclass: only then can local_lookup() give
 * anything but LOCAL_NONE. The cheap test of the cache-hit path.
 */
bool local_covers(const struct local_db *db, const uint8_t *lname, size_t len,
		  uint16_t qclass);

#endif /* SEKISHO_LOCAL_H */
