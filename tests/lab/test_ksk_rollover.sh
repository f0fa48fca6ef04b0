#!/usr/bin/env bash
# The root KSK rollover drill (RFC 5011, issue 5). The lab root (LAB_ROOT_ROLL=1, signed
# step by step by tests/lab/root_roll.sh) rolls its KSK end to end with short timers:
# publish the new KSK (signed by the old), wait past the add hold-down, switch signing,
# revoke the old key (self-signed), remove it. sekishod starts with only the old anchor
# and RFC 5011 on (LAB_RFC5011=1: add hold-down 20 s, remove hold-down 10 s, query and
# retry floors 2 s; DNSKEY TTL 10 s) and at every step:
#   - validates lab names (dig, AD=1) and the root's DNSKEY RRset fetched fresh from the
#     root server (`sekishoctl lookup . DNSKEY --fresh --do`, AD=1),
#   - shows each key's state in `sekishoctl trust-anchors` (new key AddPend then Valid,
#     old key Revoked then Removed),
# with a restart in the hold-down (the state file carries first-seen and hold-down end
# over) and a kill -9 right after the revocation was recorded (the state file still
# parses, holds the revocation, and the restarted daemon resumes from it).
# Then the same root is rolled again with RFC 5011 off: after the switch the lab names
# and the root's DNSKEY RRset are SERVFAIL, the failure RFC 5011 exists to prevent.
# Skipped (77) without sekishod and sekishoctl.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SEKISHOD=${LAB_SEKISHOD:-$LAB_REPO/build/sekishod}
lab_require_sekishoctl
export LAB_ROOT_ROLL=1 LAB_RFC5011=1
# Answers expire within seconds and are never served stale, so that every dig below is
# validated with the keys sekishod trusts at that step.
export LAB_CACHE_MAX_TTL=5
export LAB_EXTRA_CONF=$'server:\n    serve-stale: 0\n    prefetch: 0'
lab_test_up

anchors() { ctl trust-anchors; }

# Tag of the drill's key in root-roll/DIR (old, new, revoked = old with the REVOKE bit).
key_tag() {
    local k
    k=$(basename "$(ls "$LAB_DIR/root-roll/$1"/K*.key | head -n 1)" .key)
    echo "$((10#${k##*+}))"
}
OLD=$(key_tag old)
NEW=$(key_tag new)
REV=$(key_tag revoked)
echo "# root KSKs: old $OLD, new $NEW, old revoked $REV"

# The trust-anchors line of key TAG ("" when there is none).
key_line() { anchors | awk -v t="$1" '$1 == "key" && $2 == t' || true; }
key_state() { key_line "$1" | awk '{ print $4 }'; }
key_field() { key_line "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# wait_state TAG STATE SECONDS: poll trust-anchors (bounded) until key TAG is in STATE.
wait_state() {
    local i
    for ((i = 0; i < $3 * 2; i++)); do
        [ "$(key_state "$1")" = "$2" ] && return 0
        sleep 0.5
    done
    echo "key $1 not $2 within $3 s:"
    anchors
    return 1
}

control_up() {
    local i
    for ((i = 0; i < 80; i++)); do
        [ -S "$LAB_CONTROL_SOCKET" ] && anchors >/dev/null 2>&1 && return 0
        sleep 0.25
    done
    anchors
}

# A validated refresh has happened (the point's last refresh is a time, not "-").
refreshed() {
    local i
    for ((i = 0; i < 60; i++)); do
        anchors | grep -Eq '^point \. last-refresh=[0-9]{4}-' && return 0
        sleep 0.5
    done
    anchors
    return 1
}

# lab restart-sekishod; when it fails, what the daemon said and the memory it had.
restart_sekishod() {
    "$LAB" restart-sekishod && return 0
    echo "# restart failed; sekishod.log:"
    sed 's/^/#   /' "$LAB_DIR/sekishod.log"
    grep -i '^HugePages_' /proc/meminfo | sed 's/^/#   /'
    exit 1
}

STEP=0
# validates: a lab name and a name never asked before (no cache) resolve with AD=1.
validates() {
    local out name
    STEP=$((STEP + 1))
    name="s$STEP-$$.wild.rsa.test"
    for n in "$LAB_NAME_SECURE" "$name"; do
        out=$(wdig +dnssec @"$SEKISHO_ADDR4" "$n" A)
        grep_q 'status: NOERROR' "$out" && grep_q 'flags: [a-z ]* ad[ ;]' "$out" || return 1
    done
}

# root_dnskey_validates: the root's DNSKEY RRset, fetched from the root server now (not
# from the cache), validates with the anchors the workers hold.
root_dnskey_validates() {
    local out
    out=$(ctl lookup . DNSKEY --fresh --do)
    grep_q '^rcode NOERROR$' "$out" && grep_q '^ad 1$' "$out"
}

at_step() { # step description: the dig and the fresh DNSKEY check
    check "$1: lab names validate (AD=1)" validates
    check "$1: the root's DNSKEY RRset, fetched fresh, validates (AD=1)" root_dnskey_validates
}

# ---- Part 1: RFC 5011 on ------------------------------------------------------------------

check "control socket answers" control_up
on_with_state_file() {
    local out
    out=$(anchors)
    grep_q '^rfc5011 on$' "$out" && grep_q "^state-file $LAB_RFC5011_STATE\$" "$out"
}
check "trust-anchors: RFC 5011 on, the state file named" on_with_state_file
check "a first refresh validated" refreshed
expect "only the old KSK, valid" "$(anchors | awk '$1 == "key" { print $2, $4 }')" "$OLD valid"
iso_times() {
    grep_q "^key $OLD 8 valid first-seen=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z hold-down-end=- last-refresh=[0-9-]{10}T[0-9:]{8}Z next-refresh=[0-9-]{10}T[0-9:]{8}Z$" \
        "$(anchors)"
}
check "trust-anchors: tag, algorithm, state, ISO 8601 UTC times" iso_times
at_step "start (old KSK signs)"

"$LAB" root-ksk publish
check "publish: the new KSK becomes AddPend" wait_state "$NEW" addpend 30
expect "publish: the old KSK stays valid" "$(key_state "$OLD")" valid
first_seen=$(key_field "$NEW" first-seen)
hold_end=$(key_field "$NEW" hold-down-end)
echo "# new KSK first seen $first_seen, hold-down until $hold_end"
check "publish: the new KSK has a hold-down end" grep_q '^[0-9-]{10}T' "$hold_end"
at_step "publish"

restart_sekishod
check "restart in the hold-down: control socket answers" control_up
expect "restart: the new KSK is still AddPend" "$(key_state "$NEW")" addpend
expect "restart: first seen carried over by the state file" "$(key_field "$NEW" first-seen)" "$first_seen"
expect "restart: hold-down end carried over" "$(key_field "$NEW" hold-down-end)" "$hold_end"
at_step "after the restart"

check "hold-down over: the new KSK becomes Valid" wait_state "$NEW" valid 60
expect "hold-down over: the old KSK is still valid" "$(key_state "$OLD")" valid
at_step "both keys trusted"

"$LAB" root-ksk switch
# The cached DNSKEY RRset signed by the old key expires (TTL 10 s, cache-max-ttl 5 s):
# from then on every validation goes through the new key's signature.
sleep 12
at_step "switch (only the new KSK signs)"

"$LAB" root-ksk revoke
check "revoke: the old KSK is Revoked (shown with its revoked tag)" wait_state "$REV" revoked 30
# kill -9 at once: the revocation was saved before trust-anchors could show it
pid=$(cat "$LAB_DIR/sekishod.pid")
kill -KILL "$pid"
# gone (its hugepages released) before the next start: bounded, 30 s at most
for ((i = 0; i < 300; i++)); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
state_file_parses() {
    local out
    out=$("$SEKISHOD" --check-config "$LAB_SEKISHOD_CONF" 2>&1) || { echo "$out"; return 1; }
    grep_q 'RFC 5011 state of [0-9]+ key' "$out" &&
        grep_q "^key \. revoked $REV " "$(cat "$LAB_RFC5011_STATE")"
}
check "kill -9 after the revocation: the state file parses and holds it" state_file_parses
restart_sekishod
check "restart after kill -9: control socket answers" control_up
expect "restart after kill -9: the old KSK is still Revoked" "$(key_state "$REV")" revoked
expect "restart after kill -9: the new KSK is Valid" "$(key_state "$NEW")" valid
at_step "revoke"

"$LAB" root-ksk remove
check "remove: the old KSK becomes Removed after the remove hold-down" wait_state "$REV" removed 40
expect "end: only the new KSK is Valid" "$(anchors | awk '$1 == "key" && $4 == "valid" { print $2 }')" "$NEW"
at_step "remove"
expect "end: the last refresh did not fail" "$(anchors | awk '$1 == "point" { print $5 }')" "failures=0"
# The config still names only the old key: a reload must keep what RFC 5011 learnt.
reload_keeps_learnt_anchors() {
    local out
    out=$(ctl reload)
    grep_q '^reloaded ' "$out" || return 1
    ! grep -q 'restart needed' <<<"$out" || { echo "$out"; return 1; }
    root_dnskey_validates
}
check "reload: the root's anchors stay the learnt ones (fresh DNSKEY validates)" \
    reload_keeps_learnt_anchors

# ---- Part 2: the same rollover with RFC 5011 off --------------------------------------------

"$LAB" root-ksk initial
export LAB_RFC5011=0
restart_sekishod
check "RFC 5011 off: control socket answers" control_up
off_with_old_anchor() {
    local out
    out=$(anchors)
    grep_q '^rfc5011 off$' "$out" && grep_q "^anchor \. DNSKEY $OLD 8 flags=257$" "$out"
}
check "RFC 5011 off: trust-anchors shows only the configured old KSK" off_with_old_anchor
at_step "RFC 5011 off, start"
"$LAB" root-ksk publish
at_step "RFC 5011 off, publish"
"$LAB" root-ksk switch
servfails() {
    local i out
    for ((i = 0; i < 60; i++)); do
        out=$(wdig +dnssec @"$SEKISHO_ADDR4" "$LAB_NAME_SECURE" A || true)
        grep -q 'status: SERVFAIL' <<<"$out" && return 0
        sleep 0.5
    done
    echo "$out"
    return 1
}
check "RFC 5011 off, switch: lab names SERVFAIL (the old anchor no longer signs)" servfails
root_dnskey_bogus() {
    local out
    out=$(ctl lookup . DNSKEY --fresh --do)
    grep_q '^rcode SERVFAIL$' "$out"
}
check "RFC 5011 off, switch: the root's DNSKEY RRset is SERVFAIL" root_dnskey_bogus

check "sekishod still runs" test -d "/proc/$(cat "$LAB_DIR/sekishod.pid")"
lab_test_finish
