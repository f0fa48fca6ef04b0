#!/usr/bin/env bash
# DNS over TCP (issue 3): clients over TCP (RFC 7766) on IPv4 and IPv6, local and recursive
# names, several pipelined queries on one connection, the idle timeout; and the upstream side:
# an authoritative answer with TC=1 retried over TCP. sekishod asks upstream with a 1232-byte
# EDNS size here, so the lab's ~4,000-byte big.ecdsa.test TXT comes back truncated over UDP.
# Skipped (77) without build/sekishod (or $LAB_SEKISHOD).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_require_sekishod
export LAB_EDNS_BUFFER_SIZE=1232
export LAB_TCP_IDLE_TIMEOUT=2
lab_test_up

A4=$SEKISHO_ADDR4
A6=$SEKISHO_ADDR6
stat() { python3 "$LAB_SRC/skstat.py" "$@"; }
tdig() { wdig +time=5 +tries=1 +tcp "$@"; }

first_answer() {
    local i
    for ((i = 0; i < 20; i++)); do
        tdig "@$A4" "$LAB_NAME_LOCAL" A >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}
check "sekishod answers over TCP on $A4" first_answer

over_tcp() { # server name type expected-rdata-regex
    local out before
    before=$(stat tcp_queries)
    out=$(tdig "@$1" "$2" "$3")
    grep_q 'status: NOERROR' "$out" && grep_q "IN[[:space:]]+$3[[:space:]]+$4" "$out" &&
        grep_q '^;; SERVER: .*\(TCP\)' "$out" &&
        { [ "$(stat tcp_queries)" -gt "$before" ] || { echo "tcp_queries stayed $before"; return 1; }; }
}
check "local data over TCP/IPv4" over_tcp "$A4" "$LAB_NAME_LOCAL" A '192\.0\.2\.80'
check "local data over TCP/IPv6" over_tcp "$A6" "$LAB_NAME_LOCAL" AAAA '2001:db8:53::80'
local_big_tcp() { # a ~3,000-byte local answer without EDNS: whole over TCP, no TC
    local out
    out=$(wdig +tcp +noedns +time=3 +tries=1 "@$A4" "$LAB_NAME_LOCAL_BIG" TXT)
    grep_q 'status: NOERROR' "$out" && ! grep -q 'flags:.* tc' <<<"$out" &&
        [ "$(awk '/MSG SIZE/ { print $NF }' <<<"$out")" -gt 2900 ]
}
check "$LAB_NAME_LOCAL_BIG over TCP without EDNS: whole, no TC" local_big_tcp
check "$LAB_NAME_SECURE resolved for a TCP/IPv4 client" over_tcp "$A4" "$LAB_NAME_SECURE" A '203\.0\.113\.80'
check "$LAB_NAME_DEEP resolved for a TCP/IPv6 client" over_tcp "$A6" "$LAB_NAME_DEEP" A '203\.0\.113\.80'

# Three queries written at once on one connection (one of them needs a resolution, one is
# local), three answers read back in whatever order they finish, matched by ID.
pipelined() {
    wire python3 - "$A4" "$LAB_NAME_SECURE_ECDSA" "$LAB_NAME_LOCAL" "$LAB_NAME_SECURE_ED25519" <<'EOF'
import socket, struct, sys

server, names = sys.argv[1], sys.argv[2:]

def query(qid, name):
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + wire + struct.pack(">HH", 1, 1)

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            sys.exit("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf

ids = {0x1100 + i: n for i, n in enumerate(names)}
s = socket.create_connection((server, 53), timeout=8)
s.sendall(b"".join(struct.pack(">H", len(q)) + q for q in (query(i, n) for i, n in ids.items())))
for _ in names:
    (n,) = struct.unpack(">H", recv_exact(s, 2))
    msg = recv_exact(s, n)
    qid, flags, _, ancount = struct.unpack(">HHHH", msg[:8])
    if qid not in ids or flags & 0x000F != 0 or ancount == 0:
        sys.exit("bad answer: id %#x flags %#x ancount %d" % (qid, flags, ancount))
    print("answer for", ids.pop(qid))
if ids:
    sys.exit("no answer for %s" % list(ids.values()))
EOF
}
check "three pipelined queries on one connection, three answers" pipelined

# A silent connection is closed by the server after tcp-idle-timeout (2 s here).
idle_closed() {
    local before
    before=$(stat tcp_idle_closed)
    wire python3 - "$A4" <<'EOF' || return 1
import socket, sys, time
s = socket.create_connection((sys.argv[1], 53), timeout=10)
t = time.monotonic()
data = s.recv(1)
took = time.monotonic() - t
if data != b"" or not 1.5 <= took <= 6:
    sys.exit("recv gave %r after %.1f s" % (data, took))
print("closed after %.1f s" % took)
EOF
    [ "$(stat tcp_idle_closed)" -gt "$before" ] || { echo "tcp_idle_closed stayed $before"; return 1; }
}
check "a silent connection is closed after the idle timeout" idle_closed

# big.ecdsa.test TXT (~4,000 bytes with DO) does not fit sekishod's 1232-byte EDNS size: the
# server sets TC=1, sekishod asks again over TCP, and the TCP client gets the whole answer.
tc_fallback() {
    local before out
    before=$(stat upstream_tcp_upstream_answers)
    out=$(tdig +dnssec "@$A4" "$LAB_NAME_BIG" TXT)
    grep_q 'status: NOERROR' "$out" && ! grep -q 'flags:.* tc' <<<"$out" &&
        grep_q "IN[[:space:]]+TXT" "$out" &&
        [ "$(awk '/MSG SIZE/ { print $NF }' <<<"$out")" -gt 3000 ] &&
        [ "$(stat upstream_tcp_upstream_answers)" -gt "$before" ] ||
        { echo "$out" | tail -4
          echo "upstream_tcp_upstream_answers $before -> $(stat upstream_tcp_upstream_answers)"
          return 1; }
}
check "$LAB_NAME_BIG: TC=1 from upstream, retried over TCP, whole answer to a TCP client" \
    tc_fallback

# The same answer to a UDP client with a 1232-byte buffer: TC=1 (so it retries over TCP).
udp_truncated() {
    local out
    out=$(wdig +time=5 +tries=1 +ignore +bufsize=1232 "@$A4" "$LAB_NAME_BIG" TXT)
    grep_q 'flags:.* tc' "$out"
}
check "the same answer over UDP with a 1232-byte buffer has TC=1" udp_truncated

check "sekishod still runs" test -d "/proc/$(cat "$LAB_DIR/sekishod.pid")"
lab_test_finish
