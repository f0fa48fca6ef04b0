#!/usr/bin/env python3
"""Zone surgery for the lab: turn a correctly signed zone into a broken one.

The lab signs every zone with a real signer (dnssec-signzone, ldns-signzone, Knot) and then,
for the broken variants, edits the signed text so that exactly one thing is wrong. Input and
output are zone files with one record per line and fully qualified owners (what
`dnssec-signzone -O full` and `ldns-signzone` write).

  zonetool.py strip IN OUT TYPE        drop TYPE records and the RRSIGs that cover them
                                       (TYPE=RRSIG drops every signature)
  zonetool.py drop-nsec3 IN OUT NAME   drop the NSEC3 record that matches NAME (and its RRSIG):
                                       a hole in the chain
  zonetool.py badsig IN OUT NAME TYPE  flip bits in the RRSIG that covers NAME/TYPE
  zonetool.py algorithm IN OUT ALG DSOUT
                                       rewrite every DNSKEY and RRSIG to algorithm number ALG
                                       (key tags follow) and write the matching DS records
  zonetool.py ds OWNER FLAGS PROTO ALG KEY...
                                       print the SHA-256 DS of a DNSKEY
  zonetool.py txt RDLEN                print TXT rdata (quoted strings) of exactly RDLEN bytes
  zonetool.py nsec3hash NAME SALT ITERATIONS
                                       print the base32hex NSEC3 hash label of NAME
"""

import base64
import hashlib
import sys


def name_to_wire(name):
    """Canonical (lower-case) wire form of a presentation name; no escapes in lab names."""
    name = name.lower().rstrip(".")
    out = b""
    if name:
        for label in name.split("."):
            out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\x00"


def dnskey_rdata(flags, proto, alg, key_b64):
    return (int(flags).to_bytes(2, "big") + bytes([int(proto), int(alg)])
            + base64.b64decode(key_b64))


def key_tag(rdata):
    """RFC 4034 Appendix B."""
    acc = 0
    for i, byte in enumerate(rdata):
        acc += byte << 8 if i % 2 == 0 else byte
    acc += (acc >> 16) & 0xFFFF
    return acc & 0xFFFF


def ds_sha256(owner, rdata):
    return hashlib.sha256(name_to_wire(owner) + rdata).hexdigest().upper()


def nsec3_hash(name, salt_hex, iterations):
    salt = b"" if salt_hex in ("-", "") else bytes.fromhex(salt_hex)
    digest = hashlib.sha1(name_to_wire(name) + salt).digest()
    for _ in range(int(iterations)):
        digest = hashlib.sha1(digest + salt).digest()
    return base64.b32hexencode(digest).decode("ascii").lower()


def records(path):
    """Yield (line, fields) for every record line; comments and blank lines come as (line, None)."""
    with open(path, encoding="ascii") as handle:
        for line in handle:
            stripped = line.strip()
            if not stripped or stripped.startswith(";") or stripped.startswith("$"):
                yield line, None
            else:
                yield line, stripped.split()


def rr_type(fields):
    """Records are OWNER TTL CLASS TYPE RDATA... (full format)."""
    return fields[3].upper()


def write(path, lines):
    with open(path, "w", encoding="ascii") as handle:
        handle.writelines(lines)


def cmd_strip(src, dst, rtype):
    rtype = rtype.upper()
    kept = []
    for line, fields in records(src):
        if fields:
            if rr_type(fields) == rtype:
                continue
            if rr_type(fields) == "RRSIG" and fields[4].upper() == rtype:
                continue
        kept.append(line)
    write(dst, kept)


def cmd_drop_nsec3(src, dst, name):
    params = None
    for _, fields in records(src):
        if fields and rr_type(fields) == "NSEC3PARAM":
            params = fields
    if params is None:
        sys.exit("zonetool: no NSEC3PARAM in " + src)
    zone = params[0].lower()
    owner = nsec3_hash(name, params[7], params[6]) + "." + zone
    kept = []
    dropped = 0
    for line, fields in records(src):
        if fields and fields[0].lower() == owner and (
                rr_type(fields) == "NSEC3"
                or (rr_type(fields) == "RRSIG" and fields[4].upper() == "NSEC3")):
            dropped += 1
            continue
        kept.append(line)
    if dropped == 0:
        sys.exit("zonetool: no NSEC3 at " + owner)
    write(dst, kept)
    print(owner)


def cmd_badsig(src, dst, name, rtype):
    name = name.lower().rstrip(".") + "."
    out = []
    done = 0
    for line, fields in records(src):
        if (fields and not done and fields[0].lower() == name and rr_type(fields) == "RRSIG"
                and fields[4].upper() == rtype.upper()):
            sig = bytearray(base64.b64decode("".join(fields[12:])))
            sig[len(sig) // 2] ^= 0x55
            fields = fields[:12] + [base64.b64encode(bytes(sig)).decode("ascii")]
            line = "\t".join(fields) + "\n"
            done = 1
        out.append(line)
    if not done:
        sys.exit("zonetool: no RRSIG %s at %s" % (rtype, name))
    write(dst, out)


def cmd_algorithm(src, dst, alg, ds_out):
    alg = int(alg)
    tag_map = {}
    ds_lines = []
    lines = list(records(src))
    out = []
    for line, fields in lines:
        if fields and rr_type(fields) == "DNSKEY":
            flags, proto, old_alg, key = fields[4], fields[5], fields[6], "".join(fields[7:])
            old_tag = key_tag(dnskey_rdata(flags, proto, old_alg, key))
            rdata = dnskey_rdata(flags, proto, alg, key)
            tag_map[old_tag] = key_tag(rdata)
            fields = fields[:6] + [str(alg), key]
            line = "\t".join(fields) + "\n"
            if int(flags) & 1:
                ds_lines.append("%s\t%s\tIN\tDS\t%d %d 2 %s\n" % (
                    fields[0], fields[1], key_tag(rdata), alg, ds_sha256(fields[0], rdata)))
        out.append((line, fields))
    result = []
    for line, fields in out:
        if fields and rr_type(fields) == "RRSIG":
            fields = list(fields)
            fields[5] = str(alg)
            fields[10] = str(tag_map.get(int(fields[10]), int(fields[10])))
            fields = fields[:12] + ["".join(fields[12:])]
            line = "\t".join(fields) + "\n"
        result.append(line)
    write(dst, result)
    write(ds_out, ds_lines)


def cmd_ds(owner, flags, proto, alg, *key):
    rdata = dnskey_rdata(flags, proto, alg, "".join(key))
    print("%s IN DS %d %s 2 %s" % (owner, key_tag(rdata), alg, ds_sha256(owner, rdata)))


def cmd_txt(rdlen):
    """Quoted strings whose wire rdata (length byte + text each) is exactly RDLEN bytes."""
    remaining = int(rdlen)
    pattern = "sekisho-lab-large-answer-"
    strings = []
    index = 0
    while remaining > 0:
        size = min(255, remaining - 1)
        if size <= 0:
            # one byte left: fold it into the previous string by making the next one empty
            size = 0
        text = ("%03d:" % index + pattern * 12)[:size]
        strings.append('"%s"' % text)
        remaining -= size + 1
        index += 1
    print(" ".join(strings))


def main(argv):
    commands = {
        "strip": (cmd_strip, 3),
        "drop-nsec3": (cmd_drop_nsec3, 3),
        "badsig": (cmd_badsig, 4),
        "algorithm": (cmd_algorithm, 4),
        "txt": (cmd_txt, 1),
        "nsec3hash": (lambda n, s, i: print(nsec3_hash(n, s, i)), 3),
    }
    if len(argv) >= 2 and argv[1] == "ds" and len(argv) >= 7:
        cmd_ds(*argv[2:])
        return 0
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        sys.stderr.write(__doc__)
        return 2
    commands[argv[1]][0](*argv[2:])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
