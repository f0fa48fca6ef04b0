#!/usr/bin/env bash
# busy_cycles, the worker's CPU counter for benchmarks (bench/run peers): it rises while
# dig traffic is answered, stays (almost) put while the worker idles, and comes with
# tsc_hz to turn it into seconds; per worker in /sekisho/workers too. Then the same
# appliance on the kernel PMDs the bench uses, LAB_PORT_PMD=af_packet and af_xdp (a
# veth into the lab's bridge): it answers and counts, and answers larger than a receive
# mbuf (2 KB, an AF_XDP umem chunk) go out whole over UDP: a ~3,000-byte local answer
# and a ~3,900-byte cached one, in IP fragments (copied into one mbuf each for af_xdp,
# which sends no chained mbufs). Skipped (77) without build/sekishod.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if ! sekishod_built; then
    echo "# ${LAB_SEKISHOD:-$LAB_REPO/build/sekishod} not built: skipping"
    exit 77
fi
unset LAB_NO_SEKISHOD
export SKSTAT_PREFIX=${LAB_FILE_PREFIX:-skl}
lab_test_up

A4=$SEKISHO_ADDR4
stat() { python3 "$LAB_SRC/skstat.py" "$@"; }

first_answer() {
    local i
    for ((i = 0; i < 40; i++)); do
        wdig "@$A4" "$LAB_NAME_LOCAL" A 2>/dev/null | grep -q 'status: NOERROR' && return 0
        sleep 0.5
    done
    return 1
}

# 100 queries of local data and cached names, one dig process each batch of 20.
traffic() {
    local i
    for ((i = 0; i < 5; i++)); do
        wire dig +time=2 +tries=1 "@$A4" "$LAB_NAME_LOCAL" A "$LAB_NAME_LOCAL" AAAA \
            "$LAB_NAME_SECURE" A www.ecdsa.test A www.nsec3.test A >/dev/null 2>&1 || true
        wire dig +time=2 +tries=1 "@$A4" "$LAB_NAME_LOCAL" A "$LAB_NAME_SECURE" A \
            "$LAB_NAME_LOCAL" A "$LAB_NAME_SECURE" A "$LAB_NAME_LOCAL" A "$LAB_NAME_LOCAL" A \
            "$LAB_NAME_LOCAL" A "$LAB_NAME_LOCAL" A "$LAB_NAME_LOCAL" A "$LAB_NAME_LOCAL" A \
            "$LAB_NAME_LOCAL" A "$LAB_NAME_LOCAL" A "$LAB_NAME_LOCAL" A "$LAB_NAME_LOCAL" A \
            "$LAB_NAME_LOCAL" A >/dev/null 2>&1 || true
    done
}

rises_with_traffic() {
    local b0 b1 r0 r1
    read -r b0 r0 < <(stat busy_cycles responses | paste -sd' ')
    traffic
    sleep 0.2
    read -r b1 r1 < <(stat busy_cycles responses | paste -sd' ')
    echo "busy_cycles $b0 -> $b1, responses $r0 -> $r1"
    [ "$r1" -ge $((r0 + 90)) ] && [ "$b1" -gt "$b0" ]
}

# An idle second adds less than 1 % of a second's cycles (the odd ARP or ND frame).
still_when_idle() {
    local b0 b1 hz
    hz=$(stat tsc_hz)
    sleep 0.5
    b0=$(stat busy_cycles)
    sleep 1
    b1=$(stat busy_cycles)
    echo "idle: busy_cycles $b0 -> $b1 (tsc_hz $hz)"
    [ "$hz" -gt 0 ] && [ $((b1 - b0)) -lt $((hz / 100)) ]
}

per_worker() {
    local out
    out=$(python3 - "$SKSTAT_PREFIX" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % sys.argv[1])
s.recv(16384)
s.send(b"/sekisho/workers")
w = json.loads(s.recv(1 << 20).decode())["/sekisho/workers"]
print(" ".join(str(v.get("busy_cycles", -1)) for v in w.values()))
PY
)
    echo "per worker: $out"
    [ -n "$out" ] && ! grep -q -- '-1' <<<"$out" && [ "${out%% *}" -gt 0 ]
}

check "sekishod answers on $A4" first_answer
check "busy_cycles rises while dig traffic is answered" rises_with_traffic
check "busy_cycles stays put while the worker idles" still_when_idle
check "/sekisho/workers has busy_cycles per worker" per_worker

# One answer over UDP to an EDNS 4096 client, without TC and of at least $3 bytes.
whole_over_udp() { # name type min_size
    local out size
    out=$(wdig +ignore +bufsize=4096 "@$A4" "$1" "$2" 2>&1) || true
    size=$(sed -n 's/^;; MSG SIZE  rcvd: \([0-9]*\)$/\1/p' <<<"$out")
    echo "$1 $2: ${size:-no answer} bytes, $(grep -m1 '^;; flags' <<<"$out")"
    [ -n "$size" ] && [ "$size" -ge "$3" ] && ! grep -q '^;; flags:.* tc' <<<"$out"
}

# Resolved, then from the cache: both moved to a big mbuf (answers_grown counts them).
big_cached_answers() {
    local g0 g1
    g0=$(stat upstream_answers_grown)
    whole_over_udp "$LAB_NAME_BIG" TXT 3500 && whole_over_udp "$LAB_NAME_BIG" TXT 3500 || return 1
    g1=$(stat upstream_answers_grown)
    echo "upstream_answers_grown $g0 -> $g1"
    [ "$g1" -ge $((g0 + 2)) ]
}

kernel_pmd() { # pmd
    if ! LAB_PORT_PMD=$1 "$LAB" restart-sekishod >/dev/null 2>&1; then
        not_ok "restart-sekishod with LAB_PORT_PMD=$1"
        return
    fi
    ok "restart-sekishod with LAB_PORT_PMD=$1"
    if grep -q "(net_$1)" "$LAB_DIR/sekishod.log"; then
        ok "$1: the port is net_$1"
    else
        not_ok "$1: the port is net_$1 (log: $(grep -m1 'port wire' "$LAB_DIR/sekishod.log"))"
    fi
    check "$1 port: sekishod answers on $A4" first_answer
    check "$1 port: busy_cycles rises with traffic" rises_with_traffic
    check "$1 port: a ~3,000-byte local answer whole over UDP" \
        whole_over_udp "$LAB_NAME_LOCAL_BIG" TXT 2500
    check "$1 port: a ~3,900-byte answer whole over UDP, resolved and cached" big_cached_answers
}

# ethtool comes with tests/install-deps: both kernel PMDs are always tried.
kernel_pmd af_packet
kernel_pmd af_xdp
lab_test_finish
