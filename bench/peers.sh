# shellcheck shell=bash
# bench/peers.sh: `bench/run peers`, sourced by bench/run (method: bench/README.md).
#
# sekisho beside Unbound, Knot Resolver (kresd) and PowerDNS Recursor, all resolving the
# lab's own signed hierarchy (tests/lab) from the same root hints and the same root trust
# anchor, validating, with a 256 MB cache and one worker thread pinned to the same CPU;
# dnsperf pinned to the other CPU in the lab's client namespace. Workloads, each run
# --runs times in turn over the resolvers (round robin), medians reported:
#   cache_hit         10,000 signed names asked once (warm), then dnsperf over them
#   mix               Zipf-like over the 100,000 names of bench.test, 5 % NXDOMAIN,
#                     5 % AAAA, half the queries with DO=1 (two dnsperf processes)
#   cold              a freshly started resolver, every query a new name (validated)
#   random_subdomain  the mix again while unique random labels under bench.test arrive
#                     at --rsd-qps: the mix's rate, latency and success under that load
# QPS, answer codes and CPU from a plain dnsperf run; p50/p99 from a second run of the
# same workload with dnsperf -v (every answer's latency; -v slows dnsperf itself).

PEERS_ALL="sekisho unbound kresd pdns_recursor"
PEER_ADDR4=192.0.2.54
GEN_CPU=0
SERVER_CPU=1

peers_usage() {
    cat >&2 <<'EOF'
bench/run peers [--json FILE] [--png FILE] [--md FILE] [--seconds N] [--runs N]
                [--resolvers "sekisho unbound kresd pdns_recursor"] [--clients N]
                [--rsd-qps N] [--warm-qps N] [--pmd af_xdp|af_packet|tap] [--no-install] [--reuse-lab]
EOF
    exit 2
}

# ---- packages and the Debian services they bring -------------------------------------

# The peers, gnuplot and the tools the bench uses, from Debian, when missing. Their
# packages start services on a machine with systemd: stopped and disabled at once.
peers_install() {
    local -a need=()
    command -v unbound >/dev/null || need+=(unbound)
    command -v kresd >/dev/null || need+=(knot-resolver)
    command -v pdns_recursor >/dev/null || need+=(pdns-recursor)
    command -v gnuplot >/dev/null || need+=(gnuplot-nox)
    command -v dnsperf >/dev/null || need+=(dnsperf)
    command -v ethtool >/dev/null || need+=(ethtool)
    command -v taskset >/dev/null || need+=(util-linux)
    if [ ${#need[@]} -gt 0 ]; then
        log "installing ${need[*]} (apt-get)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2 || true
        apt-get install -y -q -o Dpkg::Options::=--force-confdef \
            -o Dpkg::Options::=--force-confold "${need[@]}" >&2 ||
            die "apt-get install ${need[*]} failed"
    fi
    peers_stop_services
}

# Whatever the packages started: nothing of theirs may keep listening after the bench.
peers_stop_services() {
    local svc f pid comm
    if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
        for svc in unbound unbound-resolvconf kresd@1 kresd@2 kres-cache-gc pdns-recursor; do
            systemctl disable --now "$svc" >/dev/null 2>&1 || true
        done
    fi
    for f in /run/unbound.pid /run/pdns-recursor/pdns_recursor.pid \
        /run/pdns-recursor/recursor.pid /run/knot-resolver/kresd.pid; do
        [ -r "$f" ] || continue
        pid=$(head -n 1 "$f" | tr -dc 0-9)
        [ -n "$pid" ] || continue
        comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
        case "$comm" in
            unbound | kresd | pdns_recursor | pdns_recursor*)
                log "stopping the packaged $comm ($pid, $f)"
                kill "$pid" 2>/dev/null || true
                ;;
        esac
    done
}

# ---- the peers' namespace ---------------------------------------------------------------

# The peers live in their own namespace, joined to the lab's bridge by a veth, so their
# queries cross the same veth and bridge as sekisho's (client wire0 -> br-wire -> here).
peer_ns_up() {
    ip netns list | awk '{ print $1 }' | grep -qx "$NS_PEER" && peer_ns_down
    ip netns add "$NS_PEER"
    ip -n "$NS_PEER" link set lo up
    ip -n "$NS_PEER" link add pp0 type veth peer name pp0-br netns "$LAB_APP_NS"
    ip netns exec "$LAB_APP_NS" sysctl -qw net.ipv6.conf.pp0-br.disable_ipv6=1 >/dev/null
    ip -n "$LAB_APP_NS" link set pp0-br master br-wire
    ip -n "$LAB_APP_NS" link set pp0-br up
    ip netns exec "$NS_PEER" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null
    ip -n "$NS_PEER" addr add "$PEER_ADDR4/24" dev pp0
    ip -n "$NS_PEER" link set pp0 up
    ip -n "$NS_PEER" route add default via "$LAB_GATEWAY4"
}

peer_ns_down() {
    local pids
    ip netns list | awk '{ print $1 }' | grep -qx "$NS_PEER" || return 0
    pids=$(ip netns pids "$NS_PEER" 2>/dev/null || true)
    # shellcheck disable=SC2086 # only what runs in our own namespace
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
    ip -n "$LAB_APP_NS" link del pp0-br 2>/dev/null || true
    ip netns del "$NS_PEER" 2>/dev/null || true
}

# ---- peer configurations: same hints, same anchor, validation, 256 MB, one thread ------

write_unbound_conf() { # dir
    cat >"$1/unbound.conf" <<EOF
server:
    username: ""
    chroot: ""
    directory: "$1"
    pidfile: "$1/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 0
    interface: $PEER_ADDR4
    port: 53
    do-ip6: no
    access-control: 0.0.0.0/0 allow
    num-threads: 1
    so-reuseport: no
    root-hints: "$LAB_ROOT_HINTS"
    trust-anchor-file: "$LAB_TRUST_ANCHOR"
    module-config: "validator iterator"
    msg-cache-size: 96m
    rrset-cache-size: 128m
    key-cache-size: 16m
    neg-cache-size: 16m
    aggressive-nsec: yes
    qname-minimisation: yes
    edns-buffer-size: 4096
    num-queries-per-thread: 4096
    outgoing-range: 8192
    so-rcvbuf: 4m
    so-sndbuf: 4m
    prefetch: no
    # the lab's TLD is test., which unbound answers NXDOMAIN itself by default (RFC 6761)
    local-zone: "test." nodefault
remote-control:
    control-enable: no
EOF
}

write_kresd_conf() { # dir
    cat >"$1/kresd.conf" <<EOF
-- one kresd process = one worker thread
net.ipv6 = false
net.listen('$PEER_ADDR4', 53, { kind = 'dns' })
net.bufsize(4096)
trust_anchors.remove('.')
trust_anchors.add_file('$LAB_TRUST_ANCHOR', true)
modules.load('hints > iterate')
hints.root_file('$LAB_ROOT_HINTS')
cache.open(256 * MB, 'lmdb://$1/cache')
-- the lab's TLD is test., which kresd refuses by default (RFC 6761 special-use names)
policy.special_names[2].suspended = true
EOF
}

write_pdns_conf() { # dir
    local ds
    ds=$(awk '$4 == "DS" { print $5, $6, $7, $8 }' "$LAB_TRUST_ANCHOR")
    [ -n "$ds" ] || die "no DS in $LAB_TRUST_ANCHOR"
    {
        echo "clearTA()"
        printf '%s\n' "$ds" | while read -r line; do printf 'addTA(".", "%s")\n' "$line"; done
    } >"$1/recursor.lua"
    # dont-query is emptied: its default refuses the documentation ranges the lab uses.
    cat >"$1/recursor.conf" <<EOF
local-address=$PEER_ADDR4
local-port=53
allow-from=0.0.0.0/0
hint-file=$LAB_ROOT_HINTS
lua-config-file=$1/recursor.lua
dnssec=validate
threads=1
pdns-distributes-queries=no
reuseport=no
dont-query=
query-local-address=0.0.0.0
edns-outgoing-bufsize=4096
udp-truncation-threshold=4096
max-cache-entries=2000000
max-packetcache-entries=1000000
max-mthreads=4096
security-poll-suffix=
config-dir=$1
socket-dir=$1
daemon=no
disable-syslog=yes
write-pid=no
quiet=yes
loglevel=3
EOF
}

# ---- starting and stopping a resolver -------------------------------------------------

SERVER_PID=""

resolver_addr() { [ "$1" = sekisho ] && echo "$SEKISHO_ADDR4" || echo "$PEER_ADDR4"; }

answers() { # address: the resolver validates a name of the lab (AD=1)
    ip netns exec "$LAB_CLIENT_NS" dig +time=1 +tries=1 +dnssec "@$1" www.rsa.test A 2>/dev/null |
        grep -q 'flags:.* ad'
}

wait_answers() { # address, seconds
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        answers "$1" && return 0
        sleep 0.1
    done
    return 1
}

# A fresh resolver with an empty cache: sekishod restarted by the lab, a peer started.
start_resolver() { # name
    local r=$1 dir="$tmpdir/$1"
    SERVER_PID=""
    if [ "$r" = sekisho ]; then
        "$LAB" restart-sekishod >"$tmpdir/restart.log" 2>&1 ||
            { cat "$tmpdir/restart.log" >&2; die "lab restart-sekishod failed"; }
        SERVER_PID=$(cat "$LAB_DIR/sekishod.pid")
        steer_to_generator  # its port was made anew
        wait_answers "$SEKISHO_ADDR4" 30 || die "sekishod does not answer (log: $LAB_DIR/sekishod.log)"
        return 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    local -a cmd
    case "$r" in
        unbound) write_unbound_conf "$dir"; cmd=(unbound -d -c "$dir/unbound.conf") ;;
        kresd) write_kresd_conf "$dir"; cmd=(kresd -n -q -c "$dir/kresd.conf" "$dir") ;;
        pdns_recursor) write_pdns_conf "$dir"; cmd=(pdns_recursor --config-dir="$dir") ;;
        *) die "unknown resolver $r" ;;
    esac
    setsid ip netns exec "$NS_PEER" taskset -c "$SERVER_CPU" "${cmd[@]}" \
        </dev/null >"$dir/log" 2>&1 &
    SERVER_PID=$!
    if ! wait_answers "$PEER_ADDR4" 30; then
        tail -n 20 "$dir/log" >&2
        die "$r does not answer with AD=1 on $PEER_ADDR4 (log above)"
    fi
}

# Stopped, so that an idle sekishod does not share the CPU with a peer's run (the lab
# starts it again on the next restart-sekishod).
stop_resolver() { # name
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || kill -TERM "$SERVER_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do
        [ -d "/proc/$SERVER_PID" ] && [ "$(awk '/^State:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null)" != Z ] || break
        sleep 0.1
    done
    kill -KILL -- "-$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# ---- CPU accounting ---------------------------------------------------------------------

# Nanoseconds a process (every thread) ran on a CPU: /proc/PID/task/*/schedstat.
proc_cpu_ns() {
    cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# "busy total" jiffies of one CPU from /proc/stat (busy: all but idle and iowait).
cpu_jiffies() {
    awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= NF; i++) t += $i; printf "%.0f %.0f\n", t - $5 - $6, t }' /proc/stat
}

# sekishod's busy_cycles, tsc_hz and responses (telemetry /sekisho/stats).
sekisho_counters() {
    python3 - "$LAB_FILE_PREFIX_EFF" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % sys.argv[1])
s.recv(16384)
s.send(b"/sekisho/stats")
d = json.loads(s.recv(1 << 20).decode())["/sekisho/stats"]
print(d.get("busy_cycles", 0), d.get("tsc_hz", 0), d.get("responses", 0))
PY
}

# The resolver's CPU now: "cpu_seconds proc_cpu_seconds" (sekisho: busy cycles of its
# worker, and the whole process; a peer: the whole process, both the same).
server_cpu() { # name
    local ns b hz
    ns=$(proc_cpu_ns "$SERVER_PID")
    if [ "$1" = sekisho ]; then
        read -r b hz _ < <(sekisho_counters)
        awk -v b="$b" -v hz="$hz" -v ns="$ns" 'BEGIN { printf "%.6f %.6f\n", b / hz, ns / 1e9 }'
    else
        awk -v ns="$ns" 'BEGIN { printf "%.6f %.6f\n", ns / 1e9, ns / 1e9 }'
    fi
}

# ---- dnsperf ----------------------------------------------------------------------------

# dnsperf in the client namespace on the generator's CPU, in the background; $1: output.
dnsperf_bg() {
    local out=$1
    shift
    ip netns exec "$LAB_CLIENT_NS" taskset -c "$GEN_CPU" dnsperf -t 2 "$@" >"$out" 2>&1 &
    DNSPERF_PIDS+=($!)
}

wait_dnsperf() {
    local p rc=0
    for p in "${DNSPERF_PIDS[@]}"; do
        wait "$p" || rc=1
    done
    DNSPERF_PIDS=()
    return $rc
}

# The dnsperf processes of one workload, to $1.<i>; $2: extra arguments (-v, -l N).
# MIX_FILES / RSD_FILE from the caller.
launch_workload() { # outprefix, workload, address, seconds, extra...
    local o=$1 w=$2 a=$3 s=$4
    shift 4
    local half=$(((CLIENTS + 1) / 2))
    DNSPERF_PIDS=()
    case "$w" in
        cache_hit)
            # two processes, as for the mix: one dnsperf process tops out first
            dnsperf_bg "$o.0" -s "$a" -d "$Q/hit.txt" -l "$s" -c "$half" -q 100 "$@"
            dnsperf_bg "$o.1" -s "$a" -d "$Q/hit.txt" -l "$s" -c "$half" -q 100 "$@" ;;
        mix | random_subdomain)
            dnsperf_bg "$o.0" -s "$a" -d "$Q/mix_a.txt" -l "$s" -c "$half" -q 100 "$@"
            dnsperf_bg "$o.1" -s "$a" -d "$Q/mix_b.txt" -l "$s" -c "$half" -q 100 -D "$@"
            if [ "$w" = random_subdomain ]; then
                python3 "$REPORT" rsd "$tmpdir/rsd.txt" $((RSD_QPS * s + RSD_QPS)) bench.test
                dnsperf_bg "$o.attack" -s "$a" -d "$tmpdir/rsd.txt" -n 1 -l "$s" -c 4 \
                    -q 1000 -Q "$RSD_QPS" "$@"
            fi
            ;;
        cold)
            dnsperf_bg "$o.0" -s "$a" -d "$Q/cold.txt" -n 1 -l "$s" -c "$CLIENTS" -q 100 "$@" ;;
    esac
}

# One measured run of a workload against a resolver: a plain run for QPS, codes and CPU,
# then (except cold, which is measured once on a fresh cache) a -v run for the latencies.
measure() { # workload, resolver, round
    local w=$1 r=$2 round=$3 a o c0 c1 g0 g1 t0 t1 lat res attack=""
    a=$(resolver_addr "$r")
    o="$tmpdir/out/$w.$r.$round"
    mkdir -p "$tmpdir/out"
    read -r -a c0 < <(server_cpu "$r")
    read -r -a g0 < <(cpu_jiffies "$GEN_CPU")
    t0=$(date +%s.%N)
    if [ "$w" = cold ]; then
        # one run with -v: a cold cache can only be measured once
        launch_workload "$o" "$w" "$a" "$SECONDS_RUN" -v
    else
        launch_workload "$o" "$w" "$a" "$SECONDS_RUN"
    fi
    wait_dnsperf || log "$w/$r: a dnsperf exited non-zero"
    t1=$(date +%s.%N)
    read -r -a c1 < <(server_cpu "$r")
    [ -z "${BENCH_DEBUG:-}" ] || log "pid $SERVER_PID cpu ${c0[*]} -> ${c1[*]}"
    read -r -a g1 < <(cpu_jiffies "$GEN_CPU")
    local -a mains=("$o.0")
    [ ! -e "$o.1" ] || mains+=("$o.1")
    res=$(python3 "$REPORT" dnsperf "${mains[@]}")
    [ ! -e "$o.attack" ] || attack=$(python3 "$REPORT" dnsperf "$o.attack")
    if [ "$w" = cold ]; then
        lat=$(python3 "$REPORT" latency "${mains[@]}")
    else
        launch_workload "$o.v" "$w" "$a" "$LAT_SECONDS" -v
        wait_dnsperf || log "$w/$r: a dnsperf -v exited non-zero"
        local -a vs=("$o.v.0")
        [ ! -e "$o.v.1" ] || vs+=("$o.v.1")
        lat=$(python3 "$REPORT" latency "${vs[@]}")
    fi
    python3 - "$w" "$r" "$round" "$res" "$attack" "$lat" "${c0[*]}" "${c1[*]}" "${g0[*]}" \
        "${g1[*]}" "$t0" "$t1" >>"$tmpdir/results.jsonl" <<'PY'
import json, sys
w, r, rnd, res, attack, lat, c0, c1, g0, g1, t0, t1 = sys.argv[1:]
res, lat = json.loads(res), json.loads(lat)
attack = json.loads(attack) if attack else None
c0, c1 = [float(x) for x in c0.split()], [float(x) for x in c1.split()]
g0, g1 = [float(x) for x in g0.split()], [float(x) for x in g1.split()]
wall = float(t1) - float(t0)
# Every answer the server sent in the window (the attack's too) shares its CPU.
answered = res["completed"] + (attack["completed"] if attack else 0)
rc = res["rcodes"]
ok = rc.get("NOERROR", 0) + (rc.get("NXDOMAIN", 0) if w in ("mix", "random_subdomain") else 0)
out = {"workload": w, "resolver": r, "round": int(rnd), "wall_s": wall,
       "qps": res["qps"], "sent": res["sent"], "completed": res["completed"],
       "lost": res["lost"], "rcodes": rc,
       "success_ratio": ok / res["sent"] if res["sent"] else None,
       "p50_ms": lat["p50_ms"], "p99_ms": lat["p99_ms"], "latency_answers": lat["answers"],
       "server_cpu_s": c1[0] - c0[0],
       "cpu_us_per_query": (c1[0] - c0[0]) * 1e6 / answered if answered else None,
       "server_busy": (c1[0] - c0[0]) / wall if wall > 0 else None,
       "generator_busy": (g1[0] - g0[0]) / (g1[1] - g0[1]) if g1[1] > g0[1] else None}
if r == "sekisho":
    out["proc_cpu_us_per_query"] = (c1[1] - c0[1]) * 1e6 / answered if answered else None
if attack:
    out["attack_qps"] = attack["qps"]
    out["attack_rcodes"] = attack["rcodes"]
    out["attack_sent"] = attack["sent"]
print(json.dumps(out))
PY
    tail -n 1 "$tmpdir/results.jsonl" | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
f = lambda v, n=0: "-" if v is None else ("%.*f" % (n, v))
print("bench: %-16s %-13s run %d: %s QPS, p50 %s ms, p99 %s ms, %s us/query, success %s, server busy %s%%, generator %s%%" % (
    d["workload"], d["resolver"], d["round"], f(d["qps"]), f(d["p50_ms"], 3), f(d["p99_ms"], 3),
    f(d["cpu_us_per_query"], 2), f(d["success_ratio"], 4), f(100 * (d["server_busy"] or 0)),
    f(100 * (d["generator_busy"] or 0))), file=sys.stderr)'
}

# Warm a cache: each question of a file once, at a bounded rate (--warm-qps) and with few
# outstanding queries, as a cache in service learns its names; "-D" before a file asks
# it with DO=1.
warm() { # address, [-D] file...
    local a=$1 dflag=()
    shift
    DNSPERF_PIDS=()
    while [ $# -gt 0 ]; do
        if [ "$1" = -D ]; then
            dflag=(-D)
            shift
            continue
        fi
        dnsperf_bg "$tmpdir/warm.$(basename "$1")" -s "$a" -d "$1" -n 1 -l 120 -c 4 -q 100 \
            -Q "$WARM_QPS" "${dflag[@]}"
        dflag=()
        shift
    done
    wait_dnsperf || true
}

# One round for one resolver: hits, mix and random subdomains on one fresh start, cold on
# another.
round_for() { # resolver, round
    local r=$1 round=$2 a
    a=$(resolver_addr "$r")
    log "round $round: $r"
    start_resolver "$r"
    if want cache_hit; then
        warm "$a" "$Q/hit.txt"
        measure cache_hit "$r" "$round"
    fi
    if want mix || want random_subdomain; then
        # warm-up: one pass over the mix (a cache in service has seen its popular names)
        warm "$a" "$Q/warm_a.txt" -D "$Q/warm_b.txt"
        ! want mix || measure mix "$r" "$round"
        ! want random_subdomain || measure random_subdomain "$r" "$round"
    fi
    stop_resolver "$r"
    if want cold; then
        start_resolver "$r"
        measure cold "$r" "$round"
        stop_resolver "$r"
    fi
}

want() { case " $WORKLOADS_RUN " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- the lab ------------------------------------------------------------------------------

# Bring the lab up without sekishod, then start sekishod on the fastest kernel-attached
# PMD that works here: af_xdp, af_packet, tap. Sets PMD and PMD_WHY.
lab_up_with_pmd() {
    local pmd tried=""
    LAB_NO_SEKISHOD=1 "$LAB" up >"$tmpdir/lab-up.log" 2>&1 ||
        { tail -n 30 "$tmpdir/lab-up.log" >&2; die "tests/lab/lab up failed"; }
    eval "$("$LAB" env)"
    for pmd in ${PMD_ORDER}; do
        if LAB_PORT_PMD=$pmd "$LAB" restart-sekishod >"$tmpdir/pmd-$pmd.log" 2>&1 &&
            wait_answers "$SEKISHO_ADDR4" 20; then
            PMD=$pmd
            export LAB_PORT_PMD=$pmd
            PMD_WHY="${tried:+$tried; }$pmd works"
            return 0
        fi
        tried="${tried:+$tried; }$pmd failed: $(grep -E -m1 -i 'fail|error|cannot' \
            "$tmpdir/pmd-$pmd.log" "$LAB_DIR/sekishod.log" 2>/dev/null | head -n 1 |
            sed 's/^[^:]*://' || echo 'no answer')"
        log "PMD $pmd did not work: see $tmpdir/pmd-$pmd.log"
    done
    die "sekishod came up with none of: $PMD_ORDER"
}

# What the kernel does with a resolver's answer after it leaves the resolver (the
# bridge, the client's IP and UDP stack, waking dnsperf) runs on the generator's CPU,
# for every resolver alike: RPS on each port of the lab's bridge. Without it that
# work runs inside the resolver's send call (veth delivers on the sender's CPU) and is
# billed to the resolver; with a real NIC the resolver's part ends at the wire.
steer_to_generator() {
    local mask
    mask=$(printf '%x' $((1 << GEN_CPU)))
    # shellcheck disable=SC2016 # expanded by the inner shell
    ip netns exec "$LAB_APP_NS" sh -c '
        for port in /sys/class/net/br-wire/brif/*; do
            for f in /sys/class/net/${port##*/}/queues/rx-*/rps_cpus; do
                if [ -w "$f" ]; then echo "$1" >"$f" || exit 1; fi
            done
        done' sh "$mask" || log "RPS not available: answers are delivered on the resolver's CPU"
}

# The authoritative servers share the generator's CPU: the resolver's CPU is its own.
pin_lab_servers() {
    local f pid prog
    for f in "$LAB_DIR"/pids/*.pid; do
        [ -e "$f" ] || continue
        read -r pid prog <"$f" || continue
        [ "$prog" != sekishod ] || continue
        taskset -a -p -c "$GEN_CPU" "$pid" >/dev/null 2>&1 || true
    done
}

peers_cleanup() {
    local rc=$?
    [ -z "${SERVER_PID:-}" ] || stop_resolver any
    if [ -n "${NS_PEER:-}" ] && [ -n "${LAB_APP_NS:-}" ]; then
        peer_ns_down
    fi
    [ "${LAB_STARTED:-0}" != 1 ] || "$LAB" down >/dev/null 2>&1 || true
    [ -z "${tmpdir:-}" ] || [ "${BENCH_KEEP_TMP:-0}" = 1 ] || rm -rf "$tmpdir"
    peers_stop_services
    exit "$rc"
}

cmd_peers() {
    local json="" png="" md="" install=1 reuse=0 r round
    SECONDS_RUN=10 RUNS=3 CLIENTS=8 RSD_QPS=2000 WARM_QPS=5000
    RESOLVERS_RUN=$PEERS_ALL
    WORKLOADS_RUN="cache_hit mix cold random_subdomain"
    PMD_ORDER="af_xdp af_packet tap"
    while [ $# -gt 0 ]; do
        case "$1" in
            --no-install) install=0; shift; continue ;;
            --reuse-lab) reuse=1; shift; continue ;;
        esac
        [ $# -ge 2 ] || peers_usage
        case "$1" in
            --json) json=$2 ;;
            --png) png=$2 ;;
            --md) md=$2 ;;
            --seconds) SECONDS_RUN=$2 ;;
            --runs) RUNS=$2 ;;
            --clients) CLIENTS=$2 ;;
            --rsd-qps) RSD_QPS=$2 ;;
            --warm-qps) WARM_QPS=$2 ;;
            --resolvers) RESOLVERS_RUN=$2 ;;
            --workloads) WORKLOADS_RUN=$2 ;;
            --pmd) PMD_ORDER=$2 ;;
            *) peers_usage ;;
        esac
        shift 2
    done
    [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, packages)"
    [ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (one for the resolver, one for dnsperf)"
    LAT_SECONDS=$(((SECONDS_RUN + 1) / 2))
    [ "$LAT_SECONDS" -ge 2 ] || LAT_SECONDS=2
    LAB=$REPO/tests/lab/lab
    REPORT=$BENCH_SRC/peers_report.py
    # The lab's names, or the caller's (LAB_NS_WIRE / LAB_NS_APP / LAB_FILE_PREFIX).
    LAB_FILE_PREFIX_EFF=${LAB_FILE_PREFIX:-skl}
    NS_PEER=${BENCH_PEER_NS:-$LAB_FILE_PREFIX_EFF-peer}
    export LAB_BENCH_ZONES=1 LAB_CACHE_SIZE=256 LAB_EAL_MEM=${LAB_EAL_MEM:-1024} LAB_WORKERS=1

    [ "$install" = 0 ] || peers_install
    for r in $RESOLVERS_RUN; do
        case "$r" in
            sekisho) build_target sekishod; build_target sekishoctl ;;
            unbound) command -v unbound >/dev/null || die "unbound is not installed" ;;
            kresd) command -v kresd >/dev/null || die "kresd is not installed" ;;
            pdns_recursor) command -v pdns_recursor >/dev/null || die "pdns_recursor is not installed" ;;
            *) die "unknown resolver $r (sekisho unbound kresd pdns_recursor)" ;;
        esac
    done
    tmpdir=$(mktemp -d /tmp/sekisho-bench-peers.XXXXXX)
    LAB_STARTED=$((1 - reuse))
    trap peers_cleanup EXIT
    trap 'exit 130' INT TERM
    Q=$tmpdir/q
    mkdir -p "$Q"
    python3 "$REPORT" gen "$Q" 100000 1 >&2

    if [ "$reuse" = 1 ]; then
        # development: a lab already up with LAB_BENCH_ZONES=1 (left up afterwards)
        eval "$("$LAB" env)"
        PMD=$(sed -n 's/^ *device: "net_\([a-z_]*\)0,.*/\1/p' "$LAB_DIR/sekishod.conf" | head -n 1)
        export LAB_PORT_PMD=$PMD
        PMD_WHY="the running lab's"
    else
        log "lab up with bench.test (100,000 names; signing takes a minute)"
        lab_up_with_pmd
    fi
    log "sekishod's port: $PMD ($PMD_WHY)"
    pin_lab_servers
    peer_ns_up
    steer_to_generator
    log "resolvers on CPU $SERVER_CPU, dnsperf and the lab's servers on CPU $GEN_CPU; $RUNS run(s) of ${SECONDS_RUN}s (latency runs ${LAT_SECONDS}s)"
    for ((round = 1; round <= RUNS; round++)); do
        for r in $RESOLVERS_RUN; do
            round_for "$r" "$round"
        done
    done

    local note
    note="$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')); load generator dnsperf $(dnsperf -h 2>&1 | sed -n 's/^Version //p'); ${RUNS} runs of ${SECONDS_RUN}s; PMD $PMD ($PMD_WHY); loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
    [ -n "$json" ] || json=$tmpdir/peers.json
    [ -n "$md" ] || md=$tmpdir/peers.md
    printf '\nsekisho vs peers (%s); %s\n\n' "$(date -u +%F)" "$note"
    python3 "$REPORT" report "$tmpdir/results.jsonl" --json "$json" --md "$md" \
        ${png:+--png "$png"} --pmd "$PMD" --note "$note"
    printf '\nbottleneck "load generator": the resolver'"'"'s CPU was below %s %% of the run: dnsperf on its one core (or its window of outstanding queries), not the server, set the rate; `bench/run packet-path` measures sekisho'"'"'s own ceiling.\n' 85
    printf 'JSON: %s\n' "$json"
    [ -z "$png" ] || printf 'chart: %s\n' "$png"
}
