/*
 * test_ctl.c - the control channel's request handler (control/ctl.c) driven with
 * request bytes and a clock: commands, long replies, and every refusal (BADKEY,
 * BADSIG, BADTIME, replays, unsigned, malformed).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "unit_check.h"
#include "wire.h"

#define NOW 1700000000ull

static const char keyfile[] =
	"key \"ctl.sekisho.\" { algorithm hmac-sha256; secret \"c2VrcmV0LWtleS1mb3ItdGVzdHMtMDEyMzQ1Njc4OQ==\"; };\n";
static const char otherfile[] =
	"key \"ctl.sekisho.\" { algorithm hmac-sha256; secret \"YW5vdGhlci1rZXktZm9yLXRlc3RzLTAxMjM0NTY3ODk=\"; };\n"
	"key \"stranger.\" { algorithm hmac-sha256; secret \"YW5vdGhlci1rZXktZm9yLXRlc3RzLTAxMjM0NTY3ODk=\"; };\n";

static struct tsig_keyring server_keys, other_keys;
static uint8_t req[CTL_MSG_MAX], reply[CTL_MSG_MAX];
static unsigned big_lines;

static int commands(const char *cmd, int argc, char *const argv[], struct ctl_reply *r,
		    void *arg)
{
	(void)arg;
	if (strcmp(cmd, "echo") == 0) {
		if (argc == 0)
			return -EINVAL;
		for (int i = 0; i < argc; i++)
			ctl_reply_line(r, "arg %s", argv[i]);
		return strcmp(argv[0], "fail") == 0 ? -EIO : 0;
	}
	if (strcmp(cmd, "status") == 0) {
		ctl_reply_line(r, "version 0.1.0");
		ctl_reply_line(r, "uptime 5");
		return 0;
	}
	if (strcmp(cmd, "big") == 0) {
		for (unsigned i = 0; i < big_lines; i++)
			ctl_reply_line(r, "counter_number_%u %u", i, i * 7);
		return 0;
	}
	return -ENOENT;
}

static void load_keys(void)
{
	char err[256];

	CHECK_INT(tsig_keys_parse(keyfile, strlen(keyfile), "k", &server_keys, err, sizeof(err)), 0);
	CHECK_INT(tsig_keys_parse(otherfile, strlen(otherfile), "o", &other_keys, err, sizeof(err)), 0);
}

/* A signed request for @cmd, at time @t, with @key; its MAC into @ri. */
static size_t signed_request_args(const char *cmd, int argc, char *const argv[],
				  const struct tsig_key *key, uint64_t t, struct tsig_info *ri)
{
	struct tsig_sign_params sp = { .now = t, .fudge = TSIG_FUDGE_DEFAULT };
	int len = ctl_build_request(cmd, argc, argv, 0x1234, req, sizeof(req));
	size_t out = 0;

	CHECK(len > 0);
	CHECK_INT(tsig_sign(req, (size_t)len, sizeof(req), key, &sp, &out, ri), 0);
	return out;
}

static size_t signed_request(const char *cmd, const struct tsig_key *key, uint64_t t,
			     struct tsig_info *ri)
{
	return signed_request_args(cmd, 0, NULL, key, t, ri);
}

struct lines {
	unsigned n;
	char first[64], last[64];
};

static void collect(const char *line, size_t len, void *arg)
{
	struct lines *l = arg;

	if (l->n == 0)
		snprintf(l->first, sizeof(l->first), "%.*s", (int)len, line);
	snprintf(l->last, sizeof(l->last), "%.*s", (int)len, line);
	l->n++;
}

/* The client's side: verify against the request's MAC and read the lines. */
static int client_read(size_t n, const struct tsig_info *ri, struct lines *l,
		       struct tsig_info *info)
{
	size_t plain = 0;
	int rc = tsig_verify(reply, n, &server_keys, NOW, ri->mac, ri->mac_len, &plain, info);

	memset(l, 0, sizeof(*l));
	if (rc == TSIG_OK)
		ctl_reply_lines(reply, plain, collect, l);
	return rc;
}

static void test_status_reply_is_signed_and_chained(void)
{
	struct ctl_server s;
	struct tsig_info ri, info;
	struct lines l;
	size_t n;

	ctl_server_init(&s, &server_keys, commands, NULL);
	n = ctl_handle(&s, req, signed_request("status", &server_keys.keys[0], NOW, &ri), NOW,
		       reply, sizeof(reply));
	CHECK(n > 0);
	CHECK_INT(client_read(n, &ri, &l, &info), TSIG_OK);
	CHECK_INT(info.error, 0);
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_NOERROR);
	CHECK(WIRE_QR(wire_get_u16(reply + 2)));
	CHECK_INT(wire_get_u16(reply), 0x1234);
	CHECK_INT(l.n, 2);
	CHECK_STR(l.first, "version 0.1.0");
	CHECK_STR(l.last, "uptime 5");
	CHECK_INT(s.ctr.requests, 1);
	CHECK_INT(s.ctr.ok, 1);
}

static void test_long_reply_spans_many_txt_records(void)
{
	struct ctl_server s;
	struct tsig_info ri, info;
	struct lines l;
	size_t n;

	big_lines = 2000; /* ~50 KB */
	ctl_server_init(&s, &server_keys, commands, NULL);
	n = ctl_handle(&s, req, signed_request("big", &server_keys.keys[0], NOW, &ri), NOW,
		       reply, sizeof(reply));
	CHECK(n > 40000 && n <= CTL_MSG_MAX);
	CHECK_INT(client_read(n, &ri, &l, &info), TSIG_OK);
	CHECK(wire_get_u16(reply + 6) > 10);
	CHECK_INT(l.n, 2000);
	CHECK_STR(l.first, "counter_number_0 0");
	CHECK_STR(l.last, "counter_number_1999 13993");
}

static void test_too_long_reply_is_cut_and_says_so(void)
{
	struct ctl_server s;
	struct tsig_info ri, info;
	struct lines l;
	size_t n;

	big_lines = 5000;
	ctl_server_init(&s, &server_keys, commands, NULL);
	n = ctl_handle(&s, req, signed_request("big", &server_keys.keys[0], NOW, &ri), NOW,
		       reply, sizeof(reply));
	CHECK(n > 0 && n <= CTL_MSG_MAX);
	CHECK_INT(client_read(n, &ri, &l, &info), TSIG_OK);
	CHECK(l.n > 1000 && l.n < 5000);
	CHECK(strncmp(l.last, "(reply cut", 10) == 0);
}

static void test_wrong_secret_gives_unsigned_badsig(void)
{
	struct ctl_server s;
	struct tsig_info ri;
	size_t n;

	ctl_server_init(&s, &server_keys, commands, NULL);
	n = ctl_handle(&s, req, signed_request("status", &other_keys.keys[0], NOW, &ri), NOW,
		       reply, sizeof(reply));
	CHECK(n > 0);
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_NOTAUTH);
	CHECK_INT(ctl_tsig_error(reply, n), 16);
	CHECK_INT(wire_get_u16(reply + 6), 0); /* no answer */
	CHECK_INT(s.ctr.badsig, 1);
	CHECK_INT(s.ctr.ok, 0);
}

static void test_unknown_key_gives_badkey(void)
{
	struct ctl_server s;
	struct tsig_info ri;
	size_t n;

	ctl_server_init(&s, &server_keys, commands, NULL);
	n = ctl_handle(&s, req, signed_request("status", &other_keys.keys[1], NOW, &ri), NOW,
		       reply, sizeof(reply));
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_NOTAUTH);
	CHECK_INT(ctl_tsig_error(reply, n), 17);
	CHECK_INT(s.ctr.badkey, 1);
}

static void test_old_request_gives_signed_badtime(void)
{
	struct ctl_server s;
	struct tsig_info ri, info;
	struct lines l;
	size_t n;

	ctl_server_init(&s, &server_keys, commands, NULL);
	n = ctl_handle(&s, req, signed_request("status", &server_keys.keys[0], NOW - 1000, &ri),
		       NOW, reply, sizeof(reply));
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_NOTAUTH);
	CHECK_INT(client_read(n, &ri, &l, &info), TSIG_OK); /* signed, with server time */
	CHECK_INT(info.error, WIRE_RCODE_BADTIME);
	CHECK_INT(info.time_signed, NOW);
	CHECK_INT(l.n, 0);
	CHECK_INT(s.ctr.badtime, 1);
}

static void test_replayed_request_is_refused_as_badtime(void)
{
	static uint8_t copy[CTL_MSG_MAX];
	struct ctl_server s;
	struct tsig_info ri, info;
	struct lines l;
	size_t len, n;

	ctl_server_init(&s, &server_keys, commands, NULL);
	len = signed_request("status", &server_keys.keys[0], NOW, &ri);
	memcpy(copy, req, len);
	n = ctl_handle(&s, req, len, NOW, reply, sizeof(reply));
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_NOERROR);
	memcpy(req, copy, len);
	n = ctl_handle(&s, req, len, NOW + 10, reply, sizeof(reply));
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_NOTAUTH);
	CHECK_INT(tsig_verify(reply, n, &server_keys, NOW + 10, ri.mac, ri.mac_len, &n, &info),
		  TSIG_OK);
	CHECK_INT(info.error, WIRE_RCODE_BADTIME);
	CHECK_INT(s.ctr.replays, 1);
	CHECK_INT(s.ctr.ok, 1);
	/* a fresh request (another MAC) still works */
	n = ctl_handle(&s, req, signed_request("status", &server_keys.keys[0], NOW + 11, &ri),
		       NOW + 11, reply, sizeof(reply));
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_NOERROR);
	(void)l;
}

static void test_unsigned_request_is_refused(void)
{
	struct ctl_server s;
	int len = ctl_build_request("status", 0, NULL, 7, req, sizeof(req));
	size_t n;

	ctl_server_init(&s, &server_keys, commands, NULL);
	n = ctl_handle(&s, req, (size_t)len, NOW, reply, sizeof(reply));
	CHECK(n >= WIRE_HDR_LEN);
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_REFUSED);
	CHECK_INT(ctl_tsig_error(reply, n), -1);
	CHECK_INT(s.ctr.unsigned_requests, 1);
}

static void test_unknown_command_gives_signed_nxdomain(void)
{
	struct ctl_server s;
	struct tsig_info ri, info;
	struct lines l;
	size_t n;

	ctl_server_init(&s, &server_keys, commands, NULL);
	n = ctl_handle(&s, req, signed_request("nosuch", &server_keys.keys[0], NOW, &ri), NOW,
		       reply, sizeof(reply));
	CHECK_INT(client_read(n, &ri, &l, &info), TSIG_OK);
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_NXDOMAIN);
	CHECK_STR(l.first, "unknown command 'nosuch'");
}

static void test_malformed_and_responses_are_not_answered_normally(void)
{
	struct ctl_server s;
	uint8_t junk[5] = { 1, 2, 3, 4, 5 };
	size_t n;
	int len;

	ctl_server_init(&s, &server_keys, commands, NULL);
	CHECK_INT(ctl_handle(&s, junk, sizeof(junk), NOW, reply, sizeof(reply)), 0);
	len = ctl_build_request("status", 0, NULL, 7, req, sizeof(req));
	req[2] |= 0x80; /* QR: a response is never answered */
	CHECK_INT(ctl_handle(&s, req, (size_t)len, NOW, reply, sizeof(reply)), 0);
	len = ctl_build_request("status", 0, NULL, 7, req, sizeof(req));
	n = ctl_handle(&s, req, (size_t)len - 3, NOW, reply, sizeof(reply)); /* cut question */
	CHECK_INT(n, WIRE_HDR_LEN);
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_FORMERR);
	CHECK_INT(s.ctr.malformed, 3);
	CHECK_INT(ctl_build_request("bad name", 0, NULL, 1, req, sizeof(req)), -EINVAL);
}

/* Arguments reach the command in order; their absence, a failure and bad ones are
 * told apart by the rcode, and the MAC covers them. */
static void test_arguments_reach_the_command(void)
{
	char *two[] = { "example.com", "--zone", NULL };
	char *fail[] = { "fail", NULL };
	char *empty[] = { "", NULL };
	char *many[CTL_ARGS_MAX + 2];
	struct ctl_server s;
	struct tsig_info ri, info;
	struct lines l;
	size_t n;

	ctl_server_init(&s, &server_keys, commands, NULL);
	n = ctl_handle(&s, req, signed_request_args("echo", 2, two, &server_keys.keys[0], NOW,
						    &ri), NOW, reply, sizeof(reply));
	CHECK_INT(client_read(n, &ri, &l, &info), TSIG_OK);
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_NOERROR);
	CHECK_INT(l.n, 2);
	CHECK_STR(l.first, "arg example.com");
	CHECK_STR(l.last, "arg --zone");

	n = ctl_handle(&s, req, signed_request("echo", &server_keys.keys[0], NOW + 1, &ri),
		       NOW + 1, reply, sizeof(reply));
	CHECK_INT(client_read(n, &ri, &l, &info), TSIG_OK);
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_FORMERR);

	n = ctl_handle(&s, req, signed_request_args("echo", 1, fail, &server_keys.keys[0],
						    NOW + 2, &ri), NOW + 2, reply, sizeof(reply));
	CHECK_INT(client_read(n, &ri, &l, &info), TSIG_OK);
	CHECK_INT(WIRE_RCODE(wire_get_u16(reply + 2)), WIRE_RCODE_SERVFAIL);
	CHECK_STR(l.first, "arg fail");

	/* an argument changed after signing: BADSIG */
	n = signed_request_args("echo", 2, two, &server_keys.keys[0], NOW + 3, &ri);
	((uint8_t *)memmem(req, n, "example", 7))[1] ^= 0x20; /* in the TXT record */
	n = ctl_handle(&s, req, n, NOW + 3, reply, sizeof(reply));
	CHECK_INT(ctl_tsig_error(reply, n), WIRE_RCODE_BADVERS);

	for (int i = 0; i < CTL_ARGS_MAX + 1; i++)
		many[i] = "x";
	many[CTL_ARGS_MAX + 1] = NULL;
	CHECK_INT(ctl_build_request("echo", CTL_ARGS_MAX + 1, many, 1, req, sizeof(req)),
		  -EINVAL);
	CHECK_INT(ctl_build_request("echo", 1, empty, 1, req, sizeof(req)), -EINVAL);
}

int main(void)
{
	load_keys();
	RUN(test_status_reply_is_signed_and_chained);
	RUN(test_long_reply_spans_many_txt_records);
	RUN(test_too_long_reply_is_cut_and_says_so);
	RUN(test_wrong_secret_gives_unsigned_badsig);
	RUN(test_unknown_key_gives_badkey);
	RUN(test_old_request_gives_signed_badtime);
	RUN(test_replayed_request_is_refused_as_badtime);
	RUN(test_unsigned_request_is_refused);
	RUN(test_unknown_command_gives_signed_nxdomain);
	RUN(test_malformed_and_responses_are_not_answered_normally);
	RUN(test_arguments_reach_the_command);
	tsig_thread_cleanup();
	return unit_check_exit();
}
