#!/usr/bin/env python3
"""Print sekishod counters from DPDK telemetry: `skstat.py NAME...` prints one value
per line (0 for a counter that does not exist); `skstat.py` alone prints them all.
Reads /sekisho/stats on the lab daemon's socket (file prefix $SKSTAT_PREFIX, else the
lab's $LAB_FILE_PREFIX, else skl)."""
import json
import os
import socket
import sys

prefix = os.environ.get("SKSTAT_PREFIX") or os.environ.get("LAB_FILE_PREFIX") or "skl"
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect("/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix)
s.recv(16384)
s.send(b"/sekisho/stats")
stats = json.loads(s.recv(1 << 20).decode())["/sekisho/stats"]
if len(sys.argv) == 1:
    for k, v in stats.items():
        print(k, v)
for name in sys.argv[1:]:
    print(stats.get(name, 0))
