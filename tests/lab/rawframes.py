#!/usr/bin/env python3
"""Send hand-made frames onto the lab wire and check what the appliance did with them.

Runs inside the client namespace (ip netns exec skl-wire). Frames go out of the wire
interface through an AF_PACKET socket, so they can be wrong in ways the kernel would
never send: bad IPv4/UDP checksums, truncated headers, lengths past the frame, bad
fragments. The appliance's counters are read before and after through DPDK telemetry
(/sekisho/stats on the daemon's telemetry socket), so each case checks that the frame
was counted in the right place, not only that no answer came.

Also sends valid DNS queries split into IPv4 and IPv6 fragments (out of order), and
checks that the answer comes back to an ordinary UDP socket: reassembly end to end.

Prints TAP-like lines ("ok - ...", "not ok - ...") and exits 1 if any case failed.
Standard library only.
"""
import argparse
import fcntl
import json
import os
import random
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def dns_query(qid, name, qtype=1, edns=1232):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1 if edns else 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", qtype, 1)
    if edns:
        q += b"\0" + struct.pack("!HHIH", 41, edns, 0, 0)
    return q


def udp4(src, dst, sport, dport, payload, good_cksum=True):
    length = 8 + len(payload)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, length)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    c = csum(pseudo + hdr + payload) or 0xFFFF
    if not good_cksum:
        c ^= 0x5A5A
    return struct.pack("!HHHH", sport, dport, length, c) + payload


def udp6(src, dst, sport, dport, payload):
    length = 8 + len(payload)
    pseudo = (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
              + struct.pack("!I3xB", length, 17))
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    c = csum(pseudo + hdr + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, c) + payload


def ipv4(src, dst, proto, payload, ident=0, frag=0, good_cksum=True, total=None):
    tot = total if total is not None else 20 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, ident, frag, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    c = csum(h)
    if not good_cksum:
        c ^= 0x1234
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def ipv6(src, dst, nh, payload):
    return (struct.pack("!IHBB", 6 << 28, len(payload), nh, 64)
            + socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) + payload)


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


class Wire:
    def __init__(self, ifname, dst_mac):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind((ifname, 0))
        info = fcntl.ioctl(self.sock.fileno(), 0x8927, struct.pack("256s", ifname.encode()[:15]))
        self.src = info[18:24]
        self.dst = mac_bytes(dst_mac)

    def send(self, ethertype, l3, pad=True):
        frame = self.dst + self.src + struct.pack("!H", ethertype) + l3
        if pad and len(frame) < 60:
            frame += b"\0" * (60 - len(frame))
        self.sock.send(frame)


class Telemetry:
    """Reads /sekisho/stats from the daemon's DPDK telemetry socket."""

    def __init__(self, prefix):
        path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.connect(path)
        self.sock.recv(16384)  # greeting

    def stats(self):
        self.sock.send(b"/sekisho/stats")
        return json.loads(self.sock.recv(65536).decode())["/sekisho/stats"]


def neighbour_mac(addr):
    out = os.popen("ip neigh show %s" % addr).read().split()
    return out[out.index("lladdr") + 1] if "lladdr" in out else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ifname", default="wire0")
    ap.add_argument("--client4", required=True)
    ap.add_argument("--client6", required=True)
    ap.add_argument("--server4", required=True)
    ap.add_argument("--server6", required=True)
    ap.add_argument("--name", required=True, help="a local-data name with an A record")
    ap.add_argument("--telemetry-prefix", default="skl")
    a = ap.parse_args()

    mac = neighbour_mac(a.server4)
    if mac is None:
        print("not ok - no neighbour entry for %s (query it once first)" % a.server4)
        return 1
    wire = Wire(a.ifname, mac)
    tel = Telemetry(a.telemetry_prefix)
    failed = 0

    def case(desc, counter, send, delta=1):
        nonlocal failed
        before = tel.stats()
        send()
        deadline = time.time() + 3
        after = before
        while time.time() < deadline:
            after = tel.stats()
            if after.get(counter, 0) >= before.get(counter, 0) + delta:
                break
            time.sleep(0.05)
        got = after.get(counter, 0) - before.get(counter, 0)
        if got >= delta:
            print("ok - %s (counted in %s)" % (desc, counter))
        else:
            failed += 1
            print("not ok - %s: %s went up by %d, expected %d" % (desc, counter, got, delta))

    q = dns_query(0x4242, a.name)
    s4, d4 = a.client4, a.server4
    case("IPv4 header checksum wrong", "drop_bad_ipv4_cksum",
         lambda: wire.send(0x0800, ipv4(s4, d4, 17, udp4(s4, d4, 40000, 53, q), good_cksum=False)))
    case("UDP checksum wrong", "drop_bad_udp_cksum",
         lambda: wire.send(0x0800, ipv4(s4, d4, 17, udp4(s4, d4, 40001, 53, q, good_cksum=False))))
    case("IPv4 total length past the frame", "drop_bad_ipv4_hdr",
         lambda: wire.send(0x0800, ipv4(s4, d4, 17, udp4(s4, d4, 40002, 53, q), total=1400)))
    case("IPv4 header cut short", "drop_bad_ipv4_hdr",
         lambda: wire.send(0x0800, ipv4(s4, d4, 17, b"")[:14], pad=False))
    case("UDP length larger than the datagram", "drop_bad_udp_len",
         lambda: wire.send(0x0800, ipv4(s4, d4, 17, struct.pack("!HHHH", 40003, 53, 900, 0) + q)))
    # A fragment whose length is not a multiple of 8 but claims more to follow (RFC 791).
    case("IPv4 fragment of bad length", "drop_frag_error",
         lambda: wire.send(0x0800, ipv4(s4, d4, 17, udp4(s4, d4, 40004, 53, q)[:21],
                                         ident=777, frag=0x2000)))
    case("DNS message shorter than a header", "drop_short",
         lambda: wire.send(0x0800, ipv4(s4, d4, 17, udp4(s4, d4, 40005, 53, b"\x12\x34\x01"))))

    # Reassembly end to end: a query split into fragments, sent last fragment first,
    # answered to an ordinary socket.
    def fragmented_query(family):
        nonlocal failed
        qid = random.randrange(1, 65535)
        # Pad the query with an EDNS padding option so it needs three fragments.
        pad = 600
        msg = dns_query(qid, a.name, edns=0)
        msg = msg[:10] + struct.pack("!H", 1) + msg[12:]
        msg += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 4 + pad) + struct.pack("!HH", 12, pad) + b"\0" * pad
        if family == 4:
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.bind((s4, 0))
            sport = sock.getsockname()[1]
            dgram = udp4(s4, d4, sport, 53, msg)
            ident = random.randrange(1, 65535)
            chunks = [dgram[i:i + 256] for i in range(0, len(dgram), 256)]
            frames = []
            for n, chunk in enumerate(chunks):
                more = 0x2000 if n < len(chunks) - 1 else 0
                frames.append(ipv4(s4, d4, 17, chunk, ident=ident, frag=more | (n * 256 // 8)))
            for f in reversed(frames):
                wire.send(0x0800, f)
        else:
            sock = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            sock.bind((a.client6, 0))
            sport = sock.getsockname()[1]
            dgram = udp6(a.client6, a.server6, sport, 53, msg)
            ident = random.randrange(1, 1 << 32)
            chunks = [dgram[i:i + 256] for i in range(0, len(dgram), 256)]
            frames = []
            for n, chunk in enumerate(chunks):
                more = 1 if n < len(chunks) - 1 else 0
                fh = struct.pack("!BBHI", 17, 0, (n * 256) | more, ident)
                frames.append(ipv6(a.client6, a.server6, 44, fh + chunk))
            for f in reversed(frames):
                wire.send(0x86DD, f)
        sock.settimeout(3)
        try:
            resp = sock.recv(4096)
        except socket.timeout:
            resp = b""
        ok = len(resp) >= 12 and struct.unpack("!H", resp[:2])[0] == qid and (resp[3] & 0xF) == 0 \
            and struct.unpack("!H", resp[6:8])[0] >= 1
        if ok:
            print("ok - IPv%d query in %d fragments (last first) reassembled and answered" % (family, len(frames)))
        else:
            failed += 1
            print("not ok - IPv%d fragmented query: response %r" % (family, resp[:16]))

    before = tel.stats().get("reassembled", 0)
    fragmented_query(4)
    fragmented_query(6)
    after = tel.stats().get("reassembled", 0)
    if after >= before + 2:
        print("ok - reassembled counter went up by %d" % (after - before))
    else:
        failed += 1
        print("not ok - reassembled counter went up by %d, expected 2" % (after - before))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
