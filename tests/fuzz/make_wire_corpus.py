#!/usr/bin/env python3
"""Writes the seed corpus for fuzz_wire: a few small DNS messages, valid and not.

Run from anywhere: python3 tests/fuzz/make_wire_corpus.py
The files are committed; rerun only to change them.
"""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "wire")


def name(text):
    if text in (".", ""):
        return b"\0"
    return b"".join(bytes([len(l)]) + l.encode() for l in text.rstrip(".").split(".")) + b"\0"


def hdr(id_, flags, qd, an, ns, ar):
    return struct.pack("!6H", id_, flags, qd, an, ns, ar)


def question(qname, qtype, qclass=1):
    return name(qname) + struct.pack("!HH", qtype, qclass)


def rr(owner, rtype, ttl, rdata, rclass=1):
    return owner + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def opt(udp=1232, ext_rcode=0, version=0, do=True, options=b""):
    ttl = (ext_rcode << 24) | (version << 16) | (0x8000 if do else 0)
    return b"\0" + struct.pack("!HHIH", 41, udp, ttl, len(options)) + options


def option(code, data):
    return struct.pack("!HH", code, len(data)) + data


PTR = lambda off: struct.pack("!H", 0xC000 | off)
RD, QR, AA, RA = 0x0100, 0x8000, 0x0400, 0x0080

seeds = {}

seeds["query_a_edns_cookie"] = (hdr(0x1234, RD, 1, 0, 0, 1) + question("www.Example.com", 1)
                                + opt(options=option(10, bytes(range(1, 9)))))
seeds["query_aaaa_plain"] = hdr(0xBEEF, RD, 1, 0, 0, 0) + question("example.org", 28)
seeds["query_badvers"] = hdr(7, RD, 1, 0, 0, 1) + question("example.net", 1) + opt(version=1)

# www.example.com A: CNAME web, web A, NS, glue A, OPT; names compressed.
q = question("www.example.com", 1)  # www at 12, example.com at 16
msg = hdr(0x1234, QR | RD | RA, 1, 2, 1, 2) + q
msg += rr(PTR(12), 5, 300, b"\3web" + PTR(16))
web = len(msg) - 6
msg += rr(PTR(web), 1, 60, bytes([192, 0, 2, 1]))
msg += rr(PTR(16), 2, 86400, b"\2ns" + PTR(16))
ns = len(msg) - 5
msg += rr(PTR(ns), 1, 86400, bytes([192, 0, 2, 53]))
msg += opt(options=option(15, struct.pack("!H", 3) + b"stale"))
seeds["response_cname_chain"] = msg

# NXDOMAIN with SOA in authority.
q = question("nope.example.com", 1)
soa = b"\3ns1" + PTR(17) + b"\nhostmaster" + PTR(17) + struct.pack("!5I", 1, 7200, 3600, 1209600, 300)
seeds["response_nxdomain_soa"] = (hdr(9, QR | RD | RA | 3, 1, 0, 1, 0) + q
                                  + rr(PTR(17), 6, 300, soa))

# MX, SRV, DNAME, TXT and an RRSIG-shaped record.
q = question("example.com", 255)
msg = hdr(10, QR | AA, 1, 5, 0, 0) + q
msg += rr(PTR(12), 15, 60, struct.pack("!H", 10) + b"\4mail" + PTR(12))
msg += rr(b"\5_sips\4_tcp" + PTR(12), 33, 60, struct.pack("!3H", 0, 5, 5061) + name("sip.example.com"))
msg += rr(PTR(12), 39, 60, name("example.net"))
msg += rr(PTR(12), 16, 60, b"\x0bhello world")
msg += rr(PTR(12), 46, 60, struct.pack("!HBBIIIH", 1, 13, 2, 60, 2000000000, 1000000000, 12345)
          + name("example.com") + bytes(64))
seeds["response_mixed_types"] = msg

# Malformed: a compression loop, an RDLENGTH past the end, a huge count.
seeds["bad_pointer_loop"] = hdr(1, 0, 1, 0, 0, 0) + PTR(14) + PTR(12) + struct.pack("!HH", 1, 1)
seeds["bad_rdlength"] = hdr(2, QR, 0, 1, 0, 0) + rr(name("a"), 16, 1, b"\5hello")[:-2]
seeds["bad_counts"] = hdr(3, QR, 1, 0xFFFF, 0, 0) + question("a", 1)

os.makedirs(OUT, exist_ok=True)
for fname, data in seeds.items():
    with open(os.path.join(OUT, fname), "wb") as f:
        f.write(data)
print("wrote %d seeds to %s" % (len(seeds), OUT))
