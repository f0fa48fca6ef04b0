"""rpl: the .rpl scenario format (Deckard and Unbound testbound) read into plain objects, DNS
messages built from its entries, and the MATCH rules that compare a message with an entry.

No I/O besides reading the file; used by the orchestrator (tests/scenarios/run) and by the
replay process inside the lab (replay.py). The format and the rules are described in
shared/scenarios/RPL-FORMAT-NOTES.md and Deckard's doc/scenario_guide.rst; this is our own
reading of them.

    scn = parse("iter_tcbit.rpl", flavour="deckard")
    scn.config, scn.ranges, scn.steps
    msg = build_message(entry, query=None)      # a query to send, or a reply template
    ok, why = match_entry(entry, message)       # every MATCH element of entry holds
"""

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tokenizer

DEFAULT_TTL = 3600
EDNS_PAYLOAD = 4096

HEADER_FLAGS = {
    "QR": dns.flags.QR, "AA": dns.flags.AA, "TC": dns.flags.TC, "RD": dns.flags.RD,
    "RA": dns.flags.RA, "AD": dns.flags.AD, "CD": dns.flags.CD,
}
FLAG_MASK = 0
for _f in HEADER_FLAGS.values():
    FLAG_MASK |= _f

SECTIONS = ("question", "answer", "authority", "additional")

# MATCH elements we know. Anything else makes a scenario unsupported (the caller skips it).
MATCH_DECKARD = {"opcode", "qtype", "qname", "qcase", "subdomain", "flags", "rcode",
                 "question", "answer", "authority", "additional", "all", "edns", "nsid",
                 "answertypes", "answerrrsigs"}
MATCH_UNBOUND = {"TCP", "UDP", "DO", "noedns", "ttl", "all_noedns", "ede", "none"}

class RplError(Exception):
    """A line the parser cannot read: (path, line number, text)."""

    def __init__(self, path, lineno, what):
        super().__init__(f"{path}:{lineno}: {what}")
        self.lineno = lineno


class RR:
    """One resource record of an entry's section."""

    __slots__ = ("name", "ttl", "rdclass", "rdtype", "rdata")

    def __init__(self, name, ttl, rdclass, rdtype, rdata):
        self.name, self.ttl, self.rdclass, self.rdtype, self.rdata = name, ttl, rdclass, rdtype, rdata

    def covers(self):
        return self.rdata.covers() if self.rdtype == dns.rdatatype.RRSIG else dns.rdatatype.NONE


class Entry:
    """ENTRY_BEGIN .. ENTRY_END: a query, an expected answer, or a reply template."""

    def __init__(self, lineno):
        self.lineno = lineno
        self.match = []          # MATCH elements, in order ("ede=7" kept whole)
        self.adjust = []         # ADJUST elements
        self.opcode = dns.opcode.QUERY
        self.rcode = dns.rcode.NOERROR
        self.flags = 0           # header flags from the REPLY line
        self.do = False          # DO on the REPLY line (EDNS flag)
        self.question = []       # (name, rdclass, rdtype)
        self.answer, self.authority, self.additional = [], [], []
        self.raw = None          # RAW: bytes sent as they are
        self.mandatory = False
        self.edns_data = None    # unbound HEX_EDNSDATA (bytes)
        self.unknown = []        # keywords we do not model (reported)

    def section(self, name):
        return getattr(self, name)

    def records(self):
        for s in ("answer", "authority", "additional"):
            yield from getattr(self, s)


class Range:
    def __init__(self, a, b, lineno):
        self.a, self.b, self.lineno = a, b, lineno
        self.addresses = []
        self.entries = []


class Step:
    def __init__(self, sid, kind, args, lineno):
        self.id, self.kind, self.args, self.lineno = sid, kind, args, lineno
        self.entry = None


class Scenario:
    def __init__(self, path, flavour):
        self.path = path
        self.flavour = flavour   # "deckard" or "unbound"
        self.config = []         # (section, key, value), section "" for Deckard's flat keys
        self.title = ""
        self.ranges = []
        self.steps = []
        self.notes = []          # things parsed but not modelled

    def entries(self):
        """Every entry of the scenario (ranges, then steps)."""
        for r in self.ranges:
            yield from r.entries
        for s in self.steps:
            if s.entry is not None:
                yield s.entry

    def config_values(self, key, section=None):
        return [v for (s, k, v) in self.config if k == key and (section is None or s == section)]


# ---- reading ---------------------------------------------------------------------------------

def strip_comment(line, chars=";"):
    """line without a comment that starts outside double quotes."""
    quoted = False
    escaped = False
    for i, c in enumerate(line):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == '"':
            quoted = not quoted
        elif c in chars and not quoted:
            return line[:i]
    return line


def config_value(raw):
    """A config value: the text in double quotes, or up to a '#' or ';' comment."""
    raw = raw.strip()
    if raw.startswith('"'):
        end = raw.find('"', 1)
        return raw[1:end] if end > 0 else raw[1:]
    return strip_comment(raw, ";#").strip()


def parse_config_line(line, section):
    """(section, key, value) of one config line, or a new section name, or None."""
    text = line.strip()
    if not text or text[0] in ";#":
        return None
    if ":" not in text:
        return None
    key, _, rest = text.partition(":")
    key = key.strip()
    if not rest.strip() and key in ("server", "stub-zone", "forward-zone", "remote-control",
                                    "auth-zone", "rpz", "python", "dynlib", "view"):
        return ("section", key)
    return (section, key, config_value(rest))


def parse_name(text):
    return dns.name.from_text(text, origin=dns.name.root)


def parse_class_type(tokens):
    """Consume [TTL] [CLASS] TYPE (TTL and class in either order) from tokens; the last
    token is always the type (a question "example.com. IN ANY" asks for type ANY)."""
    ttl, rdclass = None, dns.rdataclass.IN
    while len(tokens) > 1:
        t = tokens[0]
        if ttl is None and t.isdigit():
            ttl = int(t)
        else:
            try:
                rdclass = dns.rdataclass.from_text(t)
            except (dns.rdataclass.UnknownRdataclass, ValueError):
                break
        tokens.pop(0)
    rdtype = dns.rdatatype.from_text(tokens.pop(0))
    return ttl, rdclass, rdtype


def parse_question(text):
    tokens = text.split()
    name = parse_name(tokens.pop(0))
    _, rdclass, rdtype = parse_class_type(tokens)
    return (name, rdclass, rdtype)


def is_class(token):
    try:
        dns.rdataclass.from_text(token)
        return True
    except (dns.rdataclass.UnknownRdataclass, ValueError):
        return False


def parse_rr(text):
    """One zone-file record: owner [TTL] [class] type rdata (TTL 3600, class IN by default).
    RDATA in RFC 3597 form that dnspython rejects for its type (deliberately malformed data in
    a scenario) is kept as generic RDATA."""
    tok = dns.tokenizer.Tokenizer(text)
    owner = parse_name(tok.get_string())
    head = []
    while True:                       # [ttl] [class] type
        t = tok.get()
        if t.is_eol_or_eof():
            raise ValueError("record has no type")
        head.append(t.value)
        if not (t.value.isdigit() or is_class(t.value)) or len(head) == 3:
            break
    ttl, rdclass, rdtype = parse_class_type(head)
    try:
        rdata = dns.rdata.from_text(rdclass, rdtype, tok, origin=dns.name.root, relativize=False)
    except dns.exception.SyntaxError:
        generic = strip_comment(text).find("\\# ")
        if generic < 0:
            raise
        words = strip_comment(text)[generic:].split()
        data = bytes.fromhex("".join(words[2:]))
        rdata = dns.rdata.GenericRdata(rdclass, rdtype, data)
    return RR(owner, DEFAULT_TTL if ttl is None else ttl, rdclass, rdtype, rdata)


def apply_reply_line(entry, words):
    for w in words:
        u = w.upper()
        if u in HEADER_FLAGS:
            entry.flags |= HEADER_FLAGS[u]
        elif u == "DO":
            entry.do = True
        elif u in ("QUERY", "IQUERY", "STATUS", "NOTIFY", "UPDATE"):
            entry.opcode = dns.opcode.from_text(u)
        else:
            try:
                entry.rcode = dns.rcode.from_text(u)
            except dns.rcode.UnknownRcode:
                entry.unknown.append("REPLY " + w)


def parse(path, flavour="deckard"):
    """Read one .rpl file. Raises RplError on a line it cannot read."""
    scn = Scenario(path, flavour)
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    n = len(lines)
    i = 0
    section = ""
    # configuration, up to CONFIG_END
    while i < n:
        line = lines[i]
        i += 1
        if line.strip().startswith("CONFIG_END"):
            break
        got = parse_config_line(line, section)
        if got is None:
            continue
        if got[0] == "section":
            section = got[1]
        else:
            scn.config.append(got)

    rng = None            # the RANGE being read
    step = None           # the STEP being read
    entry = None          # the ENTRY being read
    cur_section = None
    while i < n:
        lineno = i + 1
        raw_line = lines[i]
        i += 1
        text = strip_comment(raw_line).strip()
        if not text:
            continue
        word = text.split()[0]
        try:
            if entry is not None:
                i, cur_section, done = entry_line(entry, word, text, lines, i, cur_section)
                if done:
                    if rng is not None:
                        rng.entries.append(entry)
                    else:
                        step.entry = entry
                    entry = None
                continue
            if word == "ENTRY_BEGIN":
                if rng is None and step is None:
                    raise ValueError("ENTRY_BEGIN outside RANGE or STEP")
                entry = Entry(lineno)
                cur_section = None
            elif word == "SCENARIO_BEGIN":
                scn.title = text[len("SCENARIO_BEGIN"):].strip()
            elif word == "SCENARIO_END":
                break
            elif word == "RANGE_BEGIN":
                parts = text.split(";")[0].split()
                rng = Range(int(parts[1]), int(parts[2]), lineno)
                rng.addresses += parts[3:]   # Deckard: "RANGE_BEGIN 1 100 192.0.2.1"
                step = None
            elif word == "RANGE_END":
                if rng is not None:          # (a stray second RANGE_END exists in the wild)
                    scn.ranges.append(rng)
                rng = None
            elif word == "ADDRESS":
                rng.addresses.append(text.split()[1])
            elif word == "STEP":
                parts = text.split()
                rng = None
                step = Step(int(parts[1]), parts[2], parts[3:], lineno)
                scn.steps.append(step)
            else:
                scn.notes.append(f"line {lineno}: {word} not modelled")
        except (ValueError, IndexError, KeyError, AttributeError, dns.exception.DNSException) as e:
            raise RplError(path, lineno, f"{e.__class__.__name__}: {e}: {raw_line.strip()[:80]}")
    return scn


def entry_line(entry, word, text, lines, i, cur_section):
    """One line inside ENTRY_BEGIN..ENTRY_END: (next line index, section, entry ended)."""
    if word == "ENTRY_END":
        return i, None, True
    if word == "MATCH":
        entry.match += text.split()[1:]
    elif word == "ADJUST":
        entry.adjust += text.split()[1:]
    elif word in ("REPLY", "FLAGS"):          # FLAGS: one Deckard file's spelling of REPLY
        apply_reply_line(entry, text.split()[1:])
    elif word == "SECTION":
        cur_section = text.split()[1].lower()
        if cur_section not in SECTIONS:
            raise ValueError("unknown section " + cur_section)
    elif word == "MANDATORY":
        entry.mandatory = True
    elif word == "RAW":
        while i < len(lines) and not strip_comment(lines[i]).strip():
            i += 1
        entry.raw = bytes.fromhex(strip_comment(lines[i]).strip())
        i += 1
    elif word in ("HEX_ANSWER_BEGIN", "HEX_EDNSDATA_BEGIN"):
        end = word.replace("BEGIN", "END")
        hexs = []
        while i < len(lines) and strip_comment(lines[i]).strip() != end:
            hexs.append(strip_comment(lines[i]).strip())
            i += 1
        i += 1
        data = bytes.fromhex("".join("".join(hexs).split()))
        if word == "HEX_ANSWER_BEGIN":
            entry.raw = data
        else:
            entry.edns_data = data
    elif word in ("EXTRA_PACKET", "TSIG") or (cur_section is None):
        entry.unknown.append(word)
    elif cur_section == "question":
        entry.question.append(parse_question(text))
    else:
        entry.section(cur_section).append(parse_rr(text))
    return i, cur_section, False


# ---- messages --------------------------------------------------------------------------------

def build_message(entry, query=None, edns=True, payload=EDNS_PAYLOAD):
    """The DNS message of entry. With query (a received dns.message.Message) the entry is a
    reply template and its ADJUST list is applied: copy_id (ID and the question's name, with
    its letter case), copy_query (the whole question)."""
    m = dns.message.Message()
    m.flags = entry.flags
    m.set_opcode(entry.opcode)
    for name, rdclass, rdtype in entry.question:
        m.question.append(dns.rrset.RRset(name, rdclass, rdtype))
    for sname in ("answer", "authority", "additional"):
        section = m.sections[SECTIONS.index(sname)]
        for rr in entry.section(sname):
            rrset = m.find_rrset(section, rr.name, rr.rdclass, rr.rdtype, rr.covers(),
                                 create=True, force_unique=False)
            rrset.add(rr.rdata, rr.ttl)
    if edns:
        options = []
        if entry.edns_data:
            options = parse_edns_options(entry.edns_data)
        m.use_edns(0, dns.flags.DO if entry.do else 0, payload, options=options)
    m.set_rcode(entry.rcode)
    if query is not None:
        if "copy_id" in entry.adjust:
            m.id = query.id
            if m.question and query.question:
                q = m.question[0]
                m.question[0] = dns.rrset.RRset(query.question[0].name, q.rdclass, q.rdtype)
        if "copy_query" in entry.adjust:
            m.question = [dns.rrset.RRset(q.name, q.rdclass, q.rdtype) for q in query.question]
    return m


def parse_edns_options(data):
    opts = []
    off = 0
    while off + 4 <= len(data):
        code = int.from_bytes(data[off:off + 2], "big")
        ln = int.from_bytes(data[off + 2:off + 4], "big")
        opts.append(dns.edns.GenericOption(code, data[off + 4:off + 4 + ln]))
        off += 4 + ln
    return opts


def raw_reply(entry, query_id):
    """RAW/HEX_ANSWER bytes, with the query's ID when ADJUST raw_id (or copy_id) asks."""
    data = bytearray(entry.raw)
    if len(data) >= 2 and ("raw_id" in entry.adjust or "copy_id" in entry.adjust):
        data[0:2] = query_id.to_bytes(2, "big")
    return bytes(data)


# ---- matching --------------------------------------------------------------------------------

def rr_key(name, rdclass, rdtype, rdata, ttl=None):
    """Comparison key: owner case-insensitive, RDATA in canonical form, TTL only on request."""
    return (name.canonicalize().to_text(), rdclass, rdtype,
            rdata.to_digestable(dns.name.root), ttl)


def entry_rr_keys(rrs, with_ttl=False):
    return [rr_key(r.name, r.rdclass, r.rdtype, r.rdata, r.ttl if with_ttl else None)
            for r in rrs]


def message_rrs(msg, sname):
    """(name, class, type, rdata, ttl) of every record of a message section; no OPT/TSIG."""
    out = []
    for rrset in msg.sections[SECTIONS.index(sname)]:
        if rrset.rdtype in (dns.rdatatype.OPT, dns.rdatatype.TSIG):
            continue
        for rd in rrset:
            out.append((rrset.name, rrset.rdclass, rrset.rdtype, rd, rrset.ttl))
    return out


def message_rr_keys(msg, sname, with_ttl=False):
    return [rr_key(n, c, t, rd, ttl if with_ttl else None)
            for (n, c, t, rd, ttl) in message_rrs(msg, sname)]


def rr_text(key):
    name, rdclass, rdtype, digest, ttl = key
    try:
        rd = dns.rdata.from_wire(rdclass, rdtype, digest, 0, len(digest))
        data = rd.to_text()
    except dns.exception.DNSException:
        data = digest.hex()
    ttl_text = "" if ttl is None else " %d" % ttl
    return "%s%s %s %s" % (name, ttl_text, dns.rdatatype.to_text(rdtype), data)


def compare_section(entry, msg, sname, with_ttl):
    """None when the section of msg holds exactly the records of entry (a multiset)."""
    want = sorted(entry_rr_keys(entry.section(sname), with_ttl))
    got = sorted(message_rr_keys(msg, sname, with_ttl))
    if want == got:
        return None
    missing = list(want)
    extra = []
    for k in got:
        if k in missing:
            missing.remove(k)
        else:
            extra.append(k)
    lines = [f"{sname}: expected {len(want)} records, got {len(got)}"]
    lines += ["  - " + rr_text(k) for k in missing[:6]]
    if len(missing) > 6:
        lines.append(f"  - ... {len(missing) - 6} more")
    lines += ["  + " + rr_text(k) for k in extra[:6]]
    if len(extra) > 6:
        lines.append(f"  + ... {len(extra) - 6} more")
    return "\n".join(lines)


def flags_text(flags):
    return " ".join(n for n, v in HEADER_FLAGS.items() if flags & v) or "-"


def ede_codes(msg):
    """INFO-CODEs of the Extended DNS Error options (RFC 8914) of msg."""
    codes = []
    for opt in (msg.options or []):
        if opt.otype != 15:
            continue
        if hasattr(opt, "code"):
            codes.append(int(opt.code))
        elif len(getattr(opt, "data", b"")) >= 2:
            codes.append(int.from_bytes(opt.data[:2], "big"))
    return codes


def nsid_of(msg):
    for opt in (msg.options or []):
        if opt.otype == dns.edns.NSID:
            return getattr(opt, "data", None)
    return None


def expand_match(elements):
    out = []
    for m in elements or ["opcode", "qtype", "qname"]:
        if m == "all" or m == "all_noedns":
            # rcode before flags: the more telling difference is reported first
            out += ["opcode", "qtype", "qname", "rcode", "flags", "answer", "authority",
                    "additional"]
            if m == "all_noedns":
                out.append("noedns")
        elif m == "question":
            out += ["qtype", "qname"]
        else:
            out.append(m)
    return out


def match_entry(entry, msg, transport="udp"):
    """(True, None) when msg satisfies every MATCH element of entry, else (False, reason)."""
    elements = expand_match(entry.match)
    with_ttl = "ttl" in elements
    q = msg.question[0] if msg.question else None
    eq = entry.question[0] if entry.question else None
    for m in elements:
        if m == "opcode":
            if msg.opcode() != entry.opcode:
                return False, "opcode %s, expected %s" % (dns.opcode.to_text(msg.opcode()),
                                                          dns.opcode.to_text(entry.opcode))
        elif m in ("qtype", "qname", "qcase", "subdomain"):
            if eq is None:
                continue
            if q is None:
                return False, "no question"
            if m == "qtype" and q.rdtype != eq[2]:
                return False, "qtype %s, expected %s" % (dns.rdatatype.to_text(q.rdtype),
                                                         dns.rdatatype.to_text(eq[2]))
            if m == "qname" and q.name != eq[0]:
                return False, f"qname {q.name}, expected {eq[0]}"
            if m == "qcase" and q.name.to_text() != eq[0].to_text():
                return False, f"qname case {q.name}, expected {eq[0]}"
            if m == "subdomain" and not q.name.is_subdomain(eq[0]):
                return False, f"qname {q.name} not under {eq[0]}"
        elif m == "flags":
            got, want = msg.flags & FLAG_MASK, entry.flags & FLAG_MASK
            if got != want:
                return False, f"flags {flags_text(got)}, expected {flags_text(want)}"
        elif m == "rcode":
            if msg.rcode() != entry.rcode:
                return False, "rcode %s, expected %s" % (dns.rcode.to_text(msg.rcode()),
                                                         dns.rcode.to_text(entry.rcode))
        elif m in ("answer", "authority", "additional"):
            diff = compare_section(entry, msg, m, with_ttl)
            if diff:
                return False, diff
        elif m == "answertypes":
            want = sorted({r.rdtype for r in entry.answer})
            got = sorted({t for (_, _, t, _, _) in message_rrs(msg, "answer")})
            if want != got:
                return False, f"answer types {got}, expected {want}"
        elif m == "answerrrsigs":
            want = sorted({r.covers() for r in entry.answer if r.rdtype == dns.rdatatype.RRSIG})
            got = sorted({rd.covers() for (_, _, t, rd, _) in message_rrs(msg, "answer")
                          if t == dns.rdatatype.RRSIG})
            if want != got:
                return False, f"RRSIGs over {got}, expected over {want}"
        elif m == "edns":
            if msg.edns != 0 or msg.payload != EDNS_PAYLOAD:
                return False, f"EDNS version {msg.edns} payload {msg.payload}"
        elif m == "nsid":
            if nsid_of(msg) is None:
                return False, "no NSID"
        elif m == "TCP":
            if transport != "tcp":
                return False, "not over TCP"
        elif m == "UDP":
            if transport != "udp":
                return False, "not over UDP"
        elif m == "DO":
            if msg.edns < 0 or not msg.ednsflags & dns.flags.DO:
                return False, "DO not set"
        elif m == "noedns":
            if msg.edns >= 0:
                return False, "has EDNS"
        elif m.startswith("ede="):
            codes = ede_codes(msg)
            want = m[4:]
            if want == "any" and not codes:
                return False, "no EDE"
            if want != "any" and int(want) not in codes:
                return False, f"EDE {codes}, expected {want}"
        elif m in ("ttl", "none"):
            continue
        else:
            return False, f"MATCH {m} not supported"
    return True, None


def unsupported_match(scn):
    """MATCH elements of scn this module cannot check (the scenario is then skipped)."""
    bad = set()
    for e in scn.entries():
        for m in e.match:
            if m in MATCH_DECKARD or m in MATCH_UNBOUND or m.startswith("ede="):
                continue
            bad.add(m)
    return sorted(bad)


def describe(msg):
    """A short text of a received message for diffs."""
    if msg is None:
        return "(no answer)"
    q = msg.question[0] if msg.question else None
    head = "%s %s flags %s" % (dns.opcode.to_text(msg.opcode()), dns.rcode.to_text(msg.rcode()),
                               flags_text(msg.flags))
    if msg.edns >= 0 and msg.ednsflags & dns.flags.DO:
        head += " DO"
    if q is not None:
        head += " q %s %s" % (q.name, dns.rdatatype.to_text(q.rdtype))
    codes = ede_codes(msg)
    if codes:
        head += " EDE %s" % ",".join(str(c) for c in codes)
    return head
