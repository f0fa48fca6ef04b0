#!/usr/bin/env python3
"""tcauth: a tiny authoritative server whose UDP answers are all truncated (TC=1), for the
TCP fallback paths of the lab tests. Run it inside the wire namespace:

  ip netns exec skl-wire tests/lab/tcauth.py --addr 203.0.113.10 --port 5300 --zone z.test
  ip netns exec skl-wire tests/lab/tcauth.py --addr 203.0.113.10 --port 5301 --zone z.test --tcp

Over UDP every query gets header and question only, with TC=1. Without --tcp nothing listens
on the TCP port, so the kernel refuses connections (RST): an upstream TCP connect that fails.
With --tcp a TCP listener answers the first query of each connection (A: 203.0.113.80, other
types: NODATA with the zone's SOA) and closes the connection, without an answer, when a second
query comes on it: a server that does not keep connections for more than one query, as seen
by a client that reuses one. With --tcp --keep it answers every query of a connection
(a well-behaved server: the lab's standing TC-only zone). Prints "ready" once its sockets
are bound. Python 3 standard library only; runs until killed.
"""

import argparse
import selectors
import socket
import struct
import sys

ANSWER_A = socket.inet_aton("203.0.113.80")
TTL = 300


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\x00"


def question_end(msg):
    """Offset just past the first question (uncompressed name, type, class), or None."""
    off = 12
    while off < len(msg) and msg[off] != 0:
        if msg[off] > 63:
            return None
        off += 1 + msg[off]
    return off + 5 if off + 5 <= len(msg) else None


def reply(query, truncated, zone):
    """The answer to query (None when it is not a query with one question)."""
    end = question_end(query) if len(query) >= 12 else None
    if end is None or query[2] & 0x80 or struct.unpack(">H", query[4:6])[0] != 1:
        return None
    qid, qflags = struct.unpack(">HH", query[:4])
    flags = 0x8400 | (qflags & 0x0100)            # QR, AA, RD copied
    qtype = struct.unpack(">H", query[end - 4:end - 2])[0]
    question = query[12:end]
    if truncated:
        return struct.pack(">HHHHHH", qid, flags | 0x0200, 1, 0, 0, 0) + question
    if qtype == 1:
        rr = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, TTL, 4) + ANSWER_A
        return struct.pack(">HHHHHH", qid, flags, 1, 1, 0, 0) + question + rr
    owner = encode_name(zone)
    rdata = encode_name("ns." + zone) + encode_name("hostmaster." + zone) + \
        struct.pack(">IIIII", 1, 3600, 600, 86400, TTL)
    soa = owner + struct.pack(">HHIH", 6, 1, TTL, len(rdata)) + rdata
    return struct.pack(">HHHHHH", qid, flags, 1, 0, 1, 0) + question + soa


class TcpConn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.answered = 0


def serve(args):
    family = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
    sel = selectors.DefaultSelector()
    udp = socket.socket(family, socket.SOCK_DGRAM)
    udp.bind((args.addr, args.port))
    sel.register(udp, selectors.EVENT_READ, "udp")
    if args.tcp:
        lst = socket.socket(family, socket.SOCK_STREAM)
        lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        lst.bind((args.addr, args.port))
        lst.listen(16)
        sel.register(lst, selectors.EVENT_READ, "listen")
    print("ready", flush=True)
    while True:
        for key, _ in sel.select():
            if key.data == "udp":
                query, peer = udp.recvfrom(65535)
                out = reply(query, True, args.zone)
                if out is not None:
                    udp.sendto(out, peer)
            elif key.data == "listen":
                sock, _ = lst.accept()
                sel.register(sock, selectors.EVENT_READ, TcpConn(sock))
            else:
                tcp_readable(sel, key.data, args.zone, args.keep)


def tcp_close(sel, conn):
    sel.unregister(conn.sock)
    conn.sock.close()


def tcp_readable(sel, conn, zone, keep):
    data = conn.sock.recv(65535)
    if not data:
        tcp_close(sel, conn)
        return
    conn.buf += data
    while len(conn.buf) >= 2:
        (n,) = struct.unpack(">H", conn.buf[:2])
        if len(conn.buf) < 2 + n:
            return
        query, conn.buf = conn.buf[2:2 + n], conn.buf[2 + n:]
        if conn.answered and not keep:
            # One query per connection: the second one loses the connection, unanswered.
            tcp_close(sel, conn)
            return
        out = reply(query, False, zone)
        if out is not None:
            conn.sock.sendall(struct.pack(">H", len(out)) + out)
            conn.answered += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--zone", required=True, help="the zone it answers for (SOA owner)")
    ap.add_argument("--tcp", action="store_true", help="answer one query per TCP connection")
    ap.add_argument("--keep", action="store_true",
                    help="with --tcp: answer every query of a connection")
    try:
        serve(ap.parse_args())
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
