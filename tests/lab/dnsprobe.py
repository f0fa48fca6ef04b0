#!/usr/bin/env python3
"""dnsprobe: send one hand-built DNS message over UDP and check what comes back.

For the cases dig will not produce: odd opcodes, QDCOUNT 0 or 2, QR=1 queries, compression
loops, garbage. Run it inside the client namespace:

  ip netns exec skl-wire tests/lab/dnsprobe.py --server 192.0.2.53 --opcode 4 --expect-rcode NOTIMP
  ip netns exec skl-wire tests/lab/dnsprobe.py --server 192.0.2.53 --qr --expect-timeout

It prints one line: `rcode=NAME flags=qr,aa,... id=N qd=N an=N ns=N ar=N size=N edns=SIZE|none
qname=NAME` or `timeout`. Exit status: 0 when every --expect-* holds, 1 when one does not,
2 on bad usage. Python 3 standard library only.
"""

import argparse
import os
import random
import socket
import struct
import sys

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED",
          6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE", 16: "BADVERS",
          17: "BADKEY", 18: "BADTIME", 23: "BADCOOKIE"}
TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
         "DS": 43, "RRSIG": 46, "DNSKEY": 48, "ANY": 255}
FLAG_BITS = [("qr", 15), ("aa", 10), ("tc", 9), ("rd", 8), ("ra", 7), ("z", 6), ("ad", 5),
             ("cd", 4)]


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            raw = label.encode("ascii")
            if len(raw) > 63:
                raise ValueError("label too long: " + label)
            out += bytes([len(raw)]) + raw
    return out + b"\x00"


def question(name, qtype, qclass=1):
    qt = TYPES.get(qtype.upper()) if not qtype.isdigit() else int(qtype)
    if qt is None:
        raise ValueError("unknown type " + qtype)
    return encode_name(name) + struct.pack("!HH", qt, qclass)


def opt_record(size, version, do_bit):
    ttl = (version << 16) | (0x8000 if do_bit else 0)
    return b"\x00" + struct.pack("!HHIH", 41, size, ttl, 0)


def build(args):
    """The message to send, from the command line."""
    if args.hex:
        return bytes.fromhex(args.hex)
    if args.garbage is not None:
        rng = random.Random(args.seed)
        return bytes(rng.randrange(256) for _ in range(args.garbage))
    msg_id = args.id if args.id is not None else random.randrange(65536)
    flags = (args.opcode & 0xF) << 11
    if args.qr:
        flags |= 0x8000
    if args.rd:
        flags |= 0x0100
    if args.cd:
        flags |= 0x0010
    if args.ad:
        flags |= 0x0020
    if args.compression_loop:
        # The question name is a pointer to itself (offset 12): a loop a parser must refuse.
        body = b"\xc0\x0c" + struct.pack("!HH", 1, 1)
        qdcount = 1
    else:
        body = b"".join(question(args.qname, args.qtype) for _ in range(args.questions))
        qdcount = args.questions
    if args.qdcount is not None:
        qdcount = args.qdcount
    arcount = 0
    if args.edns is not None:
        body += opt_record(args.edns, args.edns_version, args.do)
        arcount = 1
    return struct.pack("!HHHHHH", msg_id, flags, qdcount, 0, 0, arcount) + body


def read_name(msg, off):
    """Presentation form of the name at off and the offset after it (pointers followed, bounded)."""
    labels = []
    end = None
    for _ in range(128):
        if off >= len(msg):
            raise ValueError("name runs past the message")
        length = msg[off]
        if length & 0xC0 == 0xC0:
            if off + 1 >= len(msg):
                raise ValueError("truncated pointer")
            if end is None:
                end = off + 2
            off = ((length & 0x3F) << 8) | msg[off + 1]
            continue
        if length == 0:
            return ".".join(labels) + ".", (end if end is not None else off + 1)
        labels.append(msg[off + 1:off + 1 + length].decode("ascii", "replace"))
        off += 1 + length
    raise ValueError("compression loop in the answer")


def parse(msg):
    if len(msg) < 12:
        raise ValueError("answer shorter than a header")
    msg_id, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    info = {"id": msg_id, "flags": flags, "qd": qd, "an": an, "ns": ns, "ar": ar,
            "size": len(msg), "qname": "-", "edns": None, "opcode": (flags >> 11) & 0xF}
    rcode = flags & 0xF
    off = 12
    for i in range(qd):
        name, off = read_name(msg, off)
        if i == 0:
            info["qname"] = name
        off += 4
    for i in range(an + ns + ar):
        _, off = read_name(msg, off)
        rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        if rtype == 41 and i >= an + ns:
            info["edns"] = rclass
            info["edns_version"] = (ttl >> 16) & 0xFF
            rcode |= (ttl >> 24) << 4
        off += 10 + rdlen
    info["rcode"] = RCODES.get(rcode, str(rcode))
    return info


def flag_names(flags):
    return [name for name, bit in FLAG_BITS if flags & (1 << bit)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--port", type=int, default=53)
    ap.add_argument("--timeout", type=float, default=2.0)
    ap.add_argument("--qname", default="www.local.test")
    ap.add_argument("--qtype", default="A")
    ap.add_argument("--id", type=int)
    ap.add_argument("--opcode", type=int, default=0, help="0 QUERY, 2 STATUS, 4 NOTIFY, 5 UPDATE")
    ap.add_argument("--qr", action="store_true", help="set QR: the message claims to be a response")
    ap.add_argument("--rd", action="store_true")
    ap.add_argument("--cd", action="store_true")
    ap.add_argument("--ad", action="store_true")
    ap.add_argument("--questions", type=int, default=1, help="how many questions to write")
    ap.add_argument("--qdcount", type=int, help="QDCOUNT to claim (default: what was written)")
    ap.add_argument("--edns", type=int, help="add an OPT record with this UDP size")
    ap.add_argument("--edns-version", type=int, default=0)
    ap.add_argument("--do", action="store_true")
    ap.add_argument("--compression-loop", action="store_true")
    ap.add_argument("--garbage", type=int, metavar="LEN", help="send LEN random bytes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hex", help="send these bytes")
    ap.add_argument("--expect-rcode", help="rcode name, or several separated by |")
    ap.add_argument("--expect-flags", default="", help="flags that must be set: qr,aa,...")
    ap.add_argument("--expect-noflags", default="", help="flags that must be clear")
    ap.add_argument("--expect-timeout", action="store_true", help="no answer is the right answer")
    ap.add_argument("--expect-no-edns", action="store_true")
    ap.add_argument("--expect-edns", type=int, help="OPT with this UDP size")
    ap.add_argument("--expect-qname", help="question name in the answer, exactly (case counts)")
    ap.add_argument("--expect-answer-or-timeout", action="store_true",
                    help="either no answer or one with --expect-rcode")
    args = ap.parse_args()

    family = socket.AF_INET6 if ":" in args.server else socket.AF_INET
    message = build(args)
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(args.timeout)
        sock.connect((args.server, args.port))
        sock.send(message)
        try:
            reply = sock.recv(65535)
        except socket.timeout:
            reply = None
        except ConnectionRefusedError:
            print("refused (ICMP port unreachable)")
            return 1

    if reply is None:
        print("timeout")
        return 0 if (args.expect_timeout or args.expect_answer_or_timeout) else 1
    if args.expect_timeout:
        print("unexpected answer (%d bytes)" % len(reply))
        return 1
    try:
        info = parse(reply)
    except (ValueError, struct.error) as err:
        print("unparsable answer: %s" % err)
        return 1
    flags = flag_names(info["flags"])
    print("rcode=%s flags=%s id=%d qd=%d an=%d ns=%d ar=%d size=%d edns=%s qname=%s" % (
        info["rcode"], ",".join(flags), info["id"], info["qd"], info["an"], info["ns"], info["ar"],
        info["size"], "none" if info["edns"] is None else info["edns"], info["qname"]))
    failures = []
    if args.expect_rcode and info["rcode"] not in args.expect_rcode.split("|"):
        failures.append("rcode %s, expected %s" % (info["rcode"], args.expect_rcode))
    for flag in filter(None, args.expect_flags.split(",")):
        if flag not in flags:
            failures.append("flag %s not set" % flag)
    for flag in filter(None, args.expect_noflags.split(",")):
        if flag in flags:
            failures.append("flag %s set" % flag)
    if args.expect_no_edns and info["edns"] is not None:
        failures.append("OPT present")
    if args.expect_edns is not None and info["edns"] != args.expect_edns:
        failures.append("EDNS size %s, expected %d" % (info["edns"], args.expect_edns))
    if args.expect_qname is not None and info["qname"].rstrip(".") != args.expect_qname.rstrip("."):
        failures.append("qname %s, expected %s" % (info["qname"], args.expect_qname))
    if args.id is not None and info["id"] != args.id:
        failures.append("id %d, expected %d" % (info["id"], args.id))
    for failure in failures:
        print("  " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        os._exit(1)
