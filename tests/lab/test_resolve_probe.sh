#!/usr/bin/env bash
# dataplane/resolve against the lab's real authoritative servers: resolve_probe (the state
# machine with kernel sockets) runs in skl-wire from the lab's root hints, and each result is
# compared with what the authoritative server says when asked directly with dig.
#   test_resolve_probe.sh PATH/TO/resolve_probe
# Skipped (77) when the probe is not built. The appliance is not needed (LAB_NO_SEKISHOD=1).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PROBE=${1:-${RESOLVE_PROBE:-}}
[ -n "$PROBE" ] && [ -x "$PROBE" ] || { echo "# resolve_probe not built: skip"; exit 77; }
export LAB_NO_SEKISHOD=1
lab_test_up

probe() { wire timeout 60 "$PROBE" --hints "$LAB_ROOT_HINTS" "$@"; }
# answer records of TYPE from probe output, rdata only, sorted
answers() { awk -v t="$1" '$1 == "answer:" && $5 == t { print $6 }' | sort; }
# what the authoritative server itself says (rdata, sorted)
auth_says() { wdig +norec +short @"$LAB_AUTH4" "$@" | sort; }
# text bytes of a TXT rdata printed by dig +short (plain quoted strings)
txt_bytes() {
    python3 -c 'import re,sys; print(sum(len(s) for s in re.findall(r"\"((?:[^\"\\\\]|\\\\.)*)\"", sys.stdin.read())))'
}

same_answer() { # NAME TYPE [probe options...]: NOERROR and the same RRset as the authoritative
    local name=$1 type=$2 out got want
    shift 2
    out=$(probe "$@" "$name" "$type")
    got=$(answers "$type" <<<"$out")
    want=$(auth_says "$name" "$type")
    grep_q '^rcode NOERROR' "$out" && [ -n "$want" ] && [ "$got" = "$want" ] ||
        { printf 'probe:\n%s\nauthoritative: %s\n' "$out" "$want"; return 1; }
}

check "$LAB_NAME_SECURE A (three delegations below the root, primed, qmin)" same_answer "$LAB_NAME_SECURE" A
check "$LAB_NAME_SECURE A without QNAME minimisation" same_answer "$LAB_NAME_SECURE" A --no-qmin
check "$LAB_NAME_SECURE_ECDSA AAAA over IPv6 only" same_answer "$LAB_NAME_SECURE_ECDSA" AAAA --no-ip4
check "$LAB_NAME_SECURE_NSEC3 A (sibling glue)" same_answer "$LAB_NAME_SECURE_NSEC3" A
check "$LAB_NAME_GLUELESS A (glueless delegation: NS name resolved)" same_answer "$LAB_NAME_GLUELESS" A
check "$LAB_NAME_PARTLAME A (partly lame NS set)" same_answer "$LAB_NAME_PARTLAME" A

cname_chain() { # the chain crosses zones; each link as its zone says it, the end as its zone says
    local out first want_first end want_end
    out=$(probe "$LAB_NAME_CNAME_CHAIN" A)
    first=$(awk -v n="$LAB_NAME_CNAME_CHAIN." '$1 == "answer:" && $2 == n && $5 == "CNAME" { print $6 }' <<<"$out")
    want_first=$(auth_says "$LAB_NAME_CNAME_CHAIN" CNAME)
    end=$(awk '$1 == "answer:" && $5 == "CNAME" { t = $6 } END { print t }' <<<"$out")
    want_end=$(auth_says "$end" A)
    grep_q '^rcode NOERROR' "$out" && grep_q 'cnames [2-9]' "$out" &&
        [ "$first" = "$want_first" ] && [ "$(answers A <<<"$out")" = "$want_end" ] ||
        { printf '%s\nauthoritative: %s / %s\n' "$out" "$want_first" "$want_end"; return 1; }
}
check "$LAB_NAME_CNAME_CHAIN A (CNAME chain into other zones)" cname_chain

dname() {
    local out target want_target owner_zone
    out=$(probe "$LAB_NAME_DNAME" A)
    owner_zone=${LAB_NAME_DNAME#*.}
    target=$(awk '$1 == "answer:" && $5 == "DNAME" { print $6 }' <<<"$out")
    want_target=$(auth_says "$owner_zone" DNAME)
    grep_q '^rcode NOERROR' "$out" && [ -n "$target" ] && [ "$target" = "$want_target" ] &&
        grep_q "answer: $LAB_NAME_DNAME\. [0-9]+ IN CNAME www\.$target" "$out" &&
        [ "$(answers A <<<"$out")" = "$(auth_says "www.$target" A)" ] ||
        { printf '%s\nauthoritative DNAME: %s\n' "$out" "$want_target"; return 1; }
}
check "$LAB_NAME_DNAME A (DNAME: CNAME synthesised and followed)" dname

dangling() {
    local out target
    out=$(probe "$LAB_NAME_DANGLING" A)
    target=$(awk '$1 == "answer:" && $5 == "CNAME" { print $6 }' <<<"$out")
    grep_q '^rcode NXDOMAIN' "$out" && grep_q "^dangling: $LAB_NAME_DANGLING\. -> $target" "$out" &&
        grep_q 'status: NXDOMAIN' "$(wdig +norec @"$LAB_AUTH4" "$target" A)"
}
check "$LAB_NAME_DANGLING A: NXDOMAIN, recorded as a dangling CNAME" dangling

nxdomain() {
    local out
    out=$(probe "$LAB_NAME_NXDOMAIN" A)
    grep_q '^rcode NXDOMAIN' "$out" && grep_q '^authority: .* SOA ' "$out" &&
        grep_q 'status: NXDOMAIN' "$(wdig +norec @"$LAB_AUTH4" "$LAB_NAME_NXDOMAIN" A)"
}
check "$LAB_NAME_NXDOMAIN A: NXDOMAIN with the zone's SOA" nxdomain

all_lame() {
    local out
    out=$(probe "$LAB_NAME_LAME" A)
    grep_q '^rcode SERVFAIL ede (22|23) "[^"]+"' "$out" && grep_q '^lame: lame\.test\. .* refused' "$out" &&
        grep_q 'status: REFUSED' "$(wdig +norec @"$LAB_LAME4" "$LAB_NAME_LAME" A)"
}
check "$LAB_NAME_LAME A (every server REFUSED): SERVFAIL with EDE 22/23, lame pairs recorded" all_lame

big_txt() { # EDNS SIZE, expected TCP count
    local out got want
    out=$(probe --do --edns "$1" "$LAB_NAME_BIG" TXT)
    got=$(sed -n 's/^answer: .* TXT ; [0-9]* strings, \([0-9]*\) bytes of text$/\1/p' <<<"$out")
    want=$(wdig +norec +dnssec +bufsize=4096 +ignore +short @"$LAB_AUTH4" "$LAB_NAME_BIG" TXT | grep '^"' | txt_bytes)
    grep_q '^rcode NOERROR' "$out" && grep_q "\(tcp $2\)" "$out" && grep_q 'IN RRSIG' "$out" &&
        [ -n "$got" ] && [ "$got" = "$want" ] || { printf '%s\nauthoritative: %s bytes\n' "$out" "$want"; return 1; }
}
check "$LAB_NAME_BIG TXT with DO and EDNS 4096: ~4,000 bytes over fragmented UDP" big_txt 4096 0
check "$LAB_NAME_BIG TXT with DO and EDNS 1232: TC=1, retried over TCP" big_txt 1232 1

lab_test_finish
