#!/usr/bin/env bash
# The lab's authoritative side, asked directly from skl-wire: the root refers to test. with a
# DS, every signed zone serves DNSKEY and RRSIGs, ldns-verify-zone accepts the good zones and
# rejects each broken one for its own reason, the large answers have their sizes, lame servers
# refuse; then `lab down` leaves no namespace and no process behind.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_test_up
WORK=$(mktemp -d)
trap 'lab_test_down; rm -rf "$WORK"' EXIT

AUTH=$LAB_AUTH4
TLD=$LAB_TLD4
ROOT=$LAB_ROOT4
GOOD_ZONES="rsa.test ecdsa.test ed25519.test nsec3.test hosting.test glueless.test partlame.test
 wrongds.test nsec3iter200.test nsec3iter2600.test"

# ---- root and TLD ---------------------------------------------------------------------------

root_refers_test_with_ds() {
    local out
    out=$(wdig +norec +dnssec @"$ROOT" www.rsa.test A)
    grep_q 'status: NOERROR' "$out" && grep_q 'flags: qr;' "$out" &&
        grep_q '^test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+NS[[:space:]]+ns1\.nic\.test\.' "$out" &&
        grep_q '^test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+DS[[:space:]]' "$out" &&
        grep_q 'IN[[:space:]]+RRSIG[[:space:]]+DS 8 ' "$out" &&
        grep_q '^ns1\.nic\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+198\.51\.100\.10' "$out"
}
check "root refers www.rsa.test to test. with NS, DS, RRSIG(DS) and glue" root_refers_test_with_ds

root_priming() {
    local out
    out=$(wdig +norec @"$LAB_ROOT6" . NS)
    grep_q 'flags: qr aa' "$out" && grep_q 'a\.root-servers\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+AAAA' "$out"
}
check "root answers the priming query (. NS over IPv6) with addresses" root_priming

anchor_matches_root() {
    local served
    served=$(wdig +norec +noall +answer @"$ROOT" . DNSKEY | awk '$5 == 257' |
        while read -r _ _ _ _ f p a k; do python3 "$LAB_SRC/zonetool.py" ds . "$f" "$p" "$a" $k; done |
        awk '{ print $4, $5, $6, $7 }')
    local anchor
    anchor=$(awk '$4 == "DS" { print $5, $6, $7, $8 }' "$LAB_TRUST_ANCHOR")
    [ -n "$served" ] && [ "$served" = "$anchor" ] || { echo "served: $served"; echo "anchor: $anchor"; return 1; }
}
check "trust anchor DS matches the KSK the root serves" anchor_matches_root

root_zone_verifies() {
    wdig +norec @"$ROOT" . AXFR >"$WORK/root.axfr" &&
        ldns-verify-zone -k "$LAB_TRUST_ANCHOR" "$WORK/root.axfr"
}
check "root zone (Knot, AXFR) verifies against the trust anchor" root_zone_verifies

check "root hints list a.root-servers.test with A and AAAA" \
    grep_q "a\.root-servers\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+AAAA[[:space:]]+$LAB_ROOT6" "$(cat "$LAB_ROOT_HINTS")"

tld_zone_verifies() {
    wdig +norec @"$TLD" test. AXFR >"$WORK/test.axfr" && ldns-verify-zone "$WORK/test.axfr" &&
        grep_q 'NSEC3PARAM' "$(cat "$WORK/test.axfr")"
}
check "test. (NSD, AXFR) verifies, NSEC3" tld_zone_verifies

referral() { # zone: the TLD's referral for www.<zone>
    wdig +norec +dnssec @"$TLD" "www.$1" A
}

inbailiwick_glue() {
    local out
    out=$(referral rsa.test)
    grep_q '^rsa\.test\..*IN[[:space:]]+NS[[:space:]]+ns1\.rsa\.test\.' "$out" &&
        grep_q '^rsa\.test\..*IN[[:space:]]+DS' "$out" &&
        grep_q '^ns1\.rsa\.test\..*IN[[:space:]]+A[[:space:]]+203\.0\.113\.10' "$out"
}
check "test. refers rsa.test with DS and in-bailiwick glue" inbailiwick_glue

sibling_glue() {
    local out
    out=$(referral nsec3.test)
    grep_q '^nsec3\.test\..*IN[[:space:]]+NS[[:space:]]+ns1\.hosting\.test\.' "$out" &&
        grep_q '^ns1\.hosting\.test\..*IN[[:space:]]+A[[:space:]]+203\.0\.113\.10' "$out"
}
check "test. refers nsec3.test to ns1.hosting.test with sibling (out-of-bailiwick) glue" sibling_glue

glueless() {
    local out
    out=$(referral glueless.test)
    grep_q 'NS[[:space:]]+ns-glueless\.hosting\.test\.' "$out" && grep_q 'ADDITIONAL: 1$' "$out" &&
        grep_q 'ns-glueless\.hosting\.test\..*IN[[:space:]]+A[[:space:]]' "$(wdig +norec @"$AUTH" ns-glueless.hosting.test A)"
}
check "glueless.test: referral without glue, the name resolves in hosting.test" glueless

insecure_referral() {
    local out
    out=$(referral insecure.test)
    grep_q '^insecure\.test\..*IN[[:space:]]+NS' "$out" && ! grep -Eq '^insecure\.test\..*IN[[:space:]]+DS' <<<"$out" &&
        grep_q 'IN[[:space:]]+NSEC3[[:space:]]' "$out"
}
check "insecure.test: referral without DS, with NSEC3 proof" insecure_referral

# ---- signed zones ---------------------------------------------------------------------------

signed_zone_has_keys_and_sigs() { # zone, algorithm
    local out
    out=$(wdig +norec +dnssec @"$AUTH" "$1" DNSKEY)
    grep_q "DNSKEY[[:space:]]+257 3 $2 " "$out" && grep_q "DNSKEY[[:space:]]+256 3 $2 " "$out" &&
        grep_q "RRSIG[[:space:]]+DNSKEY $2 " "$out" &&
        grep_q "RRSIG[[:space:]]+A $2 " "$(wdig +norec +dnssec @"$AUTH" "www.$1" A)"
}
for zone_alg in rsa.test:8 ecdsa.test:13 ed25519.test:15 nsec3.test:13 hosting.test:13 \
    glueless.test:13 partlame.test:13 expired.test:13 future.test:13 wrongds.test:13 \
    badsig.test:13 badnsec3.test:13 nsec3iter200.test:13 nsec3iter2600.test:13 \
    unknownalg.test:100; do
    check "${zone_alg%%:*} serves DNSKEY (KSK, ZSK) and RRSIGs, algorithm ${zone_alg##*:}" \
        signed_zone_has_keys_and_sigs "${zone_alg%%:*}" "${zone_alg##*:}"
done

axfr() { # zone -> $WORK/<zone>.axfr
    wdig +norec @"$AUTH" "$1" AXFR >"$WORK/$1.axfr" && grep -q SOA "$WORK/$1.axfr"
}

verifies() { axfr "$1" && ldns-verify-zone "$WORK/$1.axfr"; }
for zone in $GOOD_ZONES; do
    check "ldns-verify-zone accepts $zone" verifies "$zone"
done

# rejected ZONE PATTERN: ldns-verify-zone fails, for the reason PATTERN
rejected() {
    local out
    axfr "$1" || return 1
    if out=$(ldns-verify-zone "$WORK/$1.axfr" 2>&1); then
        echo "ldns-verify-zone accepted $1"
        return 1
    fi
    grep_q "$2" "$out"
}
check "expired.test rejected: signatures expired" rejected expired.test 'signature has expired'
check "future.test rejected: signatures not yet valid" rejected future.test 'not incepted yet'
check "nodnskey.test rejected: no DNSKEY" rejected nodnskey.test 'No DNSKEY records at zone apex'
check "stripped.test rejected: no signatures" rejected stripped.test 'no signatures for'
check "badsig.test rejected: bogus signature over www A" rejected badsig.test 'Bogus DNSSEC signature for www\.badsig\.test\.'
check "badnsec3.test rejected: NSEC3 chain broken" rejected badnsec3.test 'no NSEC\(3\) for www\.badnsec3\.test|wrong next hashed owner'
check "unknownalg.test rejected: unknown algorithm" rejected unknownalg.test 'Unknown cryptographic algorithm'

parent_ds() { wdig +norec +noall +answer @"$TLD" "$1" DS | awk '$4 == "DS"'; }

wrong_ds() {
    local ds
    ds=$(parent_ds wrongds.test)
    [ -n "$ds" ] || { echo "no DS for wrongds.test in test."; return 1; }
    printf '%s\n' "$ds" >"$WORK/wrongds.ds"
    axfr wrongds.test || return 1
    if ldns-verify-zone -k "$WORK/wrongds.ds" "$WORK/wrongds.test.axfr"; then
        echo "the parent's DS validates wrongds.test"
        return 1
    fi
    # same key tag as the KSK, different digest
    local tag
    tag=$(awk '{ print $5 }' <<<"$ds")
    grep_q "DNSKEY[[:space:]]+257 3 13 " "$(cat "$WORK/wrongds.test.axfr")" &&
        [ "$(wdig +norec +multiline @"$AUTH" wrongds.test DNSKEY | grep -c "key id = $tag")" -ge 1 ]
}
check "wrongds.test: DS in test. has the KSK's tag and does not match it" wrong_ds

good_ds() { # zone: the parent's DS validates the zone
    parent_ds "$1" >"$WORK/$1.ds" && [ -s "$WORK/$1.ds" ] && axfr "$1" &&
        ldns-verify-zone -k "$WORK/$1.ds" "$WORK/$1.axfr"
}
for zone in rsa.test ecdsa.test ed25519.test nsec3.test; do
    check "$zone: DS in test. validates the zone" good_ds "$zone"
done

nodnskey_parent_ds() {
    [ -n "$(parent_ds nodnskey.test)" ] &&
        grep_q 'status: NOERROR.*ANSWER: 0|ANSWER: 0' "$(wdig +norec @"$AUTH" nodnskey.test DNSKEY)"
}
check "nodnskey.test: DS in test., DNSKEY query answers NODATA" nodnskey_parent_ds

unknown_alg_ds() {
    grep_q '[[:space:]]DS[[:space:]]+[0-9]+ 100 2 ' "$(parent_ds unknownalg.test)"
}
check "unknownalg.test: DS in test. has algorithm 100" unknown_alg_ds

nsec3_iterations() { # zone, iterations
    grep_q "NSEC3PARAM[[:space:]]+1 0 $2 " "$(wdig +norec @"$AUTH" "$1" NSEC3PARAM)"
}
check "nsec3iter200.test: NSEC3 iterations 200" nsec3_iterations nsec3iter200.test 200
check "nsec3iter2600.test: NSEC3 iterations 2600" nsec3_iterations nsec3iter2600.test 2600
check "nsec3.test: NSEC3 iterations 0 (RFC 9276)" nsec3_iterations nsec3.test 0

# ---- answers --------------------------------------------------------------------------------

nxdomain_proof() { # name, NSEC|NSEC3
    local out
    out=$(wdig +norec +dnssec @"$AUTH" "$1" A)
    grep_q 'status: NXDOMAIN' "$out" && grep_q "IN[[:space:]]+$2[[:space:]]" "$out" &&
        grep_q "RRSIG[[:space:]]+$2 " "$out"
}
check "$LAB_NAME_NXDOMAIN: NXDOMAIN with signed NSEC" nxdomain_proof "$LAB_NAME_NXDOMAIN" NSEC
check "$LAB_NAME_NXDOMAIN_NSEC3: NXDOMAIN with signed NSEC3" nxdomain_proof "$LAB_NAME_NXDOMAIN_NSEC3" NSEC3

wildcard() { # name, address, NSEC|NSEC3
    local out
    out=$(wdig +norec +dnssec @"$AUTH" "$1" A)
    # RRSIG labels field 3 (*.wild.<zone>.test) < owner labels: a wildcard expansion
    grep_q "IN[[:space:]]+A[[:space:]]+$2" "$out" && grep_q 'RRSIG[[:space:]]+A [0-9]+ 3 ' "$out" &&
        grep_q "IN[[:space:]]+$3[[:space:]]" "$out"
}
check "$LAB_NAME_WILDCARD: NSEC wildcard expansion" wildcard "$LAB_NAME_WILDCARD" 203.0.113.81 NSEC
check "$LAB_NAME_WILDCARD_NSEC3: NSEC3 wildcard expansion" wildcard "$LAB_NAME_WILDCARD_NSEC3" 203.0.113.82 NSEC3

cname_chain() {
    grep_q 'CNAME[[:space:]]+cname\.rsa\.test\.' "$(wdig +norec @"$AUTH" chain.nsec3.test A)" &&
        grep_q 'CNAME[[:space:]]+cname\.ecdsa\.test\.' "$(wdig +norec @"$AUTH" cname.rsa.test A)" &&
        grep_q 'CNAME[[:space:]]+www\.ed25519\.test\.' "$(wdig +norec @"$AUTH" cname.ecdsa.test A)"
}
check "CNAME chain chain.nsec3.test -> cname.rsa.test -> cname.ecdsa.test -> www.ed25519.test" cname_chain

dname() {
    local out
    out=$(wdig +norec +dnssec @"$AUTH" "$LAB_NAME_DNAME" A)
    grep_q 'DNAME[[:space:]]+rsa\.test\.' "$out" && grep_q 'RRSIG[[:space:]]+DNAME 15 ' "$out" &&
        grep_q 'CNAME[[:space:]]+www\.rsa\.test\.' "$out"
}
check "$LAB_NAME_DNAME: signed DNAME into rsa.test" dname

dangling() {
    grep_q 'CNAME[[:space:]]+nothere\.ecdsa\.test\.' "$(wdig +norec @"$AUTH" "$LAB_NAME_DANGLING" A)" &&
        grep_q 'status: NXDOMAIN' "$(wdig +norec @"$AUTH" nothere.ecdsa.test A)"
}
check "$LAB_NAME_DANGLING: CNAME to a name that does not exist" dangling

msg_size() { # name, dig options...: the size of the UDP answer
    local name=$1
    shift
    wdig +norec +ignore +bufsize=4096 "$@" @"$AUTH" "$name" TXT | awk '/MSG SIZE/ { print $NF }'
}
in_range() { # value, low, high
    [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ] || { echo "$1 not in $2..$3"; return 1; }
}
check "$LAB_NAME_MID: TXT answer of about 1,500 bytes" in_range "$(msg_size "$LAB_NAME_MID")" 1400 1600
check "$LAB_NAME_BIG: TXT answer of about 4,000 bytes" in_range "$(msg_size "$LAB_NAME_BIG")" 3800 4096
check "$LAB_NAME_BIG: with DO still fits 4,096 bytes" in_range "$(msg_size "$LAB_NAME_BIG" +dnssec)" 3900 4096

big_tc_at_1232() {
    grep_q 'flags: qr aa tc' "$(wdig +norec +ignore +bufsize=1232 @"$AUTH" "$LAB_NAME_BIG" TXT)" &&
        grep_q 'flags: qr aa;' "$(wdig +norec +tcp @"$AUTH" "$LAB_NAME_BIG" TXT)"
}
check "$LAB_NAME_BIG: TC=1 at 1232 bytes, whole over TCP" big_tc_at_1232

refused() { # server, name
    grep_q 'status: REFUSED' "$(wdig +norec @"$1" "$2" SOA)"
}
check "lame.test: ns1 ($LAB_LAME4) answers REFUSED" refused "$LAB_LAME4" lame.test
check "lame.test: ns2 (203.0.113.67, IPv6 too) answers REFUSED" refused 2001:db8:2::67 lame.test
lame_delegation() {
    local out
    out=$(referral lame.test)
    grep_q 'ns1\.lame\.test\..*IN[[:space:]]+A[[:space:]]+203\.0\.113\.66' "$out" &&
        grep_q 'ns2\.lame\.test\..*IN[[:space:]]+A[[:space:]]+203\.0\.113\.67' "$out"
}
check "lame.test: test. delegates to the two lame servers" lame_delegation
partlame() {
    grep_q 'flags: qr aa' "$(wdig +norec @"$AUTH" partlame.test SOA)" &&
        grep_q 'ns2\.partlame\.test\..*IN[[:space:]]+A[[:space:]]+203\.0\.113\.66' "$(referral partlame.test)" &&
        refused 203.0.113.66 partlame.test
}
check "partlame.test: ns1 answers, ns2 is lame (REFUSED)" partlame

check "sekishod.conf has local.test and the wire port" \
    grep_q 'local-zone: "local.test." static' "$(cat "$LAB_SEKISHOD_CONF")"

# ---- down -----------------------------------------------------------------------------------

"$LAB" down >/dev/null 2>&1 && ok "lab down" || not_ok "lab down"
no_namespaces() { ! ip netns list | grep -E '^skl-'; }
check "no skl-* namespace left" no_namespaces
no_pids() {
    local f pid left=0
    for f in "$LAB_DIR"/pids/*.pid; do
        [ -e "$f" ] && { echo "pid file left: $f"; left=1; }
    done
    for pid in $(pgrep -f "$LAB_DIR/" || true); do
        echo "process left: $(ps -o pid=,args= -p "$pid")"
        left=1
    done
    [ "$left" -eq 0 ]
}
check "no pid file and no lab process left" no_pids
"$LAB" down >/dev/null 2>&1 && ok "lab down again is harmless" || not_ok "lab down again is harmless"

lab_test_finish
