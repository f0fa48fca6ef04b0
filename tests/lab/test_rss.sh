#!/usr/bin/env bash
# Two workers on the lab's net_tap port: with more than one queue the port is configured
# with RSS, and queries from many client ports are spread over both workers, each
# answering from its own queue. On this 2-core machine both worker lcores share one CPU.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lab_require_sekishod
export LAB_WORKERS=2
lab_test_up

check "sekishod reports RSS over 2 queues" grep -q "2 queue(s), RSS" "$LAB_DIR/sekishod.log"

# Queries from 200 source ports (bounded: one dnsperf run of 3 s at 2,000 q/s).
spread() {
    local qf=$LAB_DIR/rss-queries.txt
    printf '%s A\n%s AAAA\n' "$LAB_NAME_LOCAL" "$LAB_NAME_LOCAL" >"$qf"
    wire dnsperf -s "$SEKISHO_ADDR4" -d "$qf" -l 3 -c 200 -Q 2000 >/dev/null
}
check "dnsperf from 200 client ports" spread

worker_queries() { # index
    python3 - "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect("/var/run/dpdk/skl/dpdk_telemetry.v2")
s.recv(16384)
s.send(b"/sekisho/workers")
w = json.loads(s.recv(65536))["/sekisho/workers"]
print(w["worker%s" % sys.argv[1]]["responses"])
PY
}
q0=$(worker_queries 0)
q1=$(worker_queries 1)
echo "# responses per worker: $q0 $q1"
check "worker 0 answered queries ($q0)" test "$q0" -gt 100
check "worker 1 answered queries ($q1)" test "$q1" -gt 100

# Recursion with two workers: an upstream answer may land on either queue and must reach
# the worker that asked. (A Linux tap steers a flow's packets back to the queue that sent
# it, so here they rarely cross; tests/dataplane/test_upstream.c forces the crossing.)
two_worker_recursion() {
    local i out fails=0
    for ((i = 0; i < 24; i++)); do
        out=$(wire dig +time=3 +tries=1 "@$SEKISHO_ADDR4" "n$i-$RANDOM.wild.rsa.test" A)
        grep -Eq 'status: NOERROR' <<<"$out" && grep -Eq '203\.0\.113\.81' <<<"$out" ||
            fails=$((fails + 1))
    done
    echo "# unanswered: $fails, handed over between workers: $(python3 "$LAB_SRC/skstat.py" upstream_handoff_in)"
    [ "$fails" -eq 0 ]
}
check "24 wildcard names resolved with 2 workers" two_worker_recursion

lab_test_finish
