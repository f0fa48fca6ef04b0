# shellcheck shell=bash
# The lab root's KSK rollover drill (RFC 5011), sourced by tests/lab/lab. Only with
# LAB_ROOT_ROLL=1: the root is then signed here, step by step, with BIND's
# dnssec-signzone and served pre-signed by Knot (dnssec-signing off), so that every step
# is exactly what the drill asks for, whatever Knot's key timers would do. Without it the
# root is Knot-signed as always.
#
#   lab root-ksk STEP     sign the root for STEP and make Knot serve it (waits until the
#                         root answers with the new SOA serial)
#
# Steps (keys in $LAB_DIR/root-roll/: zsk, old, new, and revoked = old with the REVOKE bit,
# made by dnssec-revoke; the ZSK signs everything but the DNSKEY RRset throughout):
#   initial   DNSKEY {ZSK, OLD}                 DNSKEY RRset signed by OLD    (lab up)
#   publish   DNSKEY {ZSK, OLD, NEW}            signed by OLD: NEW waits out the hold-down
#   switch    DNSKEY {ZSK, OLD, NEW}            signed by NEW only
#   revoke    DNSKEY {ZSK, OLD+REVOKE, NEW}     signed by NEW and by the revoked OLD itself
#   remove    DNSKEY {ZSK, NEW}                 signed by NEW
# The DNSKEY records have a short TTL (LAB_ROOT_ROLL_TTL, default 10 s) so that resolvers
# see each step within seconds.

ROOT_ROLL_TTL=${LAB_ROOT_ROLL_TTL:-10}

root_roll_enabled() { [ "${LAB_ROOT_ROLL:-0}" = 1 ]; }

root_roll_dir() { printf '%s/root-roll' "$LAB_DIR"; }

# The key (path without .key/.private) in directory @1 of the roll.
root_roll_key() {
    local k
    k=$(ls "$(root_roll_dir)/$1"/K*.key 2>/dev/null | head -n 1)
    [ -n "$k" ] || die "no root key in $(root_roll_dir)/$1"
    printf '%s' "${k%.key}"
}

# Fresh keys for the drill: RSA/SHA-256 like the real root's (2048-bit KSKs).
root_roll_keys() {
    local d k
    d=$(root_roll_dir)
    rm -rf "$d"
    mkdir -p "$d/zsk" "$d/old" "$d/new" "$d/revoked" "$d/none"
    dnssec-keygen -q -K "$d/zsk" -a RSASHA256 -b 1024 -L "$ROOT_ROLL_TTL" . >/dev/null
    dnssec-keygen -q -K "$d/old" -a RSASHA256 -b 2048 -f KSK -L "$ROOT_ROLL_TTL" . >/dev/null
    dnssec-keygen -q -K "$d/new" -a RSASHA256 -b 2048 -f KSK -L "$ROOT_ROLL_TTL" . >/dev/null
    cp "$d/old"/K* "$d/revoked/"
    k=$(root_roll_key revoked)
    # -r: the unrevoked copy goes; the revoked key gets its new tag and files
    dnssec-revoke -r -K "$d/revoked" "$k" >/dev/null
    echo 0 >"$d/serial"
}

# The tag of the key in directory @1 ("K.+008+12345" -> 12345).
root_roll_tag() {
    local k
    k=$(basename "$(root_roll_key "$1")")
    printf '%d' "$((10#${k##*+}))"
}

root_roll_published() { # step: the key directories whose DNSKEY the zone holds
    case "$1" in
        initial) echo "zsk old" ;;
        publish | switch) echo "zsk old new" ;;
        revoke) echo "zsk revoked new" ;;
        remove) echo "zsk new" ;;
        *) return 1 ;;
    esac
}

root_roll_signers() { # step: the keys that sign (the ZSK, and the KSKs over DNSKEY)
    case "$1" in
        initial | publish) echo "zsk old" ;;
        switch | remove) echo "zsk new" ;;
        revoke) echo "zsk new revoked" ;;
        *) return 1 ;;
    esac
}

# Sign the root for @1 into @2 (what Knot serves). dnssec-signzone signs with exactly the
# keys named (their private keys are found beside them; -K points at an empty
# directory so that no other key is picked up) and adds no DNSKEY it was not given.
root_roll_sign() {
    local step=$1 out=$2 d serial k keys=()
    d=$(root_roll_dir)
    root_roll_published "$step" >/dev/null || die "unknown root KSK step '$step'"
    serial=$(($(cat "$d/serial") + 1))
    echo "$serial" >"$d/serial"
    {
        # the root zone's source, with a serial that grows at every step
        awk -v s="$(( $(date -u +%s) + serial ))" \
            '$4 == "SOA" { $7 = s } { print }' "$LAB_DIR/zones/root.zone"
        for k in $(root_roll_published "$step"); do
            grep -v '^;' "$(root_roll_key "$k").key"
        done
    } >"$d/root.$step.zone"
    for k in $(root_roll_signers "$step"); do
        keys+=("$(root_roll_key "$k")")
    done
    dnssec-signzone -q -x -O full -K "$d/none" -d "$d/none" -o . -f "$out" \
        "$d/root.$step.zone" "${keys[@]}" >/dev/null ||
        die "dnssec-signzone failed for root step $step"
    echo "$step" >"$d/step"
}

root_serves_serial() { # serial: the root server answers with it now
    [ "$(in_wire dig +time=1 +tries=1 +norec +short @"$ADDR_ROOT1_4" . SOA |
        awk '{ print $3 }')" = "$1" ]
}

# sekishod.conf lines for RFC 5011 with the drill's short timers (LAB_RFC5011=1).
root_roll_sekishod_conf() {
    [ "${LAB_RFC5011:-0}" = 1 ] || return 0
    cat <<EOF
    trust-anchor-state-file: "$LAB_DIR/root-anchors.state"
    rfc5011-add-holddown: ${LAB_RFC5011_ADD_HOLDDOWN:-20}
    rfc5011-remove-holddown: ${LAB_RFC5011_REMOVE_HOLDDOWN:-10}
    rfc5011-query-min: ${LAB_RFC5011_QUERY_MIN:-2}
    rfc5011-retry-min: ${LAB_RFC5011_RETRY_MIN:-2}
EOF
}

# `lab root-ksk STEP`: sign, reload Knot, wait until the root serves the new serial.
cmd_root_ksk() {
    local step=$1 dir="$LAB_DIR/knot-root" want
    [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
    root_roll_enabled || die "the lab root is not in drill mode (LAB_ROOT_ROLL=1 at lab up)"
    ns_exists "$NS_WIRE" || die "no lab is up"
    root_roll_sign "$step" "$dir/root.zone"
    want=$(awk '$4 == "SOA" { print $7; exit }' "$dir/root.zone")
    knotc -c "$dir/knot.conf" zone-reload . >/dev/null || die "knotc zone-reload . failed"
    wait_for $WAIT_SERVER_S "the root to serve serial $want" root_serves_serial "$want" ||
        die "the root does not serve step $step"
    log "root KSK step $step: serial $want (old $(root_roll_tag old), new $(root_roll_tag new), revoked $(root_roll_tag revoked))"
}
