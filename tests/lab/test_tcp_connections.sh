#!/usr/bin/env bash
# TCP connections, counted: the client cap (tcp-max-connections), and upstream connections to
# authoritative servers (RFC 7766 §6.2.1): one connection reused for the next TC=1 fallback to
# the same server, a server that drops a reused connection (the query is written again on a
# fresh one), and a server whose TCP port refuses (the client gets SERVFAIL, nothing stays
# stuck). Every check compares counters from DPDK telemetry before and after.
#
# Set-up: sekishod asks upstream with a 1232-byte EDNS size, so ecdsa.test's large TXT answers
# come back truncated; ecdsa.test is a stub zone on one server address, so both fallbacks go to
# the same server. Two stub zones under the unsigned insecure.test point at tcauth.py, whose
# UDP answers are all TC=1: on port 5300 nothing listens on TCP (connections are refused), on
# port 5301 a TCP listener answers one query per connection and drops the connection when a
# second one comes. Idle timeouts are long, so that no check depends on how fast it runs.
# Skipped (77) without build/sekishod (or $LAB_SEKISHOD).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_require_sekishod
CAP=3
TC_ADDR=203.0.113.10      # the auth server's first address ($LAB_AUTH4, known only after up)
TC_REFUSED_PORT=5300
TC_ONESHOT_PORT=5301
export LAB_EDNS_BUFFER_SIZE=1232
export LAB_TCP_MAX_CONNECTIONS=$CAP
export LAB_TCP_IDLE_TIMEOUT=600
export LAB_TCP_UPSTREAM_IDLE_TIMEOUT=600
export LAB_EXTRA_CONF="
stub-zone:
    name: \"ecdsa.test.\"
    stub-addr: $TC_ADDR
stub-zone:
    name: \"tconly.insecure.test.\"
    stub-addr: $TC_ADDR@$TC_REFUSED_PORT
stub-zone:
    name: \"oneshot.insecure.test.\"
    stub-addr: $TC_ADDR@$TC_ONESHOT_PORT"
lab_test_up

A4=$SEKISHO_ADDR4
stat() { python3 "$LAB_SRC/skstat.py" "$@"; }
tdig() { wdig +time=8 +tries=1 +tcp "$@"; }

# tcauth.py servers, stopped by PID when the test ends (and lab down clears the namespace).
TCAUTH_PIDS=()
stop_tcauth() {
    local pid
    for pid in "${TCAUTH_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}
trap 'stop_tcauth; lab_test_down' EXIT

start_tcauth() { # port zone [--tcp]
    wire python3 "$LAB_SRC/tcauth.py" --addr "$TC_ADDR" --port "$1" --zone "$2" "${@:3}" \
        >"$LAB_DIR/tcauth-$1.out" 2>&1 &
    TCAUTH_PIDS+=("$!")
}
tcauth_ready() { # port: it has bound its sockets (bounded wait)
    local i
    for ((i = 0; i < 50; i++)); do
        grep -q '^ready' "$LAB_DIR/tcauth-$1.out" 2>/dev/null && return 0
        sleep 0.2
    done
    cat "$LAB_DIR/tcauth-$1.out"
    return 1
}
start_tcauth "$TC_REFUSED_PORT" tconly.insecure.test
start_tcauth "$TC_ONESHOT_PORT" oneshot.insecure.test --tcp
check "tcauth.py on port $TC_REFUSED_PORT (TC=1 over UDP, no TCP listener)" \
    tcauth_ready "$TC_REFUSED_PORT"
check "tcauth.py on port $TC_ONESHOT_PORT (TC=1 over UDP, one query per TCP connection)" \
    tcauth_ready "$TC_ONESHOT_PORT"

first_answer() {
    local i
    for ((i = 0; i < 20; i++)); do
        tdig "@$A4" "$LAB_NAME_LOCAL" A >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}
check "sekishod answers over TCP on $A4" first_answer

# expect_delta NAME BEFORE WANT: the counter moved by exactly WANT since BEFORE.
expect_delta() {
    local now
    now=$(stat "$1")
    [ $((now - $2)) -eq "$3" ] || { echo "$1: $2 -> $now (want +$3)"; return 1; }
}
# expect_rise NAME BEFORE: the counter moved.
expect_rise() {
    local now
    now=$(stat "$1")
    [ "$now" -gt "$2" ] || { echo "$1 stayed $2"; return 1; }
}

# ---- the client cap ------------------------------------------------------------------------

# Connections of earlier checks close when the server reads their end: wait (bounded) for none.
no_client_open() {
    local i
    for ((i = 0; i < 50; i++)); do
        [ "$(stat tcp_open)" -eq 0 ] && return 0
        sleep 0.2
    done
    echo "tcp_open stays $(stat tcp_open)"
    return 1
}
check "no client TCP connection open before the cap check" no_client_open

# CAP connections held open and answered; two more are closed by sekishod without an answer
# (EOF or reset); then each of the CAP connections still gets an answer.
cap_holds() {
    local before
    before=$(stat tcp_refused)
    wire python3 - "$A4" "$LAB_NAME_LOCAL" "$CAP" <<'EOF' || return 1
import socket, struct, sys

server, name, cap = sys.argv[1], sys.argv[2], int(sys.argv[3])
wire = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"

def query(qid):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + wire + struct.pack(">HH", 1, 1)
    return struct.pack(">H", len(q)) + q

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf

def answered(s, qid):
    s.sendall(query(qid))
    head = recv_exact(s, 2)
    msg = head and recv_exact(s, struct.unpack(">H", head)[0])
    return msg is not None and struct.unpack(">H", msg[:2])[0] == qid and msg[3] & 0xF == 0

held = [socket.create_connection((server, 53), timeout=10) for _ in range(cap)]
for i, s in enumerate(held):
    if not answered(s, 0x2000 + i):
        sys.exit("connection %d inside the cap got no answer" % i)
for i in range(2):
    s = socket.create_connection((server, 53), timeout=10)
    try:
        s.sendall(query(0x3000 + i))
        got = s.recv(2)
    except (ConnectionResetError, BrokenPipeError):
        got = b""
    except socket.timeout:
        sys.exit("connection %d over the cap stayed open (no close within 10 s)" % i)
    if got != b"":
        sys.exit("connection %d over the cap was answered" % i)
    s.close()
for i, s in enumerate(held):
    if not answered(s, 0x2100 + i):
        sys.exit("connection %d inside the cap got no second answer" % i)
    s.close()
print("%d held connections answered twice, 2 over the cap closed unanswered" % cap)
EOF
    expect_delta tcp_refused "$before" 2
}
check "tcp-max-connections $CAP: $CAP connections answered, 2 more refused (tcp_refused +2)" cap_holds

# ---- upstream connection reuse -------------------------------------------------------------

tc_answer() { # name: a TXT answer over 3000|1400 bytes for a TCP client, resolved over TCP
    local out
    out=$(tdig +dnssec "@$A4" "$1" TXT)
    grep_q 'status: NOERROR' "$out" && grep_q "IN[[:space:]]+TXT" "$out" &&
        [ "$(awk '/MSG SIZE/ { print $NF }' <<<"$out")" -gt 1400 ]
}
# The first fallback opens a connection to the ecdsa.test server, the second one reuses it.
reuse() {
    local opened reused answers
    opened=$(stat tcp_upstream_connects)
    reused=$(stat tcp_upstream_reused)
    answers=$(stat tcp_upstream_answers)
    tc_answer "$LAB_NAME_BIG" && tc_answer "$LAB_NAME_MID" &&
        expect_delta tcp_upstream_answers "$answers" 2 &&
        expect_delta tcp_upstream_connects "$opened" 1 &&
        expect_delta tcp_upstream_reused "$reused" 1 &&
        { [ "$(stat tcp_upstream_open)" -ge 1 ] || { echo "no upstream connection kept"; return 1; }; }
}
check "two TC=1 fallbacks to one server: one connection opened, then reused" reuse

# ---- a server that drops a reused connection -----------------------------------------------

answer_a() { # name: NOERROR with the lab's A 203.0.113.80
    local out
    out=$(wdig +time=8 "@$A4" "$1" A)
    grep_q 'status: NOERROR' "$out" && grep_q "IN[[:space:]]+A[[:space:]]+203\.0\.113\.80" "$out"
}
# The first name opens a connection to tcauth.py; the second is written on it, tcauth.py drops
# the connection without answering, and the query goes again on a fresh connection.
oneshot_retry() {
    local opened reused retries closed
    answer_a a.oneshot.insecure.test || return 1
    opened=$(stat tcp_upstream_connects)
    reused=$(stat tcp_upstream_reused)
    retries=$(stat tcp_upstream_retries)
    closed=$(stat tcp_upstream_peer_closed)
    answer_a b.oneshot.insecure.test &&
        expect_delta tcp_upstream_reused "$reused" 1 &&
        expect_delta tcp_upstream_peer_closed "$closed" 1 &&
        expect_delta tcp_upstream_retries "$retries" 1 &&
        expect_delta tcp_upstream_connects "$opened" 1
}
check "a reused connection the server drops: the query is answered on a fresh one" oneshot_retry

# ---- an upstream TCP port that refuses -----------------------------------------------------

servfail() { # name
    grep_q 'status: SERVFAIL' "$(wdig +time=20 "@$A4" "$1" A)"
}
refused_servfail() { # name
    local failed handed
    failed=$(stat tcp_upstream_connect_failed)
    handed=$(stat upstream_tcp_upstream_failed)
    # the worker hears of the failure from the TCP service (it does not wait
    # out its deadline): upstream_tcp_upstream_failed rises with it
    servfail "$1" && expect_rise tcp_upstream_connect_failed "$failed" &&
        expect_rise upstream_tcp_upstream_failed "$handed"
}
check "TC=1 from a server whose TCP port refuses: SERVFAIL, connect_failed and the worker's tcp_upstream_failed rise" \
    refused_servfail www.tconly.insecure.test
check "a second name there: SERVFAIL again (nothing stuck)" servfail other.tconly.insecure.test
check "$LAB_NAME_SECURE still resolves" answer_a "$LAB_NAME_SECURE"

check "sekishod still runs" test -d "/proc/$(cat "$LAB_DIR/sekishod.pid")"
lab_test_finish
