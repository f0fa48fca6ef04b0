#!/usr/bin/python3
"""replay: one scenario against a running sekishod, from inside the lab's wire namespace.
Started by tests/scenarios/run (never by hand: it needs the addresses the run adds):

  ip netns exec sks-wire /usr/bin/python3 replay.py JOB.json

JOB.json: {"rpl", "flavour", "map": {original: mapped}, "addresses": [mapped...],
"appliance": "192.0.2.53", "client": "192.0.2.1", "probe": "<local-data name>",
"query_timeout": s}.

1. parse the scenario, apply the address map, bind the mock servers on every mapped address;
   print "ready" and wait for "go" on stdin (the run starts sekishod in between, so its first
   queries already find the servers);
2. wait until sekishod answers the probe name (local data of the generated config);
3. walk the STEPs: QUERY sends the entry (EDNS 0, payload 4096, DO/CD/RD as written) over UDP
   and keeps the answer; CHECK_ANSWER compares it per the entry's MATCH; REPLY entries are
   the mock's one-shot answers; CHECK_OUT_QUERY is not checked for Deckard files (Deckard
   does not either) and, for Unbound files, asks that such a query reached a mock server;
4. print one JSON line: status pass/fail/error, the failing step and a short diff, and the
   log of what the mock servers were asked.
"""

import json
import os
import random
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True     # no __pycache__ in the source tree

import dns.exception  # noqa: E402
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.rdatatype  # noqa: E402

import addrmap  # noqa: E402
import mock  # noqa: E402
import rpl  # noqa: E402

PROBE_LIMIT_S = 20


def udp_exchange(wire, qid, appliance, client, timeout):
    """Send wire to appliance:53 from client; the answer with ID qid as bytes, or None."""
    fam = socket.AF_INET6 if ":" in appliance else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as s:
        s.bind((client, 0))
        s.settimeout(0.2)
        s.sendto(wire, (appliance, 53))
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                data, peer = s.recvfrom(65535)
            except socket.timeout:
                continue
            if len(data) >= 2 and int.from_bytes(data[:2], "big") == qid:
                return data
    return None


def wait_ready(job):
    """Poll the probe name until sekishod answers it (True), or give up (False)."""
    end = time.monotonic() + PROBE_LIMIT_S
    while time.monotonic() < end:
        q = dns.message.make_query(job["probe"], "A")
        if udp_exchange(q.to_wire(), q.id, job["appliance"], job["client"], 0.5) is not None:
            return True
    return False


def send_query(entry, flavour, job):
    """The STEP QUERY entry sent to sekishod: (answer message or None, note)."""
    qid = random.randint(0, 0xffff)
    if entry.raw is not None:          # sent as it is; no answer expected (Deckard)
        udp_exchange(entry.raw, -1, job["appliance"], job["client"], 0.2)
        return None, "RAW query sent"
    # Deckard: every message has EDNS 0 with payload 4096; testbound only when DO is set.
    edns = flavour == "deckard" or entry.do or entry.edns_data is not None
    msg = rpl.build_message(entry, edns=edns)
    msg.id = qid
    data = udp_exchange(msg.to_wire(), qid, job["appliance"], job["client"],
                        job["query_timeout"])
    if data is None:
        return None, "no answer within %ss" % job["query_timeout"]
    try:
        return dns.message.from_wire(data, ignore_trailing=True), None
    except dns.exception.DNSException as e:
        return None, "unparsable answer (%s): %s" % (e, data.hex()[:120])


def entry_text(entry):
    q = entry.question[0] if entry.question else None
    return "%s %s" % (q[0], dns.rdatatype.to_text(q[2])) if q else "(no question)"


def advance_clock(job, seconds):
    """TIME_PASSES: move sekishod's clock forward through its test-clock telemetry
    command (a Unix socket: reachable from this namespace). None, or why it failed."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
            s.settimeout(5)
            s.connect(job["telemetry"])
            s.recv(4096)                       # the greeting: version, max output
            s.send(("/sekisho/test/clock_advance,%d" % seconds).encode())
            reply = json.loads(s.recv(4096).decode())
    except (OSError, ValueError) as e:
        return "clock control failed: %s" % e
    if not isinstance(reply.get("/sekisho/test/clock_advance"), dict):
        return "clock control refused: %s" % reply
    return None


def run_steps(scn, server, job):
    """(status, step id, diff) after walking the scenario's steps."""
    last, last_note = None, "no QUERY before this step"
    for st in scn.steps:
        server.step = st.id
        if st.kind == "QUERY":
            last, last_note = send_query(st.entry, scn.flavour, job)
        elif st.kind == "TIME_PASSES":
            why = advance_clock(job, int(st.args[1]))
            if why:
                return "fail", st.id, why
        elif st.kind == "CHECK_ANSWER":
            if last is None:
                return "fail", st.id, "no answer to compare: %s" % last_note
            ok, why = rpl.match_entry(st.entry, last)
            if not ok:
                return "fail", st.id, "%s\n  got: %s" % (why, rpl.describe(last))
        elif st.kind == "CHECK_OUT_QUERY" and scn.flavour == "unbound":
            end = time.monotonic() + 3
            while not server.seen(st.entry) and time.monotonic() < end:
                time.sleep(0.05)
            if not server.seen(st.entry):
                return "fail", st.id, "no outgoing query %s" % entry_text(st.entry)
    missing = server.unfired_mandatory()
    if missing:
        return "fail", scn.steps[-1].id if scn.steps else 0, \
            "MANDATORY entries never used: lines %s" % ", ".join(str(e.lineno) for e in missing)
    return "pass", None, None


def main():
    job = json.load(open(sys.argv[1]))
    result = {"status": "error", "step": None, "diff": None, "log": [], "queries": 0, "gaps": 0}
    server = None
    try:
        scn = rpl.parse(job["rpl"], job["flavour"])
        amap = {addrmap.norm(k): addrmap.norm(v) for k, v in job["map"].items()}
        addrmap.apply(scn, amap)
        server = mock.MockServer(scn)
        server.bind(job["addresses"])
        server.start()
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            result["diff"] = "no go from the run"
        elif not wait_ready(job):
            result["diff"] = "sekishod did not answer the probe within %ds" % PROBE_LIMIT_S
            result["infra"] = True
        else:
            status, step, diff = run_steps(scn, server, job)
            result.update(status=status, step=step, diff=diff)
    except Exception as e:  # report, do not hide: the run prints it as an error
        result["diff"] = "harness error: %s: %s" % (e.__class__.__name__, e)
    finally:
        if server is not None:
            server.stop()
            result["log"] = server.log
            result["queries"] = server.queries
            result["gaps"] = server.gaps
    print("result " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
