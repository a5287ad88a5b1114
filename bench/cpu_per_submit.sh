#!/bin/bash
# CPU time Guichet spends per stored submit, by thread: a figure that a busy machine disturbs far
# less than req/s. Starts Guichet on a fresh data folder, drives it with wrk and the anchors'
# soap.lua posting bench/submit.xml for a while, then divides the CPU time (user +
# system, from /proc) of the writer thread, of the HTTP workers and of the whole process by the
# number of requests stored.
# Usage: bench/cpu_per_submit.sh [full|normal] [wrk args, default -t1 -c16 -d10s]
#        GUICHET_BIN=/path/to/guichet bench/cpu_per_submit.sh     (to measure another binary)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${1:-full}; shift || true
ARGS=${*:--t1 -c16 -d10s}
. "$ROOT/bench/submit_server.sh"
# CPU of each thread (ticks) by name, summed.
cpu() {
    python3 - "$GPID" <<'EOF'
import collections, os, sys
pid = sys.argv[1]
out = collections.Counter()
for tid in os.listdir("/proc/%s/task" % pid):
    try:
        s = open("/proc/%s/task/%s/stat" % (pid, tid)).read()
    except OSError:
        continue
    name = s[s.index("(") + 1:s.rindex(")")]
    f = s[s.rindex(")") + 2:].split()
    out[name] += int(f[11]) + int(f[12])
print(" ".join("%s=%d" % kv for kv in sorted(out.items())))
EOF
}
before=$(cpu)
wrk $ARGS -s "$SOAP_LUA" "$url" >"$WORK/wrk.out" 2>&1
sleep 1  # the last commits
after=$(cpu)
count=$(python3 - "$WORK/data/guichet.sqlite3" <<'EOF'
import sqlite3, sys
print(sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True).execute("SELECT count(*) FROM requests").fetchone()[0])
EOF
)
python3 - "$before" "$after" "$count" "$(getconf CLK_TCK)" "$(grep Requests/sec "$WORK/wrk.out" | awk '{print $2}')" <<'EOF'
import sys
parse = lambda s: {k: int(v) for k, v in (kv.split("=") for kv in s.split())}
b, a, n, hz, rps = parse(sys.argv[1]), parse(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
d = {k: a.get(k, 0) - b.get(k, 0) for k in a}
us = lambda ticks: ticks * 1e6 / hz / n
print("requests stored: %d (wrk: %s req/s)" % (n, rps))
for k in sorted(d, key=lambda k: -d[k]):
    if d[k]:
        print("  %-18s %6.1f µs CPU per request" % (k, us(d[k])))
print("  %-18s %6.1f µs CPU per request" % ("whole process", us(sum(d.values()))))
EOF
