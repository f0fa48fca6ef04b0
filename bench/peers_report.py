#!/usr/bin/env python3
"""bench/peers_report.py: the data side of `bench/run peers` (bench/peers.sh).

  gen DIR NAMES SEED          query files: hit.txt, mix_a.txt / mix_b.txt (the two halves of
                              the realistic mix, asked with DO=0 and DO=1), warm_a.txt /
                              warm_b.txt (their distinct questions), cold.txt
  rsd FILE COUNT ZONE         COUNT unique random labels under ZONE (random-subdomain load)
  dnsperf OUT...              dnsperf statistics of one or more concurrent runs, summed: JSON
  latency OUT...              p50 and p99 in ms from dnsperf -v outputs: JSON
  report RESULTS --json F --md F [--png F] [--pmd P] [--note T]
                              medians over runs per workload and resolver, ratios to the best
                              peer, the Markdown table, the JSON and the chart (gnuplot)

Only the standard library: the bench runs on a fresh Debian with python3 and nothing else.
"""
import bisect
import datetime
import json
import os
import random
import re
import statistics
import subprocess
import sys

WORKLOADS = ["cache_hit", "mix", "cold", "random_subdomain"]
RESOLVERS = ["sekisho", "unbound", "kresd", "pdns_recursor"]
PEERS = RESOLVERS[1:]
ZONE = "bench.test"

# A server whose CPU (the resolver's threads, or sekisho's worker busy cycles) covered at
# least this share of the run's wall time was the bottleneck; otherwise the load
# generator was (its core, or its window of outstanding queries).
SERVER_BUSY = 0.85


def zipf_sampler(n, s, rng):
    """Ranks 0..n-1 with P(k) proportional to 1/(k+1)^s (inverse CDF, bisect)."""
    cum, total = [], 0.0
    for k in range(n):
        total += 1.0 / (k + 1) ** s
        cum.append(total)
    return lambda: min(bisect.bisect_left(cum, rng.random() * total), n - 1)


def cmd_gen(outdir, names, seed):
    """Query files over the lab's bench.test (tests/lab/zones.sh write_bench_zone): names
    n0..n<names-1> have an A record, the first tenth an AAAA too."""
    names, rng = int(names), random.Random(int(seed))
    with_aaaa = max(names // 10, 1)
    hit = ["n%d.%s A" % (i, ZONE) for i in range(min(10000, names))]
    rng.shuffle(hit)
    cold = ["n%d.%s A" % (i, ZONE) for i in range(names)]
    rng.shuffle(cold)
    # The realistic mix: names drawn Zipf-like (s = 1) over the zone's names, 5 % AAAA
    # (drawn over the names that have one), 5 % NXDOMAIN (drawn Zipf-like over 10,000
    # names that do not exist: typos and stale links are asked again too), the rest A.
    # A random rank-to-name permutation, so the popular names are spread over the zone.
    perm = list(range(names))
    rng.shuffle(perm)
    pick_a = zipf_sampler(names, 1.0, rng)
    pick_aaaa = zipf_sampler(with_aaaa, 1.0, rng)
    pick_nx = zipf_sampler(10000, 1.0, rng)
    mix = []
    for _ in range(400000):
        r = rng.random()
        if r < 0.05:
            mix.append("nx%d.%s A" % (pick_nx(), ZONE))
        elif r < 0.10:
            mix.append("n%d.%s AAAA" % (pick_aaaa(), ZONE))
        else:
            mix.append("n%d.%s A" % (perm[pick_a()], ZONE))
    # warm-up files: each distinct question of a half once, in order of first appearance
    warm_a = list(dict.fromkeys(mix[0::2]))
    warm_b = list(dict.fromkeys(mix[1::2]))
    files = {"hit.txt": hit, "cold.txt": cold, "mix_a.txt": mix[0::2], "mix_b.txt": mix[1::2],
             "warm_a.txt": warm_a, "warm_b.txt": warm_b}
    for name, lines in files.items():
        with open(os.path.join(outdir, name), "w") as f:
            f.write("\n".join(lines) + "\n")
    distinct = len(set(mix))
    print("query files: hit %d names, mix %d queries (%d distinct), cold %d names"
          % (len(hit), len(mix), distinct, len(cold)))


def cmd_rsd(path, count, zone):
    rng = random.SystemRandom()
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    with open(path, "w") as f:
        for _ in range(int(count)):
            label = "".join(rng.choice(alphabet) for _ in range(12))
            f.write("%s.%s A\n" % (label, zone))


def parse_dnsperf(path):
    text = open(path, errors="replace").read()

    def num(label):
        m = re.search(r"^\s*%s:\s*([0-9.]+)" % re.escape(label), text, re.M)
        return float(m.group(1)) if m else None

    rcodes = {}
    m = re.search(r"^\s*Response codes:\s*(.*)$", text, re.M)
    if m:
        for part in m.group(1).split(","):
            f = part.split()
            if len(f) >= 2:
                rcodes[f[0]] = int(f[1])
    return {"sent": num("Queries sent"), "completed": num("Queries completed"),
            "lost": num("Queries lost"), "qps": num("Queries per second"),
            "runtime": num("Run time (s)"), "rcodes": rcodes}


def cmd_dnsperf(paths):
    """Concurrent dnsperf runs summed (the two halves of the mix)."""
    out = {"sent": 0, "completed": 0, "lost": 0, "qps": 0.0, "runtime": 0.0, "rcodes": {}}
    for p in paths:
        d = parse_dnsperf(p)
        if d["qps"] is None:
            sys.stderr.write(open(p, errors="replace").read()[-2000:])
            sys.exit("cannot read dnsperf's statistics in %s" % p)
        for k in ("sent", "completed", "lost", "qps"):
            out[k] += d[k] or 0
        out["runtime"] = max(out["runtime"], d["runtime"] or 0)
        for k, v in d["rcodes"].items():
            out["rcodes"][k] = out["rcodes"].get(k, 0) + v
    print(json.dumps(out))


def percentile(sorted_vals, q):
    if not sorted_vals:
        return None
    i = min(len(sorted_vals) - 1, max(0, int(round(q * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[i]


def cmd_latency(paths):
    """dnsperf -v prints one line per answered query: "> RCODE NAME TYPE SECONDS"."""
    lat = []
    for p in paths:
        with open(p, errors="replace") as f:
            for line in f:
                if line.startswith("> "):
                    try:
                        lat.append(float(line.rsplit(None, 1)[1]))
                    except (ValueError, IndexError):
                        pass
    lat.sort()
    p50, p99 = percentile(lat, 0.50), percentile(lat, 0.99)
    print(json.dumps({"p50_ms": None if p50 is None else p50 * 1000,
                      "p99_ms": None if p99 is None else p99 * 1000, "answers": len(lat)}))


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def aggregate(runs):
    """One workload and resolver: medians over its runs."""
    def field(k):
        return med([r.get(k) for r in runs])

    rcodes = {}
    for r in runs:
        for k, v in r["rcodes"].items():
            rcodes[k] = rcodes.get(k, 0) + v
    server_busy = field("server_busy")
    out = {
        "qps": field("qps"), "p50_ms": field("p50_ms"), "p99_ms": field("p99_ms"),
        "cpu_us_per_query": field("cpu_us_per_query"), "success_ratio": field("success_ratio"),
        "bottleneck": "server" if server_busy is not None and server_busy >= SERVER_BUSY
        else "load generator",
        "server_cpu_busy": server_busy, "generator_cpu_busy": field("generator_busy"),
        "rcodes": rcodes, "runs": len(runs),
    }
    if any("proc_cpu_us_per_query" in r for r in runs):
        out["proc_cpu_us_per_query"] = field("proc_cpu_us_per_query")
    if any("attack_qps" in r for r in runs):
        out["attack_qps"] = field("attack_qps")
        arc = {}
        for r in runs:
            for k, v in r.get("attack_rcodes", {}).items():
                arc[k] = arc.get(k, 0) + v
        out["attack_rcodes"] = arc
    return out


def fmt(v, nd=0):
    if v is None:
        return "–"
    if nd == 0:
        return "{:,.0f}".format(v)
    return "{:,.{}f}".format(v, nd)


def ratios(res):
    """sekisho against the best peer of the same workload: QPS (the highest) and CPU per
    query (the lowest)."""
    out = {}
    for w, by in res.items():
        peers = {r: d for r, d in by.items() if r in PEERS}
        s = by.get("sekisho")
        if not peers or s is None:
            continue
        q = [(d["qps"], r) for r, d in peers.items() if d["qps"]]
        c = [(d["cpu_us_per_query"], r) for r, d in peers.items() if d["cpu_us_per_query"]]
        o = {}
        if q and s["qps"]:
            best = max(q)
            o["qps_vs_best_peer"] = s["qps"] / best[0]
            o["best_peer_qps"] = best[1]
        if c and s["cpu_us_per_query"]:
            best = min(c)
            o["cpu_vs_best_peer"] = s["cpu_us_per_query"] / best[0]
            o["best_peer_cpu"] = best[1]
        out[w] = o
    return out


def markdown(doc):
    lines = ["| workload | resolver | QPS | p50 ms | p99 ms | CPU µs/query | success | "
             "answer codes | server CPU | generator CPU | bottleneck |",
             "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|"]
    for w in WORKLOADS:
        for r in RESOLVERS:
            d = doc["workloads"].get(w, {}).get(r)
            if d is None:
                continue
            rc = ", ".join("%s %s" % (k, fmt(v)) for k, v in sorted(d["rcodes"].items(),
                                                                      key=lambda kv: -kv[1]))
            if "attack_rcodes" in d:
                rc += "; attack %s QPS: %s" % (fmt(d.get("attack_qps")), ", ".join(
                    "%s %s" % (k, fmt(v)) for k, v in sorted(d["attack_rcodes"].items(),
                                                            key=lambda kv: -kv[1])))
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                w, r, fmt(d["qps"]), fmt(d["p50_ms"], 3), fmt(d["p99_ms"], 3),
                fmt(d["cpu_us_per_query"], 2),
                "–" if d["success_ratio"] is None else "%.4f" % d["success_ratio"], rc,
                "–" if d["server_cpu_busy"] is None else "%.0f %%" % (100 * d["server_cpu_busy"]),
                "–" if d["generator_cpu_busy"] is None
                else "%.0f %%" % (100 * d["generator_cpu_busy"]), d["bottleneck"]))
    lines.append("")
    lines.append("| workload | sekisho QPS / best peer's | sekisho CPU per query / best peer's |")
    lines.append("|---|---:|---:|")
    for w in WORKLOADS:
        o = doc["ratios"].get(w)
        if not o:
            continue
        lines.append("| %s | %s (%s) | %s (%s) |" % (
            w, fmt(o.get("qps_vs_best_peer"), 2), o.get("best_peer_qps", "–"),
            fmt(o.get("cpu_vs_best_peer"), 2), o.get("best_peer_cpu", "–")))
    return "\n".join(lines) + "\n"


def chart(doc, png, workdir):
    """Two panels: QPS and p99 per workload, one bar per resolver."""
    dat = os.path.join(workdir, "chart.dat")
    present = [r for r in RESOLVERS if any(r in doc["workloads"].get(w, {}) for w in WORKLOADS)]
    with open(dat, "w") as f:
        for metric in ("qps", "p99_ms"):
            for w in WORKLOADS:
                by = doc["workloads"].get(w, {})
                vals = []
                for r in present:
                    v = by.get(r, {}).get(metric)
                    vals.append("NaN" if v is None else "%g" % v)
                f.write("%s %s\n" % (w.replace("_", "-"), " ".join(vals)))
            f.write("\n\n")
    cols = " , ".join("'%s' index %d using %d%s title '%s'" % (
        dat, 0, i + 2, ":xtic(1)" if i == 0 else "", r) for i, r in enumerate(present))
    cols_lat = cols.replace("index 0", "index 1")
    gp = """set terminal pngcairo size 1100,800 font 'sans,10' noenhanced
set output '%s'
set multiplot layout 2,1 title 'sekisho vs peers, %s (%s), medians of runs'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xrange [-0.6:3.6]
set grid ytics
set key top right
set ylabel 'answers per second'
set yrange [0:*]
plot %s
set ylabel 'p99 latency (ms, log)'
set logscale y
set autoscale y
plot %s
unset multiplot
""" % (png, doc["date"], doc["pmd"], cols, cols_lat)
    script = os.path.join(workdir, "chart.gp")
    with open(script, "w") as f:
        f.write(gp)
    subprocess.run(["gnuplot", script], check=True)


def cmd_report(argv):
    args = {"--json": None, "--md": None, "--png": None, "--pmd": "?", "--note": ""}
    results, i = argv[0], 1
    while i < len(argv):
        args[argv[i]] = argv[i + 1]
        i += 2
    runs = [json.loads(line) for line in open(results) if line.strip()]
    res = {}
    for w in WORKLOADS:
        for r in RESOLVERS:
            rs = [x for x in runs if x["workload"] == w and x["resolver"] == r]
            if rs:
                res.setdefault(w, {})[r] = aggregate(rs)
    doc = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
           "pmd": args["--pmd"], "note": args["--note"], "workloads": res}
    doc["ratios"] = ratios(res)
    doc["runs"] = runs
    md = markdown(doc)
    if args["--md"]:
        with open(args["--md"], "w") as f:
            f.write(md)
    if args["--json"]:
        with open(args["--json"], "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    if args["--png"]:
        chart(doc, args["--png"], os.path.dirname(os.path.abspath(results)))
    sys.stdout.write(md)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, argv = sys.argv[1], sys.argv[2:]
    if cmd == "gen":
        cmd_gen(*argv)
    elif cmd == "rsd":
        cmd_rsd(*argv)
    elif cmd == "dnsperf":
        cmd_dnsperf(argv)
    elif cmd == "latency":
        cmd_latency(argv)
    elif cmd == "report":
        cmd_report(argv)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
