#!/usr/bin/env bash
# The Prometheus page (issue 5): the lab's sekishod serves its counters as Prometheus text on
# stats-http ($LAB_STATS_HTTP, the loopback of the app namespace where it runs). The page is
# read by curl and by the reference client's parser (python3-prometheus-client); counters
# rise after digs and the per-worker family adds up to the total; other paths get 404, other
# methods 405; after a malformed request, an oversized one, a client that connects and says
# nothing, and more silent clients than there are connection slots, the daemon still serves
# the page, DNS and the control socket. A non-loopback stats-http is refused with file:line.
# Skipped (77) without sekishod.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SEKISHOD=${LAB_SEKISHOD:-$LAB_REPO/build/sekishod}
if ! sekishod_built; then
    echo "# $SEKISHOD not built: skipping"
    exit 77
fi
unset LAB_NO_SEKISHOD
lab_test_up

URL="http://$LAB_STATS_HTTP/metrics"
HOST=${LAB_STATS_HTTP%:*}
PORT=${LAB_STATS_HTTP##*:}
# Debian's python3, where python3-prometheus-client is installed (tests/install-deps).
PY=/usr/bin/python3

fetch() { app curl -sS --max-time 5 "$@"; }
page() { fetch "$URL"; }
value() { page | awk -v n="$1" '$1 == n { print $2 }'; }
code() { app curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }

page_up() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ "$(code "$URL")" = 200 ] && return 0
        sleep 0.1
    done
    fetch -i "$URL"
}
check "GET /metrics answers 200" page_up

content_type() {
    local head
    head=$(fetch -D - -o /dev/null "$URL" | tr -d '\r')
    grep_q '^HTTP/1\.1 200 OK$' "$head" &&
        grep_q '^Content-Type: text/plain; version=0\.0\.4' "$head" &&
        grep_q '^Connection: close$' "$head"
}
check "200 with Content-Type text/plain; version=0.0.4" content_type

# Every sample's name has one TYPE line before it, its family's samples stand together.
well_formed() {
    page | awk '
        /^# HELP / { if (help[$3]++) { print "second HELP for " $3; bad = 1 } ; next }
        /^# TYPE / { if (type[$3]++) { print "second TYPE for " $3; bad = 1 }
                     if ($4 != "counter" && $4 != "gauge") { print "type " $4; bad = 1 }
                     cur = $3; next }
        /^#/ { print "stray comment: " $0; bad = 1; next }
        { n = $1; sub(/\{.*/, "", n)
          if (n !~ /^sekisho_[a-zA-Z0-9_:]*$/) { print "bad name " n; bad = 1 }
          if (n != cur) { print "sample " n " outside its family " cur; bad = 1 }
          if ($2 !~ /^[0-9]+$/) { print "bad value: " $0; bad = 1 }
          samples++ }
        END { if (samples < 100) { print samples " samples only"; bad = 1 }; exit bad }'
}
check "one HELP and TYPE per family, samples together, valid names and values" well_formed

# The reference parser reads it, and sees the types we mean.
parsed_by_prometheus_client() {
    page | "$PY" -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(sys.stdin.read())}
want = {"sekisho_queries": "counter", "sekisho_upstream_resolutions": "counter",
        "sekisho_cache_entries": "gauge", "sekisho_tcp_open": "gauge",
        "sekisho_control_requests": "counter", "sekisho_worker_queries": "counter"}
bad = [n + " is " + (fams[n].type if n in fams else "missing") for n, t in want.items()
       if n not in fams or fams[n].type != t]
w = fams.get("sekisho_worker_queries")
if w is None or not w.samples or any(s.labels.keys() != {"worker"} for s in w.samples):
    bad.append("sekisho_worker_queries has no worker-labelled samples")
print(len(fams), "families;", "; ".join(bad) or "as expected")
sys.exit(1 if bad or len(fams) < 50 else 0)'
}
check "python3-prometheus-client parses the page: types and labels as meant" \
    parsed_by_prometheus_client

counters_rise() {
    local before after
    before=$(value sekisho_queries)
    wdig "@$SEKISHO_ADDR4" "$LAB_NAME_LOCAL" A >/dev/null
    wdig "@$SEKISHO_ADDR4" "$LAB_NAME_LOCAL" AAAA >/dev/null
    wdig "@$SEKISHO_ADDR4" "$LAB_NAME_SECURE" A >/dev/null
    after=$(value sekisho_queries)
    [ "$after" -ge $((before + 3)) ] || { echo "sekisho_queries $before -> $after"; return 1; }
    [ "$(value sekisho_upstream_resolutions)" -gt 0 ] &&
        [ "$(value sekisho_cache_entries)" -gt 0 ] ||
        { page | grep -E '^sekisho_(upstream_resolutions|cache_entries) '; return 1; }
}
check "sekisho_queries rises by the digs; resolutions and cache entries show" counters_rise

LAB_WORKERS_N=$(awk '$1 == "workers:" { print $2 }' "$LAB_SEKISHOD_CONF")
workers_add_up() { # in one page the per-worker values of queries add up to the total
    page | awk -v want="$LAB_WORKERS_N" '
        $1 == "sekisho_queries" { total = $2 }
        $1 ~ /^sekisho_worker_queries\{worker="[0-9]+"\}$/ { sum += $2; n++ }
        END { if (n != want || sum != total || total == 0) {
                  print n " workers, sum " sum ", total " total; exit 1 } }'
}
check "sekisho_worker_queries{worker=\"N\"}, one per worker, adds up to sekisho_queries" \
    workers_add_up

expect_code() { # code curl-arguments...
    local want=$1 got
    shift
    got=$(code "$@")
    [ "$got" = "$want" ] || { echo "got $got, want $want"; return 1; }
}
check "GET /other: 404" expect_code 404 "http://$LAB_STATS_HTTP/other"
check "GET /: 404" expect_code 404 "http://$LAB_STATS_HTTP/"
check "POST /metrics: 405" expect_code 405 -X POST -d x "$URL"
check "HEAD /metrics: 200" expect_code 200 -I "$URL"
check "HTTP/1.0 GET /metrics: 200" expect_code 200 --http1.0 "$URL"

# raw FORMAT: send printf FORMAT on a fresh connection, print what comes back.
raw() {
    app bash -c 'exec 3<>"/dev/tcp/$0/$1" || exit 1; printf "$2" >&3; timeout 5 cat <&3' \
        "$HOST" "$PORT" "$1" 2>/dev/null || true
}
bad_request() {
    local out
    out=$(raw "$1")
    grep_q '^HTTP/1\.1 400 Bad Request' "$out"
}
check "a malformed request line: 400" bad_request 'GARBAGE\r\n\r\n'
check "an unknown HTTP version: 400" bad_request 'GET /metrics HTTP/3.0\r\n\r\n'
check "binary junk: 400" bad_request '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\n\n'
raw 'GET /metrics HTTP/1.1\r\nX-Long: %09000d\r\n\r\n' >/dev/null
check "after malformed and oversized requests the page is served" expect_code 200 "$URL"

# A client that connects and says nothing: the page is served meanwhile, and the server
# closes that connection on its own (PROM_HTTP_TIMEOUT_S, 3 s; 15 s allowed here).
silent_client() {
    app "$PY" - "$HOST" "$PORT" "$1" <<'PYEOF'
import socket, sys, time
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
silent = [socket.create_connection((host, port), timeout=5) for _ in range(n)]
def get():
    try:
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while True:
            d = s.recv(65536)
            if not d:
                return data
            data += d
    except OSError:
        return b""
served = False
for _ in range(150):                     # while the silent ones hold their slots, or not
    if get().startswith(b"HTTP/1.1 200 OK"):
        served = True
        break
    time.sleep(0.1)
closed = 0
for s in silent:
    s.settimeout(15)
    try:
        closed += s.recv(1) == b""
    except ConnectionResetError:
        closed += 1
    except OSError:
        pass
print("served" if served else "not served", closed, "of", n, "silent connections closed")
sys.exit(0 if served and closed == n else 1)
PYEOF
}
check "one silent client: the page is served, its connection closed by the server" silent_client 1
check "12 silent clients (8 slots): the page is served again, all closed" silent_client 12

check "DNS still answered" grep_q 'status: NOERROR' \
    "$(wdig "@$SEKISHO_ADDR4" "$LAB_NAME_LOCAL" A 2>&1)"
CTL=${LAB_SEKISHOCTL:-$(dirname "$SEKISHOD")/sekishoctl}
if [ -x "$CTL" ]; then
    check "control socket still answers" "$CTL" -s "$LAB_CONTROL_SOCKET" -k "$LAB_CONTROL_KEY" status
fi
check "sekishod still runs" test -d "/proc/$(cat "$LAB_DIR/sekishod.pid")"

non_loopback_refused() {
    local conf="$LAB_DIR/nonloop.conf" out rc=0 line
    sed "s/^\( *stats-http:\).*/\1 192.0.2.53:9153/" "$LAB_SEKISHOD_CONF" >"$conf"
    line=$(grep -n 'stats-http:' "$conf" | cut -d: -f1)
    out=$("$SEKISHOD" --check-config "$conf" 2>&1) || rc=$?
    [ "$rc" -ne 0 ] || { echo "accepted: $out"; return 1; }
    grep_q "^sekishod: $conf:$line: stats-http: not a loopback address" "$out"
}
check "stats-http on a non-loopback address: refused with file:line" non_loopback_refused

lab_test_finish
