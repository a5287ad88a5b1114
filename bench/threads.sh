#!/bin/bash
# Where does the CPU go while Guichet takes submits? Starts Guichet (fresh data folder, given
# durability), drives it with wrk and the anchors' soap.lua posting bench/submit.xml, and prints,
# per thread of Guichet and for wrk: CPU used (100 % = one core) and time spent waiting for a core.
# Usage: bench/threads.sh [full|normal] [wrk args, default -t2 -c32 -d10s]    (GUICHET_BIN, ANCHORS as for run.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${1:-full}; shift || true
ARGS=${*:--t2 -c32 -d10s}
. "$ROOT/bench/submit_server.sh"
wrk -t1 -c4 -d2s -s "$SOAP_LUA" "$url" >/dev/null
wrk $ARGS -s "$SOAP_LUA" "$url" >"$WORK/wrk.out" 2>&1 &
WPID=$!
sleep 1
python3 - "$GPID" "$WPID" <<'EOF'
import collections, os, sys, time
HZ = os.sysconf("SC_CLK_TCK")
def snap(pid):
    out = {}
    for tid in os.listdir("/proc/%s/task" % pid):
        try:
            s = open("/proc/%s/task/%s/stat" % (pid, tid)).read()
            name = s[s.index("(") + 1:s.rindex(")")]
            f = s[s.rindex(")") + 2:].split()
            run_ns, wait_ns, _ = open("/proc/%s/task/%s/schedstat" % (pid, tid)).read().split()
            out[tid] = (name, int(f[11]) + int(f[12]), int(wait_ns))
        except OSError:
            pass
    return out
pids = {"guichet": sys.argv[1], "wrk": sys.argv[2]}
def busy():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return sum(v) - v[3] - v[4], sum(v), v
a = {k: snap(p) for k, p in pids.items()}; t0 = time.time(); s0 = busy()
time.sleep(6)
b = {k: snap(p) for k, p in pids.items()}; dt = time.time() - t0; s1 = busy()
print("%-8s %-22s %7s %8s %12s" % ("process", "thread", "threads", "cpu %", "runq wait %"))
total = collections.Counter()
for k in pids:
    g = collections.defaultdict(lambda: [0, 0.0, 0.0])
    for tid, (name, cpu, wait) in b[k].items():
        if tid in a[k]:
            e = g[name]; e[0] += 1
            e[1] += (cpu - a[k][tid][1]) / HZ / dt * 100
            e[2] += (wait - a[k][tid][2]) / 1e9 / dt * 100
    for name, (n, cpu, wait) in sorted(g.items(), key=lambda kv: -kv[1][1]):
        print("%-8s %-22s %7d %8.0f %12.0f" % (k, name, n, cpu, wait))
        total[k] += cpu
d = [y - x for x, y in zip(s0[2], s1[2])]
pct = lambda i: d[i] / sum(d) * 100 * os.cpu_count()
print("cpu %%: guichet %.0f, wrk %.0f; whole machine (of %d00): user %.0f, system %.0f, softirq %.0f, steal %.0f, idle %.0f, iowait %.0f"
      % (total["guichet"], total["wrk"], os.cpu_count(), pct(0) + pct(1), pct(2), pct(6), pct(7), pct(3), pct(4)))
EOF
wait "$WPID"
grep -E 'Requests/sec|Non-2xx|Socket errors' "$WORK/wrk.out"
