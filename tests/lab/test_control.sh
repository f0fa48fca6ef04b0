#!/usr/bin/env bash
# The control socket and sekishoctl (issue 5): TSIG-signed status and stats over the
# lab daemon's control socket ($LAB_DIR/sekishod.ctl, key made by `sekishoctl keygen`);
# a wrong key (BADSIG), an unknown key (BADKEY) and a replayed request (BADTIME) are
# refused and counted. Replay and BADTIME details are unit-tested in tests/unit/ctl.
# Skipped (77) without sekishod and sekishoctl.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_require_sekishoctl
lab_test_up

stat() { python3 "$LAB_SRC/skstat.py" "$@"; }
counter() { ctl stats | awk -v n="$1" '$1 == n { print $2 }'; }

control_up() {
    local i
    for ((i = 0; i < 40; i++)); do
        [ -S "$LAB_CONTROL_SOCKET" ] && ctl status >/dev/null 2>&1 && return 0
        sleep 0.25
    done
    ctl status
}
check "control socket answers" control_up

status_shows_version() {
    local out
    out=$(ctl status)
    grep_q '^version [0-9]+\.[0-9]+\.[0-9]+$' "$out" && grep_q '^uptime [0-9]+$' "$out" &&
        grep_q '^workers [0-9]+$' "$out" && grep_q '^cache_capacity [0-9]+$' "$out"
}
check "status: version, uptime, workers, cache" status_shows_version

stats_rise_after_a_query() {
    local before after out
    out=$(ctl stats)
    grep_q '^queries [0-9]+$' "$out" && grep_q '^control_requests [0-9]+$' "$out" || return 1
    before=$(counter queries)
    wdig "@$SEKISHO_ADDR4" "$LAB_NAME_LOCAL" A >/dev/null
    after=$(counter queries)
    [ "$after" -gt "$before" ] || { echo "queries $before -> $after"; return 1; }
}
check "stats: counters listed, queries rises after a dig" stats_rise_after_a_query

stats_is_long() { # every counter, over many TXT strings: far more than one record's worth
    [ "$(ctl stats | wc -l)" -gt 50 ]
}
check "stats: every counter (more than 50 lines)" stats_is_long

# lookup: the control thread's own queries through a worker (control/ctlq.c).
lookup_secure_name() {
    local out
    out=$(ctl lookup "$LAB_NAME_SECURE" A --do --fresh)
    grep_q '^rcode NOERROR$' "$out" && grep_q '^ad 1$' "$out" && grep_q '^via udp$' "$out"
}
check "lookup --do --fresh of a signed name: NOERROR, AD=1, upstream over UDP" lookup_secure_name

lookup_big_fragmented() { # ~4 KB TXT with EDNS 4096: reassembled from IP fragments
    local out
    out=$(ctl lookup "$LAB_NAME_BIG" TXT --fresh)
    grep_q '^rcode NOERROR$' "$out" && grep_q '^via .*fragmented' "$out" &&
        grep_q '^udp_max (3[5-9]|4)[0-9]{2,}$' "$out"
}
check "lookup --fresh of the ~4 KB name: the upstream answer came as IP fragments" \
    lookup_big_fragmented

lookup_cached_then_fresh() {
    local out before
    ctl lookup "$LAB_NAME_SECURE_ECDSA" A >/dev/null
    out=$(ctl lookup "$LAB_NAME_SECURE_ECDSA" A)
    grep_q '^via cache$' "$out" || return 1
    before=$(counter upstream_sent)
    out=$(ctl lookup "$LAB_NAME_SECURE_ECDSA" A --fresh)
    grep_q '^via udp$' "$out" || return 1
    [ "$(counter upstream_sent)" -gt "$before" ] || { echo "nothing sent upstream for --fresh"; return 1; }
}
check "lookup: a repeat comes from the cache, --fresh goes upstream" lookup_cached_then_fresh

lookup_bogus_and_bad_input() {
    local out rc=0
    out=$(ctl lookup "$LAB_NAME_BOGUS" A --do)
    grep_q '^rcode SERVFAIL$' "$out" && grep_q '^ede [0-9]+$' "$out" || return 1
    out=$(ctl lookup "$LAB_NAME_BOGUS" A --cd)
    grep_q '^rcode NOERROR$' "$out" || return 1
    out=$(ctl lookup "$LAB_NAME_SECURE" BOGUSTYPE 2>&1) || rc=$?
    [ "$rc" -ne 0 ] && grep_q "unknown type or option 'BOGUSTYPE'" "$out"
}
check "lookup: bogus name SERVFAIL with EDE, data with --cd; a bad type is refused" \
    lookup_bogus_and_bad_input

over_loopback_tcp() { # control-tcp: the same channel, length-prefixed, in sekishod's namespace
    local out
    out=$(app "$CTL" -s tcp:127.0.0.1:8953 -k "$LAB_CONTROL_KEY" status) || { echo "$out"; return 1; }
    grep_q '^version [0-9]+\.' "$out" || return 1
    out=$(app "$CTL" -s tcp:127.0.0.1:8953 -k "$LAB_CONTROL_KEY" stats | wc -l)
    [ "$out" -gt 50 ] || { echo "stats over TCP: $out lines"; return 1; }
}
check "control-tcp: status and the long stats reply over loopback TCP" over_loopback_tcp

refused_with() { # keyfile pattern counter
    local before out rc=0
    before=$(counter "$3")
    out=$("$CTL" -s "$LAB_CONTROL_SOCKET" -k "$1" status 2>&1) || rc=$?
    [ "$rc" -ne 0 ] || { echo "exit 0 with a bad key: $out"; return 1; }
    grep_q "^sekishoctl: refused: $2" "$out" || return 1
    [ "$(counter "$3")" -gt "$before" ] || { echo "$3 stayed $before"; return 1; }
}
"$CTL" keygen lab-ctl. >"$LAB_DIR/wrong-secret.key"
"$CTL" keygen someone-else. >"$LAB_DIR/unknown.key"
check "same key name, other secret: refused BADSIG, control_badsig rises" \
    refused_with "$LAB_DIR/wrong-secret.key" BADSIG control_badsig
check "unknown key name: refused BADKEY, control_badkey rises" \
    refused_with "$LAB_DIR/unknown.key" BADKEY control_badkey

replay_refused() {
    local before out rc=0
    before=$(counter control_replays)
    out=$(ctl -R status 2>&1) || rc=$?
    [ "$rc" -ne 0 ] && grep_q '^sekishoctl: refused: BADTIME' "$out" || return 1
    [ "$(counter control_replays)" -gt "$before" ] || { echo "control_replays stayed $before"; return 1; }
}
check "a replayed request (same MAC): refused BADTIME, control_replays rises" replay_refused

telemetry_has_control() {
    [ "$(stat control_requests)" -gt 0 ] && [ "$(stat control_badsig)" -gt 0 ]
}
check "control_* counters in DPDK telemetry" telemetry_has_control

check "sekishod still runs" test -d "/proc/$(cat "$LAB_DIR/sekishod.pid")"

lab_test_finish
