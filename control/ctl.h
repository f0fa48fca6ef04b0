/*
 * ctl.h - the control channel's messages: sekishoctl's requests and sekishod's replies.
 *
 * A request is a DNS message: opcode QUERY, one question QNAME = COMMAND.sekisho.,
 * QTYPE TXT, QCLASS ANY, TSIG-signed (tsig.h) with a key of control-key-file. The reply
 * echoes the question; its answer holds TXT records owned by the QNAME whose strings are
 * the reply lines (one line per string, as many strings and records as needed), and it
 * is signed with the same key, chained to the request's MAC. On the socket each message
 * is one SOCK_SEQPACKET datagram of at most 65535 bytes.
 *
 * A command's arguments (e.g. `flush example.com`) travel as the strings of one TXT
 * record owned by the QNAME in the request's additional section, before the TSIG
 * record (so the MAC covers them); no record means no arguments.
 *
 * Refusals follow RFC 8945 §5.3: an unknown key (BADKEY) or a wrong MAC (BADSIG) gets
 * rcode NOTAUTH and an unsigned TSIG record (no MAC) carrying the error; a time outside
 * the fudge gets NOTAUTH, a signed TSIG with error BADTIME and the server's time in
 * other data. A request whose MAC was already seen within the fudge window (a replay)
 * is refused like BADTIME. Unsigned or malformed requests get REFUSED / FORMERR.
 *
 * This file is pure C over tsig and wire (no sockets, no DPDK): ctl_handle() takes the
 * request bytes and the time and writes the reply, so unit tests drive it directly; the
 * daemon supplies the commands through a callback.
 */
#ifndef SEKISHO_CTL_H
#define SEKISHO_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "tsig.h"

#define CTL_MSG_MAX      65535 /* one request or reply */
#define CTL_REPLAY_RING  64    /* MACs remembered against replays */
#define CTL_LINE_MAX     255   /* one TXT string */
#define CTL_ARGS_MAX     16    /* arguments of one command */

/* Counters of the control channel, exported as control_<name>. */
#define CTL_COUNTERS(X) \
	X(requests, "requests received") \
	X(ok, "requests answered") \
	X(badkey, "refused: unknown key (BADKEY)") \
	X(badsig, "refused: bad MAC (BADSIG)") \
	X(badtime, "refused: time outside the fudge (BADTIME)") \
	X(replays, "refused: MAC already seen (replay, answered BADTIME)") \
	X(unsigned_requests, "refused: no TSIG") \
	X(malformed, "malformed requests (FORMERR or dropped)")

struct ctl_counters {
#define CTL_COUNTER_FIELD(name, help) uint64_t name;
	CTL_COUNTERS(CTL_COUNTER_FIELD)
#undef CTL_COUNTER_FIELD
};
extern const char *const ctl_counter_names[];
#define CTL_N_COUNTERS (sizeof(struct ctl_counters) / sizeof(uint64_t))

/* A reply being built: lines go in as TXT strings. */
struct ctl_reply {
	uint8_t *buf;
	size_t cap;       /* room kept free for the TSIG record is already taken off */
	size_t len;
	size_t rdlen_off; /* RDLENGTH of the open TXT record, 0 when none is open */
	uint16_t ancount;
	int overflow;     /* a line did not fit (the reply says so in its last line) */
};

/* ctl_reply_line - add one line (cut at CTL_LINE_MAX bytes). Returns 0 or -ENOSPC. */
int ctl_reply_line(struct ctl_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A command: called with the command name (the first label, lowercased), its
 * arguments (argc strings, NUL-terminated, at most CTL_LINE_MAX bytes each) and the
 * reply to fill. Returns 0 (rcode NOERROR), -ENOENT for an unknown command
 * (NXDOMAIN), -EINVAL for bad arguments (FORMERR) or another negative errno value
 * when the command failed (SERVFAIL); the lines written stay in every case but
 * -ENOENT, so a failing command says why.
 */
typedef int (*ctl_command_fn)(const char *cmd, int argc, char *const argv[],
			      struct ctl_reply *r, void *arg);

/* A MAC accepted recently (replay detection). */
struct ctl_seen_mac {
	uint64_t seen;         /* when it was accepted (server time) */
	uint8_t mac_len;
	uint8_t mac[TSIG_MAC_MAX];
};

struct ctl_server {
	const struct tsig_keyring *keys;
	ctl_command_fn run;
	void *arg;
	struct ctl_counters ctr;
	struct ctl_seen_mac recent[CTL_REPLAY_RING];
	unsigned recent_next;
};

/* Set up @s with its keys and commands (nothing allocated). */
void ctl_server_init(struct ctl_server *s, const struct tsig_keyring *keys,
		     ctl_command_fn run, void *arg);

/*
 * ctl_handle - answer one request.
 * @req, @len: the request as received (changed in place by verification).
 * @now: seconds since the epoch. @out, @cap: the reply buffer (CTL_MSG_MAX is enough).
 * Returns the reply's length, or 0 when nothing should be sent (not even a header).
 */
size_t ctl_handle(struct ctl_server *s, uint8_t *req, size_t len, uint64_t now,
		  uint8_t *out, size_t cap);

/* ---- Client side (sekishoctl) ---------------------------------------------------- */

/*
 * ctl_build_request - an unsigned request for @cmd with its @argc arguments and @id
 * into @buf. Returns its length, or -EINVAL (bad command name, empty or too long
 * argument, more than CTL_ARGS_MAX) / -ENOSPC.
 */
int ctl_build_request(const char *cmd, int argc, char *const argv[], uint16_t id,
		      uint8_t *buf, size_t cap);

/*
 * ctl_tsig_error - the error field of the TSIG record that ends @msg (unverified, for
 * messages): 0, 16 (BADSIG), 17 (BADKEY), 18 (BADTIME); -1 when there is no TSIG.
 */
int ctl_tsig_error(const uint8_t *msg, size_t len);

/*
 * ctl_reply_lines - call fn(line, len, arg) for every TXT string in the answer of a
 * (verified, TSIG-stripped) reply, in order. Returns the count, or -EBADMSG.
 */
int ctl_reply_lines(const uint8_t *msg, size_t len,
		    void (*fn)(const char *line, size_t len, void *arg), void *arg);

#endif /* SEKISHO_CTL_H */
