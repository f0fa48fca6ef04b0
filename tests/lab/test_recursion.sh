#!/usr/bin/env bash
# sekishod as a recursive cache over the lab's own signed hierarchy (issue 3): iteration
# from the root hints through real NSD/Knot servers, what authoritative servers do wrong,
# the shared cache (hits and negative answers send nothing upstream), large answers that
# arrive fragmented, serve-stale with the authoritative servers stopped.
# Skipped (77) without build/sekishod.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_require_sekishod
# Short TTLs in the cache, so that the serve-stale check below need not wait long.
export LAB_CACHE_MAX_TTL=4
# ed25519.test is forwarded (RD=1) straight to one of its servers, nsec3.test is a stub
# zone pointing at the other: neither should need the root or test.
export LAB_EXTRA_CONF='
forward-zone:
    name: "ed25519.test."
    forward-addr: 203.0.113.10
stub-zone:
    name: "nsec3.test."
    stub-addr: 203.0.113.11'
lab_test_up

A4=$SEKISHO_ADDR4
stat() { python3 "$LAB_SRC/skstat.py" "$@"; }
ask() { wdig +time=5 +tries=1 "@$A4" "$@"; }

first_answer() {
    local i
    for ((i = 0; i < 20; i++)); do
        ask "$LAB_NAME_LOCAL" A >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}
check "sekishod answers on $A4" first_answer

resolves() { # name type expected-rdata-regex
    local out
    out=$(ask "$1" "$2")
    grep_q 'status: NOERROR' "$out" && grep_q 'flags: qr rd ra( ad)?;' "$out" &&
        grep_q "IN[[:space:]]+$2[[:space:]]+$3" "$out"
}
check "$LAB_NAME_DEEP: three delegations below the root" resolves "$LAB_NAME_DEEP" A '203\.0\.113\.80'
check "$LAB_NAME_SECURE AAAA over the IPv6 servers too" resolves "$LAB_NAME_SECURE" AAAA '2001:db8:2::80'
check "$LAB_NAME_CNAME_CHAIN: CNAMEs across zones to the A record" \
    resolves "$LAB_NAME_CNAME_CHAIN" A '203\.0\.113\.80'
check "$LAB_NAME_DNAME: DNAME, synthesised CNAME, then A" resolves "$LAB_NAME_DNAME" A '203\.0\.113\.80'
check "$LAB_NAME_GLUELESS: glueless delegation" resolves "$LAB_NAME_GLUELESS" A '203\.0\.113\.80'
check "$LAB_NAME_PARTLAME: one lame server of two" resolves "$LAB_NAME_PARTLAME" A '203\.0\.113\.80'
check "$LAB_NAME_INSECURE: unsigned delegation" resolves "$LAB_NAME_INSECURE" A '203\.0\.113\.80'

# Each of these is the first question of the run for its zone: exactly one upstream query.
one_query_to() { # name expected-rdata
    local sent out
    sent=$(stat upstream_sent)
    out=$(ask "$1" A)
    grep_q 'status: NOERROR' "$out" && grep_q "IN[[:space:]]+A[[:space:]]+$2" "$out" || return 1
    [ "$(stat upstream_sent)" -eq $((sent + 1)) ] ||
        { echo "upstream_sent $sent -> $(stat upstream_sent)"; return 1; }
}
check "forward-zone: www.ed25519.test with one query to the configured server" \
    one_query_to www.ed25519.test '203\.0\.113\.80'
check "stub-zone: www.nsec3.test with one query to the configured server" \
    one_query_to www.nsec3.test '203\.0\.113\.80'

lame_count() { stat resolve_lame_marked resolve_lame_skipped | awk '{ s += $1 } END { print s }'; }
all_lame() {
    local out before
    before=$(lame_count)
    out=$(ask "$LAB_NAME_LAME" A)
    grep_q 'status: SERVFAIL' "$out" && grep_q 'EDE: (22|23) ' "$out" || return 1
    # the resolver's own counters reach telemetry: marking or skipping the lame pairs
    [ "$(lame_count)" -gt "$before" ] || { echo "resolve_lame_* $before -> $(lame_count)"; return 1; }
}
check "$LAB_NAME_LAME: every server lame -> SERVFAIL with EDE 22/23, counted" all_lame

dangling() { grep_q 'status: NXDOMAIN' "$(ask "$LAB_NAME_DANGLING" A)"; }
check "$LAB_NAME_DANGLING: CNAME to a name that does not exist -> NXDOMAIN" dangling

case_kept() {
    local out
    out=$(ask WwW.RsA.TeSt A)
    grep_q '^;WwW\.RsA\.TeSt\.[[:space:]]+IN[[:space:]]+A' "$out" &&
        grep_q '^WwW\.RsA\.TeSt\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A' "$out"
}
check "the client's letter case comes back (question and owner)" case_kept

# A hit is one lookup: nothing goes upstream. Asked twice within the 4 s cache TTL.
hit_sends_nothing() {
    ask "$LAB_NAME_SECURE_ECDSA" A >/dev/null
    local sent hits
    read -r sent hits < <(stat upstream_sent cache_hits | tr '\n' ' ')
    grep_q 'status: NOERROR' "$(ask "$LAB_NAME_SECURE_ECDSA" A)" || return 1
    local sent2 hits2
    read -r sent2 hits2 < <(stat upstream_sent cache_hits | tr '\n' ' ')
    [ "$sent2" -eq "$sent" ] && [ "$hits2" -gt "$hits" ] ||
        { echo "upstream_sent $sent -> $sent2, cache_hits $hits -> $hits2"; return 1; }
}
check "a cache hit sends nothing upstream" hit_sends_nothing

negative_cached() {
    grep_q 'status: NXDOMAIN' "$(ask "$LAB_NAME_NXDOMAIN" A)" || return 1
    local sent sent2
    sent=$(stat upstream_sent)
    grep_q 'status: NXDOMAIN' "$(ask "$LAB_NAME_NXDOMAIN" A)" || return 1
    sent2=$(stat upstream_sent)
    [ "$sent2" -eq "$sent" ] || { echo "upstream_sent $sent -> $sent2"; return 1; }
}
check "NXDOMAIN is cached: the second query sends nothing upstream" negative_cached

big_fragments() {
    local before out
    before=$(stat reassembled)
    out=$(ask +bufsize=4096 "$LAB_NAME_BIG" TXT)
    grep_q 'status: NOERROR' "$out" && ! grep -q 'flags:.* tc' <<<"$out" &&
        [ "$(awk '/MSG SIZE/ { print $NF }' <<<"$out")" -gt 3500 ] &&
        [ "$(stat reassembled)" -gt "$before" ] ||
        { echo "$out" | tail -4; echo "reassembled $before -> $(stat reassembled)"; return 1; }
}
check "$LAB_NAME_BIG: a ~4,000-byte answer reassembled from upstream fragments, sent whole" \
    big_fragments

# Serve-stale: cache www, stop every child zone's server, let the 4 s TTL run out.
serve_stale() {
    grep_q 'status: NOERROR' "$(ask "$LAB_NAME_SECURE" A)" || return 1
    local pid
    read -r pid _ <"$LAB_DIR/pids/nsd-auth.pid"
    kill -STOP -- "-$pid" 2>/dev/null || kill -STOP "$pid"
    sleep 6
    local out
    out=$(wdig +time=8 +tries=1 "@$A4" "$LAB_NAME_SECURE" A)
    kill -CONT -- "-$pid" 2>/dev/null || kill -CONT "$pid"
    grep_q 'status: NOERROR' "$out" && grep_q 'EDE: 3 ' "$out" &&
        grep_q "IN[[:space:]]+A[[:space:]]+203\.0\.113\.80" "$out"
}
check "serve-stale: authoritative servers stopped, expired answer with EDE 3" serve_stale

check "sekishod still runs" test -d "/proc/$(cat "$LAB_DIR/sekishod.pid")"
lab_test_finish
