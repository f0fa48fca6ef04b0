#!/usr/bin/env bash
# The appliance on the lab wire: local data over IPv4 and IPv6, header flags, EDNS, odd and
# broken messages (never a crash), ICMP echo, IP fragments for a large answer, TC=1 without
# EDNS, and the kernel exception path in both directions. Skipped (77) without build/sekishod.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_require_sekishod
lab_test_up

A4=$SEKISHO_ADDR4
A6=$SEKISHO_ADDR6
PROBE="$LAB_SRC/dnsprobe.py"
probe() { wire python3 "$PROBE" --timeout 2 "$@"; }

# The first query may race ARP/ND and the bridge learning the tap: give the wire a few tries.
first_answer() {
    local i
    for ((i = 0; i < 20; i++)); do
        wdig +time=1 "@$A4" "$LAB_NAME_LOCAL" A >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}
check "sekishod answers on $A4 (within 10 s)" first_answer

local_a() { # server
    local out
    out=$(wdig "@$1" "$LAB_NAME_LOCAL" A)
    grep_q 'status: NOERROR' "$out" && grep_q 'flags: qr aa rd ra;' "$out" &&
        grep_q "^$LAB_NAME_LOCAL\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.80" "$out" &&
        grep_q 'EDNS: version: 0, flags:; udp: 4096' "$out"
}
check "IPv4: www.local.test A -> NOERROR, qr aa rd (RD copied, RA: recursion on), 192.0.2.80, EDNS 4096 echoed" local_a "$A4"
check "IPv6: www.local.test A -> NOERROR, qr aa rd (RD copied, RA: recursion on), 192.0.2.80, EDNS 4096 echoed" local_a "$A6"

norec_copies_rd() {
    grep_q 'flags: qr aa ra;' "$(wdig +norec "@$A4" "$LAB_NAME_LOCAL" A)"
}
check "RD=0 in the query -> RD=0 in the answer" norec_copies_rd

case_kept() {
    local out
    out=$(wdig "@$A4" wWw.LoCaL.tEsT A)
    grep_q '^;wWw\.LoCaL\.tEsT\.[[:space:]]+IN[[:space:]]+A' "$out" && grep_q 'status: NOERROR' "$out"
}
check "question case preserved (wWw.LoCaL.tEsT)" case_kept
check "question case preserved (dnsprobe)" probe --server "$A4" --qname wWw.LoCaL.tEsT --rd \
    --expect-rcode NOERROR --expect-qname wWw.LoCaL.tEsT.

aaaa() {
    grep_q "IN[[:space:]]+AAAA[[:space:]]+2001:db8:53::80" "$(wdig "@$A6" "$LAB_NAME_LOCAL" AAAA)"
}
check "www.local.test AAAA -> 2001:db8:53::80" aaaa

cname_local() {
    grep_q 'alias\.local\.test\..*CNAME[[:space:]]+www\.local\.test\.' "$(wdig "@$A4" alias.local.test A)"
}
check "alias.local.test -> CNAME www.local.test" cname_local

nodata() {
    local out
    out=$(wdig "@$A4" "$LAB_NAME_LOCAL" MX)
    grep_q 'status: NOERROR' "$out" && grep_q 'ANSWER: 0,' "$out" &&
        grep_q '^local\.test\..*IN[[:space:]]+SOA' "$out"
}
check "NODATA (www.local.test MX) -> NOERROR, SOA in authority" nodata

nxdomain() {
    local out
    out=$(wdig "@$A4" nothere.local.test A)
    grep_q 'status: NXDOMAIN' "$out" && grep_q 'flags: qr aa' "$out" &&
        grep_q '^local\.test\..*IN[[:space:]]+SOA' "$out"
}
check "nothere.local.test -> NXDOMAIN, SOA in authority" nxdomain

# A name outside local data is resolved from the lab root (validated: AD for dig, which asks with AD=1).
outside() {
    local out
    out=$(wdig "@$A4" "$LAB_NAME_SECURE" A)
    grep_q 'status: NOERROR' "$out" && grep_q 'flags: qr rd ra( ad)?;' "$out" &&
        grep_q "^$LAB_NAME_SECURE\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+A[[:space:]]" "$out"
}
check "$LAB_NAME_SECURE (not local data) -> resolved from the lab root, RA=1, no AA" outside

noedns() {
    local out
    out=$(wdig +noedns "@$A4" "$LAB_NAME_LOCAL" A)
    grep_q 'status: NOERROR' "$out" && ! grep -q 'OPT PSEUDOSECTION' <<<"$out"
}
check "+noedns -> answer without OPT" noedns
check "+noedns -> no OPT (dnsprobe)" probe --server "$A4" --expect-rcode NOERROR --expect-no-edns

badvers() { grep_q 'status: BADVERS' "$(wdig +edns=1 +noednsnegotiation "@$A4" "$LAB_NAME_LOCAL" A)"; }
check "+edns=1 -> BADVERS" badvers
check "EDNS version 1 -> BADVERS (dnsprobe)" probe --server "$A4" --edns 1232 --edns-version 1 \
    --expect-rcode BADVERS

check "opcode NOTIFY -> NOTIMP" probe --server "$A4" --opcode 4 --expect-rcode NOTIMP --expect-flags qr
check "opcode STATUS -> NOTIMP" probe --server "$A4" --opcode 2 --expect-rcode NOTIMP --expect-flags qr
check "opcode UPDATE -> NOTIMP" probe --server "$A4" --opcode 5 --expect-rcode NOTIMP
check "QDCOUNT=0 -> FORMERR" probe --server "$A4" --questions 0 --expect-rcode FORMERR
check "QDCOUNT=2 -> FORMERR" probe --server "$A4" --questions 2 --expect-rcode FORMERR
check "QDCOUNT claims 1, no question -> FORMERR or dropped" probe --server "$A4" --questions 0 \
    --qdcount 1 --expect-answer-or-timeout --expect-rcode FORMERR
check "QR=1 -> no answer" probe --server "$A4" --qr --expect-timeout
check "compression loop -> FORMERR or dropped" probe --server "$A4" --compression-loop \
    --expect-answer-or-timeout --expect-rcode FORMERR
check "5 bytes of garbage -> dropped" probe --server "$A4" --garbage 5 --expect-timeout
for seed in 1 2 3 4 5 6 7 8; do
    wire python3 "$PROBE" --server "$A4" --garbage 200 --seed "$seed" --timeout 0.3 >/dev/null 2>&1 || true
done
check "IPv6 compression loop -> FORMERR or dropped" probe --server "$A6" --compression-loop \
    --expect-answer-or-timeout --expect-rcode FORMERR
check "still answering after the bad packets (IPv4)" local_a "$A4"
check "still answering after the bad packets (IPv6)" local_a "$A6"

check "ping $A4" wire ping -c1 -W2 "$A4"
check "ping -6 $A6" wire ping -6 -c1 -W2 "$A6"
neighbours() {
    grep_q "$A4 .*lladdr" "$(wire ip neigh show dev wire0)" &&
        grep_q "$A6 .*lladdr" "$(wire ip -6 neigh show dev wire0)"
}
check "ARP and ND resolved the appliance's addresses" neighbours

reasm_ok() { # IPv4 ReasmOKs of the client namespace, found by its column name
    wire awk '$1 == "Ip:" && !h { for (i = 2; i <= NF; i++) if ($i == "ReasmOKs") c = i; h = 1; next }
              $1 == "Ip:" { print $c }' /proc/net/snmp
}
reasm6_ok() { wire awk '$1 == "Ip6ReasmOKs" { print $2 }' /proc/net/snmp6; }
big_fragments() {
    local before before6 out
    before=$(reasm_ok)
    before6=$(reasm6_ok)
    out=$(wdig +ignore +bufsize=4096 "@$A4" "$LAB_NAME_LOCAL_BIG" TXT)
    grep_q 'status: NOERROR' "$out" && ! grep -q 'flags:.* tc' <<<"$out" &&
        [ "$(awk '/MSG SIZE/ { print $NF }' <<<"$out")" -gt 2900 ] &&
        [ "$(reasm_ok)" -gt "$before" ] || { echo "$out" | tail -3; echo "ReasmOKs $before -> $(reasm_ok)"; return 1; }
    out=$(wdig +ignore +bufsize=4096 "@$A6" "$LAB_NAME_LOCAL_BIG" TXT)
    grep_q 'status: NOERROR' "$out" && ! grep -q 'flags:.* tc' <<<"$out" &&
        [ "$(reasm6_ok)" -gt "$before6" ] || { echo "Ip6ReasmOKs $before6 -> $(reasm6_ok)"; return 1; }
}
check "big.local.test TXT over EDNS 4096 arrives in IP fragments (IPv4 and IPv6)" big_fragments

big_tc() {
    grep_q 'flags: qr aa tc' "$(wdig +noedns +ignore "@$A4" "$LAB_NAME_LOCAL_BIG" TXT)"
}
check "big.local.test TXT without EDNS -> TC=1" big_tc

# Exception path: a TCP listener in the appliance's kernel, reached from the wire namespace.
exception_path() {
    local port=8053 lpid reply i
    for ((i = 0; i < 50; i++)); do
        app ip -4 addr show | grep -q "inet $A4/" && break
        sleep 0.1
    done
    app timeout 20 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); s.settimeout(15)
c, _ = s.accept(); c.settimeout(5)
line = c.makefile().readline()
c.sendall(("pong " + line).encode()); c.close()
' "$A4" "$port" &
    lpid=$!
    sleep 0.5
    reply=$(wire timeout 15 python3 -c '
import socket, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
c.sendall(b"ping sekisho\n"); print(c.makefile().readline().strip())
' "$A4" "$port" 2>&1) || true
    wait "$lpid" 2>/dev/null || true
    [ "$reply" = "pong ping sekisho" ] || { echo "reply: $reply"; return 1; }
}
check "exception path: TCP to $A4:8053 in the appliance's kernel, both directions" exception_path

# Malformed frames the kernel would never send, and fragmented queries, through an
# AF_PACKET socket; each must show up in the right counter (DPDK telemetry).
raw_frames() {
    wire python3 "$LAB_SRC/rawframes.py" --client4 "$LAB_GATEWAY4" --client6 "$LAB_GATEWAY6" \
        --server4 "$A4" --server6 "$A6" --name "$LAB_NAME_LOCAL"
}
while IFS= read -r line; do
    case "$line" in
    "ok - "*) ok "${line#ok - }" ;;
    "not ok - "*) not_ok "${line#not ok - }" ;;
    *) echo "# $line" ;;
    esac
done < <(raw_frames 2>&1 || true)

check "sekishod still runs" test -d "/proc/$(cat "$LAB_DIR/sekishod.pid")"

lab_test_finish
