#!/usr/bin/env bash
# sekishod validating the lab's signed hierarchy (issue 4) from the lab root's trust
# anchor: good zones of every algorithm give AD=1 to DO=1 clients, the unsigned
# delegation an answer with AD=0, every broken variant SERVFAIL with the EDE that says
# why (and the data with CD=1), DO=0 clients get no RRSIGs, and judged DS/DNSKEY RRsets
# are kept with their verdict (a second zone's answer costs no DNSKEY fetch of the root),
# and secure NXDOMAIN/NODATA answers answer other names from their NSEC/NSEC3 (RFC 8198)
# unless aggressive-nsec is off. Validations of one poll share signature batch runs
# (counted; the figures are printed as "# signature batch ..." lines).
# Skipped (77) without build/sekishod.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_require_sekishod
lab_test_up

A4=$SEKISHO_ADDR4
stat() { python3 "$LAB_SRC/skstat.py" "$@"; }
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

# Names of six zones asked at once, before any key is judged: their chains wait for the
# same DS/DNSKEY fetches and, resumed together when a fetch ends, put the same
# signatures in one batch run (AAAA, so that the A checks below still resolve).
TOGETHER="$LAB_NAME_SECURE $LAB_NAME_SECURE_ECDSA $LAB_NAME_SECURE_ED25519 $LAB_NAME_SECURE_NSEC3
          $LAB_NAME_DEEP $LAB_NAME_GLUELESS"
together() {
    local tmp name i=0 pids=() ok=0
    tmp=$(mktemp -d)
    for name in $TOGETHER; do
        ask +dnssec "$name" AAAA >"$tmp/$i" 2>&1 &
        pids+=($!)
        i=$((i + 1))
    done
    wait "${pids[@]}" || ok=1
    for ((i = 0; i < ${#pids[@]}; i++)); do
        grep_q 'flags: qr rd ra ad;' "$(cat "$tmp/$i")" || ok=1
    done
    rm -rf "$tmp"
    return $ok
}
check "six zones' names at once, cold: every answer AD=1" together

batch_figures() { # what the signature batch did so far, for the record
    local v
    v=$(stat upstream_val_batch_runs upstream_val_batch_jobs upstream_val_batch_multi \
        upstream_val_batch_shared upstream_val_batch_waits upstream_val_batch_full | tr '\n' ' ')
    set -- $v
    echo "# signature batch ($WHEN): $1 runs, $2 jobs verified, $3 runs of more than one" \
        "job, $4 jobs shared with an identical waiting one, $5 chain waits, $6 found it full"
}
WHEN="six zones at once" batch_figures

# dig prints "flags: qr rd ra ad;" for an authenticated answer.
secure() { # name type
    local out
    out=$(ask +dnssec "$1" "$2")
    grep_q 'status: NOERROR' "$out" && grep_q 'flags: qr rd ra ad;' "$out" &&
        grep_q "IN[[:space:]]+RRSIG[[:space:]]+$2 " "$out"
}
check "$LAB_NAME_SECURE (RSA/SHA-256): AD=1 with DO=1, RRSIG in the answer" secure "$LAB_NAME_SECURE" A
check "$LAB_NAME_SECURE_ECDSA (ECDSA P-256): AD=1" secure "$LAB_NAME_SECURE_ECDSA" A
check "$LAB_NAME_SECURE_ED25519 (Ed25519): AD=1" secure "$LAB_NAME_SECURE_ED25519" A
check "$LAB_NAME_SECURE_NSEC3 (NSEC3 zone): AD=1" secure "$LAB_NAME_SECURE_NSEC3" A
check "$LAB_NAME_DEEP (three delegations): AD=1" secure "$LAB_NAME_DEEP" A
check "$LAB_NAME_GLUELESS (glueless delegation): AD=1" secure "$LAB_NAME_GLUELESS" A
check "$LAB_NAME_CNAME_CHAIN (CNAMEs across signed zones): AD=1" secure "$LAB_NAME_CNAME_CHAIN" A

no_dnssec_records() { # name: DO=0 (and AD=0: dig sets AD by default) gets the data
    local out               # without RRSIGs and without AD
    out=$(ask +noadflag "$1" A)
    grep_q 'status: NOERROR' "$out" && grep_q 'flags: qr rd ra;' "$out" &&
        ! grep -q 'RRSIG' <<<"$out"
}
check "$LAB_NAME_SECURE with DO=0: no RRSIG, no AD" no_dnssec_records "$LAB_NAME_SECURE"

ad_without_do() { # RFC 6840 §5.7: AD=1 in the query asks for the AD bit without DO
    local out
    out=$(ask +adflag +nodnssec "$LAB_NAME_SECURE" A)
    grep_q 'flags: qr rd ra ad;' "$out" && ! grep -q 'RRSIG' <<<"$out"
}
check "AD=1 query without DO: AD=1 answer, no RRSIG" ad_without_do

insecure() { # name: an answer, never AD
    local out
    out=$(ask +dnssec "$1" A)
    grep_q 'status: NOERROR' "$out" && grep_q 'flags: qr rd ra;' "$out" &&
        grep_q "IN[[:space:]]+A[[:space:]]+203\.0\.113\.80" "$out"
}
check "$LAB_NAME_INSECURE (unsigned delegation, DS absence proven): answer, AD=0" \
    insecure "$LAB_NAME_INSECURE"
check "$LAB_NAME_UNKNOWN_ALG (unknown algorithm): insecure, answer, AD=0" \
    insecure "$LAB_NAME_UNKNOWN_ALG"

bogus() { # name ede...: SERVFAIL with one of the EDE codes, then CD=1 returns the data
    local name=$1 out ede ok=1
    shift
    out=$(ask +dnssec "$name" A)
    grep_q 'status: SERVFAIL' "$out" || return 1
    for ede in "$@"; do
        grep -Eq "EDE: $ede( |:|\\))" <<<"$out" && ok=0
    done
    [ $ok -eq 0 ] || { echo "# no EDE among $* in: $(grep EDE <<<"$out")"; return 1; }
    out=$(ask +dnssec +cd "$name" A)
    grep_q 'status: NOERROR' "$out" && grep_q "IN[[:space:]]+A[[:space:]]+203\.0\.113\.80" "$out" &&
        ! grep -q 'flags: qr rd ra ad' <<<"$out"
}
check "$LAB_NAME_BOGUS (bad signature): SERVFAIL EDE 6, CD=1 gives the data" bogus "$LAB_NAME_BOGUS" 6
check "$LAB_NAME_BOGUS_EXPIRED: SERVFAIL EDE 7, CD=1 gives the data" bogus "$LAB_NAME_BOGUS_EXPIRED" 7
check "$LAB_NAME_BOGUS_FUTURE: SERVFAIL EDE 8, CD=1 gives the data" bogus "$LAB_NAME_BOGUS_FUTURE" 8
check "$LAB_NAME_BOGUS_WRONGDS (DS matches no key): SERVFAIL EDE 6 or 9" \
    bogus "$LAB_NAME_BOGUS_WRONGDS" 6 9
check "$LAB_NAME_BOGUS_NODNSKEY (no DNSKEY): SERVFAIL EDE 9" bogus "$LAB_NAME_BOGUS_NODNSKEY" 9 10
check "$LAB_NAME_BOGUS_STRIPPED (RRSIGs removed): SERVFAIL EDE 10" bogus "$LAB_NAME_BOGUS_STRIPPED" 10 9

negative_secure() { # name rcode: a proven negative answer, AD=1, with its NSEC/NSEC3
    local out
    out=$(ask +dnssec "$1" A)
    grep_q "status: $2" "$out" && grep_q 'flags: qr rd ra ad;' "$out" &&
        grep -Eq 'IN[[:space:]]+NSEC3?[[:space:]]' <<<"$out"
}
check "$LAB_NAME_NXDOMAIN: NXDOMAIN proven by NSEC, AD=1" negative_secure "$LAB_NAME_NXDOMAIN" NXDOMAIN
check "$LAB_NAME_NXDOMAIN_NSEC3: NXDOMAIN proven by NSEC3, AD=1" \
    negative_secure "$LAB_NAME_NXDOMAIN_NSEC3" NXDOMAIN
check "txt.rsa.test A: NODATA proven by NSEC, AD=1" negative_secure txt.rsa.test NOERROR
check "$LAB_NAME_WILDCARD: wildcard answer with its NSEC proof, AD=1" secure "$LAB_NAME_WILDCARD" A
check "$LAB_NAME_WILDCARD_NSEC3: wildcard answer with its NSEC3 proof, AD=1" \
    secure "$LAB_NAME_WILDCARD_NSEC3" A

bogus_negative() { # name type ede...: a denial that proves nothing: SERVFAIL with an EDE
    local name=$1 type=$2 out ede
    shift 2
    out=$(ask +dnssec "$name" "$type")
    grep_q 'status: SERVFAIL' "$out" || return 1
    for ede in "$@"; do
        grep -Eq "EDE: $ede( |:|\\))" <<<"$out" && return 0
    done
    echo "# no EDE among $* in: $(grep EDE <<<"$out")"
    return 1
}
# (names that hash outside the hole, like nx., are still proven: AD=1 there is right)
check "www.badnsec3.test TXT (its NSEC3 removed): NODATA unproven, SERVFAIL EDE 6 or 12" \
    bogus_negative www.badnsec3.test TXT 6 12

iterations_insecure() { # RFC 9276: a denial over 150 iterations is insecure, not bogus
    local out
    out=$(ask +dnssec nx.nsec3iter200.test A)
    grep_q 'status: NXDOMAIN' "$out" && grep_q 'flags: qr rd ra;' "$out"
}
check "nx.nsec3iter200.test (200 iterations): NXDOMAIN, AD=0" iterations_insecure
check "nx.nsec3iter2600.test (2,600 iterations, over the cap): SERVFAIL EDE 27" \
    bogus_negative nx.nsec3iter2600.test A 27

counted() { # the verdicts are in the counters
    [ "$(stat upstream_val_secure)" -gt 0 ] && [ "$(stat upstream_val_bogus)" -gt 0 ] &&
        [ "$(stat upstream_val_insecure)" -gt 0 ]
}
check "validation counters: secure, insecure and bogus answers counted" counted

keys_kept() { # a new name of a zone validated before: no DS/DNSKEY fetch
    local fetches
    fetches=$(stat upstream_val_fetches)
    secure "txt.rsa.test" TXT || return 1
    [ "$(stat upstream_val_fetches)" -eq "$fetches" ]
}
check "keys judged once: another rsa.test name needs no DS/DNSKEY fetch" keys_kept

batched() { # validations went through batch runs, and runs carried several jobs
    local runs jobs multi
    runs=$(stat upstream_val_batch_runs)
    jobs=$(stat upstream_val_batch_jobs)
    multi=$(stat upstream_val_batch_multi)
    [ "$runs" -gt 0 ] && [ "$multi" -gt 0 ] && [ "$jobs" -gt "$runs" ] ||
        { echo "runs $runs, jobs $jobs, runs of more than one job $multi"; return 1; }
}
check "signature batch: runs counted, some of them with more than one job" batched
WHEN="every check above" batch_figures

# RFC 8198: the NSEC/NSEC3 records of a secure negative answer answer other names they
# cover, here (AD=1, with the proof for DO=1), without a query upstream.
from_denial() { # name type rcode counter: answered here, counted, nothing sent upstream
    local name=$1 type=$2 rcode=$3 counter=upstream_aggressive_$4 sent n out
    read -r sent n < <(stat upstream_sent "$counter" | tr '\n' ' ')
    out=$(ask +dnssec "$name" "$type")
    grep_q "status: $rcode" "$out" && grep_q 'flags: qr rd ra ad;' "$out" &&
        grep_q 'IN[[:space:]]+NSEC3?[[:space:]]' "$out" && grep_q 'IN[[:space:]]+SOA' "$out" &&
        grep_q 'IN[[:space:]]+RRSIG[[:space:]]+NSEC3?[[:space:]]' "$out" || return 1
    [ "$(stat upstream_sent)" -eq "$sent" ] ||
        { echo "upstream_sent $sent -> $(stat upstream_sent)"; return 1; }
    [ "$(stat "$counter")" -eq $((n + 1)) ] || { echo "$counter $n -> $(stat "$counter")"; return 1; }
}
ask +dnssec "$LAB_NAME_NXDOMAIN" A >/dev/null          # (cached: learnt when it validated)
check "aggressive NSEC: secure negative answers were kept" \
    test "$(stat upstream_aggressive_learned)" -gt 0
check "nx-other.rsa.test (in the NSEC range of $LAB_NAME_NXDOMAIN): NXDOMAIN, AD=1, not asked upstream" \
    from_denial nx-other.rsa.test A NXDOMAIN nxdomain
check "txt.rsa.test AAAA (its NSEC came with the A NODATA): NODATA, AD=1, not asked upstream" \
    from_denial txt.rsa.test AAAA NOERROR nodata

plain_client() { # DO=0 with AD=1: NXDOMAIN and AD, the SOA only
    local sent out
    sent=$(stat upstream_sent)
    out=$(ask +adflag +nodnssec nx-plain.rsa.test A)
    grep_q 'status: NXDOMAIN' "$out" && grep_q 'flags: qr rd ra ad;' "$out" &&
        grep_q 'IN[[:space:]]+SOA' "$out" && ! grep -Eq 'NSEC|RRSIG' <<<"$out" &&
        [ "$(stat upstream_sent)" -eq "$sent" ]
}
check "nx-plain.rsa.test without DO: NXDOMAIN with the SOA only, AD=1, not asked upstream" plain_client

checking_disabled() { # CD=1 wants the authority's data, not our conclusions: asked upstream
    local sent out
    sent=$(stat upstream_sent)
    out=$(ask +dnssec +cd nx-cd.rsa.test A)
    grep_q 'status: NXDOMAIN' "$out" && [ "$(stat upstream_sent)" -gt "$sent" ]
}
check "nx-cd.rsa.test with CD=1: asked upstream, not answered from the NSEC" checking_disabled

# A name whose NSEC3 hash (SHA-1, no salt, 0 iterations) falls in the NSEC3 range that
# covers the given name's, read from that name's answer on stdin.
NSEC3_SIBLING='
import base64, hashlib, sys
def wire(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.lower().rstrip(".").split(".")) + b"\0"
def h(n):
    return base64.b32hexencode(hashlib.sha1(wire(n)).digest()).decode().lower()
name = sys.argv[1]
zone = name.split(".", 1)[1]
for line in sys.stdin:
    f = line.split()
    if len(f) < 9 or f[3] != "NSEC3" or f[6] != "0" or f[7] != "-":
        continue
    lo, hi = f[0].split(".")[0].lower(), f[8].lower()
    inside = (lambda x: lo < x < hi) if lo < hi else (lambda x: x > lo or x < hi)
    if inside(h(name)):
        for i in range(1, 100000):
            cand = "nx%d.%s" % (i, zone)
            if cand != name and inside(h(cand)):
                print(cand)
                sys.exit(0)
sys.exit(1)'
sibling=$(ask +dnssec "$LAB_NAME_NXDOMAIN_NSEC3" A | python3 -c "$NSEC3_SIBLING" "$LAB_NAME_NXDOMAIN_NSEC3") ||
    sibling=no-sibling-found.nsec3.test
check "$sibling (in the NSEC3 range of $LAB_NAME_NXDOMAIN_NSEC3): NXDOMAIN, AD=1, not asked upstream" \
    from_denial "$sibling" A NXDOMAIN nxdomain

for c in upstream_aggressive_learned upstream_aggressive_nxdomain upstream_aggressive_nodata \
    upstream_aggressive_unproven upstream_sent cache_denial_inserts cache_denial_merged \
    cache_denial_hits; do
    printf '# %s %s\n' "$c" "$(stat "$c")"
done

aggressive_off() { # the same questions with aggressive-nsec: no go upstream
    local out sent
    out=$(LAB_AGGRESSIVE_NSEC=no "$LAB" restart-sekishod 2>&1) || { echo "$out"; return 1; }
    first_answer || { echo "no answer after the restart"; return 1; }
    ask +dnssec "$LAB_NAME_NXDOMAIN" A >/dev/null
    sent=$(stat upstream_sent)
    out=$(ask +dnssec nx-other.rsa.test A)
    grep_q 'status: NXDOMAIN' "$out" && grep_q 'flags: qr rd ra ad;' "$out" || return 1
    [ "$(stat upstream_sent)" -gt "$sent" ] ||
        { echo "upstream_sent $sent -> $(stat upstream_sent)"; return 1; }
    [ "$(stat upstream_aggressive_learned)" -eq 0 ] && [ "$(stat upstream_aggressive_nxdomain)" -eq 0 ]
}
check "aggressive-nsec: no (sekishod restarted): nx-other.rsa.test is asked upstream" aggressive_off

check "sekishod still runs" test -d "/proc/$(cat "$LAB_DIR/sekishod.pid")"
lab_test_finish
