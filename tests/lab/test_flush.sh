#!/usr/bin/env bash
# `sekishoctl flush NAME | --zone ZONE | --all` (issue 5): names resolved through the lab
# are cached (a second dig starts no resolution); after a flush the flushed names start a
# resolution again (upstream_resolutions rises) while other cached names are still answered
# from the cache (upstream_cache_answers rises, upstream_resolutions does not). A flushed
# NXDOMAIN name is asked again although the zone's validated NSEC records (RFC 8198) would
# have denied it: the flush drops the denial records of the zones above. Bad arguments get a
# usage error (exit 1) and the daemon keeps running. Skipped (77) without sekishod and
# sekishoctl.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_require_sekishoctl
lab_test_up

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

A=$LAB_NAME_SECURE               # www.rsa.test
DEEP=$LAB_NAME_DEEP              # www.sub.rsa.test: a zone below rsa.test
OTHER=$LAB_NAME_SECURE_ECDSA     # www.ecdsa.test: never flushed but by --all
NX=$LAB_NAME_NXDOMAIN            # nx.rsa.test
NX_NEAR=nxb.${NX#*.}             # in the same NSEC range as nx.rsa.test

# ask NAME [dig options]: one query; NOERROR or NXDOMAIN expected, the status printed.
ask() {
    local name=$1 out
    shift
    out=$(wdig "@$SEKISHO_ADDR4" "$name" A "$@") || { echo "dig $name failed"; return 1; }
    grep -Eo 'status: [A-Z]+' <<<"$out" | head -n 1
}

# resolves NAME [dig options]: the query starts a resolution (not answered from the cache).
resolves() {
    local before after st
    before=$(counter upstream_resolutions)
    st=$(ask "$@") || return 1
    after=$(counter upstream_resolutions)
    [ "$after" -gt "$before" ] || { echo "$1 ($st): upstream_resolutions stayed $before"; return 1; }
}

# cached NAME [dig options]: answered from the cache, no resolution.
cached() {
    local rb ra cb ca st
    rb=$(counter upstream_resolutions)
    cb=$(counter upstream_cache_answers)
    st=$(ask "$@") || return 1
    ra=$(counter upstream_resolutions)
    ca=$(counter upstream_cache_answers)
    [ "$ra" -eq "$rb" ] && [ "$ca" -gt "$cb" ] ||
        { echo "$1 ($st): resolutions $rb -> $ra, cache answers $cb -> $ca"; return 1; }
}

# flushes "what" ARGS...: sekishoctl flush ARGS succeeds, says how many went (at least one).
flushes() {
    local out n
    out=$(ctl flush "$@") || { echo "flush $*: exit $?: $out"; return 1; }
    n=$(awk '$1 == "removed" { print $2 }' <<<"$out")
    [ -n "$n" ] && [ "$n" -gt 0 ] || { echo "flush $*: $out"; return 1; }
}

warm() { # resolve each name once (validated, cached)
    local n
    for n in "$@"; do
        ask "$n" >/dev/null || return 1
        ask "$n" +dnssec >/dev/null || return 1
    done
}
check "names resolved once" warm "$A" "$DEEP" "$OTHER"
check "$A: cached (no resolution the second time)" cached "$A"
check "$A +dnssec (DO=1): cached" cached "$A" +dnssec

flushes_counted() {
    local before
    before=$(counter cache_flushes)
    flushes "$A" || return 1
    [ "$(counter cache_flushes)" -eq $((before + 1)) ] || { echo "cache_flushes stayed $before"; return 1; }
    [ "$(counter cache_flushed)" -gt 0 ] || { echo "cache_flushed is 0"; return 1; }
}
check "flush $A: entries removed, cache_flushes counts it" flushes_counted
check "after flush $A: $A resolved again" resolves "$A"
check "after flush $A: $A +dnssec resolved again (every DO/CD variant went)" resolves "$A" +dnssec
check "after flush $A: $DEEP still cached" cached "$DEEP"
check "after flush $A: $OTHER still cached" cached "$OTHER"

check "flush --zone ${A#*.}" flushes --zone "${A#*.}"
check "after flush --zone ${A#*.}: $A resolved again" resolves "$A"
check "after flush --zone ${A#*.}: $DEEP (below it) resolved again" resolves "$DEEP"
check "after flush --zone ${A#*.}: $OTHER still cached" cached "$OTHER"

negative_flush() {
    ask "$NX" +dnssec | grep -q NXDOMAIN || { echo "$NX is not NXDOMAIN"; return 1; }
    # the zone's NSEC records deny a neighbour without asking (RFC 8198)...
    local before
    before=$(counter upstream_aggressive_nxdomain)
    cached "$NX" +dnssec || return 1
    ask "$NX_NEAR" +dnssec | grep -q NXDOMAIN || { echo "$NX_NEAR is not NXDOMAIN"; return 1; }
    [ "$(counter upstream_aggressive_nxdomain)" -gt "$before" ] ||
        { echo "$NX_NEAR was not denied from the NSEC records"; return 1; }
    # ...so a flush of the name must take them too, or they would deny it again
    flushes "$NX" || return 1
    resolves "$NX" +dnssec
}
check "flush $NX (NXDOMAIN): resolved again, not denied from the zone's NSEC records" negative_flush

check "flush --all" flushes --all
check "after flush --all: $OTHER resolved again" resolves "$OTHER"
check "after flush --all: $OTHER cached again" cached "$OTHER"

usage_error() { # args...: exit 1 and a usage or bad-name line on stderr
    local out rc=0
    out=$(ctl flush "$@" 2>&1) || rc=$?
    [ "$rc" -eq 1 ] || { echo "flush $*: exit $rc: $out"; return 1; }
    grep_q '^(usage: flush NAME \| --zone ZONE \| --all|bad name)' "$out"
}
check "flush without an argument: usage error" usage_error
check "flush --zone without a zone: usage error" usage_error --zone
check "flush --bogus: usage error" usage_error --bogus
check "flush NAME EXTRA: usage error" usage_error "$A" extra
check "flush --all EXTRA: usage error" usage_error --all extra
check "flush a..b: bad name" usage_error a..b
check "control socket still answers" ctl status
check "sekishod still runs" test -d "/proc/$(cat "$LAB_DIR/sekishod.pid")"
check "and still answers from the cache" cached "$OTHER"

lab_test_finish
