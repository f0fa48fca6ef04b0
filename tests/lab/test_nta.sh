#!/usr/bin/env bash
# Negative trust anchors (RFC 7646) from the config: a bogus zone under an NTA resolves
# (AD=0) until the NTA ends, and its answers are not cached past that moment; after it,
# the zone is bogus again (SERVFAIL, EDE 6). `domain-insecure` is an NTA without end.
# Skipped (77) without build/sekishod.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_require_sekishod
NTA_SECONDS=12
export LAB_EXTRA_CONF="
server:
    negative-trust-anchor: badsig.test $NTA_SECONDS
    domain-insecure: expired.test"
lab_test_up
started=$(date +%s)

A4=$SEKISHO_ADDR4
ask() { wdig +time=8 +tries=1 "@$A4" "$@"; }

first_answer() {
    local i
    for ((i = 0; i < 20; i++)); do
        ask "$LAB_NAME_LOCAL" A >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}
check "sekishod answers on $A4" first_answer

under_nta() { # name: the data, AD=0 (not validated)
    local out
    out=$(ask +dnssec "$1" A)
    grep_q 'status: NOERROR' "$out" && grep_q 'flags: qr rd ra;' "$out" &&
        grep_q "IN[[:space:]]+A[[:space:]]+203\.0\.113\.80" "$out"
}
check "$LAB_NAME_BOGUS under an NTA of ${NTA_SECONDS}s: answer, AD=0" under_nta "$LAB_NAME_BOGUS"
check "$LAB_NAME_BOGUS_EXPIRED under domain-insecure: answer, AD=0" under_nta "$LAB_NAME_BOGUS_EXPIRED"

ttl_within_nta() { # the cached answer lives no longer than the NTA
    local ttl
    ttl=$(ask +noall +answer "$LAB_NAME_BOGUS" A | awk '$4 == "A" { print $2; exit }')
    [ -n "$ttl" ] && [ "$ttl" -le "$NTA_SECONDS" ]
}
check "its TTL is capped by what is left of the NTA" ttl_within_nta

still_secure() {
    local out
    out=$(ask +dnssec "$LAB_NAME_SECURE" A)
    grep_q 'flags: qr rd ra ad;' "$out"
}
check "$LAB_NAME_SECURE is still validated (AD=1)" still_secure

# Wait (bounded) until the NTA has ended and the capped answer has left the cache.
left=$((started + NTA_SECONDS + 2 - $(date +%s)))
[ "$left" -le 0 ] || sleep "$left"
bogus_again() {
    local out
    out=$(ask +dnssec "$LAB_NAME_BOGUS" A)
    grep_q 'status: SERVFAIL' "$out" && grep -Eq 'EDE: 6( |:|\))' <<<"$out"
}
check "after the NTA ends: $LAB_NAME_BOGUS is bogus again (SERVFAIL, EDE 6)" bogus_again
check "domain-insecure does not end: $LAB_NAME_BOGUS_EXPIRED still answers" \
    under_nta "$LAB_NAME_BOGUS_EXPIRED"

check "sekishod still runs" test -d "/proc/$(cat "$LAB_DIR/sekishod.pid")"
lab_test_finish
