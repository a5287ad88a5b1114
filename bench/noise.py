#!/usr/bin/env python3
"""Watch for CPU used by anything other than the benchmark, to tell a disturbed run from a clean one.

  bench/noise.py watch WORKDIR LOG     every second, append "epoch  foreign-cpu-%  top-process" to LOG,
                                       where foreign = user processes whose working directory is not
                                       under WORKDIR (the benchmark's servers and wrk all run there);
                                       kernel threads are left out (they mostly serve the benchmark's
                                       own I/O). 100 % = one core busy. Runs until killed.
  bench/noise.py report LOG RESULTS.tsv DURATION_S [MAX]
                                       for each line of results.tsv, the mean and max foreign CPU during
                                       the measured run (the DURATION_S seconds before its timestamp)
  bench/noise.py check LOG RESULTS.tsv DURATION_S SKIP MAX
                                       the same for the lines after the first SKIP ones; exit status 1
                                       if the mean of any of them is above MAX
"""
import os
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")
PF_KTHREAD = 0x00200000


def snapshot(work):
    cpu = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                s = f.read()
            comm = s[s.index("(") + 1:s.rindex(")")]
            fields = s[s.rindex(")") + 2:].split()
            if int(fields[6]) & PF_KTHREAD:
                continue
            cwd = os.readlink("/proc/%s/cwd" % pid)
            if cwd == work or cwd.startswith(work + "/"):
                continue
            cpu[(pid, comm)] = int(fields[11]) + int(fields[12])  # utime + stime, ticks
        except (OSError, ValueError, IndexError):
            continue
    return cpu


def watch(work, log):
    work = os.path.realpath(work)
    prev, t0 = snapshot(work), time.time()
    with open(log, "a", buffering=1) as out:
        while True:
            time.sleep(1)
            cur, t1 = snapshot(work), time.time()
            deltas = {k: v - prev.get(k, v) for k, v in cur.items()}
            total = sum(deltas.values()) / HZ / (t1 - t0) * 100
            top = max(deltas.items(), key=lambda kv: kv[1], default=(("-", "-"), 0))
            out.write("%.0f\t%.0f\t%s:%.0f%%\n" % (t1, total, top[0][1], top[1] / HZ / (t1 - t0) * 100))
            prev, t0 = cur, t1


def report(log, results, duration, skip=0, limit=15.0):
    """Prints one line per result line after `skip`; returns how many were above `limit`."""
    samples = []
    for line in open(log):
        t, pct, top = line.rstrip("\n").split("\t")
        samples.append((float(t), float(pct), top))
    day = time.strftime("%Y-%m-%d")
    disturbed = 0
    print("%-9s %-16s %-11s %9s %9s  %s" % ("end", "server", "op", "mean-cpu%", "max-cpu%", "busiest foreign process"))
    for n, line in enumerate(open(results)):
        f = line.rstrip("\n").split("\t")
        if n < skip or len(f) < 3 or line.startswith("#"):
            continue
        end = time.mktime(time.strptime(day + " " + f[0], "%Y-%m-%d %H:%M:%S"))
        win = [s for s in samples if end - duration <= s[0] <= end + 1]
        if not win:
            print("%-9s %-16s %-11s no samples" % (f[0], f[1], f[2]))
            continue
        busiest = max(win, key=lambda s: s[1])
        mean = sum(s[1] for s in win) / len(win)
        flag = ""
        if mean > limit:
            disturbed += 1
            flag = "  <- DISTURBED"
        print("%-9s %-16s %-11s %9.0f %9.0f  %s%s" % (f[0], f[1], f[2], mean, busiest[1], busiest[2], flag))
    return disturbed


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) == 3 and a[0] == "watch":
        watch(a[1], a[2])
    elif len(a) in (4, 5) and a[0] == "report":
        report(a[1], a[2], float(a[3]), 0, float(a[4]) if len(a) == 5 else 15.0)
    elif len(a) == 6 and a[0] == "check":
        sys.exit(1 if report(a[1], a[2], float(a[3]), int(a[4]), float(a[5])) else 0)
    else:
        sys.exit(__doc__)
