#!/usr/bin/env bash
# sekishoctl reload and nta: a new version of the workers' environment (local data,
# trust anchors, negative trust anchors) published while they run (control/snapshot.h).
#   - reload picks up new local data; a broken config is refused with file:line and the
#     running version stays; settings that need a restart are named;
#   - under dnsperf load, 20 reloads lose no query and fail none (every answer NOERROR),
#     and every replaced version is freed afterwards (no worker holds it);
#   - nta add makes a bogus zone answer (AD=0), nta list shows it, nta del ends it;
#     bad arguments are refused and the daemon keeps running.
# Skipped (77) without build/sekishod.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_require_sekishoctl
lab_test_up

status_field() { ctl status | awk -v n="$1" '$1 == n { print $2 }'; }
CONF=$LAB_DIR/sekishod.conf
A4=$SEKISHO_ADDR4
ask() { wdig +time=4 +tries=1 "@$A4" "$@"; }

control_up() {
    local i
    for ((i = 0; i < 40; i++)); do
        ctl status >/dev/null 2>&1 && return 0
        sleep 0.25
    done
    return 1
}
check "control socket answers" control_up
cp "$CONF" "$LAB_DIR/sekishod.conf.orig"

reload_adds_local_data() {
    local out before
    before=$(status_field config_version)
    out=$(ask +short reload.local.test A)
    [ -z "$out" ] || { echo "already there: $out"; return 1; }
    printf '\nserver:\n    local-data: "reload.local.test. 60 IN A 192.0.2.99"\n' >>"$CONF"
    out=$(ctl reload) || { echo "$out"; return 1; }
    grep_q '^reloaded ' "$out" || return 1
    [ "$(status_field config_version)" -gt "$before" ] || return 1
    out=$(ask +short reload.local.test A)
    [ "$out" = 192.0.2.99 ] || { echo "got '$out'"; return 1; }
}
check "reload: new local data answers at once, config_version rises" reload_adds_local_data

broken_config_refused() {
    local out rc=0 lines
    lines=$(wc -l <"$CONF")
    printf 'server:\n    cache-min-ttl: lots\n' >>"$CONF"
    out=$(ctl reload 2>&1) || rc=$?
    [ "$rc" -ne 0 ] || { echo "exit 0: $out"; return 1; }
    grep_q "reload failed, nothing changed: .*sekishod.conf:$((lines + 2)): " "$out" || return 1
    out=$(ask +short reload.local.test A)
    [ "$out" = 192.0.2.99 ] || { echo "lost the running data: '$out'"; return 1; }
    cp "$LAB_DIR/sekishod.conf.orig" "$CONF"
}
check "reload of a broken config: refused with file:line, the running version stays" \
    broken_config_refused

restart_named() {
    local out
    sed -i 's/^\( *\)workers: .*/\1workers: 7/' "$CONF"
    out=$(ctl reload) || { echo "$out"; return 1; }
    grep_q '^restart needed for: workers ' "$out" || return 1
    [ "$(status_field workers)" = "${LAB_WORKERS:-1}" ] || return 1
    cp "$LAB_DIR/sekishod.conf.orig" "$CONF"
    out=$(ctl reload)
    ! grep -q 'restart needed' <<<"$out" || { echo "$out"; return 1; }
    [ -z "$(ask +short reload.local.test A)" ] # the original config again
}
check "reload: a setting that needs a restart is named and left as it is" restart_named

# Under load: cached and local names at a fixed rate while the config is reloaded
# twenty times. Every query is answered, every answer NOERROR.
reload_under_load() {
    local qfile=$LAB_DIR/reload-queries out pid i lost completed noerror
    for n in "$LAB_NAME_LOCAL A" "$LAB_NAME_SECURE A" "$LAB_NAME_SECURE_ECDSA A" \
        "$LAB_NAME_INSECURE A"; do
        # shellcheck disable=SC2086
        ask $n >/dev/null
        echo "$n"
    done >"$qfile"
    wire dnsperf -s "$A4" -d "$qfile" -l 10 -Q 3000 -c 4 -t 2 >"$LAB_DIR/reload-dnsperf.out" 2>&1 &
    pid=$!
    sleep 1
    for ((i = 0; i < 20; i++)); do
        ctl reload >/dev/null || { echo "reload $i failed"; kill "$pid"; return 1; }
        sleep 0.4
    done
    wait "$pid" || { cat "$LAB_DIR/reload-dnsperf.out"; return 1; }
    out=$(cat "$LAB_DIR/reload-dnsperf.out")
    lost=$(sed -n 's/^ *Queries lost: *\([0-9]*\).*/\1/p' <<<"$out")
    completed=$(sed -n 's/^ *Queries completed: *\([0-9]*\).*/\1/p' <<<"$out")
    noerror=$(sed -n 's/^ *Response codes: *NOERROR \([0-9]*\).*/\1/p' <<<"$out")
    echo "dnsperf: completed $completed, lost $lost, NOERROR $noerror"
    [ "${lost:-x}" = 0 ] && [ "${completed:-0}" -gt 10000 ] &&
        [ "$noerror" = "$completed" ]
}
check "20 reloads under dnsperf load (3,000 QPS, 10 s): no query lost, all NOERROR" \
    reload_under_load
sed -n 's/^ *\(Queries sent\|Queries completed\|Queries lost\|Response codes\):/# dnsperf during the reloads: \1:/p' \
    "$LAB_DIR/reload-dnsperf.out"

versions_freed() { # every replaced version freed once no worker holds it
    local i
    for ((i = 0; i < 40; i++)); do
        [ "$(status_field config_versions_retiring)" = 0 ] && return 0
        sleep 0.25
    done
    ctl status
    return 1
}
check "every replaced version is freed (config_versions_retiring 0)" versions_freed

answer_ad() { # name -> "NOERROR ad" / "NOERROR noad" / "SERVFAIL noad"
    local out rc ad=noad
    out=$(ask +dnssec "$1" A)
    rc=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out")
    grep -q 'flags:[a-z ]* ad[ ;]' <<<"$out" && ad=ad
    echo "$rc $ad"
}

expect_state() { # name "RCODE ad|noad"
    local got
    got=$(answer_ad "$1")
    [ "$got" = "$2" ] || { echo "$1: $got, want $2"; return 1; }
}

# The same names before and after each change: nta add and del flush what the zone
# had cached under the old verdict.
nta_runtime() {
    local out
    expect_state "$LAB_NAME_BOGUS_WRONGDS" "SERVFAIL noad" || return 1
    expect_state "x1.wrongds.test" "SERVFAIL noad" || return 1
    out=$(ctl nta add wrongds.test) || return 1
    grep_q '^removed [1-9][0-9]* cached entries of the zone$' "$out" || return 1
    out=$(ctl nta list)
    grep_q '^wrongds\.test\. permanent$' "$out" || return 1
    expect_state "$LAB_NAME_BOGUS_WRONGDS" "NOERROR noad" || return 1
    expect_state "x1.wrongds.test" "NXDOMAIN noad" || return 1
    expect_state "$LAB_NAME_SECURE" "NOERROR ad" || return 1
    ctl reload >/dev/null && ctl nta list | grep -q '^wrongds\.test\. ' ||
        { echo "run-time NTA lost by a reload"; return 1; }
    expect_state "x3.wrongds.test" "NXDOMAIN noad" || return 1
    ctl nta del wrongds.test >/dev/null || return 1
    out=$(ctl nta list)
    ! grep -q '^wrongds' <<<"$out" || { echo "$out"; return 1; }
    expect_state "$LAB_NAME_BOGUS_WRONGDS" "SERVFAIL noad" || return 1
    expect_state "x1.wrongds.test" "SERVFAIL noad"
}
check "nta add: the bogus zone answers at once (AD=0), listed, kept by reload; nta del ends it at once" \
    nta_runtime

nta_bad_args() {
    local rc=0 out
    out=$(ctl nta add 2>&1) || rc=$?
    [ "$rc" -ne 0 ] && grep_q 'usage: nta' "$out" || return 1
    rc=0
    out=$(ctl nta add example.com 99999999 2>&1) || rc=$?
    [ "$rc" -ne 0 ] && grep_q 'lifetime' "$out" || return 1
    rc=0
    out=$(ctl nta del not-there.example 2>&1) || rc=$?
    [ "$rc" -ne 0 ] && grep_q 'no such negative trust anchor' "$out" || return 1
    ctl status >/dev/null
}
check "nta: bad arguments refused with a reason; the daemon keeps answering" nta_bad_args

lab_test_finish
