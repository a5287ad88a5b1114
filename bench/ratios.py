#!/usr/bin/env python3
"""Read the anchors' results.tsv (one line per wrk run, written by run_bench.sh) and print, per
server and operation: median requests/s, its ratio to gsoap-strict, median p99 latency, errors.

Usage:  bench/ratios.py RESULTS.tsv [since-HH:MM:SS]
        bench/ratios.py --stored RESULTS.tsv LABEL=N...   (sanity check: N requests stored by the
        Guichet run LABEL versus the submits wrk counted, i.e. the sum of rps x duration)
"""
import collections
import re
import statistics
import sys

BASE = "gsoap-strict"


def rows(path, since=""):
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        if f[0] < since:
            continue
        yield {
            "label": f[1], "op": f[2], "args": f[3],
            "rps": float(f[4].split("=", 1)[1] or 0),
            "p99": to_ms(f[6].split("=", 1)[1]),
            "errs": f[7] if len(f) > 7 else "",
        }


def to_ms(s):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", s.strip())
    if not m:
        return None
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]


def duration_s(args):
    m = re.search(r"-d\s*([0-9.]+)(s|m)?", args)
    return float(m.group(1)) * (60 if m and m.group(2) == "m" else 1) if m else 10.0


def table(path, since=""):
    g = collections.OrderedDict()
    for r in rows(path, since):
        g.setdefault((r["label"], r["op"], r["args"]), []).append(r)
    base = {(op, args): statistics.median(x["rps"] for x in v)
            for (lab, op, args), v in g.items() if lab == BASE}
    print("| server | op | runs | median req/s | min | max | / %s | median p99 | errors |" % BASE)
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for (lab, op, args), v in sorted(g.items(), key=lambda kv: (kv[0][1], list(g).index(kv[0]))):
        rps = [x["rps"] for x in v]
        med = statistics.median(rps)
        p99 = [x["p99"] for x in v if x["p99"] is not None]
        b = base.get((op, args))
        errs = [x["errs"].strip() for x in v if x["errs"].strip() not in ("ok", "")]
        print("| %s | %s | %d | %.0f | %.0f | %.0f | %s | %s | %s |" % (
            lab, op, len(v), med, min(rps), max(rps),
            "%.2f" % (med / b) if b else "-",
            "%.1f ms" % statistics.median(p99) if p99 else "-",
            "; ".join(errs) if errs else "none"))


def stored(path, pairs):
    for pair in pairs:
        label, n = pair.rsplit("=", 1)
        n = int(n)
        runs = [r for r in rows(path) if r["label"] == label and r["op"] == "submit"]
        counted = sum(r["rps"] * duration_s(r["args"]) for r in runs)
        verdict = "ok" if n >= 0.98 * counted and n > 0 else "MISMATCH: fewer stored than answered"
        print("%s: %d requests stored; wrk counted about %.0f answered submits in %d measured runs "
              "(stored is higher by the 2 s warm-ups and the check submit): %s"
              % (label, n, counted, len(runs), verdict))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a and a[0] == "--stored":
        stored(a[1], a[2:])
    elif a:
        table(a[0], a[1] if len(a) > 1 else "")
    else:
        sys.exit(__doc__)
