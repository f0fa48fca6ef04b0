#!/usr/bin/env bash
# sekishoctl selftest (issue 5): what the 2017 root KSK rollover notice told operators to
# check. The lab as usual: every check OK, exit 0. Then each FAIL path with its reason and
# exit 1, the other checks still OK:
#   IP fragments (IPv4, IPv6) dropped on the path (nft bridge table on br-wire, the wire
#   between sekishod and the servers)  -> fragmented-udp: the answers never arrived
#   TCP port 53 to the authoritative servers dropped on the path (same)
#                                     -> tcp-fallback: no answer over TCP
#   edns-buffer-size 1232             -> fragmented-udp: came over TCP, raise it to 4096
#   a bogus name as the good one and a good name as the bogus one (`sekishoctl reload`)
#                                     -> good-name SERVFAIL (EDE 7), bogus-name accepted
#   an unreachable name as the bogus one (reload) -> bogus-name: no data with CD=1 either
#   dnssec-validation: no             -> trust-anchor, good-name and bogus-name FAIL
# and with RFC 5011 on (LAB_RFC5011=1) the trust-anchor check names the valid root key.
# The lab's names (tests/lab/lab writes them into sekishod.conf): www.rsa.test (good),
# www.expired.test (bogus), big.ecdsa.test TXT (~4,000 bytes), www.tc.insecure.test
# (tcauth.py: TC=1 over UDP). Skipped (77) without sekishod and sekishoctl.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_require_sekishoctl
unset LAB_EDNS_BUFFER_SIZE LAB_EXTRA_CONF LAB_VALIDATION LAB_RFC5011
lab_test_up

control_up() {
    local i
    for ((i = 0; i < 40; i++)); do
        [ -S "$LAB_CONTROL_SOCKET" ] && ctl status >/dev/null 2>&1 && return 0
        sleep 0.25
    done
    ctl status
}

# A sekishod just started learns the gateway's MAC on its first sends (and the kernel
# behind its exception tap on its first TCP connect): a query lost then would make the
# resolver remember a checked server as unresponsive. So before any check, a TCP query
# from the appliance's kernel and a fresh lookup go to the TLD server, which no check
# names (bounded).
path_ready() {
    local i out
    for ((i = 0; i < 20; i++)); do
        if app dig +tcp +time=1 +tries=1 "@$LAB_TLD4" test. SOA 2>&1 | grep -q 'status: NOERROR' &&
            out=$(ctl lookup txt.test TXT --fresh 2>&1) && grep -q '^rcode NOERROR' <<<"$out"; then
            return 0
        fi
        sleep 0.5
    done
    echo "upstream not reachable: ${out:-}"
    return 1
}

# restart VAR=value...: sekishod alone again, its sekishod.conf written with these settings.
restart() {
    env "$@" "$LAB" restart-sekishod >"$LAB_DIR/restart.out" 2>&1 ||
        { tail -5 "$LAB_DIR/restart.out" "$LAB_DIR/sekishod.log"; return 1; }
    control_up && path_ready
}

# expect_selftest STATUS REGEX...: `sekishoctl selftest` exits STATUS and every REGEX
# matches one of its lines.
expect_selftest() {
    local want=$1 out rc=0 re
    shift
    out=$(ctl selftest 2>&1) || rc=$?
    printf '%s\n' "$out" >"$LAB_DIR/selftest.out"
    [ "$rc" -eq "$want" ] || { printf 'exit %s, want %s:\n%s\n' "$rc" "$want" "$out"; return 1; }
    for re in "$@"; do
        grep_q "$re" "$out" || return 1
    done
}

# The path: nft bridge tables on br-wire in the appliance's namespace, the wire between
# sekishod's port and the servers (a middlebox, so the servers send as usual). Each check
# removes its table; `lab down` deletes the namespace anyway.
path_nft() { app nft "$@"; }
nft_dropped() { # family table: its drop rules counted packets (the rule did what the check says)
    path_nft list table "$@" | grep -E 'drop$' | grep -Eq 'counter packets [1-9]' && return 0
    echo "the nft rule dropped nothing; the self-test said:"
    cat "$LAB_DIR/selftest.out"
    path_nft list table "$@"
    return 1
}

help_lists_selftest() { ctl help | grep -q '^selftest: '; }

check "control socket answers" control_up
check "upstream reachable over UDP and TCP (the TLD server)" path_ready
check "help lists selftest" help_lists_selftest

check "the lab as it is: every check OK, exit 0" expect_selftest 0 \
    '^OK trust-anchor: validation on, 2 root anchors: DS [0-9]+ DNSKEY [0-9]+$' \
    "^OK fragmented-udp: $LAB_NAME_BIG TXT: [34],[0-9]{3} bytes over fragmented UDP \(edns-buffer-size 4096\)$" \
    "^OK tcp-fallback: $LAB_NAME_TCONLY A: NOERROR over TCP after TC=1" \
    "^OK good-name: $LAB_NAME_SECURE A: NOERROR, AD=1 \(validated\)$" \
    "^OK bogus-name: $LAB_NAME_BOGUS_EXPIRED A: SERVFAIL \(EDE 7\) with CD=0, data with CD=1" \
    '^selftest: all 5 checks OK$'

# ---- the path: fragments, TCP -----------------------------------------------------------

fragments_dropped() {
    path_nft -f - <<'NFT' || return 1
table bridge st_selftest_frag {
    chain forward {
        type filter hook forward priority 0;
        ip frag-off & 0x3fff != 0 counter drop
        ip6 nexthdr ipv6-frag counter drop
    }
}
NFT
    local rc=0
    expect_selftest 1 \
        "^FAIL fragmented-udp: $LAB_NAME_BIG TXT: SERVFAIL \(EDE 2[23]\): its servers' answers never arrived: are IP fragments dropped on the path\?" \
        '^OK tcp-fallback: ' '^OK good-name: ' '^OK bogus-name: ' \
        '^selftest: 1 of 5 checks FAILED: fragmented-udp$' || rc=1
    nft_dropped bridge st_selftest_frag || rc=1
    path_nft delete table bridge st_selftest_frag
    return $rc
}
check "IP fragments dropped on the path: FAIL fragmented-udp, exit 1" fragments_dropped
# The resolver remembers servers that did not answer (lameness, EDNS fallback) for minutes:
# each path check starts from a fresh sekishod so that it sees only its own fault.
check "sekishod again (servers' failures forgotten)" restart

tcp_blocked() {
    path_nft -f - <<'NFT' || return 1
table bridge st_selftest_tcp {
    chain forward {
        type filter hook forward priority 0;
        ip daddr { 198.51.100.0/24, 203.0.113.0/24 } tcp dport 53 counter drop
        ip6 daddr { 2001:db8:1::/48, 2001:db8:2::/48 } tcp dport 53 counter drop
    }
}
NFT
    local rc=0
    expect_selftest 1 \
        "^FAIL tcp-fallback: $LAB_NAME_TCONLY A: (SERVFAIL \(EDE [0-9]+\) without an answer over TCP|no answer within [0-9]+ s): is TCP port 53 to its servers blocked\?$" \
        '^OK fragmented-udp: ' '^OK good-name: ' '^OK bogus-name: ' \
        '^selftest: 1 of 5 checks FAILED: tcp-fallback$' || rc=1
    nft_dropped bridge st_selftest_tcp || rc=1
    path_nft delete table bridge st_selftest_tcp
    return $rc
}
check "TCP port 53 to the authoritative servers dropped: FAIL tcp-fallback, exit 1" tcp_blocked
check "sekishod again (servers' failures forgotten)" restart

check "after both: every check OK again" expect_selftest 0 '^selftest: all 5 checks OK$'

# ---- the config: EDNS size, names, validation ------------------------------------------

# The names change with `sekishoctl reload` (a server: section appended to sekishod.conf).
cp "$LAB_SEKISHOD_CONF" "$LAB_DIR/sekishod.conf.orig"
reload_with() { # conf lines for a server: section
    { cat "$LAB_DIR/sekishod.conf.orig"; printf 'server:\n'; printf '    %s\n' "$@"; } \
        >"$LAB_SEKISHOD_CONF"
    ctl reload
}

check "reload with the good and bogus names swapped" reload_with \
    "selftest-good-name: $LAB_NAME_BOGUS_EXPIRED A" "selftest-bogus-name: $LAB_NAME_SECURE A"
check "a bogus name as the good one, a good one as the bogus one: both FAIL, exit 1" \
    expect_selftest 1 \
    "^FAIL good-name: $LAB_NAME_BOGUS_EXPIRED A: SERVFAIL \(EDE 7\): a name that should validate does not" \
    "^FAIL bogus-name: $LAB_NAME_SECURE A: NOERROR \(AD=1\) with CD=0: a known-bogus name was accepted" \
    '^OK trust-anchor: ' '^OK fragmented-udp: ' '^OK tcp-fallback: ' \
    '^selftest: 2 of 5 checks FAILED: good-name bogus-name$'

check "reload with an unreachable bogus name" reload_with "selftest-bogus-name: $LAB_NAME_LAME A"
check "an unreachable bogus name: FAIL (no data with CD=1 either), exit 1" \
    expect_selftest 1 \
    "^FAIL bogus-name: $LAB_NAME_LAME A: SERVFAIL, and no data with CD=1 either \(SERVFAIL \(EDE 2[23]\)\): unreachable, so the SERVFAIL proves nothing" \
    '^OK good-name: ' '^selftest: 1 of 5 checks FAILED: bogus-name$'

check "reload with the lab's names again" reload_with
check "the lab's names after a reload: every check OK" expect_selftest 0 '^selftest: all 5 checks OK$'

check "sekishod again with edns-buffer-size 1232" restart LAB_EDNS_BUFFER_SIZE=1232
check "edns-buffer-size 1232: FAIL fragmented-udp (came over TCP, raise it), exit 1" \
    expect_selftest 1 \
    "^FAIL fragmented-udp: $LAB_NAME_BIG TXT: the answer of [34],[0-9]{3} bytes came over TCP: edns-buffer-size 1232 is below it \(raise it to 4096\)$" \
    '^OK tcp-fallback: ' '^OK good-name: ' '^OK bogus-name: ' \
    '^selftest: 1 of 5 checks FAILED: fragmented-udp$'

# RFC 5011 on: the trust-anchor check wants a root key that a validated refresh made valid.
rfc5011_valid() { # the first refresh (at start) has run (bounded wait)
    local i
    for ((i = 0; i < 40; i++)); do
        ctl trust-anchors | grep -Eq '^key [0-9]+ [0-9]+ valid ' && return 0
        sleep 0.25
    done
    ctl trust-anchors
    return 1
}
check "sekishod again with RFC 5011 (trust-anchor-state-file)" restart LAB_RFC5011=1
check "RFC 5011: the root's key is valid after the first refresh" rfc5011_valid
check "RFC 5011 on: trust-anchor OK naming the valid root key, exit 0" expect_selftest 0 \
    '^OK trust-anchor: validation on, RFC 5011 root keys: [0-9]+ valid' \
    '^selftest: all 5 checks OK$'

check "sekishod again with dnssec-validation: no" restart LAB_VALIDATION=no
check "no trust anchor in use: FAIL trust-anchor, good-name and bogus-name, exit 1" \
    expect_selftest 1 \
    '^FAIL trust-anchor: validation is off: set dnssec-validation: yes' \
    "^FAIL good-name: $LAB_NAME_SECURE A: NOERROR without AD: not validated" \
    "^FAIL bogus-name: $LAB_NAME_BOGUS_EXPIRED A: NOERROR \(AD=0\) with CD=0: a known-bogus name was accepted" \
    '^OK fragmented-udp: ' '^OK tcp-fallback: ' \
    '^selftest: 3 of 5 checks FAILED: trust-anchor good-name bogus-name$'

check "sekishod still runs" test -d "/proc/$(cat "$LAB_DIR/sekishod.pid")"
lab_test_finish
