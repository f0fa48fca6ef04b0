/*
 * test_local.c - local zones and local data: what each zone type answers.
 */
#include <stdlib.h>
#include <string.h>

#include "local.h"
#include "local_name.h"
#include "unit_check.h"
#include "wire_text.h"

#define T_A     1
#define T_SOA   6
#define T_CNAME 5
#define T_MX    15
#define T_TXT   16
#define T_AAAA  28
#define T_ANY   255
#define C_IN    1

static struct wire_text_rr *rr;
static struct local_db *db;

static void zone(struct local_conf *lc, const char *name, enum local_zone_type type)
{
	uint8_t wire[WIRE_TEXT_NAME_MAX];
	int len = wire_text_name(name, strlen(name), NULL, wire, sizeof(wire));

	CHECK(len > 0);
	CHECK_INT(local_conf_add_zone(lc, wire, (size_t)len, C_IN, type, 1), 0);
}

static void data(struct local_conf *lc, const char *line)
{
	int r = wire_text_rr(line, strlen(line), NULL, 3600, rr);

	CHECK_INT(r, 0);
	if (r == 0)
		CHECK_INT(local_conf_add_rr(lc, rr->owner, rr->owner_len, rr->type,
					    rr->rclass, rr->ttl, rr->rdata, rr->rdlen, 1), 0);
}

/* The db every lookup test uses. */
static struct local_db *build_fixture(void)
{
	struct local_conf lc;
	struct local_db *d = NULL;

	local_conf_init(&lc);
	zone(&lc, "local.lab.", LOCAL_ZONE_STATIC);
	data(&lc, "local.lab. 3600 SOA ns.local.lab. host.local.lab. 1 3600 600 86400 300");
	data(&lc, "www.local.lab. 300 A 192.0.2.80");
	data(&lc, "www.local.lab. 300 A 192.0.2.81");
	data(&lc, "www.local.lab. 300 A 192.0.2.80"); /* duplicate, dropped */
	data(&lc, "www.local.lab. 300 AAAA 2001:db8::80");
	data(&lc, "alias.local.lab. CNAME www.local.lab.");
	data(&lc, "chain.local.lab. CNAME ALIAS.local.lab.");
	data(&lc, "loop1.local.lab. CNAME loop2.local.lab.");
	data(&lc, "loop2.local.lab. CNAME loop1.local.lab.");
	data(&lc, "a.b.c.local.lab. TXT deep");
	data(&lc, "mail.local.lab. MX 10 www.local.lab.");
	zone(&lc, "sub.local.lab.", LOCAL_ZONE_REFUSE);
	zone(&lc, "lab.", LOCAL_ZONE_STATIC);
	zone(&lc, "refused.lab.", LOCAL_ZONE_REFUSE);
	data(&lc, "ok.refused.lab. A 192.0.2.1");
	zone(&lc, "denied.lab.", LOCAL_ZONE_DENY);
	data(&lc, "ok.denied.lab. A 192.0.2.2");
	zone(&lc, "nx.lab.", LOCAL_ZONE_ALWAYS_NXDOMAIN);
	data(&lc, "nx.lab. SOA ns.nx.lab. h.nx.lab. 1 2 3 4 60");
	data(&lc, "x.nx.lab. A 192.0.2.3");
	zone(&lc, "redir.lab.", LOCAL_ZONE_REDIRECT);
	data(&lc, "redir.lab. A 192.0.2.4");
	zone(&lc, "trans.lab.", LOCAL_ZONE_TRANSPARENT);
	data(&lc, "host.trans.lab. A 192.0.2.5");
	data(&lc, "implicit.example. A 192.0.2.9"); /* no zone: implicit transparent */
	CHECK_INT(local_conf_finish(&lc, NULL), 0);
	CHECK_INT(local_db_build(&lc, &d), 0);
	local_conf_free(&lc);
	return d;
}

static enum local_result q(const char *qname, uint16_t qtype, struct local_answer *ans)
{
	static uint8_t wire[WIRE_TEXT_NAME_MAX]; /* kept: redirect owners point here */
	int len = wire_text_name(qname, strlen(qname), NULL, wire, sizeof(wire));

	CHECK(len > 0);
	return local_lookup(db, wire, (size_t)len, qtype, C_IN, ans);
}

static const uint8_t *rdata_of(const struct local_answer *ans, unsigned i)
{
	return ans->answer[i].rr->rdata;
}

static void test_answer_returns_whole_rrset_deduplicated(void)
{
	struct local_answer ans;

	CHECK_INT(q("www.local.lab.", T_A, &ans), LOCAL_ANSWER);
	CHECK_INT(ans.an_count, 2);
	CHECK_INT(ans.ns_count, 0);
	CHECK_INT(ans.aa, 1);
	CHECK_INT(ans.answer[0].rr->ttl, 300);
	CHECK_BYTES(rdata_of(&ans, 0), 4, 192, 0, 2, 80);
	CHECK_BYTES(rdata_of(&ans, 1), 4, 192, 0, 2, 81);
	CHECK_NAME(ans.zone_apex, ans.zone_apex_len, "\005local\003lab");
}

static void test_qname_matches_case_insensitively(void)
{
	struct local_answer ans;

	CHECK_INT(q("WWW.LoCaL.LAB.", T_AAAA, &ans), LOCAL_ANSWER);
	CHECK_INT(ans.an_count, 1);
	CHECK_INT(ans.answer[0].rr->type, T_AAAA);
	CHECK_NAME(ans.answer[0].owner, ans.answer[0].owner_len, "\003www\005local\003lab");
}

static void test_cname_is_followed_within_local_data(void)
{
	struct local_answer ans;

	CHECK_INT(q("alias.local.lab.", T_A, &ans), LOCAL_ANSWER);
	CHECK_INT(ans.an_count, 3);
	CHECK_INT(ans.answer[0].rr->type, T_CNAME);
	CHECK_INT(ans.answer[1].rr->type, T_A);
	CHECK_INT(q("chain.local.lab.", T_AAAA, &ans), LOCAL_ANSWER);
	CHECK_INT(ans.an_count, 3);
	CHECK_INT(ans.answer[2].rr->type, T_AAAA);
	CHECK_INT(q("alias.local.lab.", T_CNAME, &ans), LOCAL_ANSWER);
	CHECK_INT(ans.an_count, 1);
	CHECK_INT(q("alias.local.lab.", T_TXT, &ans), LOCAL_ANSWER);
	CHECK_INT(ans.an_count, 1); /* the chain ends at www, which has no TXT */
}

static void test_cname_loop_stops_at_the_limit(void)
{
	struct local_answer ans;

	CHECK_INT(q("loop1.local.lab.", T_A, &ans), LOCAL_ANSWER);
	CHECK_INT(ans.an_count, 1 + LOCAL_CNAME_MAX);
}

static void test_nodata_carries_zone_soa(void)
{
	struct local_answer ans;

	CHECK_INT(q("www.local.lab.", T_TXT, &ans), LOCAL_NODATA);
	CHECK_INT(ans.an_count, 0);
	CHECK_INT(ans.ns_count, 1);
	CHECK_INT(ans.authority[0].rr->type, T_SOA);
	CHECK_NAME(ans.authority[0].owner, ans.authority[0].owner_len, "\005local\003lab");
	CHECK_INT(ans.negative_ttl, 300);
	CHECK_INT(ans.aa, 1);
	CHECK_INT(q("local.lab.", T_A, &ans), LOCAL_NODATA);
}

static void test_nxdomain_in_static_zone_carries_soa(void)
{
	struct local_answer ans;

	CHECK_INT(q("nope.local.lab.", T_A, &ans), LOCAL_NXDOMAIN);
	CHECK_INT(ans.ns_count, 1);
	CHECK_INT(ans.authority[0].rr->type, T_SOA);
	CHECK_INT(q("x.www.local.lab.", T_A, &ans), LOCAL_NXDOMAIN);
}

static void test_empty_non_terminal_is_nodata(void)
{
	struct local_answer ans;

	CHECK_INT(q("c.local.lab.", T_A, &ans), LOCAL_NODATA);
	CHECK_INT(q("B.c.local.lab.", T_A, &ans), LOCAL_NODATA);
	CHECK_INT(q("a.b.c.local.lab.", T_TXT, &ans), LOCAL_ANSWER);
	CHECK_INT(q("z.c.local.lab.", T_A, &ans), LOCAL_NXDOMAIN);
}

static void test_refuse_zone_refuses_unless_data_matches(void)
{
	struct local_answer ans;

	CHECK_INT(q("foo.refused.lab.", T_A, &ans), LOCAL_REFUSE);
	CHECK_INT(ans.an_count + ans.ns_count, 0);
	CHECK_INT(q("ok.refused.lab.", T_A, &ans), LOCAL_ANSWER);
	CHECK_INT(q("ok.refused.lab.", T_AAAA, &ans), LOCAL_REFUSE);
}

static void test_deny_zone_drops_unless_data_matches(void)
{
	struct local_answer ans;

	CHECK_INT(q("foo.denied.lab.", T_A, &ans), LOCAL_DROP);
	CHECK_INT(q("denied.lab.", T_A, &ans), LOCAL_DROP);
	CHECK_INT(q("ok.denied.lab.", T_A, &ans), LOCAL_ANSWER);
}

static void test_always_nxdomain_ignores_local_data(void)
{
	struct local_answer ans;

	CHECK_INT(q("x.nx.lab.", T_A, &ans), LOCAL_NXDOMAIN);
	CHECK_INT(ans.an_count, 0);
	CHECK_INT(ans.ns_count, 1);
	CHECK_INT(ans.negative_ttl, 60);
	CHECK_INT(q("nx.lab.", T_SOA, &ans), LOCAL_NXDOMAIN);
}

static void test_redirect_answers_apex_data_for_every_name_below(void)
{
	struct local_answer ans;

	CHECK_INT(q("Any.Thing.redir.lab.", T_A, &ans), LOCAL_ANSWER);
	CHECK_INT(ans.an_count, 1);
	CHECK_BYTES(rdata_of(&ans, 0), 4, 192, 0, 2, 4);
	CHECK_NAME(ans.answer[0].owner, ans.answer[0].owner_len,
		   "\003Any\005Thing\005redir\003lab");
	CHECK_INT(q("redir.lab.", T_A, &ans), LOCAL_ANSWER);
	CHECK_INT(q("x.redir.lab.", T_AAAA, &ans), LOCAL_NODATA);
}

static void test_transparent_passes_names_without_data(void)
{
	struct local_answer ans;

	CHECK_INT(q("host.trans.lab.", T_A, &ans), LOCAL_ANSWER);
	CHECK_INT(q("host.trans.lab.", T_AAAA, &ans), LOCAL_NODATA);
	CHECK_INT(q("other.trans.lab.", T_A, &ans), LOCAL_NONE);
	CHECK_INT(q("trans.lab.", T_A, &ans), LOCAL_NONE);
}

static void test_local_data_outside_zones_gets_implicit_transparent_zone(void)
{
	struct local_answer ans;

	CHECK_INT(q("implicit.example.", T_A, &ans), LOCAL_ANSWER);
	CHECK_INT(q("implicit.example.", T_AAAA, &ans), LOCAL_NODATA);
	CHECK_INT(q("other.example.", T_A, &ans), LOCAL_NONE);
}

static void test_name_outside_every_zone_is_none(void)
{
	struct local_answer ans;

	CHECK_INT(q("example.org.", T_A, &ans), LOCAL_NONE);
	CHECK_INT(q(".", T_A, &ans), LOCAL_NONE);
	CHECK_INT(ans.an_count + ans.ns_count, 0);
}

static void test_nearest_enclosing_zone_wins(void)
{
	struct local_answer ans;

	CHECK_INT(q("foo.sub.local.lab.", T_A, &ans), LOCAL_REFUSE);  /* refuse below static */
	CHECK_INT(q("unknown.lab.", T_A, &ans), LOCAL_NXDOMAIN);      /* static lab. */
	CHECK_INT(q("a.other.trans.lab.", T_A, &ans), LOCAL_NONE);    /* transparent below static */
	CHECK_NAME(ans.zone_apex, ans.zone_apex_len, "\005trans\003lab");
}

static void test_any_returns_every_rrset_of_the_name(void)
{
	struct local_answer ans;

	CHECK_INT(q("www.local.lab.", T_ANY, &ans), LOCAL_ANSWER);
	CHECK_INT(ans.an_count, 3);
	CHECK_INT(q("alias.local.lab.", T_ANY, &ans), LOCAL_ANSWER);
	CHECK_INT(ans.an_count, 1);
	CHECK_INT(q("c.local.lab.", T_ANY, &ans), LOCAL_NODATA);
}

static void test_malformed_qname_is_none(void)
{
	static const uint8_t bad[] = { 3, 'w', 'w', 'w', 5, 'l', 'o' };
	static const uint8_t ptr[] = { 0xc0, 0x0c };
	struct local_answer ans;

	CHECK_INT(local_lookup(db, bad, sizeof(bad), T_A, C_IN, &ans), LOCAL_NONE);
	CHECK_INT(local_lookup(db, ptr, sizeof(ptr), T_A, C_IN, &ans), LOCAL_NONE);
	CHECK_INT(local_lookup(NULL, ptr, sizeof(ptr), T_A, C_IN, &ans), LOCAL_NONE);
}

static void test_other_class_is_not_answered_by_in_zones(void)
{
	static const uint8_t www[] = "\003www\005local\003lab";
	struct local_answer ans;

	CHECK_INT(local_lookup(db, www, sizeof(www), T_A, 3, &ans), LOCAL_NONE);
	CHECK_INT(local_lookup(db, www, sizeof(www), T_A, 255, &ans), LOCAL_ANSWER);
}

static void test_conf_rejects_duplicate_zone_cname_conflict_and_redirect_data(void)
{
	struct local_conf lc;
	unsigned line = 0;
	uint8_t name[] = "\003lab";

	local_conf_init(&lc);
	CHECK_INT(local_conf_add_zone(&lc, name, sizeof(name), C_IN, LOCAL_ZONE_STATIC, 3), 0);
	CHECK_INT(local_conf_add_zone(&lc, name, sizeof(name), C_IN, LOCAL_ZONE_DENY, 7), 0);
	CHECK_INT(local_conf_finish(&lc, &line), LOCAL_EDUPZONE);
	CHECK_INT(line, 7);
	local_conf_free(&lc);

	data(&lc, "c.lab. CNAME x.lab.");
	data(&lc, "c.lab. A 192.0.2.1");
	CHECK_INT(local_conf_finish(&lc, &line), LOCAL_ECNAME);
	local_conf_free(&lc);

	zone(&lc, "r.lab.", LOCAL_ZONE_REDIRECT);
	data(&lc, "x.r.lab. A 192.0.2.1");
	CHECK_INT(local_conf_finish(&lc, &line), LOCAL_EREDIRECT);
	local_conf_free(&lc);
}

static void test_zone_type_names_round_trip(void)
{
	enum local_zone_type t;

	CHECK_INT(local_zone_type_parse("always_nxdomain", 15, &t), 0);
	CHECK_INT(t, LOCAL_ZONE_ALWAYS_NXDOMAIN);
	CHECK_STR(local_zone_type_name(t), "always_nxdomain");
	CHECK_INT(local_zone_type_parse("nodefault", 9, &t), LOCAL_EINVAL);
}

/* The 8-bytes-at-a-time lowercasing agrees with the plain rule for every byte
 * value at every position of a long buffer. */
static void test_name_lowering_folds_only_ascii_uppercase(void)
{
	uint8_t src[40], dst[40];

	for (unsigned v = 0; v < 256; v++) {
		for (size_t pos = 0; pos < sizeof(src); pos++) {
			memset(src, 'Q', sizeof(src));
			src[pos] = (uint8_t)v;
			local_name_lower(dst, src, sizeof(src));
			CHECK(dst[pos] == ((v >= 'A' && v <= 'Z') ? v + 32 : v));
			CHECK(dst[(pos + 1) % sizeof(src)] == 'q');
		}
	}
}

/* Does zone @z (wire) enclose name @n (wire), both lowercase: a suffix that
 * starts on one of the name's labels. The reference for local_covers. */
static bool encloses(const uint8_t *z, size_t zlen, const uint8_t *n, size_t nlen)
{
	for (size_t pos = 0; pos < nlen; pos += (size_t)n[pos] + 1) {
		if (nlen - pos == zlen && memcmp(n + pos, z, zlen) == 0)
			return true;
		if (n[pos] == 0)
			break;
	}
	return false;
}

/*
 * local_covers against the plain suffix rule, for every name made of up to four
 * labels from a set that shares and splits the zones' tails (one-label, two-label
 * and deeper zones; names equal to, under, beside and above them), and again with
 * a root zone added, which covers everything.
 */
static void test_covers_agrees_with_zone_suffixes(void)
{
	static const char *const zones[] = { "onion.", "example.com.", "a.b.example.net.",
					     "in-addr.arpa." };
#define N_ZONES (sizeof(zones) / sizeof(zones[0]))
	static const char *const labels[] = { "onion", "com", "example", "net", "a", "b",
					      "arpa", "in-addr", "x" };
	uint8_t zw[N_ZONES][WIRE_TEXT_NAME_MAX];
	size_t zl[N_ZONES];
	unsigned int covered = 0, tried = 0;

	for (int with_root = 0; with_root < 2; with_root++) {
		struct local_conf lc;
		struct local_db *d = NULL;

		local_conf_init(&lc);
		for (size_t i = 0; i < N_ZONES; i++) {
			int len = wire_text_name(zones[i], strlen(zones[i]), NULL, zw[i],
						 sizeof(zw[i]));

			CHECK(len > 0);
			zl[i] = (size_t)len;
			zone(&lc, zones[i], LOCAL_ZONE_STATIC);
		}
		if (with_root)
			zone(&lc, ".", LOCAL_ZONE_TRANSPARENT);
		CHECK_INT(local_conf_finish(&lc, NULL), 0);
		CHECK_INT(local_db_build(&lc, &d), 0);
		local_conf_free(&lc);
		if (d == NULL)
			return;
		/* every name of 0..4 labels over the label set (digits in base 10 pick
		 * labels 1..9; 0 ends the name) */
		for (unsigned int code = 0; code < 10000; code++) {
			char text[128] = "";
			uint8_t w[WIRE_TEXT_NAME_MAX];
			bool want = with_root != 0, ends = false;

			for (unsigned int c = code; c != 0 && !ends; c /= 10) {
				if (c % 10 == 0) {
					ends = true;       /* a 0 digit inside: not a new name */
					break;
				}
				strcat(text, labels[c % 10 - 1]);
				strcat(text, ".");
			}
			if (ends)
				continue;
			if (text[0] == 0)
				strcpy(text, ".");
			int len = wire_text_name(text, strlen(text), NULL, w, sizeof(w));

			CHECK(len > 0);
			for (size_t i = 0; i < N_ZONES; i++)
				want = want || encloses(zw[i], zl[i], w, (size_t)len);
			if (local_covers(d, w, (size_t)len, C_IN) != want) {
				fprintf(stderr, "local_covers(%s) != %d (root zone %d)\n", text,
					want, with_root);
				CHECK(false);
			}
			covered += want;
			tried++;
		}
		CHECK(!local_covers(d, zw[0], zl[0], 3 /* CH: every zone here is IN */));
		local_db_free(d);
	}
	/* the sets above are not trivial: both answers occur */
	CHECK(covered > 100 && covered < tried);
#undef N_ZONES
}

int main(void)
{
	rr = malloc(sizeof(*rr));
	if (rr == NULL)
		return 2;
	db = build_fixture();
	if (db == NULL) {
		fprintf(stderr, "fixture did not build\n");
		return 1;
	}
	CHECK_INT(local_db_rr_count(db), 17);
	RUN(test_name_lowering_folds_only_ascii_uppercase);
	RUN(test_answer_returns_whole_rrset_deduplicated);
	RUN(test_qname_matches_case_insensitively);
	RUN(test_cname_is_followed_within_local_data);
	RUN(test_cname_loop_stops_at_the_limit);
	RUN(test_nodata_carries_zone_soa);
	RUN(test_nxdomain_in_static_zone_carries_soa);
	RUN(test_empty_non_terminal_is_nodata);
	RUN(test_refuse_zone_refuses_unless_data_matches);
	RUN(test_deny_zone_drops_unless_data_matches);
	RUN(test_always_nxdomain_ignores_local_data);
	RUN(test_redirect_answers_apex_data_for_every_name_below);
	RUN(test_transparent_passes_names_without_data);
	RUN(test_local_data_outside_zones_gets_implicit_transparent_zone);
	RUN(test_name_outside_every_zone_is_none);
	RUN(test_nearest_enclosing_zone_wins);
	RUN(test_any_returns_every_rrset_of_the_name);
	RUN(test_malformed_qname_is_none);
	RUN(test_other_class_is_not_answered_by_in_zones);
	RUN(test_conf_rejects_duplicate_zone_cname_conflict_and_redirect_data);
	RUN(test_zone_type_names_round_trip);
	RUN(test_covers_agrees_with_zone_suffixes);
	local_db_free(db);
	free(rr);
	return unit_check_exit() || unit_failures != 0;
}
