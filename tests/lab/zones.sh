# shellcheck shell=bash
# Zone generation for the lab, sourced by tests/lab/lab. Every `lab up` writes every zone anew
# and signs it with fresh keys. Each zone has one line in tests/lab/README.md saying what it
# is for; keep the two in step.
#
# Layout under $LAB_DIR:
#   zones/<zone>.zone     unsigned source          zones/<zone>.signed  what NSD serves
#   zones/<zone>.ds       DS records for the parent (absent for unsigned delegations)
#   keys/<zone>/          BIND-format keys (K<zone>+<alg>+<tag>.{key,private})
#   knot-root/            the root: Knot signs it itself and keeps its keys in knot-root/keys
#
# Servers (addresses on the auth interface of skl-wire; see ADDR_* in tests/lab/lab):
#   root      Knot   a.root-servers.test 198.51.100.1  b.root-servers.test 198.51.100.2
#   tld       NSD    ns1.nic.test 198.51.100.10        ns2.nic.test 198.51.100.11     (test.)
#   auth      NSD    203.0.113.10 / .11: every zone under test. (ns1/ns2.hosting.test and the
#                    in-bailiwick ns1/ns2.<zone>.test names point here)
#   lame      NSD    203.0.113.66 / .67: serves no zone at all, so it answers REFUSED
#   tcauth    tcauth.py 203.0.113.53: tc.insecure.test, TC=1 over UDP, answers over TCP

ZONE_TTL=300
# Children of test. that the auth server serves, in the order they are written.
AUTH_ZONES="hosting.test rsa.test ecdsa.test ed25519.test nsec3.test glueless.test insecure.test
 partlame.test expired.test future.test wrongds.test nodnskey.test stripped.test badsig.test
 badnsec3.test unknownalg.test nsec3iter200.test nsec3iter2600.test"
# LAB_BENCH_ZONES=1 (bench/run peers): bench.test too, 100,000 names (see write_bench_zone).
# Off by default: signing it takes a while and no lab test needs it.
BENCH_ZONE_NAMES=${LAB_BENCH_ZONE_NAMES:-100000}
if [ "${LAB_BENCH_ZONES:-0}" = 1 ]; then
    AUTH_ZONES="$AUTH_ZONES bench.test"
fi
# Zones delegated from a child zone (three delegations below the root), served by the
# same NSD but not listed in test.
DEEP_ZONES="sub.rsa.test"

# The algorithm number the unknownalg.test keys are rewritten to: unassigned (RFC 8624 lists
# none for it), so a validator must treat the zone as insecure.
UNKNOWN_ALG=100

zone_header() { # zone, NS names... : SOA and NS of a child zone
    local zone=$1
    shift
    printf '$TTL %s\n' "$ZONE_TTL"
    printf '%s.\t3600\tIN\tSOA\tns1.hosting.test. hostmaster.%s. %s 3600 600 86400 300\n' \
        "$zone" "$zone" "$SERIAL"
    local ns
    for ns in "$@"; do
        printf '%s.\t3600\tIN\tNS\t%s.\n' "$zone" "$ns"
    done
}

zone_common() { # zone: the records every child zone has
    local zone=$1
    printf 'www.%s.\tIN\tA\t203.0.113.80\n' "$zone"
    printf 'www.%s.\tIN\tAAAA\t2001:db8:2::80\n' "$zone"
    printf 'txt.%s.\tIN\tTXT\t"lab zone %s"\n' "$zone" "$zone"
}

addr_records() { # name, v4, v6
    printf '%s.\tIN\tA\t%s\n%s.\tIN\tAAAA\t%s\n' "$1" "$2" "$1" "$3"
}

# Children that carry their own in-bailiwick NS names (glue in test.).
inbailiwick_ns() { # zone
    addr_records "ns1.$1" "$ADDR_AUTH1_4" "$ADDR_AUTH1_6"
    addr_records "ns2.$1" "$ADDR_AUTH2_4" "$ADDR_AUTH2_6"
}

keygen() { # zone, algorithm name, ksk bits, zsk bits: a KSK and a ZSK in keys/<zone>
    local zone=$1 alg=$2 kbits=${3:-} zbits=${4:-} dir="$LAB_DIR/keys/$1"
    mkdir -p "$dir"
    dnssec-keygen -q -K "$dir" -a "$alg" ${kbits:+-b "$kbits"} -f KSK "$zone" >/dev/null
    dnssec-keygen -q -K "$dir" -a "$alg" ${zbits:+-b "$zbits"} "$zone" >/dev/null
}

ksk_ds() { # zone: SHA-256 DS of the zone's KSK(s), one per line
    local zone=$1 key
    for key in "$LAB_DIR/keys/$zone"/K*.key; do
        if grep -q 'DNSKEY[[:space:]]*257' "$key"; then
            dnssec-dsfromkey -2 "$key"
        fi
    done
}

sign_bind() { # zone, extra dnssec-signzone args...: zones/<zone>.zone -> .signed and .ds
    local zone=$1
    shift
    # -d: dsset files go beside the keys, never into the working directory
    dnssec-signzone -q -S -x -O full -K "$LAB_DIR/keys/$zone" -d "$LAB_DIR/keys/$zone" -o "$zone" \
        -f "$ZDIR/$zone.signed" "$@" "$ZDIR/$zone.zone" >/dev/null
    ksk_ds "$zone" >"$ZDIR/$zone.ds"
}

sign_ldns() { # zone, iterations, salt: NSEC3 with more iterations than dnssec-signzone allows
    local zone=$1 iterations=$2 salt=$3 dir="$LAB_DIR/keys/$1"
    local keys=()
    local key
    for key in "$dir"/K*.private; do
        keys+=("${key%.private}")
    done
    ldns-signzone -n -t "$iterations" -s "$salt" -f "$ZDIR/$zone.signed" -o "$zone" \
        "$ZDIR/$zone.zone" "${keys[@]}" 2>/dev/null
    ksk_ds "$zone" >"$ZDIR/$zone.ds"
}

stamp() { # offset for date -d: UTC time in the YYYYMMDDHHMMSS form signers take
    date -u -d "$1" +%Y%m%d%H%M%S
}

txt_rdata() { # rdlen
    python3 "$LAB_SRC/zonetool.py" txt "$1"
}

# ---- the zones -----------------------------------------------------------------------------

write_child_zones() {
    local z
    # hosting.test: holds the names of the shared servers (sibling glue for the zones that use
    # them) and ns-glueless, which test. has no glue for.
    z=hosting.test
    {
        zone_header $z ns1.$z ns2.$z
        addr_records ns1.$z "$ADDR_AUTH1_4" "$ADDR_AUTH1_6"
        addr_records ns2.$z "$ADDR_AUTH2_4" "$ADDR_AUTH2_6"
        addr_records ns-glueless.$z "$ADDR_AUTH2_4" "$ADDR_AUTH2_6"
        zone_common $z
    } >"$ZDIR/$z.zone"
    keygen $z ECDSAP256SHA256
    sign_bind $z

    # sub.rsa.test: three delegations below the root (. -> test. -> rsa.test. -> here),
    # ECDSA, its DS in rsa.test; its servers are named in rsa.test.
    z=sub.rsa.test
    {
        zone_header $z ns1.rsa.test ns2.rsa.test
        zone_common $z
    } >"$ZDIR/$z.zone"
    keygen $z ECDSAP256SHA256
    sign_bind $z

    # rsa.test: RSA/SHA-256, NSEC, in-bailiwick glue; a NSEC wildcard, the head of the CNAME
    # chain, a dangling CNAME, and the delegation of sub.rsa.test.
    z=rsa.test
    {
        zone_header $z ns1.$z ns2.$z
        inbailiwick_ns $z
        zone_common $z
        printf 'sub.%s.\t3600\tIN\tNS\tns1.%s.\nsub.%s.\t3600\tIN\tNS\tns2.%s.\n' $z $z $z $z
        cat "$ZDIR/sub.$z.ds"
        printf '*.wild.%s.\tIN\tA\t203.0.113.81\n' $z
        printf '*.wild.%s.\tIN\tTXT\t"wildcard in %s"\n' $z $z
        printf 'cname.%s.\tIN\tCNAME\tcname.ecdsa.test.\n' $z
        printf 'dangling.%s.\tIN\tCNAME\tnothere.ecdsa.test.\n' $z
        printf 'mail.%s.\tIN\tMX\t10 www.%s.\n' $z $z
    } >"$ZDIR/$z.zone"
    keygen $z RSASHA256 2048 1024
    sign_bind $z

    # ecdsa.test: ECDSA P-256, NSEC; middle of the CNAME chain; large TXT answers.
    z=ecdsa.test
    {
        zone_header $z ns1.$z ns2.$z
        inbailiwick_ns $z
        zone_common $z
        printf 'cname.%s.\tIN\tCNAME\twww.ed25519.test.\n' $z
        # Sizes are those of the whole DNS response without DO (question big|mid.ecdsa.test):
        # 55 bytes of header, question, RR header and OPT plus the rdata.
        printf 'mid.%s.\tIN\tTXT\t%s\n' $z "$(txt_rdata 1445)"
        printf 'big.%s.\tIN\tTXT\t%s\n' $z "$(txt_rdata 3845)"
    } >"$ZDIR/$z.zone"
    keygen $z ECDSAP256SHA256
    sign_bind $z

    # ed25519.test: Ed25519, NSEC; end of the CNAME chain; a DNAME into rsa.test.
    z=ed25519.test
    {
        zone_header $z ns1.$z ns2.$z
        inbailiwick_ns $z
        zone_common $z
        printf 'alias.%s.\tIN\tDNAME\trsa.test.\n' $z
    } >"$ZDIR/$z.zone"
    keygen $z ED25519
    sign_bind $z

    # nsec3.test: ECDSA, NSEC3 (RFC 9276: 0 iterations, no salt), sibling glue; NSEC3 wildcard;
    # a CNAME into the DNAME.
    z=nsec3.test
    {
        zone_header $z ns1.hosting.test ns2.hosting.test
        zone_common $z
        printf '*.wild.%s.\tIN\tA\t203.0.113.82\n' $z
        printf 'chain.%s.\tIN\tCNAME\tcname.rsa.test.\n' $z
        printf 'todname.%s.\tIN\tCNAME\twww.alias.ed25519.test.\n' $z
    } >"$ZDIR/$z.zone"
    keygen $z ECDSAP256SHA256
    sign_bind $z -3 - -H 0

    # glueless.test: its only NS name lives in hosting.test and test. has no address for it.
    z=glueless.test
    {
        zone_header $z ns-glueless.hosting.test
        zone_common $z
    } >"$ZDIR/$z.zone"
    keygen $z ECDSAP256SHA256
    sign_bind $z

    # insecure.test: unsigned, no DS in test.; delegates tc.insecure.test to tcauth.py, whose
    # UDP answers all have TC=1 (a name that resolves only over TCP: the self-test's).
    z=insecure.test
    {
        zone_header $z ns1.hosting.test ns2.hosting.test
        zone_common $z
        printf 'tc.%s.\t3600\tIN\tNS\tns.tc.%s.\n' $z $z
        printf 'ns.tc.%s.\tIN\tA\t%s\n' $z "$ADDR_TCAUTH_4"
    } >"$ZDIR/$z.zone"
    cp "$ZDIR/$z.zone" "$ZDIR/$z.signed"

    # partlame.test: ns1 good (auth), ns2 on the lame server (REFUSED).
    z=partlame.test
    {
        zone_header $z ns1.$z ns2.$z
        addr_records ns1.$z "$ADDR_AUTH1_4" "$ADDR_AUTH1_6"
        addr_records ns2.$z "$ADDR_LAME1_4" "$ADDR_LAME1_6"
        zone_common $z
    } >"$ZDIR/$z.zone"
    keygen $z ECDSAP256SHA256
    sign_bind $z

    write_broken_zones
    [ "${LAB_BENCH_ZONES:-0}" != 1 ] || write_bench_zone
}

# bench.test: BENCH_ZONE_NAMES names n0..n<N-1> with an A record (198.18.0.0/15, the
# benchmarking range), the first tenth an AAAA too; ECDSA P-256 (signs fast), NSEC3 with 0
# iterations and no salt (RFC 9276), so that random labels under the zone fall into
# different NSEC3 ranges (a random-subdomain load is not absorbed by one cached range).
write_bench_zone() {
    local z=bench.test
    {
        zone_header $z ns1.hosting.test ns2.hosting.test
        zone_common $z
        awk -v n="$BENCH_ZONE_NAMES" -v z="$z" 'BEGIN {
            for (i = 0; i < n; i++) {
                printf "n%d.%s.\tIN\tA\t198.18.%d.%d\n", i, z, int(i / 256) % 256, i % 256
                if (i < n / 10)
                    printf "n%d.%s.\tIN\tAAAA\t2001:db8:b::%x\n", i, z, i
            }
        }'
    } >"$ZDIR/$z.zone"
    keygen $z ECDSAP256SHA256
    sign_bind $z -3 - -H 0 -n "$(nproc)"
}

broken_source() { # zone: the plain zone every broken variant starts from
    zone_header "$1" ns1.hosting.test ns2.hosting.test
    zone_common "$1"
}

write_broken_zones() {
    local z
    for z in expired.test future.test wrongds.test nodnskey.test stripped.test badsig.test \
        badnsec3.test unknownalg.test nsec3iter200.test nsec3iter2600.test; do
        broken_source $z >"$ZDIR/$z.zone"
        keygen $z ECDSAP256SHA256
    done

    # expired.test: every RRSIG expired a day ago (-P: skip the signer's own verification).
    sign_bind expired.test -P -s "$(stamp '-30 days')" -e "$(stamp '-1 day')"
    # future.test: every RRSIG starts being valid in ten days.
    sign_bind future.test -P -s "$(stamp '+10 days')" -e "$(stamp '+40 days')"

    # wrongds.test: zone fine, the DS in test. has the right key tag and a wrong digest.
    sign_bind wrongds.test
    awk '{ d = $NF; $NF = substr(d, 1, length(d) - 4) (substr(d, length(d) - 3) == "0000" ? "FFFF" : "0000"); print }' \
        "$ZDIR/wrongds.test.ds" >"$ZDIR/wrongds.test.ds.tmp"
    mv "$ZDIR/wrongds.test.ds.tmp" "$ZDIR/wrongds.test.ds"

    # nodnskey.test: DS in test., but the zone serves no DNSKEY.
    sign_bind nodnskey.test
    python3 "$LAB_SRC/zonetool.py" strip "$ZDIR/nodnskey.test.signed" "$ZDIR/nodnskey.test.tmp" DNSKEY
    mv "$ZDIR/nodnskey.test.tmp" "$ZDIR/nodnskey.test.signed"

    # stripped.test: DS and DNSKEY present, no RRSIG anywhere.
    sign_bind stripped.test
    python3 "$LAB_SRC/zonetool.py" strip "$ZDIR/stripped.test.signed" "$ZDIR/stripped.test.tmp" RRSIG
    mv "$ZDIR/stripped.test.tmp" "$ZDIR/stripped.test.signed"

    # badsig.test: the RRSIG over www A has flipped bits.
    sign_bind badsig.test
    python3 "$LAB_SRC/zonetool.py" badsig "$ZDIR/badsig.test.signed" "$ZDIR/badsig.test.tmp" \
        www.badsig.test A
    mv "$ZDIR/badsig.test.tmp" "$ZDIR/badsig.test.signed"

    # badnsec3.test: NSEC3 chain with a hole: the NSEC3 matching www is gone, so NODATA for www
    # and NXDOMAIN for names hashing into the hole cannot be proven.
    sign_bind badnsec3.test -3 - -H 0
    python3 "$LAB_SRC/zonetool.py" drop-nsec3 "$ZDIR/badnsec3.test.signed" \
        "$ZDIR/badnsec3.test.tmp" www.badnsec3.test >/dev/null
    mv "$ZDIR/badnsec3.test.tmp" "$ZDIR/badnsec3.test.signed"

    # unknownalg.test: keys, signatures and DS rewritten to an unassigned algorithm number.
    sign_bind unknownalg.test
    python3 "$LAB_SRC/zonetool.py" algorithm "$ZDIR/unknownalg.test.signed" \
        "$ZDIR/unknownalg.test.tmp" "$UNKNOWN_ALG" "$ZDIR/unknownalg.test.ds"
    mv "$ZDIR/unknownalg.test.tmp" "$ZDIR/unknownalg.test.signed"

    # NSEC3 iterations above the RFC 9276 limits (ldns-signzone; dnssec-signzone stops at 150).
    sign_ldns nsec3iter200.test 200 c0ffee
    sign_ldns nsec3iter2600.test 2600 c0ffee
}

write_tld_zone() { # test.: RSA/SHA-256, NSEC3, delegations with every kind of glue
    local z=test child
    {
        printf '$TTL %s\n' "$ZONE_TTL"
        printf 'test.\t3600\tIN\tSOA\tns1.nic.test. hostmaster.nic.test. %s 1800 900 604800 300\n' "$SERIAL"
        printf 'test.\t3600\tIN\tNS\tns1.nic.test.\ntest.\t3600\tIN\tNS\tns2.nic.test.\n'
        addr_records ns1.nic.test "$ADDR_TLD1_4" "$ADDR_TLD1_6"
        addr_records ns2.nic.test "$ADDR_TLD2_4" "$ADDR_TLD2_6"
        addr_records a.root-servers.test "$ADDR_ROOT1_4" "$ADDR_ROOT1_6"
        addr_records b.root-servers.test "$ADDR_ROOT2_4" "$ADDR_ROOT2_6"
        for child in $AUTH_ZONES; do
            # The NS set exactly as the child has it.
            awk -v c="$child." '$1 == c && $4 == "NS" { print }' "$ZDIR/$child.zone"
            if [ -s "$ZDIR/$child.ds" ]; then
                cat "$ZDIR/$child.ds"
            fi
        done
        # In-bailiwick glue.
        for child in hosting.test rsa.test ecdsa.test ed25519.test; do
            inbailiwick_ns "$child"
        done
        addr_records ns1.partlame.test "$ADDR_AUTH1_4" "$ADDR_AUTH1_6"
        addr_records ns2.partlame.test "$ADDR_LAME1_4" "$ADDR_LAME1_6"
        # lame.test: not served by anyone it names (unsigned delegation).
        printf 'lame.test.\t3600\tIN\tNS\tns1.lame.test.\nlame.test.\t3600\tIN\tNS\tns2.lame.test.\n'
        addr_records ns1.lame.test "$ADDR_LAME1_4" "$ADDR_LAME1_6"
        addr_records ns2.lame.test "$ADDR_LAME2_4" "$ADDR_LAME2_6"
        printf 'txt.test.\tIN\tTXT\t"sekisho lab TLD"\n'
    } >"$ZDIR/$z.zone"
    keygen $z RSASHA256 2048 1024
    sign_bind $z -3 - -H 0
}

write_root_zone() { # .: unsigned source; Knot signs it (keys in knot-root/keys)
    {
        printf '$TTL 86400\n'
        printf '.\t86400\tIN\tSOA\ta.root-servers.test. hostmaster.root-servers.test. %s 1800 900 604800 86400\n' "$SERIAL"
        printf '.\t518400\tIN\tNS\ta.root-servers.test.\n.\t518400\tIN\tNS\tb.root-servers.test.\n'
        printf 'test.\t172800\tIN\tNS\tns1.nic.test.\ntest.\t172800\tIN\tNS\tns2.nic.test.\n'
        awk '{ $2 = "86400"; print }' "$ZDIR/test.ds"
        addr_records a.root-servers.test "$ADDR_ROOT1_4" "$ADDR_ROOT1_6"
        addr_records b.root-servers.test "$ADDR_ROOT2_4" "$ADDR_ROOT2_6"
        addr_records ns1.nic.test "$ADDR_TLD1_4" "$ADDR_TLD1_6"
        addr_records ns2.nic.test "$ADDR_TLD2_4" "$ADDR_TLD2_6"
    } >"$ZDIR/root.zone"
}

write_root_hints() {
    {
        printf ';; sekisho lab root hints (tests/lab/lab up)\n'
        printf '.\t3600000\tIN\tNS\ta.root-servers.test.\n'
        printf '.\t3600000\tIN\tNS\tb.root-servers.test.\n'
        printf 'a.root-servers.test.\t3600000\tIN\tA\t%s\n' "$ADDR_ROOT1_4"
        printf 'a.root-servers.test.\t3600000\tIN\tAAAA\t%s\n' "$ADDR_ROOT1_6"
        printf 'b.root-servers.test.\t3600000\tIN\tA\t%s\n' "$ADDR_ROOT2_4"
        printf 'b.root-servers.test.\t3600000\tIN\tAAAA\t%s\n' "$ADDR_ROOT2_6"
    } >"$LAB_DIR/root.hints"
}

write_zones() {
    ZDIR="$LAB_DIR/zones"
    SERIAL=$(date -u +%s)
    mkdir -p "$ZDIR" "$LAB_DIR/keys"
    write_child_zones
    write_tld_zone
    write_root_zone
    write_root_hints
}
