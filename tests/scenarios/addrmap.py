"""addrmap: every address a scenario can make the resolver talk to, mapped to an address of
the documentation ranges that the harness owns inside the lab namespace.

Which addresses: the root hint (stub-addr), forwarders and stub-zone servers of the config,
every RANGE ADDRESS, and the A/AAAA data of every name that is an NS target (or the hints'
name) somewhere in the scenario: the glue and the addresses the resolver may look up. The
same address elsewhere in A/AAAA data is rewritten too, so the scenario stays consistent.
Other A/AAAA data (www.example.com A 10.20.30.40) is only data: never contacted, left as is.

How: an address already in 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32
keeps its value unless the lab uses it (the appliance 192.0.2.53, the on-link
2001:db8:53::/64); any other address gets the next free one of 198.51.100.1-254,
203.0.113.1-254 (IPv4) or 2001:db8:5ce::1... (IPv6), in order of first appearance in the
file. Loopback addresses the resolver learns (RANGE ADDRESS, glue) are left alone (it must
not query them) unless the scenario says do-not-query-localhost: off; a loopback stub-addr or
forwarder is configured by the operator and mapped like any other address.

A changed address inside signed data breaks its RRSIG. plan() therefore also reports where
an expected answer (CHECK_ANSWER) contains a changed A/AAAA RRset that the scenario signs
while it validates: such a scenario cannot pass and is skipped with that reason.
"""

import ipaddress

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

import rpl

DOC_NETS = [ipaddress.ip_network(n) for n in
            ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")]
# Addresses of the lab itself that a scenario may not take over.
LAB_RESERVED = [ipaddress.ip_network(n) for n in
                ("192.0.2.53/32", "192.0.2.0/32", "192.0.2.255/32", "2001:db8:53::/64")]
POOL4 = [ipaddress.ip_address(f"198.51.100.{i}") for i in range(1, 255)] + \
        [ipaddress.ip_address(f"203.0.113.{i}") for i in range(1, 255)]
POOL6_BASE = ipaddress.ip_address("2001:db8:5ce::")


def norm(text):
    """ipaddress object of text, or None when it is not an address."""
    try:
        return ipaddress.ip_address(text.strip().split("%")[0])
    except ValueError:
        return None


def rr_address(rr):
    """The address of an A/AAAA record (None for other records and malformed RDATA)."""
    if rr.rdtype not in (dns.rdatatype.A, dns.rdatatype.AAAA):
        return None
    text = getattr(rr.rdata, "address", None)
    return norm(text) if text is not None else None


def keeps_value(addr):
    return any(addr in n for n in DOC_NETS) and not any(addr in n for n in LAB_RESERVED)


def config_addresses(scn):
    """Server addresses named by the config header, in order."""
    out = []
    for section, key, value in scn.config:
        if key in ("stub-addr", "forward-addr"):
            a = norm(value.split("@")[0])
            if a is not None:
                out.append(a)
    return out


def ns_targets(scn):
    names = set()
    for e in scn.entries():
        for rr in e.records():
            if rr.rdtype == dns.rdatatype.NS:
                names.add(rr.rdata.target.canonicalize())
    for v in scn.config_values("stub-name") + scn.config_values("stub-host"):
        try:
            names.add(dns.name.from_text(v).canonicalize())
        except dns.exception.DNSException:
            pass
    names.add(dns.name.from_text("k.root-servers.net."))
    return names


def contactable(scn, local_ok):
    """Addresses the resolver may send to, in order of first appearance."""
    seen = []

    def add(a, configured=False):
        if a is None or a in seen:
            return
        if a.is_loopback and not (local_ok or configured):
            return
        if a.is_unspecified or a.is_multicast:
            return
        seen.append(a)

    for a in config_addresses(scn):
        add(a, configured=True)     # hints and forwarders are servers, loopback or not
    targets = ns_targets(scn)
    for r in scn.ranges:
        for text in r.addresses:
            add(norm(text))
        # (entries are walked below with the steps' entries)
    for e in scn.entries():
        for rr in e.records():
            if rr.name.canonicalize() in targets and rr.rdclass == dns.rdataclass.IN:
                add(rr_address(rr))
    return seen


def local_queries_allowed(scn):
    for v in scn.config_values("do-not-query-localhost"):
        if v.strip().lower() in ("off", "no"):
            return True
    return False


def plan(scn):
    """{original address: mapped address} (ipaddress objects) for scn."""
    wanted = contactable(scn, local_queries_allowed(scn))
    kept = {a for a in wanted if keeps_value(a)}
    pool4 = (a for a in POOL4 if a not in kept)
    pool6 = (POOL6_BASE + i for i in range(1, 1 << 16) if (POOL6_BASE + i) not in kept)
    amap = {}
    for a in wanted:
        if a in kept:
            amap[a] = a
        else:
            amap[a] = next(pool4) if a.version == 4 else next(pool6)
    return amap


def changed(amap):
    return {a: b for a, b in amap.items() if a != b}


def apply(scn, amap):
    """Rewrite scn in place: RANGE ADDRESS lines and A/AAAA data of mapped addresses."""
    for r in scn.ranges:
        r.addresses = [str(amap.get(norm(t), norm(t) or t)) for t in r.addresses]
    for e in scn.entries():
        for sname in ("answer", "authority", "additional"):
            for rr in e.section(sname):
                a = rr_address(rr)
                if a in amap and amap[a] != a:
                    rr.rdata = dns.rdata.from_text(rr.rdclass, rr.rdtype, str(amap[a]))


def signed_owners(scn):
    """(owner, type) of every RRset the scenario has an RRSIG for."""
    out = set()
    for e in scn.entries():
        for rr in e.records():
            if rr.rdtype == dns.rdatatype.RRSIG:
                out.add((rr.name.canonicalize(), rr.rdata.type_covered))
    return out


def under_any(name, domains):
    return any(name.is_subdomain(d) for d in domains)


def signed_conflicts(scn, amap, validating, insecure):
    """Why the mapping makes scn impossible to pass (empty list: it does not).

    A CHECK_ANSWER that compares a section holding an A/AAAA record whose address the
    mapping changes, for an RRset the scenario signs, outside domain-insecure, while the
    scenario validates: the resolver (rightly) finds the rewritten RRset bogus."""
    if not validating:
        return []
    moved = changed(amap)
    signed = signed_owners(scn)
    out = []
    for st in scn.steps:
        if st.kind != "CHECK_ANSWER" or st.entry is None:
            continue
        compared = [s for s in ("answer", "authority", "additional")
                    if s in rpl.expand_match(st.entry.match)]
        for sname in compared:
            for rr in st.entry.section(sname):
                a = rr_address(rr)
                owner = rr.name.canonicalize()
                if a in moved and (owner, rr.rdtype) in signed and not under_any(owner, insecure):
                    out.append("step %d expects signed %s %s %s, mapped to %s" % (
                        st.id, rr.name, dns.rdatatype.to_text(rr.rdtype), a, moved[a]))
    return out


def signed_servers(scn, amap):
    """Signed A/AAAA RRsets whose address the mapping changes (a note for failures: a
    validator that checks them sees them bogus)."""
    moved = changed(amap)
    signed = signed_owners(scn)
    out = set()
    for e in scn.entries():
        for rr in e.records():
            if rr_address(rr) in moved and (rr.name.canonicalize(), rr.rdtype) in signed:
                out.add("%s %s" % (rr.name, dns.rdatatype.to_text(rr.rdtype)))
    return sorted(out)
