"""mock: every authoritative server of one scenario, answering on UDP and TCP port 53 of each
mapped address, from the scenario's RANGE blocks and one-shot STEP REPLY entries.

Selection of the reply to a query sent to address X while the harness is at step S
(shared/scenarios/RPL-FORMAT-NOTES.md):
  Deckard: X not in any RANGE's ADDRESS list -> X counts as "any address". The first RANGE
    (file order) with from <= S <= to whose ADDRESS list is empty, names X, or X is "any",
    is the eligible one; its first entry whose MATCH holds is the reply; none -> SERVFAIL.
    No eligible range -> the first unused STEP REPLY entry with id >= S that matches (used
    once), else SERVFAIL.
  Unbound testbound: the first range eligible by step and address (empty list = any) that
    has a matching entry; then the STEP REPLY entries; nothing -> no reply at all.
ADJUST copy_id / copy_query / raw_id / do_not_answer are applied; replies are never
truncated by the mock (TC only where an entry sets it).

One thread serves every socket (selectors); the replay process sets `step` as it walks.
"""

import ipaddress
import selectors
import socket
import struct
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

import rpl

LOG_MAX = 400


def addr_key(text):
    return str(ipaddress.ip_address(text.split("%")[0]))


class MockServer:
    def __init__(self, scn):
        self.scn = scn
        self.deckard = scn.flavour == "deckard"
        self.step = 0
        self.lock = threading.Lock()
        self.listed = {addr_key(a) for r in scn.ranges for a in r.addresses}
        self.reply_steps = [s for s in scn.steps if s.kind == "REPLY" and s.entry is not None]
        self.used_steps = set()
        self.fired = set()            # id() of entries that answered at least once
        self.log = []                 # one dict per query received
        self.received = []            # (query message, transport), for CHECK_OUT_QUERY
        self.queries = 0
        self.gaps = 0                 # queries no entry answered
        self.sel = selectors.DefaultSelector()
        self.socks = []
        self.stop_event = threading.Event()
        self.thread = None

    # ---- choosing the reply ------------------------------------------------------------------

    def select(self, query, server, transport):
        """(entry, where) for query; entry None when no entry applies."""
        step = self.step
        any_addr = self.deckard and server not in self.listed
        for r in self.scn.ranges:
            if not r.a <= step <= r.b:
                continue
            if r.addresses and not any_addr and server not in r.addresses:
                continue
            for e in r.entries:
                if rpl.match_entry(e, query, transport)[0]:
                    return e, "range@%d entry@%d" % (r.lineno, e.lineno)
            if self.deckard:
                return None, "no entry in range@%d" % r.lineno
        for st in self.reply_steps:
            if st.id < step or st.id in self.used_steps:
                continue
            if rpl.match_entry(st.entry, query, transport)[0]:
                self.used_steps.add(st.id)
                return st.entry, "STEP %d REPLY" % st.id
        return None, "no eligible range"

    def answer(self, wire, server, transport):
        """Reply bytes for a query datagram/message, or None (no reply)."""
        try:
            query = dns.message.from_wire(wire, ignore_trailing=True)
        except dns.exception.DNSException as e:
            self.note(server, transport, "(unparsable query)", "ignored: %s" % e)
            return None
        with self.lock:
            self.queries += 1
            if len(self.received) < LOG_MAX:
                self.received.append((query, transport))
            entry, where = self.select(query, server, transport)
            if entry is not None:
                self.fired.add(id(entry))
        qtext = "(no question)"
        if query.question:
            qtext = "%s %s" % (query.question[0].name, dns.rdatatype.to_text(query.question[0].rdtype))
        if query.edns >= 0 and query.ednsflags & dns.flags.DO:
            qtext += " +DO"
        if query.flags & dns.flags.CD:
            qtext += " +CD"
        if entry is None:
            self.gaps += 1
            if not self.deckard:
                self.note(server, transport, qtext, where + ": not answered")
                return None
            self.note(server, transport, qtext, where + ": SERVFAIL")
            resp = dns.message.make_response(query)
            resp.set_rcode(dns.rcode.SERVFAIL)
            return resp.to_wire()
        if "do_not_answer" in entry.adjust:
            self.note(server, transport, qtext, where + ": do_not_answer")
            return None
        if entry.raw is not None:
            self.note(server, transport, qtext, where + " (RAW)")
            return rpl.raw_reply(entry, query.id)
        self.note(server, transport, qtext, "%s [%s %s]" % (
            where, rpl.flags_text(entry.flags), dns.rcode.to_text(entry.rcode)))
        msg = rpl.build_message(entry, query, edns=query.edns >= 0)
        if query.edns >= 0 and query.ednsflags & dns.flags.DO:
            msg.ednsflags |= dns.flags.DO
        return msg.to_wire(max_size=65535)

    def note(self, server, transport, qtext, what):
        if len(self.log) < LOG_MAX:
            self.log.append({"step": self.step, "t": round(time.monotonic(), 3),
                             "server": server, "tcp": transport == "tcp",
                             "query": qtext, "reply": what})

    # ---- sockets -----------------------------------------------------------------------------

    def bind(self, addresses):
        for a in addresses:
            fam = socket.AF_INET6 if ":" in a else socket.AF_INET
            u = socket.socket(fam, socket.SOCK_DGRAM)
            u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            u.bind((a, 53))
            u.setblocking(False)
            self.sel.register(u, selectors.EVENT_READ, ("udp", a))
            t = socket.socket(fam, socket.SOCK_STREAM)
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind((a, 53))
            t.listen(16)
            t.setblocking(False)
            self.sel.register(t, selectors.EVENT_READ, ("listen", a))
            self.socks += [u, t]

    def start(self):
        self.thread = threading.Thread(target=self.loop, name="mock", daemon=True)
        self.thread.start()

    def stop(self):
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=2)
        for key in list(self.sel.get_map().values()):
            try:
                key.fileobj.close()
            except OSError:
                pass
        self.sel.close()

    def loop(self):
        while not self.stop_event.is_set():
            for key, _ in self.sel.select(timeout=0.2):
                kind, addr = key.data[0], key.data[1]
                try:
                    if kind == "udp":
                        self.on_udp(key.fileobj, addr)
                    elif kind == "listen":
                        self.on_accept(key.fileobj, addr)
                    else:
                        self.on_tcp(key.fileobj, key.data)
                except OSError:
                    if kind == "tcp":
                        self.close_tcp(key.fileobj)

    def on_udp(self, sock, addr):
        try:
            data, peer = sock.recvfrom(65535)
        except BlockingIOError:
            return
        reply = self.answer(data, addr, "udp")
        if reply is not None:
            sock.sendto(reply, peer)

    def on_accept(self, lsock, addr):
        try:
            conn, _ = lsock.accept()
        except BlockingIOError:
            return
        conn.setblocking(False)
        self.sel.register(conn, selectors.EVENT_READ, ("tcp", addr, bytearray()))

    def close_tcp(self, conn):
        try:
            self.sel.unregister(conn)
        except (KeyError, ValueError):
            pass
        conn.close()

    def on_tcp(self, conn, data):
        _, addr, buf = data
        try:
            chunk = conn.recv(65535)
        except BlockingIOError:
            return
        if not chunk:
            self.close_tcp(conn)
            return
        buf += chunk
        while len(buf) >= 2:
            ln = struct.unpack(">H", buf[:2])[0]
            if len(buf) < 2 + ln:
                break
            msg = bytes(buf[2:2 + ln])
            del buf[:2 + ln]
            reply = self.answer(msg, addr, "tcp")
            if reply is not None:
                conn.setblocking(True)
                conn.settimeout(2)
                conn.sendall(struct.pack(">H", len(reply)) + reply)
                conn.setblocking(False)

    # ---- after the run -----------------------------------------------------------------------

    def unfired_mandatory(self):
        return [e for e in self.scn.entries() if e.mandatory and id(e) not in self.fired]

    def seen(self, entry):
        """A query that satisfies entry's MATCH reached a mock server (CHECK_OUT_QUERY)."""
        with self.lock:
            received = list(self.received)
        return any(rpl.match_entry(entry, q, t)[0] for q, t in received)
